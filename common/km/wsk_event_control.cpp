// SPDX-License-Identifier: MIT
// Event control: enabling and disabling callbacks (SO_WSK_EVENT_CALLBACK and the
// static ones), the send-backlog indication, the received chunks and WskRelease.
#include "common/km/wsk_callbacks.hpp"

namespace wskport::km {

using detail::OpKind;

namespace {
using Lock = std::unique_lock<std::mutex>;
}  // namespace

Chunk* chunk_new(KmSocket& s, std::size_t capacity) noexcept {
  auto* c = new (std::nothrow) Chunk;
  if (c == nullptr) return nullptr;
  // One block: the MDL (with room for its frame array, as MmSizeOfMdl counts it), then
  // the data it describes. The runtime's MDL routines are not needed for memory the
  // layer owns, and a chunk costs one allocation besides its header.
  const std::size_t pages = (capacity + PAGE_SIZE - 1) / PAGE_SIZE + 1;
  std::size_t mdl_space = sizeof(MDL) + sizeof(PFN_NUMBER) * pages;
  mdl_space = (mdl_space + 15) & ~static_cast<std::size_t>(15);
  c->block = new (std::nothrow) unsigned char[mdl_space + capacity];
  if (c->block == nullptr) {
    delete c;
    return nullptr;
  }
  c->mdl = reinterpret_cast<PMDL>(c->block);
  c->bytes = c->block + mdl_space;
  MmInitializeMdl(c->mdl, c->bytes, capacity);
  c->mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
  c->mdl->MappedSystemVa = c->bytes;
  c->owner = &s;
  c->capacity = capacity;
  return c;
}

void chunk_free(Chunk* c) noexcept {
  if (c == nullptr) return;
  c->magic = 0;
  delete[] c->block;
  delete c;
}

NTSTATUS set_events(KmSocket& s, ULONG mask, bool from_static, PIRP irp) noexcept {
  Lock lock(s.m);
  if ((mask & WSK_EVENT_DISABLE) != 0) {
    const ULONG bit = mask & ~WSK_EVENT_DISABLE;
    if (bit == 0 || (bit & (bit - 1)) != 0 || (bit & allowed_events(s)) == 0) {
      return STATUS_INVALID_PARAMETER;
    }
    s.events &= ~bit;
    s.static_events &= ~bit;
    if (s.in_callback == 0) return STATUS_SUCCESS;
    if (irp == nullptr) return STATUS_EVENT_PENDING;
    area(irp).socket = &s;
    lock.unlock();
    const Held h = hold(*s.reg, irp, OpKind::control, &cancel_queued);
    if (h == Held::refused) return STATUS_INVALID_PARAMETER;
    if (h == Held::cancelled) {
      bridge::complete(*s.reg->provider, core_irp(irp), STATUS_CANCELLED, 0);
      return STATUS_PENDING;
    }
    lock.lock();
    s.disable_waiters.push_back(irp);
    lock.unlock();
    post_pump(s);
    return STATUS_PENDING;
  }
  if (mask == 0 || (mask & ~allowed_events(s)) != 0) return STATUS_INVALID_PARAMETER;
  for (ULONG bit = 1; bit != 0 && bit <= mask; bit <<= 1) {
    if ((mask & bit) != 0 && !has_callback(s, bit)) return STATUS_INVALID_PARAMETER;
  }
  const bool backlog = (mask & WSK_EVENT_SEND_BACKLOG) != 0 && s.category != WSK_FLAG_LISTEN_SOCKET;
  s.events |= mask;
  if (from_static) s.static_events |= mask;
  if ((mask & WSK_EVENT_RECEIVE_FROM) != 0) s.suspended = false;
  lock.unlock();
  if (backlog) {
    // The ideal backlog is the send buffer size (what the transport takes at once).
    ULONG_PTR ideal = 64 * 1024;
    {
      bridge::InlineScope scope;
      Irp i;
      s.core.get_option(SocketOption::send_buffer, &i);
      if (NT_SUCCESS(i.IoStatus.Status) && i.IoStatus.Information != 0)
        ideal = i.IoStatus.Information;
    }
    {
      std::lock_guard l(s.m);
      ++s.busy;
    }
    struct Job {
      KmSocket* s;
      ULONG_PTR ideal;
    };
    auto* job = new (std::nothrow) Job{&s, ideal};
    if (job != nullptr) {
      bridge::post(
          *s.reg->provider,
          [](void* p) {
            auto* j = static_cast<Job*>(p);
            KmSocket& k = *j->s;
            PFN_WSK_SEND_BACKLOG_EVENT cb = nullptr;
            {
              std::lock_guard l(k.m);
              if (!k.closing && (k.events & WSK_EVENT_SEND_BACKLOG) != 0) cb = backlog_cb(k);
              if (cb != nullptr) ++k.in_callback;
            }
            if (cb != nullptr) {
              (void)cb(k.context, j->ideal);
              std::lock_guard l(k.m);
              --k.in_callback;
            }
            delete j;
            pump_with(k, 1);
          },
          job);
    } else {
      pump_with(s, 1);
    }
  }
  post_pump(s);
  return STATUS_SUCCESS;
}

NTSTATUS release_chunks(KmSocket& s, Chunk* first) noexcept {
  // Validate the whole list before freeing any of it. An entry counts only if it is on
  // this socket's retained list, found by address: a pointer the client made up (a
  // WSK_DATA_INDICATION of its own, smaller than a chunk) is never read past its Next.
  {
    std::lock_guard lock(s.m);
    for (Chunk* c = first; c != nullptr; c = reinterpret_cast<Chunk*>(c->ind.data.Next)) {
      bool retained = false;
      for (const Chunk* r = s.retained; r != nullptr && !retained; r = r->next) {
        retained = r == c;
      }
      if (!retained || c->magic != 0x4348'4B31 || c->owner != &s) {
        return STATUS_INVALID_PARAMETER;
      }
    }
    for (Chunk* c = first; c != nullptr;) {
      Chunk* next = reinterpret_cast<Chunk*>(c->ind.data.Next);
      if (c->prev != nullptr) c->prev->next = c->next;
      if (c->next != nullptr) c->next->prev = c->prev;
      if (s.retained == c) s.retained = c->next;
      chunk_free(c);
      c = next;
    }
  }
  post_pump(s);  // the socket may now read on
  return STATUS_SUCCESS;
}

}  // namespace wskport::km
