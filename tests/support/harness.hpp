// SPDX-License-Identifier: MIT
// The conformance harness: one provider, the IRPs and buffers a test hands to it, and
// the teardown checks (no socket left open, no IRP outstanding, each IRP completed
// exactly once per call, the process's open-fd count back where it started).
//
// Ownership rule: everything a pending call may still touch (IRPs, buffers, address
// outputs) is owned by the harness and outlives the provider, so a test that fails
// half-way can never leave the library writing into freed memory.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/platform.hpp"
#include "support/status_assert.hpp"
#include "support/test_irp.hpp"
#include "wskport/address.hpp"
#include "wskport/buffer.hpp"
#include "wskport/irp.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"
#include "wskport/status.hpp"

namespace wskport::test {

/// Polls @p pred until it holds or @p bound passes. Returns the last value of @p pred.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds bound = default_bound,
                std::chrono::milliseconds poll = 2ms) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(poll);
  }
}

/// Deterministic, non-periodic test data: byte @p i of stream @p seed.
inline std::uint8_t pattern_byte(std::uint64_t i, std::uint32_t seed = 0) noexcept {
  std::uint64_t x = i * 0x9E3779B97F4A7C15ULL + (static_cast<std::uint64_t>(seed) << 32U) + seed;
  x ^= x >> 29U;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 32U;
  return static_cast<std::uint8_t>(x);
}

inline void fill_pattern(std::span<std::uint8_t> out, std::uint64_t offset = 0,
                         std::uint32_t seed = 0) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = pattern_byte(offset + i, seed);
}

/// Index of the first byte of @p got that differs from the pattern at @p offset, or
/// nullopt if all match.
inline std::optional<std::size_t> pattern_mismatch(std::span<const std::uint8_t> got,
                                                   std::uint64_t offset = 0,
                                                   std::uint32_t seed = 0) {
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != pattern_byte(offset + i, seed)) return i;
  }
  return std::nullopt;
}

/// Runs a callable at scope exit (cleanup that must happen even when an assertion
/// returns early).
template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  F f_;
};

class ScopedSocket;

/// The provider under test plus everything handed to it.
class Harness {
 public:
  Harness() = default;
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;
  ~Harness() {
    // finish() normally ran in TearDown; this is the last line of defence.
    provider_.reset();
    release_owned();
  }

  /// Records the fd baseline and creates the provider on @p engine (empty: what
  /// Provider::create picks, WSKPORT_ENGINE or the best available).
  ::testing::AssertionResult start(std::string engine, ProviderOptions options = {}) {
    engine_ = std::move(engine);
    fd_baseline_ = platform::open_fd_count();
    return create_provider(options);
  }

  /// Replaces the provider with one built from @p options (same engine). Only at the
  /// start of a test, before any socket exists.
  ::testing::AssertionResult restart(ProviderOptions options) {
    check_quiescent();
    provider_.reset();
    return create_provider(options);
  }

  [[nodiscard]] Provider& provider() { return *provider_; }
  [[nodiscard]] bool has_provider() const { return provider_ != nullptr; }
  /// The engine the provider runs on ("epoll"), once started.
  [[nodiscard]] const std::string& engine() const { return engine_; }

  /// A new IRP owned by the harness, checked at teardown. Thread-safe.
  TestIrp& irp(std::string name = {}) {
    std::lock_guard lock(mutex_);
    irps_.push_back(std::make_unique<TestIrp>(std::move(name)));
    return *irps_.back();
  }

  /// A zeroed buffer owned by the harness (stable address). Thread-safe.
  std::vector<std::uint8_t>& buffer(std::size_t size) {
    std::lock_guard lock(mutex_);
    buffers_.push_back(std::make_unique<std::vector<std::uint8_t>>(size));
    return *buffers_.back();
  }

  /// Any object owned by the harness (address outputs of pending calls...).
  template <class T, class... Args>
  T& hold(Args&&... args) {
    auto p = std::make_shared<T>(std::forward<Args>(args)...);
    T& ref = *p;
    std::lock_guard lock(mutex_);
    held_.push_back(std::move(p));
    return ref;
  }

  /// Issues @p call on a fresh harness IRP and waits (bounded) for its completion.
  template <class F>
  Outcome run(std::string what, F&& call, std::chrono::milliseconds bound = default_bound) {
    TestIrp& i = irp(std::move(what));
    i.issue(std::forward<F>(call));
    return i.wait(bound);
  }

  /// Creates a socket; on success returns its handle, else an empty Socket and the
  /// outcome in @p out.
  Socket create_raw(AddressFamily family, SocketType type, Protocol protocol, Category category,
                    Outcome* out = nullptr) {
    Outcome o = run("create_socket", [&](Irp* p) {
      return provider_->create_socket(family, type, protocol, category, p);
    });
    if (out != nullptr) *out = o;
    if (!o.completed || o.status != status::success || !o.violation.empty()) return {};
    return provider_->socket_from(o.information);
  }

  /// The teardown checks. Call once, from TearDown.
  void finish() {
    if (finished_) return;
    finished_ = true;
    check_quiescent();
    check_irps();
    provider_.reset();  // joins the provider's threads
    check_fds();
    release_owned();
  }

 private:
  ::testing::AssertionResult create_provider(ProviderOptions options) {
    options.engine = engine_;
    NTSTATUS error = status::unsuccessful;
    provider_ = Provider::create(options, &error);
    if (!provider_) {
      return ::testing::AssertionFailure()
             << "Provider::create(engine \"" << engine_ << "\") failed: " << status_string(error)
             << " (" << choose_engine(options).reason << ")";
    }
    engine_ = std::string(provider_->engine_name());
    if (error != status::success) {
      return ::testing::AssertionFailure()
             << "Provider::create returned a provider but reported " << status_string(error);
    }
    return ::testing::AssertionSuccess();
  }

  // Every socket closed and no IRP outstanding. The funnel decrements the outstanding
  // count just after the completion routine returns, hence a bounded wait, not a read.
  void check_quiescent() {
    if (!provider_) return;
    wait_until(
        [&] { return provider_->open_sockets() == 0 && provider_->outstanding_irps() == 0; });
    EXPECT_EQ(provider_->open_sockets(), 0U)
        << "sockets still open at the end of the test (not closed, or close lost)";
    EXPECT_EQ(provider_->outstanding_irps(), 0U)
        << "IRPs still outstanding at the end of the test (accepted, never completed)";
  }

  // Each IRP completed exactly once per call: after every call settled, and still
  // after a grace period (a late second completion is a violation too).
  void check_irps() {
    std::vector<TestIrp*> irps;
    {
      std::lock_guard lock(mutex_);
      for (auto& p : irps_) irps.push_back(p.get());
    }
    wait_until([&] {
      for (auto* i : irps) {
        if (!i->settled()) return false;
      }
      return true;
    });
    std::this_thread::sleep_for(50ms);
    for (auto* i : irps) {
      const auto calls = i->calls();
      const auto seen = i->completions();
      EXPECT_EQ(seen, calls) << i->name() << ": completion routine ran " << seen << " time(s) for "
                             << calls << " accepted call(s)";
      EXPECT_EQ(i->completion_count(), static_cast<std::uint64_t>(seen))
          << i->name() << ": Irp::completion_count() disagrees with the routine's count";
      for (const auto& v : i->violations()) ADD_FAILURE() << "contract violation: " << v;
    }
  }

  void check_fds() {
    if (!fd_baseline_) return;  // no /proc: nothing to compare
    std::optional<std::size_t> now;
    wait_until(
        [&] {
          now = platform::open_fd_count();
          return now && *now == *fd_baseline_;
        },
        2s);
    EXPECT_EQ(now.value_or(0), *fd_baseline_)
        << "open file descriptors differ from the count at SetUp (leaked or closed twice)";
  }

  // IRPs still pending (a library that never completed them) are leaked on purpose:
  // destroying a pending IRP is undefined behaviour, and the failure is reported.
  void release_owned() {
    std::lock_guard lock(mutex_);
    for (auto& p : irps_) {
      if (p && p->is_pending()) {
        ADD_FAILURE() << p->name() << ": IRP still pending after the provider was destroyed";
        (void)p.release();
      }
    }
    irps_.clear();
    buffers_.clear();
    held_.clear();
  }

  std::string engine_;
  std::unique_ptr<Provider> provider_;
  std::optional<std::size_t> fd_baseline_;
  bool finished_ = false;
  std::mutex mutex_;
  std::deque<std::unique_ptr<TestIrp>> irps_;
  std::deque<std::unique_ptr<std::vector<std::uint8_t>>> buffers_;
  std::deque<std::shared_ptr<void>> held_;
};

/// A socket that is closed (with an IRP, bounded wait) when it goes out of scope, so a
/// failed assertion leaks nothing. Wraps the synchronous calls for brevity; every
/// wrapper returns the call's Outcome for the assertion macros.
class ScopedSocket {
 public:
  ScopedSocket() = default;
  ScopedSocket(Harness& h, Socket s) : h_(&h), s_(s) {}
  ScopedSocket(ScopedSocket&& other) noexcept
      : h_(std::exchange(other.h_, nullptr)), s_(std::exchange(other.s_, Socket{})) {}
  ScopedSocket& operator=(ScopedSocket&& other) noexcept {
    if (this != &other) {
      close_quietly();
      h_ = std::exchange(other.h_, nullptr);
      s_ = std::exchange(other.s_, Socket{});
    }
    return *this;
  }
  ScopedSocket(const ScopedSocket&) = delete;
  ScopedSocket& operator=(const ScopedSocket&) = delete;
  ~ScopedSocket() { close_quietly(); }

  explicit operator bool() const noexcept { return static_cast<bool>(s_); }
  [[nodiscard]] const Socket& get() const noexcept { return s_; }
  const Socket* operator->() const noexcept { return &s_; }

  /// Stops owning the socket (the caller closes it) and returns its handle.
  Socket release() noexcept {
    h_ = nullptr;
    return std::exchange(s_, Socket{});
  }

  /// Closes now; the wrapper no longer owns the socket.
  Outcome close(std::chrono::milliseconds bound = default_bound) {
    Socket s = s_;
    Harness* h = h_;
    s_ = Socket{};
    h_ = nullptr;
    if (h == nullptr || !s) return {};
    return h->run(
        "close", [&](Irp* p) { return s.close(p); }, bound);
  }

  Outcome bind(const Address& a) {
    return h_->run("bind " + a.to_string(), [&](Irp* p) { return s_.bind(a, p); });
  }
  Outcome listen() {
    return h_->run("listen", [&](Irp* p) { return s_.listen(p); });
  }
  Outcome connect(const Address& a, std::chrono::milliseconds bound = default_bound) {
    // The address must outlive the call even if it does not complete within the bound.
    const Address& held = h_->hold<Address>(a);
    return h_->run(
        "connect " + a.to_string(), [&](Irp* p) { return s_.connect(held, p); }, bound);
  }
  Outcome local_address(Address& out) {
    return h_->run("local_address", [&](Irp* p) { return s_.local_address(&out, p); });
  }
  Outcome remote_address(Address& out) {
    return h_->run("remote_address", [&](Irp* p) { return s_.remote_address(&out, p); });
  }
  Outcome set_option(SocketOption o, std::uint32_t v) {
    return h_->run("set_option", [&](Irp* p) { return s_.set_option(o, v, p); });
  }
  Outcome get_option(SocketOption o) {
    return h_->run("get_option", [&](Irp* p) { return s_.get_option(o, p); });
  }
  Outcome disconnect(unsigned flags = 0) {
    return h_->run("disconnect",
                   [&](Irp* p) { return s_.disconnect(std::span<const ConstBuffer>{}, flags, p); });
  }
  /// One send of @p size bytes (completes when all were taken).
  Outcome send(const void* data, std::size_t size,
               std::chrono::milliseconds bound = default_bound) {
    return h_->run(
        "send", [&](Irp* p) { return s_.send(data, size, 0, p); }, bound);
  }
  /// One receive into @p data (completes on any data).
  Outcome receive(void* data, std::size_t size, unsigned flags = 0,
                  std::chrono::milliseconds bound = default_bound) {
    return h_->run(
        "receive", [&](Irp* p) { return s_.receive(data, size, flags, p); }, bound);
  }

 private:
  void close_quietly() {
    if (h_ == nullptr || !s_) return;
    Outcome o = close();
    EXPECT_OK(o) << "(closing a socket at scope exit)";
  }

  Harness* h_ = nullptr;
  Socket s_;
};

/// Receives exactly @p out.size() bytes (a loop of receives into successive slices),
/// stopping early on a failure or a 0-byte receive. Returns the bytes received and, in
/// @p last, the outcome of the last receive.
inline std::size_t receive_exactly(Harness& h, const Socket& s, std::span<std::uint8_t> out,
                                   Outcome& last, std::chrono::milliseconds bound = default_bound,
                                   std::size_t chunk = 1U << 20U) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  std::size_t got = 0;
  TestIrp& irp = h.irp("receive_exactly");
  while (got < out.size()) {
    const std::size_t want = std::min(chunk, out.size() - got);
    irp.issue([&](Irp* p) { return s.receive(out.data() + got, want, 0, p); });
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    last = irp.wait(std::max(left, std::chrono::milliseconds(1)));
    if (!last.completed || last.status != status::success || last.information == 0 ||
        last.information > want || !last.violation.empty()) {
      break;
    }
    got += last.information;
  }
  return got;
}

}  // namespace wskport::test
