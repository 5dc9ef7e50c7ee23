// SPDX-License-Identifier: MIT
// Micro-benchmarks (Google Benchmark) of the pieces every operation goes through: the IRP
// life cycle (accept + complete + reuse, as the front end and the funnel do it), status
// mapping and naming, the hook chain with 0, 1 and 4 hooks, and address parse/format.
// Times here are per call on this machine; they explain a profile, they are not targets.
#include <benchmark/benchmark.h>
#include <wskport/address.hpp>
#include <wskport/connection/hooks.hpp>
#include <wskport/irp.hpp>
#include <wskport/status.hpp>

#include <cerrno>
#include <cstdint>

#include "common/core/completion.hpp"
#include "posix/status_map.hpp"

namespace {

namespace wsk = wskport;
using wsk::detail::IrpAccess;

void count_completion(wsk::Irp& /*irp*/, void* context) { ++*static_cast<std::uint64_t*>(context); }

// One operation's IRP work without a socket: accept (idle -> pending, op block reset),
// complete through the funnel (routine runs), and the next accept reuses the IRP.
void BM_IrpCompleteReuse(benchmark::State& state) {
  std::uint64_t completions = 0;
  wsk::Irp irp(&count_completion, &completions);
  for (auto _ : state) {
    if (!IrpAccess::accept(irp, wsk::detail::OpKind::receive)) state.SkipWithError("refused");
    wsk::detail::complete_irp(irp, wsk::status::success, 64);
  }
  benchmark::DoNotOptimize(completions);
  state.SetItemsProcessed(static_cast<std::int64_t>(completions));
}
BENCHMARK(BM_IrpCompleteReuse);

// The same with a cancel routine armed and taken back, as a wait on the reactor does.
void BM_IrpCompleteReuseWithCancelArm(benchmark::State& state) {
  std::uint64_t completions = 0;
  wsk::Irp irp(&count_completion, &completions);
  for (auto _ : state) {
    (void)IrpAccess::accept(irp, wsk::detail::OpKind::receive);
    if (IrpAccess::arm_cancel(irp, [](wsk::Irp&) {}) && IrpAccess::disarm_cancel(irp)) {
      wsk::detail::complete_irp(irp, wsk::status::success, 64);
    }
  }
  benchmark::DoNotOptimize(completions);
}
BENCHMARK(BM_IrpCompleteReuseWithCancelArm);

// The kernel idiom: IoReuseIrp between operations.
void BM_IrpExplicitReuse(benchmark::State& state) {
  std::uint64_t completions = 0;
  wsk::Irp irp(&count_completion, &completions);
  for (auto _ : state) {
    (void)IrpAccess::accept(irp, wsk::detail::OpKind::send);
    wsk::detail::complete_irp(irp, wsk::status::success, 64);
    irp.reuse();
  }
  benchmark::DoNotOptimize(completions);
}
BENCHMARK(BM_IrpExplicitReuse);

// errno -> NTSTATUS over the errors a transfer really sees, common first.
void BM_StatusFromErrno(benchmark::State& state) {
  const int errors[] = {ECONNRESET, EPIPE, ECONNREFUSED, ETIMEDOUT, EADDRINUSE, ENOBUFS};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(wsk::detail::posix::status_from_errno(errors[i]));
    i = (i + 1) % (sizeof errors / sizeof errors[0]);
  }
}
BENCHMARK(BM_StatusFromErrno);

void BM_StatusName(benchmark::State& state) {
  const wsk::NTSTATUS statuses[] = {wsk::status::success, wsk::status::cancelled,
                                    wsk::status::connection_reset, wsk::status::pending};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(wsk::status_name(statuses[i]));
    i = (i + 1) % (sizeof statuses / sizeof statuses[0]);
  }
}
BENCHMARK(BM_StatusName);

void BM_FormatStatus(benchmark::State& state) {
  char text[64];
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        wsk::format_status(wsk::status::connection_refused, text, sizeof text));
  }
}
BENCHMARK(BM_FormatStatus);

// The hook chain as connection_post_bind calls it, with 0, 1 and 4 hooks registered.
int hook(void* closure, int fd) {
  *static_cast<int*>(closure) += fd;
  return 0;
}

void BM_HookChain(benchmark::State& state) {
  wsk::hooks::HookPoint<int> point;
  int sum = 0;
  for (std::int64_t i = 0; i < state.range(0); ++i)
    point.add(wsk::hooks::Position::last, &hook, &sum);
  for (auto _ : state) benchmark::DoNotOptimize(point.call(1));
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_HookChain)->Arg(0)->Arg(1)->Arg(4);

void BM_AddressParse(benchmark::State& state, const char* text) {
  wsk::Address a;
  for (auto _ : state) {
    benchmark::DoNotOptimize(wsk::Address::parse(text, a));
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK_CAPTURE(BM_AddressParse, ipv4, "192.168.100.200:65000");
BENCHMARK_CAPTURE(BM_AddressParse, ipv6, "[2001:db8:85a3::8a2e:370:7334]:443");

void BM_AddressFormat(benchmark::State& state, const char* text) {
  wsk::Address a;
  if (wsk::Address::parse(text, a) != wsk::status::success) state.SkipWithError("parse");
  char out[128];
  for (auto _ : state) benchmark::DoNotOptimize(a.format(out, sizeof out));
}
BENCHMARK_CAPTURE(BM_AddressFormat, ipv4, "192.168.100.200:65000");
BENCHMARK_CAPTURE(BM_AddressFormat, ipv6, "[2001:db8:85a3::8a2e:370:7334]:443");

}  // namespace

BENCHMARK_MAIN();
