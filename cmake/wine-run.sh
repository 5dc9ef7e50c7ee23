#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a Windows program under Wine, quietly, for ctest (CMAKE_CROSSCOMPILING_EMULATOR of
# cmake/toolchain-mingw-w64.cmake):
#   wine-run.sh <wine prefix> <program.exe> [arguments...]
# The prefix (a directory in the build tree) is created on first use, so a fresh clone
# needs nothing but the wine64 package. Exits with the program's exit status.
#   WSKPORT_WINE=<loader>   the Wine loader to use (default: Debian's
#                           /usr/lib/wine/wine64, else wine64 or wine on PATH)
# Wine keeps a wineserver running for a few seconds after the last program ends; stop it
# with `WINEPREFIX=<prefix> wineserver -w` (scripts/test.sh does).
set -eu

if [ "$#" -lt 2 ]; then
  echo "usage: wine-run.sh <wine prefix> <program.exe> [arguments...]" >&2
  exit 2
fi
prefix=$1
shift

wine=${WSKPORT_WINE:-}
if [ -z "$wine" ]; then
  if [ -x /usr/lib/wine/wine64 ]; then
    wine=/usr/lib/wine/wine64
  elif command -v wine64 >/dev/null 2>&1; then
    wine=$(command -v wine64)
  elif command -v wine >/dev/null 2>&1; then
    wine=$(command -v wine)
  else
    echo "wine-run.sh: no Wine found (Debian: apt-get install wine64)" >&2
    exit 127
  fi
fi

mkdir -p "$prefix"
WINEPREFIX=$(cd "$prefix" && pwd)
# Quiet: no debug channels, no Mono or Gecko installers, no windows (crash dialogs).
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY

# wineboot returns before the wineserver writes the registry out, so a marker of our
# own says the prefix is ready.
ready="$WINEPREFIX/.wskport-ready"
if [ ! -f "$ready" ]; then
  # First use: create the prefix, once even when several tests start together.
  (
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if [ ! -f "$ready" ] && "$wine" wineboot --init >/dev/null 2>&1; then
      : >"$ready"
    fi
  ) 9>"$WINEPREFIX/.init.lock"
  if [ ! -f "$ready" ]; then
    echo "wine-run.sh: could not initialise the Wine prefix $WINEPREFIX" >&2
    exit 127
  fi
fi

exec "$wine" "$@"
