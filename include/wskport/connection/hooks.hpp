// SPDX-License-Identifier: MIT
/// @file hooks.hpp
/// @brief Hook points (ordered provider chains called without a lock) and the
///        connection_post_bind hook in C++.
///
/// Part 1, `HookPoint`: the C++ mechanism behind Momentum-style hooks
/// (`register_..._first/_last`, `has_`, `call_`). One `HookPoint<Args...>` is one hook; its
/// providers are `int (*)(void* closure, Args...)` plus a closure, or any callable `int(Args...)`.
///
/// - Order: `Position::first` puts a provider ahead of every provider registered so
///   far, `Position::last` after every one (Momentum's rule): registering last(A),
///   first(B), first(C), last(D) gives the chain C, B, A, D.
/// - `call` runs the chain in order; the first non-zero return stops it and is
///   returned ("veto" hooks, such as connection_post_bind); 0 if all returned 0.
/// - `call` takes no lock: the chain is a copy-on-write snapshot read through an
///   atomic pointer (old snapshots are freed once no call is inside), so calls run
///   concurrently with each other and with registration; a provider may register or
///   unregister providers from inside a call (the change applies to later calls).
/// - `remove` waits, after unlinking the provider, until no other thread is still
///   running it (and none will start it again): afterwards its closure may be freed.
///   From inside that provider it does not wait for the current invocation. So a
///   provider must not wait for a thread that is removing it.
/// - A provider must not throw through a C caller; a C++ exception thrown by a
///   provider propagates out of `call` (bookkeeping is restored first).
///
/// Part 2, connection_post_bind in C++: the same chain as the C functions of
/// "hooks/core/connection_post_bind.h", with the full native handle, the wskport
/// Socket and the destination as an Address.
///
///   auto reg = wskport::hooks::connection_post_bind().scoped(
///       wskport::hooks::Position::last, [](const wskport::hooks::PostBindContext& c) {
///         return c.socket ? 0 : 1;  // non-zero aborts the attempt
///       });
///
/// C and C++ providers share one chain, so `_first`/`_last` order holds across both.
/// The hook runs after bind and before connect, on the thread that drives the attempt
/// (the caller of initiate for the first address, a provider thread after that); it
/// must not block, and must not close the socket. See connection_post_bind.h for the
/// abort semantics.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "wskport/address.hpp"
#include "wskport/momentum/connection_types.h"
#include "wskport/socket.hpp"

namespace wskport::hooks {

/// Where a new provider goes in the chain.
enum class Position { first, last };

namespace detail {

/// One frame per provider invocation on this thread, innermost first, so that
/// `remove` called from inside a provider does not wait for its own caller.
struct ActiveCall {
  const void* entry;
  const ActiveCall* outer;
};

inline const ActiveCall*& active_calls() noexcept {
  thread_local const ActiveCall* top = nullptr;
  return top;
}

}  // namespace detail

template <class... Args>
class HookPoint {
 public:
  /// A provider: returns 0 to let the chain go on, non-zero to stop it.
  using Function = int (*)(void* closure, Args... args);
  /// Identifies one registration (never 0).
  using Id = std::uint64_t;

  HookPoint() : list_(new List()) {}
  HookPoint(const HookPoint&) = delete;
  HookPoint& operator=(const HookPoint&) = delete;
  /// No call may be running.
  ~HookPoint() {
    delete list_.load();
    for (const List* l : retired_) delete l;
  }

  /// Registers @p fn with @p closure. @p owner (optional) is kept alive as long as any
  /// call may still use the provider, e.g. the object @p closure points into.
  /// Synchronous; thread-safe. @return the registration's id; 0 for a null @p fn
  /// (nothing registered).
  Id add(Position where, Function fn, void* closure, std::shared_ptr<void> owner = {}) {
    if (fn == nullptr) return 0;
    auto entry = std::make_shared<Entry>();
    entry->fn = fn;
    entry->closure = closure;
    entry->owner = std::move(owner);
    std::lock_guard lock(writers_);
    entry->id = ++last_id_;
    const List* current = list_.load(std::memory_order_seq_cst);
    List next;
    next.reserve(current->size() + 1);
    if (where == Position::first) next.push_back(entry);
    next.insert(next.end(), current->begin(), current->end());
    if (where == Position::last) next.push_back(entry);
    publish(std::move(next));
    return entry->id;
  }

  /// Registers a callable `int(Args...)` (copied or moved into the chain).
  template <class F,
            class = std::enable_if_t<std::is_invocable_r_v<int, std::decay_t<F>&, Args...>>>
  Id add(Position where, F&& f) {
    using Stored = std::decay_t<F>;
    auto stored = std::make_shared<Stored>(std::forward<F>(f));
    void* closure = stored.get();
    return add(
        where, [](void* c, Args... args) -> int { return (*static_cast<Stored*>(c))(args...); },
        closure, std::move(stored));
  }

  /// Removes registration @p id; waits as described in the file comment.
  /// @return true if it was registered.
  bool remove(Id id) {
    return remove_first([id](const Entry& e) { return e.id == id; });
  }

  /// Removes the first registration, in chain order, for which
  /// `match(fn, closure)` is true; waits as `remove(Id)`. For C unregistration.
  template <class Match>
  bool remove_first_match(Match&& match) {
    return remove_first([&](const Entry& e) { return match(e.fn, e.closure); });
  }

  /// True if no provider is registered. Lock-free.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  /// Providers registered now. Lock-free.
  [[nodiscard]] std::size_t size() const noexcept { return count_.load(std::memory_order_acquire); }

  /// Runs the chain on the calling thread; see the file comment.
  int call(Args... args) const {
    Reader reader(*this);
    for (const auto& entry : *reader.list()) {
      // Announce the call before checking for removal; `remove` sets the flag before
      // reading the count. Both sequentially consistent, so one of the two sees the
      // other: a removed provider is either skipped here or waited for there.
      entry->in_flight.fetch_add(1, std::memory_order_seq_cst);
      Frame frame(*entry);
      if (entry->removed.load(std::memory_order_seq_cst)) continue;
      const int result = entry->fn(entry->closure, args...);
      if (result != 0) return result;
    }
    return 0;
  }

  /// Unregisters on destruction (move-only).
  class Registration {
   public:
    Registration() noexcept = default;
    Registration(HookPoint& point, Id id) noexcept : point_(&point), id_(id) {}
    Registration(Registration&& o) noexcept
        : point_(std::exchange(o.point_, nullptr)), id_(std::exchange(o.id_, 0)) {}
    Registration& operator=(Registration&& o) noexcept {
      if (this != &o) {
        reset();
        point_ = std::exchange(o.point_, nullptr);
        id_ = std::exchange(o.id_, 0);
      }
      return *this;
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { reset(); }

    /// Unregisters now (waits as `remove`).
    void reset() {
      if (point_ != nullptr && id_ != 0) point_->remove(id_);
      point_ = nullptr;
      id_ = 0;
    }
    /// Keeps the provider registered for good and returns its id.
    Id release() noexcept {
      point_ = nullptr;
      return std::exchange(id_, 0);
    }
    [[nodiscard]] Id id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ != 0; }

   private:
    HookPoint* point_ = nullptr;
    Id id_ = 0;
  };

  /// Registers and returns an RAII registration.
  template <class F>
  [[nodiscard]] Registration scoped(Position where, F&& f) {
    return Registration(*this, add(where, std::forward<F>(f)));
  }

 private:
  struct Entry {
    Function fn = nullptr;
    void* closure = nullptr;
    std::shared_ptr<void> owner;
    Id id = 0;
    mutable std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> removed{false};
  };
  using List = std::vector<std::shared_ptr<Entry>>;

  // Snapshot reclamation, without a lock on the call path. A call counts itself in
  // readers_ before loading list_. A writer swaps list_ and retires the old snapshot;
  // retired snapshots are freed by whoever next sees readers_ == 0 after retiring
  // them: every call that could have loaded them had counted itself before the swap,
  // so it has left by then, and a call counted later loads the new list.
  class Reader {
   public:
    explicit Reader(const HookPoint& p) noexcept : point_(p) {
      point_.readers_.fetch_add(1, std::memory_order_seq_cst);
      list_ = point_.list_.load(std::memory_order_seq_cst);
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    ~Reader() {
      point_.readers_.fetch_sub(1, std::memory_order_seq_cst);
      if (point_.garbage_.load(std::memory_order_seq_cst)) point_.try_reclaim();
    }
    [[nodiscard]] const List* list() const noexcept { return list_; }

   private:
    const HookPoint& point_;
    const List* list_ = nullptr;
  };

  // Ends one invocation's bookkeeping however the provider returns (or throws).
  class Frame {
   public:
    explicit Frame(const Entry& e) noexcept : entry_(e), call_{&e, detail::active_calls()} {
      detail::active_calls() = &call_;
    }
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;
    ~Frame() {
      detail::active_calls() = call_.outer;
      entry_.in_flight.fetch_sub(1, std::memory_order_release);
    }

   private:
    const Entry& entry_;
    detail::ActiveCall call_;
  };

  template <class Pred>
  bool remove_first(Pred&& pred) {
    std::shared_ptr<Entry> victim;
    {
      std::lock_guard lock(writers_);
      const List* current = list_.load(std::memory_order_seq_cst);
      List next;
      next.reserve(current->size());
      for (const auto& e : *current) {
        if (!victim && pred(*e)) {
          victim = e;
        } else {
          next.push_back(e);
        }
      }
      if (!victim) return false;
      publish(std::move(next));
    }
    victim->removed.store(true, std::memory_order_seq_cst);
    std::size_t own = 0;  // invocations of this provider further up this thread's stack
    for (const auto* c = detail::active_calls(); c != nullptr; c = c->outer) {
      if (c->entry == victim.get()) ++own;
    }
    while (victim->in_flight.load(std::memory_order_seq_cst) > own) std::this_thread::yield();
    return true;
  }

  // writers_ held.
  void publish(List&& next) {
    const std::size_t n = next.size();
    const List* old = list_.exchange(new List(std::move(next)), std::memory_order_seq_cst);
    count_.store(n, std::memory_order_release);
    retired_.push_back(old);
    garbage_.store(true, std::memory_order_seq_cst);
    reclaim_locked();
  }

  // writers_ held. Frees the retired snapshots if no call is inside (see Reader).
  void reclaim_locked() const noexcept {
    if (readers_.load(std::memory_order_seq_cst) != 0) return;
    for (const List* l : retired_) delete l;
    retired_.clear();
    garbage_.store(false, std::memory_order_seq_cst);
  }

  // From a call leaving: best effort, never waits for a writer.
  void try_reclaim() const noexcept {
    std::unique_lock lock(writers_, std::try_to_lock);
    if (lock.owns_lock()) reclaim_locked();
  }

  std::atomic<const List*> list_;
  std::atomic<std::size_t> count_{0};
  mutable std::atomic<std::size_t> readers_{0};
  mutable std::atomic<bool> garbage_{false};
  mutable std::vector<const List*> retired_;  // guarded by writers_
  mutable std::mutex writers_;                // serialises updates; a call only ever try-locks it
  Id last_id_ = 0;
};

}  // namespace wskport::hooks

namespace wskport::hooks {

/// What a post-bind provider is told.
struct PostBindContext {
  /// The domain record the connection will serve (`connection::Domain::from` gives the
  /// C++ view). May be null when the chain is run through the C call function.
  ::domain_record* domain = nullptr;
  /// The MultiVIP binding slot the socket is bound to.
  int binding_slot = -1;
  /// The bound socket's native handle (fd / SOCKET), full width.
  native_handle_t handle = -1;
  /// The handle as the seed's `int fd` (what C providers receive). The manager checks
  /// that the handle fits before running the chain.
  int fd = -1;
  /// The wskport socket (set options through it portably); null when the chain is run
  /// through `call_core_connection_post_bind_hook`.
  const Socket* socket = nullptr;
  /// The destination connect() will use; `AddressFamily::unspecified` if the native
  /// form given to the C call function could not be read.
  Address destination{};
  /// The destination as the platform's native sockaddr, and its length.
  ::sockaddr* native_address = nullptr;
  int native_length = 0;
};

using PostBindHook = HookPoint<const PostBindContext&>;

/// The process-wide connection_post_bind chain (the one the C functions use).
[[nodiscard]] PostBindHook& connection_post_bind() noexcept;

/// Shorthands for `connection_post_bind().scoped(where, f)`.
template <class F>
[[nodiscard]] PostBindHook::Registration register_post_bind_first(F&& f) {
  return connection_post_bind().scoped(Position::first, std::forward<F>(f));
}
template <class F>
[[nodiscard]] PostBindHook::Registration register_post_bind_last(F&& f) {
  return connection_post_bind().scoped(Position::last, std::forward<F>(f));
}

}  // namespace wskport::hooks
