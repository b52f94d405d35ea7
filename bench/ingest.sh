#!/usr/bin/env bash
# Ingest, side by side: redis-benchmark -t lpush -c 50 at -P 1 and -P 16
# against tasqd (echo handler, workers executing) and redis-server
# (persistence off), alternating runs, medians, and tasq/redis ratios.
#
#   bench/ingest.sh [BUILD_DIR] [REQUESTS] [ROUNDS]
#
# Also prints tasqd's master RSS when idle. Needs redis-server and
# redis-benchmark (Debian's redis-server and redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
requests=${2:-200000}
rounds=${3:-5}
tasqd=$build/server/tasqd
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ping() {
  for _ in $(seq 100); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server on port $1 did not start" >&2
  return 1
}

tport=$(free_port)
rport=$(free_port)
"$tasqd" --listen 127.0.0.1:"$tport" --admin none --task_worker_num 2 --log_level warn \
  2>"$work/tasqd.log" &
tpid=$!
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --dir "$work" >"$work/redis.log" 2>&1 &
wait_ping "$tport"
wait_ping "$rport"

idle_rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$tpid/status)

# rps PORT PIPELINE -> requests per second
rps() {
  redis-benchmark -p "$1" -t lpush -c 50 -n "$requests" -P "$2" -q 2>/dev/null |
    tr '\r' '\n' | awk '/LPUSH/ && /requests per second/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A results
for pipeline in 1 16; do
  : >"$work/t$pipeline"
  : >"$work/r$pipeline"
  for round in $(seq "$rounds"); do
    # Alternate which server goes first so neither always gets a warm cache.
    if (( round % 2 )); then
      rps "$tport" "$pipeline" >>"$work/t$pipeline"; rps "$rport" "$pipeline" >>"$work/r$pipeline"
    else
      rps "$rport" "$pipeline" >>"$work/r$pipeline"; rps "$tport" "$pipeline" >>"$work/t$pipeline"
    fi
  done
  results[t$pipeline]=$(median <"$work/t$pipeline")
  results[r$pipeline]=$(median <"$work/r$pipeline")
done

completed=$(redis-cli -p "$tport" INFO tasks | tr -d '\r' | awk -F: '/tasks_completed/ {print $2}')
printf '\nredis-benchmark -t lpush -c 50 -n %s, median of %s alternating runs\n' "$requests" "$rounds"
printf '%-10s %14s %14s %8s\n' pipeline "tasq rps" "redis rps" ratio
for pipeline in 1 16; do
  t=${results[t$pipeline]} r=${results[r$pipeline]}
  printf '%-10s %14.0f %14.0f %7.2fx\n' "-P $pipeline" "$t" "$r" "$(awk -v t="$t" -v r="$r" 'BEGIN {print t / r}')"
done
printf '\ntasqd master RSS when idle: %s KiB\n' "$idle_rss_kb"
printf 'tasks executed by the workers during the run: %s\n' "$completed"
