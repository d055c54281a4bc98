#!/usr/bin/env bash
# Performance gate (issue 6), bounded to 3 minutes.
#
# Measures the bare-hyper ceiling (loadtests/src/bin/ceiling.rs: one fixed JSON body, no
# work) and the simulator (`provsim serve`, GET /subscribers/1000000001/devices) with the
# same goose client shape (`provsim load --scenario list-devices`, same users, same run
# time), interleaved A/B/A/B/A/B so that machine noise hits both sides alike. Server and
# client are pinned to different cores when the machine has two.
#
# Fails when
#   - any request of any round fails (a status other than 200, a 5xx, a refused connection):
#     goose `--threshold error-rate<=0%`;
#   - a round is below the absolute floors (goose `--threshold`): PERF_GATE_RPS_MIN req/s,
#     p99 under PERF_GATE_P99_MAX;
#   - the simulator's median req/s is below PERF_GATE_RATIO_MIN (default 0.75) of the
#     ceiling's median req/s.
#
# Usage (after `cargo build --release -p provsim`):
#   bash .ci/perf-gate.sh
# Show that it fails on a deliberately slowed handler (the ceiling with a 2 ms sleep in its
# one handler stands in for the simulator):
#   PERF_GATE_SUBJECT="target/release/ceiling --delay-us 2000" bash .ci/perf-gate.sh
#
# Reports (goose HTML/JSON/Markdown per round and gate.md) go to PERF_GATE_DIR
# (default reports/tmp/perf-gate, ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

PROVSIM=${PROVSIM:-target/release/provsim}
CEILING=${CEILING:-target/release/ceiling}
RATIO_MIN=${PERF_GATE_RATIO_MIN:-0.75}
RPS_MIN=${PERF_GATE_RPS_MIN:-1000}
P99_MAX=${PERF_GATE_P99_MAX:-50ms}
ROUND_S=${PERF_GATE_ROUND_S:-10}
ROUNDS=${PERF_GATE_ROUNDS:-3}
USERS=${PERF_GATE_USERS:-16}
OUT=${PERF_GATE_DIR:-reports/tmp/perf-gate}
SUBJECT=${PERF_GATE_SUBJECT:-}

if (( (ROUND_S + 4) * ROUNDS * 2 > 170 )); then
  echo "perf-gate: $ROUNDS rounds of ${ROUND_S}s do not fit in 3 minutes" >&2
  exit 2
fi
[[ -x "$PROVSIM" ]] || { echo "perf-gate: $PROVSIM missing: cargo build --release -p provsim" >&2; exit 2; }
if [[ ! -x "$CEILING" ]]; then
  echo "perf-gate: building the ceiling server"
  cargo build --release --quiet -p provsim-loadtests --bin ceiling
fi

# Pinning: servers on CPU 1, the load generator on CPU 0.
SERVER_PIN=() CLIENT_PIN=()
if command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
  SERVER_PIN=(taskset -c 1) CLIENT_PIN=(taskset -c 0)
fi

rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Starts "$@" in the background, logging to the file $1; waits for a line matching $2 and
# sets URL to the first http:// URL of that line.
start_server() {
  local log=$1 pattern=$2
  shift 2
  "${SERVER_PIN[@]}" "$@" >"$log" 2>&1 &
  PIDS+=($!)
  local pid=$!
  for _ in $(seq 100); do
    if grep -q -- "$pattern" "$log" 2>/dev/null; then
      URL=$(grep -m1 -- "$pattern" "$log" | grep -o 'http://[0-9.:]*')
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "perf-gate: server did not start: $*" >&2
  cat "$log" >&2
  exit 2
}

URL=
start_server "$OUT/ceiling.log" "listening on" "$CEILING" --port 0
CEILING_URL=$URL
if [[ -n "$SUBJECT" ]]; then
  # shellcheck disable=SC2086 # a command line on purpose
  start_server "$OUT/subject.log" "listening on" $SUBJECT
  SUBJECT_NAME="subject ($SUBJECT)"
else
  start_server "$OUT/subject.log" "  vpn " "$PROVSIM" serve \
    --control-port 0 --vpn-port 0 --vpn-daemon-port 0 --exotel-port 0 --log warn
  SUBJECT_NAME="simulator"
fi
SUBJECT_URL=$URL
echo "perf-gate: ceiling $CEILING_URL, $SUBJECT_NAME $SUBJECT_URL; $ROUNDS × ${ROUND_S}s per side, $USERS users"

FAILED=0
declare -a RPS_CEILING=() RPS_SUBJECT=()
measure() {
  local side=$1 url=$2 round=$3 dir="$OUT/$1-$3"
  local status=0
  timeout $((ROUND_S + 60)) "${CLIENT_PIN[@]}" "$PROVSIM" load --scenario list-devices \
    --target "vpn=$url" --users "$USERS" --run-time "${ROUND_S}s" --report-dir "$dir" \
    --threshold "error-rate<=0%" --threshold "rps>=$RPS_MIN" --threshold "p99<$P99_MAX" \
    >"$dir.log" 2>&1 || status=$?
  local rps
  rps=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["rps"])' \
    "$dir/list-devices-summary.json" 2>/dev/null || echo 0)
  echo "  round $round $side: $rps req/s (exit $status)"
  if (( status != 0 )); then
    echo "perf-gate: $side round $round failed (errors, 5xx or a floor); see $dir.log:" >&2
    grep -E "threshold failed|errors|statuses|all requests" "$dir.log" >&2 || tail -5 "$dir.log" >&2
    FAILED=1
  fi
  if [[ $side == ceiling ]]; then RPS_CEILING+=("$rps"); else RPS_SUBJECT+=("$rps"); fi
}

for round in $(seq "$ROUNDS"); do
  measure ceiling "$CEILING_URL" "$round"
  measure subject "$SUBJECT_URL" "$round"
done

VERDICT=$(python3 - "$RATIO_MIN" "${RPS_CEILING[*]}" "${RPS_SUBJECT[*]}" <<'EOF'
import statistics, sys
ratio_min = float(sys.argv[1])
ceiling = [float(x) for x in sys.argv[2].split()]
subject = [float(x) for x in sys.argv[3].split()]
c, s = statistics.median(ceiling), statistics.median(subject)
ratio = s / c if c else 0.0
print(f"{c:.0f} {s:.0f} {ratio:.3f} {'pass' if ratio >= ratio_min else 'fail'}")
EOF
)
read -r MED_CEILING MED_SUBJECT RATIO RATIO_VERDICT <<<"$VERDICT"
{
  echo "# Performance gate"
  echo
  echo "- ceiling: median $MED_CEILING req/s (rounds: ${RPS_CEILING[*]})"
  echo "- $SUBJECT_NAME: median $MED_SUBJECT req/s (rounds: ${RPS_SUBJECT[*]})"
  echo "- ratio $RATIO, minimum $RATIO_MIN: $RATIO_VERDICT"
  echo "- floors per round: error-rate<=0%, rps>=$RPS_MIN, p99<$P99_MAX: $([[ $FAILED == 0 ]] && echo pass || echo fail)"
  echo "- $ROUNDS rounds of ${ROUND_S}s per side, $USERS goose users, interleaved; pinning: ${SERVER_PIN[*]:-none} (servers) / ${CLIENT_PIN[*]:-none} (client)"
} | tee "$OUT/gate.md"

if [[ $RATIO_VERDICT != pass ]]; then
  echo "perf-gate: FAILED: $SUBJECT_NAME reaches $RATIO of the ceiling, below $RATIO_MIN" >&2
  FAILED=1
fi
if (( FAILED )); then
  exit 1
fi
echo "perf-gate: passed"
