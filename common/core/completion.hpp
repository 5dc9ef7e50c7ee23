// SPDX-License-Identifier: MIT
// The completion funnel and the IRP's private interface. Every path that finishes an
// IRP (synchronous failure, inline success, asynchronous result, cancel, close, forced
// close) ends in complete_irp(), which is the only place that enforces exactly-once.
#pragma once

#include <cstdint>

#include "wskport/irp.hpp"

namespace wskport::detail {

class ProviderCore;
class SocketImpl;

/// Private access to Irp internals for the front end and the backends.
struct IrpAccess {
  /// Takes the IRP for a new call: idle/completed -> pending, resets the per-operation
  /// state and the cancel flag, sets IoStatus to {pending, 0}. Returns false (and
  /// changes nothing) if the IRP is still pending from an earlier call.
  static bool accept(Irp& irp, OpKind kind) noexcept;

  static IrpOp& op(Irp& irp) noexcept { return irp.op_; }

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
