// SPDX-License-Identifier: MIT
// The front end's one path (ProviderCore::issue) and the checks the front-end files
// share: whether a socket can take a call at all, and buffer validation. Answers here
// are the library's own (state errors), so they never depend on the platform; which
// categories have which operation is the operation table's (operations.hpp).
#pragma once

#include <cstddef>
#include <limits>
#include <type_traits>

#include "common/core/completion.hpp"
#include "common/core/operations.hpp"
#include "common/core/provider_core.hpp"
#include "common/core/socket_impl.hpp"
#include "common/core/verifier.hpp"

namespace wskport::detail {

/// Whether the socket can take a call (s.mutex held): a closing socket's handle is
/// already stale; a forced-closed one answers file_forced_closed until it is closed.
inline NTSTATUS usable(const SocketImpl& s) noexcept {
  if (s.closing) return status::invalid_handle;
  if (s.forced) return status::file_forced_closed;
  return status::success;
}

/// Validates a caller's buffer descriptors, copies a single one into the IRP, and
/// points the IRP's op block at them. Returns success or invalid_parameter.
template <class B>
NTSTATUS attach_buffers(Irp& irp, const BufferArgs<B>& args) noexcept {
  auto& op = IrpAccess::op(irp);
  const B* array = args.array;
  std::size_t count = args.count;
  if (args.single != nullptr) {
    if constexpr (std::is_same_v<B, ConstBuffer>) {
      op.single_send = *args.single;
      array = &op.single_send;
    } else {
      op.single_receive = *args.single;
      array = &op.single_receive;
    }
    count = 1;
  }
  if (count != 0 && array == nullptr) return status::invalid_parameter;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (array[i].data == nullptr && array[i].size != 0) return status::invalid_parameter;
    if (array[i].size > std::numeric_limits<std::size_t>::max() - total) {
      return status::invalid_parameter;
    }
    total += array[i].size;
  }
  if constexpr (std::is_same_v<B, ConstBuffer>) {
    op.buffers.send = array;
  } else {
    op.buffers.receive = array;
  }
  op.buffer_count = count;
  op.total = total;
  return status::success;
}

/// The socket for @p id, or null after completing @p call with invalid_handle.
inline SocketRef find_or_fail(ProviderCore& core, Call& call, std::uintptr_t id,
                              NTSTATUS& result) noexcept {
  SocketRef s = core.table().find(id);
  if (verifier::on(verifier::check::usage)) verifier::check_socket_call(call.irp(), id, s.get());
  if (!s) result = call.complete(status::invalid_handle);
  return s;
}

/// A call's check (ProviderCore::issue): submit to the engine, or finish now with a
/// status. A status converts: success submits, a failure finishes.
struct Gate {
  bool submit = true;
  NTSTATUS status = status::success;
  // Implicit on purpose: a check returns a plain status.
  Gate(NTSTATUS st) noexcept : submit(nt_success(st)), status(st) {}
  /// Finishes with @p st without the engine (nothing for it to do).
  static Gate finish(NTSTATUS st) noexcept {
    Gate g(st);
    g.submit = false;
    return g;
  }
};

/// No state to update after the engine answered.
struct NoAfter {
  void operator()(SocketImpl& /*s*/, IrpOp& /*op*/, Start& /*start*/) const noexcept {}
};

/// The one path of every call on a socket: accept the IRP (refusing a null or pending
/// one), look up the socket (completing invalid_handle for a stale id), and under the
/// socket's lock: refuse a closing or forced-closed socket, run @p check (the call's
/// own argument and state checks; it fills the op block and may update the state
/// machine when it lets the call through), take the rundown count for a kind that
/// waits, submit to the engine, and let @p after record what the engine's answer
/// means for the state machine. Completes inline or returns pending.
template <OpKind Kind, class Check, class After>
NTSTATUS ProviderCore::issue(std::uintptr_t id, Irp* irp, Check&& check, After&& after) noexcept {
  Call call(*this, irp, Kind);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  IrpList others;
  {
    std::lock_guard lock(sock.mutex);
    IrpOp& op = IrpAccess::op(call.irp());
    const NTSTATUS st = usable(sock);
    const Gate gate = nt_success(st) ? Gate(check(sock, op)) : Gate(st);
    if (!gate.submit) {
      start = Start::done(gate.status);
    } else {
      if constexpr (op_info(Kind).waits) sock.op_started(call.irp(), s);
      start = backend_->submit(sock, call.irp(), others);
      after(sock, op, start);
    }
  }
  if (!others.empty()) others.complete_all();  // only an abortive disconnect lists any
  return call.finish(start);
}

}  // namespace wskport::detail
