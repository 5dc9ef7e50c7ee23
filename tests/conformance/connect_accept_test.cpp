// SPDX-License-Identifier: MIT
// Listen, accept and connect: with and without a queued connection, the addresses
// accept fills in, connect refused, and the state/category errors WSK defines.
#include <gtest/gtest.h>

#include <array>
#include <thread>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

class ConnectAccept : public Conformance {};

/// Sends one byte each way over a pair of sockets, checking content.
void exchange_one_byte(Harness& h, ScopedSocket& a, ScopedSocket& b) {
  auto& rx = h.buffer(8);
  const std::uint8_t ping = 0xA5;
  const std::uint8_t pong = 0x3C;
  ASSERT_OK(a.send(&ping, 1));
  Outcome r = b.receive(rx.data(), rx.size());
  ASSERT_OK(r);
  ASSERT_EQ(r.information, 1U);
  EXPECT_EQ(rx[0], ping);
  ASSERT_OK(b.send(&pong, 1));
  r = a.receive(rx.data(), rx.size());
  ASSERT_OK(r);
  ASSERT_EQ(r.information, 1U);
  EXPECT_EQ(rx[0], pong);
}

TEST_P(ConnectAccept, AcceptWithAQueuedConnection) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  EXPECT_EQ(laddr, loopback(laddr.port()));
  EXPECT_NE(laddr.port(), 0);

  auto client = make(Category::connection);
  ASSERT_TRUE(client);
  ASSERT_OK(client.bind(loopback(0)));
  // The listen socket's bind started listening: the connect completes with nobody
  // accepting yet (the connection is queued).
  ASSERT_OK(client.connect(laddr));
  Address client_local;
  ASSERT_OK(client.local_address(client_local));
  Address client_remote;
  ASSERT_OK(client.remote_address(client_remote));
  EXPECT_EQ(client_remote, laddr);

  Address& local = h.hold<Address>();
  Address& remote = h.hold<Address>();
  TestIrp& acc = h.irp("accept (queued)");
  acc.issue([&](Irp* p) { return listener->accept(&local, &remote, p); });
  const Outcome a = acc.wait();
  ASSERT_OK(a);
  EXPECT_NE(a.information, 0U) << "Information carries the accepted socket's id";
  EXPECT_EQ(local, laddr);
  EXPECT_EQ(remote, client_local);

  auto server = adopt(a);
  Address s_local;
  Address s_remote;
  ASSERT_OK(server.local_address(s_local));
  ASSERT_OK(server.remote_address(s_remote));
  EXPECT_EQ(s_local, laddr);
  EXPECT_EQ(s_remote, client_local);
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, client, server));
}

TEST_P(ConnectAccept, AcceptPendsUntilAConnectionArrives) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));

  Address& local = h.hold<Address>();
  Address& remote = h.hold<Address>();
  TestIrp& acc = h.irp("accept (pending)");
  const NTSTATUS r = acc.issue([&](Irp* p) { return listener->accept(&local, &remote, p); });
  EXPECT_STATUS(r, status::pending) << "no connection is queued";
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(acc.completions(), 0U)
      << "accept completed with nothing to accept: " << describe(acc.latest());

  auto client = make(Category::connection);
  ASSERT_TRUE(client);
  ASSERT_OK(client.bind(loopback(0)));
  ASSERT_OK(client.connect(laddr));
  const Outcome a = acc.wait();
  ASSERT_OK(a);
  Address client_local;
  ASSERT_OK(client.local_address(client_local));
  EXPECT_EQ(local, laddr);
  EXPECT_EQ(remote, client_local);
  auto server = adopt(a);
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, client, server));
}

TEST_P(ConnectAccept, AcceptWithoutAddressOutputs) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  auto client = make(Category::connection);
  ASSERT_TRUE(client);
  ASSERT_OK(client.bind(loopback(0)));
  ASSERT_OK(client.connect(laddr));
  const Outcome a =
      h.run("accept(null, null)", [&](Irp* p) { return listener->accept(nullptr, nullptr, p); });
  ASSERT_OK(a);
  auto server = adopt(a);
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, client, server));
}

TEST_P(ConnectAccept, SeveralQueuedConnectionsAreAcceptedInTurn) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  constexpr int n = 8;
  std::array<ScopedSocket, n> clients;
  std::array<Address, n> client_addrs;
  for (int i = 0; i < n; ++i) {
    clients[i] = make(Category::connection);
    ASSERT_TRUE(clients[i]);
    ASSERT_OK(clients[i].bind(loopback(0)));
    ASSERT_OK(clients[i].connect(laddr));
    ASSERT_OK(clients[i].local_address(client_addrs[i]));
  }
  std::array<ScopedSocket, n> servers;
  for (int i = 0; i < n; ++i) {
    Address& remote = h.hold<Address>();
    const Outcome a =
        h.run("accept", [&](Irp* p) { return listener->accept(nullptr, &remote, p); });
    ASSERT_OK(a);
    servers[i] = adopt(a);
    bool known = false;
    for (const auto& c : client_addrs) known = known || c == remote;
    EXPECT_TRUE(known) << "accepted a connection from " << remote.to_string();
  }
  for (int i = 0; i < n; ++i) EXPECT_NE(servers[i]->id(), 0U);
}

TEST_P(ConnectAccept, StreamSocketBindListenAccept) {
  // Category::stream: bind, then listen, then accept; and a stream socket as client.
  auto server_listener = make(Category::stream);
  ASSERT_TRUE(server_listener);
  ASSERT_OK(server_listener.bind(loopback(0)));
  Address laddr;
  ASSERT_OK(server_listener.local_address(laddr));
  ASSERT_OK(server_listener.listen());

  auto client = make(Category::stream);
  ASSERT_TRUE(client);
  ASSERT_OK(client.bind(loopback(0)));
  TestIrp& acc = h.irp("accept (stream)");
  Address& remote = h.hold<Address>();
  acc.issue([&](Irp* p) { return server_listener->accept(nullptr, &remote, p); });
  ASSERT_OK(client.connect(laddr));
  const Outcome a = acc.wait();
  ASSERT_OK(a);
  Address client_local;
  ASSERT_OK(client.local_address(client_local));
  EXPECT_EQ(remote, client_local);
  auto server = adopt(a);
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, client, server));
}

TEST_P(ConnectAccept, StreamListenStateErrors) {
  auto unbound = make(Category::stream);
  ASSERT_TRUE(unbound);
  EXPECT_COMPLETES_WITH(unbound.listen(), status::invalid_device_state) << "listen before bind";
  EXPECT_COMPLETES_WITH(
      h.run("accept before listen", [&](Irp* p) { return unbound->accept(nullptr, nullptr, p); }),
      status::invalid_device_state);

  auto bound = make(Category::stream);
  ASSERT_TRUE(bound);
  ASSERT_OK(bound.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(h.run("accept (bound, not listening)",
                              [&](Irp* p) { return bound->accept(nullptr, nullptr, p); }),
                        status::invalid_device_state);
}

TEST_P(ConnectAccept, ConnectRefused) {
  Address dead;
  {
    auto probe = make(Category::connection);
    ASSERT_TRUE(probe);
    ASSERT_OK(probe.bind(loopback(0)));
    ASSERT_OK(probe.local_address(dead));
    ASSERT_OK(probe.close());
  }
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(s.connect(dead), status::connection_refused);
}

TEST_P(ConnectAccept, ConnectOnAnUnboundSocket) {
  // WSK: the return value AND IoStatus.Status are STATUS_INVALID_DEVICE_STATE.
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  TestIrp& irp = h.irp("connect (unbound)");
  const NTSTATUS r = irp.issue([&](Irp* p) { return s->connect(laddr, p); });
  EXPECT_STATUS(r, status::invalid_device_state) << "must be returned, not only completed";
  const Outcome o = irp.wait();
  EXPECT_COMPLETES_WITH(o, status::invalid_device_state);
  EXPECT_EQ(o.information, 0U);
  // And the same for a stream socket.
  auto st = make(Category::stream);
  ASSERT_TRUE(st);
  EXPECT_COMPLETES_WITH(st.connect(laddr), status::invalid_device_state);
}

TEST_P(ConnectAccept, AcceptOnAnUnboundListenSocket) {
  auto l = make(Category::listen);
  ASSERT_TRUE(l);
  EXPECT_COMPLETES_WITH(
      h.run("accept (unbound)", [&](Irp* p) { return l->accept(nullptr, nullptr, p); }),
      status::invalid_device_state);
}

TEST_P(ConnectAccept, SendAndReceiveOnAnUnconnectedSocket) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  std::uint8_t byte = 1;
  EXPECT_COMPLETES_WITH(s.send(&byte, 1), status::invalid_device_state) << "unbound";
  EXPECT_COMPLETES_WITH(s.receive(&byte, 1), status::invalid_device_state) << "unbound";
  ASSERT_OK(s.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(s.send(&byte, 1), status::invalid_device_state) << "bound";
  EXPECT_COMPLETES_WITH(s.receive(&byte, 1), status::invalid_device_state) << "bound";
  EXPECT_COMPLETES_WITH(s.disconnect(0), status::invalid_device_state) << "bound";
}

TEST_P(ConnectAccept, WrongCategory) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto u = make_udp();
  ASSERT_TRUE(u);
  ASSERT_OK(u.bind(loopback(0)));
  std::uint8_t byte = 7;

  // A listen socket has no send, receive, connect, listen or send_to.
  EXPECT_COMPLETES_WITH(listener.send(&byte, 1), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(listener.receive(&byte, 1), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(listener.connect(laddr), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(listener.listen(), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(
      h.run("send_to on listen", [&](Irp* i) { return listener->send_to(&byte, 1, &laddr, i); }),
      status::invalid_device_state);
  // A connection socket has no accept, listen, send_to or receive_from.
  EXPECT_COMPLETES_WITH(
      h.run("accept on connection", [&](Irp* i) { return p.client->accept(nullptr, nullptr, i); }),
      status::invalid_device_state);
  EXPECT_COMPLETES_WITH(p.client.listen(), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(h.run("send_to on connection",
                              [&](Irp* i) { return p.client->send_to(&byte, 1, &laddr, i); }),
                        status::invalid_device_state);
  EXPECT_COMPLETES_WITH(
      h.run("receive_from on connection",
            [&](Irp* i) { return p.client->receive_from(&byte, 1, nullptr, nullptr, i); }),
      status::invalid_device_state);
  // A datagram socket has no accept, connect, send or receive.
  EXPECT_COMPLETES_WITH(
      h.run("accept on datagram", [&](Irp* i) { return u->accept(nullptr, nullptr, i); }),
      status::invalid_device_state);
  EXPECT_COMPLETES_WITH(u.connect(laddr), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(u.send(&byte, 1), status::invalid_device_state);
  EXPECT_COMPLETES_WITH(u.receive(&byte, 1), status::invalid_device_state);
  // The pair still works after all those refusals.
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, p.client, p.server));
}

TEST_P(ConnectAccept, ConnectTwice) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.bind(loopback(0)));
  ASSERT_OK(s.connect(laddr));
  EXPECT_COMPLETES_WITH(s.connect(laddr), status::connection_active);
  const Outcome a = h.run("accept", [&](Irp* p) { return listener->accept(nullptr, nullptr, p); });
  ASSERT_OK(a);
  auto server = adopt(a);
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, s, server));
}

TEST_P(ConnectAccept, ConnectFamilyMismatch) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(s.connect(other_family_loopback(9)), status::invalid_address);
}

TEST_P(ConnectAccept, ClientBoundToWildcardConnects) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.bind(any(0)));
  ASSERT_OK(s.connect(laddr));
  Address local;
  ASSERT_OK(s.local_address(local));
  EXPECT_NE(local.port(), 0);
  const Outcome a = h.run("accept", [&](Irp* p) { return listener->accept(nullptr, nullptr, p); });
  ASSERT_OK(a);
  auto server = adopt(a);
  ASSERT_NO_FATAL_FAILURE(exchange_one_byte(h, s, server));
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(ConnectAccept);

}  // namespace wskport::test
