#!/usr/bin/env bash
# Scale-out, really run: twemproxy (Debian's nutcracker) in front of two
# tasqd shards on loopback. Thousands of tasks with distinct queue names are
# pushed through the proxy by three clients at once -- redis-cli, hiredis
# (push_keys) and phpredis (push_keys.php), each pushing one task to every
# queue -- and then:
#   - every task ran exactly once, on one shard, with its own payload;
#   - both shards got a share of the queues;
#   - all three tasks of a queue ran on the same shard (same key, same shard,
#     whichever client pushed it);
#   - each shard's own counters agree with what ran on it;
#   - the commands the README lists as passing through the proxy do, and
#     those it lists as refused are refused;
#   - with `redis_auth`, twemproxy authenticates to a tasqd that has
#     requirepass, and asks its own clients for the password.
#
#   twemproxy_test.sh TASQD PUSH_KEYS RECORD_PLUGIN
source "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || fail "usage: $0 TASQD PUSH_KEYS RECORD_PLUGIN"
tasqd=$1 push_keys=$2 record_plugin=$3
require_tool nutcracker
require_tool redis-cli
require_tool php
php -r 'exit(class_exists("Redis") ? 0 : 1);' || require_tool php-redis-extension
[ -n "$PYTHON" ] || require_tool python3

readonly KEYS=1500  # queues; three tasks each
readonly CLIENTS="cli hiredis php"
readonly TOTAL=$((KEYS * 3))

# Two shards. The handler (record_plugin.c) writes one line per task run,
# `QUEUE ID ATTEMPT PAYLOAD`, into the shard's directory: a second run of one
# task leaves a second line, a lost task none.
declare -A port
for shard in 1 2; do
  mkdir -p "$WORK/shard-$shard"
  start_tasqd "shard-$shard" env TASQ_TEST_RECORD_DIR="$WORK/shard-$shard" \
    "$tasqd" --admin none --task_worker_num 2 --handler "$record_plugin"
  port[$shard]=$TASQD_PORT
done
# A third tasqd, with a password, behind a second pool with redis_auth.
start_tasqd secured "$tasqd" --admin none --task_worker_num 1 --requirepass s3cret
port[secured]=$TASQD_PORT
note "shards: 1 on ${port[1]}, 2 on ${port[2]}; with requirepass on ${port[secured]}"

# The proxy, with the README's settings. A free port can be taken between
# choosing it and binding it: try a few.
proxy_port=""
for _ in 1 2 3; do
  read -r candidate auth_candidate stats <<<"$(free_tcp_ports 3 | tr '\n' ' ')"
  cat >"$WORK/nutcracker.yml" <<EOF
tasq:
  listen: 127.0.0.1:$candidate
  redis: true
  hash: fnv1a_64
  distribution: ketama
  hash_tag: "{}"
  auto_eject_hosts: false
  server_retry_timeout: 2000
  preconnect: true
  servers:
    - 127.0.0.1:${port[1]}:1 shard-1
    - 127.0.0.1:${port[2]}:1 shard-2
tasq_auth:
  listen: 127.0.0.1:$auth_candidate
  redis: true
  redis_auth: s3cret
  servers:
    - 127.0.0.1:${port[secured]}:1 secured
EOF
  nutcracker --test-conf --conf-file "$WORK/nutcracker.yml" >/dev/null 2>&1 ||
    fail "nutcracker rejects the test's config: $(nutcracker -t -c "$WORK/nutcracker.yml" 2>&1)"
  start_bg "$WORK/nutcracker.log" nutcracker --conf-file "$WORK/nutcracker.yml" \
    --stats-addr 127.0.0.1 --stats-port "$stats" --output "$WORK/nutcracker-own.log"
  proxy_pid=$LAST_PID
  # Up to 30 s: the loop ends at once when it answers or exits.
  for i in $(seq 1 300); do
    [ "$(redis-cli -h 127.0.0.1 -p "$candidate" PING 2>/dev/null)" = PONG ] && break
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$(redis-cli -h 127.0.0.1 -p "$candidate" PING 2>/dev/null)" = PONG ]; then
    proxy_port=$candidate
    auth_port=$auth_candidate
    break
  fi
  stop_group "$proxy_pid"
done
[ -n "$proxy_port" ] || fail "nutcracker did not start: $(cat "$WORK"/nutcracker*.log)"
note "twemproxy on $proxy_port"

proxy() { redis-cli -h 127.0.0.1 -p "$proxy_port" "$@"; }

# --- the three producers, at once -------------------------------------------
for i in $(seq 0 $((KEYS - 1))); do echo "LPUSH k$i cli:k$i"; done >"$WORK/cli.commands"
(
  # redis-cli reads one command per line and prints one reply per line.
  timeout 60 redis-cli -h 127.0.0.1 -p "$proxy_port" <"$WORK/cli.commands" >"$WORK/cli.replies"
  seq 0 $((KEYS - 1)) | sed 's/^/k/' | paste -d ' ' - "$WORK/cli.replies" >"$WORK/cli.out"
) &
cli_job=$!
timeout 60 "$push_keys" 127.0.0.1 "$proxy_port" k "$KEYS" hiredis >"$WORK/hiredis.out" &
hiredis_job=$!
timeout 60 php "$(dirname "$0")/push_keys.php" 127.0.0.1 "$proxy_port" k "$KEYS" php \
  >"$WORK/php.out" &
php_job=$!
wait "$cli_job" || fail "redis-cli's pushes through the proxy failed"
wait "$hiredis_job" || fail "hiredis's pushes through the proxy failed"
wait "$php_job" || fail "phpredis's pushes through the proxy failed"
for client in $CLIENTS; do
  lines=$(grep -cE '^k[0-9]+ [1-9][0-9]*$' "$WORK/$client.out" || true)
  [ "$lines" -eq "$KEYS" ] ||
    fail "$client: $lines task ids for $KEYS pushes; first lines: $(head -n 3 "$WORK/$client.out")"
done
note "pushed $TOTAL tasks through the proxy (${SECONDS}s in)"

# --- wait for every task to end -------------------------------------------
completed() {
  local sum=0 shard n
  for shard in 1 2; do
    n=$(info_field "${port[$shard]}" tasks_completed)
    sum=$((sum + ${n:-0}))
  done
  echo "$sum"
}
all_completed() { [ "$(completed)" -ge "$TOTAL" ]; }
wait_for 90 "$TOTAL tasks to complete (at $(completed))" all_completed
note "every task ended (${SECONDS}s in)"

# --- what ran where ---------------------------------------------------------
for shard in 1 2; do
  failed=$(info_field "${port[$shard]}" tasks_failed)
  [ "$failed" = 0 ] || fail "shard $shard: tasks_failed is $failed"
done
# One line per run: SHARD QUEUE ID ATTEMPT PAYLOAD.
for shard in 1 2; do
  cat "$WORK/shard-$shard"/worker.*.log | sed "s/^/$shard /"
done >"$WORK/ran.txt"
for client in $CLIENTS; do sed "s/^/$client /" "$WORK/$client.out"; done >"$WORK/pushed.txt"

awk -v keys="$KEYS" -v total="$TOTAL" \
  -v done_1="$(info_field "${port[1]}" tasks_completed)" \
  -v done_2="$(info_field "${port[2]}" tasks_completed)" \
  -v enq_1="$(info_field "${port[1]}" tasks_enqueued)" \
  -v enq_2="$(info_field "${port[2]}" tasks_enqueued)" '
  FNR == NR {  # ran.txt: shard queue id attempt payload
    runs[$1 " " $2 " " $3]++
    payload[$1 " " $2 " " $3] = $5
    if ($4 != 1) { print "task " $2 "/" $3 " on shard " $1 " ran as attempt " $4; bad++ }
    ran_on[$1]++
    lines++
    next
  }
  {  # pushed.txt: client queue id
    client = $1; queue = $2; id = $3
    where = ""
    for (s = 0; s < 2; s++) {
      shard = s == 0 ? "1" : "2"
      key = shard " " queue " " id
      if (key in runs) {
        if (where != "") { print "task " queue "/" id " ran on both shards"; bad++ }
        where = shard
        if (runs[key] != 1) { print "task " queue "/" id " ran " runs[key] " times"; bad++ }
        if (payload[key] != client ":" queue) {
          print "task " queue "/" id " ran with payload " payload[key] ", pushed " client ":" queue
          bad++
        }
      }
    }
    if (where == "") { print "task " queue "/" id " from " client " never ran"; bad++; next }
    if (queue in shard_of && shard_of[queue] != where) {
      print "queue " queue " ran on shard " shard_of[queue] " and on shard " where; bad++
    }
    shard_of[queue] = where
  }
  END {
    if (lines != total) { print lines " task runs for " total " pushes"; bad++ }
    for (queue in shard_of) queues[shard_of[queue]]++
    # ketama over two equal shards gives each roughly half; a fifth is a
    # bound that no fair split misses.
    for (s = 0; s < 2; s++) {
      shard = s == 0 ? "1" : "2"
      if (queues[shard] < keys / 5) {
        print "shard " shard " got " queues[shard] + 0 " of " keys " queues"; bad++
      }
    }
    if (ran_on["1"] != done_1 || ran_on["2"] != done_2) {
      print "runs per shard " ran_on["1"] "/" ran_on["2"] ", tasks_completed " done_1 "/" done_2; bad++
    }
    if (enq_1 != done_1 || enq_2 != done_2) {
      print "tasks_enqueued " enq_1 "/" enq_2 " but tasks_completed " done_1 "/" done_2; bad++
    }
    printf "-- shard 1: %d queues, %d tasks; shard 2: %d queues, %d tasks\n",
      queues["1"], ran_on["1"], queues["2"], ran_on["2"]
    exit bad > 0
  }' "$WORK/ran.txt" "$WORK/pushed.txt" || fail "the tasks did not run as pushed (above)"

# Ids are per shard: both shards handed out id 1 (and many more) -- which is
# why the README says to name a task by queue and id, not by id alone.
shared_ids=$(awk '{ print $3 }' "$WORK/ran.txt" | sort -n | uniq -d | wc -l)
[ "$shared_ids" -gt 0 ] || fail "no id was handed out by both shards: are ids not per shard?"
note "$shared_ids ids were handed out by both shards"

# --- what twemproxy passes and what it refuses ------------------------------
# PING is answered by twemproxy itself: no shard sees it. (INFO may count
# itself, so compare against the same two INFOs without a PING between.)
commands() { info_field "${port[$1]}" total_commands_processed; }
for shard in 1 2; do
  c0=$(commands $shard) c1=$(commands $shard)
  [ "$(proxy PING)" = PONG ] || fail "PING through the proxy"
  c2=$(commands $shard)
  [ $((c2 - c1)) -eq $((c1 - c0)) ] || fail "PING through the proxy reached shard $shard"
done
llen=$(proxy LLEN k0)
[[ "$llen" =~ ^[0-9]+$ ]] || fail "LLEN through the proxy answered '$llen'"
id=$(proxy RPUSH "probe{x}" one two)
[[ "$id" =~ ^[1-9][0-9]*$ ]] || fail "RPUSH through the proxy answered '$id'"
# ZADD, ZCARD and ZREM go by key, like LPUSH: a delayed task scheduled
# through the proxy waits on its queue's shard and runs there when due.
due=$(($(date +%s) + 3))  # at least 2 s ahead: ZCARD must still see it
id=$(proxy ZADD "later{z}" "$due" delayed-through-proxy)
[[ "$id" =~ ^[1-9][0-9]*$ ]] || fail "ZADD through the proxy answered '$id'"
reply=$(proxy ZADD "later{z}" $((due + 60)) cancel-me)
[[ "$reply" =~ ^[1-9][0-9]*$ ]] || fail "a second ZADD through the proxy answered '$reply'"
[ "$(proxy ZCARD "later{z}")" = 2 ] || fail "ZCARD through the proxy did not count 2 delayed tasks"
[ "$(proxy ZREM "later{z}" cancel-me)" = 1 ] || fail "ZREM through the proxy did not cancel"
ran_delayed() { grep -q " $id 1 delayed-through-proxy" "$WORK"/shard-*/worker.*.log; }
wait_for 60 "the task ZADDed through the proxy to run" ran_delayed
[ "$(proxy ZCARD "later{z}")" = 0 ] || fail "ZCARD through the proxy: the cancelled task is still there"
note "ZADD, ZCARD and ZREM through the proxy: the delayed task ran on its shard once due"
for command in "INFO" "ECHO hi" "PING hi" "SELECT 0" "CONFIG GET save" "CLIENT SETNAME x" \
  "HELLO 2" "COMMAND COUNT" "QUIT"; do
  # shellcheck disable=SC2086  # the command is words on purpose
  reply=$(timeout 5 redis-cli -h 127.0.0.1 -p "$proxy_port" $command 2>&1 || true)
  case "$reply" in
    *"Server closed the connection"*) ;;
    *) fail "'$command' through the proxy answered '$reply'; the README says twemproxy refuses it" ;;
  esac
done
# AUTH is answered by twemproxy itself: it has no redis_auth in this config.
reply=$(proxy AUTH secret 2>&1 || true)
[[ "$reply" == *"no password is set"* ]] || fail "AUTH through the proxy answered '$reply'"
# And the proxy still works after refusing: a refusal closes one connection.
[ "$(proxy PING)" = PONG ] || fail "the proxy stopped answering after the refusals"

# --- redis_auth in front of requirepass -------------------------------------
auth_proxy() { redis-cli -h 127.0.0.1 -p "$auth_port" "$@"; }
wait_for 60 "the redis_auth pool" auth_proxy PING
reply=$(auth_proxy LPUSH secured task 2>&1 || true)
[[ "$reply" == *NOAUTH* ]] || fail "a push without AUTH through redis_auth answered '$reply'"
reply=$(printf 'AUTH wrong\nLPUSH secured task\n' | auth_proxy 2>&1 || true)
[[ "$reply" == *"invalid password"* ]] || fail "a wrong password through redis_auth answered '$reply'"
reply=$(printf 'AUTH s3cret\nLPUSH secured task\n' | auth_proxy 2>&1 | tr '\n' ' ')
[[ "$reply" =~ ^OK\ [1-9][0-9]*\ $ ]] || fail "AUTH then LPUSH through redis_auth answered '$reply'"
[ "$(redis-cli -h 127.0.0.1 -p "${port[secured]}" -a s3cret --no-auth-warning INFO tasks |
  tr -d '\r' | sed -n 's/^tasks_enqueued://p')" = 1 ] ||
  fail "the push through redis_auth did not reach the tasqd with requirepass"
note "redis_auth: twemproxy authenticates to tasqd and asks its clients for the password"
