#!/usr/bin/env bash
# Durable ingest, side by side: redis-benchmark -t lpush -c 50 at -P 1 and
# -P 16 against
#   tasqd  journal_fsync always    vs  redis-server appendonly yes, appendfsync always
#   tasqd  journal_fsync everysec  vs  redis-server appendonly yes, appendfsync everysec
#   tasqd  journal none            (the cost of the journal under everysec)
#   redis-server with no persistence  (tasqd as shipped, journal on with
#                                      everysec, against Redis as most run it)
# alternating runs, medians, ratios. Every server writes into the same
# temporary directory (one file system, one disk).
#
#   bench/journal.sh [BUILD_DIR] [REQUESTS] [ROUNDS]
#
# Also times a replay: a journal of REPLAY_TASKS (default 1,000,000) live
# 64-byte tasks, from tasqd's start to its "journal replayed" log line.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
requests=${2:-200000}
rounds=${3:-3}
replay_tasks=${REPLAY_TASKS:-1000000}
tasqd=$build/server/tasqd
work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-journal-bench.XXXXXX")
# The replay's handler command outlives a SIGKILLed worker: kill it by name.
trap 'kill $(jobs -p) 2>/dev/null || true; pkill -f "sleep 3599" 2>/dev/null || true
  wait 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck source=bench/side_by_side.sh
source bench/side_by_side.sh
# shellcheck source=bench/pressure.sh
source bench/pressure.sh
# Pushes are refused while tasqd replays its journal: wait for loading:0.
wait_loaded() {
  for _ in $(seq 600); do
    redis-cli -p "$1" INFO persistence 2>/dev/null | grep -q '^loading:0' && return 0
    sleep 0.1
  done
  echo "tasqd on port $1 did not finish loading" >&2
  return 1
}

# Servers start in this shell (not in a $(...), which would wait for them),
# so that the trap's `jobs` sees them; the port goes into port[NAME].
declare -A port
# start_tasqd NAME [ARGS...]
start_tasqd() {
  local name=$1
  shift
  port[$name]=$(free_port)
  "$tasqd" --listen 127.0.0.1:"${port[$name]}" --admin none --task_worker_num 2 \
    --log_level warn "$@" >/dev/null 2>"$work/$name.log" &
  wait_ping "${port[$name]}"
  wait_loaded "${port[$name]}"
}

# start_redis NAME FSYNC|none
start_redis() {
  local name=$1 fsync=$2
  local aof=(--appendonly yes --appendfsync "$fsync")
  [ "$fsync" = none ] && aof=(--appendonly no)
  port[$name]=$(free_port)
  mkdir -p "$work/$name"
  redis-server --port "${port[$name]}" --bind 127.0.0.1 --save '' "${aof[@]}" \
    --dir "$work/$name" --daemonize no >"$work/$name.log" 2>&1 &
  wait_ping "${port[$name]}"
}

rps() {
  redis-benchmark -p "$1" -t lpush -c 50 -n "$requests" -P "$2" -q 2>/dev/null |
    tr '\r' '\n' |
    awk '/LPUSH/ && /requests per second/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

mkdir -p "$work/t-always" "$work/t-everysec"
start_tasqd t-always --journal "$work/t-always/tasq.journal" --journal_fsync always
start_tasqd t-everysec --journal "$work/t-everysec/tasq.journal" --journal_fsync everysec
start_tasqd t-none --journal none
start_redis r-always always
start_redis r-everysec everysec
start_redis r-none none

# measure P SERVER... : one median per server, the servers in turn, the
# order rotated every round.
declare -A result
measure() {
  local pipeline=$1 round name i
  shift
  local names=("$@")
  for name in "${names[@]}"; do : >"$work/$name.$pipeline"; done
  for round in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
      name=${names[$(((i + round) % ${#names[@]}))]}
      rps "${port[$name]}" "$pipeline" >>"$work/$name.$pipeline"
    done
  done
  for name in "${names[@]}"; do result[$name.$pipeline]=$(median <"$work/$name.$pipeline"); done
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
cpu_wait0=$(cpu_wait_us)
started_at=$(date +%s.%N)
for pipeline in 1 16; do
  measure "$pipeline" t-always r-always t-everysec r-everysec t-none r-none
done
pressure=$(cpu_pressure_since "$cpu_wait0" "$started_at")
pressure=${pressure:+$pressure%}

printf '\nredis-benchmark -t lpush -c 50 -n %s, median of %s rotating runs (requests/s)\n' \
  "$requests" "$rounds"
printf 'load average %s before, %s after; CPU pressure (some task waiting for a CPU): %s of the time\n' \
  "$load_before" "$(cut -d' ' -f1 /proc/loadavg)" "${pressure:-n/a}"
printf '%-34s %12s %12s %8s\n' "" "-P 1" "-P 16" ""
row() { printf '%-34s %12.0f %12.0f\n' "$1" "${result[$2.1]}" "${result[$2.16]}"; }
row "tasqd journal_fsync always" t-always
row "redis appendfsync always" r-always
row "tasqd journal_fsync everysec" t-everysec
row "redis appendfsync everysec" r-everysec
row "tasqd journal none" t-none
row "redis no persistence" r-none
printf '\n%-34s %11sx %11sx   goal\n' "ratio" "" ""
printf '%-34s %11sx %11sx   >= 1.0\n' "tasq always / redis always" \
  "$(ratio "${result[t-always.1]}" "${result[r-always.1]}")" \
  "$(ratio "${result[t-always.16]}" "${result[r-always.16]}")"
printf '%-34s %11sx %11sx   >= 1.0\n' "tasq everysec / redis everysec" \
  "$(ratio "${result[t-everysec.1]}" "${result[r-everysec.1]}")" \
  "$(ratio "${result[t-everysec.16]}" "${result[r-everysec.16]}")"
printf '%-34s %11sx %11sx   >= 0.9\n' "tasq everysec / tasq journal none" \
  "$(ratio "${result[t-everysec.1]}" "${result[t-none.1]}")" \
  "$(ratio "${result[t-everysec.16]}" "${result[t-none.16]}")"
printf '%-34s %11sx %11sx   >= 1.0, >= 0.9\n' "as shipped / redis no persistence" \
  "$(ratio "${result[t-everysec.1]}" "${result[r-none.1]}")" \
  "$(ratio "${result[t-everysec.16]}" "${result[r-none.16]}")"

# Replay: fill a journal with live tasks (a handler that never runs them:
# the workers are stopped by a never-ending first task), stop, restart, time.
for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
wait 2>/dev/null || true
mkdir -p "$work/replay"
journal="$work/replay/tasq.journal"
start_tasqd fill --journal "$journal" --journal_fsync no --task_worker_num 1 \
  --handler "exec:sleep 3599" --ring_size 1g
redis-benchmark -p "${port[fill]}" -t lpush -c 50 -n "$replay_tasks" -P 64 -d 64 -q \
  >/dev/null 2>&1
live=$(redis-cli -p "${port[fill]}" INFO persistence | tr -d '\r' |
  awk -F: '/journal_live_tasks/ {print $2}')
size=$(stat -c %s "$journal")
for job in $(jobs -p); do kill -KILL "$job" 2>/dev/null || true; done
wait 2>/dev/null || true
pkill -KILL -f 'sleep 3599' 2>/dev/null || true
start=$(date +%s.%N)
start_tasqd replay --journal "$journal" --task_worker_num 1 --log_level info \
  --handler "exec:sleep 3599" --ring_size 1g
end=$(date +%s.%N)
printf '\nreplay: %s live tasks of 64 bytes (journal %s MiB) put back in %.2f s (start to loading:0)\n' \
  "$live" "$((size / 1048576))" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
grep -o 'journal replayed: .*' "$work/replay.log" || true
