// SPDX-License-Identifier: MIT
#include "common/core/timer_queue.hpp"

#include <cstdint>
#include <gsl/assert>
#include <limits>

#include "common/core/backend.hpp"
#include "common/core/completion.hpp"

namespace wskport::detail {

namespace {

constexpr std::size_t not_queued = std::numeric_limits<std::size_t>::max();

// The op block's cursor fields are idle while a timer waits: the heap slot lives in
// seg_index, the owning queue in in1 (for the cancel routine, which gets only the IRP).
std::size_t& slot_of(Irp& irp) noexcept { return IrpAccess::op(irp).seg_index; }

}  // namespace

NTSTATUS TimerQueue::start(Irp& irp, Clock::time_point deadline) noexcept {
  Expects(irp.is_pending());  // accepted by Call: a precondition, not caller input
  std::lock_guard lock(mutex_);
  if (closed_) return status::file_forced_closed;
  try {
    heap_.push_back({deadline, &irp});
  } catch (...) {
    return status::insufficient_resources;
  }
  IrpAccess::op(irp).in1 = this;
  place(heap_.size() - 1, heap_.back());
  sift_up(heap_.size() - 1);
  // Armed under the lock: a canceller that wins at once blocks on the lock in the
  // routine and finds the IRP still queued, so the routine is what completes it.
  if (!IrpAccess::arm_cancel(irp, &TimerQueue::cancel_routine)) {
    remove_at(slot_of(irp));
    return status::cancelled;
  }
  arm_locked();
  return status::pending;
}

void TimerQueue::cancel_routine(Irp& irp) {
  auto* self = static_cast<TimerQueue*>(const_cast<void*>(IrpAccess::op(irp).in1));
  {
    std::lock_guard lock(self->mutex_);
    // Not queued: expiry or close already took it off the heap and, finding the routine
    // claimed, left the completion to this routine.
    if (slot_of(irp) != not_queued) self->remove_at(slot_of(irp));
  }
  complete_irp(irp, status::cancelled, 0);
}

void TimerQueue::on_timer() noexcept {
  IrpList due;
  {
    std::lock_guard lock(mutex_);
    armed_for_ = Clock::time_point::max();
    const auto now = Clock::now();
    while (!heap_.empty() && heap_.front().deadline <= now) {
      Irp& irp = *heap_.front().irp;
      remove_at(0);
      if (IrpAccess::disarm_cancel(irp)) due.push(irp, status::success, 0);
    }
    if (!closed_) arm_locked();
  }
  due.complete_all();
}

void TimerQueue::close() noexcept {
  IrpList forced;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    while (!heap_.empty()) {
      Irp& irp = *heap_.back().irp;
      remove_at(heap_.size() - 1);
      if (IrpAccess::disarm_cancel(irp)) forced.push(irp, status::file_forced_closed, 0);
    }
    // A wait left armed would keep the event loop's run() from returning at join.
    timer_.cancel();
    armed_for_ = Clock::time_point::max();
  }
  forced.complete_all();
}

void TimerQueue::place(std::size_t slot, Entry e) noexcept {
  heap_[slot] = e;
  slot_of(*e.irp) = slot;
}

void TimerQueue::sift_up(std::size_t slot) noexcept {
  const Entry e = heap_[slot];
  while (slot > 0) {
    const std::size_t parent = (slot - 1) / 2;
    if (heap_[parent].deadline <= e.deadline) break;
    place(slot, heap_[parent]);
    slot = parent;
  }
  place(slot, e);
}

void TimerQueue::sift_down(std::size_t slot) noexcept {
  const Entry e = heap_[slot];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * slot + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].deadline < heap_[child].deadline) ++child;
    if (e.deadline <= heap_[child].deadline) break;
    place(slot, heap_[child]);
    slot = child;
  }
  place(slot, e);
}

void TimerQueue::remove_at(std::size_t slot) noexcept {
  slot_of(*heap_[slot].irp) = not_queued;
  const std::size_t last = heap_.size() - 1;
  if (slot != last) {
    place(slot, heap_[last]);
    heap_.pop_back();
    sift_down(slot);
    sift_up(slot);
  } else {
    heap_.pop_back();
  }
}

// One Asio wait serves the whole heap: re-armed only when the earliest deadline moved
// earlier (a later one is picked up when the current wait fires). Re-arming aborts the
// previous wait, whose handler then does nothing.
void TimerQueue::arm_locked() noexcept {
  if (heap_.empty() || heap_.front().deadline >= armed_for_) return;
  armed_for_ = heap_.front().deadline;
  timer_.expires_at(armed_for_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_timer();
  });
}

}  // namespace wskport::detail
