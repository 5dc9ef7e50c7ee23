// SPDX-License-Identifier: MIT
// The few core services the WSK layer needs that live behind the provider's private
// header (which pulls in Boost.Asio and so the platform's socket headers). The km
// sources include kernel headers (<ws2def.h> ...) that must never meet the platform's
// own in one translation unit, so these are compiled in a separate object library
// without the km include path, and the km sources see only this plain interface.
#pragma once

#include <cstdint>

#include "common/core/operations.hpp"
#include "wskport/irp.hpp"
#include "wskport/provider.hpp"

namespace wskport::detail {
/// The core's cancel hook type (common/core/completion.hpp, which this plain interface
/// does not include).
using CancelRoutine = void (*)(Irp& irp);
}  // namespace wskport::detail

namespace wskport::km::bridge {

/// Takes @p irp into the core's bookkeeping for an operation the WSK layer serves
/// itself (a receive served from data it buffered, a queued accept, a synchronous
/// result): idle/completed -> pending, counted in `Provider::outstanding_irps` until
/// the funnel completes it. False if the IRP is still pending from an earlier call.
bool begin(Provider& provider, Irp& irp, detail::OpKind kind) noexcept;

/// Completes an IRP taken with begin() through the core's one funnel, on this thread,
/// or (past the provider's inline depth) from a provider thread, so a client that
/// re-issues from its completion routine cannot grow the stack without bound.
void complete(Provider& provider, Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept;

/// Completes through the funnel on this thread whatever the nesting depth: for the
/// last completion of a socket (its close), which must have run before the
/// registration may count the socket as gone.
void complete_inline(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept;

/// Runs fn(arg) on a provider thread.
void post(Provider& provider, void (*fn)(void*), void* arg) noexcept;

/// Installs a cancel routine on an IRP taken with begin(). False if a cancel came
/// first and the caller got the routine back: it must complete the IRP as cancelled.
bool arm_cancel(Irp& irp, detail::CancelRoutine routine) noexcept;
/// Takes the cancel routine back; false if a canceller already owns the completion.
bool disarm_cancel(Irp& irp) noexcept;

/// Per-IRP words the WSK layer keeps in the core's op block while it holds an IRP in
/// its own queues (the op block is unused by the core then).
void*& slot(Irp& irp, int index) noexcept;

/// While alive, the core's synchronous calls on this thread complete inline whatever
/// the completion nesting depth, so the WSK layer can issue one with a plain internal
/// IRP (no routine) and read the result at once without waiting for a posted
/// completion (which would deadlock on a provider thread).
class InlineScope {
 public:
  InlineScope() noexcept;
  ~InlineScope();
  InlineScope(const InlineScope&) = delete;
  InlineScope& operator=(const InlineScope&) = delete;

 private:
  unsigned saved_;
};

}  // namespace wskport::km::bridge
