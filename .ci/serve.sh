# Sourced by the CI scripts that need a running simulator: `start_provsim BIN` starts
# `BIN serve` on the default ports, waits until the control plane's health answers, checks
# that our own process is the one answering, and stops it when the calling script exits.
# Sets `provsim_pid` and `provsim_log`.

start_provsim() {
  local bin=$1
  provsim_log=$(mktemp)
  "$bin" serve >"$provsim_log" 2>&1 &
  provsim_pid=$!
  trap 'kill "$provsim_pid" 2>/dev/null || true; wait "$provsim_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -sf http://127.0.0.1:8100/_sim/health >/dev/null 2>&1 && break
    sleep 0.1
  done
  # Our own server must be the one answering: a stale provsim (or anything else) on the
  # default ports would make every check meaningless.
  if ! kill -0 "$provsim_pid" 2>/dev/null; then
    cat "$provsim_log"
    echo "$(basename "$0"): provsim serve exited (is something else listening on 8100-8102/8895?)"
    exit 1
  fi
  if ! curl -sf http://127.0.0.1:8100/_sim/health >/dev/null; then
    cat "$provsim_log"
    echo "$(basename "$0"): provsim serve did not become healthy"
    exit 1
  fi
}
