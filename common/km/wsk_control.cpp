// SPDX-License-Identifier: MIT
// WskControlSocket and WskCloseSocket.
#include <cstring>
#include <gsl/narrow>

#include "common/km/km_image.hpp"
#include "common/km/wsk_internal.hpp"

namespace wskport::km {

namespace {

// The option a (level, name) pair names, or false.
bool option_of(ULONG level, ULONG name, SocketOption& out) noexcept {
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_REUSEADDR:
        out = SocketOption::reuse_address;
        return true;
      case static_cast<ULONG>(SO_EXCLUSIVEADDRUSE):
        out = SocketOption::exclusive_address_use;
        return true;
      case SO_KEEPALIVE:
        out = SocketOption::keep_alive;
        return true;
      case SO_RCVBUF:
        out = SocketOption::receive_buffer;
        return true;
      case SO_SNDBUF:
        out = SocketOption::send_buffer;
        return true;
      case SO_BROADCAST:
        out = SocketOption::broadcast;
        return true;
      default:
        return false;
    }
  }
  if (level == IPPROTO_TCP && name == TCP_NODELAY) {
    out = SocketOption::no_delay;
    return true;
  }
  if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
    out = SocketOption::ipv6_only;
    return true;
  }
  return false;
}

// Result of a control call without an IRP, or with one (completed, STATUS_PENDING).
NTSTATUS done(KmSocket& s, PIRP irp, NTSTATUS st, ULONG_PTR info) noexcept {
  if (irp == nullptr) return st;
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  return finish(*s.reg, irp, st, info);
}

}  // namespace

NTSTATUS WSKAPI wsk_control_socket(PWSK_SOCKET socket, WSK_CONTROL_SOCKET_TYPE type, ULONG code,
                                   ULONG level, SIZE_T in_size, PVOID in, SIZE_T out_size,
                                   PVOID out, SIZE_T* out_returned, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr) return STATUS_INVALID_PARAMETER;
  if (out_returned != nullptr) *out_returned = 0;
  if (type == WskSetOption && level == SOL_SOCKET && code == SO_WSK_EVENT_CALLBACK) {
    const auto* c = static_cast<const WSK_EVENT_CALLBACK_CONTROL*>(in);
    if (c == nullptr || in_size < sizeof *c || c->NpiId == nullptr ||
        std::memcmp(c->NpiId, &NPI_WSK_INTERFACE_ID, sizeof(NPIID)) != 0) {
      return done(*s, irp, STATUS_INVALID_PARAMETER, 0);
    }
    if ((c->EventMask & WSK_EVENT_DISABLE) != 0 && irp != nullptr) {
      if (!enter(irp)) return STATUS_INVALID_PARAMETER;
      const NTSTATUS st = set_events(*s, c->EventMask, false, irp);
      if (st == STATUS_PENDING) return STATUS_PENDING;  // completes when callbacks end
      return finish(*s->reg, irp, st, 0);
    }
    // Enabling takes no IRP in WSK; one given anyway is completed with the result.
    return done(*s, irp, set_events(*s, c->EventMask, false, nullptr), 0);
  }
  if (type == WskIoctl) {
    if (code == SIO_WSK_SET_REMOTE_ADDRESS || code == SIO_WSK_SET_SENDTO_ADDRESS) {
      if (irp == nullptr) return STATUS_INVALID_PARAMETER;  // IRP required
      if (s->category != WSK_FLAG_DATAGRAM_SOCKET) {
        return done(*s, irp, STATUS_INVALID_DEVICE_STATE, 0);
      }
      Address a;
      NTSTATUS st = STATUS_SUCCESS;
      const bool clear = in == nullptr || in_size == 0;
      if (!clear) st = from_sockaddr(static_cast<const SOCKADDR*>(in), a);
      if (NT_SUCCESS(st)) {
        std::lock_guard lock(s->m);
        if (code == SIO_WSK_SET_REMOTE_ADDRESS) {
          s->has_remote = !clear;
          s->remote = a;
        } else {
          s->has_sendto = !clear;
          s->sendto = a;
        }
      }
      return done(*s, irp, st, 0);
    }
    if (code == SIO_WSK_QUERY_INSPECT_ID) {
      // Documented with no IRP; one given anyway is completed with the result.
      const NTSTATUS st = query_inspect_id(*s, out, out_size);
      if (NT_SUCCESS(st) && out_returned != nullptr) *out_returned = sizeof(WSK_INSPECT_ID);
      return done(*s, irp, st, NT_SUCCESS(st) ? sizeof(WSK_INSPECT_ID) : 0);
    }
    if (code == SIO_WSK_QUERY_IDEAL_SEND_BACKLOG) {
      if (out == nullptr || out_size < sizeof(SIZE_T)) {
        return done(*s, irp, STATUS_BUFFER_TOO_SMALL, 0);
      }
      bridge::InlineScope scope;
      Irp i;
      s->core.get_option(SocketOption::send_buffer, &i);
      NTSTATUS st = i.IoStatus.Status;
      if (NT_SUCCESS(st)) {
        const SIZE_T v = i.IoStatus.Information;
        std::memcpy(out, &v, sizeof v);
        if (out_returned != nullptr) *out_returned = sizeof v;
      }
      return done(*s, irp, st, NT_SUCCESS(st) ? sizeof(SIZE_T) : 0);
    }
    return done(*s, irp, STATUS_NOT_SUPPORTED, 0);
  }
  if (level == SOL_SOCKET && code == SO_CONDITIONAL_ACCEPT &&
      (type == WskSetOption || type == WskGetOption)) {
    // A WSK-level mode, not a transport option: the core never sees it.
    if (irp == nullptr) return STATUS_INVALID_PARAMETER;  // an IRP is required
    if (!enter(irp)) return STATUS_INVALID_PARAMETER;
    ULONG v = 0;
    if (type == WskSetOption) {
      if (in == nullptr || in_size < sizeof v) {
        return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
      }
      std::memcpy(&v, in, sizeof v);
      return finish(*s->reg, irp, set_conditional_accept(*s, v), 0);
    }
    if (out == nullptr || out_size < sizeof v) {
      return finish(*s->reg, irp, STATUS_BUFFER_TOO_SMALL, 0);
    }
    {
      std::lock_guard lock(s->m);
      v = s->conditional ? 1 : 0;
    }
    std::memcpy(out, &v, sizeof v);
    return finish(*s->reg, irp, STATUS_SUCCESS, sizeof v);
  }
  SocketOption option{};
  if ((type != WskSetOption && type != WskGetOption) || !option_of(level, code, option)) {
    return done(*s, irp, STATUS_INVALID_PARAMETER, 0);
  }
  if (irp == nullptr) return STATUS_INVALID_PARAMETER;  // socket options require an IRP
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  bridge::InlineScope scope;
  Irp i;
  if (type == WskSetOption) {
    ULONG v = 0;
    if (in == nullptr || in_size < sizeof v)
      return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
    std::memcpy(&v, in, sizeof v);
    s->core.set_option(option, v, &i);
    return finish(*s->reg, irp, i.IoStatus.Status, 0);
  }
  if (out == nullptr || out_size < sizeof(ULONG)) {
    return finish(*s->reg, irp, STATUS_BUFFER_TOO_SMALL, 0);
  }
  s->core.get_option(option, &i);
  if (!NT_SUCCESS(i.IoStatus.Status)) return finish(*s->reg, irp, i.IoStatus.Status, 0);
  const auto v = gsl::narrow<ULONG>(i.IoStatus.Information);  // option values are 32-bit
  std::memcpy(out, &v, sizeof v);
  return finish(*s->reg, irp, STATUS_SUCCESS, sizeof v);
}

NTSTATUS WSKAPI wsk_close_socket(PWSK_SOCKET socket, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr) return STATUS_INVALID_PARAMETER;
  {
    // A second close while the first is still under way: the socket is not freed yet,
    // but the close IRP it carries must not be replaced.
    std::lock_guard lock(s->m);
    if (s->closing) {
      closed_socket_used(socket, s->closed_from, __func__);
      return STATUS_INVALID_PARAMETER;
    }
    s->closed_from = WSKPORT_KM_CALLER();
  }
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  return close_socket(*s, irp);
}

}  // namespace wskport::km
