// SPDX-License-Identifier: MIT
// Walking the plan: a refused MX then a good one (failover at once, the refused one
// marked bad and counted), every MX refused, a post-bind abort (socket closed, connect
// never runs, not an MX failure), a connect timeout made on loopback (a listener whose
// backlog is full), a timeout followed by the next address, the overall deadline, and
// a close that cancels an attempt under way.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "conn_fixture.hpp"
#include "wskport/connection/hooks.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/momentum/connection_types.h"

namespace wskport::conntest {
namespace {

using connection::Error;
using connection::MxHost;
using connection::Stage;

class FailoverTest : public ConnectionTest {
 protected:
  /// A manager of its own with short timeouts; destroyed before the fixture's checks.
  std::unique_ptr<connection::ConnectionManager> short_manager(
      std::chrono::milliseconds connect_timeout, std::chrono::milliseconds overall,
      bool next_on_timeout = true) {
    connection::ManagerOptions o;
    o.connect_timeout = connect_timeout;
    o.overall_timeout = overall;
    o.next_address_on_timeout = next_on_timeout;
    return std::make_unique<connection::ConnectionManager>(*provider_, mx_, o);
  }

  /// A silent server whose accept queue is full, or nullptr (the test then skips).
  Server* black_hole() {
    auto& s = server(v4("127.0.0.1"), Server::Mode::silent);
    return s.ok() && s.fill_backlog() ? &s : nullptr;
  }
};

TEST_F(FailoverTest, ARefusedMxIsMarkedBadAndTheNextOneIsTriedAtOnce) {
  Refuser& bad = refuser(v4("127.0.0.1"));
  Server& good = server(v4("127.0.0.1"));
  const auto domain = resolved_domain(
      "failover.test", {MxHost{"127.0.0.1", 10, bad.port()}, MxHost{"127.0.0.1", 20, good.port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));

  Outcome out;
  auto r = manager_->initiate(domain, slot, out.callbacks());
  ASSERT_TRUE(r) << connection::error_name(r.code);
  ASSERT_TRUE(out.wait());
  EXPECT_EQ(out.finishes, 1);
  EXPECT_EQ(out.timeouts, 0);
  EXPECT_TRUE(out.connected);
  EXPECT_EQ(r.handle->remote_address(), good.address());

  const auto attempts = r.handle->attempts();
  ASSERT_EQ(attempts.size(), 2U);
  EXPECT_EQ(attempts[0].stage, Stage::connect);
  EXPECT_EQ(attempts[0].status, status::connection_refused);
  EXPECT_EQ(attempts[0].code, CONN_ERR_CONNECT | CONN_ACTION_REQUEUE1);
  EXPECT_EQ(attempts[1].stage, Stage::connected);
  EXPECT_EQ(attempts[1].code, 0);

  const auto mx = domain.mx();
  ASSERT_EQ(mx.size(), 2U);
  EXPECT_EQ(mx[0].consecutive_failures, 1U);
  EXPECT_EQ(mx[0].addresses_marked_bad, 1U);
  EXPECT_EQ(mx[1].consecutive_failures, 0U);
  EXPECT_FALSE(domain.mx_failures_exceeded(1)) << "the good MX has no failure";
  EXPECT_EQ(domain.consecutive_failures(), 0U) << "reset by the success";
}

TEST_F(FailoverTest, EveryMxRefusedEndsWithConnectAndRequeue) {
  Refuser& a = refuser(v4("127.0.0.1"));
  Refuser& b = refuser(v4("127.0.0.1"));
  const auto domain = resolved_domain(
      "refused.test", {MxHost{"127.0.0.1", 10, a.port()}, MxHost{"127.0.0.1", 20, b.port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));

  Outcome out;
  auto r = manager_->initiate(domain, slot, out.callbacks());
  int code = r.code;
  if (r) {  // went pending: the outcome comes through finish_connect_func
    ASSERT_TRUE(out.wait());
    EXPECT_EQ(out.finishes, 1);
    EXPECT_FALSE(out.connected);
    code = out.code;
    EXPECT_EQ(r.handle->attempts().size(), 2U);
  }
  EXPECT_EQ(code, CONN_ERR_CONNECT | CONN_ACTION_REQUEUE1) << connection::error_name(code);
  EXPECT_TRUE(domain.mx_failures_exceeded(1));
  EXPECT_FALSE(domain.mx_failures_exceeded(MX_FAILURES_TO_DELAY_DEFAULT));
  EXPECT_EQ(domain.open_connections(), 0U);

  // Both addresses are marked bad now: nothing left to try.
  auto again = manager_->initiate(domain, slot);
  EXPECT_FALSE(again);
  EXPECT_EQ(again.code, CONN_ERR_NO_MXS_REACHABLE | CONN_ACTION_REQUEUE1);
  domain.clear_failures();
  EXPECT_FALSE(domain.mx_failures_exceeded(1));
}

TEST_F(FailoverTest, AHookAbortClosesTheSocketAndConnectNeverRuns) {
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("abort.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));
  const auto sockets_before = provider_->open_sockets();
  int calls = 0;
  auto reg = hooks::register_post_bind_first([&](const hooks::PostBindContext&) {
    ++calls;
    return 7;
  });

  Outcome out;
  auto r = manager_->initiate(domain, slot, out.callbacks());
  EXPECT_FALSE(r) << "the hook runs before connect, on the initiating thread";
  EXPECT_EQ(r.code, CONN_ERR_HOOK_ABORT) << connection::error_name(r.code);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out.calls(), 0) << "no callback for a synchronous failure";
  EXPECT_EQ(domain.consecutive_failures(), 0U) << "a hook abort is not an MX failure";
  EXPECT_EQ(domain.mx().at(0).consecutive_failures, 0U);
  EXPECT_EQ(domain.open_connections(), 0U);
  EXPECT_TRUE(wait_until([&] { return provider_->open_sockets() == sockets_before; }, bound));

  reg.reset();
  Outcome ok;
  auto good = manager_->initiate(domain, slot, ok.callbacks());
  ASSERT_TRUE(good);
  ASSERT_TRUE(ok.wait());
  ASSERT_TRUE(ok.connected);
  ASSERT_TRUE(srv.wait_accepted(1));
  EXPECT_EQ(srv.peers().front(), good.handle->local_address())
      << "the aborted attempt never connected";
}

TEST_F(FailoverTest, AHookAbortAfterFailoverIsReportedThroughFinish) {
  Refuser& bad = refuser(v4("127.0.0.1"));
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain(
      "abort2.test", {MxHost{"127.0.0.1", 10, bad.port()}, MxHost{"127.0.0.1", 20, srv.port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));
  const auto veto_port = srv.port();
  auto reg = hooks::register_post_bind_last([veto_port](const hooks::PostBindContext& c) {
    return c.destination.port() == veto_port ? 3 : 0;
  });

  Outcome out;
  auto r = manager_->initiate(domain, slot, out.callbacks());
  int code = r.code;
  if (r) {
    ASSERT_TRUE(out.wait());
    EXPECT_EQ(out.finishes, 1);
    code = out.code;
    const auto attempts = r.handle->attempts();
    ASSERT_EQ(attempts.size(), 2U);
    EXPECT_EQ(attempts[1].stage, Stage::hook);
    EXPECT_EQ(attempts[1].hook_result, 3);
  }
  EXPECT_EQ(code, CONN_ERR_HOOK_ABORT);
  EXPECT_EQ(domain.mx().at(1).consecutive_failures, 0U);
  EXPECT_EQ(srv.accepted(), 0U);
}

TEST_F(FailoverTest, AConnectThatNeverCompletesTimesOut) {
  Server* hole = black_hole();
  if (hole == nullptr) GTEST_SKIP() << "a full backlog does not drop SYNs on this platform";
  auto m = short_manager(300ms, 20s);
  const auto domain = m->domain("slow.test");
  mx_->add("slow.test", MxHost{"127.0.0.1", 0, hole->port()});
  ASSERT_EQ(resolve_and_wait(domain), 0);
  const int slot = m->add_binding("vip", v4("127.0.0.2"));

  Outcome out;
  auto r = m->initiate(domain, slot, out.callbacks());
  ASSERT_TRUE(r) << connection::error_name(r.code);
  ASSERT_TRUE(out.wait());
  EXPECT_EQ(out.timeouts, 1);
  EXPECT_EQ(out.finishes, 0);
  EXPECT_EQ(out.code, CONN_ERR_CONNECT_TIMEOUT | CONN_ACTION_REQUEUE1);
  EXPECT_NE(out.thread, std::this_thread::get_id()) << "callbacks run on a provider thread";
  const auto attempts = r.handle->attempts();
  ASSERT_EQ(attempts.size(), 1U);
  EXPECT_EQ(attempts[0].stage, Stage::connect);
  EXPECT_EQ(attempts[0].status, status::cancelled);
  EXPECT_EQ(domain.mx().at(0).consecutive_failures, 1U);
}

TEST_F(FailoverTest, ATimeoutMovesOnToTheNextAddress) {
  Server* hole = black_hole();
  if (hole == nullptr) GTEST_SKIP() << "a full backlog does not drop SYNs on this platform";
  Server& good = server(v4("127.0.0.1"));
  auto m = short_manager(300ms, 20s);
  const auto domain = m->domain("slow-then-good.test");
  mx_->add("slow-then-good.test", MxHost{"127.0.0.1", 10, hole->port()});
  mx_->add("slow-then-good.test", MxHost{"127.0.0.1", 20, good.port()});
  ASSERT_EQ(resolve_and_wait(domain), 0);
  const int slot = m->add_binding("vip", v4("127.0.0.2"));

  Outcome out;
  auto r = m->initiate(domain, slot, out.callbacks());
  ASSERT_TRUE(r);
  ASSERT_TRUE(out.wait());
  EXPECT_EQ(out.finishes, 1);
  EXPECT_TRUE(out.connected);
  const auto attempts = r.handle->attempts();
  ASSERT_EQ(attempts.size(), 2U);
  EXPECT_EQ(attempts[0].code, CONN_ERR_CONNECT_TIMEOUT | CONN_ACTION_REQUEUE1);
  EXPECT_EQ(attempts[1].stage, Stage::connected);
}

TEST_F(FailoverTest, TheOverallDeadlineBoundsEveryAttempt) {
  Server* hole = black_hole();
  if (hole == nullptr) GTEST_SKIP() << "a full backlog does not drop SYNs on this platform";
  // Three addresses that never answer, 300 ms each, 450 ms in all: at most two tried.
  auto m = short_manager(300ms, 450ms);
  const auto domain = m->domain("deadline.test");
  for (std::uint16_t pref : {10, 20, 30}) {
    mx_->add("deadline.test", MxHost{"127.0.0.1", pref, hole->port()});
  }
  ASSERT_EQ(resolve_and_wait(domain), 0);
  ASSERT_EQ(domain.mx().size(), 3U);
  const int slot = m->add_binding("vip", v4("127.0.0.2"));

  Outcome out;
  auto r = m->initiate(domain, slot, out.callbacks());
  ASSERT_TRUE(r);
  ASSERT_TRUE(out.wait());
  EXPECT_EQ(out.timeouts, 1);
  EXPECT_EQ(out.code, CONN_ERR_CONNECT_TIMEOUT | CONN_ACTION_REQUEUE1);
  EXPECT_LE(r.handle->attempts().size(), 2U);
  EXPECT_GE(r.handle->attempts().size(), 1U);
}

TEST_F(FailoverTest, NoNextAddressAfterATimeoutWhenConfiguredSo) {
  Server* hole = black_hole();
  if (hole == nullptr) GTEST_SKIP() << "a full backlog does not drop SYNs on this platform";
  Server& good = server(v4("127.0.0.1"));
  auto m = short_manager(300ms, 20s, /*next_on_timeout=*/false);
  const auto domain = m->domain("stop-at-timeout.test");
  mx_->add("stop-at-timeout.test", MxHost{"127.0.0.1", 10, hole->port()});
  mx_->add("stop-at-timeout.test", MxHost{"127.0.0.1", 20, good.port()});
  ASSERT_EQ(resolve_and_wait(domain), 0);
  Outcome out;
  auto r = m->initiate(domain, m->add_binding("vip", v4("127.0.0.2")), out.callbacks());
  ASSERT_TRUE(r);
  ASSERT_TRUE(out.wait());
  EXPECT_EQ(out.timeouts, 1);
  EXPECT_EQ(r.handle->attempts().size(), 1U);
  EXPECT_EQ(good.accepted(), 0U);
}

TEST_F(FailoverTest, ClosingTheHandleCancelsTheAttemptWithoutACallback) {
  Server* hole = black_hole();
  if (hole == nullptr) GTEST_SKIP() << "a full backlog does not drop SYNs on this platform";
  const auto domain = resolved_domain("cancel.test", {MxHost{"127.0.0.1", 0, hole->port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));
  const auto sockets_before = provider_->open_sockets();

  Outcome out;
  auto r = manager_->initiate(domain, slot, out.callbacks());
  ASSERT_TRUE(r);
  EXPECT_EQ(domain.open_connections(), 1U);
  r.handle.close();
  EXPECT_TRUE(wait_until([&] { return manager_->live_connections() == 0; }, bound));
  EXPECT_TRUE(wait_until([&] { return provider_->open_sockets() == sockets_before; }, bound));
  EXPECT_EQ(out.calls(), 0) << "no callback after close";
  EXPECT_EQ(domain.open_connections(), 0U);
  EXPECT_EQ(domain.consecutive_failures(), 0U) << "a cancellation is not a failure";
}

}  // namespace
}  // namespace wskport::conntest
