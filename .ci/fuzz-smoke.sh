#!/usr/bin/env bash
# Fuzz smoke: builds every cargo-fuzz target (fuzz/, its own workspace) and runs each for a
# bounded time from its seed corpus. Any crash or invariant violation fails, and the input
# that caused it is printed.
#
#   bash .ci/fuzz-smoke.sh [seconds-per-target]
#
# The machine's toolchain is stable; cargo-fuzz needs nightly-only flags (-Zsanitizer).
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept them; the sanitizer runtimes ship with
# the stable toolchain's rust-std.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-20}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi
cargo fuzz build -O

failed=()
for target in $(cargo fuzz list); do
  echo "--- fuzz: $target (${seconds}s)"
  # A scratch copy of the corpus: what libFuzzer adds is not kept between runs.
  work=$(mktemp -d)
  cp corpus/"$target"/* "$work"/ 2>/dev/null || true
  if ! cargo fuzz run -O "$target" "$work" -- -max_total_time="$seconds" \
      -print_final_stats=1 >"$work.log" 2>&1; then
    failed+=("$target")
    grep -E "panicked|ERROR|SUMMARY" -A5 "$work.log" | head -40
    for crash in artifacts/"$target"/*; do
      [ -f "$crash" ] || continue
      echo "crashing input $crash:"
      od -c "$crash" | head -20
    done
  else
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$work.log"
  fi
  rm -rf "$work" "$work.log"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in: ${failed[*]}"
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a finding"
