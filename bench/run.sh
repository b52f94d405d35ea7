#!/usr/bin/env bash
# tasq against redis-server, measured side by side in one run on one machine.
#
#   bench/run.sh [--smoke] [--out DIR] [--swoole PATH/swoole.so] [--section NAME ...]
#                [BUILD_DIR]
#
# Sections (each alternates tasq and redis round by round and reports
# medians and tasq/redis ratios):
#   ingest   redis-benchmark -t lpush -c 50 at several pipeline depths, against
#            tasqd (echo handler, 2 workers executing) and redis-server
#   e2e      N 64-byte tasks pushed with pipelining, timed until all executed:
#            tasqd + echo + 2 workers vs redis-server + 2 consumers, twice:
#            consumers looping BRPOP (a round trip per task), and consumers
#            taking up to 100 a round trip (RPOP key 100, BRPOP when empty)
#   latency  enqueue-to-finish p50/p99/p99.9 at a fixed offered rate, from the
#            scheduled send time (no coordinated omission)
#   scrape   the same LPUSH load with and without a client scraping /metrics
#            every second (the `metrics` listener), rounds alternating
#   memory   tasqd master and worker RSS idle, and after 1,000,000 tasks (kept
#            results off: they are bounded by result_max_memory, measured below)
#   wait     push and wait for the outcome, at 1 and 50 clients: tasq's LPUSH +
#            XREAD BLOCK on tasq:result:ID against Redis's classic RPC (LPUSH a
#            job, BRPOP a per-job reply list that rpc_worker fills), p50/p99
#            and round trips/s
#   results  master memory per kept result beyond its bytes (result_memory_bench)
#   blocked  10,000 clients blocked in XREAD BLOCK: tasqd's memory and CPU
#   pool     the task pool alone (pool_bench, no network)
#   pipe_php, pipe_python, pipe_memory
#            pipe: co-processes with the PHP and Python worker libraries,
#            against Swoole's PHP task workers (given --swoole, the path of a
#            swoole.so built for the php on PATH, e.g. from pecl install
#            swoole; without it that row is skipped), exec: with the same
#            handler body, and redis-server with BRPOP consumers in the same
#            language; and the pool's idle memory (bench/pipe_sections.sh)
# then one table, and a PNG of throughput against pipeline depth (gnuplot).
# --section NAME (repeatable) runs the named sections alone.
#
# --smoke runs every section with tiny sizes in seconds; ctest runs it (label
# "bench") so the benchmark never rots. It fails when a section does not run
# to its end, never on the figures. The full run (no --smoke) takes a few
# minutes and writes table.md, pipeline.dat and pipeline.png to --out
# (default bench/results). Needs redis-server, redis-benchmark, redis-cli and
# gnuplot; outside CI a missing one skips the smoke (exit 77).
set -euo pipefail
cd "$(dirname "$0")/.."
readonly SKIP_CODE=77

smoke=0
out=
build=build
swoole_so=
only=()   # --section: run these sections alone (and write no results files unless --out)
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1 ;;
    --out) out=$2; shift ;;
    --swoole) swoole_so=$(realpath "$2"); shift ;;
    --section) only+=("$2"); shift ;;
    -h | --help) sed -n '2,41p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done

if ((smoke)); then
  pipelines=(1 16)        # depths measured; the table shows 1 and 16
  ingest_rounds=1 ingest_rounds_extra=1 ingest_requests=2000
  e2e_rounds=1 e2e_tasks=5000 e2e_timeout=30
  lat_rounds=1 lat_rate=5000 lat_tasks=1000 lat_timeout=30
  mem_tasks=20000
  wait_rounds=1 wait_requests=500 result_count=20000 blocked_clients=200 blocked_seconds=1
  pool_rounds=1 pool_tasks=20000
  scrape_rounds=1 scrape_requests=20000
else
  pipelines=(1 2 4 8 16 32 64)
  # -P 1 and -P 16 (the goals) get ingest_rounds; the other depths, only
  # plotted, get ingest_rounds_extra. Requests per run: ingest_requests times
  # the depth, up to 8 times, so each run lasts seconds, not a blink.
  ingest_rounds=5 ingest_rounds_extra=3 ingest_requests=100000
  e2e_rounds=5 e2e_tasks=200000 e2e_timeout=300
  # A saturated Redis side drains its backlog after the last send: give it time.
  lat_rounds=3 lat_rate=20000 lat_tasks=200000 lat_timeout=180
  mem_tasks=1000000
  wait_rounds=3 wait_requests=20000 result_count=1000000 blocked_clients=10000 blocked_seconds=10
  pool_rounds=3 pool_tasks=2000000
  # Each run lasts several seconds, so that it sees several scrapes.
  scrape_rounds=7 scrape_requests=2000000
fi
readonly workers=2 payload=64 e2e_pipeline=64

# Every tasqd of the benchmark starts with these (plus --listen, --handler).
# Persistence stays off on both sides: tasqd gets --journal none, and
# redis-server --save '' and --appendonly no.
TASQD_ARGS=(--admin none --task_worker_num "$workers" --log_level warn --journal none)

build=$(realpath "$build")
tasqd=$build/server/tasqd
bench_bin=$build/bench
for exe in "$tasqd" "$bench_bin"/bench_e2e "$bench_bin"/bench_latency "$bench_bin"/brpop_consumer \
  "$bench_bin"/rpop_batch_consumer "$bench_bin"/pool_bench "$bench_bin"/liblatency_plugin.so \
  "$bench_bin"/bench_wait "$bench_bin"/rpc_worker "$bench_bin"/bench_blocked \
  "$bench_bin"/result_memory_bench; do
  [ -e "$exe" ] || { echo "run.sh: $exe is missing: build $build first" >&2; exit 1; }
done
for tool in redis-server redis-benchmark redis-cli gnuplot; do
  command -v "$tool" >/dev/null 2>&1 && continue
  if [ -n "${CI:-}" ] || ((!smoke)); then
    echo "run.sh: $tool is not installed (tasq.sh's PACKAGES installs it)" >&2
    exit 1
  fi
  echo "SKIP: $tool is not installed" >&2
  exit "$SKIP_CODE"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-bench.XXXXXX")
started=()   # process-group leaders started by start_bg
cleanup() {
  local status=$? pid
  for pid in "${started[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Under the sanitizer build a report in any log fails the run, figures or not.
  if [ "$status" -eq 0 ] &&
    grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work"/*.log >/dev/null 2>&1; then
    echo "run.sh: FAIL: a sanitizer report in $(grep -lE 'Sanitizer|runtime error:' "$work"/*.log)" >&2
    status=1
  fi
  if [ "$status" -ne 0 ] && [ "$status" -ne "$SKIP_CODE" ]; then
    for log in "$work"/*.log; do
      [ -s "$log" ] || continue
      echo "---- $(basename "$log") (last 20 lines)" >&2
      tail -n 20 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "run.sh: FAIL: $*" >&2; exit 1; }
note() { printf -- '-- %s\n' "$*" >&2; }

# start_bg LOG CMD...: runs CMD in a process group of its own (so the trap
# ends it and its children), output to $work/LOG; sets $last_pid.
start_bg() {
  local log=$1
  shift
  setsid "$@" >"$work/$log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
}

# stop_bg PID: TERM, then KILL after 5 s; bounded.
stop_bg() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_ping PORT PID: until the server answers; fails at once if PID exits.
wait_ping() {
  for _ in $(seq 100); do
    redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return 0
    kill -0 "$2" 2>/dev/null || fail "the server for port $1 exited at start"
    sleep 0.1
  done
  fail "the server on port $1 did not answer PING within 10 s"
}

# info PORT SECTION FIELD -> the field's value
info() { redis-cli -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }

# start_tasqd NAME [tasqd args...]: sets tasq_port, tasq_pid; waits until
# every worker is alive.
start_tasqd() {
  local name=$1
  shift
  tasq_port=$(free_port)
  start_bg "tasqd-$name.log" env -C "$work" "$tasqd" --listen "127.0.0.1:$tasq_port" \
    "${TASQD_ARGS[@]}" "$@"
  tasq_pid=$last_pid
  wait_ping "$tasq_port" "$tasq_pid"
  for _ in $(seq 100); do
    [ "$(info "$tasq_port" workers workers_alive)" = "$workers" ] && return 0
    sleep 0.1
  done
  fail "tasqd ($name) did not get $workers workers alive within 10 s"
}

start_redis() {
  redis_port=$(free_port)
  start_bg redis.log redis-server --port "$redis_port" --bind 127.0.0.1 --save '' \
    --appendonly no --daemonize no --dir "$work"
  redis_pid=$last_pid
  wait_ping "$redis_port" "$redis_pid"
}

# number NAME VALUE: VALUE must be a number, else the section failed.
number() {
  [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || fail "$1: no figure in the output (got '${2}')"
  printf '%s\n' "$2"
}
median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
calc() { awk "BEGIN {print $*}"; }

# The table: section | tasq | redis | ratio | goal | met
rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }
met() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo "**no**"; fi; }
# fmt_us MICROSECONDS -> "850 µs", "12.3 ms", "6.56 s"
fmt_us() {
  awk -v u="$1" 'BEGIN {if (u < 1000) printf "%.0f µs", u; else if (u < 1e6) printf "%.1f ms", u/1000;
                        else printf "%.2f s", u/1e6}'
}
# fmt_int 1234567.8 -> 1,234,568 (locale-free)
fmt_int() { printf '%.0f' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# ---------------------------------------------------------------- ingest --
# rps PORT PIPELINE REQUESTS -> requests per second
rps() {
  redis-benchmark -p "$1" -t lpush -c 50 -n "$3" -P "$2" -q 2>"$work/rb.log" | tr '\r' '\n' |
    awk '/LPUSH/ && /requests per second/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}'
}

section_ingest() {
  note "ingest: redis-benchmark -t lpush -c 50, pipelines ${pipelines[*]}, $ingest_rounds rounds"
  start_tasqd ingest
  local p n rounds round t r
  : >"$work/pipeline.dat"
  for p in "${pipelines[@]}"; do
    n=$((ingest_requests * (p < 8 ? p : 8)))
    rounds=$ingest_rounds_extra
    ((p == 1 || p == 16)) && rounds=$ingest_rounds
    : >"$work/t" && : >"$work/r"
    for round in $(seq "$rounds"); do
      # Alternate who goes first so neither always meets a warm (or hot) machine.
      if ((round % 2)); then
        number "ingest tasq -P $p" "$(rps "$tasq_port" "$p" "$n")" >>"$work/t"
        number "ingest redis -P $p" "$(rps "$redis_port" "$p" "$n")" >>"$work/r"
      else
        number "ingest redis -P $p" "$(rps "$redis_port" "$p" "$n")" >>"$work/r"
        number "ingest tasq -P $p" "$(rps "$tasq_port" "$p" "$n")" >>"$work/t"
      fi
    done
    t=$(median "$work/t") r=$(median "$work/r")
    printf '%s %s %s\n' "$p" "$t" "$r" >>"$work/pipeline.dat"
    local goal=
    ((p == 1)) && goal=1.0
    ((p == 16)) && goal=0.8
    if [ -n "$goal" ]; then
      row "ingest LPUSH -P $p (req/s)" "$(fmt_int "$t")" "$(fmt_int "$r")" \
        "$(printf '%.2fx' "$(calc "$t / $r")")" "≥ ${goal}x" "$(met "$t / $r >= $goal")"
    fi
  done
  local executed
  executed=$(info "$tasq_port" tasks tasks_completed)
  note "ingest: tasqd's workers executed $executed tasks"
  stop_bg "$tasq_pid"
}

# ---------------------------------------------------------------- scrape --
# scraper PORT: GET /metrics once a second until killed, as Prometheus
# does: one kept-alive connection, the whole page read each time. One
# sleeping python process, so that the scraper's own CPU (on a 2-core
# machine) is not what the section measures.
scraper() {
  /usr/bin/python3 - "$1" "$work/scrapes" <<'PY'
import http.client, os, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
scrapes = 0
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
while True:
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        response.read()
        scrapes += response.status == 200
    except (OSError, http.client.HTTPException):
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    with open(out + ".tmp", "w") as f:
        f.write("%d\n" % scrapes)
    os.replace(out + ".tmp", out)
    time.sleep(1)
PY
}

section_scrape() {
  note "scrape: LPUSH -P 16 -c 50, $scrape_requests requests, with and without /metrics scraped every 1 s, $scrape_rounds rounds"
  local metrics_port
  metrics_port=$(free_port)
  start_tasqd scrape --metrics "127.0.0.1:$metrics_port"
  local round side scraper_pid with without
  : >"$work/with" && : >"$work/without"
  for round in $(seq "$scrape_rounds"); do
    local order=(without with)
    ((round % 2)) || order=(with without)
    for side in "${order[@]}"; do
      if [ "$side" = with ]; then
        echo 0 >"$work/scrapes"
        start_bg scraper.log bash -c "$(declare -f scraper); work=$work; scraper $metrics_port"
        scraper_pid=$last_pid
        # The load starts once the scraper is at it.
        for _ in $(seq 100); do (($(cat "$work/scrapes") > 0)) && break; sleep 0.1; done
        (($(cat "$work/scrapes") > 0)) || fail "scrape: the scraper got no /metrics page"
        local before
        before=$(cat "$work/scrapes")
        number "scrape with" "$(rps "$tasq_port" 16 "$scrape_requests")" >>"$work/with"
        stop_bg "$scraper_pid"
        note "scrape: with the scraper $(tail -n 1 "$work/with") req/s," \
          "$(($(cat "$work/scrapes") - before)) scrapes during the run"
      else
        number "scrape without" "$(rps "$tasq_port" 16 "$scrape_requests")" >>"$work/without"
        note "scrape: without $(tail -n 1 "$work/without") req/s"
      fi
    done
  done
  with=$(median "$work/with") without=$(median "$work/without")
  row "ingest -P 16 while /metrics is scraped every 1 s (req/s)" "$(fmt_int "$with")" \
    "$(fmt_int "$without") (tasq, not scraped)" "$(printf '%.3fx' "$(calc "$with / $without")")" \
    "≥ 0.98x" "$(met "$with / $without >= 0.98")"
  stop_bg "$tasq_pid"
}

# ------------------------------------------------------------------- e2e --
# Two Redis rows: BRPOP consumers (one round trip per task, the common way)
# and batch consumers (RPOP key 100 per round trip, BRPOP only when the list
# is empty), the way a performance-minded Redis user would consume.
section_e2e() {
  note "e2e: $e2e_tasks tasks of $payload bytes, pipeline $e2e_pipeline, $e2e_rounds rounds"
  start_tasqd e2e
  local round side t r b
  : >"$work/t" && : >"$work/r" && : >"$work/b"
  local e2e=("$bench_bin/bench_e2e" --tasks "$e2e_tasks" --size "$payload" --pipeline "$e2e_pipeline"
    --timeout "$e2e_timeout")
  for round in $(seq "$e2e_rounds"); do
    # Rotate who goes first so no side always meets a warm (or hot) machine.
    local order=(tasq redis batch)
    ((round % 3 == 2)) && order=(redis batch tasq)
    ((round % 3 == 0)) && order=(batch tasq redis)
    for side in "${order[@]}"; do
      case $side in
        tasq) "${e2e[@]}" --port "$tasq_port" ;;
        redis) "${e2e[@]}" --port "$redis_port" --redis "$bench_bin/brpop_consumer" \
          --consumers "$workers" ;;
        batch) "${e2e[@]}" --port "$redis_port" --redis "$bench_bin/rpop_batch_consumer" \
          --consumers "$workers" ;;
      esac >"$work/e2e.out" 2>"$work/e2e.log" || fail "e2e $side"
      cat "$work/e2e.out" >&2
      number "e2e $side" "$(awk '{for (i=2;i<=NF;i++) if ($i == "tasks/s") print $(i-1)}' \
        "$work/e2e.out")" >>"$work/${side:0:1}"
    done
  done
  t=$(median "$work/t") r=$(median "$work/r") b=$(median "$work/b")
  row "end to end, $(fmt_int "$e2e_tasks") tasks (tasks/s), Redis consumers BRPOP" "$(fmt_int "$t")" \
    "$(fmt_int "$r")" "$(printf '%.2fx' "$(calc "$t / $r")")" "≥ 2.0x" "$(met "$t / $r >= 2.0")"
  row "end to end, $(fmt_int "$e2e_tasks") tasks (tasks/s), Redis consumers RPOP 100" \
    "$(fmt_int "$t")" "$(fmt_int "$b")" "$(printf '%.2fx' "$(calc "$t / $b")")" "≥ 1.5x" \
    "$(met "$t / $b >= 1.5")"
  stop_bg "$tasq_pid"
}

# --------------------------------------------------------------- latency --
# latency_run PORT RECORD -> "p50 p99 p99.9" in microseconds
latency_run() {
  "$bench_bin/bench_latency" --port "$1" --rate "$lat_rate" --tasks "$lat_tasks" \
    --size "$payload" --record "$2" --timeout "$lat_timeout" >"$work/lat.out" 2>"$work/lat.log" || fail "latency"
  cat "$work/lat.out" >&2
  awk '{for (i=1;i<=NF;i++) {if ($i=="p50" && !a) a=$(i+1); if ($i=="p99" && !b) b=$(i+1);
        if ($i=="p99.9" && !c) c=$(i+1)}} END {print a, b, c}' "$work/lat.out"
}

section_latency() {
  note "latency: $lat_tasks tasks at $lat_rate/s, $lat_rounds rounds"
  local record=$work/finish.rec
  : >"$record"
  TASQ_BENCH_RECORD=$record start_tasqd latency --handler "$bench_bin/liblatency_plugin.so"
  : >"$work/t" && : >"$work/r"
  local round side i consumers
  for round in $(seq "$lat_rounds"); do
    local order=(tasq redis)
    ((round % 2)) || order=(redis tasq)
    for side in "${order[@]}"; do
      if [ "$side" = tasq ]; then
        latency_run "$tasq_port" "$record" >>"$work/t"
        continue
      fi
      redis-cli -p "$redis_port" DEL bench >/dev/null
      : >"$work/redis.rec"
      consumers=()
      for i in $(seq "$workers"); do
        start_bg "consumer$i.log" "$bench_bin/brpop_consumer" "$redis_port" bench "$work/redis.rec"
        consumers+=("$last_pid")
      done
      latency_run "$redis_port" "$work/redis.rec" >>"$work/r"
      for i in "${consumers[@]}"; do redis-cli -p "$redis_port" LPUSH bench STOP >/dev/null; done
      for i in "${consumers[@]}"; do stop_when_done "$i"; done
    done
  done
  local col
  for col in 1 2 3; do
    local name label t r
    name=$(echo p50 p99 p99.9 | cut -d' ' -f"$col")
    awk -v c="$col" '{print $c}' "$work/t" >"$work/tc"
    awk -v c="$col" '{print $c}' "$work/r" >"$work/rc"
    t=$(number "latency tasq $name" "$(median "$work/tc")")
    r=$(number "latency redis $name" "$(median "$work/rc")")
    label="latency $name at $(fmt_int "$lat_rate") tasks/s"
    if [ "$name" = p99 ]; then
      row "$label" "$(fmt_us "$t")" "$(fmt_us "$r")" "" "< 1 ms" "$(met "$t < 1000")"
    else
      row "$label" "$(fmt_us "$t")" "$(fmt_us "$r")" "" "" ""
    fi
  done
  stop_bg "$tasq_pid"
}

# stop_when_done PID: a consumer told to STOP gets 10 s to exit.
stop_when_done() {
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || { wait "$1" || fail "a BRPOP consumer failed"; return 0; }
    sleep 0.1
  done
  fail "a BRPOP consumer did not stop"
}

# ---------------------------------------------------------------- memory --
# rss_kb PID FIELD -> kB (VmRSS, RssAnon, RssFile, RssShmem)
rss_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
# memory_of PIDS... -> "total private" kB, the largest of the processes
memory_of() {
  local pid total private best_t=0 best_p=0
  for pid in "$@"; do
    total=$(rss_kb "$pid" VmRSS)
    private=$(($(rss_kb "$pid" RssAnon) + $(rss_kb "$pid" RssFile)))
    ((total > best_t)) && best_t=$total
    ((private > best_p)) && best_p=$private
  done
  echo "$best_t $best_p"
}

# memory_rows WHO "TOTAL0 PRIVATE0" "TOTAL1 PRIVATE1": the table's two rows
# for one process kind, idle and after the tasks (kB in, MiB out).
memory_rows() {
  local who=$1 t0 p0 t1 p1 growth
  read -r t0 p0 <<<"$2"
  read -r t1 p1 <<<"$3"
  growth=$(calc "($p1 - $p0) * 100 / $p0")
  row "$who private RSS, idle → after $(fmt_int "$mem_tasks") tasks" \
    "$(printf '%.1f → %.1f MiB (%+.1f%%)' "$(calc "$p0/1024")" "$(calc "$p1/1024")" "$growth")" \
    "" "" "≤ +10%" "$(met "$growth <= 10")"
  row "$who RSS incl. shared ring pages" \
    "$(printf '%.1f → %.1f MiB' "$(calc "$t0/1024")" "$(calc "$t1/1024")")" "" "" "" ""
}

# Private RSS (anonymous + file pages) is what a leak would grow. Total RSS
# also counts the pages of the shared-memory ring a process has touched,
# which grow towards ring_size as tasks pass through and then stay.
section_memory() {
  note "memory: RSS idle and after $mem_tasks tasks"
  # Kept results and events are memory by design (up to result_max_memory,
  # finished_events_max): off here, so that growth means a leak.
  start_tasqd memory --result_ttl 0 --finished_events_max 0
  local master=$tasq_pid workers_idle master_idle
  local -a worker_pids
  mapfile -t worker_pids < <(redis-cli -p "$tasq_port" INFO workers | tr -d '\r' |
    sed -n 's/^worker[0-9]*:pid=\([0-9]*\),.*/\1/p')
  ((${#worker_pids[@]} == workers)) || fail "memory: no $workers worker pids in INFO workers"
  master_idle=$(memory_of "$master")
  workers_idle=$(memory_of "${worker_pids[@]}")
  "$bench_bin/bench_e2e" --port "$tasq_port" --tasks "$mem_tasks" --size "$payload" \
    --pipeline "$e2e_pipeline" --timeout "$e2e_timeout" >"$work/e2e.out" 2>"$work/e2e.log" ||
    fail "memory: pushing the tasks"
  sleep 0.5
  memory_rows master "$master_idle" "$(memory_of "$master")"
  memory_rows "worker (the larger)" "$workers_idle" "$(memory_of "${worker_pids[@]}")"
  stop_bg "$tasq_pid"
}

# ------------------------------------------------------------------ wait --
# wait_run PORT CLIENTS [--redis] -> "round_trips_per_s p50_us p99_us"
wait_run() {
  local port=$1 clients=$2
  shift 2
  "$bench_bin/bench_wait" --port "$port" --clients "$clients" --requests "$wait_requests" \
    --size "$payload" "$@" >"$work/wait.out" 2>"$work/wait.log" || fail "wait $*"
  cat "$work/wait.out" >&2
  awk '{for (i=1;i<=NF;i++) {if ($i=="round" && $(i+1)=="trips/s,") a=$(i-1);
        if ($i=="p50") b=$(i+1); if ($i=="p99") c=$(i+1)}} END {print a, b, c}' "$work/wait.out"
}

section_wait() {
  note "wait: push and wait, $wait_requests round trips at 1 and 50 clients, $wait_rounds rounds"
  start_tasqd wait
  local clients round side i workers_started
  for clients in 1 50; do
    : >"$work/t" && : >"$work/r"
    for round in $(seq "$wait_rounds"); do
      local order=(tasq redis)
      ((round % 2)) || order=(redis tasq)
      for side in "${order[@]}"; do
        if [ "$side" = tasq ]; then
          wait_run "$tasq_port" "$clients" >>"$work/t"
          continue
        fi
        redis-cli -p "$redis_port" DEL bench_jobs >/dev/null
        workers_started=()
        for i in $(seq "$workers"); do
          start_bg "rpc$i.log" "$bench_bin/rpc_worker" "$redis_port" bench_jobs
          workers_started+=("$last_pid")
        done
        wait_run "$redis_port" "$clients" --redis >>"$work/r"
        for i in "${workers_started[@]}"; do redis-cli -p "$redis_port" LPUSH bench_jobs STOP >/dev/null; done
        for i in "${workers_started[@]}"; do stop_when_done "$i"; done
      done
    done
    local col t r name
    declare -A wait_t wait_r
    for col in 1 2 3; do
      name=$(echo rps p50 p99 | cut -d' ' -f"$col")
      awk -v c="$col" '{print $c}' "$work/t" >"$work/tc"
      awk -v c="$col" '{print $c}' "$work/r" >"$work/rc"
      wait_t[$name]=$(number "wait tasq $name" "$(median "$work/tc")")
      wait_r[$name]=$(number "wait redis $name" "$(median "$work/rc")")
    done
    t=${wait_t[p99]} r=${wait_r[p99]}
    row "push and wait, $clients client(s): p99" "$(fmt_us "$t")" "$(fmt_us "$r")" \
      "$(printf '%.2fx' "$(calc "$t / $r")")" "≤ 0.5x" "$(met "$t / $r <= 0.5")"
    row "push and wait, $clients client(s): p50" "$(fmt_us "${wait_t[p50]}")" \
      "$(fmt_us "${wait_r[p50]}")" "$(printf '%.2fx' "$(calc "${wait_t[p50]} / ${wait_r[p50]}")")" "" ""
    t=${wait_t[rps]} r=${wait_r[rps]}
    row "push and wait, $clients client(s) (round trips/s)" "$(fmt_int "$t")" "$(fmt_int "$r")" \
      "$(printf '%.2fx' "$(calc "$t / $r")")" "≥ 2.0x" "$(met "$t / $r >= 2.0")"
  done
  stop_bg "$tasq_pid"
}

# --------------------------------------------------------------- results --
section_results() {
  note "results: memory per kept result, $result_count results of $payload bytes"
  "$bench_bin/result_memory_bench" --results "$result_count" --size "$payload" \
    >"$work/results.out" 2>"$work/results.log" || fail "result_memory_bench"
  cat "$work/results.out" >&2
  if grep -q '^results: not measured' "$work/results.out"; then  # a sanitizer build
    row "master memory per kept result beyond its bytes" "not measured" "" "" "≤ 128 B" ""
    return
  fi
  local beyond
  beyond=$(number "results: bytes beyond" "$(awk '{for (i=1;i<=NF;i++) if ($i=="beyond") {print $(i-2); exit}}' \
    "$work/results.out")")
  row "master memory per kept result beyond its bytes" "$(printf '%.0f B' "$beyond")" "" "" \
    "≤ 128 B" "$(met "$beyond <= 128")"
}

# --------------------------------------------------------------- blocked --
section_blocked() {
  note "blocked: $blocked_clients clients in XREAD BLOCK for $blocked_seconds s"
  start_tasqd blocked --max_connections $((blocked_clients + 100))
  "$bench_bin/bench_blocked" --port "$tasq_port" --pid "$tasq_pid" --clients "$blocked_clients" \
    --seconds "$blocked_seconds" >"$work/blocked.out" 2>"$work/blocked.log" || fail "bench_blocked"
  cat "$work/blocked.out" >&2
  local each cpu
  each=$(number "blocked: bytes each" "$(awk '/^blocked clients .* private RSS/ {for (i=1;i<=NF;i++) if ($i=="B") print $(i-1)}' \
    "$work/blocked.out")")
  cpu=$(number "blocked: cpu" "$(awk '/used .* of CPU/ {for (i=1;i<=NF;i++) if ($i=="ms") print $(i-1)}' \
    "$work/blocked.out")")
  row "$(fmt_int "$blocked_clients") clients blocked in XREAD: memory each" "$(printf '%.0f B' "$each")" \
    "" "" "bounded" ""
  row "$(fmt_int "$blocked_clients") clients blocked $blocked_seconds s: tasqd CPU" \
    "$(printf '%.0f ms' "$cpu")" "" "" "none (no polling)" "$(met "$cpu <= 20")"
  stop_bg "$tasq_pid"
}

# ------------------------------------------------------------------ pool --
section_pool() {
  note "pool: pool_bench --workers $workers --tasks $pool_tasks --payload $payload, $pool_rounds rounds"
  : >"$work/t"
  for _ in $(seq "$pool_rounds"); do
    "$bench_bin/pool_bench" --workers "$workers" --tasks "$pool_tasks" --payload "$payload" \
      >"$work/pool.out" 2>"$work/pool.log" || fail "pool_bench"
    cat "$work/pool.out" >&2
    number "pool" "$(awk '{for (i=2;i<=NF;i++) if ($i == "tasks/s") print $(i-1)}' \
      "$work/pool.out")" >>"$work/t"
  done
  local t
  t=$(median "$work/t")
  row "task pool alone, no network (tasks/s)" "$(fmt_int "$t")" "" "" "≥ 500,000" "$(met "$t >= 500000")"
}

# ------------------------------------------------------------------ plot --
plot() {
  local dir=$1
  [ "$dir" = "$work" ] || cp "$work/pipeline.dat" "$dir/pipeline.dat"
  gnuplot <<EOF
set terminal pngcairo size 800,500 font ",11"
set output "$dir/pipeline.png"
set title "LPUSH throughput against pipeline depth (redis-benchmark -t lpush -c 50)"
set xlabel "pipeline depth (-P)"
set ylabel "requests per second"
set logscale x 2
set xrange [0.8:80]
set xtics (1, 2, 4, 8, 16, 32, 64)
set format y "%.0s%c"
set key top left
set grid
plot "$dir/pipeline.dat" using 1:2 with linespoints lw 2 pt 7 title "tasqd (echo, 2 workers executing)", \
     "$dir/pipeline.dat" using 1:3 with linespoints lw 2 pt 5 title "redis-server 7 (persistence off)"
EOF
  [ -s "$dir/pipeline.png" ] || fail "the plot was not written"
}

machine() {
  local cpu
  cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
  printf '%s, %s cores, %s GiB RAM, Linux %s, %s, %s\n' "$cpu" "$(nproc)" \
    "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)" "$(uname -r)" \
    "$(redis-server --version | awk '{print "redis-server", substr($3, 3)}')" \
    "$(awk '{print "load average before the run:", $1, $2, $3}' /proc/loadavg)"
}

# ------------------------------------------------------------------- run --
# shellcheck source=bench/pressure.sh
source bench/pressure.sh
# shellcheck source=bench/pipe_sections.sh
source bench/pipe_sections.sh
if [ -n "$swoole_so" ] && [ ! -f "$swoole_so" ]; then
  fail "--swoole $swoole_so: no such file"
fi

# wanted SECTION: true unless --section names others
wanted() { ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $1 "* ]]; }

description=$(machine)
started_at=$(date +%s)
started_ns=$(date +%s.%N)
cpu_wait0=$(cpu_wait_us)
start_redis
for section in ingest scrape e2e latency memory wait results blocked pool pipe_php pipe_python pipe_memory; do
  if wanted "$section"; then "section_$section"; fi
done
stop_bg "$redis_pid"

if ((smoke)) || { ((${#only[@]})) && [ -z "$out" ]; }; then
  out_dir=$work  # a partial run does not replace the full table
else
  out_dir=${out:-bench/results}
  mkdir -p "$out_dir"
fi
# The plot is of the ingest section; --section may have left it out.
if [ -s "$work/pipeline.dat" ]; then plot "$out_dir"; fi

pressure=$(cpu_pressure_since "$cpu_wait0" "$started_ns")
pressure=${pressure:+"; CPU pressure: some task waited for a CPU $pressure% of the time"}
{
  echo "Machine: $description$pressure"
  echo "Run: $([ "$smoke" = 1 ] && echo 'smoke (tiny sizes: the figures mean nothing)' || echo full)," \
    "$(($(date +%s) - started_at)) s; medians of alternating rounds" \
    "(ingest $ingest_rounds at -P 1 and 16, $ingest_rounds_extra at other depths, scrape $scrape_rounds, e2e $e2e_rounds, latency $lat_rounds, wait $wait_rounds, pool $pool_rounds, pipe $pipe_rounds)$( ((${#only[@]})) && echo "; only ${only[*]}")."
  echo "Other: redis-server (persistence off; with 2 BRPOP consumers end to end) unless the row names it."
  echo
  echo "| section | tasq | other | tasq / other | goal | met? |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$work/table.md"
[ "$out_dir" = "$work" ] || cp "$work/table.md" "$out_dir/table.md"
