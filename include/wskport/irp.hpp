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
struct IrpAccess;
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
  // The engine's cancel hook while the call waits (common/core/completion.hpp).
  std::atomic<void (*)(Irp&)> cancel_routine_{nullptr};
  std::atomic<std::uint64_t> completions_{0};
  // The per-operation state (detail::IrpOp in common/core/completion.hpp), kept opaque
  // so that no internal type is part of the API. Aligned by its element type, not
  // alignas, which MSVC /W4 reports (C4324) in every user struct that embeds an IRP.
  // Zero is the idle state.
  std::uint64_t storage_[32]{};
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
