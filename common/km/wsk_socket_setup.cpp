// SPDX-License-Identifier: MIT
// Socket setup: the dispatch tables, the IRP plumbing every entry point shares, and
// bind, listen, accept, connect, connect-ex, local/remote address.
#include <cstdio>
#include <mutex>
#include <new>
#include <utility>

#include "common/core/verifier.hpp"
#include "common/km/km_image.hpp"
#include "common/km/wsk_internal.hpp"

namespace wskport::km {

using detail::OpKind;

namespace {

const WSK_PROVIDER_BASIC_DISPATCH basic_dispatch = {&wsk_control_socket, &wsk_close_socket};

const WSK_PROVIDER_LISTEN_DISPATCH listen_dispatch = {
    basic_dispatch, &wsk_bind, &wsk_accept, &wsk_inspect_complete, &wsk_get_local_address};

const WSK_PROVIDER_DATAGRAM_DISPATCH datagram_dispatch = {
    basic_dispatch,         &wsk_bind,         &wsk_send_to, &wsk_receive_from, &wsk_release_dgram,
    &wsk_get_local_address, &wsk_send_messages};

const WSK_PROVIDER_CONNECTION_DISPATCH connection_dispatch = {basic_dispatch,
                                                              &wsk_bind,
                                                              &wsk_connect,
                                                              &wsk_get_local_address,
                                                              &wsk_get_remote_address,
                                                              &wsk_send,
                                                              &wsk_receive,
                                                              &wsk_disconnect,
                                                              &wsk_release,
                                                              &wsk_connect_ex,
                                                              &wsk_send_ex,
                                                              &wsk_receive_ex};

const WSK_PROVIDER_STREAM_DISPATCH stream_dispatch = {basic_dispatch,
                                                      &wsk_bind,
                                                      &wsk_accept,
                                                      &wsk_connect,
                                                      &wsk_listen,
                                                      &wsk_send,
                                                      &wsk_receive,
                                                      &wsk_disconnect,
                                                      &wsk_release,
                                                      &wsk_get_local_address,
                                                      &wsk_get_remote_address,
                                                      &wsk_connect_ex,
                                                      &wsk_send_ex,
                                                      &wsk_receive_ex};

}  // namespace

const void* provider_dispatch_for(ULONG category) noexcept {
  switch (category) {
    case WSK_FLAG_LISTEN_SOCKET:
      return &listen_dispatch;
    case WSK_FLAG_DATAGRAM_SOCKET:
      return &datagram_dispatch;
    case WSK_FLAG_CONNECTION_SOCKET:
      return &connection_dispatch;
    case WSK_FLAG_STREAM_SOCKET:
      return &stream_dispatch;
    default:
      return &basic_dispatch;
  }
}

namespace {

// A closed socket's memory, kept so that a stale PWSK_SOCKET still points at something
// socket_from can read: the head (the same Dispatch, so a call made through the stale
// pointer still reaches this layer, and a dead magic) and where the close came from.
struct Tombstone : KmSocketHead {
  void* closed_from = nullptr;
};
static_assert(sizeof(Tombstone) <= sizeof(KmSocket));

// Bounded: a driver that keeps a pointer past this many later closes reads freed memory
// again, as any use after free does. A generation-checked handle table would catch
// every stale pointer, but a PWSK_SOCKET is the client's pointer to a WSK_SOCKET it
// dereferences itself (Dispatch), so it must stay an address of readable memory.
constexpr std::size_t quarantine_size = 1024;

struct Quarantine {
  std::mutex m;
  void* ring[quarantine_size] = {};
  std::size_t next = 0;
};

Quarantine* quarantine() noexcept {
  // Never destroyed: sockets may still close while static objects are destroyed, and
  // the tombstones stay reachable from here (no leak report for them).
  static auto* q = new (std::nothrow) Quarantine;
  return q;
}

// "wsk_close_socket" -> "WskCloseSocket": the name a driver knows the call by.
void wsk_name(const char* fn, char* out, std::size_t size) noexcept {
  std::size_t n = 0;
  bool upper = true;
  for (const char* c = fn; *c != '\0' && n + 1 < size; ++c) {
    if (*c == '_') {
      upper = true;
      continue;
    }
    out[n++] = upper && *c >= 'a' && *c <= 'z' ? static_cast<char>(*c - 'a' + 'A') : *c;
    upper = false;
  }
  out[n] = '\0';
}

}  // namespace

void closed_socket_used(const void* socket, const void* closed_from, const char* call) noexcept {
  namespace v = wskport::detail::verifier;
  if (!v::on(::wskport::verifier::usage)) return;
  char name[64];
  wsk_name(call != nullptr ? call : "a_WSK_socket_call", name, sizeof name);
  char text[256];
  // 0x%llx, not %p: the same text on every C library (MinGW's %p has no 0x).
  const auto hex = [](const void* p) {
    return static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p));
  };
  std::snprintf(text, sizeof text,
                "WSK socket 0x%llx used after close (closed by the WskCloseSocket called from "
                "0x%llx; the call is refused with STATUS_INVALID_PARAMETER)",
                hex(socket), hex(closed_from));
  v::report(::wskport::verifier::usage, nullptr, reinterpret_cast<std::uintptr_t>(socket), name,
            text);
}

KmSocket* socket_from(PWSK_SOCKET s, const char* call) noexcept {
  auto* head = reinterpret_cast<KmSocketHead*>(s);
  if (head == nullptr) return nullptr;
  const std::uint32_t magic = head->magic.load();
  if (magic == KmSocketHead::live) return static_cast<KmSocket*>(head);
  if (magic == KmSocketHead::dead) {
    closed_socket_used(s, static_cast<Tombstone*>(head)->closed_from, call);
  }
  return nullptr;
}

void bury_socket(KmSocket& s) noexcept {
  const void* const dispatch = s.header.Dispatch;
  void* const closed_from = s.closed_from;
  void* const memory = &s;
  s.~KmSocket();
  auto* t = new (memory) Tombstone;
  t->header.Dispatch = dispatch;
  t->closed_from = closed_from;
  t->magic.store(KmSocketHead::dead);
  Quarantine* q = quarantine();
  void* evicted = memory;  // no quarantine (no memory for it): free at once
  if (q != nullptr) {
    std::lock_guard lock(q->m);
    evicted = std::exchange(q->ring[q->next], memory);
    q->next = (q->next + 1) % quarantine_size;
  }
  if (evicted != nullptr) {
    static_cast<Tombstone*>(evicted)->~Tombstone();
    ::operator delete(evicted);
  }
}

KmSocket* socket_new(Registration& reg, std::uintptr_t id, ULONG category, ADDRESS_FAMILY family,
                     USHORT type, PVOID context, const void* dispatch) noexcept {
  auto* s = new (std::nothrow) KmSocket;
  if (s == nullptr) return nullptr;
  s->header.Dispatch = provider_dispatch_for(category);
  s->reg = &reg;
  s->core = reg.provider->socket_from(id);
  s->category = category;
  s->family = family;
  s->type = type;
  s->context = context;
  s->client_dispatch = dispatch;
  wskport::km::image::add_live(reg.image, wskport::km::image::Live::sockets, 1);
  std::lock_guard lock(reg.m);
  ++reg.sockets;
  return s;
}

bool enter(PIRP irp) noexcept {
  // An IRP still pending from an earlier call is refused before its stack is touched.
  if (irp == nullptr || !is_km_irp(irp) || core_irp(irp).is_pending()) return false;
  if (!NT_SUCCESS(enter_provider(irp))) return false;
  mark_pending(irp);
  return true;
}

NTSTATUS finish(Registration& reg, PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept {
  Irp& core = core_irp(irp);
  if (bridge::begin(*reg.provider, core, OpKind::control)) {
    bridge::complete(*reg.provider, core, status, information);
  }
  return STATUS_PENDING;
}

Held hold(Registration& reg, PIRP irp, OpKind kind, detail::CancelRoutine cancel) noexcept {
  Irp& core = core_irp(irp);
  if (!bridge::begin(*reg.provider, core, kind)) return Held::refused;
  return bridge::arm_cancel(core, cancel) ? Held::held : Held::cancelled;
}

NTSTATUS core_sync_status(Irp& irp) noexcept { return irp.IoStatus.Status; }

namespace {

// After a synchronous core call on an internal IRP (no routine, completed inline).
template <class F>
NTSTATUS sync_call(F&& f) noexcept {
  bridge::InlineScope inline_scope;
  Irp irp;
  f(&irp);
  return irp.IoStatus.Status;
}

// The address out-parameters of WskAccept and the accept event.
void fill_addresses(KmSocket& s, PSOCKADDR local, PSOCKADDR remote) noexcept {
  Address a;
  if (local != nullptr && NT_SUCCESS(sync_call([&](Irp* i) { s.core.local_address(&a, i); }))) {
    to_sockaddr(a, local);
  }
  if (remote != nullptr && NT_SUCCESS(sync_call([&](Irp* i) { s.core.remote_address(&a, i); }))) {
    to_sockaddr(a, remote);
  }
}

// Completion of a WskAccept the core served: its Information is a core socket id,
// which becomes a km socket here before the client sees the IRP.
bool accept_hook(PIRP irp) noexcept {
  IrpArea& a = area(irp);
  KmSocket& listener = *a.socket;
  const NTSTATUS st = core_irp(irp).IoStatus.Status;
  if (!NT_SUCCESS(st)) return false;
  const auto id = core_irp(irp).IoStatus.Information;
  KmSocket* s = adopt_accepted(listener, id, a.accept_context, a.accept_dispatch);
  if (s == nullptr) {
    Irp close;
    listener.reg->provider->socket_from(id).close(&close);
    finish(*listener.reg, irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    return true;
  }
  fill_addresses(*s, a.local_out, a.remote_out);
  finish(*listener.reg, irp, STATUS_SUCCESS, reinterpret_cast<ULONG_PTR>(s));
  return true;
}

// WskConnectEx's initial data: descriptors for the whole chain, kept until the send
// that follows the connect completes.
struct ConnectData {
  std::unique_ptr<ConstBuffer[]> buffers;
  std::size_t count = 0;
};

bool free_connect_data(PIRP irp) noexcept {
  delete static_cast<ConnectData*>(area(irp).extra);
  area(irp).extra = nullptr;
  return false;
}

// Completion of a connect: marks the km socket connected (events may start), and for
// WskConnectEx issues the initial data with the same IRP.
bool connect_hook(PIRP irp) noexcept {
  IrpArea& a = area(irp);
  KmSocket& s = *a.socket;
  const NTSTATUS st = core_irp(irp).IoStatus.Status;
  auto* data = static_cast<ConnectData*>(a.extra);
  if (NT_SUCCESS(st)) {
    {
      std::lock_guard lock(s.m);
      s.state |= state_connected;  // connected
    }
    pump(s);
    if (data != nullptr) {
      set_provider_hook(irp, &free_connect_data);
      s.core.send(std::span<const ConstBuffer>(data->buffers.get(), data->count), 0,
                  &core_irp(irp));
      return true;
    }
  }
  delete data;
  a.extra = nullptr;
  return false;
}

}  // namespace

KmSocket* adopt_accepted(KmSocket& listener, std::uintptr_t id, PVOID context,
                         const void* dispatch) noexcept {
  KmSocket* s = socket_new(*listener.reg, id, WSK_FLAG_CONNECTION_SOCKET, listener.family,
                           SOCK_STREAM, context, dispatch);
  if (s != nullptr) s->state |= state_connected;  // connected
  return s;
}

NTSTATUS WSKAPI wsk_bind(PWSK_SOCKET socket, PSOCKADDR local, ULONG flags, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  Address a;
  NTSTATUS st = from_sockaddr(local, a);
  if (NT_SUCCESS(st) && flags != 0) st = STATUS_INVALID_PARAMETER;
  if (NT_SUCCESS(st)) st = sync_call([&](Irp* i) { s->core.bind(a, i); });
  if (NT_SUCCESS(st)) {
    {
      std::lock_guard lock(s->m);
      s->bound = true;
      if (s->category == WSK_FLAG_LISTEN_SOCKET) s->state |= state_listening;  // listening
      if (s->category == WSK_FLAG_DATAGRAM_SOCKET) s->state |= state_bound;    // bound
    }
    pump(*s);
  }
  return finish(*s->reg, irp, st, 0);
}

NTSTATUS WSKAPI wsk_listen(PWSK_SOCKET socket, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  const NTSTATUS st = sync_call([&](Irp* i) { s->core.listen(i); });
  if (NT_SUCCESS(st)) {
    {
      std::lock_guard lock(s->m);
      s->state |= state_listening;
    }
    pump(*s);
  }
  return finish(*s->reg, irp, st, 0);
}

NTSTATUS WSKAPI wsk_accept(PWSK_SOCKET socket, ULONG flags, PVOID context,
                           const WSK_CLIENT_CONNECTION_DISPATCH* dispatch, PSOCKADDR local,
                           PSOCKADDR remote, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (flags != 0) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  IrpArea& a = area(irp);
  a.socket = s;
  a.extra = nullptr;
  a.accept_context = context;
  a.accept_dispatch = dispatch;
  a.local_out = local;
  a.remote_out = remote;
  bool queue = false;
  {
    std::lock_guard lock(s->m);
    queue = km_engaged(*s) && (s->state & state_listening) != 0;  // listening
  }
  if (queue) return queue_client_irp(*s, irp, OpKind::accept);
  set_provider_hook(irp, &accept_hook);
  s->core.accept(nullptr, nullptr, &core_irp(irp));
  return STATUS_PENDING;
}

namespace {

NTSTATUS connect_common(KmSocket* s, PSOCKADDR remote, PWSK_BUF data, ULONG flags, PIRP irp) {
  Address a;
  NTSTATUS st = from_sockaddr(remote, a);
  if (NT_SUCCESS(st) && flags != 0) st = STATUS_INVALID_PARAMETER;
  IrpArea& ar = area(irp);
  ar.socket = s;
  ar.extra = nullptr;
  if (NT_SUCCESS(st) && data != nullptr && data->Length != 0) {
    std::size_t count = 0;
    st = wsk_buf_to_buffers(*data, nullptr, 0, &count);
    auto* d = st == STATUS_BUFFER_TOO_SMALL ? new (std::nothrow) ConnectData : nullptr;
    std::unique_ptr<MutableBuffer[]> tmp;
    if (d != nullptr) {
      d->buffers.reset(new (std::nothrow) ConstBuffer[count]);
      tmp.reset(new (std::nothrow) MutableBuffer[count]);
    }
    if (d == nullptr || !d->buffers || !tmp) {
      st = NT_SUCCESS(st) || st == STATUS_BUFFER_TOO_SMALL ? STATUS_INSUFFICIENT_RESOURCES : st;
    } else {
      st = wsk_buf_to_buffers(*data, tmp.get(), count, &d->count);
      for (std::size_t i = 0; NT_SUCCESS(st) && i < d->count; ++i) {
        d->buffers[i] = ConstBuffer{tmp[i].data, tmp[i].size};
      }
    }
    if (NT_SUCCESS(st)) {
      ar.extra = d;
    } else {
      delete d;
    }
  }
  if (!NT_SUCCESS(st)) return finish(*s->reg, irp, st, 0);
  set_provider_hook(irp, &connect_hook);
  const NTSTATUS r = s->core.connect(a, &core_irp(irp));
  // Connect before bind is completed on the IRP and also returned, as Windows does.
  return r == STATUS_INVALID_DEVICE_STATE ? r : STATUS_PENDING;
}

}  // namespace

NTSTATUS WSKAPI wsk_connect(PWSK_SOCKET socket, PSOCKADDR remote, ULONG flags, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  return connect_common(s, remote, nullptr, flags, irp);
}

NTSTATUS WSKAPI wsk_connect_ex(PWSK_SOCKET socket, PSOCKADDR remote, PWSK_BUF data, ULONG flags,
                               PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  return connect_common(s, remote, data, flags, irp);
}

NTSTATUS WSKAPI wsk_get_local_address(PWSK_SOCKET socket, PSOCKADDR out, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (out == nullptr) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  Address a;
  const NTSTATUS st = sync_call([&](Irp* i) { s->core.local_address(&a, i); });
  if (NT_SUCCESS(st)) to_sockaddr(a, out);
  return finish(*s->reg, irp, st, 0);
}

NTSTATUS WSKAPI wsk_get_remote_address(PWSK_SOCKET socket, PSOCKADDR out, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (out == nullptr) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  Address a;
  const NTSTATUS st = sync_call([&](Irp* i) { s->core.remote_address(&a, i); });
  if (NT_SUCCESS(st)) to_sockaddr(a, out);
  return finish(*s->reg, irp, st, 0);
}

}  // namespace wskport::km
