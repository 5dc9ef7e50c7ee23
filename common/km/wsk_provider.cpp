// SPDX-License-Identifier: MIT
// Provider dispatch: WskSocket, WskSocketConnect, WskControlClient, WskGetAddressInfo,
// WskFreeAddressInfo, WskGetNameInfo; and the kernel-sockaddr <-> Address conversion.
#include <array>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "common/km/wsk_internal.hpp"

namespace wskport::km {

namespace {

USHORT swap16(USHORT v) noexcept { return static_cast<USHORT>((v >> 8) | (v << 8)); }
ULONG swap32(ULONG v) noexcept {
  return ((v & 0xffU) << 24) | ((v & 0xff00U) << 8) | ((v >> 8) & 0xff00U) | (v >> 24);
}

}  // namespace

AddressFamily family_of(ADDRESS_FAMILY f) noexcept {
  switch (f) {
    case AF_INET:
      return AddressFamily::ipv4;
    case AF_INET6:
      return AddressFamily::ipv6;
    case AF_UNIX:
      return AddressFamily::unix_domain;
    default:
      return AddressFamily::unspecified;
  }
}

NTSTATUS from_sockaddr(const SOCKADDR* sa, Address& out) noexcept {
  if (sa == nullptr) return STATUS_INVALID_PARAMETER;
  if (sa->sa_family == AF_INET) {
    SOCKADDR_IN in;
    std::memcpy(&in, sa, sizeof in);
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), &in.sin_addr, 4);
    out = Address::ipv4(b, swap16(in.sin_port));
    return STATUS_SUCCESS;
  }
  if (sa->sa_family == AF_INET6) {
    SOCKADDR_IN6 in6;
    std::memcpy(&in6, sa, sizeof in6);
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &in6.sin6_addr, 16);
    out = Address::ipv6(b, swap16(in6.sin6_port), in6.sin6_scope_id, swap32(in6.sin6_flowinfo));
    return STATUS_SUCCESS;
  }
  return STATUS_INVALID_ADDRESS;
}

ULONG to_sockaddr(const Address& a, SOCKADDR* out) noexcept {
  if (out == nullptr) return 0;
  if (a.family() == AddressFamily::ipv4) {
    SOCKADDR_IN in{};
    in.sin_family = AF_INET;
    in.sin_port = swap16(a.port());
    std::memcpy(&in.sin_addr, a.ip_bytes().data(), 4);
    std::memcpy(out, &in, sizeof in);
    return sizeof in;
  }
  if (a.family() == AddressFamily::ipv6) {
    SOCKADDR_IN6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = swap16(a.port());
    in6.sin6_flowinfo = swap32(a.flow_info());
    std::memcpy(&in6.sin6_addr, a.ip_bytes().data(), 16);
    in6.sin6_scope_id = a.scope_id();
    std::memcpy(out, &in6, sizeof in6);
    return sizeof in6;
  }
  return 0;
}

namespace {

// Creates the core socket and its km object. Synchronous.
NTSTATUS create(Registration& reg, ADDRESS_FAMILY family, USHORT type, ULONG protocol,
                ULONG category, PVOID context, const void* dispatch, KmSocket*& out) noexcept {
  out = nullptr;
  if (category != WSK_FLAG_BASIC_SOCKET && category != WSK_FLAG_LISTEN_SOCKET &&
      category != WSK_FLAG_CONNECTION_SOCKET && category != WSK_FLAG_DATAGRAM_SOCKET &&
      category != WSK_FLAG_STREAM_SOCKET) {
    return STATUS_INVALID_PARAMETER;
  }
  const AddressFamily f = family_of(family);
  if (f == AddressFamily::unspecified) return STATUS_NOT_SUPPORTED;
  SocketType t{};
  if (type == SOCK_STREAM) {
    t = SocketType::stream;
  } else if (type == SOCK_DGRAM) {
    t = SocketType::datagram;
  } else {
    return STATUS_NOT_SUPPORTED;
  }
  Protocol p{};
  if (protocol == 0) {
    p = Protocol::automatic;
  } else if (protocol == IPPROTO_TCP) {
    p = Protocol::tcp;
  } else if (protocol == IPPROTO_UDP) {
    p = Protocol::udp;
  } else {
    return STATUS_NOT_SUPPORTED;
  }
  bridge::InlineScope scope;
  Irp irp;
  reg.provider->create_socket(f, t, p, static_cast<Category>(category), &irp);
  if (!NT_SUCCESS(irp.IoStatus.Status)) return irp.IoStatus.Status;
  const std::uintptr_t id = irp.IoStatus.Information;
  out = socket_new(reg, id, category, family, type, context, dispatch);
  if (out == nullptr) {
    Irp close;
    reg.provider->socket_from(id).close(&close);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  // WSK_SET_STATIC_EVENT_CALLBACKS: enabled on every socket created afterwards, where
  // the category has the event and the client gave a callback for it.
  ULONG statics = 0;
  {
    std::lock_guard lock(reg.m);
    statics = reg.static_events;
  }
  for (ULONG bit = 1; statics != 0 && bit != 0; bit <<= 1) {
    if ((statics & bit) != 0 && dispatch != nullptr) (void)set_events(*out, bit, true, nullptr);
  }
  return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS WSKAPI wsk_socket(PWSK_CLIENT client, ADDRESS_FAMILY family, USHORT type, ULONG protocol,
                           ULONG flags, PVOID context, const VOID* dispatch, PEPROCESS, PETHREAD,
                           PSECURITY_DESCRIPTOR, PIRP irp) {
  Registration* reg = registration_from(client);
  if (reg == nullptr || irp == nullptr) return STATUS_INVALID_PARAMETER;
  CallScope call(reg);
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  KmSocket* s = nullptr;
  const NTSTATUS st = create(*reg, family, type, protocol, flags, context, dispatch, s);
  return finish(*reg, irp, st, reinterpret_cast<ULONG_PTR>(s));
}

namespace {

// WskSocketConnect's last step: a failed connect closes the socket it created.
bool socket_connect_hook(PIRP irp) noexcept {
  KmSocket& s = *area(irp).socket;
  Registration& reg = *s.reg;
  const NTSTATUS st = core_irp(irp).IoStatus.Status;
  if (NT_SUCCESS(st)) {
    {
      std::lock_guard lock(s.m);
      s.state |= state_connected;
    }
    finish(reg, irp, STATUS_SUCCESS, reinterpret_cast<ULONG_PTR>(&s));
  } else {
    close_socket(s, nullptr);
    finish(reg, irp, st, 0);
  }
  return true;
}

}  // namespace

NTSTATUS WSKAPI wsk_socket_connect(PWSK_CLIENT client, USHORT type, ULONG protocol, PSOCKADDR local,
                                   PSOCKADDR remote, ULONG flags, PVOID context,
                                   const WSK_CLIENT_CONNECTION_DISPATCH* dispatch, PEPROCESS,
                                   PETHREAD, PSECURITY_DESCRIPTOR, PIRP irp) {
  Registration* reg = registration_from(client);
  if (reg == nullptr || irp == nullptr) return STATUS_INVALID_PARAMETER;
  CallScope call(reg);
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  Address la;
  Address ra;
  NTSTATUS st = from_sockaddr(local, la);
  if (NT_SUCCESS(st)) st = from_sockaddr(remote, ra);
  if (NT_SUCCESS(st) && (flags != 0 || type != SOCK_STREAM)) st = STATUS_INVALID_PARAMETER;
  KmSocket* s = nullptr;
  if (NT_SUCCESS(st)) {
    st = create(*reg, local->sa_family, type, protocol, WSK_FLAG_CONNECTION_SOCKET, context,
                dispatch, s);
  }
  if (NT_SUCCESS(st)) {
    bridge::InlineScope scope;
    Irp bind;
    s->core.bind(la, &bind);
    st = bind.IoStatus.Status;
    if (!NT_SUCCESS(st)) close_socket(*s, nullptr);
  }
  if (!NT_SUCCESS(st)) return finish(*reg, irp, st, 0);
  area(irp).socket = s;
  set_provider_hook(irp, &socket_connect_hook);
  s->core.connect(ra, &core_irp(irp));
  return STATUS_PENDING;
}

NTSTATUS WSKAPI wsk_control_client(PWSK_CLIENT client, ULONG code, SIZE_T in_size, PVOID in,
                                   SIZE_T out_size, PVOID out, SIZE_T* out_returned, PIRP irp) {
  Registration* reg = registration_from(client);
  if (reg == nullptr) return STATUS_INVALID_PARAMETER;
  CallScope call(reg);
  (void)out_size;
  (void)out;
  NTSTATUS st = STATUS_NOT_SUPPORTED;
  ULONG_PTR information = 0;
  if (out_returned != nullptr) *out_returned = 0;
  if (code == WSK_TRANSPORT_LIST_QUERY) {
    // The transports the backends offer: TCP and UDP over IPv4 and IPv6.
    static const struct {
      USHORT type;
      ULONG protocol;
      ADDRESS_FAMILY family;
    } list[] = {{SOCK_STREAM, IPPROTO_TCP, AF_INET},
                {SOCK_DGRAM, IPPROTO_UDP, AF_INET},
                {SOCK_STREAM, IPPROTO_TCP, AF_INET6},
                {SOCK_DGRAM, IPPROTO_UDP, AF_INET6}};
    const SIZE_T need = sizeof list / sizeof list[0] * sizeof(WSK_TRANSPORT);
    if (out == nullptr || out_size < need) {
      if (out_returned != nullptr) *out_returned = need;
      st = STATUS_BUFFER_OVERFLOW;
    } else {
      auto* t = static_cast<PWSK_TRANSPORT>(out);
      for (const auto& e : list) {
        WSK_TRANSPORT w{};
        w.Version = MAKE_WSK_VERSION(1, 0);
        w.SocketType = e.type;
        w.Protocol = e.protocol;
        w.AddressFamily = e.family;
        std::memcpy(t++, &w, sizeof w);
      }
      if (out_returned != nullptr) *out_returned = need;
      information = need;
      st = STATUS_SUCCESS;
    }
  } else if (code == WSK_SET_STATIC_EVENT_CALLBACKS) {
    const auto* c = static_cast<const WSK_EVENT_CALLBACK_CONTROL*>(in);
    const ULONG known = WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT |
                        WSK_EVENT_RECEIVE_FROM | WSK_EVENT_SEND_BACKLOG;
    if (c == nullptr || in_size < sizeof *c || c->NpiId == nullptr ||
        std::memcmp(c->NpiId, &NPI_WSK_INTERFACE_ID, sizeof(NPIID)) != 0 ||
        (c->EventMask & ~known) != 0) {
      st = STATUS_INVALID_PARAMETER;
    } else {
      std::lock_guard lock(reg->m);
      reg->static_events = c->EventMask;
      st = STATUS_SUCCESS;
    }
  } else if (code == WSK_CACHE_SD || code == WSK_RELEASE_SD) {
    // Security descriptors do not exist in a process: WSK_CACHE_SD hands back the
    // input pointer so code that caches and releases one runs unchanged.
    if (code == WSK_CACHE_SD && out != nullptr && out_size >= sizeof(PVOID)) {
      std::memcpy(out, &in, sizeof(PVOID));
      if (out_returned != nullptr) *out_returned = sizeof(PVOID);
      information = sizeof(PVOID);
      st = STATUS_SUCCESS;
    } else {
      st = code == WSK_RELEASE_SD ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
  }
  if (irp == nullptr) return st;
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  return finish(*reg, irp, st, information);
}

}  // namespace wskport::km
