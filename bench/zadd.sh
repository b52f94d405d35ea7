#!/usr/bin/env bash
# ZADD against LPUSH on the same tasqd, in the same run:
#   redis-benchmark -c 50 -r 1000000 ZADD q 0 __rand_int__   (due now)
#   redis-benchmark -c 50 -r 1000000 ZADD later DUE __rand_int__ (due in an
#     hour: the heap's path; its own queue, as a due-now ZADD to a queue that
#     holds many scheduled tasks pays a hash lookup to find it is not one)
#   redis-benchmark -c 50 -r 1000000 LPUSH q __rand_int__
# at -P 1 and -P 16, ROUNDS runs each, the order rotating; medians, ratios.
# A -P 16 run sends 10 x REQUESTS, so that it lasts about as long as a -P 1
# run (a second or two) rather than a fifth of a second, which one burst of
# another process on a shared machine would decide.
# Beside the rates, the master's CPU time per request (its threads' time on a
# CPU in nanoseconds, from /proc/PID/task/*/schedstat: the clock ticks of
# /proc/PID/stat are too coarse for a run of a fifth of a second), which a
# loaded machine disturbs less than it does the rates.
# tasqd runs as the other ingest benchmarks run it: 2 workers, echo handler,
# journal none.
#
#   bench/zadd.sh [BUILD_DIR] [REQUESTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
requests=${2:-200000}
rounds=${3:-3}
tasqd=$build/server/tasqd
work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-zadd.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck source=bench/side_by_side.sh
source bench/side_by_side.sh
port=$(free_port)
"$tasqd" --listen 127.0.0.1:"$port" --admin none --task_worker_num 2 --log_level warn \
  --journal none >/dev/null 2>"$work/tasqd.log" &
tasqd_pid=$!
for _ in $(seq 300); do
  [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
  sleep 0.1
done

later=$(($(date +%s) + 3600))
# sent P -> the requests of one run at pipeline depth P
sent() { if [ "$1" -gt 1 ]; then echo $((requests * 10)); else echo "$requests"; fi; }
# rps P COMMAND... -> requests per second
rps() {
  local pipeline=$1
  shift
  redis-benchmark -p "$port" -c 50 -r 1000000 -n "$(sent "$pipeline")" -P "$pipeline" -q "$@" \
    2>/dev/null |
    tr '\r' '\n' |
    awk '/requests per second/ {for (i=2;i<=NF;i++) if ($i == "requests") {print $(i-1); exit}}'
}
cpu_ns() { cat "/proc/$tasqd_pid"/task/*/schedstat | awk '{ns += $1} END {printf "%.0f", ns}'; }
# run NAME P -> "requests/s master-µs-per-request"
run() {
  local before rate
  before=$(cpu_ns)
  case $1 in
    lpush) rate=$(rps "$2" LPUSH q __rand_int__) ;;
    zadd_now) rate=$(rps "$2" ZADD q 0 __rand_int__) ;;
    zadd_later) rate=$(rps "$2" ZADD later "$later" __rand_int__) ;;
  esac
  printf '%s %s\n' "$rate" "$(awk -v t="$(($(cpu_ns) - before))" -v n="$(sent "$2")" \
    'BEGIN {print t / 1e3 / n}')"
}

printf 'load: %s; cpu pressure: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
names=(lpush zadd_now zadd_later)
declare -A result cpu
for pipeline in 1 16; do
  for name in "${names[@]}"; do : >"$work/$name"; done
  for round in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
      name=${names[$(((i + round) % ${#names[@]}))]}
      run "$name" "$pipeline" >>"$work/$name"
    done
  done
  for name in "${names[@]}"; do
    result[$name.$pipeline]=$(awk '{print $1}' "$work/$name" | median)
    cpu[$name.$pipeline]=$(awk '{print $2}' "$work/$name" | median)
  done
done
printf '\nredis-benchmark -c 50 -r 1000000 -n %s (-P 16: %s), median of %s rotating runs (requests/s)\n' \
  "$requests" "$(sent 16)" "$rounds"
printf '%-34s %10s %10s %16s %16s\n' "" "-P 1" "-P 16" "master µs/req P1" "master µs/req P16"
for name in "${names[@]}"; do
  printf '%-34s %10.0f %10.0f %16.2f %16.2f\n' "$name" "${result[$name.1]}" "${result[$name.16]}" \
    "${cpu[$name.1]}" "${cpu[$name.16]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
printf '%-34s %10s %10s   goal >= 0.9x\n' "ZADD due now / LPUSH" \
  "$(ratio "${result[zadd_now.1]}" "${result[lpush.1]}")" \
  "$(ratio "${result[zadd_now.16]}" "${result[lpush.16]}")"
printf '%-34s %10s %10s   goal >= 0.9x\n' "ZADD due in an hour / LPUSH" \
  "$(ratio "${result[zadd_later.1]}" "${result[lpush.1]}")" \
  "$(ratio "${result[zadd_later.16]}" "${result[lpush.16]}")"
printf '%-34s %10s %10s   (master CPU per request, ZADD due in an hour / LPUSH)\n' "" \
  "$(ratio "${cpu[zadd_later.1]}" "${cpu[lpush.1]}")" "$(ratio "${cpu[zadd_later.16]}" "${cpu[lpush.16]}")"
printf 'cpu pressure after: %s\n' "$(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
