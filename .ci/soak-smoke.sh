#!/usr/bin/env bash
# Soak smoke (issue 7), about a minute: the release binary under 1,000 keep-alive + 2,000
# slowloris connections and hostile input (1 MiB headers, 10 MB bodies, deeply nested JSON)
# for SECONDS_OF_LOAD (default 20) seconds, after the soak tool's 5 s warm-up. Fails on the
# soak tool's findings: a status the workload's documentation does not list, a failed health
# probe, or an RSS 10 s after the load more than RSS_TOLERANCE_PCT (25) % over the idle
# server's. 25, not the issue's 10: the final build comes back to −4..+13 % of a ~13 MiB
# start, and allocator bookkeeping moves that by ±1.5 MiB between runs; a regression to
# keeping the load's memory (glibc: +410 %) or a leak fails either way.
# Full runs and what they measured: reports/robustness/soak.md.
#
# Usage (after `cargo build --release -p provsim --bins --examples`):
#   bash .ci/soak-smoke.sh [SECONDS_OF_LOAD]
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/serve.sh

SECONDS_OF_LOAD=${1:-20}
RSS_TOLERANCE_PCT=${RSS_TOLERANCE_PCT:-25}
PROVSIM=${PROVSIM:-target/release/provsim}
SOAK=${SOAK:-target/release/examples/soak}
KEEPALIVE=1000
SLOWLORIS=2000

[[ -x "$PROVSIM" ]] || { echo "soak-smoke: $PROVSIM missing: cargo build --release -p provsim" >&2; exit 2; }
if [[ ! -x "$SOAK" ]]; then
  echo "soak-smoke: building the soak tool"
  cargo build --release --quiet -p provsim --example soak
fi

# Server and tool each need a descriptor per connection: raise the soft limit as far as the
# hard one allows, and scale the load down (not skip it) on a machine that allows less.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < KEEPALIVE + SLOWLORIS + 200 )); then
  KEEPALIVE=$(( $(ulimit -n) / 8 )) SLOWLORIS=$(( $(ulimit -n) / 4 ))
  echo "soak-smoke: open-files limit $(ulimit -n): $KEEPALIVE keep-alive, $SLOWLORIS slowloris"
fi

start_provsim "$PROVSIM"
"$SOAK" --server-pid "$provsim_pid" --duration-s "$SECONDS_OF_LOAD" --settle-s 10 \
  --rss-tolerance-pct "$RSS_TOLERANCE_PCT" \
  --keepalive-connections "$KEEPALIVE" --slowloris-connections "$SLOWLORIS" \
  --hostile --lift-exotel-rate-limit
