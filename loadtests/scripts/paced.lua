-- wrk script: the same GET as the plain run, paced: each connection waits PACE_MS between
-- requests, so that connections × 1000 / PACE_MS is the offered rate (open-ish loop used for
-- "p99 at 50 % of saturation"). PATH and AUTH come from the environment.
local pace_ms = tonumber(os.getenv("PACE_MS") or "1")
local path = os.getenv("WRK_PATH") or "/"
local auth = os.getenv("WRK_AUTH")

function request()
  local headers = {}
  if auth and auth ~= "" then headers["Authorization"] = auth end
  return wrk.format("GET", path, headers)
end

function delay()
  return pace_ms
end
