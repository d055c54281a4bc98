#!/usr/bin/env bash
# p99 at a constant offered rate, open loop, with oha (cargo install oha; builds with Rust
# 1.95): the issue-6 target "p99 <= 2 ms at 50 % of the measured saturation rate".
#
# Usage: p99-half.sh RATE CONNS NAME URL [oha args...]
#   RATE   requests per second offered (half of the median saturation rate that
#          targets.sh measured with wrk)
#   CONNS  connections (64 is plenty at 44,000/s)
# Knobs: DUR (s, 8), OHA (path of the oha binary, `oha`), OUT (reports/tmp/perf-targets).
# Prints the achieved rate and p50/p90/p99/p99.9; keeps oha's JSON in $OUT/oha-NAME.json.
#
# oha releases requests on tokio's 1 ms timer, so requests leave in bursts of RATE/1000;
# latency is measured from when a request is sent (no --latency-correction, whose 1 ms
# timer slack alone would exceed the target). Run the server pinned to the other core, and
# run the ceiling the same way for the environment's own floor.
set -euo pipefail
rate=$1 conns=$2 name=$3 url=$4
shift 4
out=${OUT:-reports/tmp/perf-targets}
mkdir -p "$out"
taskset -c 0 "${OHA:-oha}" -z "${DUR:-8}s" -c "$conns" -q "$rate" --no-tui --output-format json \
  "$@" "$url" >"$out/oha-$name.json"
python3 - "$out/oha-$name.json" "$name" "$rate" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d["summary"]; p = d["latencyPercentiles"]
print(f"{sys.argv[2]}: offered {sys.argv[3]}/s achieved {s['requestsPerSec']:.0f}/s "
      f"p50={p['p50']*1e3:.3f}ms p90={p['p90']*1e3:.3f}ms p99={p['p99']*1e3:.3f}ms "
      f"p99.9={p['p99.9']*1e3:.3f}ms statuses={d['statusCodeDistribution']}")
PY
