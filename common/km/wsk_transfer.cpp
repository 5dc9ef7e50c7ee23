// SPDX-License-Identifier: MIT
// Transfers: send, receive, disconnect, send-to, receive-from, send-messages, the Ex
// forms, and WskRelease. A WSK_BUF becomes the core's buffer array in the IRP's
// WskportProvider scratch (chains of up to four MDLs) or in a heap block for longer
// chains; the km IRP itself is handed to the core (one object, no translation).
#include <memory>
#include <new>

#include "common/km/wsk_internal.hpp"

namespace wskport::km {

using detail::OpKind;

namespace {

// Per-call state that does not fit the IRP's scratch.
struct Extra {
  std::unique_ptr<MutableBuffer[]> mb;
  std::unique_ptr<ConstBuffer[]> cb;
  Address addr{};
  unsigned control_flags = 0;
  PSOCKADDR remote_out = nullptr;
  PULONG control_flags_out = nullptr;
  PWSK_BUF_LIST next = nullptr;  // WskSendMessages: datagrams still to send
  ULONG_PTR total = 0;
  MutableBuffer inline_mb[inline_buffers]{};
  ConstBuffer inline_cb[inline_buffers]{};
};

Extra* extra_of(PIRP irp) noexcept { return static_cast<Extra*>(area(irp).extra); }

// Describes @p buf for the core: in the IRP scratch, or in @p x (allocated when the
// chain is long or the call needs an Extra anyway).
template <class B>
NTSTATUS describe(const WSK_BUF* buf, IrpArea& a, Extra* x, const B*& out,
                  std::size_t& count) noexcept {
  out = nullptr;
  count = 0;
  if (buf == nullptr) return STATUS_SUCCESS;
  MutableBuffer* target = x != nullptr ? x->inline_mb : a.u.buffers;
  NTSTATUS st = wsk_buf_to_buffers(*buf, target, inline_buffers, &count);
  if (st == STATUS_BUFFER_TOO_SMALL) {
    if (x == nullptr) return STATUS_BUFFER_TOO_SMALL;  // caller retries with an Extra
    x->mb.reset(new (std::nothrow) MutableBuffer[count]);
    if (!x->mb) return STATUS_INSUFFICIENT_RESOURCES;
    target = x->mb.get();
    st = wsk_buf_to_buffers(*buf, target, count, &count);
  }
  if (!NT_SUCCESS(st)) return st;
  if constexpr (std::is_same_v<B, MutableBuffer>) {
    out = target;
  } else {
    ConstBuffer* c = nullptr;
    if (x != nullptr && target == x->mb.get()) {
      x->cb.reset(new (std::nothrow) ConstBuffer[count]);
      if (!x->cb) return STATUS_INSUFFICIENT_RESOURCES;
      c = x->cb.get();
    } else {
      c = x != nullptr ? x->inline_cb : a.u.cbuffers;
    }
    MutableBuffer tmp[inline_buffers];
    const MutableBuffer* src = target;
    if (target == a.u.buffers) {  // same storage as a.u.cbuffers: copy out first
      for (std::size_t i = 0; i < count; ++i) tmp[i] = target[i];
      src = tmp;
    }
    for (std::size_t i = 0; i < count; ++i) c[i] = ConstBuffer{src[i].data, src[i].size};
    out = c;
  }
  return STATUS_SUCCESS;
}

bool free_extra_hook(PIRP irp) noexcept {
  delete extra_of(irp);
  area(irp).extra = nullptr;
  return false;
}

// Describes with the scratch first, an Extra only for long chains.
template <class B>
NTSTATUS describe_any(const WSK_BUF* buf, PIRP irp, const B*& out, std::size_t& count) noexcept {
  IrpArea& a = area(irp);
  a.extra = nullptr;
  NTSTATUS st = describe<B>(buf, a, nullptr, out, count);
  if (st != STATUS_BUFFER_TOO_SMALL) return st;
  auto* x = new (std::nothrow) Extra;
  if (x == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  a.extra = x;
  st = describe<B>(buf, a, x, out, count);
  if (!NT_SUCCESS(st)) {
    delete x;
    a.extra = nullptr;
    return st;
  }
  set_provider_hook(irp, &free_extra_hook);
  return st;
}

}  // namespace

NTSTATUS WSKAPI wsk_send(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (buf == nullptr) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  const ConstBuffer* b = nullptr;
  std::size_t n = 0;
  const NTSTATUS st = describe_any<ConstBuffer>(buf, irp, b, n);
  if (!NT_SUCCESS(st)) return finish(*s->reg, irp, st, 0);
  s->core.send(std::span<const ConstBuffer>(b, n), flags, &core_irp(irp));
  return STATUS_PENDING;
}

NTSTATUS WSKAPI wsk_send_ex(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, ULONG, PCMSGHDR,
                            PIRP irp) {
  // Control data is not passed to the transport (no TCP ancillary data is defined).
  return wsk_send(socket, buf, flags, irp);
}

NTSTATUS WSKAPI wsk_receive(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (buf == nullptr) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  const ULONG known = WSK_FLAG_WAITALL | WSK_FLAG_DRAIN;
  if ((flags & ~known) != 0 || (flags & known) == known) {
    return finish(*s->reg, irp, STATUS_NOT_SUPPORTED, 0);
  }
  if ((flags & WSK_FLAG_DRAIN) != 0 && buf->Length != 0) {
    return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  }
  std::size_t needed = 0;
  NTSTATUS st = wsk_buf_to_buffers(*buf, nullptr, 0, &needed);
  if (!NT_SUCCESS(st) && st != STATUS_BUFFER_TOO_SMALL) return finish(*s->reg, irp, st, 0);
  bool queue = false;
  {
    std::lock_guard lock(s->m);
    queue = km_engaged(*s) && (s->state & state_connected) != 0;  // connected
  }
  if (queue) {
    IrpArea& a = area(irp);
    a.socket = s;
    a.extra = nullptr;
    a.u.queued.buf = *buf;
    a.u.queued.done = 0;
    a.u.queued.control_flags = nullptr;
    a.u.queued.flags = flags;
    return queue_client_irp(*s, irp, OpKind::receive);
  }
  const MutableBuffer* b = nullptr;
  std::size_t n = 0;
  st = describe_any<MutableBuffer>(buf, irp, b, n);
  if (!NT_SUCCESS(st)) return finish(*s->reg, irp, st, 0);
  s->core.receive(std::span<const MutableBuffer>(b, n), flags, &core_irp(irp));
  return STATUS_PENDING;
}

NTSTATUS WSKAPI wsk_receive_ex(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, PULONG control_length,
                               PCMSGHDR, PULONG control_flags, PIRP irp) {
  // No ancillary data on a stream: report none.
  if (control_length != nullptr) *control_length = 0;
  if (control_flags != nullptr) *control_flags = 0;
  return wsk_receive(socket, buf, flags, irp);
}

NTSTATUS WSKAPI wsk_disconnect(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  const ConstBuffer* b = nullptr;
  std::size_t n = 0;
  const NTSTATUS st = describe_any<ConstBuffer>(buf, irp, b, n);
  if (!NT_SUCCESS(st)) return finish(*s->reg, irp, st, 0);
  s->core.disconnect(std::span<const ConstBuffer>(b, n), flags, &core_irp(irp));
  return STATUS_PENDING;
}

NTSTATUS WSKAPI wsk_release(PWSK_SOCKET socket, PWSK_DATA_INDICATION list) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || list == nullptr) return STATUS_INVALID_PARAMETER;
  return release_chunks(*s, reinterpret_cast<Chunk*>(list));
}

NTSTATUS WSKAPI wsk_release_dgram(PWSK_SOCKET socket, PWSK_DATAGRAM_INDICATION list) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || list == nullptr) return STATUS_INVALID_PARAMETER;
  return release_chunks(*s, reinterpret_cast<Chunk*>(list));
}

namespace {

// The destination of a send-to: the argument, else SIO_WSK_SET_SENDTO_ADDRESS, else
// SIO_WSK_SET_REMOTE_ADDRESS.
NTSTATUS destination(KmSocket& s, PSOCKADDR remote, Address& out) noexcept {
  if (remote != nullptr) return from_sockaddr(remote, out);
  std::lock_guard lock(s.m);
  if (s.has_sendto) {
    out = s.sendto;
  } else if (s.has_remote) {
    out = s.remote;
  } else {
    return STATUS_INVALID_PARAMETER;
  }
  return STATUS_SUCCESS;
}

bool send_messages_hook(PIRP irp) noexcept;

NTSTATUS send_next_message(KmSocket& s, PIRP irp) noexcept {
  Extra* x = extra_of(irp);
  PWSK_BUF_LIST item = x->next;
  x->next = item->Next;
  x->mb.reset();
  x->cb.reset();
  const ConstBuffer* b = nullptr;
  std::size_t n = 0;
  const NTSTATUS st = describe<ConstBuffer>(&item->Buffer, area(irp), x, b, n);
  if (!NT_SUCCESS(st)) return st;
  set_provider_hook(irp, &send_messages_hook);
  s.core.send_to(std::span<const ConstBuffer>(b, n), &x->addr, &core_irp(irp));
  return STATUS_PENDING;
}

bool send_messages_hook(PIRP irp) noexcept {
  Extra* x = extra_of(irp);
  KmSocket& s = *area(irp).socket;
  const NTSTATUS st = core_irp(irp).IoStatus.Status;
  if (NT_SUCCESS(st)) x->total += core_irp(irp).IoStatus.Information;
  if (NT_SUCCESS(st) && x->next != nullptr) {
    const NTSTATUS next = send_next_message(s, irp);
    if (next == STATUS_PENDING) return true;
    const ULONG_PTR total = x->total;
    delete x;
    finish(*s.reg, irp, next, total);
    return true;
  }
  const ULONG_PTR total = x->total;
  delete x;
  area(irp).extra = nullptr;
  finish(*s.reg, irp, st, total);
  return true;
}

bool receive_from_hook(PIRP irp) noexcept {
  Extra* x = extra_of(irp);
  KmSocket& s = *area(irp).socket;
  const NTSTATUS st = core_irp(irp).IoStatus.Status;
  bool filtered = false;
  {
    std::lock_guard lock(s.m);
    filtered = NT_SUCCESS(st) && s.has_remote && !(s.remote == x->addr);
  }
  if (filtered) {  // a fixed remote address: datagrams from others are dropped
    const MutableBuffer* b = x->mb ? x->mb.get() : x->inline_mb;
    set_provider_hook(irp, &receive_from_hook);
    s.core.receive_from(std::span<const MutableBuffer>(b, static_cast<std::size_t>(x->total)),
                        &x->addr, &x->control_flags, &core_irp(irp));
    return true;
  }
  if (x->remote_out != nullptr && (NT_SUCCESS(st) || st == STATUS_BUFFER_OVERFLOW)) {
    to_sockaddr(x->addr, x->remote_out);
  }
  if (x->control_flags_out != nullptr) *x->control_flags_out = x->control_flags;
  delete x;
  area(irp).extra = nullptr;
  return false;
}

}  // namespace

NTSTATUS WSKAPI wsk_send_to(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, PSOCKADDR remote, ULONG,
                            PCMSGHDR, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (buf == nullptr || flags != 0) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  auto* x = new (std::nothrow) Extra;
  if (x == nullptr) return finish(*s->reg, irp, STATUS_INSUFFICIENT_RESOURCES, 0);
  IrpArea& a = area(irp);
  a.socket = s;
  a.extra = x;
  const ConstBuffer* b = nullptr;
  std::size_t n = 0;
  NTSTATUS st = destination(*s, remote, x->addr);
  if (NT_SUCCESS(st)) st = describe<ConstBuffer>(buf, a, x, b, n);
  if (!NT_SUCCESS(st)) {
    delete x;
    return finish(*s->reg, irp, st, 0);
  }
  set_provider_hook(irp, &free_extra_hook);
  s->core.send_to(std::span<const ConstBuffer>(b, n), &x->addr, &core_irp(irp));
  return STATUS_PENDING;
}

NTSTATUS WSKAPI wsk_send_messages(PWSK_SOCKET socket, PWSK_BUF_LIST list, ULONG flags,
                                  PSOCKADDR remote, ULONG, PCMSGHDR, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (list == nullptr || flags != 0) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  auto* x = new (std::nothrow) Extra;
  if (x == nullptr) return finish(*s->reg, irp, STATUS_INSUFFICIENT_RESOURCES, 0);
  IrpArea& a = area(irp);
  a.socket = s;
  a.extra = x;
  x->next = list;
  NTSTATUS st = destination(*s, remote, x->addr);
  if (NT_SUCCESS(st)) st = send_next_message(*s, irp);
  if (st != STATUS_PENDING) {
    delete x;
    return finish(*s->reg, irp, st, 0);
  }
  return STATUS_PENDING;
}

NTSTATUS WSKAPI wsk_receive_from(PWSK_SOCKET socket, PWSK_BUF buf, ULONG flags, PSOCKADDR remote,
                                 PULONG control_length, PCMSGHDR, PULONG control_flags, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  if (buf == nullptr || flags != 0) return finish(*s->reg, irp, STATUS_INVALID_PARAMETER, 0);
  if (control_length != nullptr) *control_length = 0;  // no ancillary data is produced
  if (control_flags != nullptr) *control_flags = 0;
  bool queue = false;
  {
    std::lock_guard lock(s->m);
    queue = km_engaged(*s) && (s->state & state_bound) != 0;  // bound
  }
  IrpArea& a = area(irp);
  a.socket = s;
  a.extra = nullptr;
  if (queue) {
    std::size_t needed = 0;
    NTSTATUS st = wsk_buf_to_buffers(*buf, nullptr, 0, &needed);
    // The same limit as a receive_from through the core, so that the answer does not
    // depend on whether receive-from events are on.
    if (NT_SUCCESS(st) || st == STATUS_BUFFER_TOO_SMALL) {
      st = needed > max_datagram_buffers ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
    }
    if (!NT_SUCCESS(st)) return finish(*s->reg, irp, st, 0);
    a.remote_out = remote;
    a.u.queued.buf = *buf;
    a.u.queued.done = 0;
    a.u.queued.control_flags = control_flags;
    a.u.queued.flags = 0;
    return queue_client_irp(*s, irp, OpKind::receive_from);
  }
  auto* x = new (std::nothrow) Extra;
  if (x == nullptr) return finish(*s->reg, irp, STATUS_INSUFFICIENT_RESOURCES, 0);
  a.extra = x;
  x->remote_out = remote;
  x->control_flags_out = control_flags;
  const MutableBuffer* b = nullptr;
  std::size_t n = 0;
  const NTSTATUS st = describe<MutableBuffer>(buf, a, x, b, n);
  if (!NT_SUCCESS(st)) {
    delete x;
    return finish(*s->reg, irp, st, 0);
  }
  x->total = n;  // descriptor count, for a re-issue after filtering
  set_provider_hook(irp, &receive_from_hook);
  s->core.receive_from(std::span<const MutableBuffer>(b, n), &x->addr, &x->control_flags,
                       &core_irp(irp));
  return STATUS_PENDING;
}

}  // namespace wskport::km
