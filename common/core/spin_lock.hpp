// SPDX-License-Identifier: MIT
// A lock for short sections on the hot path (the handle table, a socket's state).
#pragma once

#include <atomic>
#include <thread>

namespace wskport::detail {

/// An atomic exchange to take, a release store to drop. Every socket call takes the
/// handle table's lock and its socket's lock, and a completion takes the socket's lock
/// again, so the uncontended path matters: a profile of a 64-byte echo put std::mutex's
/// two library calls per section among the top costs (about 55 instructions a pair,
/// against 3 here). Sections are short and never block (non-blocking system calls at
/// most); a waiter yields its time slice instead of sleeping in the kernel. Meets
/// BasicLockable, so std::lock_guard works; not recursive.
class SpinLock {
 public:
  void lock() noexcept {
    // acquire pairs with unlock's release: the section sees what the previous holder wrote.
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace wskport::detail
