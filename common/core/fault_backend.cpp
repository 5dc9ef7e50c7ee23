// SPDX-License-Identifier: MIT
// The fault injector: a Backend that wraps the native one and, while a script is
// installed, replaces what the native backend would do for the calls the script
// names. It sits below the front end, so every call it sees has passed validation
// and holds the socket's lock, exactly as the native backend would see it.
//
// IRPs it holds back (would-block storms, delays) wait in its own table with a cancel
// routine armed, as a native wait does; teardown, cancel and the resume handler race
// through the IRP's cancel slot (disarm_cancel decides who completes), the pattern the
// backends use for their own queues.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "common/core/completion.hpp"
#include "common/core/fault_injection.hpp"
#include "common/core/provider_core.hpp"

namespace wskport::detail {

namespace {

using faults::Action;
using faults::Op;

class FaultBackend final : public Backend {
 public:
  FaultBackend(std::unique_ptr<Backend> inner, boost::asio::io_context& io)
      : inner_(std::move(inner)), io_(io), reset_status_(faults::reset_status()) {}

  std::string_view name() const noexcept override { return inner_->name(); }

  SocketImpl* create(ProviderCore& core, const SocketParams& params,
                     NTSTATUS& status) noexcept override {
    if (faults::active()) {
      if (auto f = faults::match(Op::create); f && f->action == Action::fail) {
        status = f->status;
        return nullptr;
      }
    }
    return inner_->create(core, params, status);
  }

  native_handle_t native_handle(SocketImpl& s) noexcept override {
    return inner_->native_handle(s);
  }

  // The one entry: a synchronous kind can only fail (or be forced closed); a waiting
  // kind takes every action the script allows.
  Start submit(SocketImpl& s, Irp& irp, IrpList& others) noexcept override {
    const Op op = IrpAccess::op(irp).kind;
    if (!op_info(op).waits) {
      if (auto st = sync_fault(s, op)) return Start::done(*st);
      return inner_->submit(s, irp, others);
    }
    return start(s, irp, op, others);
  }

  NTSTATUS resolve(const std::string& node, std::uint16_t port, AddressFamily family,
                   std::vector<Address>& out) noexcept override {
    return inner_->resolve(node, port, family, out);
  }
  NTSTATUS lookup_name(const Address& address, unsigned flags, std::string* host,
                       std::string* service) noexcept override {
    return inner_->lookup_name(address, flags, host, service);
  }

  void quiesce(SocketImpl& s, NTSTATUS pending_status, IrpList& out) noexcept override {
    take_held(s, pending_status, out);
    inner_->quiesce(s, pending_status, out);
  }

  void teardown(SocketImpl& s, NTSTATUS pending_status, IrpList& out) noexcept override {
    take_held(s, pending_status, out);
    if (reset_count_.load(std::memory_order_relaxed) != 0) {
      std::lock_guard lock(mutex_);
      if (reset_.erase(&s) != 0) reset_count_.fetch_sub(1, std::memory_order_relaxed);
    }
    inner_->teardown(s, pending_status, out);
  }

 private:
  // An IRP held back by a would-block storm or a delay.
  struct Held {
    SocketImpl* socket = nullptr;  // referenced by the IRP while it is pending
    Irp* irp = nullptr;
    Op op = Op::send;
    std::uint64_t blocks_left = 0;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  bool is_reset(const SocketImpl& s) noexcept {
    if (reset_count_.load(std::memory_order_relaxed) == 0) return false;
    std::lock_guard lock(mutex_);
    return reset_.count(&s) != 0;
  }

  std::optional<NTSTATUS> sync_fault(SocketImpl& s, Op op) noexcept {
    if (is_reset(s)) return reset_status_;
    if (!faults::active()) return std::nullopt;
    const auto f = faults::match(op);
    if (!f) return std::nullopt;
    if (f->action == Action::forced_close) {
      force_close(s);
      return status::file_forced_closed;
    }
    return f->status;  // fail: the only other action a synchronous call accepts
  }

  Start start(SocketImpl& s, Irp& irp, Op op, IrpList& others) noexcept {
    const bool transfer = op == Op::send || op == Op::receive || op == Op::disconnect;
    if (transfer && is_reset(s)) return Start::done(reset_status_);
    std::optional<faults::Fault> f;
    if (faults::active()) f = faults::match(op);
    if (!f) return inner_->submit(s, irp, others);
    // A connect that ends here leaves the socket unconnected, as the backends do when
    // the native connect fails at once.
    if (op == Op::connect && f->action != Action::would_block && f->action != Action::delay) {
      s.connecting = false;
    }
    switch (f->action) {
      case Action::fail:
        // As the engines do for a real error: a lost connection is remembered, so an
        // injected ETIMEDOUT on a receive reads like the transport's own.
        return Start::done(s.note_failure(f->status));
      case Action::forced_close:
        force_close(s);
        return Start::done(status::file_forced_closed);
      case Action::reset:
        reset(s);
        return Start::done(reset_status_);
      case Action::short_transfer:
        shorten(irp, op, f->amount);
        return inner_->submit(s, irp, others);
      case Action::would_block:
        return hold(s, irp, op, others, f->amount, 0);
      case Action::delay:
        return hold(s, irp, op, others, 0, f->amount);
    }
    return inner_->submit(s, irp, others);
  }

  // A short transfer: the backend is handed a view of at most @p limit bytes of the
  // first non-empty buffer, so it moves (and reports) that much and no more.
  static void shorten(Irp& irp, Op op, std::uint64_t limit) noexcept {
    auto& o = IrpAccess::op(irp);
    if (o.total == 0 || o.total <= limit) return;
    const auto cap = [&](std::size_t size) {
      return size < limit ? size : static_cast<std::size_t>(limit);
    };
    if (op == Op::send) {
      for (std::size_t i = 0; i < o.buffer_count; ++i) {
        const ConstBuffer b = o.buffers.send[i];
        if (b.size == 0) continue;
        o.single_send = ConstBuffer{b.data, cap(b.size)};
        o.buffers.send = &o.single_send;
        o.total = o.single_send.size;
        break;
      }
    } else {
      for (std::size_t i = 0; i < o.buffer_count; ++i) {
        const MutableBuffer b = o.buffers.receive[i];
        if (b.size == 0) continue;
        o.single_receive = MutableBuffer{b.data, cap(b.size)};
        o.buffers.receive = &o.single_receive;
        o.total = o.single_receive.size;
        break;
      }
    }
    o.buffer_count = 1;
  }

  // Tears @p s down under its caller (s.mutex held): every later call answers
  // file_forced_closed through the front end, and close still works.
  void force_close(SocketImpl& s) noexcept {
    s.forced = true;
    IrpList out;
    take_held(s, status::file_forced_closed, out);
    inner_->teardown(s, status::file_forced_closed, out);
    complete_later(out);
  }

  // A reset from the peer: the native socket is closed abortively (the peer sees the
  // reset), what waited on it completes with the reset status, and later calls are
  // answered here with that status until close.
  void reset(SocketImpl& s) noexcept {
    {
      std::lock_guard lock(mutex_);
      try {
        if (reset_.insert(&s).second) reset_count_.fetch_add(1, std::memory_order_relaxed);
      } catch (...) {
        // Out of memory: the socket is still closed below; later calls then fail with
        // what the native backend answers for a closed handle.
      }
    }
    IrpList out;
    take_held(s, reset_status_, out);
    inner_->teardown(s, reset_status_, out);
    complete_later(out);
  }

  // Completions found while the socket's lock is held run on a provider thread.
  void complete_later(IrpList& list) noexcept {
    if (list.empty()) return;
    IrpList moved = list;
    list = IrpList{};
    try {
      boost::asio::post(io_, [moved]() mutable { moved.complete_all(); });
    } catch (...) {
      // Completing them here would take s.mutex again (the funnel's rundown), which
      // this thread holds; a test facility out of memory stops instead.
      std::fputs("wskport: fault injection: out of memory posting completions\n", stderr);
      std::abort();
    }
  }

  Start hold(SocketImpl& s, Irp& irp, Op op, IrpList& others, std::uint64_t blocks,
             std::uint64_t delay_ms) noexcept {
    std::uint64_t key = 0;
    try {
      Held h{&s, &irp, op, blocks, nullptr};
      if (delay_ms != 0) h.timer = std::make_unique<boost::asio::steady_timer>(io_);
      std::lock_guard lock(mutex_);
      key = ++next_key_;
      held_.emplace(key, std::move(h));
    } catch (...) {
      return inner_->submit(s, irp, others);  // no memory for the fault: no fault
    }
    if (!IrpAccess::arm_cancel(irp, &FaultBackend::cancel_held)) {
      std::lock_guard lock(mutex_);
      held_.erase(key);
      if (op == Op::connect) s.connecting = false;
      return Start::done(status::cancelled);
    }
    schedule(key, delay_ms);
    return Start::queued();
  }

  void schedule(std::uint64_t key, std::uint64_t delay_ms) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(key);
    if (it == held_.end()) return;
    try {
      if (delay_ms != 0 && it->second.timer) {
        it->second.timer->expires_after(std::chrono::milliseconds(delay_ms));
        it->second.timer->async_wait([this, key](const auto&) { resume(key); });
      } else {
        boost::asio::post(io_, [this, key] { resume(key); });
      }
    } catch (...) {
      // Could not schedule: resume once now from a provider thread is impossible too;
      // the IRP stays held until cancel or teardown completes it.
    }
  }

  // A held IRP's turn: one more "would block", or hand it to the native backend.
  void resume(std::uint64_t key) noexcept {
    SocketRef s;
    {
      std::lock_guard lock(mutex_);
      const auto it = held_.find(key);
      if (it == held_.end()) return;  // completed by teardown or cancel meanwhile
      s = SocketRef(it->second.socket);
    }
    IrpList done;
    IrpList others;
    {
      std::lock_guard socket_lock(s->mutex);
      Held h;
      {
        std::lock_guard lock(mutex_);
        const auto it = held_.find(key);
        if (it == held_.end()) return;
        if (it->second.blocks_left > 0) {
          --it->second.blocks_left;
          try {
            boost::asio::post(io_, [this, key] { resume(key); });
            return;
          } catch (...) {
            // Out of memory: let it through now.
          }
        }
        // A canceller that already took the routine completes the IRP itself.
        if (!IrpAccess::disarm_cancel(*it->second.irp)) return;
        h = std::move(it->second);
        held_.erase(it);
      }
      const Start st = inner_->submit(*s, *h.irp, others);
      if (!st.pending) done.push(*h.irp, st.status, st.information);
    }
    others.complete_all();
    done.complete_all();
  }

  static void cancel_held(Irp& irp) noexcept {
    SocketImpl* socket = IrpAccess::op(irp).socket;
    auto& self = static_cast<FaultBackend&>(socket->provider().backend());
    {
      std::lock_guard socket_lock(socket->mutex);
      std::lock_guard lock(self.mutex_);
      for (auto it = self.held_.begin(); it != self.held_.end(); ++it) {
        if (it->second.irp == &irp) {
          if (it->second.op == Op::connect) socket->connecting = false;
          self.held_.erase(it);
          break;
        }
      }
    }
    complete_irp(irp, status::cancelled, 0);
  }

  // Lists @p s's held IRPs (s.mutex held) in @p out with @p st, except one a canceller
  // has claimed (its routine completes it).
  void take_held(SocketImpl& s, NTSTATUS st, IrpList& out) noexcept {
    std::lock_guard lock(mutex_);
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->second.socket == &s && IrpAccess::disarm_cancel(*it->second.irp)) {
        if (it->second.op == Op::connect) s.connecting = false;
        out.push(*it->second.irp, st, 0);
        it = held_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::unique_ptr<Backend> inner_;
  boost::asio::io_context& io_;
  const NTSTATUS reset_status_;
  // Lock order: a socket's mutex, then this one.
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Held> held_;
  std::uint64_t next_key_ = 0;
  std::unordered_set<const SocketImpl*> reset_;
  std::atomic<std::size_t> reset_count_{0};
};

}  // namespace

std::unique_ptr<Backend> make_fault_backend(std::unique_ptr<Backend> inner,
                                            boost::asio::io_context& io) {
  return std::make_unique<FaultBackend>(std::move(inner), io);
}

}  // namespace wskport::detail
