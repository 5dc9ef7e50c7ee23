#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The kernel-style echo driver demo: samples/km_echo/km_echo.c, a WSK echo server written
# as a Windows driver, run as a process by the driver host (wskport::km_host).
#   1. configures the `default` preset and builds the driver and the echo client;
#   2. starts the driver; its port comes from the registry-path argument
#      ...\Services\km_echo\Parameters\Port=<n>, built here from WSKPORT_ECHO_PORT
#      (default 0: any free port), and the driver prints PORT=<n> (DbgPrint, stderr);
#   3. runs the user-mode echo client (4 connections) against it;
#   4. stops the driver with SIGTERM (the host calls DriverUnload) and checks it exits 0.
# Exits non-zero if any step fails. Every wait is bounded.
#
#   WSKPORT_ECHO_PORT=N   port for the driver (default 0)
#   WSKPORT_BUILD_DIR=D   build tree to use (default build/default, the default preset)
#   WSKPORT_JOBS=N        parallel build jobs (default 2)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

preset=default
build_dir="${WSKPORT_BUILD_DIR:-build/$preset}"
driver="$build_dir/samples/km_echo/wskport_km_echo"
client="$build_dir/samples/wskport_echo_client"
port_arg="${WSKPORT_ECHO_PORT:-0}"
port_wait_s=10
client_timeout_s=60
stop_wait_s=10

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'km_echo.sh: error: %s\n' "$*" >&2; exit 1; }

[[ "$port_arg" =~ ^[0-9]+$ ]] && ((port_arg <= 65535)) || fail "WSKPORT_ECHO_PORT must be 0-65535"

say "configure and build ($build_dir)"
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake --preset "$preset" -B "$build_dir"
fi
cmake --build "$build_dir" -j "${WSKPORT_JOBS:-2}" --target wskport_km_echo wskport_echo_client
[[ -x "$driver" ]] || fail "$driver was not built"
[[ -x "$client" ]] || fail "$client was not built"

work="$(mktemp -d "${TMPDIR:-/tmp}/wskport-km-echo.XXXXXX")"
out="$work/driver.out"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

registry_path="\\Registry\\Machine\\System\\CurrentControlSet\\Services\\km_echo\\Parameters\\Port=$port_arg"
say "start the driver: $driver '$registry_path'"
: >"$out"
"$driver" "$registry_path" >"$out" 2>&1 &
pid=$!

port=""
deadline=$((SECONDS + port_wait_s))
while [[ -z "$port" ]]; do
  port="$(sed -n 's/^PORT=\([0-9][0-9]*\)\r\{0,1\}$/\1/p' "$out" | head -n 1 || true)"
  [[ -n "$port" ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    rc=0
    wait "$pid" || rc=$?
    pid=""
    sed 's/^/[driver] /' "$out"
    fail "the driver exited (status $rc) before printing PORT="
  fi
  ((SECONDS < deadline)) || { sed 's/^/[driver] /' "$out"; fail "no PORT= line within ${port_wait_s} s"; }
  sleep 0.1
done
echo "driver listening on port $port (pid $pid)"

say "run the echo client: $client --port $port --connections 4"
client_rc=0
timeout --kill-after=5 "$client_timeout_s" "$client" --port "$port" --connections 4 || client_rc=$?

say "stop the driver (SIGTERM: DriverUnload)"
driver_rc=0
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + stop_wait_s))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "km_echo.sh: no exit within ${stop_wait_s} s of SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  driver_rc=124
else
  wait "$pid" || driver_rc=$?
fi
pid=""
sed 's/^/[driver] /' "$out"
echo "driver exit status: $driver_rc"

say "result"
((client_rc == 0)) || fail "the client failed (exit status $client_rc)"
((driver_rc == 0)) || fail "the driver did not stop cleanly (exit status $driver_rc)"
grep -q '^km_echo: unloaded' "$out" || fail "the driver did not report its unload"
echo "km_echo demo: OK (client and driver exited 0)"
