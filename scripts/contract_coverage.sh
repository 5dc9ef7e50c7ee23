#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Contract coverage (docs/reliability.md, "The completion contract"):
#
#   bash scripts/contract_coverage.sh [BUILD_DIR] [OUTPUT.md]
#       (defaults: build/default, build/<preset>/contract-coverage.md)
#
# Runs the preset's test suites (all but soak) with WSKPORT_CONTRACT_LOG set: each test
# appends the (operation, status) pairs its completions produced, which the verifier's
# `contract` group (on in the suites' ctest environment) records. Then the unit test
# ContractCoverage.* reads the log (WSKPORT_CONTRACT_CHECK), writes the status -> function -> test table and
# fails if a documented status was provoked by no test. Uses an existing build.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/default}"
out="${2:-$build/contract-coverage.md}"
log="$build/contract-coverage.log"
unit="$build/tests/unit/wskport_unit_tests"
[[ -x "$unit" ]] || { echo "contract_coverage.sh: $unit not built" >&2; exit 2; }
rm -f "$log"
export WSKPORT_CONTRACT_LOG="$log"
run=(ctest --test-dir "$build" -LE soak --output-on-failure -j2)
# Sanitizer builds need ASLR off on kernels with 32 bits of mmap randomisation.
if [[ "$build" == *asan* || "$build" == *tsan* ]]; then run=(setarch "$(uname -m)" -R "${run[@]}"); fi
"${run[@]}" >"$build/contract-coverage-ctest.log" 2>&1 ||
  echo "contract_coverage.sh: some tests failed (see $build/contract-coverage-ctest.log)" >&2
unset WSKPORT_CONTRACT_LOG
WSKPORT_CONTRACT_CHECK="$log" WSKPORT_CONTRACT_TABLE="$out" "$unit" --gtest_filter='ContractCoverage.*'
status=$?
echo "contract_coverage.sh: table in $out"
exit $status
