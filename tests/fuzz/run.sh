#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, each on a scratch copy of
# its seed corpus (the committed corpus is never written to). A target is a
# directory corpus/NAME/ and the binary BUILD_DIR/tests/fuzz/NAME_fuzz, whose
# extra libFuzzer flags (e.g. -max_len) are in NAME_fuzz.args beside it.
#
# SECONDS is the budget for the whole run: the targets run JOBS at a time
# (TASQ_FUZZ_JOBS, default 2, the cores CI has), each for
# SECONDS / ceil(targets / JOBS), at least 5 s. Exits non-zero when any
# target finds a crash, a leak or a failed check, or has no binary; the
# reproducer and the log are left in the scratch directory, whose path is
# printed.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [NAME...]
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS [NAME...]" >&2
  exit 2
fi
build_dir=$1
seconds=$2
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=${TASQ_FUZZ_JOBS:-2}

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for dir in "$here"/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
for name in "${targets[@]}"; do
  if [[ ! -d $here/corpus/$name ]]; then
    echo "$0: no seed corpus $here/corpus/$name" >&2
    exit 2
  fi
  if [[ ! -x $build_dir/tests/fuzz/${name}_fuzz ]]; then
    echo "$0: $build_dir/tests/fuzz/${name}_fuzz not found; build the fuzzers with" \
      "-DTASQ_FUZZ=ON and clang (target: fuzzers)" >&2
    exit 2
  fi
done
rounds=$(((${#targets[@]} + jobs - 1) / jobs))
each=$((seconds / rounds))
((each < 5)) && each=5

work=$(mktemp -d "${TMPDIR:-/tmp}/tasq-fuzz.XXXXXX")
echo "fuzzing ${#targets[@]} target(s), $jobs at a time, ${each}s each, in $work"

# fuzz NAME: one target's run, its exit status in WORK/NAME/status.
fuzz() {
  local name=$1 dir=$work/$1 args=()
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$here/corpus/$name"/* "$dir/corpus/"
  local args_file=$build_dir/tests/fuzz/${name}_fuzz.args
  [[ -f $args_file ]] && mapfile -t args < <(grep -v '^$' "$args_file")
  local status=0
  "$build_dir/tests/fuzz/${name}_fuzz" "$dir/corpus" \
    -max_total_time="$each" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" \
    "${args[@]}" \
    >"$dir/fuzz.log" 2>&1 || status=$?
  echo "$status" >"$dir/status"
}

running=0
for name in "${targets[@]}"; do
  fuzz "$name" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=0
for name in "${targets[@]}"; do
  dir=$work/$name
  status=$(cat "$dir/status" 2>/dev/null || echo 1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
  corpus=$(find "$dir/corpus" -type f | wc -l)
  if [[ $status -ne 0 ]] || compgen -G "$dir/artifacts/*" >/dev/null; then
    echo "== $name: FAILED (exit $status); log and reproducer in $dir" >&2
    tail -n 30 "$dir/fuzz.log" >&2
    ls -l "$dir/artifacts" >&2 || true
    failed=1
  else
    echo "== $name: ${runs:-?} runs in ${each}s, corpus $(ls "$here/corpus/$name" | wc -l) seeds -> $corpus inputs"
  fi
done
if ((failed)); then
  echo "$0: a fuzzer failed; everything is kept in $work" >&2
  exit 1
fi
rm -rf "$work"
echo "$0: no failure in ${#targets[@]} target(s), ${seconds}s budget"
