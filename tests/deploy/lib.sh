# Shared by the deploy tests (sourced, bash): temporary files, processes
# that are always cleaned up, bounded waits, and how to skip.
#
# Every process a test starts goes through `start_bg`, which runs it in a
# session of its own and records it; the EXIT trap ends each such process
# group (TERM, then KILL past a deadline) and removes the temporary
# directory, whatever way the test ends.

set -euo pipefail

readonly SKIP_CODE=77
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tasq-deploy.XXXXXX")
STARTED=()

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

note() { echo "-- $*"; }

# A tool the test needs. Outside CI a missing one skips the test (ctest
# shows it as skipped); in CI (CI is set) it fails, since tasq.sh installs
# every one of them and a skip there would hide a test that never ran.
require_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ -n "${CI:-}" ]; then
    fail "$1 is not installed (tasq.sh's PACKAGES should have installed it)"
  fi
  echo "SKIP: $1 is not installed" >&2
  exit "$SKIP_CODE"
}

stop_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? pid
  for pid in "${STARTED[@]}"; do stop_group "$pid"; done
  # Under the sanitizer build, a report in any log fails the test even when
  # the checks passed (tasqd's own exit status is not seen here).
  if [ "$status" -eq 0 ] &&
    grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK"/*.log >/dev/null 2>&1; then
    echo "FAIL: a sanitizer report in $(grep -lE 'Sanitizer|runtime error:' "$WORK"/*.log)" >&2
    status=1
  fi
  if [ "$status" -ne 0 ] && [ "$status" -ne "$SKIP_CODE" ]; then
    local log
    for log in "$WORK"/*.log; do
      [ -f "$log" ] || continue
      echo "---- $(basename "$log") (last 30 lines)" >&2
      tail -n 30 "$log" >&2
    done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_bg LOG COMMAND [ARG...]: runs COMMAND in a new session (so that its
# workers and their children form one process group to stop), standard
# output and error to LOG. Sets LAST_PID.
start_bg() {
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 </dev/null &
  LAST_PID=$!
  STARTED+=("$LAST_PID")
}

# wait_for SECONDS DESCRIPTION COMMAND [ARG...]: polls COMMAND every 0.1 s
# until it succeeds; fails the test past the deadline.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out after ${seconds}s waiting for $what"
}

# start_tasqd NAME TASQD [ARG...]: starts tasqd on a free loopback port
# (--listen 127.0.0.1:0 unless the arguments listen elsewhere; a journal of
# its own in $WORK unless they name one) and waits for
# it to log its address. Sets TASQD_PORT and TASQD_PID; the log is
# $WORK/NAME.log.
start_tasqd() {
  local name=$1 log="$WORK/$1.log" arg
  shift
  local args=("$@") listen=(--listen 127.0.0.1:0) journal=(--journal "$WORK/$name.journal")
  for arg in "$@"; do
    case "$arg" in
      --listen | --listen=*) listen=() ;;
      --journal | --journal=*) journal=() ;;
    esac
  done
  start_bg "$log" "${args[@]}" "${listen[@]}" "${journal[@]}"
  TASQD_PID=$LAST_PID
  local port=""
  for _ in $(seq 1 300); do
    port=$(grep -oE '\[info\] listening on 127\.0\.0\.1:[0-9]+' "$log" 2>/dev/null |
      head -n 1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    kill -0 "$TASQD_PID" 2>/dev/null || fail "tasqd $name exited at start: $(cat "$log")"
    sleep 0.1
  done
  [ -n "$port" ] || fail "tasqd $name did not log its listening address within 30s"
  # shellcheck disable=SC2034  # read by the caller
  TASQD_PORT=$port
}

# reachable_by USER PATH: USER can read PATH (every directory above it lets
# USER through).
reachable_by() {
  setpriv --reuid "$1" --regid "$(id -g "$1")" --clear-groups test -r "$2"
}

# The port tasqd logged for its admin socket, from its log.
admin_port_of() {
  grep -oE 'admin port listening on 127\.0\.0\.1:[0-9]+' "$WORK/$1.log" | head -n 1 | sed 's/.*://'
}

# INFO field FIELD of the tasqd at 127.0.0.1:PORT.
info_field() {
  redis-cli -h 127.0.0.1 -p "$1" INFO | tr -d '\r' | sed -n "s/^$2://p"
}

# free_tcp_ports N: N distinct loopback ports nobody listens on right now,
# one a line (held all at once while chosen, so they differ).
free_tcp_ports() {
  "${PYTHON:-python3}" -c 'import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in held))' "$1"
}
PYTHON=$(command -v /usr/bin/python3 || command -v python3 || true)
