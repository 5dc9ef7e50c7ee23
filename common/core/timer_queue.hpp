// SPDX-License-Identifier: MIT
// IRP timers (Provider::start_timer): a min-heap of waiting IRPs under one lock, served
// by a single Asio timer armed for the earliest deadline. Each waiting IRP records its
// heap slot in its op block, so a cancel removes it in O(log n) without searching, and
// the heap's storage is reused: no allocation per timer once it has grown.
#pragma once

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <vector>

#include "wskport/irp.hpp"
#include "wskport/status.hpp"

namespace wskport::detail {

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TimerQueue(boost::asio::io_context& io) : timer_(io) {}
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  /// Queues an accepted IRP until @p deadline and returns `status::pending`; or, without
  /// queueing it, returns the status the caller must complete it with: `cancelled` (a
  /// cancel came first), `file_forced_closed` (after close()), `insufficient_resources`
  /// (the heap could not grow).
  NTSTATUS start(Irp& irp, Clock::time_point deadline) noexcept;

  /// Completes every waiting IRP with file_forced_closed and refuses later ones
  /// (provider shutdown). Call with no lock held.
  void close() noexcept;

 private:
  struct Entry {
    Clock::time_point deadline;
    Irp* irp;
  };
  static void cancel_routine(Irp& irp);
  void on_timer() noexcept;
  void place(std::size_t slot, Entry e) noexcept;
  void sift_up(std::size_t slot) noexcept;
  void sift_down(std::size_t slot) noexcept;
  void remove_at(std::size_t slot) noexcept;
  void arm_locked() noexcept;

  std::mutex mutex_;
  std::vector<Entry> heap_;
  boost::asio::steady_timer timer_;
  Clock::time_point armed_for_ = Clock::time_point::max();
  bool closed_ = false;
};

}  // namespace wskport::detail
