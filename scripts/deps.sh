#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian/Ubuntu packages wskport needs to build and test, and only those
# that are missing: nothing runs apt-get when everything is already there. Idempotent.
# Runs as root directly, otherwise through sudo when sudo is available.
#
#   WSKPORT_SKIP_DEPS=1   skip this step entirely (dependencies provided another way)
set -euo pipefail

packages=(
  build-essential
  cmake
  ninja-build
  g++
  clang
  libclang-rt-14-dev  # Clang 14's sanitizer and libFuzzer runtimes (only "Recommended" by clang-14): the fuzz preset
  libboost-dev     # Boost.Asio (header-only), >= 1.74
  libmsgsl-dev     # Microsoft GSL
  libgtest-dev     # GoogleTest
  liburing-dev     # the io_uring engine (posix/io_uring/; skipped when absent)
  pkg-config       # finds liburing
  libbenchmark-dev # Google Benchmark (benchmarks)
  googletest       # GoogleTest sources (/usr/src/googletest), built for the MinGW preset
  g++-mingw-w64-x86-64-posix  # the `mingw` preset: Windows x64 cross compiler (posix threads)
  wine64           # the `mingw` preset runs its Windows test binaries under Wine
)

log() { printf 'deps: %s\n' "$*"; }

if [[ "${WSKPORT_SKIP_DEPS:-0}" == "1" ]]; then
  log "WSKPORT_SKIP_DEPS=1, not checking packages"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  log "no dpkg/apt-get here (not Debian or Ubuntu): install these yourself if missing:"
  log "  ${packages[*]}"
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#packages[@]} packages already installed"
  exit 0
fi

log "missing: ${missing[*]}"

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    log "error: not root and no sudo; as root, run:"
    log "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

# Wait for a concurrent apt/dpkg (unattended upgrades on a fresh VM) instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=300)

"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -ne 0 ]]; then
  log "error: still missing after apt-get install: ${still_missing[*]}"
  exit 1
fi
log "installed: ${missing[*]}"
