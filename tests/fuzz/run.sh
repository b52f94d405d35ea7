#!/usr/bin/env bash
# Runs one fuzzer for a bounded time on a scratch copy of its seed corpus
# (the committed corpus is never written to): NAME is `resp` (the RESP
# parser, the default) or `pipe_frame` (the worker protocol's frame reader);
# the binary is BUILD_DIR/tests/fuzz/NAME_fuzz and the seeds corpus/NAME/.
# Exits non-zero when the fuzzer finds a crash, a leak or a failed check; the
# reproducer is left in the scratch directory, whose path is printed.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [NAME]
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS [resp|pipe_frame]" >&2
  exit 2
fi
build_dir=$1
seconds=$2
name=${3:-resp}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fuzzer=$build_dir/tests/fuzz/${name}_fuzz
if [[ ! -d $here/corpus/$name ]]; then
  echo "$0: no seed corpus $here/corpus/$name" >&2
  exit 2
fi
if [[ ! -x $fuzzer ]]; then
  echo "$0: $fuzzer not found; build it with -DTASQ_FUZZ=ON and clang" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-fuzz.XXXXXX")
mkdir -p "$work/corpus" "$work/artifacts"
cp "$here/corpus/$name"/* "$work/corpus/"
echo "fuzzing $name for ${seconds}s in $work"

status=0
"$fuzzer" "$work/corpus" \
  -max_total_time="$seconds" \
  -max_len=8192 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" \
  >"$work/fuzz.log" 2>&1 || status=$?

tail -n 20 "$work/fuzz.log"
if [[ $status -ne 0 ]] || compgen -G "$work/artifacts/*" >/dev/null; then
  echo "$0: the fuzzer failed (exit $status); log and reproducer in $work" >&2
  ls -l "$work/artifacts" >&2 || true
  exit 1
fi
rm -rf "$work"
echo "$0: no failure in ${seconds}s"
