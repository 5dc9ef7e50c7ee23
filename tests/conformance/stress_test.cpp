// SPDX-License-Identifier: MIT
// Concurrency and re-entrancy: 1,000 concurrent connections echoing, driven only by
// completion routines; completion routines that re-enter the API (next receive, close,
// cancel) without deadlock; callers on several threads at once.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

class Stress : public Conformance {};

/// Records the first failure seen inside a completion routine (where a gtest fatal
/// assertion cannot be used), for the test thread to report.
class Failures {
 public:
  void add(std::string what) {
    count_.fetch_add(1, std::memory_order_acq_rel);
    std::lock_guard lock(mutex_);
    if (first_.empty()) first_ = std::move(what);
  }
  [[nodiscard]] int count() const { return count_.load(std::memory_order_acquire); }
  [[nodiscard]] std::string first() const {
    std::lock_guard lock(mutex_);
    return first_;
  }

 private:
  std::atomic<int> count_{0};
  mutable std::mutex mutex_;
  std::string first_;
};

constexpr std::size_t echo_connections = 1000;
constexpr std::size_t echo_message = 64;

struct EchoServerConn {
  Socket socket;
  TestIrp* rx = nullptr;
  TestIrp* tx = nullptr;
  std::array<std::uint8_t, 256> buf{};
  std::atomic<bool> ended{false};
};

struct EchoClient {
  Socket socket;
  TestIrp* connect = nullptr;
  TestIrp* tx = nullptr;
  TestIrp* rx = nullptr;
  Address to;
  std::array<std::uint8_t, echo_message> msg{};
  std::array<std::uint8_t, echo_message> echo{};
  std::size_t got = 0;
};

struct EchoState {
  std::vector<std::unique_ptr<EchoServerConn>> server;
  std::vector<std::unique_ptr<EchoClient>> clients;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> echoed{0};
  Failures failures;
};

TEST_P(Stress, ThousandConcurrentConnectionsEcho) {
  platform::ScopedFdLimit fd_limit;
  if (auto lim = fd_limit.limit(); lim && *lim < 2200) {
    GTEST_SKIP() << "the open-file hard limit is " << *lim
                 << "; 1,000 connections need about 2,200 descriptors";
  }
  ASSERT_TRUE(h.restart(ProviderOptions{.engine = {}, .threads = 2}));
  Provider& prov = h.provider();

  // Everything the completion routines touch lives in the harness, so it outlives
  // every IRP even if this test returns early.
  auto& st = h.hold<EchoState>();
  for (std::size_t i = 0; i < echo_connections; ++i) {
    st.server.push_back(std::make_unique<EchoServerConn>());
    st.clients.push_back(std::make_unique<EchoClient>());
  }

  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  const Socket lsock = listener.get();

  // Cleanup even on an early return: clients first, then (once their receives ended)
  // the server side; the listener's wrapper closes it last.
  auto cleanup = [&] {
    for (auto& c : st.clients) {
      if (c->socket) {
        Outcome o = h.run("close client", [&](Irp* p) { return c->socket.close(p); });
        EXPECT_OK(o);
        c->socket = Socket{};
      }
    }
    const std::size_t n = std::min(st.accepted.load(), echo_connections);
    wait_until(
        [&] {
          for (std::size_t i = 0; i < n; ++i) {
            if (!st.server[i]->ended.load()) return false;
          }
          return true;
        },
        10s);
    for (std::size_t i = 0; i < n; ++i) {
      auto& s = *st.server[i];
      if (s.socket) {
        Outcome o = h.run("close server conn", [&](Irp* p) { return s.socket.close(p); });
        EXPECT_OK(o);
        s.socket = Socket{};
      }
    }
  };
  ScopeExit guard(cleanup);

  // --- server: accept -> receive -> send back -> receive ... (all in routines) ---
  for (auto& s : st.server) {
    s->rx = &h.irp("server receive");
    s->tx = &h.irp("server send");
    EchoServerConn* conn = s.get();
    conn->rx->set_hook([conn, &st](TestIrp& irp, const Completion& c) {
      if (c.status == status::success && c.information > 0) {
        const std::size_t n = c.information;
        conn->tx->issue([&](Irp* p) { return conn->socket.send(conn->buf.data(), n, 0, p); });
      } else {
        if (c.status != status::success && c.status != status::connection_reset &&
            c.status != status::cancelled) {
          st.failures.add(irp.name() + " ended with " + status_string(c.status));
        }
        conn->ended.store(true);
      }
    });
    conn->tx->set_hook([conn, &st](TestIrp& irp, const Completion& c) {
      if (c.status == status::success) {
        conn->rx->issue(
            [&](Irp* p) { return conn->socket.receive(conn->buf.data(), conn->buf.size(), 0, p); });
      } else {
        st.failures.add(irp.name() + " failed with " + status_string(c.status));
        conn->ended.store(true);
      }
    });
  }
  TestIrp& acc = h.irp("accept loop");
  acc.set_hook([&st, &prov, lsock](TestIrp& irp, const Completion& c) {
    if (c.status != status::success) {
      st.failures.add("accept failed with " + status_string(c.status));
      return;
    }
    const std::size_t index = st.accepted.load();
    if (index >= echo_connections) {
      st.failures.add("more connections accepted than were made");
      return;
    }
    auto& conn = *st.server[index];
    conn.socket = prov.socket_from(c.information);
    st.accepted.store(index + 1);  // only this routine writes it (one accept at a time)
    conn.rx->issue(
        [&](Irp* p) { return conn.socket.receive(conn.buf.data(), conn.buf.size(), 0, p); });
    if (index + 1 < echo_connections) {
      // Re-enter the API from the routine: the next accept on the same IRP.
      irp.issue([&](Irp* p) { return lsock.accept(nullptr, nullptr, p); });
    }
  });
  acc.issue([&](Irp* p) { return lsock.accept(nullptr, nullptr, p); });

  // --- clients: connect -> send -> receive until the echo is complete ---
  for (std::size_t i = 0; i < echo_connections; ++i) {
    EchoClient* cl = st.clients[i].get();
    Outcome created;
    cl->socket =
        h.create_raw(family(), SocketType::stream, Protocol::tcp, Category::connection, &created);
    ASSERT_TRUE(cl->socket) << "client #" << i << ": " << describe(created);
    ASSERT_OK(h.run("bind client", [&](Irp* p) { return cl->socket.bind(loopback(0), p); }));
    fill_pattern(cl->msg, 0, static_cast<std::uint32_t>(i) + 1000U);
    cl->to = laddr;
    cl->connect = &h.irp("client connect");
    cl->tx = &h.irp("client send");
    cl->rx = &h.irp("client receive");
    cl->rx->set_hook([cl, &st](TestIrp& irp, const Completion& c) {
      if (c.status != status::success || c.information == 0) {
        st.failures.add(irp.name() + " ended with " + status_string(c.status) + " after " +
                        std::to_string(cl->got) + " bytes");
        return;
      }
      cl->got += c.information;
      if (cl->got < cl->echo.size()) {
        irp.issue([&](Irp* p) {
          return cl->socket.receive(cl->echo.data() + cl->got, cl->echo.size() - cl->got, 0, p);
        });
        return;
      }
      if (cl->echo != cl->msg) {
        st.failures.add("an echo differs from the message sent");
        return;
      }
      st.echoed.fetch_add(1);
    });
    cl->tx->set_hook([cl, &st](TestIrp& irp, const Completion& c) {
      if (c.status != status::success || c.information != cl->msg.size()) {
        st.failures.add(irp.name() + " failed with " + status_string(c.status));
        return;
      }
      cl->rx->issue(
          [&](Irp* p) { return cl->socket.receive(cl->echo.data(), cl->echo.size(), 0, p); });
    });
    cl->connect->set_hook([cl, &st](TestIrp& irp, const Completion& c) {
      if (c.status != status::success) {
        st.failures.add(irp.name() + " failed with " + status_string(c.status));
        return;
      }
      cl->tx->issue([&](Irp* p) { return cl->socket.send(cl->msg.data(), cl->msg.size(), 0, p); });
    });
  }
  // Fire all connects; from here on only completion routines drive the exchange.
  for (auto& cl : st.clients) {
    EchoClient* c = cl.get();
    c->connect->issue([&](Irp* p) { return c->socket.connect(c->to, p); });
  }

  const bool done = wait_until(
      [&] {
        return st.echoed.load() + static_cast<std::size_t>(st.failures.count()) >= echo_connections;
      },
      60s, 10ms);
  EXPECT_EQ(st.failures.count(), 0) << "first failure: " << st.failures.first();
  EXPECT_TRUE(done) << "only " << st.echoed.load() << " of " << echo_connections
                    << " echoes completed within 60 s (" << st.accepted.load() << " accepted)";
  EXPECT_EQ(st.echoed.load(), echo_connections);
  EXPECT_EQ(st.accepted.load(), echo_connections);
}

TEST_P(Stress, ReceiveLoopReentersFromTheCompletionRoutine) {
  // The routine issues the next receive itself. With the data already there, those
  // receives complete inline, nesting routines; the library must neither deadlock nor
  // overflow the stack (max_inline_depth) nor lose a completion.
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t total = 256U << 10U;
  static constexpr std::size_t piece = 97;
  auto& src = h.buffer(total);
  fill_pattern(src, 0, 31);
  auto& dst = h.buffer(total);
  struct LoopState {
    std::atomic<std::size_t> got{0};
    std::atomic<bool> failed{false};
    std::atomic<unsigned> max_depth{0};
    std::string why;
  };
  auto& ls = h.hold<LoopState>();
  TestIrp& tx = h.irp("send 256 KiB");
  tx.issue([&](Irp* i) { return p.server->send(src.data(), src.size(), 0, i); });

  const Socket sock = p.client.get();
  TestIrp& rx = h.irp("receive loop (re-entrant)");
  thread_local unsigned depth = 0;
  rx.set_hook([&ls, &dst, sock](TestIrp& irp, const Completion& c) {
    ++depth;
    unsigned seen = ls.max_depth.load();
    while (depth > seen && !ls.max_depth.compare_exchange_weak(seen, depth)) {
    }
    if (c.status != status::success || c.information == 0) {
      ls.why = "receive ended with " + status_string(c.status);
      ls.failed.store(true);
    } else {
      const std::size_t now = ls.got.load() + c.information;
      ls.got.store(now);
      if (now < dst.size()) {
        const std::size_t want = std::min(piece, dst.size() - now);
        irp.issue([&](Irp* i) { return sock.receive(dst.data() + now, want, 0, i); });
      }
    }
    --depth;
  });
  rx.issue([&](Irp* i) { return sock.receive(dst.data(), piece, 0, i); });
  const bool finished = wait_until([&] { return ls.got.load() >= total || ls.failed.load(); }, 20s);
  ASSERT_TRUE(finished) << "the re-entrant receive loop stalled at " << ls.got.load() << " of "
                        << total << " bytes (deadlock or lost completion?)";
  ASSERT_FALSE(ls.failed.load()) << ls.why;
  ASSERT_TRUE(rx.wait_completions(rx.calls()));
  EXPECT_FALSE(pattern_mismatch(dst, 0, 31).has_value());
  const Outcome s = tx.wait();
  ASSERT_OK(s);
  EXPECT_EQ(s.information, total);
  RecordProperty("max_routine_nesting", static_cast<int>(ls.max_depth.load()));
}

TEST_P(Stress, CloseFromInsideACompletionRoutine) {
  // A receive routine closes its own socket while a send is still pending on it: no
  // deadlock; the send completes cancelled before the close completes.
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t size = 64U << 20U;
  auto& src = h.buffer(size);
  TestIrp& tx = h.irp("send 64 MiB (pending)");
  const Socket sock = p.client.release();  // closed by the routine below
  tx.issue([&](Irp* i) { return sock.send(src.data(), src.size(), 0, i); });
  auto& in = h.buffer(16);
  TestIrp& close_irp = h.irp("close (from a routine)");
  TestIrp& rx = h.irp("receive (closes its socket)");
  rx.set_hook([&close_irp, sock](TestIrp&, const Completion&) {
    close_irp.issue([&](Irp* i) { return sock.close(i); });
  });
  rx.issue([&](Irp* i) { return sock.receive(in.data(), in.size(), 0, i); });
  std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(tx.settled()) << "64 MiB cannot be taken by a peer that never reads: "
                             << describe(tx.latest());
  const std::uint8_t byte = 9;
  ASSERT_OK(p.server.send(&byte, 1));
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  // rx.wait() returns once the completion is recorded, before the hook issues the close
  // (an engine whose routines run on their own thread can still be inside it).
  ASSERT_TRUE(close_irp.wait_completions(1)) << "the close issued from a completion routine";
  const Outcome c = close_irp.outcome(1);
  ASSERT_OK(c) << "close issued from a completion routine";
  const Outcome s = tx.wait();
  EXPECT_COMPLETES_WITH(s, status::cancelled);
  EXPECT_LT(s.seq, c.seq) << "the pending send completed after the close";
}

TEST_P(Stress, CancelFromInsideACompletionRoutine) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& a = h.buffer(16);
  auto& b = h.buffer(16);
  TestIrp& victim = h.irp("client receive (cancelled by a routine)");
  victim.issue([&](Irp* i) { return p.client->receive(a.data(), a.size(), 0, i); });
  TestIrp& trigger = h.irp("server receive (cancels)");
  trigger.set_hook([&victim](TestIrp&, const Completion&) { (void)victim.cancel(); });
  trigger.issue([&](Irp* i) { return p.server->receive(b.data(), b.size(), 0, i); });
  const std::uint8_t byte = 3;
  ASSERT_OK(p.client.send(&byte, 1));
  ASSERT_OK(trigger.wait());
  EXPECT_COMPLETES_WITH(victim.wait(), status::cancelled);
}

TEST_P(Stress, CallersOnSeveralThreads) {
  // Calls may be issued from any thread: four threads each build a pair and move
  // 1 MiB each way over it, on one provider, at the same time.
  constexpr int threads = 4;
  constexpr std::size_t size = 1U << 20U;
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Pair p;
      make_pair(p);
      if (!p.client || !p.server) return;
      auto& src = h.buffer(size);
      fill_pattern(src, 0, 40U + static_cast<std::uint32_t>(t));
      auto& dst = h.buffer(size);
      TestIrp& tx = h.irp("send (thread " + std::to_string(t) + ")");
      tx.issue([&](Irp* i) { return p.client->send(src.data(), src.size(), 0, i); });
      Outcome last;
      const std::size_t got = receive_exactly(h, p.server.get(), dst, last, bulk_bound);
      EXPECT_EQ(got, size) << describe(last);
      EXPECT_OK(tx.wait());
      EXPECT_FALSE(pattern_mismatch(dst, 0, 40U + static_cast<std::uint32_t>(t)).has_value());
      if (got == size) ok.fetch_add(1);
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(ok.load(), threads);
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(Stress);

}  // namespace wskport::test
