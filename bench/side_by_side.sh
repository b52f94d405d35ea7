# shellcheck shell=bash
# Helpers of the side-by-side scripts (journal.sh, journal_fsyncs.sh,
# zadd.sh), sourced by them: a free port, waiting for a server, medians.

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_ping PORT: until the server there answers PING (30 s at most).
wait_ping() {
  for _ in $(seq 300); do
    [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# median < NUMBERS
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
