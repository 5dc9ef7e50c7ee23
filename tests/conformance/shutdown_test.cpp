// SPDX-License-Identifier: MIT
// Provider shutdown with open sockets: pending IRPs complete STATUS_FILE_FORCED_CLOSED,
// later calls on those sockets (close aside) complete with it too, close still
// succeeds, and new sockets cannot be created.
#include <gtest/gtest.h>

#include <thread>

#include "support/platform.hpp"

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

class Shutdown : public Conformance {};

TEST_P(Shutdown, ForcedCloseOfOpenSockets) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  auto u = make_udp();
  ASSERT_TRUE(u);
  ASSERT_OK(u.bind(loopback(0)));
  auto unbound = make(Category::connection);
  ASSERT_TRUE(unbound);

  auto& buf = h.buffer(64);
  TestIrp& rx = h.irp("receive (pending at shutdown)");
  EXPECT_STATUS(rx.issue([&](Irp* i) { return p.client->receive(buf.data(), buf.size(), 0, i); }),
                status::pending);
  TestIrp& acc = h.irp("accept (pending at shutdown)");
  EXPECT_STATUS(acc.issue([&](Irp* i) { return listener->accept(nullptr, nullptr, i); }),
                status::pending);
  auto& dbuf = h.buffer(64);
  TestIrp& rxf = h.irp("receive_from (pending at shutdown)");
  EXPECT_STATUS(rxf.issue([&](Irp* i) {
    return u->receive_from(dbuf.data(), dbuf.size(), nullptr, nullptr, i);
  }),
                status::pending);

  h.provider().shutdown();  // blocks until the completions have run

  for (TestIrp* t : {&rx, &acc, &rxf}) {
    EXPECT_COMPLETES_WITH(t->wait(), status::file_forced_closed) << t->name();
  }
  h.provider().shutdown();  // idempotent

  // Every later call but close completes with file_forced_closed.
  std::uint8_t byte = 1;
  Address out;
  EXPECT_COMPLETES_WITH(p.client.send(&byte, 1), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(p.client.receive(&byte, 1), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(p.server.send(&byte, 1), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(p.client.disconnect(0), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(p.client.local_address(out), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(unbound.bind(loopback(0)), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(unbound.connect(laddr), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(
      h.run("accept after shutdown", [&](Irp* i) { return listener->accept(nullptr, nullptr, i); }),
      status::file_forced_closed);
  EXPECT_COMPLETES_WITH(
      h.run("send_to after shutdown", [&](Irp* i) { return u->send_to(&byte, 1, &laddr, i); }),
      status::file_forced_closed);
  EXPECT_COMPLETES_WITH(p.client.set_option(SocketOption::no_delay, 1), status::file_forced_closed);
  native_handle_t fd = 0;
  EXPECT_STATUS(p.client->native_handle(&fd), status::file_forced_closed);

  // New sockets cannot be created.
  Outcome created;
  EXPECT_FALSE(
      h.create_raw(family(), SocketType::stream, Protocol::tcp, Category::connection, &created));
  EXPECT_COMPLETES_WITH(created, status::file_forced_closed);

  // Close still succeeds, and is still owed, for every socket.
  EXPECT_OK(p.client.close());
  EXPECT_OK(p.server.close());
  EXPECT_OK(listener.close());
  EXPECT_OK(u.close());
  const Socket stale = unbound.get();
  EXPECT_OK(unbound.close());
  EXPECT_EQ(h.provider().open_sockets(), 0U);
  EXPECT_COMPLETES_WITH(h.run("close again", [&](Irp* i) { return stale.close(i); }),
                        status::invalid_handle)
      << "a closed forced-closed socket is a stale handle like any other";
}

TEST_P(Shutdown, PendingSendAtShutdown) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t size = 64U << 20U;
  auto& src = h.buffer(size);
  TestIrp& tx = h.irp("send 64 MiB (pending at shutdown)");
  tx.issue([&](Irp* i) { return p.client->send(src.data(), src.size(), 0, i); });
  std::this_thread::sleep_for(100ms);
  if (tx.settled()) {
    GTEST_SKIP() << "the 64 MiB send completed without a reader: " << describe(tx.latest());
  }
  h.provider().shutdown();
  const Outcome o = tx.wait();
  EXPECT_COMPLETES_WITH(o, status::file_forced_closed);
  EXPECT_LT(o.information, size);
  EXPECT_OK(p.client.close());
  EXPECT_OK(p.server.close());
}

TEST_P(Shutdown, ShutdownWithNoSockets) {
  h.provider().shutdown();
  Outcome created;
  EXPECT_FALSE(
      h.create_raw(family(), SocketType::datagram, Protocol::udp, Category::datagram, &created));
  EXPECT_COMPLETES_WITH(created, status::file_forced_closed);
}

TEST_P(Shutdown, DestroyingTheProviderCompletesPendingIrps) {
  // Destroying a provider tears everything down as shutdown does: pending IRPs
  // complete file_forced_closed, exactly once, and its descriptors are closed (the
  // fixture's fd check at teardown covers the latter).
  NTSTATUS err = status::unsuccessful;
  auto other = Provider::create(ProviderOptions{.engine = GetParam().engine}, &err);
  ASSERT_TRUE(other) << status_string(err);
  auto created = [&](Category c) {
    const Outcome o = h.run("create (other provider)", [&](Irp* i) {
      return other->create_socket(family(), SocketType::stream, Protocol::tcp, c, i);
    });
    EXPECT_OK(o);
    return other->socket_from(o.information);
  };
  const Socket listener = created(Category::listen);
  ASSERT_OK(h.run("bind", [&](Irp* i) { return listener.bind(loopback(0), i); }));
  Address& laddr = h.hold<Address>();
  ASSERT_OK(h.run("local_address", [&](Irp* i) { return listener.local_address(&laddr, i); }));
  const Socket client = created(Category::connection);
  ASSERT_OK(h.run("bind", [&](Irp* i) { return client.bind(loopback(0), i); }));
  ASSERT_OK(h.run("connect", [&](Irp* i) { return client.connect(laddr, i); }));
  const Outcome a = h.run("accept", [&](Irp* i) { return listener.accept(nullptr, nullptr, i); });
  ASSERT_OK(a);
  auto& buf = h.buffer(64);
  TestIrp& rx = h.irp("receive (pending at provider destruction)");
  EXPECT_STATUS(rx.issue([&](Irp* i) { return client.receive(buf.data(), buf.size(), 0, i); }),
                status::pending);
  TestIrp& acc = h.irp("accept (pending at provider destruction)");
  EXPECT_STATUS(acc.issue([&](Irp* i) { return listener.accept(nullptr, nullptr, i); }),
                status::pending);
  other.reset();
  EXPECT_COMPLETES_WITH(rx.wait(), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(acc.wait(), status::file_forced_closed);
}

TEST_P(Shutdown, ProviderCreation) {
  EXPECT_EQ(h.provider().engine_name(), GetParam().engine);
  EXPECT_EQ(h.provider().backend_name(), GetParam().engine) << "the deprecated alias";
  NTSTATUS err = status::success;
  auto unknown = Provider::create(ProviderOptions{.engine = "no-such-engine"}, &err);
  EXPECT_FALSE(unknown);
  EXPECT_STATUS(err, status::not_supported);
  err = status::success;
  auto zero = Provider::create(ProviderOptions{.engine = GetParam().engine, .threads = 0}, &err);
  EXPECT_FALSE(zero);
  EXPECT_STATUS(err, status::invalid_parameter);
  err = status::unsuccessful;
  auto chosen = Provider::create({}, &err);
  ASSERT_TRUE(chosen);
  EXPECT_STATUS(err, status::success);
  ASSERT_FALSE(available_engines().empty());
  // Without a name, WSKPORT_ENGINE if set, else the best available.
  const std::string expected = engine_from_environment().empty()
                                   ? std::string(available_engines().front())
                                   : choose_engine().name;
  EXPECT_EQ(chosen->engine_name(), expected);
  EXPECT_EQ(chosen->open_sockets(), 0U);
  EXPECT_EQ(chosen->outstanding_irps(), 0U);
}

TEST_P(Shutdown, NativeHandleClosedBehindTheLibrarysBack) {
  // Contract rule 4: a socket whose native handle went bad is torn down; the call that
  // finds out and every later call but close complete with file_forced_closed.
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  native_handle_t fd = -1;
  ASSERT_STATUS(p.client->native_handle(&fd), status::success);
  platform::close_native_handle(fd);
  std::uint8_t byte = 1;
  EXPECT_COMPLETES_WITH(p.client.send(&byte, 1), status::file_forced_closed)
      << "send on a socket whose native handle was closed underneath the library";
  EXPECT_COMPLETES_WITH(p.client.receive(&byte, 1), status::file_forced_closed);
  Address out;
  EXPECT_COMPLETES_WITH(p.client.local_address(out), status::file_forced_closed);
  EXPECT_STATUS(p.client->native_handle(&fd), status::file_forced_closed);
  EXPECT_OK(p.client.close());
  // The peer is unaffected by the other side's local failure (it may see an EOF or a
  // reset once the library releases the connection, but its own calls keep working).
  EXPECT_KEPT_CONTRACT(p.server.send(&byte, 1));
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(Shutdown);

}  // namespace wskport::test
