// SPDX-License-Identifier: MIT
// The conformance fixtures: written once against the public API, instantiated per
// engine (support/engines.hpp: every engine this host can run, or the one WSKPORT_ENGINE
// names) and per address family (IPv4, IPv6), plus an AF_UNIX fixture instantiated per
// engine.
//
//   class Bind : public wskport::test::Conformance {};
//   TEST_P(Bind, Something) { ... }
//   WSKPORT_INSTANTIATE_CONFORMANCE(Bind);   // -> Providers/Bind.Something/epoll_IPv4
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "support/engines.hpp"
#include "support/harness.hpp"
#include "support/platform.hpp"
#include "support/status_assert.hpp"
#include "support/test_irp.hpp"
#include "wskport/address.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"

namespace wskport {
/// gtest prints Addresses as text ("127.0.0.1:5000", "[::1]:80", "unix:/p").
inline void PrintTo(const Address& a, std::ostream* os) { *os << a.to_string(); }
}  // namespace wskport

namespace wskport::test {

struct ProviderParam {
  std::string engine;
  AddressFamily family = AddressFamily::ipv4;
};

inline void PrintTo(const ProviderParam& p, std::ostream* os) {
  *os << p.engine << (p.family == AddressFamily::ipv6 ? "/IPv6" : "/IPv4");
}

inline std::string sanitize_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  return out.empty() ? std::string("default") : out;
}

/// Every engine under test (engines_under_test()), for IPv4 and for IPv6.
inline std::vector<ProviderParam> provider_params() {
  std::vector<ProviderParam> out;
  for (const std::string& e : engines_under_test()) {
    out.push_back({e, AddressFamily::ipv4});
    out.push_back({e, AddressFamily::ipv6});
  }
  return out;
}

inline std::string provider_param_name(const ::testing::TestParamInfo<ProviderParam>& info) {
  return sanitize_name(info.param.engine) +
         (info.param.family == AddressFamily::ipv6 ? "_IPv6" : "_IPv4");
}

inline std::vector<std::string> engine_params() { return engines_under_test(); }

inline std::string engine_param_name(const ::testing::TestParamInfo<std::string>& info) {
  return sanitize_name(info.param);
}

/// Shared helpers of both fixtures.
class FixtureBase {
 protected:
  Harness h;

  /// Creates a socket; reports a failure and returns an empty wrapper if it fails.
  ScopedSocket make(AddressFamily family, Category category, SocketType type = SocketType::stream,
                    Protocol protocol = Protocol::tcp) {
    Outcome o;
    Socket s = h.create_raw(family, type, protocol, category, &o);
    if (!s) {
      ADD_FAILURE() << "create_socket failed: " << describe(o);
      return {};
    }
    return ScopedSocket(h, s);
  }

  /// The socket an accept (or create) delivered in Information.
  ScopedSocket adopt(const Outcome& o) {
    return ScopedSocket(h, h.provider().socket_from(o.information));
  }

  /// A listen-category socket bound (hence listening) at @p where; @p bound receives
  /// the address it got (port read back with local_address).
  void make_listener(ScopedSocket& out, const Address& where, Address& bound) {
    out = make(where.family(), Category::listen, SocketType::stream,
               where.family() == AddressFamily::unix_domain ? Protocol::automatic : Protocol::tcp);
    ASSERT_TRUE(out);
    ASSERT_OK(out.bind(where));
    ASSERT_OK(out.local_address(bound));
  }

  /// A connected pair: the client (a @p client_category socket bound to
  /// @p client_local) connects to a fresh listener at @p listen_at; the accepted socket
  /// becomes the server side. The listener is closed again.
  struct Pair {
    ScopedSocket client;
    ScopedSocket server;
    Address client_addr;  ///< the client's local address
    Address server_addr;  ///< the listener's (= the server side's local) address
  };
  void make_pair(Pair& p, const Address& listen_at, const Address& client_local,
                 Category client_category = Category::connection) {
    ScopedSocket listener;
    ASSERT_NO_FATAL_FAILURE(make_listener(listener, listen_at, p.server_addr));
    const Protocol proto =
        listen_at.family() == AddressFamily::unix_domain ? Protocol::automatic : Protocol::tcp;
    p.client = make(listen_at.family(), client_category, SocketType::stream, proto);
    ASSERT_TRUE(p.client);
    ASSERT_OK(p.client.bind(client_local));
    TestIrp& acc = h.irp("accept (pair)");
    Address& local = h.hold<Address>();
    Address& remote = h.hold<Address>();
    acc.issue([&](Irp* i) { return listener->accept(&local, &remote, i); });
    ASSERT_OK(p.client.connect(p.server_addr));
    const Outcome a = acc.wait();
    ASSERT_OK(a);
    p.server = adopt(a);
    ASSERT_TRUE(p.server);
    ASSERT_OK(p.client.local_address(p.client_addr));
    EXPECT_EQ(local, p.server_addr) << "accept's local address";
    if (listen_at.family() != AddressFamily::unix_domain) {
      EXPECT_EQ(remote, p.client_addr) << "accept's remote address";
    }
    ASSERT_OK(listener.close());
  }
};

/// Parameterised over (engine, IPv4/IPv6).
class Conformance : public ::testing::TestWithParam<ProviderParam>, protected FixtureBase {
 protected:
  void SetUp() override {
    if (GetParam().family == AddressFamily::ipv6 && !platform::ipv6_loopback_available()) {
      GTEST_SKIP() << "IPv6 loopback (::1) is not available on this host";
    }
    ASSERT_TRUE(h.start(GetParam().engine));
  }
  void TearDown() override { h.finish(); }

  [[nodiscard]] AddressFamily family() const { return GetParam().family; }
  [[nodiscard]] bool v6() const { return family() == AddressFamily::ipv6; }

  [[nodiscard]] Address loopback(std::uint16_t port = 0) const {
    return v6() ? Address::ipv6_loopback(port) : Address::ipv4_loopback(port);
  }
  [[nodiscard]] Address any(std::uint16_t port = 0) const {
    return v6() ? Address::ipv6_any(port) : Address::ipv4_any(port);
  }
  /// An address of this family that no host has (TEST-NET-1 / the documentation
  /// prefix): bind gives EADDRNOTAVAIL.
  [[nodiscard]] Address not_local(std::uint16_t port = 0) const {
    return v6() ? Address::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, port)
                : Address::ipv4({192, 0, 2, 1}, port);
  }
  /// Loopback of the other IP family (a family mismatch for this socket).
  [[nodiscard]] Address other_family_loopback(std::uint16_t port = 0) const {
    return v6() ? Address::ipv4_loopback(port) : Address::ipv6_loopback(port);
  }

  ScopedSocket make(Category category, SocketType type = SocketType::stream,
                    Protocol protocol = Protocol::tcp) {
    return FixtureBase::make(family(), category, type, protocol);
  }
  ScopedSocket make_udp() { return make(Category::datagram, SocketType::datagram, Protocol::udp); }
  void make_listener(ScopedSocket& out, Address& bound) {
    FixtureBase::make_listener(out, loopback(), bound);
  }
  void make_pair(Pair& p, Category client_category = Category::connection) {
    FixtureBase::make_pair(p, loopback(), loopback(), client_category);
  }
};

/// AF_UNIX cases, parameterised over the engine; POSIX platforms only.
class UnixConformance : public ::testing::TestWithParam<std::string>, protected FixtureBase {
 protected:
  void SetUp() override {
    if (!platform::has_unix_sockets()) {
      GTEST_SKIP() << "AF_UNIX sockets are covered on POSIX platforms only";
    }
    ASSERT_TRUE(dir_.ok()) << "could not create a temporary directory";
    ASSERT_TRUE(h.start(GetParam()));
  }
  void TearDown() override { h.finish(); }

  /// An AF_UNIX address for @p name inside this test's temporary directory.
  Address path_address(const std::filesystem::path& p) {
    Address a;
    const NTSTATUS st = Address::unix_path(p.string(), a);
    EXPECT_STATUS(st, status::success) << "Address::unix_path(" << p.string() << ")";
    return a;
  }
  [[nodiscard]] std::filesystem::path in_dir(const std::string& name) const {
    return dir_.path() / name;
  }

  platform::TempDir dir_;
};

}  // namespace wskport::test

#define WSKPORT_INSTANTIATE_CONFORMANCE(Suite)                                      \
  GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Suite);                             \
  INSTANTIATE_TEST_SUITE_P(Providers, Suite,                                        \
                           ::testing::ValuesIn(::wskport::test::provider_params()), \
                           ::wskport::test::provider_param_name)

#define WSKPORT_INSTANTIATE_UNIX(Suite)                                           \
  GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Suite);                           \
  INSTANTIATE_TEST_SUITE_P(Providers, Suite,                                      \
                           ::testing::ValuesIn(::wskport::test::engine_params()), \
                           ::wskport::test::engine_param_name)
