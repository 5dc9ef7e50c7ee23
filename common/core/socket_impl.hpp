// SPDX-License-Identifier: MIT
// The platform-neutral half of a socket: identity, the WSK state machine, the rundown
// count that orders close after every pending completion, and the reference count.
// Each backend derives its native half from it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>

#include "common/core/completion.hpp"
#include "common/core/spin_lock.hpp"
#include "wskport/address.hpp"
#include "wskport/irp.hpp"
#include "wskport/socket.hpp"

namespace wskport::detail {

class ProviderCore;
class SocketRef;

struct SocketParams {
  AddressFamily family = AddressFamily::unspecified;
  SocketType type = SocketType::stream;
  Protocol protocol = Protocol::automatic;
  Category category = Category::basic;
};

class SocketImpl {
 public:
  SocketImpl(ProviderCore& provider, const SocketParams& params) noexcept
      : provider_(provider), params_(params) {}
  SocketImpl(const SocketImpl&) = delete;
  SocketImpl& operator=(const SocketImpl&) = delete;
  virtual ~SocketImpl() = default;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  [[nodiscard]] ProviderCore& provider() const noexcept { return provider_; }
  [[nodiscard]] const SocketParams& params() const noexcept { return params_; }
  [[nodiscard]] bool is_stream() const noexcept { return params_.type == SocketType::stream; }

  /// Called by the funnel after the routine of an IRP pending on this socket returned.
  /// The last one completes a deferred close.
  void op_finished() noexcept;

  /// Engines pass the failure status of every operation on the socket through here
  /// (`mutex` held). One that says an established connection is gone is remembered in
  /// `lost`. A connect's failure is not: the socket is not connected yet. Returns @p st.
  NTSTATUS note_failure(NTSTATUS st) noexcept {
    if (connected && lost == status::success &&
        (st == status::connection_reset || st == status::connection_aborted ||
         st == status::io_timeout)) {
      lost = st;
    }
    return st;
  }

  /// What a receive that read end of stream after delivering @p delivered bytes
  /// completes with (`mutex` held): the data first, as success; with none, the lost
  /// connection's status, else success with 0 bytes, the peer's graceful close.
  NTSTATUS end_of_stream(std::size_t delivered) noexcept {
    eof_seen = true;
    return delivered != 0 ? status::success : lost;
  }

  /// Marks an IRP as pending on this socket (rundown count), handing it @p lookup, the
  /// caller's reference to this socket (left empty). Called with `mutex` held.
  void op_started(Irp& irp, SocketRef& lookup) noexcept;

  std::uintptr_t id = 0;  // set once when registered in the handle table
  SpinLock mutex;         // short sections only: see spin_lock.hpp

  // WSK state, guarded by `mutex`.
  bool bound = false;
  bool listening = false;
  bool connecting = false;
  bool connected = false;
  bool fin_sent = false;  // graceful disconnect issued: no more sends
  bool eof_seen = false;  // the peer's FIN was read
  bool aborted = false;   // abortive disconnect, or the connection failed
  // The connection was lost underneath this side (the peer reset it, the transport
  // timed it out or aborted it): the status the call that noticed it completed with,
  // which every later send, receive and disconnect completes with too (the front end
  // answers them), and which a receive that then reads end of stream reports instead
  // of a graceful close. Windows keeps reporting a reset as WSK does; Linux reports it
  // to one call, whichever sees it first, and reads end of stream after that, so the
  // socket must remember it. success while the connection is intact.
  NTSTATUS lost = status::success;
  bool closing = false;  // close issued: the handle is already stale
  bool forced = false;   // torn down by the library: file_forced_closed
  bool reuse_address = false;
  bool exclusive_address = false;
  // IRPs accepted on this socket, routine not yet returned. Raised under `mutex`; lowered
  // without it (op_finished), which takes the lock only when the count reaches zero.
  std::atomic<std::size_t> pending{0};
  Irp* close_irp = nullptr;  // close waiting for `pending` to reach zero

 private:
  ProviderCore& provider_;
  const SocketParams params_;
  std::atomic<std::uint32_t> refs_{1};
};

/// An owning reference.
class SocketRef {
 public:
  SocketRef() noexcept = default;
  explicit SocketRef(SocketImpl* s, bool add = true) noexcept : s_(s) {
    if (s_ && add) s_->add_ref();
  }
  SocketRef(const SocketRef& o) noexcept : SocketRef(o.s_) {}
  SocketRef(SocketRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  SocketRef& operator=(SocketRef o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~SocketRef() {
    if (s_) s_->release();
  }
  SocketImpl* get() const noexcept { return s_; }
  SocketImpl* operator->() const noexcept { return s_; }
  SocketImpl& operator*() const noexcept { return *s_; }
  explicit operator bool() const noexcept { return s_ != nullptr; }
  SocketImpl* detach() noexcept {
    auto* s = s_;
    s_ = nullptr;
    return s;
  }

 private:
  SocketImpl* s_ = nullptr;
};

// Inline, so the caller's compiler sees the lookup reference leave: its release at the
// end of the call goes away with the increment the IRP no longer takes.
inline void SocketImpl::op_started(Irp& irp, SocketRef& lookup) noexcept {
  ++pending;
  // The IRP takes over the lookup's reference instead of taking its own. The caller
  // still holds `mutex`, and the socket cannot go while it does: the handle table, or a
  // close waiting for the lock, holds another reference; nothing touches the socket
  // after the unlock.
  IrpAccess::op(irp).socket = lookup.detach();
}

}  // namespace wskport::detail
