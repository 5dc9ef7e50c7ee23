// SPDX-License-Identifier: MIT
/// @file irp.hpp
/// @brief The completion object: an I/O request packet in the WSK sense.
///
/// Every socket call takes an `Irp*`. The call either completes the IRP before it
/// returns (and returns the same status as `IoStatus.Status`) or returns
/// `status::pending` and completes it later, from a provider thread. Either way the
/// IRP's completion routine runs exactly once per accepted call. Only a null IRP is
/// refused without a completion (`status::invalid_parameter`), and so is an IRP that
/// is still pending from an earlier call (a caller bug the library will not turn into
/// a lost completion).
///
/// An IRP holds all per-operation state, so a caller that reuses its IRPs pays no
/// heap allocation per operation. Every pointer handed to a call (buffers, buffer
/// arrays, addresses, output pointers) must stay valid until the IRP completes, as
/// WSK requires of MDLs and address buffers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "wskport/buffer.hpp"
#include "wskport/status.hpp"

namespace wskport {

class Irp;

namespace detail {
class SocketImpl;
class ProviderCore;
struct IrpAccess;

/// What kind of operation an IRP carries while it is pending. Used by backends and by
/// diagnostics (verifier reports name the operation).
enum class OpKind : std::uint8_t {
  none,
  create,
  bind,
  listen,
  accept,
  connect,
  send,
  receive,
  send_to,
  receive_from,
  disconnect,
  close,
  control,
  query_address,
};

/// A backend's cancel hook: called at most once, on the thread that cancels, after the
/// canceller has claimed it; it must complete the IRP with `status::cancelled`.
using CancelRoutine = void (*)(Irp& irp);

/// Per-operation state, embedded in the IRP so that no operation allocates. Written by
/// the front end when it accepts a call and by the backend while the call is pending.
struct IrpOp {
  Irp* next = nullptr;  ///< backend queue link
  Irp* prev = nullptr;
  ProviderCore* provider = nullptr;  ///< counts the IRP as outstanding while pending
  SocketImpl* socket = nullptr;      ///< holds a reference while pending
  union {
    const ConstBuffer* send;
    const MutableBuffer* receive;
  } buffers{nullptr};
  std::size_t buffer_count = 0;
  std::size_t total = 0;       ///< bytes requested
  std::size_t done = 0;        ///< bytes moved so far
  std::size_t seg_index = 0;   ///< cursor into the buffer array
  std::size_t seg_offset = 0;  ///< cursor inside buffers[seg_index]
  std::uint32_t flags = 0;
  OpKind kind = OpKind::none;
  bool queued = false;        ///< on a backend queue (guarded by the socket's lock)
  void* out1 = nullptr;       ///< accept: local Address*; receive_from: remote Address*
  void* out2 = nullptr;       ///< accept: remote Address*; receive_from: control flags
  const void* in1 = nullptr;  ///< send_to: const Address*
  NTSTATUS final_status = 0;  ///< result parked on a completion list
  std::uintptr_t final_information = 0;
  /// Inline buffer descriptors for the single-buffer call overloads.
  ConstBuffer single_send{};
  MutableBuffer single_receive{};
  /// Backend scratch space (an OVERLAPPED on Windows); never touched by common code.
  /// Aligned by its element type, not alignas, which MSVC /W4 reports (C4324) in
  /// every user struct that embeds an IRP.
  std::uint64_t native[12]{};
};
}  // namespace detail

/// The status block of an IRP, as in the kernel's IO_STATUS_BLOCK.
struct IoStatusBlock {
  NTSTATUS Status;
  /// Bytes transferred, or for socket creation and accept the new socket's id (use
  /// `Provider::socket_from`), or an option's value for `get_option`.
  std::uintptr_t Information;
};

/// The completion routine. Runs exactly once per accepted call, either on the calling
/// thread before the call returns or on a provider thread. It is never called while
/// the library holds a lock, so it may issue further calls, on this socket too, and it
/// may reuse or destroy the IRP. It must not throw.
using CompletionRoutine = void (*)(Irp& irp, void* context);

/// An I/O request packet. Standard layout; `IoStatus` is its first member.
///
/// Life cycle: idle -> pending (a call accepted it) -> completed (the routine ran) ->
/// pending (reused by the next call) ... An IRP must not be destroyed while pending.
class Irp {
 public:
  /// An IRP with no completion routine (the caller polls `IoStatus` or uses a
  /// subclass such as WaitableIrp).
  Irp() noexcept = default;
  /// An IRP whose completion routine is @p routine, called with @p context.
  Irp(CompletionRoutine routine, void* context) noexcept : routine_(routine), context_(context) {}
  Irp(const Irp&) = delete;
  Irp& operator=(const Irp&) = delete;
  ~Irp();

  /// Final status and information; valid once the IRP has completed. While pending,
  /// `Status` reads `status::pending`.
  IoStatusBlock IoStatus{status::unsuccessful, 0};

  /// Sets the routine run at completion (IoSetCompletionRoutine). Not while pending.
  void set_completion(CompletionRoutine routine, void* context) noexcept {
    routine_ = routine;
    context_ = context;
  }

  /// Reinitialises a completed IRP (IoReuseIrp): `IoStatus = {status, 0}`, cancel flag
  /// cleared. Not while pending. Calls reuse IRPs without it too; this is for callers
  /// that want the kernel idiom.
  void reuse(NTSTATUS status = status::unsuccessful) noexcept;

  /// Requests cancellation (IoCancelIrp). If the IRP is pending, the operation
  /// completes with `status::cancelled` (Information = bytes already placed in or taken
  /// from the caller's buffers, normally 0), unless it completes first with its own
  /// result. Safe from any thread, including from inside a completion routine. Returns
  /// true if a cancel routine was called, as IoCancelIrp does; false if the IRP was not
  /// pending or had no cancel routine installed yet (the flag is still seen by the
  /// backend before it waits, so the cancellation is not lost). A cancel that finds a
  /// call still accepting the IRP (is_pending() is already true then) waits the few
  /// instructions until the call has reset the IRP, and applies to that call.
  bool cancel() noexcept;

  /// True between acceptance by a call and the start of its completion.
  [[nodiscard]] bool is_pending() const noexcept;
  /// True once `cancel()` was called for the current operation.
  [[nodiscard]] bool cancel_requested() const noexcept {
    return cancel_.load(std::memory_order_acquire);
  }
  /// How many times this IRP has completed since construction (for tests and
  /// diagnostics: an accepted call adds exactly one).
  [[nodiscard]] std::uint64_t completion_count() const noexcept {
    return completions_.load(std::memory_order_acquire);
  }

 private:
  friend struct detail::IrpAccess;

  // accepting: a call has claimed the IRP and is resetting it; pending once published.
  enum : std::uint32_t {
    idle = 0,
    pending_state = 1,
    completing = 2,
    completed = 3,
    accepting = 4
  };

  CompletionRoutine routine_ = nullptr;
  void* context_ = nullptr;
  std::atomic<std::uint32_t> state_{idle};
  std::atomic<bool> cancel_{false};
  std::atomic<detail::CancelRoutine> cancel_routine_{nullptr};
  std::atomic<std::uint64_t> completions_{0};
  detail::IrpOp op_{};
};

/// An IRP whose completion runs a callable stored inline (no allocation):
///   auto irp = wskport::make_irp([](wskport::Irp& i) { ... });
template <class F>
class CallbackIrp final : public Irp {
 public:
  explicit CallbackIrp(F f) : Irp(&CallbackIrp::trampoline, nullptr), f_(std::move(f)) {}

 private:
  static void trampoline(Irp& irp, void* /*context*/) {
    auto& self = static_cast<CallbackIrp&>(irp);
    self.f_(self);
  }
  F f_;
};

/// Makes a CallbackIrp from a callable taking `Irp&`.
template <class F>
[[nodiscard]] CallbackIrp<F> make_irp(F f) {
  return CallbackIrp<F>(std::move(f));
}

}  // namespace wskport
