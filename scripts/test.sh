#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# README command 2 (and CI, through .ci/run): builds and runs the whole test suite.
#   1. installs missing Debian packages (scripts/deps.sh);
#   2. for each preset (default, clang, asan, tsan, mingw): configure, build, ctest (the
#      default preset also checks contract coverage: every status a public function
#      documents was provoked by some test), then the soak test (ctest label `soak`) in
#      the presets that carry it (see soak_env);
#   3. the fuzzers (scripts/fuzz.sh: each libFuzzer target for FUZZ_SECONDS, default 60);
#   4. prints a summary; the last line reads "N passed, N failed" (preset runs + fuzz).
# Exits non-zero if any preset fails. A failing preset does not stop the others.
#
#   WSKPORT_FUZZ=0              skip step 3
#   WSKPORT_PRESETS="default"   run a subset (space-separated preset names)
#   WSKPORT_JOBS=N              parallel build jobs (default 2)
#
# Sanitizer presets: with more than 28 bits of mmap randomisation (vm.mmap_rnd_bits, 32 on
# some recent kernels), GCC 12's and Clang 14's ThreadSanitizer abort with "unexpected
# memory mapping" and AddressSanitizer crashes at random. Before a sanitizer preset's
# tests, the script builds a tiny probe with the preset's compiler and flags. If the
# kernel's randomisation is above 28 bits, or the probe fails, the tests run under
# `setarch -R` (ASLR off for ctest and its children); if that is refused (some containers
# forbid it) and the script runs as root under CI=true, vm.mmap_rnd_bits is lowered to 28
# for the run and restored at exit. Otherwise the preset fails and says why.
#
# The mingw preset cross-builds the Windows backend with MinGW-w64 and ctest runs its test
# binaries under Wine (cmake/wine-run.sh, a Wine prefix in build/mingw/wineprefix). After
# its tests, and at exit, the script waits for that prefix's wineserver to end (bounded,
# then killed), so that no Wine process outlives the script.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root" || exit 1

read -r -a presets <<<"${WSKPORT_PRESETS:-default clang asan tsan mingw}"
if [[ ${#presets[@]} -eq 0 ]]; then
  echo "test.sh: WSKPORT_PRESETS is empty" >&2
  exit 2
fi
jobs="${WSKPORT_JOBS:-2}"

say() { printf '\n==== %s\n' "$*"; }

say "dependencies"
if ! bash scripts/deps.sh; then
  echo "test.sh: installing dependencies failed" >&2
  echo "0 passed, ${#presets[@]} failed"
  exit 1
fi

# --- sanitizer runtime probe --------------------------------------------------------
rnd_bits_file=/proc/sys/vm/mmap_rnd_bits
restore_rnd_bits=""
restore_sysctl() {
  if [[ -n "$restore_rnd_bits" ]]; then
    echo "$restore_rnd_bits" >"$rnd_bits_file" 2>/dev/null &&
      echo "test.sh: restored vm.mmap_rnd_bits=$restore_rnd_bits"
    restore_rnd_bits=""
  fi
}
# --- Wine (the mingw preset) ----------------------------------------------------------
wineserver_bin() {
  if [[ -x /usr/lib/wine/wineserver ]]; then
    echo /usr/lib/wine/wineserver  # Debian's wine64 package (no wineserver on PATH)
  elif command -v wineserver >/dev/null 2>&1; then
    command -v wineserver
  fi
}

# Waits (at most 60 s) for the wineserver of <build dir>'s Wine prefix to end, then kills
# it if it is still there. Nothing to do when the build has no prefix.
stop_wine() {  # stop_wine <build dir>
  local prefix="$1/wineprefix" server
  [[ -d "$prefix" ]] || return 0
  server="$(wineserver_bin)"
  [[ -n "$server" ]] || return 0
  prefix="$(cd "$prefix" && pwd)"
  if ! WINEPREFIX="$prefix" timeout 60 "$server" -w; then
    echo "test.sh: the wineserver of $prefix did not end within 60 s; killing it" >&2
    WINEPREFIX="$prefix" "$server" -k 2>/dev/null || true
  fi
}

cleanup() {
  restore_sysctl
  for p in "${presets[@]}"; do stop_wine "build/$p"; done
}

trap cleanup EXIT
trap 'exit 130' INT TERM

cache_value() {  # cache_value <build dir> <variable>
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt" 2>/dev/null | head -n 1
}

# Sets the global array `runner` to the command prefix under which sanitized test
# binaries of <build dir> work: empty, or setarch -R. Returns non-zero if none works.
runner=()
choose_runner() {
  local build="$1" cxx flags probe_dir probe
  runner=()
  flags="$(cache_value "$build" CMAKE_CXX_FLAGS)"
  [[ "$flags" == *-fsanitize=* ]] || return 0
  cxx="$(cache_value "$build" CMAKE_CXX_COMPILER)"
  probe_dir="$build/sanitizer-probe"
  probe="$probe_dir/probe"
  mkdir -p "$probe_dir"
  cat >"$probe_dir/probe.cpp" <<'EOF'
#include <cstdio>
#include <mutex>
#include <thread>
int main() {
  std::mutex m;
  int n = 0;
  std::thread t([&] { std::lock_guard<std::mutex> g(m); ++n; });
  { std::lock_guard<std::mutex> g(m); ++n; }
  t.join();
  std::printf("probe ok %d\n", n);
  return n == 2 ? 0 : 1;
}
EOF
  # shellcheck disable=SC2086 # the flags are a word list
  if ! "$cxx" -std=c++20 $flags -pthread "$probe_dir/probe.cpp" -o "$probe" \
       >"$probe_dir/build.log" 2>&1; then
    echo "test.sh: cannot build the sanitizer probe with $cxx $flags:" >&2
    cat "$probe_dir/build.log" >&2
    return 1
  fi
  # With more than 28 bits of mmap randomisation, ASan and TSan fail often but not always
  # (a probe can pass by luck), so there the workaround is used even if the probe passes.
  local bits arch out
  bits="$(cat "$rnd_bits_file" 2>/dev/null || echo 0)"
  arch="$(uname -m)"
  if [[ "$bits" -le 28 ]]; then
    if out="$("$probe" 2>&1)"; then
      echo "sanitizer probe: runs directly (vm.mmap_rnd_bits=$bits)"
      return 0
    fi
    echo "sanitizer probe failed when run directly (vm.mmap_rnd_bits=$bits):"
    printf '%s\n' "$out" | head -n 5
  else
    echo "vm.mmap_rnd_bits=$bits is above 28: sanitizer runtimes need ASLR reduced"
  fi
  if command -v setarch >/dev/null 2>&1 && setarch "$arch" -R "$probe" >/dev/null 2>&1; then
    echo "sanitizer probe: runs under 'setarch $arch -R'; the tests will too"
    runner=(setarch "$arch" -R)
    return 0
  fi
  if [[ "${CI:-}" == "true" && "$(id -u)" -eq 0 && -w "$rnd_bits_file" && "$bits" -gt 28 ]]; then
    if echo 28 >"$rnd_bits_file" 2>/dev/null; then
      [[ -z "$restore_rnd_bits" ]] && restore_rnd_bits="$bits"
      if "$probe" >/dev/null 2>&1; then
        echo "sanitizer probe: runs with vm.mmap_rnd_bits=28 (was $bits; restored at exit)"
        return 0
      fi
    fi
  fi
  if [[ "$bits" -gt 28 ]] && "$probe" >/dev/null 2>&1; then
    echo "test.sh: warning: setarch -R is not permitted here; running directly with" \
      "vm.mmap_rnd_bits=$bits, which may make sanitized tests fail at random" >&2
    return 0
  fi
  echo "test.sh: the sanitizer runtime does not work on this machine; try" \
    "'sudo sysctl vm.mmap_rnd_bits=28'" >&2
  return 1
}

# --- the soak test ---------------------------------------------------------------------
# Sets the global array `soak` to the environment for <preset>'s soak run; returns
# non-zero if the preset runs no soak. The default preset runs the full counts (100,000
# open/echo/close cycles, 10,000 close-while-pending races; ~20 s here); ASan and TSan
# run a tenth and a twentieth (their instrumentation makes each cycle 5-20 times
# slower), Wine a fiftieth (a Winsock cycle costs ~6 ms under Wine). clang repeats the
# default preset's code and skips it.
soak=()
soak_env() {
  case "$1" in
    default) soak=() ;;
    asan) soak=(WSKPORT_SOAK_CYCLES=10000 WSKPORT_SOAK_RACES=1000 WSKPORT_SOAK_TEARDOWN_ROUNDS=100
                WSKPORT_SOAK_DEFECT_ROUNDS=60
                "ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1"
                "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1") ;;
    tsan) soak=(WSKPORT_SOAK_CYCLES=5000 WSKPORT_SOAK_RACES=500 WSKPORT_SOAK_TEARDOWN_ROUNDS=50
                WSKPORT_SOAK_DEFECT_ROUNDS=30
                "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1") ;;
    mingw) soak=(WSKPORT_SOAK_CYCLES=2000 WSKPORT_SOAK_RACES=200 WSKPORT_SOAK_TEARDOWN_ROUNDS=20
                 WSKPORT_SOAK_DEFECT_ROUNDS=20
                 WINEDEBUG=-all) ;;
    *) return 1 ;;
  esac
  return 0
}

# --- the preset runs -------------------------------------------------------------------
declare -a summary=()
passed=0
failed=0

for preset in "${presets[@]}"; do
  start=$SECONDS
  step=""
  build="build/$preset"
  say "preset $preset: configure"
  if ! cmake --preset "$preset"; then
    step="configure"
  else
    say "preset $preset: build"
    if ! cmake --build --preset "$preset" -j "$jobs"; then
      step="build"
    elif ! choose_runner "$build"; then
      step="sanitizer runtime"
    else
      say "preset $preset: test${runner[*]:+ (under ${runner[*]})}"
      # The default preset's run also records which documented statuses the suites
      # provoked (docs/reliability.md, "The completion contract"), then checks that each
      # one was.
      contract_env=()
      if [[ "$preset" == default ]]; then
        rm -f "$repo_root/$build/contract-coverage.log"
        contract_env=(WSKPORT_CONTRACT_LOG="$repo_root/$build/contract-coverage.log")
      fi
      if ! "${runner[@]}" env "${contract_env[@]}" ctest --preset "$preset"; then
        step="test"
      elif [[ "$preset" == default ]] &&
           ! WSKPORT_CONTRACT_CHECK="$repo_root/$build/contract-coverage.log" \
             WSKPORT_CONTRACT_TABLE="$repo_root/$build/contract-coverage.md" \
             "$build/tests/unit/wskport_unit_tests" --gtest_filter='ContractCoverage.*'; then
        step="contract coverage"
      elif soak_env "$preset"; then
        say "preset $preset: soak (${soak[*]:-full counts})"
        if ! "${runner[@]}" env "${soak[@]}" ctest --test-dir "$build" -L soak \
             --output-on-failure --no-tests=error; then
          step="soak"
        fi
      fi
      stop_wine "$build"
    fi
  fi
  elapsed=$((SECONDS - start))
  if [[ -z "$step" ]]; then
    passed=$((passed + 1))
    summary+=("$(printf '  %-10s passed  (%ds)' "$preset" "$elapsed")")
  else
    failed=$((failed + 1))
    summary+=("$(printf '  %-10s FAILED  at %s (%ds)' "$preset" "$step" "$elapsed")")
  fi
done

restore_sysctl

# --- the fuzzers -------------------------------------------------------------------------
if [[ "${WSKPORT_FUZZ:-1}" != "0" ]]; then
  start=$SECONDS
  say "fuzz: scripts/fuzz.sh (FUZZ_SECONDS=${FUZZ_SECONDS:-60} per target)"
  if WSKPORT_SKIP_DEPS=1 bash scripts/fuzz.sh; then
    passed=$((passed + 1))
    summary+=("$(printf '  %-10s passed  (%ds)' fuzz $((SECONDS - start)))")
  else
    failed=$((failed + 1))
    summary+=("$(printf '  %-10s FAILED  (%ds)' fuzz $((SECONDS - start)))")
  fi
fi

say "summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
