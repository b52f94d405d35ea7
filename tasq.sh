#!/usr/bin/env bash
# The project's two entry points, each self-contained on a fresh Debian 12:
#   ./tasq.sh run [tasqd options...]  install what is missing, build, start tasqd
#   ./tasq.sh test                    install what is missing, build, run every test
# `test` builds twice (plain, and ASan+UBSan) and fuzzes the RESP parser for
# a bounded time; it stops at the first failure with a non-zero exit code.
set -euo pipefail
cd "$(dirname "$0")"

# Debian's packages only; the Dockerfile's build stage and CI use this list.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-program-options-dev libhiredis-dev libbsd-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev nlohmann-json3-dev libisal-dev libsystemd-dev
  redis-tools redis-server php-cli php-redis python3 python3-redis
  clang libclang-rt-14-dev
  nutcracker docker-compose systemd procps tzdata
  gnuplot-nox
  prometheus chromium
)
# The results tests' node client installs node-redis from the npm registry
# with npm; a machine with a Node.js that brings its own npm needs neither.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${TASQ_FUZZ_SECONDS:-60}

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

# build DIR [cmake options...]
build() {
  local dir=$1
  shift
  log "building in $dir"
  cmake -S . -B "$dir" -G Ninja -DTASQ_WERROR=ON "$@"
  cmake --build "$dir" -j "$JOBS"
}

run_tests() {
  local dir=$1
  log "testing $dir"
  ctest --test-dir "$dir" --output-on-failure --timeout 300 -j "$JOBS"
}

case "${1:-}" in
  run)
    shift
    install_packages
    build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=OFF
    log "starting tasqd (Ctrl-C stops it)"
    exec build/server/tasqd "$@"
    ;;
  test)
    install_packages
    build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=ON
    run_tests build
    build build-asan -DCMAKE_BUILD_TYPE=Debug -DTASQ_TESTS=ON -DTASQ_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_tests build-asan
    CC=clang CXX=clang++ build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=OFF \
      -DTASQ_FUZZ=ON
    log "fuzzing the RESP parser for ${FUZZ_SECONDS}s"
    tests/fuzz/run.sh build-fuzz "$FUZZ_SECONDS"
    log "all tests passed"
    ;;
  *)
    echo "usage: $0 run [tasqd options...] | $0 test" >&2
    exit 2
    ;;
esac
