// SPDX-License-Identifier: MIT
// Event callbacks and the receive side the WSK layer serves itself.
//
// While a socket has receive-side events enabled (or holds data it read for them), an
// internal core IRP stays posted: a receive into a chunk the layer owns (connection,
// stream), a receive-from (datagram) or an accept (listen). Each result goes, in this
// order, to a client IRP queued here (WskReceive / WskReceiveFrom / WskAccept take
// precedence over events), to the event callback, or stays buffered. One "pump" per
// socket does this work, on a provider thread, never under the socket's lock while a
// callback or a completion routine runs. Close cancels the queued client IRPs, closes
// the core socket, waits until the pump, the internal IRP and every callback are over,
// and then completes the close IRP and frees the socket.
#include <cstring>
#include <gsl/narrow>
#include <new>

#include "common/km/wsk_callbacks.hpp"

namespace wskport::km {

using detail::OpKind;

constexpr std::size_t stream_chunk = 64 * 1024;
constexpr std::size_t datagram_chunk = 65536;
// Connections a conditional-accept listener holds at most, under inspection or accepted
// and not yet taken; beyond, new ones wait in the transport's backlog, as SYNs wait for a
// full accept queue.
constexpr std::size_t max_inspections = 128;
// Chunks a connection pended in inspection reads ahead: it must keep a receive posted to
// see its peer go away, and keeps what the peer sent before the verdict for the client.
constexpr std::size_t max_watch_chunks = 4;

using Lock = std::unique_lock<std::mutex>;

static void on_rx(Irp& irp, void* context) noexcept;
static void on_core_closed(Irp& irp, void* context) noexcept;

void post_pump(KmSocket& s) noexcept {
  {
    std::lock_guard lock(s.m);
    ++s.busy;
  }
  bridge::post(
      *s.reg->provider, [](void* p) { pump_with(*static_cast<KmSocket*>(p), 1); }, &s);
}

// Completes a client IRP this layer queued, unless a canceller owns it already (its
// routine completes it). Called without the lock.
static void complete_queued(KmSocket& s, PIRP irp, NTSTATUS status,
                            ULONG_PTR information) noexcept {
  if (!bridge::disarm_cancel(core_irp(irp))) return;
  bridge::complete(*s.reg->provider, core_irp(irp), status, information);
}

void cancel_queued(Irp& core) noexcept {
  PIRP irp = km_irp(core);
  KmSocket& s = *area(irp).socket;
  ULONG_PTR done = 0;
  {
    std::lock_guard lock(s.m);
    for (auto it = s.waiting.begin(); it != s.waiting.end(); ++it) {
      if (*it == irp) {
        s.waiting.erase(it);
        // Bytes a WAITALL receive already holds are reported, not lost.
        if (!is_listener(s)) done = area(irp).u.queued.done;
        break;
      }
    }
    for (auto it = s.disable_waiters.begin(); it != s.disable_waiters.end(); ++it) {
      if (*it == irp) {
        s.disable_waiters.erase(it);
        break;
      }
    }
  }
  bridge::complete(*s.reg->provider, core, STATUS_CANCELLED, done);
}

// Copies buffered stream data into the queued receive at the front. Returns true when
// that IRP is to complete now (with *status / *info).
static bool serve_stream(KmSocket& s, PIRP irp, NTSTATUS* status, ULONG_PTR* info) noexcept {
  auto& q = area(irp).u.queued;
  const bool failed = !NT_SUCCESS(s.rx_error);
  if ((q.flags & WSK_FLAG_DRAIN) != 0) {
    while (!s.buffered.empty()) {
      chunk_free(s.buffered.front());
      s.buffered.pop_front();
    }
    if (!s.eof && !failed) return false;
    *status = failed ? s.rx_error : STATUS_SUCCESS;
    *info = 0;
    return true;
  }
  if (q.buf.Length == 0) {
    if (s.buffered.empty() && !s.eof && !failed) return false;
    *status = s.buffered.empty() && failed ? s.rx_error : STATUS_SUCCESS;
    *info = 0;
    return true;
  }
  while (q.done < q.buf.Length && !s.buffered.empty()) {
    Chunk* c = s.buffered.front();
    const std::size_t avail = c->size - c->offset;
    const std::size_t want = q.buf.Length - q.done;
    const std::size_t n = avail < want ? avail : want;
    wsk_buf_write(q.buf, q.done, c->bytes + c->offset, n);
    q.done += n;
    c->offset += n;
    if (c->offset == c->size) {
      s.buffered.pop_front();
      chunk_free(c);
    }
  }
  const bool full = q.done == q.buf.Length;
  const bool waitall = (q.flags & WSK_FLAG_WAITALL) != 0;
  if (q.done != 0 && (full || !waitall)) {
    *status = STATUS_SUCCESS;
    *info = q.done;
    return true;
  }
  if (s.buffered.empty() && (s.eof || failed)) {
    *status = q.done != 0 || !failed ? STATUS_SUCCESS : s.rx_error;
    *info = q.done;
    return true;
  }
  return false;
}

// One datagram into the queued receive-from at the front.
static bool serve_datagram(KmSocket& s, PIRP irp, NTSTATUS* status, ULONG_PTR* info) noexcept {
  IrpArea& a = area(irp);
  auto& q = a.u.queued;
  if (s.buffered.empty()) {
    if (NT_SUCCESS(s.rx_error)) return false;
    *status = s.rx_error;
    *info = 0;
    return true;
  }
  Chunk* c = s.buffered.front();
  s.buffered.pop_front();
  const std::size_t n = c->size < q.buf.Length ? c->size : q.buf.Length;
  wsk_buf_write(q.buf, 0, c->bytes, n);
  unsigned flags = c->control_flags;
  if (n < c->size) flags |= MSG_TRUNC;
  if (a.remote_out != nullptr) to_sockaddr(c->remote, a.remote_out);
  if (q.control_flags != nullptr) *q.control_flags = flags;
  *status = n < c->size ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
  *info = n;
  chunk_free(c);
  return true;
}

// A chunk is on the retained list BEFORE its indication is made: a client that returns
// STATUS_PENDING may call WskRelease from another thread before the callback has
// returned, and WskRelease must then find it there. The pump keeps the socket busy
// meanwhile, so the close cannot free the chunk twice (it is on both lists).
static void link_retained(KmSocket& s, Chunk* c) noexcept {
  c->next = s.retained;
  if (s.retained != nullptr) s.retained->prev = c;
  c->prev = nullptr;
  s.retained = c;
}

// Takes back a chunk the callback did not retain.
static void unlink_retained(KmSocket& s, Chunk* c) noexcept {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (s.retained == c) s.retained = c->next;
  c->next = nullptr;
  c->prev = nullptr;
}

// Hands a connection accepted by the internal IRP to the client: to a queued
// WskAccept, else to WskAcceptEvent.
static bool serve_accept(KmSocket& s, Lock& lock) noexcept {
  KmSocket* ns = s.accepted.front();
  if (!s.waiting.empty()) {
    PIRP irp = s.waiting.front();
    s.waiting.pop_front();
    s.accepted.pop_front();
    IrpArea& a = area(irp);
    ns->context = a.accept_context;
    ns->client_dispatch = a.accept_dispatch;
    lock.unlock();
    Address addr;
    if (a.local_out != nullptr) {
      bridge::InlineScope scope;
      Irp i;
      ns->core.local_address(&addr, &i);
      if (NT_SUCCESS(i.IoStatus.Status)) to_sockaddr(addr, a.local_out);
    }
    if (a.remote_out != nullptr) {
      bridge::InlineScope scope;
      Irp i;
      ns->core.remote_address(&addr, &i);
      if (NT_SUCCESS(i.IoStatus.Status)) to_sockaddr(addr, a.remote_out);
    }
    if (bridge::disarm_cancel(core_irp(irp))) {
      bridge::complete(*s.reg->provider, core_irp(irp), STATUS_SUCCESS,
                       reinterpret_cast<ULONG_PTR>(ns));
    } else {
      close_socket(*ns, nullptr);  // the IRP was cancelled under us
    }
    lock.lock();
    return true;
  }
  PFN_WSK_ACCEPT_EVENT cb = accept_cb(s);
  if ((s.events & WSK_EVENT_ACCEPT) == 0 || cb == nullptr) return false;
  s.accepted.pop_front();
  const ULONG inherit =
      s.events & (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG);
  ++s.in_callback;
  lock.unlock();
  {
    // Once the callback has the socket, the client may close it from any thread before
    // the callback returns: the busy count keeps it allocated until the context and
    // dispatch below are stored (pump_with drops it and finalizes a closed socket).
    Lock hold(ns->m);
    ++ns->busy;
  }
  SOCKADDR_STORAGE local{};
  SOCKADDR_STORAGE remote{};
  Address addr;
  {
    bridge::InlineScope scope;
    Irp i;
    ns->core.local_address(&addr, &i);
    if (NT_SUCCESS(i.IoStatus.Status)) to_sockaddr(addr, reinterpret_cast<PSOCKADDR>(&local));
    Irp j;
    ns->core.remote_address(&addr, &j);
    if (NT_SUCCESS(j.IoStatus.Status)) to_sockaddr(addr, reinterpret_cast<PSOCKADDR>(&remote));
  }
  PVOID ctx = nullptr;
  const WSK_CLIENT_CONNECTION_DISPATCH* disp = nullptr;
  const NTSTATUS st = cb(s.context, 0, reinterpret_cast<PSOCKADDR>(&local),
                         reinterpret_cast<PSOCKADDR>(&remote), &ns->header, &ctx, &disp);
  if (st == STATUS_SUCCESS) {
    ns->context = ctx;
    ns->client_dispatch = disp;
    // Connection events enabled on the listener carry over to sockets accepted
    // through the callback (not to those of WskAccept).
    if (inherit != 0 && disp != nullptr) set_events(*ns, inherit, false, nullptr);
  } else {
    close_socket(*ns, nullptr);  // STATUS_REQUEST_NOT_ACCEPTED: WSK closes it
  }
  pump_with(*ns, 1);  // ns may be gone from here on
  lock.lock();
  --s.in_callback;
  return true;
}

static void finish_disable_waiters(KmSocket& s, Lock& lock) noexcept {
  if (s.in_callback != 0 || s.disable_waiters.empty()) return;
  std::deque<PIRP> done;
  done.swap(s.disable_waiters);
  lock.unlock();
  for (PIRP irp : done) complete_queued(s, irp, STATUS_SUCCESS, 0);
  lock.lock();
}

// Starts the internal IRP if the socket wants one. Returns true if it did.
static bool post_internal(KmSocket& s, Lock& lock) noexcept {
  if (s.rx_posted || s.closing || !NT_SUCCESS(s.rx_error)) return false;
  Provider& p = *s.reg->provider;
  (void)p;
  if (is_listener(s)) {
    if ((s.state & state_listening) == 0) return false;
    // Conditional accept inspects each request as it comes, as Windows does at the SYN,
    // whoever will take it and while accepted ones wait for a taker.
    if (!s.conditional &&
        (!s.accepted.empty() || ((s.events & WSK_EVENT_ACCEPT) == 0 && s.waiting.empty()))) {
      return false;
    }
    if (s.inspections.size() + s.accepted.size() >= max_inspections) return false;
    s.rx_posted = true;
    ++s.busy;
    s.rx_irp.set_completion(&on_rx, &s);
    lock.unlock();
    s.core.accept(nullptr, nullptr, &s.rx_irp);
    lock.lock();
    return true;
  }
  const bool datagram = s.category == WSK_FLAG_DATAGRAM_SOCKET;
  if (datagram) {
    if ((s.state & state_bound) == 0 || !s.buffered.empty()) return false;
    if ((s.events & WSK_EVENT_RECEIVE_FROM) == 0 && s.waiting.empty()) return false;
  } else {
    const bool watched = s.inspect_owner != nullptr;
    if ((s.state & state_connected) == 0 || s.eof) return false;
    if (!s.buffered.empty() && (!watched || s.buffered.size() >= max_watch_chunks)) return false;
    if ((s.events & (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)) == 0 && s.waiting.empty() &&
        !watched) {
      return false;
    }
  }
  if (s.rx_chunk == nullptr) {
    s.rx_chunk = chunk_new(s, datagram ? datagram_chunk : stream_chunk);
    if (s.rx_chunk == nullptr) {
      s.rx_error = STATUS_INSUFFICIENT_RESOURCES;
      return true;
    }
  }
  s.rx_posted = true;
  ++s.busy;
  s.rx_buffer = MutableBuffer{s.rx_chunk->bytes, s.rx_chunk->capacity};
  s.rx_irp.set_completion(&on_rx, &s);
  lock.unlock();
  if (datagram) {
    s.core.receive_from(std::span<const MutableBuffer>(&s.rx_buffer, 1), &s.rx_chunk->remote,
                        &s.rx_chunk->control_flags, &s.rx_irp);
  } else {
    s.core.receive(std::span<const MutableBuffer>(&s.rx_buffer, 1), 0, &s.rx_irp);
  }
  lock.lock();
  return true;
}

// One unit of work. Returns true if anything happened (the caller loops).
static bool step(KmSocket& s, Lock& lock) noexcept {
  if (s.closing) return false;
  if (s.inspect_owner != nullptr && inspect_watch_step(s, lock)) return true;
  finish_disable_waiters(s, lock);
  const bool listener = is_listener(s);
  const bool datagram = s.category == WSK_FLAG_DATAGRAM_SOCKET;
  // 1. Client IRPs first.
  if (listener) {
    // A connection nobody takes yet does not hold up the rest (conditional accept goes
    // on inspecting requests meanwhile).
    if (!s.accepted.empty() && serve_accept(s, lock)) return true;
    if (!s.waiting.empty() && !NT_SUCCESS(s.rx_error)) {
      PIRP irp = s.waiting.front();
      s.waiting.pop_front();
      const NTSTATUS err = s.rx_error;
      lock.unlock();
      complete_queued(s, irp, err, 0);
      lock.lock();
      return true;
    }
  } else if (!s.waiting.empty()) {
    PIRP irp = s.waiting.front();
    NTSTATUS st = STATUS_SUCCESS;
    ULONG_PTR info = 0;
    if (datagram ? serve_datagram(s, irp, &st, &info) : serve_stream(s, irp, &st, &info)) {
      s.waiting.pop_front();
      s.suspended = false;
      lock.unlock();
      complete_queued(s, irp, st, info);
      lock.lock();
      return true;
    }
  }
  // 2. Callbacks.
  if (listener) {
    if (s.conditional && inspect_step(s, lock)) return true;
    PFN_WSK_ACCEPT_EVENT cb = accept_cb(s);
    if (!NT_SUCCESS(s.rx_error) && s.rx_error != STATUS_CANCELLED && !s.dead_indicated &&
        (s.events & WSK_EVENT_ACCEPT) != 0 && cb != nullptr) {
      s.dead_indicated = true;  // AcceptSocket NULL: the listening socket is dead
      ++s.in_callback;
      lock.unlock();
      (void)cb(s.context, 0, nullptr, nullptr, nullptr, nullptr, nullptr);
      lock.lock();
      --s.in_callback;
      return true;
    }
  } else if (datagram) {
    PFN_WSK_RECEIVE_FROM_EVENT cb = receive_from_cb(s);
    if ((s.events & WSK_EVENT_RECEIVE_FROM) != 0 && cb != nullptr && s.waiting.empty()) {
      if (!s.buffered.empty() && !s.suspended) {
        Chunk* c = s.buffered.front();
        auto& d = c->ind.dgram;
        d.Next = nullptr;
        d.Buffer = WSK_BUF{c->mdl, 0, c->size};
        d.ControlInfo = nullptr;
        d.ControlInfoLength = 0;
        to_sockaddr(c->remote, reinterpret_cast<PSOCKADDR>(&c->remote_sa));
        d.RemoteAddress = reinterpret_cast<PSOCKADDR>(&c->remote_sa);
        const ULONG flags = c->control_flags & (MSG_BCAST | MSG_MCAST);
        link_retained(s, c);
        ++s.in_callback;
        lock.unlock();
        const NTSTATUS st = cb(s.context, flags, &d);
        lock.lock();
        --s.in_callback;
        if (st == STATUS_PENDING) {
          s.buffered.pop_front();  // c is the client's now (maybe released already)
        } else if (st == STATUS_DATA_NOT_ACCEPTED) {
          unlink_retained(s, c);
          // Kept for the next WskReceiveFrom. Enabled through SO_WSK_EVENT_CALLBACK, the
          // event is disabled; enabled statically, it stays on but waits for a receive.
          if ((s.static_events & WSK_EVENT_RECEIVE_FROM) == 0) s.events &= ~WSK_EVENT_RECEIVE_FROM;
          s.suspended = true;
        } else {
          unlink_retained(s, c);
          s.buffered.pop_front();
          chunk_free(c);
        }
        return true;
      }
      if (!NT_SUCCESS(s.rx_error) && s.rx_error != STATUS_CANCELLED && !s.dead_indicated) {
        s.dead_indicated = true;
        ++s.in_callback;
        lock.unlock();
        (void)cb(s.context, 0, nullptr);
        lock.lock();
        --s.in_callback;
        return true;
      }
    }
  } else {
    PFN_WSK_RECEIVE_EVENT rcb = receive_cb(s);
    if ((s.events & WSK_EVENT_RECEIVE) != 0 && rcb != nullptr && s.waiting.empty() &&
        !s.suspended && !s.buffered.empty()) {
      Chunk* c = s.buffered.front();
      const std::size_t len = c->size - c->offset;
      c->ind.data.Next = nullptr;
      c->ind.data.Buffer = WSK_BUF{c->mdl, gsl::narrow<ULONG>(c->offset), len};
      SIZE_T accepted = 0;
      link_retained(s, c);
      ++s.in_callback;
      lock.unlock();
      const NTSTATUS st = rcb(s.context, 0, &c->ind.data, len, &accepted);
      lock.lock();
      --s.in_callback;
      if (st != STATUS_PENDING) unlink_retained(s, c);
      if (st == STATUS_PENDING) {
        s.buffered.pop_front();  // c is the client's now (maybe released already)
      } else if (st == STATUS_SUCCESS) {
        if (accepted > len) accepted = len;
        c->offset += accepted;
        if (c->offset == c->size) {
          s.buffered.pop_front();
          chunk_free(c);
        } else {
          s.suspended = true;  // partial: the rest waits for a WskReceive
        }
      } else {
        s.suspended = true;  // STATUS_DATA_NOT_ACCEPTED: kept for the next WskReceive
      }
      return true;
    }
    // STATUS_CONNECTION_ABORTED is this side's own abortive WskDisconnect: the
    // disconnect event reports the peer's disconnects only.
    const bool ended = s.eof || !NT_SUCCESS(s.rx_error);
    if (ended && s.buffered.empty() && s.rx_error != STATUS_CANCELLED &&
        s.rx_error != STATUS_CONNECTION_ABORTED) {
      PFN_WSK_DISCONNECT_EVENT dcb = disconnect_cb(s);
      if (!s.disconnect_indicated && (s.events & WSK_EVENT_DISCONNECT) != 0 && dcb != nullptr) {
        s.disconnect_indicated = true;
        const ULONG flags = s.eof ? 0 : WSK_FLAG_ABORTIVE;
        ++s.in_callback;
        lock.unlock();
        (void)dcb(s.context, flags);
        lock.lock();
        --s.in_callback;
        return true;
      }
      if (!s.eof && s.rx_error == STATUS_FILE_FORCED_CLOSED && !s.dead_indicated &&
          (s.events & WSK_EVENT_RECEIVE) != 0 && rcb != nullptr) {
        s.dead_indicated = true;  // DataIndication NULL: the socket is dead
        SIZE_T accepted = 0;
        ++s.in_callback;
        lock.unlock();
        (void)rcb(s.context, 0, nullptr, 0, &accepted);
        lock.lock();
        --s.in_callback;
        return true;
      }
    }
  }
  // 3. Keep the internal IRP posted.
  return post_internal(s, lock);
}

// Frees the socket once closing and idle. Unlocks; s may be gone afterwards.
static void finalize_if_idle(KmSocket& s, Lock& lock) noexcept {
  if (!s.closing || !s.core_closed || s.busy != 0 || s.rx_posted) {
    lock.unlock();
    return;
  }
  PIRP close_irp = s.close_irp;
  Registration* reg = s.reg;
  s.magic.store(0);  // bury_socket makes it a tombstone
  lock.unlock();
  for (Chunk* c : s.buffered) chunk_free(c);
  while (s.retained != nullptr) {  // the client should have released these
    Chunk* c = s.retained;
    s.retained = c->next;
    chunk_free(c);
  }
  chunk_free(s.rx_chunk);
  bury_socket(s);
  // Inline, so the close routine has run before WskDeregister can see the socket gone.
  if (close_irp != nullptr && bridge::begin(*reg->provider, core_irp(close_irp), OpKind::close)) {
    bridge::complete_inline(core_irp(close_irp), STATUS_SUCCESS, 0);
  }
  release_later(*reg, Counted::socket);
}

void pump_with(KmSocket& s, int release) noexcept {
  Lock lock(s.m);
  s.busy -= release;
  if (s.pumping) {
    s.again = true;
    lock.unlock();
    return;
  }
  s.pumping = true;
  ++s.busy;
  do {
    s.again = false;
    while (step(s, lock)) {
    }
    finish_disable_waiters(s, lock);
  } while (s.again);
  s.pumping = false;
  --s.busy;
  finalize_if_idle(s, lock);
}

static void on_rx(Irp& irp, void* context) noexcept {
  auto& s = *static_cast<KmSocket*>(context);
  const NTSTATUS st = irp.IoStatus.Status;
  const std::uintptr_t info = irp.IoStatus.Information;
  {
    std::lock_guard lock(s.m);
    s.rx_posted = false;
    if (is_listener(s)) {
      if (NT_SUCCESS(st)) {
        KmSocket* ns = adopt_accepted(s, info, nullptr, nullptr);
        if (ns != nullptr && s.conditional) {
          inspect_arrived(s, ns);
        } else if (ns != nullptr) {
          s.accepted.push_back(ns);
        } else {
          Irp close;
          s.reg->provider->socket_from(info).close(&close);
        }
      } else {
        s.rx_error = st;
      }
    } else if (s.category == WSK_FLAG_DATAGRAM_SOCKET) {
      if (NT_SUCCESS(st) || st == STATUS_BUFFER_OVERFLOW) {
        Chunk* c = s.rx_chunk;
        if (st == STATUS_BUFFER_OVERFLOW) c->control_flags |= MSG_TRUNC;
        if (!(s.has_remote && !(c->remote == s.remote))) {
          s.rx_chunk = nullptr;
          c->size = info;
          s.buffered.push_back(c);
        }
      } else {
        s.rx_error = st;
      }
    } else if (NT_SUCCESS(st) && info != 0) {
      Chunk* c = s.rx_chunk;
      s.rx_chunk = nullptr;
      c->size = info;
      c->offset = 0;
      s.buffered.push_back(c);
    } else if (NT_SUCCESS(st)) {
      s.eof = true;
    } else {
      s.rx_error = st;
    }
  }
  pump_with(s, 1);
}

static void on_core_closed(Irp& /*irp*/, void* context) noexcept {
  auto& s = *static_cast<KmSocket*>(context);
  {
    std::lock_guard lock(s.m);
    s.core_closed = true;
  }
  pump_with(s, 1);
}

void pump(KmSocket& s) noexcept { post_pump(s); }

bool km_engaged(const KmSocket& s) noexcept {
  if (s.rx_posted || !s.waiting.empty() || !s.buffered.empty() || !s.accepted.empty()) return true;
  if (s.conditional) return true;  // every connection goes through inspection
  if (s.eof || !NT_SUCCESS(s.rx_error)) return s.category != WSK_FLAG_LISTEN_SOCKET;
  return (s.events & (WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT |
                      WSK_EVENT_RECEIVE_FROM)) != 0;
}

NTSTATUS queue_client_irp(KmSocket& s, PIRP irp, OpKind kind) noexcept {
  switch (hold(*s.reg, irp, kind, &cancel_queued)) {
    case Held::refused:  // still pending from an earlier call: a caller bug, left alone
      return STATUS_INVALID_PARAMETER;
    case Held::cancelled:  // IoCancelIrp raced the call
      bridge::complete(*s.reg->provider, core_irp(irp), STATUS_CANCELLED, 0);
      return STATUS_PENDING;
    case Held::held:
      break;
  }
  bool closing = false;
  {
    std::lock_guard lock(s.m);
    closing = s.closing;
    if (!closing) {
      s.waiting.push_back(irp);
      s.suspended = false;  // a posted receive re-arms indications
    }
  }
  if (closing) {
    complete_queued(s, irp, STATUS_INVALID_HANDLE, 0);
    return STATUS_PENDING;
  }
  post_pump(s);
  return STATUS_PENDING;
}

NTSTATUS close_socket(KmSocket& s, PIRP irp) noexcept {
  std::deque<PIRP> waiting;
  std::deque<PIRP> disablers;
  std::deque<KmSocket*> accepted;
  std::deque<Inspection> inspections;
  {
    std::lock_guard lock(s.m);
    s.closing = true;
    s.close_irp = irp;
    waiting.swap(s.waiting);
    disablers.swap(s.disable_waiters);
    accepted.swap(s.accepted);
    inspections.swap(s.inspections);
    ++s.busy;  // the core close below
  }
  const bool listener = is_listener(s);
  for (PIRP w : waiting) {
    complete_queued(s, w, STATUS_CANCELLED, listener ? 0 : area(w).u.queued.done);
  }
  for (PIRP d : disablers) complete_queued(s, d, STATUS_SUCCESS, 0);
  for (KmSocket* a : accepted) close_socket(*a, nullptr);
  inspect_close_all(s, inspections);
  s.close_core.set_completion(&on_core_closed, &s);
  s.core.close(&s.close_core);
  return STATUS_PENDING;
}

}  // namespace wskport::km
