#!/usr/bin/env bash
# The project's two entry points, each self-contained on a fresh Debian 12:
#   ./tasq.sh run [tasqd options...]  install what is missing, build, start tasqd
#   ./tasq.sh test                    install what is missing, build, run every test
# `test` builds twice (plain, and ASan+UBSan) and runs every fuzzer, one at
# a time, for a bounded time (TASQ_FUZZ_SECONDS in all, 150 by default: 30 s
# for each of the five); it stops at the first failure with a non-zero exit
# code, and prints how long each stage took.
set -euo pipefail
cd "$(dirname "$0")"

# Debian's packages only; the Dockerfile's build stage and CI use this list.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-program-options-dev libhiredis-dev libbsd-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev nlohmann-json3-dev libisal-dev libssl-dev
  libsystemd-dev libabsl-dev
  redis-tools redis-server php-cli php-redis python3 python3-redis
  clang libclang-rt-14-dev
  nutcracker docker-compose systemd procps tzdata valgrind strace
  gnuplot-nox
  prometheus chromium
)
# The results tests' node client installs node-redis from the npm registry
# with npm; a machine with a Node.js that brings its own npm needs neither.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${TASQ_FUZZ_SECONDS:-150}

log() { printf '\n==> %s\n' "$*"; }

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  log "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

# build DIR [cmake options...] [-- targets...]
build() {
  local dir=$1 options=() targets=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do options+=("$1"); shift; done
  [ $# -gt 0 ] && shift && targets=(--target "$@")
  log "building in $dir"
  cmake -S . -B "$dir" -G Ninja -DTASQ_WERROR=ON "${options[@]}"
  cmake --build "$dir" -j "$JOBS" "${targets[@]}"
}

# Most tests wait on real processes (tasqd, workers, clients) far more than
# they compute, so ctest runs several per core; the few that keep cores busy
# take the "cpu" resource lock and run one at a time (tests/CMakeLists.txt).
run_tests() {
  local dir=$1
  log "testing $dir"
  ctest --test-dir "$dir" --output-on-failure --timeout 300 -j "$((JOBS * 4))"
}

build_asan_and_fuzzer() {
  build build-asan -DCMAKE_BUILD_TYPE=Debug -DTASQ_TESTS=ON -DTASQ_SANITIZE=ON -DTASQ_UNITY=ON
  CC=clang CXX=clang++ build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=OFF \
    -DTASQ_FUZZ=ON -- fuzzers
}

# Every target (tests/fuzz/corpus/*), one at a time so that fuzzing keeps one
# core busy, each for an equal share of FUZZ_SECONDS.
fuzz() {
  log "fuzzing every target for ${FUZZ_SECONDS}s in all, one at a time"
  TASQ_FUZZ_JOBS=1 tests/fuzz/run.sh build-fuzz "$FUZZ_SECONDS"
}

# The wall time of each stage, printed as it ends and together at the end
# (also after a failure, naming the stage that failed).
TIMES=()
STAGE=""
START=$SECONDS

# timed NAME COMMAND [ARG...]: runs COMMAND as the stage NAME.
timed() {
  local name=$1 start=$SECONDS
  shift
  STAGE=$name
  "$@"
  TIMES+=("$(printf '  %-40s %5ds' "$name" $((SECONDS - start)))")
  log "$name: $((SECONDS - start))s"
  STAGE=""
}

# in_background low|same NAME COMMAND [ARG...]: runs the stage NAME beside
# the next foreground one, at the lowest CPU priority or at the script's own,
# its output kept in a log that is shown when it fails; await collects it.
in_background() {
  local priority=$1
  BG_NAME=$2 BG_LOG=$(mktemp "${TMPDIR:-/tmp}/tasq-stage.XXXXXX")
  shift 2
  log "$BG_NAME: started in the background (log: $BG_LOG)"
  (
    [ "$priority" = same ] || renice -n 19 "$BASHPID" >/dev/null
    start=$SECONDS
    "$@"
    echo $((SECONDS - start)) >"$BG_LOG.seconds"
  ) >"$BG_LOG" 2>&1 &
  BG_PID=$!
}

await() {
  STAGE="$BG_NAME (background)"
  if ! wait "$BG_PID"; then
    cat "$BG_LOG" >&2
    return 1
  fi
  TIMES+=("$(printf '  %-40s %5ds' "$BG_NAME (background)" "$(cat "$BG_LOG.seconds")")")
  log "$BG_NAME (background): $(cat "$BG_LOG.seconds")s"
  rm -f "$BG_LOG" "$BG_LOG.seconds"
  BG_PID="" STAGE=""
}

# kill_tree PID: PID and everything it started (a background stage's ninja
# and compilers, or ctest and its tests).
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1"); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

summary() {
  local status=$?
  [ -n "${BG_PID:-}" ] && kill_tree "$BG_PID"
  # `times` in this shell, not in a $(...) subshell, which has no children.
  local times_file cpu
  times_file=$(mktemp)
  times >"$times_file"
  cpu=$(tail -n 1 "$times_file" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%d", n }')
  rm -f "$times_file"
  printf '\n==> stage times (wall)\n'
  printf '%s\n' "${TIMES[@]}"
  printf '  %-40s %5ds (cpu %ss)\n' total $((SECONDS - START)) "$cpu"
  [ -n "$STAGE" ] && printf '==> failed in: %s\n' "$STAGE"
  exit "$status"
}

case "${1:-}" in
  run)
    shift
    install_packages
    build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=OFF -DTASQ_UNITY=ON
    log "starting tasqd (Ctrl-C stops it)"
    exec build/server/tasqd "$@"
    ;;
  test)
    install_packages
    trap summary EXIT
    # Unity builds: a clean build compiles each target's sources in a few
    # batches, so the Asio, spdlog and gtest templates are instantiated once a
    # batch rather than once a file.
    timed "plain build" build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=ON -DTASQ_UNITY=ON
    # While the plain tests wait on their processes, the sanitizer build and
    # the fuzzer's build (its targets only) use the idle CPU, at the lowest
    # priority so that the tests are not slowed.
    in_background low "asan build, fuzz build" build_asan_and_fuzzer
    timed "plain tests" run_tests build
    await
    # The fuzzer keeps one core busy for its time, as it did alone, while the
    # ASan tests, which mostly wait too, run beside it.
    in_background same "fuzz ${FUZZ_SECONDS}s" fuzz
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      timed "asan tests" run_tests build-asan
    await
    log "all tests passed"
    ;;
  *)
    echo "usage: $0 run [tasqd options...] | $0 test" >&2
    exit 2
    ;;
esac
