#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (the `fuzz` preset: Clang 14, -fsanitize=fuzzer,address,
# undefined) and runs each for a bounded time, starting from its checked-in corpus
# (tests/fuzz/corpus/<target>/). New inputs go to a scratch directory, never into the
# checked-in corpus. Fails on any crash, sanitizer report, leak, broken invariant or
# per-input timeout, and prints a summary: runs, exec/s, coverage (cov: edges, ft:
# features) and corpus size per target. See docs/fuzzing.md.
#
#   FUZZ_SECONDS=60        run time per target
#   FUZZ_TARGETS="..."     a subset (default: every target the build has)
#   FUZZ_PARALLEL=2        targets run at once (default 2: CI has two cores)
#   FUZZ_TIMEOUT=25        seconds one input may take before it counts as a hang
#   FUZZ_BUILD_DIR=dir     build tree (default build/fuzz)
#   FUZZ_WORK_DIR=dir      scratch: new corpus entries, crash files, logs
#                          (default <build>/fuzz-work, emptied first)
#   WSKPORT_SKIP_DEPS=1    do not check Debian packages (scripts/deps.sh)
#
# A crash leaves its input in <work>/<target>/crash-* (or leak-*, timeout-*); replay
# it with `<build>/tests/fuzz/fuzz_<target> <file>`.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root" || exit 1

seconds="${FUZZ_SECONDS:-60}"
parallel="${FUZZ_PARALLEL:-2}"
input_timeout="${FUZZ_TIMEOUT:-25}"
build="${FUZZ_BUILD_DIR:-build/fuzz}"
work="${FUZZ_WORK_DIR:-$build/fuzz-work}"
jobs="${WSKPORT_JOBS:-2}"

say() { printf '\n==== %s\n' "$*"; }

if [[ ! "$seconds" =~ ^[0-9]+$ || "$seconds" -lt 1 ]]; then
  echo "fuzz.sh: FUZZ_SECONDS must be a positive integer" >&2
  exit 2
fi

say "dependencies"
bash scripts/deps.sh || { echo "fuzz.sh: installing dependencies failed" >&2; exit 1; }

say "configure and build (preset fuzz, $build)"
mkdir -p "$build"
if ! cmake --preset fuzz -B "$build" >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2
  echo "fuzz.sh: configure failed" >&2
  exit 1
fi
read -r -a all_targets <<<"$(sed -n 's/^ *wskport_fuzz_target(\([a-z_]*\).*/\1/p' tests/fuzz/CMakeLists.txt |
  awk '!seen[$0]++' | tr '\n' ' ')"
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no targets" >&2
  exit 2
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
if ! cmake --build "$build" -j "$jobs" --target "${build_targets[@]}"; then
  echo "fuzz.sh: build failed" >&2
  exit 1
fi

# Sanitizer runtimes of Clang 14 abort with "unexpected memory mapping" when the kernel
# randomises mmap with more than 28 bits; ASLR off for the fuzzers avoids that.
runner=()
arch="$(uname -m)"
bits="$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)"
if [[ "$bits" -gt 28 ]] && command -v setarch >/dev/null 2>&1 && setarch "$arch" -R true 2>/dev/null; then
  runner=(setarch "$arch" -R)
  echo "fuzz.sh: vm.mmap_rnd_bits=$bits: fuzzers run under 'setarch $arch -R'"
fi

rm -rf "$work"
mkdir -p "$work"

# Longest input each target reads meaningfully.
max_len() {
  case "$1" in
    status) echo 64 ;;
    address) echo 256 ;;
    sequence) echo 512 ;;
    mdl) echo 64 ;;
    *) echo 1024 ;;
  esac
}

run_one() {  # run_one <target>
  local t="$1" dir="$work/$1" bin="$build/tests/fuzz/fuzz_$1" args=()
  mkdir -p "$dir/corpus"
  args=(-max_total_time="$seconds" -timeout="$input_timeout" -rss_limit_mb=2560
        -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$dir/")
  [[ -f tests/fuzz/$t.dict ]] && args+=(-dict="tests/fuzz/$t.dict")
  # The scratch directory comes first: libFuzzer writes new inputs to the first one
  # and only reads the checked-in corpus.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}" \
    timeout --kill-after=10 $((seconds + 120)) \
    "${runner[@]}" "$bin" "${args[@]}" "$dir/corpus" "tests/fuzz/corpus/$t" >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

say "fuzzing ${targets[*]}: ${seconds} s each, $parallel at a time"
running=0
for t in "${targets[@]}"; do
  if [[ ! -d tests/fuzz/corpus/$t ]]; then
    echo "fuzz.sh: no corpus tests/fuzz/corpus/$t" >&2
    exit 2
  fi
  run_one "$t" &
  running=$((running + 1))
  if [[ $running -ge $parallel ]]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

say "summary"
failed=0
printf '%-10s %-6s %10s %8s %8s %8s %10s\n' target result runs exec/s cov ft corpus
for t in "${targets[@]}"; do
  dir="$work/$t"
  rc="$(cat "$dir/rc" 2>/dev/null || echo 1)"
  # The last status line ("#N DONE cov: .. ft: .. corp: n/size ..") has the totals.
  line="$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$dir/log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")"
  corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$line")"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")"
  result=ok
  if [[ "$rc" != 0 ]]; then
    result=FAILED
    failed=$((failed + 1))
  fi
  printf '%-10s %-6s %10s %8s %8s %8s %10s\n' "$t" "$result" "${runs:--}" "${speed:--}" \
    "${cov:--}" "${ft:--}" "${corp:--}"
done
for t in "${targets[@]}"; do
  dir="$work/$t"
  [[ "$(cat "$dir/rc" 2>/dev/null || echo 1)" == 0 ]] && continue
  say "$t failed (exit $(cat "$dir/rc" 2>/dev/null)); log: $dir/log"
  grep -E -A12 'fuzz check failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' \
    "$dir/log" | head -n 60
  ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null
done
echo
echo "fuzz: $(( ${#targets[@]} - failed )) passed, $failed failed (${seconds} s per target)"
[[ $failed -eq 0 ]]
