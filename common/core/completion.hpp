// SPDX-License-Identifier: MIT
// The completion funnel and the IRP's private interface. Every path that finishes an
// IRP (synchronous failure, inline success, asynchronous result, cancel, close, forced
// close) ends in complete_irp(), which is the only place that enforces exactly-once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "common/core/operations.hpp"
#include "wskport/buffer.hpp"
#include "wskport/irp.hpp"

namespace wskport::detail {

class ProviderCore;
class SocketImpl;

/// An engine's cancel hook: called at most once, on the thread that cancels, after the
/// canceller has claimed it; it must complete the IRP with `status::cancelled`.
using CancelRoutine = void (*)(Irp& irp);

/// Per-operation state, kept in the IRP's opaque storage so that no operation
/// allocates. Written by the front end when it accepts a call (the operation's kind and
/// inputs) and by the engine while the call is pending. All zero is its idle state.
struct IrpOp {
  Irp* next = nullptr;  ///< engine queue link
  Irp* prev = nullptr;
  ProviderCore* provider = nullptr;  ///< counts the IRP as outstanding while pending
  SocketImpl* socket = nullptr;      ///< holds a reference while pending (waiting kinds)
  union {
    const ConstBuffer* send;
    const MutableBuffer* receive;
  } buffers{nullptr};
  std::size_t buffer_count = 0;
  std::size_t total = 0;       ///< bytes requested
  std::size_t done = 0;        ///< bytes moved so far
  std::size_t seg_index = 0;   ///< cursor into the buffer array
  std::size_t seg_offset = 0;  ///< cursor inside buffers[seg_index]
  /// send/receive/disconnect: the call's flags; set_option: the value.
  std::uint32_t flags = 0;
  OpKind kind = OpKind::none;
  bool queued = false;  ///< on an engine queue (guarded by the socket's lock)
  /// set_option, get_option: which option.
  SocketOption option = SocketOption::reuse_address;
  /// accept: local Address*; receive_from: remote Address*; local_address,
  /// remote_address: the Address* to fill.
  void* out1 = nullptr;
  void* out2 = nullptr;       ///< accept: remote Address*; receive_from: control flags
  const void* in1 = nullptr;  ///< bind: local, connect and send_to: remote (const Address*)
  NTSTATUS final_status = 0;  ///< result parked on a completion list
  std::uintptr_t final_information = 0;
  /// Inline buffer descriptors for the single-buffer call overloads.
  ConstBuffer single_send{};
  MutableBuffer single_receive{};
  /// Engine scratch space (an OVERLAPPED on Windows); never touched by common code.
  std::uint64_t native[12]{};
};

/// Private access to Irp internals for the front end and the backends.
struct IrpAccess {
  /// Takes the IRP for a new call: idle/completed -> pending, resets the per-operation
  /// state and the cancel flag, sets IoStatus to {pending, 0}. Returns false (and
  /// changes nothing) if the IRP is still pending from an earlier call.
  static bool accept(Irp& irp, OpKind kind) noexcept;

  /// The IRP's op block, in its opaque storage. Zero-initialised storage is an idle
  /// IrpOp (every member's default is zero), so no constructor runs on it.
  static IrpOp& op(Irp& irp) noexcept {
    static_assert(sizeof(IrpOp) <= sizeof(Irp::storage_), "Irp::storage_ too small");
    static_assert(alignof(IrpOp) <= alignof(std::uint64_t), "Irp::storage_ misaligned");
    static_assert(std::is_trivially_copyable_v<IrpOp> && std::is_standard_layout_v<IrpOp>);
    return *std::launder(reinterpret_cast<IrpOp*>(irp.storage_));
  }
  static const IrpOp& op(const Irp& irp) noexcept {
    return *std::launder(reinterpret_cast<const IrpOp*>(irp.storage_));
  }

  /// Installs the backend's cancel routine while the IRP waits. Returns true if the
  /// IRP may keep waiting; false if a cancel was already requested and the caller got
  /// the routine back: the caller must then dequeue and complete it as cancelled.
  [[nodiscard]] static bool arm_cancel(Irp& irp, CancelRoutine routine) noexcept;

  /// Takes the cancel routine back before the backend works on a waiting IRP. Returns
  /// false if a canceller already took it: the canceller's routine will dequeue and
  /// complete the IRP, so the backend must leave it alone.
  [[nodiscard]] static bool disarm_cancel(Irp& irp) noexcept;

  /// The funnel's body (see complete_irp).
  static void complete(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept;

  /// The funnel's routine call while the verifier's irp checks are on: reports a
  /// routine that throws, naming operation @p kind on socket @p id.
  static void run_routine_verified(Irp& irp, CompletionRoutine routine, void* context, OpKind kind,
                                   std::uintptr_t id) noexcept;
};

/// The funnel. Completes @p irp with @p status and @p information, runs its routine
/// (never under a library lock: callers must not hold one), then releases what the
/// pending call held: the socket's rundown count and reference, and the provider's
/// outstanding count. A second completion of the same call is a library bug; it is
/// reported and ignored, never delivered.
void complete_irp(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept;

/// Depth of completion routines running on this thread (inline nesting guard).
unsigned& completion_depth() noexcept;

}  // namespace wskport::detail
