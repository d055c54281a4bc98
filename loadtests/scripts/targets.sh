#!/usr/bin/env bash
# Measures the targets of issue 6 with wrk, the external load generator:
#   - GET /subscribers/{id}/devices and the JSONP status page: >= 80 % of the ceiling's req/s;
#   - POST /subscribers: >= 60 % of the ceiling's req/s (same request shape against both);
#   - p99 <= 2 ms at 50 % of the measured saturation rate (paced wrk: connections × 1000 /
#     PACE_MS requests per second offered).
# The servers (the bare-hyper ceiling and `provsim serve`) run pinned to CPU 1, wrk to CPU 0.
# Each measurement is repeated REPEATS times, interleaved ceiling/simulator, and the median
# is reported. Raw wrk output goes to $OUT.
#
# Usage (after `cargo build --release -p provsim -p provsim-loadtests`):
#   bash loadtests/scripts/targets.sh
# Knobs: DUR (s per run, 10), CONNS (32), REPEATS (3), PACE_MS (2), OUT (reports/tmp/perf-targets).
set -euo pipefail
cd "$(dirname "$0")/../.."

PROVSIM=${PROVSIM:-target/release/provsim}
CEILING=${CEILING:-target/release/ceiling}
DUR=${DUR:-10}
CONNS=${CONNS:-32}
REPEATS=${REPEATS:-3}
OUT=${OUT:-reports/tmp/perf-targets}
PACE_MS=${PACE_MS:-2}
SCRIPTS=loadtests/scripts
AUTH="Authorization: Bearer vpn-demo-key"
DEVICES=/subscribers/1000000001/devices
STATUS='/config/status.js?func=cb&device_id=0A1B2C3D4E5F'

command -v wrk >/dev/null || { echo "targets: wrk missing (apt-get install wrk)" >&2; exit 2; }
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

taskset -c 1 "$CEILING" --port 0 >"$OUT/ceiling.log" 2>&1 &
PIDS+=($!)
taskset -c 1 "$PROVSIM" serve --control-port 0 --vpn-port 0 --vpn-daemon-port 0 \
  --exotel-port 0 --log warn >"$OUT/provsim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  grep -q "listening on" "$OUT/ceiling.log" && grep -q "  exotel " "$OUT/provsim.log" && break
  sleep 0.1
done
url_of() { grep -m1 -- "$2" "$1" | grep -o 'http://[0-9.:]*'; }
CEIL=$(url_of "$OUT/ceiling.log" "listening on")
VPN=$(url_of "$OUT/provsim.log" "  vpn ")
DAEMON=$(url_of "$OUT/provsim.log" "  vpn-daemon ")
CONTROL=$(url_of "$OUT/provsim.log" "  control ")
echo "ceiling $CEIL, vpn $VPN, vpn-daemon $DAEMON, control $CONTROL; load $(cut -d' ' -f1-3 /proc/loadavg)"

# run NAME ARGS...: one wrk run on CPU 0; prints req/s and keeps the raw output.
run() {
  local name=$1
  shift
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "$@" >"$OUT/$name.txt" 2>&1
  local rps non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/$name.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$OUT/$name.txt")
  echo "$name ${rps:-0} non2xx=${non2xx:-0} p99=$(awk '$1 == "99%" {print $2}' "$OUT/$name.txt")"
}

: >"$OUT/results.txt"
for rep in $(seq "$REPEATS"); do
  {
    run "ceiling-get-$rep" -H "$AUTH" "$CEIL$DEVICES"
    run "sim-devices-$rep" -H "$AUTH" "$VPN$DEVICES"
    run "ceiling-status-$rep" "$CEIL$STATUS"
    run "sim-status-$rep" "$DAEMON$STATUS"
    run "ceiling-post-$rep" -s "$SCRIPTS/create.lua" "$CEIL"
    run "sim-create-$rep" -s "$SCRIPTS/create.lua" "$VPN"
  } | tee -a "$OUT/results.txt"
  # Back to the fixture, so every create round starts from the same state.
  curl -s -o /dev/null -X POST "$CONTROL/_sim/reset"
done

# Medians and ratios; then p99 at half of the simulator's saturation rates.
python3 - "$OUT/results.txt" <<'EOF' | tee "$OUT/summary.txt"
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rps = line.split()[:2]
    kind = re.sub(r"-\d+$", "", name)
    runs.setdefault(kind, []).append(float(rps))
med = {k: statistics.median(v) for k, v in runs.items()}
for sim, ceiling, target in [("sim-devices", "ceiling-get", 0.8), ("sim-status", "ceiling-status", 0.8),
                             ("sim-create", "ceiling-post", 0.6)]:
    ratio = med[sim] / med[ceiling]
    print(f"{sim}: median {med[sim]:.0f} req/s, ceiling {med[ceiling]:.0f} req/s, ratio {ratio:.3f} "
          f"(target {target}) {'met' if ratio >= target else 'MISSED'}; runs {runs[sim]} / {runs[ceiling]}")
    print(f"saturation {sim} {med[sim]:.0f}")
EOF

# p99 at 50 % of saturation: each paced connection sends one request per PACE_MS plus its
# latency, so connections × 1000 / PACE_MS overestimates the rate; a 3 s calibration run
# scales the connections so that the achieved rate is half the median saturation rate.
for kind in sim-devices sim-status; do
  sat=$(awk -v k="$kind" '$1 == "saturation" && $2 == k {print $3}' "$OUT/summary.txt")
  half=$((sat / 2))
  if [[ $kind == sim-devices ]]; then path=$DEVICES; base=$VPN; auth="Bearer vpn-demo-key"; else path=$STATUS; base=$DAEMON; auth=""; fi
  paced() { # paced CONNS SECONDS FILE
    WRK_PATH=$path WRK_AUTH=$auth PACE_MS=$PACE_MS taskset -c 0 wrk -t1 -c"$1" -d"$2s" \
      --latency -s "$SCRIPTS/paced.lua" "$base" >"$3" 2>&1
    awk '/^Requests\/sec:/ {printf "%d", $2}' "$3"
  }
  conns=$(( half * PACE_MS / 1000 ))
  (( conns >= 1 )) || conns=1
  achieved=$(paced "$conns" 3 "$OUT/calibrate-$kind.txt")
  (( achieved > 0 )) && conns=$(( conns * half / achieved ))
  (( conns >= 1 )) || conns=1
  for rep in $(seq "$REPEATS"); do
    achieved=$(paced "$conns" "$DUR" "$OUT/half-$kind-$rep.txt")
    echo "half-$kind-$rep target $half/s ($conns connections) achieved $achieved/s p50=$(awk '$1 == "50%" {print $2}' "$OUT/half-$kind-$rep.txt") p99=$(awk '$1 == "99%" {print $2}' "$OUT/half-$kind-$rep.txt")"
  done
done | tee -a "$OUT/summary.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
