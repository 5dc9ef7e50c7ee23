// SPDX-License-Identifier: MIT
// Conditional accept: SO_CONDITIONAL_ACCEPT, WskInspectEvent, WskAbortEvent,
// WskInspectComplete, SIO_WSK_QUERY_INSPECT_ID.
//
// On Windows the transport asks WskInspectEvent when the SYN arrives, before it answers
// it; a rejected request never becomes a connection. A process cannot hold a TCP
// handshake open (the kernel completes it into the listen backlog before accept()
// returns), so here a request is a connection the listener's internal IRP accepted and
// keeps hidden: WskInspectAccept hands it on to WskAccept / WskAcceptEvent exactly as an
// accepted connection; WskInspectReject closes it abortively (the peer, whose connect
// already succeeded, reads a reset); WskInspectPend keeps it hidden, with a receive
// posted so that a peer that goes away is seen (WskAbortEvent) and data it sent early is
// kept for the client. docs/porting.md states the difference.
//
// Locks: a listener's lock may be held while taking one of its connections' locks, never
// the other way round. A pended connection points at its listener (inspect_owner) and
// holds one busy count of it, so the listener outlives a watch that reports a drop; the
// side that clears inspect_owner under the connection's lock owns that count.
#include <cstring>

#include "common/km/wsk_callbacks.hpp"

namespace wskport::km {

using Lock = std::unique_lock<std::mutex>;
using Stage = Inspection::Stage;

namespace {

bool same_id(const WSK_INSPECT_ID& a, const WSK_INSPECT_ID& b) noexcept {
  return a.Key == b.Key && a.SerialNumber == b.SerialNumber;
}

std::deque<Inspection>::iterator find_id(KmSocket& l, const WSK_INSPECT_ID& id) noexcept {
  for (auto it = l.inspections.begin(); it != l.inspections.end(); ++it) {
    if (same_id(it->id, id)) return it;
  }
  return l.inspections.end();
}

// Stops the watch on a connection leaving inspection (l.m held). Returns true when the
// caller now owns the listener's busy count the watch held, false when the connection's
// pump took it first (it is reporting a drop and will release it).
bool unwatch(KmSocket& c) noexcept {
  std::lock_guard lock(c.m);
  const bool owned = c.inspect_owner != nullptr;
  c.inspect_owner = nullptr;
  return owned;
}

// Releases a busy count of @p l taken for a watch, on a provider thread: the caller may
// be a client's thread inside a WSK call, and the listener's pump runs callbacks.
void release_watch(KmSocket& l) noexcept {
  bridge::post(
      *l.reg->provider, [](void* p) { pump_with(*static_cast<KmSocket*>(p), 1); }, &l);
}

// The addresses a request's WskInspectEvent reports.
void request_addresses(KmSocket& c, SOCKADDR_STORAGE& local, SOCKADDR_STORAGE& remote) noexcept {
  bridge::InlineScope scope;
  Address a;
  Irp i;
  c.core.local_address(&a, &i);
  if (NT_SUCCESS(i.IoStatus.Status)) to_sockaddr(a, reinterpret_cast<PSOCKADDR>(&local));
  Irp j;
  c.core.remote_address(&a, &j);
  if (NT_SUCCESS(j.IoStatus.Status)) to_sockaddr(a, reinterpret_cast<PSOCKADDR>(&remote));
}

}  // namespace

NTSTATUS set_conditional_accept(KmSocket& s, ULONG value) noexcept {
  std::lock_guard lock(s.m);
  if (s.category != WSK_FLAG_LISTEN_SOCKET && s.category != WSK_FLAG_STREAM_SOCKET) {
    return STATUS_INVALID_DEVICE_STATE;  // "applies only to listening sockets"
  }
  if (s.bound) return STATUS_INVALID_DEVICE_STATE;  // must precede WskBind
  if (value != 0 && inspect_cb(s) == nullptr) return STATUS_INVALID_PARAMETER;
  s.conditional = value != 0;
  return STATUS_SUCCESS;
}

NTSTATUS query_inspect_id(KmSocket& s, PVOID out, SIZE_T out_size) noexcept {
  std::lock_guard lock(s.m);
  if (!s.has_inspect_id) return STATUS_INVALID_DEVICE_REQUEST;
  if (out == nullptr || out_size < sizeof(WSK_INSPECT_ID)) return STATUS_BUFFER_TOO_SMALL;
  std::memcpy(out, &s.inspect_id, sizeof(WSK_INSPECT_ID));
  return STATUS_SUCCESS;
}

void inspect_arrived(KmSocket& l, KmSocket* c) noexcept {
  Inspection e;
  e.socket = c;
  // The key is the hidden socket's address and the serial number counts the listener's
  // requests: an id is only ever compared, never followed, so an id the client made up
  // or kept too long finds nothing.
  e.id.Key = reinterpret_cast<ULONG_PTR>(c);
  e.id.SerialNumber = ++l.inspect_serial;
  try {
    l.inspections.push_back(e);
  } catch (...) {
    close_socket(*c, nullptr);  // no room to inspect it: refused, as an unqueued SYN is
  }
}

bool inspect_step(KmSocket& l, Lock& lock) noexcept {
  PFN_WSK_INSPECT_EVENT cb = inspect_cb(l);
  if (cb == nullptr) return false;
  if (!NT_SUCCESS(l.rx_error) && l.rx_error != STATUS_CANCELLED && !l.inspect_dead_indicated) {
    l.inspect_dead_indicated = true;  // InspectID NULL: the listening socket is dead
    ++l.in_callback;
    lock.unlock();
    SOCKADDR_STORAGE none{};
    (void)cb(l.context, reinterpret_cast<PSOCKADDR>(&none), reinterpret_cast<PSOCKADDR>(&none),
             nullptr);
    lock.lock();
    --l.in_callback;
    return true;
  }
  auto it = l.inspections.begin();
  while (it != l.inspections.end() && it->stage != Stage::fresh) ++it;
  if (it == l.inspections.end()) return false;
  it->stage = Stage::asking;
  KmSocket* c = it->socket;
  const WSK_INSPECT_ID id = it->id;
  {
    // The request stays listed (WskInspectComplete may come before the callback has
    // returned), but a listener close may take it meanwhile: this count keeps the
    // socket allocated until the verdict below is applied or found moot.
    std::lock_guard hold(c->m);
    ++c->busy;
  }
  ++l.in_callback;
  lock.unlock();
  SOCKADDR_STORAGE local{};
  SOCKADDR_STORAGE remote{};
  request_addresses(*c, local, remote);
  WSK_INSPECT_ID given = id;  // the client may write to it; the list keeps the original
  WSK_INSPECT_ACTION action = cb(l.context, reinterpret_cast<PSOCKADDR>(&local),
                                 reinterpret_cast<PSOCKADDR>(&remote), &given);
  lock.lock();
  --l.in_callback;
  it = find_id(l, id);
  bool reject = false;
  bool watch = false;
  if (it != l.inspections.end()) {
    if (action == WskInspectPend && it->decided != WskInspectPend) action = it->decided;
    if (action == WskInspectPend) {
      it->stage = Stage::pended;
      ++l.busy;  // the watch's count, released by whoever clears inspect_owner
      watch = true;
    } else {
      l.inspections.erase(it);
      if (action == WskInspectAccept) {
        {
          std::lock_guard hold(c->m);
          c->has_inspect_id = true;
          c->inspect_id = id;
        }
        l.accepted.push_back(c);  // on to WskAccept / WskAcceptEvent
      } else {
        reject = true;  // WskInspectReject, or a value that is no action
      }
    }
  }
  if (watch) {
    std::lock_guard hold(c->m);
    c->inspect_owner = &l;
  }
  lock.unlock();
  if (reject) close_socket(*c, nullptr);  // abortive: the peer reads a reset
  if (watch) post_pump(*c);               // posts the receive that sees a drop
  pump_with(*c, 1);
  lock.lock();
  return true;
}

bool inspect_watch_step(KmSocket& c, Lock& lock) noexcept {
  const bool dropped = c.eof || (!NT_SUCCESS(c.rx_error) && c.rx_error != STATUS_CANCELLED);
  if (!dropped) return false;
  KmSocket& l = *c.inspect_owner;
  c.inspect_owner = nullptr;  // the listener's busy count is this pump's now
  lock.unlock();
  bool found = false;
  WSK_INSPECT_ID id{};
  PFN_WSK_ABORT_EVENT cb = nullptr;
  {
    std::lock_guard hold(l.m);
    for (auto it = l.inspections.begin(); it != l.inspections.end(); ++it) {
      if (it->socket == &c && it->stage == Stage::pended) {
        id = it->id;
        l.inspections.erase(it);
        found = true;
        break;
      }
    }
    if (found && !l.closing) cb = abort_cb(l);
    if (cb != nullptr) ++l.in_callback;
  }
  if (cb != nullptr) {
    (void)cb(l.context, &id);
    std::lock_guard hold(l.m);
    --l.in_callback;
  }
  if (found) close_socket(c, nullptr);  // the request is gone; its socket goes with it
  pump_with(l, 1);                      // the watch's count (may free a closed listener)
  lock.lock();
  return true;
}

void inspect_close_all(KmSocket& l, std::deque<Inspection>& taken) noexcept {
  for (Inspection& e : taken) {
    if (e.stage == Stage::pended && unwatch(*e.socket)) {
      // The close holds its own count until the core close completes: this one can go
      // without a pump.
      std::lock_guard lock(l.m);
      --l.busy;
    }
    close_socket(*e.socket, nullptr);
  }
}

NTSTATUS WSKAPI wsk_inspect_complete(PWSK_SOCKET socket, PWSK_INSPECT_ID id,
                                     WSK_INSPECT_ACTION action, PIRP irp) {
  KmSocket* s = socket_from(socket, __func__);
  CallScope call(s != nullptr ? s->reg : nullptr);  // WskDeregister waits for it
  if (s == nullptr || !enter(irp)) return STATUS_INVALID_PARAMETER;
  KmSocket& l = *s;
  KmSocket* c = nullptr;
  bool owned = false;
  NTSTATUS st = STATUS_SUCCESS;
  {
    Lock lock(l.m);
    auto it = l.inspections.end();
    if (!l.conditional) {
      st = STATUS_INVALID_DEVICE_STATE;
    } else if (id == nullptr || (action != WskInspectAccept && action != WskInspectReject)) {
      st = STATUS_INVALID_PARAMETER;
    } else {
      it = find_id(l, *id);
      if (it == l.inspections.end() || it->stage == Stage::fresh) st = STATUS_INVALID_PARAMETER;
    }
    if (NT_SUCCESS(st) && it->stage == Stage::asking) {
      it->decided = action;  // WskInspectEvent has not returned yet: applied when it does
    } else if (NT_SUCCESS(st)) {
      c = it->socket;
      l.inspections.erase(it);
      owned = unwatch(*c);
      if (action == WskInspectAccept) {
        {
          std::lock_guard hold(c->m);
          c->has_inspect_id = true;
          c->inspect_id = *id;
        }
        l.accepted.push_back(c);
        c = nullptr;
        if (!owned) ++l.busy;  // for the pump posted below
        owned = true;
      }
    }
  }
  if (c != nullptr) close_socket(*c, nullptr);  // rejected: the peer reads a reset
  // The pump hands an accepted request on (its count is the watch's, or one taken
  // above for an accept whose watch the connection's pump had taken first).
  if (owned) release_watch(l);
  return finish(*l.reg, irp, st, 0);
}

}  // namespace wskport::km
