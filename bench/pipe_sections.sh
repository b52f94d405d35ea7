# bench/run.sh's sections for pipe: handlers, sourced by it (it provides
# start_tasqd, start_bg, stop_bg, number, median, calc, row, met, fmt_int,
# note, fail, $work, $bench_bin, $smoke and $swoole_so).
#
#   pipe_php     the PHP library returning its payload, end to end: tasks
#                pushed by redis-benchmark -t lpush -c 50 -P 1 -d 64 (the
#                producer Swoole can take: its Redis server does not
#                pipeline), timed until INFO's tasks_completed has them all;
#                against Swoole's PHP task workers doing the same (when
#                --swoole PATH/swoole.so is given), exec:php with the same
#                handler body, and redis-server with 2 PHP BRPOP consumers
#                (phpredis) running that body
#   pipe_python  the same in Python: exec:python3 and 2 redis-py consumers
#   pipe_memory  idle PSS of the pool with 2 PHP co-processes, beside the
#                echo pool's

pipe_dir=$(pwd)/bench/pipe  # absolute: tasqd runs in $work
readonly pipe_dir
if ((smoke)); then
  pipe_rounds=1 pipe_tasks=2000 pipe_exec_tasks=10 pipe_timeout=60
else
  pipe_rounds=3 pipe_tasks=100000 pipe_exec_tasks=1000 pipe_timeout=300
fi

# e2e_lpush PORT TASKS [CONSUMER_EXE] -> tasks/s, pushed by redis-benchmark at -P 1
e2e_lpush() {
  local args=("$bench_bin/bench_e2e" --port "$1" --tasks "$2" --size "$payload" --pipeline 1
    --benchmark-clients 50 --timeout "$pipe_timeout")
  [ -n "${3:-}" ] && args+=(--redis "$3" --consumers "$workers")
  "${args[@]}" >"$work/e2e.out" 2>>"$work/e2e.log" || fail "e2e against port $1 ($(tail -1 "$work/e2e.log"))"
  cat "$work/e2e.out" >&2
  awk '{for (i=2;i<=NF;i++) if ($i == "tasks/s") print $(i-1)}' "$work/e2e.out"
}

# warm_up PORT: a few tasks through every worker, so that co-processes are
# READY (and interpreters warm) before the clock starts.
warm_up() {
  local base
  base=$(info "$1" tasks tasks_completed)
  redis-cli -p "$1" LPUSH warm 1 2 3 4 5 6 7 8 >/dev/null
  for _ in $(seq 300); do
    (($(info "$1" tasks tasks_completed) >= base + 8)) && return 0
    sleep 0.1
  done
  fail "the warm-up tasks on port $1 did not complete within 30 s"
}

# start_swoole: Swoole's Redis server with 2 PHP task workers; sets swoole_port, swoole_pid.
start_swoole() {
  swoole_port=$(free_port)
  start_bg swoole.log php -d extension="$swoole_so" "$pipe_dir/swoole_server.php" "$swoole_port" \
    "$workers"
  swoole_pid=$last_pid
  wait_ping "$swoole_port" "$swoole_pid"
}

# pipe_rows LANGUAGE PIPE_HANDLER EXEC_HANDLER CONSUMER: measures and adds the rows.
pipe_rows() {
  local lang=$1 pipe_handler=$2 exec_handler=$3 consumer=$4
  local round t s r e
  start_tasqd "pipe-$lang" --handler "$pipe_handler"
  local pipe_port=$tasq_port pipe_pid=$tasq_pid
  warm_up "$pipe_port"
  local with_swoole=0
  if [ "$lang" = php ] && [ -n "$swoole_so" ]; then
    with_swoole=1
    start_swoole
  fi
  : >"$work/t" && : >"$work/s" && : >"$work/r"
  for round in $(seq "$pipe_rounds"); do
    # Alternate who goes first so neither always meets a warm (or hot) machine.
    if ((round % 2)); then
      number "pipe:$lang" "$(e2e_lpush "$pipe_port" "$pipe_tasks")" >>"$work/t"
      if ((with_swoole)); then
        number "swoole" "$(e2e_lpush "$swoole_port" "$pipe_tasks")" >>"$work/s"
      fi
      number "redis + $lang" "$(e2e_lpush "$redis_port" "$pipe_tasks" "$consumer")" >>"$work/r"
    else
      number "redis + $lang" "$(e2e_lpush "$redis_port" "$pipe_tasks" "$consumer")" >>"$work/r"
      if ((with_swoole)); then
        number "swoole" "$(e2e_lpush "$swoole_port" "$pipe_tasks")" >>"$work/s"
      fi
      number "pipe:$lang" "$(e2e_lpush "$pipe_port" "$pipe_tasks")" >>"$work/t"
    fi
  done
  if ((with_swoole)); then stop_bg "$swoole_pid"; fi
  stop_bg "$pipe_pid"
  # A process per task is slow: fewer tasks, one round, measured last.
  start_tasqd "exec-$lang" --handler "$exec_handler"
  warm_up "$tasq_port"
  e=$(number "exec:$lang" "$(e2e_lpush "$tasq_port" "$pipe_exec_tasks")")
  stop_bg "$tasq_pid"

  t=$(median "$work/t") r=$(median "$work/r")
  local label="pipe:$lang library, end to end at -P 1 (tasks/s)"
  if [ "$lang" = php ]; then
    if ((with_swoole)); then
      s=$(median "$work/s")
      row "$label vs Swoole 6 PHP task workers" "$(fmt_int "$t")" "$(fmt_int "$s")" \
        "$(printf '%.2fx' "$(calc "$t / $s")")" "≥ 1.3x" "$(met "$t / $s >= 1.3")"
    else
      row "$label vs Swoole: skipped (no --swoole PATH)" "$(fmt_int "$t")" "" "" "≥ 1.3x" ""
    fi
  fi
  row "$label vs exec:$lang, same body" "$(fmt_int "$t")" "$(fmt_int "$e")" \
    "$(printf '%.0fx' "$(calc "$t / $e")")" "≥ 100x" "$(met "$t / $e >= 100")"
  row "$label vs redis + 2 $lang BRPOP consumers" "$(fmt_int "$t")" "$(fmt_int "$r")" \
    "$(printf '%.2fx' "$(calc "$t / $r")")" "≥ 2.0x" "$(met "$t / $r >= 2.0")"
}

section_pipe_php() {
  note "pipe_php: $pipe_tasks tasks at -P 1 (exec:php $pipe_exec_tasks), $pipe_rounds rounds" \
    "$([ -n "$swoole_so" ] && echo "with Swoole ($swoole_so)" || echo "without Swoole")"
  command -v php >/dev/null || fail "pipe_php needs php (tasq.sh's PACKAGES installs php-cli)"
  pipe_rows php "pipe:php $pipe_dir/echo_worker.php" "exec:php $pipe_dir/echo_exec.php" \
    "$pipe_dir/brpop_consumer.php"
}

section_pipe_python() {
  note "pipe_python: $pipe_tasks tasks at -P 1 (exec:python3 $pipe_exec_tasks), $pipe_rounds rounds"
  pipe_rows python3 "pipe:python3 $pipe_dir/echo_worker.py" \
    "exec:python3 $pipe_dir/echo_exec.py" "$pipe_dir/brpop_consumer.py"
}

# pss_kb PID... -> the sum of their proportional set sizes, kB
pss_kb() {
  local pid total=0
  for pid in "$@"; do
    total=$((total + $(awk '$1 == "Pss:" {print $2}' "/proc/$pid/smaps_rollup")))
  done
  echo "$total"
}

# pool_pss NAME [tasqd args] -> "TOTAL_KB COPROCESS_KB" of master, workers and their children, idle
pool_pss() {
  local name=$1
  shift
  start_tasqd "$name" "$@"
  local -a workers_pids children
  mapfile -t workers_pids < <(redis-cli -p "$tasq_port" INFO workers | tr -d '\r' |
    sed -n 's/^worker[0-9]*:pid=\([0-9]*\),.*/\1/p')
  warm_up "$tasq_port"
  sleep 1  # idle: let what the tasks touched settle
  children=()
  local w
  for w in "${workers_pids[@]}"; do
    mapfile -t -O "${#children[@]}" children < <(pgrep -P "$w" || true)
  done
  local total co=0
  total=$(pss_kb "$tasq_pid" "${workers_pids[@]}" "${children[@]}")
  if ((${#children[@]})); then co=$(pss_kb "${children[@]}"); fi
  stop_bg "$tasq_pid"
  echo "$total $co"
}

section_pipe_memory() {
  note "pipe_memory: idle PSS of the pool, pipe:php against echo"
  local echo_total echo_co pipe_total pipe_co
  read -r echo_total echo_co <<<"$(pool_pss mem-echo)"
  read -r pipe_total pipe_co <<<"$(pool_pss mem-pipe --handler "pipe:php $pipe_dir/echo_worker.php")"
  ((pipe_co > 0)) || fail "pipe_memory: no co-process found under the workers"
  row "idle PSS: master + 2 workers + 2 PHP co-processes (of which co-processes) vs the echo pool" \
    "$(printf '%.1f MiB (%.1f)' "$(calc "$pipe_total/1024")" "$(calc "$pipe_co/1024")")" \
    "$(printf '%.1f MiB' "$(calc "$echo_total/1024")")" "" "" ""
}
