// SPDX-License-Identifier: MIT
// One io_uring and the engine thread that drives it.
//
// The thread owns the ring: it is the only one that calls io_uring_enter, so the ring
// can be set up single-issuer with deferred task work, every request belongs to a task
// that lives as long as the engine (the kernel cancels a task's requests when the task
// exits: a caller's short-lived thread must not take its receive with it), and a
// request's completion work runs when the thread asks for completions: one
// io_uring_enter per loop iteration submits what the iteration prepared and waits for
// the next completions.
//
// Other threads add entries under `sq_lock` (the SQ is single-producer) and wake the
// thread through an eventfd whose read the thread keeps pending on the ring; a wake is
// written at most once per batch (`wake_pending`). Entries added on the ring's own
// thread (a completion routine issuing its next call) cost no system call at all.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <mutex>

#include <string>
#include <thread>
#include "common/core/spin_lock.hpp"

namespace wskport::detail::posix::uring {

/// user_data of entries whose completion carries no IRP (cancel requests, closes).
inline constexpr std::uint64_t ignored_cqe = 0;

/// Called on the ring's thread for each completion whose user_data is an IRP.
using CqeHandler = void (*)(std::uint64_t user_data, int result) noexcept;

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring();

  /// Starts the thread and sets up its ring there. Returns an errno (0 on success);
  /// @p reason says what failed.
  int start(CqeHandler handler, std::string& reason) noexcept;

  /// A submission entry to fill (caller holds `sq_lock`); never null: a full SQ is
  /// flushed to the kernel first.
  io_uring_sqe* get_sqe() noexcept;

  /// After entries were filled under `sq_lock` (lock released): wakes the ring's
  /// thread unless this is that thread or a wake is already on its way.
  void kick() noexcept;

  /// True on the ring's own thread.
  [[nodiscard]] bool on_ring_thread() const noexcept;

  /// Short sections only (fill an entry, publish the tail): a spin lock, as the
  /// socket's, costs a tenth of a mutex on the echo path.
  SpinLock sq_lock;

 private:
  void run() noexcept;
  void arm_wake_read() noexcept;
  /// Makes the entries filled so far visible to the kernel (sq_lock held); returns how
  /// many wait for io_uring_enter.
  unsigned flush() noexcept;

  io_uring ring_{};
  CqeHandler handler_ = nullptr;
  int wake_fd_ = -1;
  std::uint64_t wake_value_ = 0;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stop_{false};
  bool poll_wait_ = false;  ///< wait in poll(2), not io_uring_enter (see start)
  std::thread thread_;
};

/// Whether this host can run the engine: io_uring_queue_init works (not disabled by
/// kernel.io_uring_disabled or seccomp, kernel new enough) and every opcode the engine
/// submits is supported. @p reason says why not.
bool probe(std::string& reason) noexcept;

}  // namespace wskport::detail::posix::uring
