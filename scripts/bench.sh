#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The performance comparison, in one command (issue 6; docs/performance.md explains it):
#
#   bash scripts/bench.sh [OUTPUT.md]      (default build/bench/bench-results.md)
#
# Builds the `bench` preset (Release, with tests/bench), runs the Google Benchmark
# micro-benchmarks, then the loopback load tool against each single-threaded echo server
# -- the wskport C++ sample once per Linux engine this build has (WSKPORT_ENGINE=epoll,
# WSKPORT_ENGINE=io_uring), the wskport kernel-style sample when it is built, raw
# Boost.Asio, raw epoll and raw liburing (when liburing is installed) -- in interleaved
# rounds, counts instructions (callgrind) and system calls (strace) per round trip, and
# measures memory per idle connection. Writes one markdown file with every table.
# 7 min 40 s here with five servers (2 cores under other builds' load, warm ccache:
# rounds 4 min, counts 2, idle memory and micro-benchmarks 1); with seven servers (both
# engines, the kernel-style sample) about 10 minutes. WSKPORT_BENCH_ROUNDS=3 saves 1-2.
#
# Each engine's run is labelled with the engine the sample reports at start ("provider:
# backend NAME" on stderr), not the one asked for: a build without the engine registry
# ignores WSKPORT_ENGINE, and a second run of the same engine is left out.
#
#   WSKPORT_BENCH_ROUNDS   interleaved rounds (default 5)
#   WSKPORT_BENCH_SECONDS  seconds per timed measure (default 2)
#   WSKPORT_BENCH_PIN      1 (default): client on CPU 0, servers on CPU 1; 0: unpinned
#   WSKPORT_BENCH_IDLE     idle connections for the memory figure (default 10000)
#   WSKPORT_JOBS           build parallelism (default 2)
#   WSKPORT_BENCH_ENGINES  engines to run the C++ sample on (default "epoll io_uring")
#   WSKPORT_SKIP_DEPS=1    do not check packages
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="$root/build/bench"
out="${1:-$build/bench-results.md}"
logs="$build/bench-logs"

log() { printf 'bench: %s\n' "$*" >&2; }

# Dependencies: the project's, then the two count tools only this command uses.
bash scripts/deps.sh
if [[ "${WSKPORT_SKIP_DEPS:-0}" != "1" ]] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in valgrind strace; do
    command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -ne 0 ]]; then
    as_root=()
    [[ "$(id -u)" -eq 0 ]] || as_root=(sudo)
    log "installing ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
      install -y --no-install-recommends "${missing[@]}"
  fi
fi
for tool in valgrind strace; do
  command -v "$tool" >/dev/null 2>&1 || { log "error: $tool is needed for the counts"; exit 1; }
done

# The kernel-style echo sample joins the comparison when the tree has it.
km_target="${WSKPORT_KM_ECHO_TARGET:-wskport_km_echo}"
targets=(wskport_echo_server wskport_bench_load wskport_micro_bench bench_asio_echo bench_epoll_echo)
read -r -a engines <<<"${WSKPORT_BENCH_ENGINES:-epoll io_uring}"
have_km=0
if [[ -f samples/km_echo/CMakeLists.txt ]]; then
  have_km=1
  targets+=("$km_target")
fi

log "configuring and building (preset bench)"
cmake --preset bench >/dev/null
# The raw liburing echo exists only where CMake found liburing (pkg-config).
have_uring=0
if cmake --build --preset bench --target help 2>/dev/null | grep -q '^bench_uring_echo:'; then
  have_uring=1
  targets+=(bench_uring_echo)
else
  log "liburing not found at configure time: raw io_uring left out"
fi
cmake --build --preset bench -j"${WSKPORT_JOBS:-2}" --target "${targets[@]}"

rm -rf "$logs"
mkdir -p "$logs" "$(dirname "$out")"

log "micro-benchmarks"
"$build/tests/bench/wskport_micro_bench" --benchmark_min_time=0.2 \
  --benchmark_out="$logs/micro.txt" --benchmark_out_format=console >/dev/null

# Which engine the sample runs when asked for $1: the name it reports at start, or
# nothing if it did not start (an engine this build or host does not have).
engine_ran() {
  local probe="$logs/engine-$1" pid port="" i
  : >"$probe.out"  # read below before the server's own redirection may have run
  WSKPORT_ENGINE="$1" "$build/samples/wskport_echo_server" --port 0 --threads 1 --quiet \
    >"$probe.out" 2>"$probe.err" &
  pid=$!
  for ((i = 0; i < 100; i++)); do
    port="$(sed -n 's/^PORT=//p' "$probe.out")"
    if [[ -n "$port" ]] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.05
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # "provider: backend NAME, ..." today; "engine NAME" accepted too.
  [[ -n "$port" ]] && sed -n 's/^provider: \(backend\|engine\) \([^ ,]*\).*/\2/p' "$probe.err" | head -n 1
}

# --quiet: the sample otherwise prints three lines per connection, which the raw servers
# do not (it costs three write(2) calls in the connection-rate measure).
servers=()
seen=" "
for engine in "${engines[@]}"; do
  ran="$(engine_ran "$engine" || true)"
  if [[ -z "$ran" ]]; then
    log "WSKPORT_ENGINE=$engine: the sample did not start (see $logs/engine-$engine.err): left out"
  elif [[ "$seen" == *" $ran "* ]]; then
    log "WSKPORT_ENGINE=$engine: the sample ran engine '$ran' again (no $engine in this build): left out"
  else
    seen+="$ran "
    [[ "$ran" == "$engine" ]] || log "WSKPORT_ENGINE=$engine: the sample reports engine '$ran'"
    servers+=(--server "wskport C++ sample ($ran)=WSKPORT_ENGINE=$engine $build/samples/wskport_echo_server --threads 1 --quiet")
  fi
done
if [[ $have_km -eq 1 ]]; then
  km_bin="$(find "$build/samples" -type f -name "$km_target" -perm -u+x | head -n 1)"
  if [[ -n "$km_bin" ]]; then
    # The driver takes its port from the registry path, as km_echo.sh passes it.
    km_args="${WSKPORT_KM_ECHO_ARGS:-\\Registry\\Machine\\System\\CurrentControlSet\\Services\\km_echo\\Parameters\\Port=0}"
    servers+=(--server "wskport kernel-style sample=$km_bin $km_args")
  else
    log "samples/km_echo exists but $km_target was not built: left out"
  fi
fi
servers+=(--server "raw asio=$build/tests/bench/bench_asio_echo")
servers+=(--server "raw epoll=$build/tests/bench/bench_epoll_echo")
if [[ $have_uring -eq 1 ]]; then
  servers+=(--server "raw io_uring=$build/tests/bench/bench_uring_echo")
fi

log "load tool: ${WSKPORT_BENCH_ROUNDS:-5} rounds, then counts and idle memory"
status=0
# With two or more CPUs the client runs on CPU 0 and the servers on CPU 1, so a server
# never waits for the client's core or the other way round (WSKPORT_BENCH_PIN=0: no).
pin=()
if [[ "${WSKPORT_BENCH_PIN:-1}" == "1" && "$(nproc)" -ge 2 ]]; then pin=(--pin); fi
"$build/tests/bench/wskport_bench_load" --out "$logs/load.md" --logs "$logs" \
  --rounds "${WSKPORT_BENCH_ROUNDS:-5}" --seconds "${WSKPORT_BENCH_SECONDS:-2}" \
  --idle "${WSKPORT_BENCH_IDLE:-10000}" "${pin[@]}" "${servers[@]}" || status=$?

{
  printf '# wskport loopback benchmark\n\n'
  printf 'Servers: `wskport C++ sample (ENGINE)` is samples/echo_server.cpp with `--threads 1\n'
  printf -- '--quiet` under `WSKPORT_ENGINE=ENGINE`, labelled with the engine it reported at\n'
  printf 'start (one provider thread runs the event loop and every completion; its main\n'
  printf 'thread only waits for SIGINT; no line printed per connection). `wskport kernel-style\n'
  printf 'sample` is samples/km_echo/km_echo.c under the driver host, which starts its\n'
  printf 'provider with 2 threads. `raw asio`, `raw epoll` and `raw io_uring` are\n'
  printf 'tests/bench/asio_echo.cpp, epoll_echo.cpp and uring_echo.cpp (liburing: accept,\n'
  printf 'recv, send per connection, one wait per loop), one thread each. The C++ sample and\n'
  printf 'the raw servers hold a 64 KiB buffer per connection; the kernel-style sample takes\n'
  printf 'data from the WSK receive event callback and allocates a copy per echo.\n\n'
  cat "$logs/load.md"
  printf '\n## Micro-benchmarks (Google Benchmark)\n\n```\n'
  cat "$logs/micro.txt"
  printf '```\n'
} >"$out"
log "wrote $out (logs in $logs)"
exit "$status"
