// SPDX-License-Identifier: MIT
// Close and the per-socket rundown. Close makes the handle stale at once, has the
// backend take every waiting IRP off its queues, completes them with
// status::cancelled, and completes the close IRP only after the last of those
// routines (and any racing canceller's) has returned: "no completion for a socket
// arrives after its close IRP completes".
#include "common/core/frontend.hpp"

namespace wskport::detail {

void SocketImpl::op_finished() noexcept {
  // Only the last one out can owe a deferred close, so the others skip the lock (two
  // library calls on every completion otherwise). A close reads the count under the
  // lock and parks itself while it is not zero; a decrement to zero after that read
  // finds the parked close here once the close has released the lock.
  if (pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  Irp* close = nullptr;
  {
    std::lock_guard lock(mutex);
    if (pending.load(std::memory_order_acquire) == 0 && close_irp != nullptr) {
      close = std::exchange(close_irp, nullptr);
    }
  }
  if (close != nullptr) {
    provider_.socket_closed();
    complete_irp(*close, status::success, 0);
    // The handle table's reference, which the deferred close carried until now. The
    // funnel calling us holds its own, so this object outlives the call.
    release();
  }
}

NTSTATUS ProviderCore::close(std::uintptr_t id, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::close);
  if (call.refused()) return status::invalid_parameter;
  // Removing the id first makes a second close, or any call racing this one, find a
  // stale handle instead of a socket being torn down.
  SocketRef s = table_.remove(id);
  if (!s) {
    // The one stale-handle case the front end's lookup hook does not see (close takes
    // the id out of the table instead of looking it up); reported here, where the id
    // is known, so that the report names the closed socket.
    if (verifier::on(verifier::check::usage)) {
      verifier::report(verifier::check::usage, &call.irp(), id, OpKind::close,
                       "close of a socket already closed (stale or unknown socket id; the "
                       "call completes with STATUS_INVALID_HANDLE)");
    }
    return call.complete(status::invalid_handle);
  }
  IrpList cancelled;
  bool deferred = false;
  {
    std::lock_guard lock(s->mutex);
    s->closing = true;
    backend_->teardown(*s, status::cancelled, cancelled);
    // IRPs listed for cancellation are still counted in `pending` until their
    // routines return; so is one a concurrent canceller is completing.
    if (s->pending != 0) {
      s->close_irp = &call.irp();
      s.detach();  // op_finished releases it after completing the close
      deferred = true;
    }
  }
  cancelled.complete_all();
  if (deferred) return status::pending;
  socket_closed();
  return call.complete(status::success);
}

}  // namespace wskport::detail
