// SPDX-License-Identifier: MIT
// Front end, operations that may wait: accept, connect, send, receive, send_to,
// receive_from, disconnect. The pattern is the same in each: accept the IRP, find the
// socket, check category and state under the socket's lock, mark the IRP pending on
// the socket, hand it to the backend, and complete inline or return pending.
#include "common/core/frontend.hpp"

namespace wskport::detail {

namespace {

// State errors for stream transfers, which the library answers itself.
NTSTATUS check_connected(const SocketImpl& s, OpKind kind) noexcept {
  if (!category_has(s.params().category, kind)) return status::invalid_device_state;
  if (s.aborted) return status::connection_aborted;
  if (!s.connected) return status::invalid_device_state;
  return status::success;
}

// A datagram goes to the engine in one native call, which takes at most
// max_datagram_buffers descriptors: more are refused before anything is sent or
// consumed, the same on every engine.
template <class B>
NTSTATUS attach_datagram_buffers(Irp& irp, const BufferArgs<B>& args) noexcept {
  const NTSTATUS st = attach_buffers(irp, args);
  if (nt_success(st) && IrpAccess::op(irp).buffer_count > max_datagram_buffers) {
    return status::invalid_parameter;
  }
  return st;
}

// A connection the peer reset (or that timed out) stays lost: an engine noticed it once
// (SocketImpl::lost), every later transfer hears it from here, after its arguments
// were found valid. success while the connection is intact.
NTSTATUS check_not_lost(const SocketImpl& s) noexcept { return s.lost; }

}  // namespace

NTSTATUS ProviderCore::accept(std::uintptr_t id, Address* local, Address* remote,
                              Irp* irp) noexcept {
  Call call(*this, irp, OpKind::accept);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  {
    std::lock_guard lock(sock.mutex);
    NTSTATUS st = usable(sock);
    if (nt_success(st) &&
        (!category_has(sock.params().category, OpKind::accept) || !sock.listening)) {
      st = status::invalid_device_state;
    }
    if (!nt_success(st)) {
      start = Start::done(st);
    } else {
      auto& op = IrpAccess::op(call.irp());
      op.out1 = local;
      op.out2 = remote;
      sock.op_started(call.irp(), s);
      start = backend_->accept(sock, call.irp());
    }
  }
  return call.finish(start);
}

NTSTATUS ProviderCore::connect(std::uintptr_t id, const Address* remote, NTSTATUS address_status,
                               Irp* irp) noexcept {
  Call call(*this, irp, OpKind::connect);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  {
    std::lock_guard lock(sock.mutex);
    NTSTATUS st = usable(sock);
    if (!nt_success(st)) {
    } else if (!nt_success(address_status)) {
      st = address_status;
    } else if (!category_has(sock.params().category, OpKind::connect)) {
      st = status::invalid_device_state;
    } else if (!sock.bound || sock.listening) {
      st = status::invalid_device_state;  // WSK: bind is mandatory before connect
    } else if (sock.connected) {
      st = status::connection_active;
    } else if (sock.connecting) {
      st = status::network_busy;
    } else if (remote == nullptr || remote->family() != sock.params().family) {
      st = status::invalid_address;
    }
    if (!nt_success(st)) {
      start = Start::done(st);
    } else {
      sock.connecting = true;
      sock.op_started(call.irp(), s);
      start = backend_->connect(sock, *remote, call.irp());
    }
  }
  return call.finish(start);
}

NTSTATUS ProviderCore::send(std::uintptr_t id, BufferArgs<ConstBuffer> buffers, unsigned flags,
                            Irp* irp) noexcept {
  Call call(*this, irp, OpKind::send);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  {
    std::lock_guard lock(sock.mutex);
    NTSTATUS st = usable(sock);
    if (nt_success(st)) st = check_connected(sock, OpKind::send);
    if (nt_success(st) && sock.fin_sent) st = status::invalid_device_state;
    if (nt_success(st) && (flags & ~send_flags::nodelay) != 0) st = status::not_supported;
    if (nt_success(st)) st = attach_buffers(call.irp(), buffers);
    if (nt_success(st)) st = check_not_lost(sock);
    auto& op = IrpAccess::op(call.irp());
    if (!nt_success(st)) {
      start = Start::done(st);
    } else if (op.total == 0) {
      start = Start::done(status::success, 0);  // nothing to hand the transport
    } else {
      op.flags = flags;
      sock.op_started(call.irp(), s);
      start = backend_->send(sock, call.irp());
    }
  }
  return call.finish(start);
}

NTSTATUS ProviderCore::receive(std::uintptr_t id, BufferArgs<MutableBuffer> buffers, unsigned flags,
                               Irp* irp) noexcept {
  Call call(*this, irp, OpKind::receive);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  {
    std::lock_guard lock(sock.mutex);
    NTSTATUS st = usable(sock);
    if (nt_success(st)) st = check_connected(sock, OpKind::receive);
    const unsigned known = receive_flags::waitall | receive_flags::drain;
    if (nt_success(st) && ((flags & ~known) != 0 || (flags & known) == known)) {
      st = status::not_supported;
    }
    if (nt_success(st)) st = attach_buffers(call.irp(), buffers);
    auto& op = IrpAccess::op(call.irp());
    if (nt_success(st) && (flags & receive_flags::drain) != 0 && op.total != 0) {
      st = status::invalid_parameter;
    }
    if (nt_success(st)) st = check_not_lost(sock);
    if (!nt_success(st)) {
      start = Start::done(st);
    } else {
      op.flags = flags;
      sock.op_started(call.irp(), s);
      start = backend_->receive(sock, call.irp());
    }
  }
  return call.finish(start);
}

NTSTATUS ProviderCore::send_to(std::uintptr_t id, BufferArgs<ConstBuffer> buffers,
                               const Address* remote, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::send_to);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  {
    std::lock_guard lock(sock.mutex);
    NTSTATUS st = usable(sock);
    if (!nt_success(st)) {
    } else if (!category_has(sock.params().category, OpKind::send_to) || !sock.bound) {
      st = status::invalid_device_state;
    } else if (remote == nullptr) {
      st = status::invalid_parameter;
    } else if (remote->family() != sock.params().family) {
      st = status::invalid_address;
    } else {
      st = attach_datagram_buffers(call.irp(), buffers);
    }
    if (!nt_success(st)) {
      start = Start::done(st);
    } else {
      IrpAccess::op(call.irp()).in1 = remote;
      sock.op_started(call.irp(), s);
      start = backend_->send_to(sock, call.irp());
    }
  }
  return call.finish(start);
}

NTSTATUS ProviderCore::receive_from(std::uintptr_t id, BufferArgs<MutableBuffer> buffers,
                                    Address* remote, unsigned* control_flags, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::receive_from);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  {
    std::lock_guard lock(sock.mutex);
    NTSTATUS st = usable(sock);
    if (!nt_success(st)) {
    } else if (!category_has(sock.params().category, OpKind::receive_from) || !sock.bound) {
      st = status::invalid_device_state;
    } else {
      st = attach_datagram_buffers(call.irp(), buffers);
    }
    if (!nt_success(st)) {
      start = Start::done(st);
    } else {
      auto& op = IrpAccess::op(call.irp());
      op.out1 = remote;
      op.out2 = control_flags;
      if (control_flags != nullptr) *control_flags = 0;
      sock.op_started(call.irp(), s);
      start = backend_->receive_from(sock, call.irp());
    }
  }
  return call.finish(start);
}

NTSTATUS ProviderCore::disconnect(std::uintptr_t id, BufferArgs<ConstBuffer> buffers,
                                  unsigned flags, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::disconnect);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  SocketImpl& sock = *s;
  Start start;
  IrpList others;
  {
    std::lock_guard lock(sock.mutex);
    const bool abortive = (flags & disconnect_flags::abortive) != 0;
    NTSTATUS st = usable(sock);
    if (nt_success(st)) st = check_connected(sock, OpKind::disconnect);
    if (nt_success(st) && (flags & ~disconnect_flags::abortive) != 0) st = status::not_supported;
    if (nt_success(st) && !abortive && sock.fin_sent) st = status::invalid_device_state;
    if (nt_success(st)) st = attach_buffers(call.irp(), buffers);
    if (nt_success(st) && abortive && IrpAccess::op(call.irp()).total != 0) {
      st = status::invalid_parameter;  // WSK: no final data with an abortive disconnect
    }
    if (nt_success(st)) st = check_not_lost(sock);
    if (!nt_success(st)) {
      start = Start::done(st);
    } else {
      IrpAccess::op(call.irp()).flags = flags;
      // Later sends are refused from now on, even while this one waits for earlier
      // sends to drain.
      if (!abortive) sock.fin_sent = true;
      sock.op_started(call.irp(), s);
      start = backend_->disconnect(sock, call.irp(), others);
    }
  }
  others.complete_all();
  return call.finish(start);
}

}  // namespace wskport::detail
