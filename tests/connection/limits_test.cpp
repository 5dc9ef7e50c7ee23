// SPDX-License-Identifier: MIT
// Admission: connection limits (per domain, per domain and binding, per slot), route
// states (lookup pending, failed, null MX, implicit MX), prohibited and skipped hosts,
// a delayed domain, and a socket option that fails (CONN_ERR_IOCTL).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "conn_fixture.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/momentum/connection_types.h"

namespace wskport::conntest {
namespace {

using connection::MxAnswer;
using connection::MxHost;
using connection::MxStatus;
using connection::RouteState;

using LimitsTest = ConnectionTest;

/// Initiates and waits for the connection; the handle stays open (it holds its place).
connection::ConnectionHandle connect_once(connection::ConnectionManager& m,
                                          const connection::Domain& d, int slot) {
  Outcome out;
  auto r = m.initiate(d, slot, out.callbacks());
  EXPECT_TRUE(r) << connection::error_name(r.code);
  if (!r) return {};
  if (!out.wait()) {
    ADD_FAILURE() << "no callback within the bound";
    r.handle.close();  // no callback can reach `out` after this
    return {};
  }
  EXPECT_TRUE(out.connected) << connection::error_name(out.code);
  return std::move(r.handle);
}

TEST_F(LimitsTest, ThePerDomainLimitRefusesWithHostMaxReached) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("limit.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  domain.set_limits(2, 0);
  const int a = manager_->add_binding("a", v4("127.0.0.2"));
  const int b = manager_->add_binding("b", v4("127.0.0.3"));

  auto first = connect_once(*manager_, domain, a);
  auto second = connect_once(*manager_, domain, b);
  EXPECT_EQ(domain.open_connections(), 2U);
  ASSERT_TRUE(srv.wait_accepted(2));  // the server's sockets are counted too
  const auto sockets = provider_->open_sockets();

  auto third = manager_->initiate(domain, a);
  EXPECT_FALSE(third);
  EXPECT_EQ(third.code, CONN_ERR_HOST_MAX_REACHED) << "no action flag: just wait";
  EXPECT_EQ(provider_->open_sockets(), sockets) << "refused before any socket was made";

  first.close();
  EXPECT_TRUE(wait_until([&] { return domain.open_connections() == 1; }, bound))
      << "the place is released once the socket is closed";
  auto fourth = connect_once(*manager_, domain, a);
  EXPECT_TRUE(fourth);
}

TEST_F(LimitsTest, ThePerBindingLimitCountsEachSlotSeparately) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("per-binding.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  domain.set_limits(0, 1);
  const int a = manager_->add_binding("a", v4("127.0.0.2"));
  const int b = manager_->add_binding("b", v4("127.0.0.3"));
  auto on_a = connect_once(*manager_, domain, a);
  EXPECT_EQ(manager_->initiate(domain, a).code, CONN_ERR_HOST_MAX_REACHED);
  auto on_b = connect_once(*manager_, domain, b);
  EXPECT_EQ(domain.open_connections(a), 1U);
  EXPECT_EQ(domain.open_connections(b), 1U);
}

TEST_F(LimitsTest, ASlotLimitAppliesAcrossDomains) {
  Server& srv = server(v4("127.0.0.1"));
  const auto d1 = resolved_domain("one.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  const auto d2 = resolved_domain("two.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  const int slot = manager_->add_binding("small", v4("127.0.0.2"), 1);
  auto held = connect_once(*manager_, d1, slot);
  EXPECT_EQ(manager_->binding_slot(slot)->open_connections, 1U);
  EXPECT_EQ(manager_->initiate(d2, slot).code, CONN_ERR_HOST_MAX_REACHED);
  held.close();
  EXPECT_TRUE(
      wait_until([&] { return manager_->binding_slot(slot)->open_connections == 0; }, bound));
  auto next = connect_once(*manager_, d2, slot);
  EXPECT_TRUE(next);
}

TEST_F(LimitsTest, AnUnresolvedDomainStartsItsLookupAndReportsPending) {
  Server& srv = server(v4("127.0.0.1"));
  mx_->add("lazy.test", MxHost{"127.0.0.1", 0, srv.port()});
  const auto domain = manager_->domain("LAZY.test");
  EXPECT_EQ(domain.name(), "lazy.test");
  EXPECT_EQ(domain.route_state(), RouteState::unresolved);
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));
  EXPECT_EQ(manager_->initiate(domain, slot).code, CONN_ERR_MX_LOOKUP_PENDING);
  EXPECT_TRUE(wait_until([&] { return domain.route_state() == RouteState::resolved; }, bound));
  auto h = connect_once(*manager_, domain, slot);
  EXPECT_TRUE(h);
}

TEST_F(LimitsTest, LookupFailuresCarryTheirActions) {
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));
  const auto missing = manager_->domain("missing.test");
  EXPECT_EQ(resolve_and_wait(missing), CONN_ERR_MX_LOOKUP_FAILED | CONN_ACTION_PURGE_DOMAIN);
  EXPECT_EQ(missing.route_state(), RouteState::failed);
  EXPECT_EQ(manager_->initiate(missing, slot).code,
            CONN_ERR_MX_LOOKUP_FAILED | CONN_ACTION_PURGE_DOMAIN);

  mx_->set("nullmx.test", MxAnswer{MxStatus::null_mx, {}});
  const auto nullmx = manager_->domain("nullmx.test");
  EXPECT_EQ(resolve_and_wait(nullmx), CONN_ERR_SMTP_NULL_MX | CONN_ACTION_PURGE_DOMAIN);

  mx_->set("flaky.test", MxAnswer{MxStatus::temporary_failure, {}});
  const auto flaky = manager_->domain("flaky.test");
  EXPECT_EQ(resolve_and_wait(flaky), CONN_ERR_MX_LOOKUP_FAILED | CONN_ACTION_REQUEUE1);

  mx_->set("nohost.test", MxAnswer{MxStatus::ok, {MxHost{"no-such-host.invalid", 0, 0}}});
  const auto nohost = manager_->domain("nohost.test");
  EXPECT_EQ(resolve_and_wait(nohost), CONN_ERR_MX_LOOKUP_FAILED | CONN_ACTION_REQUEUE1);

  EXPECT_EQ(CONN_ERROR(CONN_ERR_MX_LOOKUP_FAILED | CONN_ACTION_PURGE_DOMAIN),
            CONN_ERR_MX_LOOKUP_FAILED);
  EXPECT_EQ(CONN_ACTION(CONN_ERR_MX_LOOKUP_FAILED | CONN_ACTION_PURGE_DOMAIN),
            CONN_ACTION_PURGE_DOMAIN);
}

TEST_F(LimitsTest, ADomainWithoutMxRecordsIsItsOwnHost) {
  mx_->set("localhost", MxAnswer{MxStatus::no_records, {}});
  const auto d = manager_->domain("localhost");
  ASSERT_EQ(resolve_and_wait(d), 0);
  const auto mx = d.mx();
  ASSERT_EQ(mx.size(), 1U);
  EXPECT_EQ(mx[0].name, "localhost");
  EXPECT_EQ(mx[0].port, 25) << "the default port";
  EXPECT_FALSE(mx[0].addresses.empty());
}

TEST_F(LimitsTest, ProhibitedAndSkippedHosts) {
  Server& srv = server(v4("127.0.0.1"));
  connection::ManagerOptions o;
  o.prohibited_hosts = {v4("127.0.0.9")};
  o.skip_hosts = {v4("127.0.0.8")};
  auto m = std::make_unique<connection::ConnectionManager>(*provider_, mx_, o);
  const int slot = m->add_binding("vip", v4("127.0.0.2"));

  mx_->add("bad.test", MxHost{"127.0.0.1", 10, srv.port()});
  mx_->add("bad.test", MxHost{"127.0.0.9", 20, srv.port()});
  const auto bad = m->domain("bad.test");
  ASSERT_EQ(resolve_and_wait(bad), 0);
  EXPECT_EQ(m->initiate(bad, slot).code, CONN_ERR_PROHIBITED_IP | CONN_ACTION_PURGE_DOMAIN);

  mx_->add("skip.test", MxHost{"127.0.0.8", 10, srv.port()});
  mx_->add("skip.test", MxHost{"127.0.0.1", 20, srv.port()});
  const auto skip = m->domain("skip.test");
  ASSERT_EQ(resolve_and_wait(skip), 0);
  auto h = connect_once(*m, skip, slot);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->attempts().size(), 1U) << "the skipped host is not in the plan";
  EXPECT_EQ(h->remote_address(), srv.address());
}

TEST_F(LimitsTest, ADelayedDomainIsNotConnectedTo) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("delayed.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));
  domain.delay_until(Clock::now() + 1h);
  EXPECT_EQ(manager_->initiate(domain, slot).code, CONN_ERR_NO_MXS_REACHABLE)
      << "no action: the caller already swept the domain";
  domain.delay_until({});
  auto h = connect_once(*manager_, domain, slot);
  EXPECT_TRUE(h);
}

TEST_F(LimitsTest, AFailingSocketOptionEndsTheAttemptWithIoctl) {
  Server& srv = server(v4("127.0.0.1"));
  connection::ManagerOptions o;
  o.socket_options = {{SocketOption::no_delay, 1}, {SocketOption::ipv6_only, 1}};
  auto m = std::make_unique<connection::ConnectionManager>(*provider_, mx_, o);
  mx_->add("ioctl.test", MxHost{"127.0.0.1", 0, srv.port()});
  const auto d = m->domain("ioctl.test");
  ASSERT_EQ(resolve_and_wait(d), 0);
  const auto r = m->initiate(d, m->add_binding("vip", v4("127.0.0.2")));
  EXPECT_FALSE(r);
  EXPECT_EQ(r.code, CONN_ERR_IOCTL) << "ipv6_only is not an option of an IPv4 socket";
  EXPECT_EQ(d.consecutive_failures(), 0U);
}

}  // namespace
}  // namespace wskport::conntest
