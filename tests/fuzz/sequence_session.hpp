// SPDX-License-Identifier: MIT
// The sequence fuzzer's bookkeeping: a provider made for one input, a few socket slots,
// and a pool of counted IRPs whose completions are logged, so that the end of each
// input can check the completion contract over the whole script:
//   - every call accepted completes exactly once (per-IRP issue and completion counts,
//     and Irp::completion_count() agrees);
//   - a call that returns a status other than STATUS_PENDING has completed before it
//     returned, with that status in IoStatus;
//   - every completion status has a name, and is never STATUS_PENDING;
//   - no IRP issued on a socket before its close completes after that close;
//   - once everything is closed: open_sockets() == 0 and outstanding_irps() == 0.
// Every wait is bounded: a wait that runs out is a hang, reported as a failure.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/core/operations.hpp"
#include "fuzz_support.hpp"
#include "wskport/address.hpp"
#include "wskport/buffer.hpp"
#include "wskport/irp.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"

namespace wskport::fuzz {

/// The operation an IRP carries, for the log and the per-operation checks: the
/// library's own vocabulary (the operation table's kinds).
using Op = detail::OpKind;

/// One IRP of the pool, with everything its call points to: buffers, descriptors and
/// output addresses must outlive the call, so they live beside the IRP.
struct TrackedIrp {
  class Session* session = nullptr;
  Irp irp;
  std::uint32_t issued = 0;  ///< calls accepted; written by the script thread only
  std::uint32_t done = 0;    ///< completions seen; guarded by Session::mutex_
  std::uint32_t reaped = 0;  ///< completions the script has looked at
  // What the current call is, set before it is issued.
  Op op = Op::none;
  std::uint64_t serial = 0;      ///< the socket's serial (Session::Slot::serial)
  std::uint64_t issue_seq = 0;   ///< when the call was issued, in script order
  std::uint64_t expect_len = 0;  ///< send: bytes offered; receive: buffer size
  // Filled by the completion routine.
  NTSTATUS status = 0;
  std::uintptr_t information = 0;
  std::uint64_t completion_seq = 0;
  // Memory the call uses.
  std::array<std::uint8_t, 128> data{};
  std::array<ConstBuffer, 2> send_buffers{};
  std::array<MutableBuffer, 2> receive_buffers{};
  Address address_a;
  Address address_b;
  unsigned control_flags = 0;
};

/// One completion, as the log keeps it.
struct Completion {
  Op op;
  std::uint64_t serial;
  std::uint64_t issue_seq;
  std::uint64_t completion_seq;
  NTSTATUS status;
};

/// A provider and its sockets for one fuzz input.
class Session {
 public:
  static constexpr std::size_t slot_count = 6;
  static constexpr std::size_t irp_count = 12;

  struct Slot {
    Socket socket;
    std::uint64_t serial = 0;  ///< 0: empty
    AddressFamily family = AddressFamily::ipv4;
    Category category = Category::basic;
  };

  /// Creates the provider. Returns false (and the input is skipped) only if the
  /// platform cannot create one at all, which is checked to be an error status.
  bool start(unsigned threads);

  /// Closes every socket, waits (bounded) for every IRP, and checks the invariants.
  /// Then destroys the provider and checks that nothing completed afterwards.
  void finish();

  Provider& provider() noexcept { return *provider_; }
  Slot& slot(std::size_t i) noexcept { return slots_[i % slot_count]; }
  bool shut_down() const noexcept { return shut_down_; }
  void shutdown_provider();

  /// A pool IRP whose last call has completed (and been reaped), searching from
  /// @p hint and passing over @p reserved (an IRP taken but not issued yet); null if
  /// all are busy.
  TrackedIrp* free_irp(std::size_t hint, const TrackedIrp* reserved = nullptr);
  TrackedIrp& irp(std::size_t i) noexcept { return *irps_[i % irp_count]; }

  /// Issues a call on @p t (already described: op, serial, buffers) and checks the
  /// return contract. @p call receives the IRP. Returns what the call returned.
  template <class Call>
  NTSTATUS issue(TrackedIrp& t, Call call) {
    t.issue_seq = ++issue_seq_;
    ++t.issued;
    const auto before = t.irp.completion_count();
    const NTSTATUS returned = call(&t.irp);
    if (returned != status::pending) {
      check_inline(t, returned, before);
    }
    return returned;
  }

  /// Runs a call that must complete before it returns (create, bind, listen, options,
  /// queries, and close on an idle socket), and returns its status.
  template <class Call>
  NTSTATUS issue_sync(TrackedIrp& t, Call call) {
    const NTSTATUS st = issue(t, call);
    WSKPORT_FUZZ_CHECK(st != status::pending, "a synchronous call pended", static_cast<int>(t.op));
    return st;
  }

  /// Waits at most @p limit for @p t's current call to complete.
  bool wait(const TrackedIrp& t, std::chrono::milliseconds limit);

  /// Looks at new completions: checks each and adopts sockets that accept returned
  /// (into a free slot, or closes them when none is free).
  void reap();

  /// Takes a free slot for a new socket; the serial names it in the log.
  Slot* adopt(Socket s, AddressFamily family, Category category);

  /// Issues close on slot @p i (if open) and empties the slot.
  void close_slot(std::size_t i);

  static void on_complete(Irp& irp, void* context);

 private:
  void check_inline(TrackedIrp& t, NTSTATUS returned, std::uint64_t completions_before);
  void check_completion(const TrackedIrp& t) const;
  void check_close_ordering() const;
  bool all_done();
  bool issued_all_done() const;  // with mutex_ held

  std::unique_ptr<Provider> provider_;
  std::array<Slot, slot_count> slots_{};
  std::array<std::unique_ptr<TrackedIrp>, irp_count> irps_{};
  std::uint64_t next_serial_ = 0;
  std::uint64_t issue_seq_ = 0;
  bool shut_down_ = false;
  // Sockets accept returned that found no free slot: closed, but their close IRPs
  // have to be waited for like every other.
  std::vector<std::unique_ptr<TrackedIrp>> overflow_closes_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t completion_seq_ = 0;  // guarded by mutex_
  std::vector<Completion> log_;       // guarded by mutex_
};

}  // namespace wskport::fuzz
