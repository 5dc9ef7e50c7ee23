// SPDX-License-Identifier: MIT
// Front end, operations that may wait: accept, connect, send, receive, send_to,
// receive_from, disconnect. Each fills the IRP's op block and takes the one path
// (ProviderCore::issue, frontend.hpp) with its own checks; the engine's submit does the
// rest.
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
  return issue<OpKind::accept>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        if (!category_has(s.params().category, OpKind::accept) || !s.listening) {
          return status::invalid_device_state;
        }
        op.out1 = local;
        op.out2 = remote;
        return status::success;
      },
      NoAfter{});
}

NTSTATUS ProviderCore::connect(std::uintptr_t id, const Address* remote, NTSTATUS address_status,
                               Irp* irp) noexcept {
  return issue<OpKind::connect>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        if (!nt_success(address_status)) return address_status;
        if (!category_has(s.params().category, OpKind::connect)) {
          return status::invalid_device_state;
        }
        if (!s.bound || s.listening) {
          return status::invalid_device_state;  // WSK: bind is mandatory before connect
        }
        if (s.connected) return status::connection_active;
        if (s.connecting) return status::network_busy;
        if (remote == nullptr || remote->family() != s.params().family) {
          return status::invalid_address;
        }
        s.connecting = true;
        op.in1 = remote;
        return status::success;
      },
      NoAfter{});
}

NTSTATUS ProviderCore::send(std::uintptr_t id, BufferArgs<ConstBuffer> buffers, unsigned flags,
                            Irp* irp) noexcept {
  return issue<OpKind::send>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> Gate {
        NTSTATUS st = check_connected(s, OpKind::send);
        if (nt_success(st) && s.fin_sent) st = status::invalid_device_state;
        if (nt_success(st) && (flags & ~send_flags::nodelay) != 0) st = status::not_supported;
        if (nt_success(st)) st = attach_buffers(*irp, buffers);
        if (nt_success(st)) st = check_not_lost(s);
        if (!nt_success(st)) return st;
        if (op.total == 0) return Gate::finish(status::success);  // nothing for the transport
        op.flags = flags;
        return status::success;
      },
      NoAfter{});
}

NTSTATUS ProviderCore::receive(std::uintptr_t id, BufferArgs<MutableBuffer> buffers, unsigned flags,
                               Irp* irp) noexcept {
  return issue<OpKind::receive>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        NTSTATUS st = check_connected(s, OpKind::receive);
        const unsigned known = receive_flags::waitall | receive_flags::drain;
        if (nt_success(st) && ((flags & ~known) != 0 || (flags & known) == known)) {
          st = status::not_supported;
        }
        if (nt_success(st)) st = attach_buffers(*irp, buffers);
        if (nt_success(st) && (flags & receive_flags::drain) != 0 && op.total != 0) {
          st = status::invalid_parameter;
        }
        if (nt_success(st)) st = check_not_lost(s);
        op.flags = flags;
        return st;
      },
      NoAfter{});
}

NTSTATUS ProviderCore::send_to(std::uintptr_t id, BufferArgs<ConstBuffer> buffers,
                               const Address* remote, Irp* irp) noexcept {
  return issue<OpKind::send_to>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        if (!category_has(s.params().category, OpKind::send_to) || !s.bound) {
          return status::invalid_device_state;
        }
        if (remote == nullptr) return status::invalid_parameter;
        if (remote->family() != s.params().family) return status::invalid_address;
        op.in1 = remote;
        return attach_datagram_buffers(*irp, buffers);
      },
      NoAfter{});
}

NTSTATUS ProviderCore::receive_from(std::uintptr_t id, BufferArgs<MutableBuffer> buffers,
                                    Address* remote, unsigned* control_flags, Irp* irp) noexcept {
  return issue<OpKind::receive_from>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        if (!category_has(s.params().category, OpKind::receive_from) || !s.bound) {
          return status::invalid_device_state;
        }
        const NTSTATUS st = attach_datagram_buffers(*irp, buffers);
        if (!nt_success(st)) return st;
        op.out1 = remote;
        op.out2 = control_flags;
        if (control_flags != nullptr) *control_flags = 0;
        return status::success;
      },
      NoAfter{});
}

NTSTATUS ProviderCore::disconnect(std::uintptr_t id, BufferArgs<ConstBuffer> buffers,
                                  unsigned flags, Irp* irp) noexcept {
  return issue<OpKind::disconnect>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        const bool abortive = (flags & disconnect_flags::abortive) != 0;
        NTSTATUS st = check_connected(s, OpKind::disconnect);
        if (nt_success(st) && (flags & ~disconnect_flags::abortive) != 0) {
          st = status::not_supported;
        }
        if (nt_success(st) && !abortive && s.fin_sent) st = status::invalid_device_state;
        if (nt_success(st)) st = attach_buffers(*irp, buffers);
        if (nt_success(st) && abortive && op.total != 0) {
          st = status::invalid_parameter;  // WSK: no final data with an abortive disconnect
        }
        if (nt_success(st)) st = check_not_lost(s);
        if (!nt_success(st)) return st;
        op.flags = flags;
        // Later sends are refused from now on, even while this one waits for earlier
        // sends to drain.
        if (!abortive) s.fin_sent = true;
        return status::success;
      },
      NoAfter{});
}

}  // namespace wskport::detail
