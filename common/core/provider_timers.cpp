// SPDX-License-Identifier: MIT
// Timers and posted work as IRP calls (Provider::start_timer, Provider::post): what
// code beside the provider needs from its event loop, without handing out the loop
// itself (an Asio type in a public header would pin every consumer to Boost).
#include <chrono>

#include "common/core/completion.hpp"
#include "common/core/provider_core.hpp"

namespace wskport {
namespace detail {

NTSTATUS ProviderCore::start_timer(std::chrono::nanoseconds delay, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::start_timer);
  if (call.refused()) return status::invalid_parameter;
  if (is_shut_down()) return call.complete(status::file_forced_closed);
  if (delay.count() < 0) return call.complete(status::invalid_parameter);
  const auto now = TimerQueue::Clock::now();
  // A delay past the clock's range waits "forever" rather than overflowing.
  const auto room = TimerQueue::Clock::time_point::max() - now;
  const auto deadline = delay >= room
                            ? TimerQueue::Clock::time_point::max()
                            : now + std::chrono::duration_cast<TimerQueue::Clock::duration>(delay);
  const NTSTATUS st = timers_.start(call.irp(), deadline);
  if (st == status::pending) return st;
  return call.complete(st);
}

NTSTATUS ProviderCore::post(Irp* irp) noexcept {
  Call call(*this, irp, OpKind::post);
  if (call.refused()) return status::invalid_parameter;
  if (is_shut_down()) return call.complete(status::file_forced_closed);
  post_completion(call.irp(), status::success, 0);
  return status::pending;
}

}  // namespace detail

NTSTATUS Provider::start_timer(std::chrono::nanoseconds delay, Irp* irp) noexcept {
  return core_->start_timer(delay, irp);
}

NTSTATUS Provider::post(Irp* irp) noexcept { return core_->post(irp); }

}  // namespace wskport
