#!/usr/bin/env bash
# Starts the built `provsim serve` on its default ports and checks, with curl, what the
# README promises a new user: health, 405 with Allow, 413 for 80 KiB, 400 for broken JSON,
# and that none of these changed state. Stops the server however it exits.
set -euo pipefail
bin=${1:-target/debug/provsim}
# shellcheck source=serve.sh
source "$(dirname "$0")/serve.sh"
# A soft open-file limit below what the connection limits need: the server must raise its own
# (src/descriptors.rs). curl needs few descriptors.
ulimit -S -n 1024 2>/dev/null || true
start_provsim "$bin"
pid=$provsim_pid
log=$provsim_log

fail=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected $2, got $3"; fail=1; fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
auth='Authorization: Bearer vpn-demo-key'
json='Content-Type: application/json'

check "PUT /subscribers is 405" 405 "$(status -X PUT http://127.0.0.1:8101/subscribers)"
check "405 carries Allow: POST" "allow: POST" \
  "$(curl -s -i -X PUT http://127.0.0.1:8101/subscribers | tr -d '\r' | grep -i '^allow:' | sed 's/^[Aa]llow/allow/')"
check "80 KiB body is 413" 413 \
  "$(head -c 81920 /dev/zero | tr '\0' a | status -X POST http://127.0.0.1:8101/subscribers -H "$auth" -H "$json" --data-binary @-)"
check "truncated JSON is 400" 400 "$(status -X POST http://127.0.0.1:8101/subscribers -H "$auth" -H "$json" -d '{"order":')"
check "fixture devices unchanged" '[{"device_id":{"device_id":"0A1B2C3D4E5F","type":"desktop","name":"Laura'"'"'s Laptop"}}]' \
  "$(curl -s http://127.0.0.1:8101/subscribers/1000000001/devices -H "$auth")"
body='{"order":"smoke-1","id_hub":"h","ob":"o","name":"h@o","password":"+34600999888","bundle":{"id":"premium","licenses":2},"locale":"en-US"}'
check "create is 201" 201 "$(status -X POST http://127.0.0.1:8101/subscribers -H "$auth" -H "$json" -d "$body")"
check "JSONP status" "cb({" "$(curl -s 'http://127.0.0.1:8895/config/status.js?func=cb' | head -c 4)"
# 4 listeners × (max_connections_per_listener 2,048 + max_refusing_connections 64) + 64,
# or the hard limit when that is lower.
want=8512
hard=$(awk '/^Max open files/ {print $5}' "/proc/$pid/limits")
soft=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits")
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
check "open-file limit raised to the connection budget" ok \
  "$(if [ "$soft" -ge "$want" ]; then echo ok; else echo "soft limit $soft, want $want"; fi)"

kill -TERM "$pid"
wait "$pid" && echo "ok   graceful shutdown on SIGTERM" || { echo "FAIL shutdown exit code $?"; fail=1; }
trap - EXIT
[ "$fail" = 0 ] || { echo "--- server log"; cat "$log"; exit 1; }
echo "smoke: all checks passed"
