// SPDX-License-Identifier: MIT
// Bind: each bind(2) errno of the seed page that a process can provoke through the API,
// with its NTSTATUS; wildcard bind; bad handles; malformed native addresses; null IRPs.
#include <gtest/gtest.h>

#include "support/conformance_fixture.hpp"
#include "support/native_sockaddr.hpp"
#include "support/platform.hpp"

namespace wskport::test {
namespace {

class Bind : public Conformance {};

TEST_P(Bind, WildcardBindGetsAnEphemeralPort) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.bind(any(0)));
  Address local;
  ASSERT_OK(s.local_address(local));
  EXPECT_EQ(local.family(), family());
  EXPECT_TRUE(local.is_wildcard()) << local.to_string();
  EXPECT_NE(local.port(), 0) << "bind to port 0 must pick a port";
}

TEST_P(Bind, LoopbackBindReportsItsAddress) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.bind(loopback(0)));
  Address local;
  ASSERT_OK(s.local_address(local));
  EXPECT_NE(local.port(), 0);
  EXPECT_EQ(local, loopback(local.port()));
}

TEST_P(Bind, TwoSocketsOnOnePortIsAddressInUse) {
  // EADDRINUSE -> STATUS_ADDRESS_ALREADY_ASSOCIATED. The first socket only binds.
  auto first = make(Category::connection);
  ASSERT_TRUE(first);
  ASSERT_OK(first.bind(loopback(0)));
  Address taken;
  ASSERT_OK(first.local_address(taken));

  auto second = make(Category::connection);
  ASSERT_TRUE(second);
  EXPECT_COMPLETES_WITH(second.bind(taken), status::address_already_associated);
  // The failed bind left the second socket unbound: it can still bind elsewhere.
  EXPECT_OK(second.bind(loopback(0)));
}

TEST_P(Bind, PortOfAListenSocketIsInUse) {
  // A listen socket's bind also listens; a second listen socket and a connection
  // socket on its port both fail.
  ScopedSocket listener;
  Address taken;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, taken));

  auto other_listener = make(Category::listen);
  ASSERT_TRUE(other_listener);
  EXPECT_COMPLETES_WITH(other_listener.bind(taken), status::address_already_associated);

  auto conn = make(Category::connection);
  ASSERT_TRUE(conn);
  EXPECT_COMPLETES_WITH(conn.bind(taken), status::address_already_associated);

  // The first listener is unaffected: it still accepts.
  auto client = make(Category::connection);
  ASSERT_TRUE(client);
  ASSERT_OK(client.bind(loopback(0)));
  TestIrp& acc = h.irp("accept");
  acc.issue([&](Irp* p) { return listener->accept(nullptr, nullptr, p); });
  ASSERT_OK(client.connect(taken));
  const Outcome a = acc.wait();
  ASSERT_OK(a);
  auto server = adopt(a);
  EXPECT_TRUE(server);
}

TEST_P(Bind, DatagramPortInUse) {
  auto first = make_udp();
  ASSERT_TRUE(first);
  ASSERT_OK(first.bind(loopback(0)));
  Address taken;
  ASSERT_OK(first.local_address(taken));
  auto second = make_udp();
  ASSERT_TRUE(second);
  EXPECT_COMPLETES_WITH(second.bind(taken), status::address_already_associated);
}

TEST_P(Bind, AddressNotOnThisHost) {
  // EADDRNOTAVAIL -> STATUS_INVALID_ADDRESS_COMPONENT.
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  EXPECT_COMPLETES_WITH(s.bind(not_local(0)), status::invalid_address_component);
  auto l = make(Category::listen);
  ASSERT_TRUE(l);
  EXPECT_COMPLETES_WITH(l.bind(not_local(0)), status::invalid_address_component);
  if (!v6() && platform::running_under_wine()) {
    GTEST_SKIP() << "Wine 8 lets a UDP socket bind an IPv4 address this host does not have "
                    "(bind succeeds and getsockname reports it); Windows refuses with "
                    "WSAEADDRNOTAVAIL";
  }
  auto u = make_udp();
  ASSERT_TRUE(u);
  EXPECT_COMPLETES_WITH(u.bind(not_local(0)), status::invalid_address_component);
}

TEST_P(Bind, SecondBindOfOneSocket) {
  // EINVAL (already bound) -> STATUS_ADDRESS_ALREADY_ASSOCIATED, for every bindable
  // category; the first binding stays.
  for (Category c : {Category::connection, Category::listen, Category::stream}) {
    SCOPED_TRACE(static_cast<int>(c));
    auto s = make(c);
    ASSERT_TRUE(s);
    ASSERT_OK(s.bind(loopback(0)));
    Address first;
    ASSERT_OK(s.local_address(first));
    EXPECT_COMPLETES_WITH(s.bind(loopback(0)), status::address_already_associated);
    EXPECT_COMPLETES_WITH(s.bind(first), status::address_already_associated);
    Address still;
    ASSERT_OK(s.local_address(still));
    EXPECT_EQ(still, first);
  }
  auto u = make_udp();
  ASSERT_TRUE(u);
  ASSERT_OK(u.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(u.bind(loopback(0)), status::address_already_associated);
}

TEST_P(Bind, PrivilegedPort) {
  // EACCES -> STATUS_ACCESS_DENIED.
#ifdef _WIN32
  GTEST_SKIP() << "Windows has no privileged ports";
#else
  constexpr std::uint16_t port = 1;
  if (platform::running_as_root()) {
    GTEST_SKIP() << "running as root: every port is bindable, EACCES cannot be provoked";
  }
  if (platform::has_net_bind_service()) {
    GTEST_SKIP() << "the process holds CAP_NET_BIND_SERVICE: port " << port << " is bindable";
  }
  if (auto start = platform::unprivileged_port_start(); start && *start <= port) {
    GTEST_SKIP() << "net.ipv4.ip_unprivileged_port_start is " << *start << ": port " << port
                 << " is not privileged here";
  }
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  EXPECT_COMPLETES_WITH(s.bind(loopback(port)), status::access_denied);
  auto l = make(Category::listen);
  ASSERT_TRUE(l);
  EXPECT_COMPLETES_WITH(l.bind(any(port)), status::access_denied);
#endif
}

TEST_P(Bind, FamilyMismatch) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  EXPECT_COMPLETES_WITH(s.bind(other_family_loopback(0)), status::invalid_address);
  EXPECT_COMPLETES_WITH(s.bind(Address{}), status::invalid_address)
      << "an unspecified Address does not match the socket's family either";
  auto u = make_udp();
  ASSERT_TRUE(u);
  EXPECT_COMPLETES_WITH(u.bind(other_family_loopback(0)), status::invalid_address);
  // Still unbound: a good bind works.
  EXPECT_OK(s.bind(loopback(0)));
}

TEST_P(Bind, NativeAddressValidation) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  const NativeAddress good = to_native(loopback(0));
  ASSERT_GT(good.length, family_field_end()) << "Address::to_native produced no sockaddr";
  const Socket& sock = s.get();

  // null -> invalid_parameter (the IRP still completes: only a null IRP is refused)
  EXPECT_COMPLETES_WITH(
      h.run("bind(null)", [&](Irp* p) { return sock.bind(nullptr, good.length, p); }),
      status::invalid_parameter);
  // 0 and 1 byte: shorter than the family field -> invalid_parameter
  EXPECT_COMPLETES_WITH(h.run("bind(len 0)", [&](Irp* p) { return sock.bind(good.data(), 0, p); }),
                        status::invalid_parameter);
  EXPECT_COMPLETES_WITH(h.run("bind(len 1)", [&](Irp* p) { return sock.bind(good.data(), 1, p); }),
                        status::invalid_parameter);
  // the family is readable but the sockaddr is one byte short -> invalid_address
  EXPECT_COMPLETES_WITH(h.run("bind(short sockaddr)",
                              [&](Irp* p) { return sock.bind(good.data(), good.length - 1, p); }),
                        status::invalid_address);
  EXPECT_COMPLETES_WITH(
      h.run("bind(family field only)",
            [&](Irp* p) { return sock.bind(good.data(), family_field_end(), p); }),
      status::invalid_address);
  // unknown family -> invalid_address
  NativeAddress bogus = good;
  set_native_family(bogus, bogus_family);
  EXPECT_COMPLETES_WITH(h.run("bind(unknown family)",
                              [&](Irp* p) { return sock.bind(bogus.data(), bogus.length, p); }),
                        status::invalid_address);
  // the other IP family's sockaddr on this socket -> invalid_address
  const NativeAddress other = to_native(other_family_loopback(0));
  EXPECT_COMPLETES_WITH(
      h.run("bind(other family)", [&](Irp* p) { return sock.bind(other.data(), other.length, p); }),
      status::invalid_address);
  // None of that bound the socket: the well-formed sockaddr binds.
  EXPECT_OK(h.run("bind(native)", [&](Irp* p) { return sock.bind(good.data(), good.length, p); }));
  Address local;
  ASSERT_OK(s.local_address(local));
  EXPECT_EQ(local, loopback(local.port()));
  EXPECT_NE(local.port(), 0);
}

TEST_P(Bind, StaleHandle) {
  // A closed socket's handle: every call (close included) completes invalid_handle.
  Socket stale;
  {
    auto s = make(Category::connection);
    ASSERT_TRUE(s);
    stale = s.get();
    ASSERT_OK(s.close());
  }
  std::uint8_t byte = 0;
  Address out;
  EXPECT_COMPLETES_WITH(h.run("bind", [&](Irp* p) { return stale.bind(loopback(0), p); }),
                        status::invalid_handle);
  EXPECT_COMPLETES_WITH(h.run("connect", [&](Irp* p) { return stale.connect(loopback(9), p); }),
                        status::invalid_handle);
  EXPECT_COMPLETES_WITH(h.run("send", [&](Irp* p) { return stale.send(&byte, 1, 0, p); }),
                        status::invalid_handle);
  EXPECT_COMPLETES_WITH(h.run("receive", [&](Irp* p) { return stale.receive(&byte, 1, 0, p); }),
                        status::invalid_handle);
  EXPECT_COMPLETES_WITH(
      h.run("local_address", [&](Irp* p) { return stale.local_address(&out, p); }),
      status::invalid_handle);
  EXPECT_COMPLETES_WITH(h.run("close again", [&](Irp* p) { return stale.close(p); }),
                        status::invalid_handle);
  native_handle_t fd = 0;
  EXPECT_STATUS(stale.native_handle(&fd), status::invalid_handle);
}

TEST_P(Bind, StaleHandleIsNotReusedByANewSocket) {
  // The id of a closed socket must not name the next socket created (generation).
  auto a = make(Category::connection);
  ASSERT_TRUE(a);
  const Socket stale = a.get();
  ASSERT_OK(a.close());
  auto b = make(Category::connection);
  ASSERT_TRUE(b);
  EXPECT_NE(b->id(), stale.id());
  EXPECT_COMPLETES_WITH(
      h.run("bind via stale id", [&](Irp* p) { return stale.bind(loopback(0), p); }),
      status::invalid_handle);
  // b is untouched by the call on the stale id.
  EXPECT_OK(b.bind(loopback(0)));
}

TEST_P(Bind, ForeignHandle) {
  for (std::uintptr_t id : {std::uintptr_t{123456789}, std::uintptr_t{0}, ~std::uintptr_t{0}}) {
    SCOPED_TRACE(id);
    const Socket invented = h.provider().socket_from(id);
    EXPECT_COMPLETES_WITH(h.run("bind", [&](Irp* p) { return invented.bind(loopback(0), p); }),
                          status::invalid_handle);
    EXPECT_COMPLETES_WITH(h.run("close", [&](Irp* p) { return invented.close(p); }),
                          status::invalid_handle);
  }
}

TEST_P(Bind, NullIrpIsRefusedWithoutSideEffects) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  const Socket& sock = s.get();
  const Address where = loopback(0);
  EXPECT_STATUS(sock.bind(where, nullptr), status::invalid_parameter);
  const NativeAddress native = to_native(where);
  EXPECT_STATUS(sock.bind(native.data(), native.length, nullptr), status::invalid_parameter);
  EXPECT_STATUS(sock.close(nullptr), status::invalid_parameter);
  EXPECT_STATUS(h.provider().socket_from(123456789).bind(where, nullptr),
                status::invalid_parameter);
  EXPECT_EQ(h.provider().outstanding_irps(), 0U);
  EXPECT_EQ(h.provider().open_sockets(), 1U) << "close(nullptr) must not close the socket";
  // Nothing happened: the socket is still open and unbound.
  EXPECT_OK(s.bind(where));
}

TEST_P(Bind, NullIrpOnEveryCall) {
  ScopedSocket listener;
  Address laddr;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, laddr));
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  auto u = make_udp();
  ASSERT_TRUE(u);
  const Socket& c = s.get();
  std::uint8_t byte = 0;
  Address out;
  unsigned flags = 0;
  EXPECT_STATUS(h.provider().create_socket(family(), SocketType::stream, Protocol::tcp,
                                           Category::connection, nullptr),
                status::invalid_parameter);
  EXPECT_STATUS(listener->accept(&out, &out, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.listen(nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.connect(laddr, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.send(&byte, 1, 0, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.receive(&byte, 1, 0, nullptr), status::invalid_parameter);
  EXPECT_STATUS(u->send_to(&byte, 1, &laddr, nullptr), status::invalid_parameter);
  EXPECT_STATUS(u->receive_from(&byte, 1, &out, &flags, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.disconnect({}, 0, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.local_address(&out, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.remote_address(&out, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.set_option(SocketOption::keep_alive, 1, nullptr), status::invalid_parameter);
  EXPECT_STATUS(c.get_option(SocketOption::keep_alive, nullptr), status::invalid_parameter);
  EXPECT_EQ(h.provider().outstanding_irps(), 0U);
  EXPECT_EQ(h.provider().open_sockets(), 3U) << "a refused create must not create a socket";
  // The connection socket was neither bound nor connected by the refused calls.
  EXPECT_OK(s.bind(loopback(0)));
  EXPECT_OK(s.connect(laddr));
}

TEST_P(Bind, IrpStillPendingIsRefused) {
  // An IRP pending from an earlier call is refused (invalid_parameter, nothing
  // completed); the earlier call still completes once, normally.
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& buf = h.buffer(16);
  TestIrp& rx = h.irp("receive");
  const NTSTATUS r =
      rx.issue([&](Irp* i) { return p.client->receive(buf.data(), buf.size(), 0, i); });
  ASSERT_STATUS(r, status::pending) << "nothing was sent: the receive must pend";
  auto other = make(Category::connection);
  ASSERT_TRUE(other);
  EXPECT_TRUE(rx.issue_refused([&](Irp* i) { return other->bind(loopback(0), i); }));
  EXPECT_TRUE(rx.issue_refused([&](Irp* i) { return p.client->receive(buf.data(), 1, 0, i); }));
  EXPECT_TRUE(rx.issue_refused([&](Irp* i) { return p.client->close(i); }));
  EXPECT_TRUE(rx.is_pending());
  const std::uint8_t byte = 0x5A;
  ASSERT_OK(p.server.send(&byte, 1));
  const Outcome o = rx.wait();
  ASSERT_OK(o);
  EXPECT_EQ(o.information, 1U);
  EXPECT_EQ(buf[0], byte);
  // The refused close did not close the socket; the refused bind did not bind `other`.
  EXPECT_OK(other.bind(loopback(0)));
}

TEST_P(Bind, CreateSocketValidation) {
  Outcome o;
  EXPECT_FALSE(h.create_raw(AddressFamily::unspecified, SocketType::stream, Protocol::tcp,
                            Category::connection, &o));
  EXPECT_COMPLETES_WITH(o, status::invalid_parameter) << "unspecified family";
  EXPECT_FALSE(h.create_raw(family(), SocketType::stream, Protocol::tcp, Category::datagram, &o));
  EXPECT_COMPLETES_WITH(o, status::invalid_parameter) << "a datagram-category stream socket";
  // Information of a successful create names the socket.
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  EXPECT_NE(s->id(), 0U);
  EXPECT_EQ(s->provider(), &h.provider());
}

TEST_P(Bind, DatagramListenSocketBindIsNotImplemented) {
  auto s = make(Category::listen, SocketType::datagram, Protocol::udp);
  ASSERT_TRUE(s);
  EXPECT_COMPLETES_WITH(s.bind(loopback(0)), status::not_implemented);
}

TEST_P(Bind, BasicSocketHasNoBind) {
  auto s = make(Category::basic);
  ASSERT_TRUE(s);
  EXPECT_COMPLETES_WITH(s.bind(loopback(0)), status::invalid_device_state);
}

TEST_P(Bind, Options) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.set_option(SocketOption::no_delay, 1));
  Outcome g = s.get_option(SocketOption::no_delay);
  ASSERT_OK(g);
  EXPECT_EQ(g.information, 1U);
  ASSERT_OK(s.set_option(SocketOption::keep_alive, 1));
  g = s.get_option(SocketOption::keep_alive);
  ASSERT_OK(g);
  EXPECT_EQ(g.information, 1U);
  ASSERT_OK(s.set_option(SocketOption::reuse_address, 1));
  if (!v6()) {
    EXPECT_COMPLETES_WITH(s.set_option(SocketOption::ipv6_only, 1), status::invalid_parameter)
        << "ipv6_only on an IPv4 socket";
  } else {
    EXPECT_OK(s.set_option(SocketOption::ipv6_only, 1));
  }
  ASSERT_OK(s.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(s.set_option(SocketOption::reuse_address, 0), status::invalid_device_state)
      << "reuse_address must precede bind";
  // native_handle: the library keeps owning it; a null out is refused.
  native_handle_t fd = -1;
  EXPECT_STATUS(s->native_handle(&fd), status::success);
  EXPECT_NE(fd, -1);
  EXPECT_STATUS(s->native_handle(nullptr), status::invalid_parameter);
}

TEST_P(Bind, LocalAndRemoteAddressStateErrors) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  Address out;
  EXPECT_COMPLETES_WITH(s.local_address(out), status::invalid_device_state) << "not bound";
  ASSERT_OK(s.bind(loopback(0)));
  EXPECT_COMPLETES_WITH(s.remote_address(out), status::invalid_device_state) << "not connected";
  EXPECT_COMPLETES_WITH(
      h.run("local_address(null)", [&](Irp* p) { return s->local_address(nullptr, p); }),
      status::invalid_parameter);
}

TEST_P(Bind, ReuseAddressAllowsASecondDatagramBind) {
  auto first = make_udp();
  auto second = make_udp();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  ASSERT_OK(first.set_option(SocketOption::reuse_address, 1));
  ASSERT_OK(second.set_option(SocketOption::reuse_address, 1));
  ASSERT_OK(first.bind(loopback(0)));
  Address taken;
  ASSERT_OK(first.local_address(taken));
  EXPECT_OK(second.bind(taken)) << "both sockets set reuse_address";
}

TEST_P(Bind, ReuseAndExclusiveUseTogetherAreInvalid) {
  auto s = make(Category::connection);
  ASSERT_TRUE(s);
  ASSERT_OK(s.set_option(SocketOption::exclusive_address_use, 1));
  EXPECT_COMPLETES_WITH(s.set_option(SocketOption::reuse_address, 1), status::invalid_parameter);
  auto t = make(Category::connection);
  ASSERT_TRUE(t);
  ASSERT_OK(t.set_option(SocketOption::reuse_address, 1));
  EXPECT_COMPLETES_WITH(t.set_option(SocketOption::exclusive_address_use, 1),
                        status::invalid_parameter);
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(Bind);

}  // namespace wskport::test
