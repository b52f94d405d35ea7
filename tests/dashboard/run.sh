#!/usr/bin/env bash
# The dashboard's browser test, for ctest:
#   run.sh setup DIR         npm ci in DIR (package.json and package-lock.json
#                            are there), once per lockfile
#   run.sh test DIR TASQD    node DIR/dashboard_test.mjs against TASQD; the
#                            screenshot is DIR/dashboard.png
# Outside CI a missing node, npm or chromium skips (77); in CI it fails.
set -euo pipefail
readonly SKIP=77
mode=$1 dir=$2

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ -n "${CI:-}" ]; then
    echo "dashboard: $1 is not installed" >&2
    exit 1
  fi
  echo "SKIP: $1 is not installed" >&2
  exit "$SKIP"
}

case $mode in
  setup)
    need node
    need npm
    cd "$dir"
    stamp=node_modules/.lock-sha256
    want=$(sha256sum package-lock.json | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
      # --ignore-scripts: no install script may fetch a browser of its own.
      npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
      echo "$want" >"$stamp"
    fi
    node -e 'import("playwright-core").then(() => console.log("playwright-core ready"))'
    ;;
  test)
    need node
    need "${CHROMIUM:-chromium}"
    tasqd=$3
    [ -d "$dir/node_modules/playwright-core" ] || { echo "run.sh setup first" >&2; exit 1; }
    work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-dashboard.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    CHROMIUM=$(command -v "${CHROMIUM:-chromium}") node "$dir/dashboard_test.mjs" "$tasqd" "$work" \
      "$dir/dashboard.png"
    ;;
  *)
    echo "usage: $0 setup DIR | test DIR TASQD" >&2
    exit 2
    ;;
esac
