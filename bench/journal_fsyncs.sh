#!/usr/bin/env bash
# Group commit, counted: how many fsyncs each server makes for the same load
# under its strictest policy, and so how many pushes each fsync covers.
#
#   bench/journal_fsyncs.sh [BUILD_DIR] [REQUESTS] [ROUNDS]
#
# tasqd (journal_fsync always, 2 workers, echo handler) and redis-server
# (appendonly yes, appendfsync always) side by side in one directory; for
# each of redis-benchmark -t lpush -c 50 -P 1 and -P 16, ROUNDS runs per
# server, the order alternating. Each server's fdatasync/fsync calls during
# a run are counted, and timed, through the kernel's syscall tracepoints
# (perf trace -s -p, which unlike strace stops the server at no other
# syscall); tasqd's own INFO journal_fsyncs is printed beside its count as a
# check. Needs perf and the right to trace the servers (root, or
# perf_event_paranoid <= 1).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
requests=${2:-100000}
rounds=${3:-3}
tasqd=$build/server/tasqd
work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-fsyncs.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck source=bench/side_by_side.sh
source bench/side_by_side.sh
info() { redis-cli -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }

mkdir -p "$work/tasq" "$work/redis"
tasq_port=$(free_port)
"$tasqd" --listen 127.0.0.1:"$tasq_port" --admin none --task_worker_num 2 --log_level warn \
  --journal "$work/tasq/tasq.journal" --journal_fsync always >/dev/null 2>"$work/tasq.log" &
tasq_pid=$!
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly yes \
  --appendfsync always --dir "$work/redis" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
wait_ping "$tasq_port"
wait_ping "$redis_port"
for _ in $(seq 300); do
  [ "$(info "$tasq_port" persistence loading)" = 0 ] && break
  sleep 0.1
done

# run NAME PORT PID P: one redis-benchmark run under perf trace; prints
# "requests/s fsyncs info_fsyncs average_fsync_ms".
run() {
  local name=$1 port=$2 pid=$3 pipeline=$4 before=0 after=0 rps perf_pid fsyncs
  [ "$name" = tasq ] && before=$(info "$port" persistence journal_fsyncs)
  perf trace -s -e fdatasync,fsync -p "$pid" -o "$work/perf.out" &
  perf_pid=$!
  sleep 0.5 # perf attaches to every thread of the server before the load starts
  rps=$(redis-benchmark -p "$port" -t lpush -c 50 -n "$requests" -P "$pipeline" -q 2>/dev/null |
    tr '\r' '\n' |
    awk '/LPUSH/ && /requests per second/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}')
  kill -INT "$perf_pid"
  wait "$perf_pid" 2>/dev/null || true
  # The summary has a line per thread that called them: calls, errors,
  # total ms, min, avg, max.
  fsyncs=$(awk '$1 == "fdatasync" || $1 == "fsync" {n += $2; ms += $4}
    END {printf "%d %.3f", n, n ? ms / n : 0}' "$work/perf.out")
  [ "$name" = tasq ] && after=$(info "$port" persistence journal_fsyncs)
  read -r count average <<<"$fsyncs"
  printf '%s %s %s %s\n' "$rps" "$count" "$((after - before))" "$average"
}


printf 'load: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'cpu pressure: %s\n' "$(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
printf '\nredis-benchmark -t lpush -c 50 -n %s, %s runs each, alternating\n' "$requests" "$rounds"
printf '%-6s %-6s %12s %8s %10s %14s %12s\n' P server "requests/s" fsyncs "INFO" "pushes/fsync" \
  "ms/fsync"
for pipeline in 1 16; do
  : >"$work/t" && : >"$work/r"
  for round in $(seq "$rounds"); do
    if ((round % 2)); then
      run tasq "$tasq_port" "$tasq_pid" "$pipeline" >>"$work/t"
      run redis "$redis_port" "$redis_pid" "$pipeline" >>"$work/r"
    else
      run redis "$redis_port" "$redis_pid" "$pipeline" >>"$work/r"
      run tasq "$tasq_port" "$tasq_pid" "$pipeline" >>"$work/t"
    fi
  done
  for side in t r; do
    name=tasqd
    [ "$side" = r ] && name=redis
    while read -r rps fsyncs info_fsyncs average; do
      [ "$side" = r ] && info_fsyncs=-
      printf '%-6s %-6s %12.0f %8s %10s %14s %12s\n' "$pipeline" "$name" "$rps" "$fsyncs" \
        "$info_fsyncs" "$(awk -v n="$requests" -v f="$fsyncs" 'BEGIN {if (f) printf "%.1f", n / f; else print "-"}')" \
        "$average"
    done <"$work/$side"
  done
  t=$(awk -v n="$requests" '$2 {print n / $2}' "$work/t" | median)
  r=$(awk -v n="$requests" '$2 {print n / $2}' "$work/r" | median)
  trps=$(awk '{print $1}' "$work/t" | median)
  rrps=$(awk '{print $1}' "$work/r" | median)
  tms=$(awk '{print $4}' "$work/t" | median)
  rms=$(awk '{print $4}' "$work/r" | median)
  printf -- '-P %s medians: pushes per fsync tasqd %.1f, redis %.1f; ms per fsync tasqd %s, redis %s; requests/s tasqd / redis %.2fx\n' \
    "$pipeline" "$t" "$r" "$tms" "$rms" "$(awk -v a="$trps" -v b="$rrps" 'BEGIN {print a / b}')"
done
printf 'cpu pressure after: %s\n' "$(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
