-- wrk script: POST /subscribers with a unique order per request (the perf targets of issue 6).
-- Each wrk thread numbers its own requests; a random tag per thread keeps orders unique
-- across threads and runs.
counter = 0
thread_tag = "0"

function setup(thread)
  thread:set("thread_tag", tostring(math.random(1, 1000000000)))
end

function request()
  counter = counter + 1
  local body = '{"order":"wrk-' .. thread_tag .. '-' .. counter .. '","id_hub":"hub7","ob":"movistar",'
    .. '"name":"hub7@movistar","password":"+34600999888","bundle":{"id":"premium","licenses":2},'
    .. '"locale":"es-ES"}'
  return wrk.format("POST", "/subscribers", {
    ["Authorization"] = "Bearer vpn-demo-key",
    ["Content-Type"] = "application/json",
  }, body)
end
