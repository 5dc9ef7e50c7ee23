#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The io_uring investigation of docs/performance.md ("Why a plain io_uring echo trails
# Asio at 64 connections"), repeatable: raw Asio, raw epoll and bench_uring_echo with
# one setting changed at a time.
#
#   bash tests/bench/uring_variants.sh [BUILD_DIR]     (default build/bench, built by
#                                                       scripts/bench.sh)
#
# Part 1: the load tool's interleaved ping-pong rounds (rates, server CPU per round trip).
# Part 2: one fixed-count run per server at 64 connections, client on CPU 0 and server on
# CPU 1, counting what the server's CPU received in interprocessor interrupts
# (/proc/interrupts RES and CAL, CPU 1's column) and, for the io_uring servers, waits and
# context switches (the server's own summary on stderr). Interrupts are counted machine
# wide, so other work on CPU 1 adds to them: run it on a quiet machine, or compare
# neighbouring rows only. About 5 minutes with the defaults.
#
#   URING_ROUNDS (default 7), URING_SECONDS (2), URING_TRIPS (200000)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build/bench}"
bin="$build/tests/bench"
out="$build/uring-variants"
u="$bin/bench_uring_echo"
for f in "$u" "$bin/bench_asio_echo" "$bin/bench_epoll_echo" "$bin/wskport_bench_load"; do
  [[ -x "$f" ]] || { echo "uring_variants: $f is missing (build the bench preset)" >&2; exit 1; }
done
[[ "$(nproc)" -ge 2 ]] || { echo "uring_variants: needs two CPUs" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"

names=("raw asio" "raw epoll" "raw io_uring" "uring coop" "uring defer" "uring defer batch"
  "uring defer poll-first" "uring defer fixed files+ring" "uring defer multishot"
  "uring defer min-wait 20us" "uring sqpoll" "uring sqpoll on CPU 0")
cmds=("$bin/bench_asio_echo" "$bin/bench_epoll_echo" "$u" "$u --coop" "$u --defer"
  "$u --defer --batch" "$u --defer --poll-first" "$u --defer --fixed-files --register-ring"
  "$u --defer --multishot" "$u --defer --wait-nr 16 --min-wait-us 20" "$u --sqpoll"
  "$u --sqpoll=0")

args=()
for i in "${!names[@]}"; do args+=(--server "${names[$i]}=${cmds[$i]}"); done
"$bin/wskport_bench_load" --out "$out/rates.md" --logs "$out" --rounds "${URING_ROUNDS:-7}" \
  --seconds "${URING_SECONDS:-2}" --no-counts --no-idle --pin --measures pp1,pp64 "${args[@]}"
cat "$out/rates.md"

# CPU 1's count of one /proc/interrupts row.
irq() { awk -v k="$1:" '$1 == k { print $3 }' /proc/interrupts; }

trips="${URING_TRIPS:-200000}"
printf '\n| server (64 conns, %s round trips) | rt/s | RES IPIs on server CPU per rt | CAL IPIs per rt | completions per wait | voluntary switches per rt |\n|---|---:|---:|---:|---:|---:|\n' "$trips"
for i in "${!names[@]}"; do
  log="$out/ipi.$i.log"
  : >"$out/ipi.$i.out"  # before the server's own redirection, which may come later
  # shellcheck disable=SC2086  # the command is words on purpose
  taskset -c 1 ${cmds[$i]} >"$out/ipi.$i.out" 2>"$log" &
  pid=$!
  port=""
  for ((k = 0; k < 100; k++)); do
    port="$(sed -n 's/^PORT=//p' "$out/ipi.$i.out")"
    [[ -z "$port" ]] || break
    sleep 0.05
  done
  res0=$(irq RES)
  cal0=$(irq CAL)
  rate=$(taskset -c 0 "$bin/wskport_bench_load" --client "$port" 64 "$trips" |
    sed -n 's/.*: \([0-9]*\) rt\/s.*/\1/p')
  res1=$(irq RES)
  cal1=$(irq CAL)
  kill -TERM "$pid"
  wait "$pid" || true
  stats=$(sed -n 's/^uring stats: \([0-9]*\) waits, \([0-9]*\) completions.*, \([0-9]*\) voluntary.*/\1 \2 \3/p' "$log")
  per_wait="n/a"
  switches="n/a"
  if [[ -n "$stats" ]]; then
    read -r waits cqes vol <<<"$stats"
    per_wait=$(awk -v c="$cqes" -v w="$waits" 'BEGIN { printf "%.2f", c / w }')
    switches=$(awk -v v="$vol" -v t="$trips" 'BEGIN { printf "%.3f", v / t }')
  fi
  awk -v n="${names[$i]}" -v r="$rate" -v a="$((res1 - res0))" -v b="$((cal1 - cal0))" \
    -v t="$trips" -v p="$per_wait" -v s="$switches" \
    'BEGIN { printf "| %s | %s | %.3f | %.3f | %s | %s |\n", n, r, a / t, b / t, p, s }'
done
