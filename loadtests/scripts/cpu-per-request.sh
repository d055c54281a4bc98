#!/usr/bin/env bash
# CPU time the server spends per request (user + system, from /proc/PID/stat), measured
# under a wrk run on the other core. Less sensitive to other processes on the machine than
# req/s: it counts only the server's own CPU time. Used to compare hot-path changes.
#
# Usage: cpu-per-request.sh PID NAME [wrk args...]   (prints: NAME req/s µs-cpu-per-request)
set -euo pipefail
pid=$1 name=$2
shift 2
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
out=$(taskset -c 0 wrk -t1 -c"${CONNS:-32}" -d"${DUR:-5}s" "$@")
after=$(ticks)
requests=$(awk '/requests in/ {print $1}' <<<"$out")
rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
python3 -c "import sys; t=(int(sys.argv[2])-int(sys.argv[1]))/int(sys.argv[3]); n=int(sys.argv[4]); print(f'{sys.argv[5]} {float(sys.argv[6]):.0f} req/s  {t*1e6/n:.2f} µs CPU per request')" \
  "$before" "$after" "$hz" "$requests" "$name" "$rps"
