// SPDX-License-Identifier: MIT
// MultiVIP binding slots: the socket is bound to the slot's source address before the
// post-bind hooks run, and the hook sees that local address (through getsockname on
// the native handle, as a hook written for the seed would) and the destination it was
// given. Slots on 127.0.0.2, 127.0.0.3 and ::1; the family filter; a target name
// resolved through the provider ("localhost"); an unplumbed slot.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "conn_fixture.hpp"
#include "support/platform.hpp"
#include "wskport/connection/hooks.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/momentum/connection_types.h"

namespace wskport::conntest {
namespace {

using connection::Error;
using connection::MxHost;
using connection::Stage;

/// What one post-bind call saw.
struct Seen {
  int slot = -1;
  std::optional<Address> native_local;  // getsockname on the fd the hook was given
  Address destination;                  // from the native sockaddr the hook was given
  bool had_socket = false;
  ::domain_record* domain = nullptr;
};

class HookRecorder {
 public:
  HookRecorder()
      : registration_(hooks::register_post_bind_last([this](const hooks::PostBindContext& c) {
          Seen s;
          s.slot = c.binding_slot;
          s.native_local = native_local_address(c.fd);
          Address from_native;
          if (Address::from_native(c.native_address, static_cast<std::size_t>(c.native_length),
                                   from_native) == status::success) {
            s.destination = from_native;
          }
          s.had_socket = c.socket != nullptr;
          s.domain = c.domain;
          std::lock_guard lock(mutex_);
          seen_.push_back(s);
          return 0;
        })) {}
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<Seen> seen_;
  hooks::PostBindHook::Registration registration_;
};

bool same_ip(const Address& a, const Address& b) {
  return a.family() == b.family() && a.ip_bytes() == b.ip_bytes();
}

using BindingTest = ConnectionTest;

TEST_F(BindingTest, EachSlotBindsItsSourceAndTheHookSeesItAndTheDestination) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("vip.test", {MxHost{"127.0.0.1", 10, srv.port()}});
  const int slot_a = manager_->add_binding("vip-a", v4("127.0.0.2"));
  const int slot_b = manager_->add_binding("vip-b", v4("127.0.0.3"));
  ASSERT_GE(slot_a, 0);
  ASSERT_GE(slot_b, 0);
  HookRecorder hook;

  for (const auto& [slot, source] : {std::pair{slot_a, "127.0.0.2"}, {slot_b, "127.0.0.3"}}) {
    Outcome out;
    auto r = manager_->initiate(domain, slot, out.callbacks());
    ASSERT_TRUE(r) << connection::error_name(r.code);
    ASSERT_TRUE(out.wait());
    EXPECT_TRUE(out.connected) << connection::error_name(out.code);
    EXPECT_TRUE(same_ip(r.handle->local_address(), v4(source)))
        << r.handle->local_address().to_string();
    EXPECT_EQ(r.handle->remote_address(), srv.address());
    EXPECT_EQ(r.handle->binding_slot(), slot);
    r.handle.close();
  }

  const auto seen = hook.seen();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].slot, slot_a);
  EXPECT_EQ(seen[1].slot, slot_b);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(seen[i].native_local.has_value()) << "getsockname on the hook's fd failed";
    EXPECT_TRUE(same_ip(*seen[i].native_local, v4(i == 0 ? "127.0.0.2" : "127.0.0.3")))
        << seen[i].native_local->to_string();
    EXPECT_EQ(seen[i].destination, srv.address()) << "the destination connect() will use";
    EXPECT_TRUE(seen[i].had_socket);
    EXPECT_EQ(seen[i].domain, domain.c_record());
  }
  ASSERT_TRUE(srv.wait_accepted(2));
  const auto peers = srv.peers();
  EXPECT_TRUE(same_ip(peers[0], v4("127.0.0.2")));
  EXPECT_TRUE(same_ip(peers[1], v4("127.0.0.3")));
}

TEST_F(BindingTest, AnIpv6SlotConnectsOnlyToIpv6Addresses) {
  if (!test::platform::ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1)";
  Server& srv6 = server(Address::ipv6_loopback());
  Refuser& v4_refuser = refuser(v4("127.0.0.1"));
  // One level with both families; the v4 address would be refused, so a connection
  // proves the family filter left it out.
  mx_->add("dual.test", MxHost{"127.0.0.1", 10, v4_refuser.port()});
  mx_->add("dual.test", MxHost{"::1", 10, srv6.port()});
  const auto domain = manager_->domain("dual.test");
  ASSERT_EQ(resolve_and_wait(domain), 0);
  const int slot = manager_->add_binding("vip-6", Address::ipv6_loopback());
  ASSERT_EQ(manager_->find_binding_slot("vip-6", AddressFamily::ipv6), slot);
  EXPECT_EQ(manager_->find_binding_slot("vip-6", AddressFamily::ipv4), -1);
  HookRecorder hook;

  Outcome out;
  auto r = manager_->initiate(domain, slot, out.callbacks());
  ASSERT_TRUE(r) << connection::error_name(r.code);
  ASSERT_TRUE(out.wait());
  EXPECT_TRUE(out.connected) << connection::error_name(out.code);
  EXPECT_EQ(r.handle->attempts().size(), 1U);
  r.handle.close();

  const auto seen = hook.seen();
  ASSERT_EQ(seen.size(), 1U);
  ASSERT_TRUE(seen[0].native_local.has_value());
  EXPECT_TRUE(same_ip(*seen[0].native_local, Address::ipv6_loopback()));
  EXPECT_EQ(seen[0].destination, srv6.address());

  // A v6 slot and a v4-only domain: nothing to try.
  const auto v4_only = resolved_domain("v4only.test", {MxHost{"127.0.0.1", 0, 0}});
  auto none = manager_->initiate(v4_only, slot);
  EXPECT_FALSE(none);
  EXPECT_EQ(none.code, CONN_ERR_NO_MXS_REACHABLE | CONN_ACTION_REQUEUE1);
}

TEST_F(BindingTest, TargetNamesResolveThroughTheProvider) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("named.test", {MxHost{"localhost", 5, srv.port()}});
  const auto mx = domain.mx();
  ASSERT_EQ(mx.size(), 1U);
  bool has_v4_loopback = false;
  for (const auto& a : mx[0].addresses) has_v4_loopback |= a == srv.address();
  ASSERT_TRUE(has_v4_loopback) << "localhost did not resolve to 127.0.0.1";
  const int slot = manager_->add_binding("any", Address{});  // "*": the system picks
  ASSERT_GE(slot, 0);
  // Only IPv4 addresses of localhost answer; an IPv6 ::1 (if listed) is refused and
  // failed over, so a connection is the expected outcome whatever the order.
  Outcome out;
  auto r = manager_->initiate(domain, manager_->find_binding_slot("any", AddressFamily::ipv4),
                              out.callbacks());
  ASSERT_TRUE(r) << connection::error_name(r.code);
  ASSERT_TRUE(out.wait());
  EXPECT_TRUE(out.connected) << connection::error_name(out.code);
  EXPECT_EQ(r.handle->remote_address(), srv.address());
}

TEST_F(BindingTest, AnUnplumbedSourceFailsAtBindBeforeAnythingIsSent) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("unplumbed.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  // 192.0.2.0/24 (TEST-NET-1) is never assigned to a host.
  const int slot = manager_->add_binding("gone", v4("192.0.2.1"));
  const int good = manager_->add_binding("here", v4("127.0.0.2"));
  int hook_calls = 0;
  auto reg = hooks::register_post_bind_last([&](const hooks::PostBindContext& c) {
    if (c.binding_slot == slot) ++hook_calls;
    return 0;
  });
  const auto sockets_before = provider_->open_sockets();

  auto r = manager_->initiate(domain, slot);
  if (r) GTEST_SKIP() << "this host accepts binds to non-local addresses (ip_nonlocal_bind?)";
  EXPECT_EQ(r.code, CONN_ERR_BIND) << connection::error_name(r.code);
  EXPECT_EQ(hook_calls, 0) << "the hooks run only after a successful bind";
  const auto info = manager_->binding_slot(slot);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->plumbed);
  EXPECT_EQ(info->open_connections, 0U);
  EXPECT_EQ(domain.open_connections(), 0U);
  EXPECT_EQ(domain.consecutive_failures(), 0U) << "a local failure is not an MX failure";
  EXPECT_TRUE(wait_until([&] { return provider_->open_sockets() == sockets_before; }, bound));

  // Nothing reached the server: the first connection it accepts is the next one.
  Outcome out;
  auto ok = manager_->initiate(domain, good, out.callbacks());
  ASSERT_TRUE(ok);
  ASSERT_TRUE(out.wait());
  ASSERT_TRUE(out.connected);
  ASSERT_TRUE(srv.wait_accepted(1));
  EXPECT_EQ(srv.peers().front(), ok.handle->local_address());
}

TEST_F(BindingTest, AnUnplumbedIpv6SourceFailsAtBind) {
  if (!test::platform::ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1)";
  Server& srv6 = server(Address::ipv6_loopback());
  const auto domain = resolved_domain("unplumbed6.test", {MxHost{"::1", 0, srv6.port()}});
  Address doc;
  ASSERT_EQ(Address::parse("2001:db8::1", doc), status::success);  // documentation prefix
  const int slot = manager_->add_binding("gone6", doc);
  auto r = manager_->initiate(domain, slot);
  if (r) GTEST_SKIP() << "this host accepts binds to non-local IPv6 addresses";
  EXPECT_EQ(r.code, CONN_ERR_BIND);
  EXPECT_FALSE(manager_->binding_slot(slot)->plumbed);
  EXPECT_EQ(srv6.accepted(), 0U);
}

TEST_F(BindingTest, UnknownSlotsAndForeignDomainsAreRefused) {
  const auto domain = resolved_domain("refuse.test", {MxHost{"127.0.0.1", 0, 0}});
  EXPECT_EQ(manager_->initiate(domain, 99).code, CONN_ERR_BIND);
  EXPECT_EQ(manager_->initiate(connection::Domain{}, 0).code, CONN_ERR_INVALID);
  EXPECT_EQ(manager_->add_binding("", v4("127.0.0.2")), -1);
  Address unix_address;
  ASSERT_EQ(Address::unix_path("/tmp/x", unix_address), status::success);
  EXPECT_EQ(manager_->add_binding("u", unix_address), -1);
}

}  // namespace
}  // namespace wskport::conntest
