#!/usr/bin/env bash
# Delayed tasks at scale: pipelines COUNT ZADDs (64-byte payloads, due times
# spread evenly over SPREAD seconds starting LEAD seconds ahead) into one
# tasqd, then lets them all fall due. Reports the time to schedule, the
# master's RSS before and after, and the lag between each task's due time and
# its start in a worker (p50, p99, max), measured by delayed_lag_plugin.
# Before that, the same payloads as LPUSHes into a second tasqd, timed the
# same way: the rate ZADD is compared with.
#
#   bench/delayed.sh [BUILD_DIR] [COUNT] [LEAD] [SPREAD]
#
# Defaults: build 1000000 20 10. Needs redis-cli and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-1000000}
lead=${3:-20}
spread=${4:-10}
tasqd=$build/server/tasqd
plugin=$build/bench/libdelayed_lag_plugin.so
[ -x "$tasqd" ] && [ -f "$plugin" ] || {
  echo "build tasqd and delayed_lag_plugin in $build first" >&2
  exit 1
}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
info() { redis-cli -p "$port" INFO tasks | tr -d '\r' | awk -F: -v f="$1" '$1 == f {print $2}'; }

# ring_size 256m: the scheduled payloads (64 MB plus queue names) must fit
# under the bound, which is ring_size.
mkdir "$work/lag"
TASQ_BENCH_LAG_DIR=$work/lag "$tasqd" --listen 127.0.0.1:"$port" --admin none \
  --task_worker_num 2 --ring_size 256m --log_level warn --handler "$plugin" \
  --journal "$work/zadd.journal" \
  2>"$work/tasqd.log" &
pid=$!
for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done

# The whole pipeline as RESP, written before the clock starts.
# The same payloads as LPUSHes too, for the reference below.
/usr/bin/python3 - "$count" "$lead" "$spread" "$work/lpush.resp" >"$work/zadd.resp" <<'PY'
import sys, time
count, lead, spread = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
base_ms = int((time.time() + lead) * 1000)
out = sys.stdout.buffer
pushes = open(sys.argv[4], "wb")
chunk, push_chunk = [], []
for i in range(count):
    due_ms = base_ms + int(spread * 1000 * i / count)
    payload = ("%013d:%07d:" % (due_ms, i)).ljust(64, "x").encode()
    due = b"%d.%03d" % (due_ms // 1000, due_ms % 1000)
    chunk.append(b"*4\r\n$4\r\nZADD\r\n$7\r\ndelayed\r\n$%d\r\n%s\r\n$64\r\n%s\r\n"
                 % (len(due), due, payload))
    push_chunk.append(b"*3\r\n$5\r\nLPUSH\r\n$7\r\ndelayed\r\n$64\r\n%s\r\n" % payload)
    if len(chunk) == 10000:
        out.write(b"".join(chunk)); chunk = []
        pushes.write(b"".join(push_chunk)); push_chunk = []
out.write(b"".join(chunk))
pushes.write(b"".join(push_chunk))
PY

# The reference, in the same run: the same payloads pushed with LPUSH into
# a second tasqd (echo handler, same ring, its own journal with the same
# default policy), which runs them at once.
push_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tasqd" --listen 127.0.0.1:"$push_port" --admin none --task_worker_num 2 --ring_size 256m \
  --log_level warn --journal "$work/push.journal" 2>"$work/tasqd-push.log" &
push_pid=$!
for _ in $(seq 100); do redis-cli -p "$push_port" PING >/dev/null 2>&1 && break; sleep 0.1; done
p0=$(date +%s.%N)
redis-cli -p "$push_port" --pipe <"$work/lpush.resp" >"$work/push.out"
p1=$(date +%s.%N)
grep -q "errors: 0" "$work/push.out" || { cat "$work/push.out"; exit 1; }
kill -TERM "$push_pid"
wait "$push_pid" || true

rss_before=$(rss_kb "$pid")
t0=$(date +%s.%N)
redis-cli -p "$port" --pipe <"$work/zadd.resp" >"$work/pipe.out"
t1=$(date +%s.%N)
rss_after=$(rss_kb "$pid")
scheduled=$(info tasks_scheduled)
grep -q "errors: 0" "$work/pipe.out" || { cat "$work/pipe.out"; exit 1; }

# Let everything fall due and run.
deadline=$(( $(date +%s) + ${lead%.*} + ${spread%.*} + 120 ))
while [ "$(info tasks_completed)" != "$count" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "not all tasks ran" >&2; exit 1; }
  sleep 0.5
done
rss_end=$(rss_kb "$pid")
kill -TERM "$pid"
wait "$pid" || true

echo "delayed tasks: $count ZADDs pipelined (redis-cli --pipe), 64-byte payloads,"
echo "  due over ${spread} s starting ${lead} s ahead; 2 workers; $(nproc) cores"
awk -v a="$t0" -v b="$t1" -v n="$count" \
  'BEGIN {printf "time to schedule:  %.2f s (%.0f ZADD/s)\n", b - a, n / (b - a)}'
awk -v a="$p0" -v b="$p1" -v n="$count" -v z="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
  'BEGIN {printf "same payloads as LPUSH: %.2f s (%.0f LPUSH/s); ZADD / LPUSH %.2fx (goal >= 0.9x)\n",
          b - a, n / (b - a), (b - a) / z}'
echo "tasks_scheduled:   $scheduled"
echo "master RSS:        ${rss_before} kB before, ${rss_after} kB with $count scheduled" \
  "($(( (rss_after - rss_before) * 1024 / count )) bytes/task), ${rss_end} kB after all ran"
cat "$work"/lag/lag.* | /usr/bin/python3 -c '
import sys
rows = [tuple(map(int, line.split())) for line in sys.stdin]
lags = sorted(lag for _, lag in rows)
n = len(lags)
pick = lambda q: lags[min(n - 1, int(q * n))] / 1000.0
print("lag due -> start:  p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d tasks)"
      % (pick(0.5), pick(0.99), pick(0.999), lags[-1] / 1000.0, n))
# Where the late ones were: per second of the due window, the tasks over 5 ms.
first = min(due for due, _ in rows)
late = {}
for due, lag in rows:
    if lag > 5000:
        s = (due - first) // 1000
        late[s] = late.get(s, 0) + 1
if late:
    print("over 5 ms late, by second of the due window: " +
          ", ".join("%ds: %d" % kv for kv in sorted(late.items())))
'
