#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# README command 1: the echo demo, end to end over loopback.
#   1. installs missing Debian packages (scripts/deps.sh);
#   2. configures the `default` preset and builds the two echo samples;
#   3. starts the echo server on an ephemeral port (--port 0) and reads PORT=<n> from it;
#   4. runs the echo client against it, which prints addresses, bytes and statuses;
#   5. stops the server with SIGTERM and waits for it to exit.
# Exits non-zero if any step fails. Every wait is bounded.
#
#   WSKPORT_JOBS=N   parallel build jobs (default 2)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

preset=default
build_dir="build/$preset"
server="$build_dir/samples/wskport_echo_server"
client="$build_dir/samples/wskport_echo_client"
port_wait_s=10    # for the server's PORT= line
client_timeout_s=60
stop_wait_s=10    # for the server to exit after SIGTERM

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'echo.sh: error: %s\n' "$*" >&2; exit 1; }

say "dependencies"
bash scripts/deps.sh

say "configure and build ($preset preset)"
cmake --preset "$preset"
cmake --build --preset "$preset" -j "${WSKPORT_JOBS:-2}" \
  --target wskport_echo_server wskport_echo_client
[[ -x "$server" ]] || fail "$server was not built"
[[ -x "$client" ]] || fail "$client was not built"

work="$(mktemp -d "${TMPDIR:-/tmp}/wskport-echo.XXXXXX")"
server_out="$work/server.out"
server_pid=""

show_server_output() {
  if [[ -s "$server_out" ]]; then
    sed 's/^/[server] /' "$server_out"
  fi
}

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "start the echo server: $server --port 0"
# stdbuf: line-buffered stdout, so PORT= is readable as soon as it is printed.
linebuf=()
: >"$server_out"  # exists before the server (whose redirection runs asynchronously) starts
if command -v stdbuf >/dev/null 2>&1; then linebuf=(stdbuf -oL -eL); fi
"${linebuf[@]}" "$server" --port 0 >"$server_out" 2>&1 &
server_pid=$!

port=""
deadline=$((SECONDS + port_wait_s))
while [[ -z "$port" ]]; do
  port="$(sed -n 's/^PORT=\([0-9][0-9]*\)\r\{0,1\}$/\1/p' "$server_out" | head -n 1 || true)"
  [[ -n "$port" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    rc=0
    wait "$server_pid" || rc=$?
    server_pid=""
    show_server_output
    fail "the server exited (status $rc) before printing PORT="
  fi
  if ((SECONDS >= deadline)); then
    show_server_output
    fail "no PORT= line from the server within ${port_wait_s} s"
  fi
  sleep 0.1
done
echo "server listening on port $port (pid $server_pid)"

say "run the echo client: $client --port $port"
client_rc=0
timeout --kill-after=5 "$client_timeout_s" "$client" --port "$port" || client_rc=$?
if [[ $client_rc -eq 124 ]]; then
  echo "echo.sh: the client did not finish within ${client_timeout_s} s" >&2
fi

say "stop the echo server (SIGTERM)"
server_rc=0
kill -TERM "$server_pid" 2>/dev/null || true
deadline=$((SECONDS + stop_wait_s))
while kill -0 "$server_pid" 2>/dev/null && ((SECONDS < deadline)); do
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  echo "echo.sh: the server did not exit within ${stop_wait_s} s of SIGTERM; killing it" >&2
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_rc=124
else
  wait "$server_pid" || server_rc=$?
fi
server_pid=""
show_server_output
echo "server exit status: $server_rc"

say "result"
if [[ $client_rc -ne 0 ]]; then fail "the client failed (exit status $client_rc)"; fi
if [[ $server_rc -ne 0 ]]; then fail "the server did not stop cleanly (exit status $server_rc)"; fi
echo "echo demo: OK (client and server exited 0)"
