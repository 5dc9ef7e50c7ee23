// SPDX-License-Identifier: MIT
/// @file waitable_irp.hpp
/// @brief An IRP the caller can block on with a bound, like an IRP plus a KEVENT.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "wskport/irp.hpp"

namespace wskport {

/// An IRP whose completion signals waiters. Reusable: each accepted call adds one to
/// `completions()`, and `wait_for` waits until the count passes what it was when the
/// IRP was last armed (`arm()`, called implicitly by the constructor).
class WaitableIrp : public Irp {
 public:
  WaitableIrp() noexcept : Irp(&WaitableIrp::on_complete, nullptr) {}

  /// Remembers the current completion count; the next `wait_for` waits for one more.
  void arm() noexcept {
    std::lock_guard lock(mutex_);
    armed_at_ = signalled_;
  }

  /// Waits at most @p timeout for a completion after the last `arm()`.
  /// @return true if it completed (read `IoStatus`), false on timeout.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return signalled_ > armed_at_; });
  }

  /// Completions signalled so far (equals `completion_count()` once routines return).
  [[nodiscard]] std::uint64_t completions() const {
    std::lock_guard lock(mutex_);
    return signalled_;
  }

 private:
  static void on_complete(Irp& irp, void* /*context*/) {
    auto& self = static_cast<WaitableIrp&>(irp);
    std::lock_guard lock(self.mutex_);
    ++self.signalled_;
    self.cv_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t signalled_ = 0;
  std::uint64_t armed_at_ = 0;
};

}  // namespace wskport
