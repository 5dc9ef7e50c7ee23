// SPDX-License-Identifier: MIT
// Fault injection, error family: the Nth call fails with a platform error code mapped
// through the platform's own table, a forced close tears one socket down under its
// caller, scripts are validated, and WSKPORT_FAULTS is read from the environment.
#include <cstdlib>
#include <string>

#include "reliability/fault_fixture.hpp"

namespace wskport::test {
namespace {

TEST_P(Faults, NthConnectFailsWithTheMappedStatus) {
  ASSERT_NO_FATAL_FAILURE(start("connect#2=ECONNREFUSED"));
  EXPECT_STATUS(expected("ECONNREFUSED"), status::connection_refused);
  ScopedSocket listener;
  Address at;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, loopback(), at));
  for (int i = 1; i <= 3; ++i) {
    ScopedSocket c = make(Category::connection);
    ASSERT_OK(c.bind(loopback()));
    TestIrp& acc = h.irp("accept");
    if (i != 2) acc.issue([&](Irp* p) { return listener->accept(nullptr, nullptr, p); });
    const Outcome o = c.connect(at);
    if (i == 2) {
      EXPECT_COMPLETES_WITH(o, status::connection_refused) << "the injected second connect";
    } else {
      EXPECT_OK(o) << "connect #" << i;
      const Outcome a = acc.wait();
      ASSERT_OK(a);
      ScopedSocket accepted = adopt(a);
    }
  }
  EXPECT_EQ(faults::injected(), 1U);
}

TEST_P(Faults, SynchronousCallsFailToo) {
  // The Winsock spelling works on POSIX and the errno spelling on Windows.
  // Each code is one the call can really fail with, so the completion stays inside the
  // function's documented statuses (the verifier's contract group checks that).
  ASSERT_NO_FATAL_FAILURE(start("bind#1=WSAEADDRINUSE; set_option#1=EINVAL; create#2=EMFILE"));
  ScopedSocket s = make(Category::connection);
  EXPECT_COMPLETES_WITH(s.bind(loopback()), status::address_already_associated);
  EXPECT_OK(s.bind(loopback())) << "only the first bind fails";
  EXPECT_COMPLETES_WITH(s.set_option(SocketOption::keep_alive, 1), expected("EINVAL"));
  EXPECT_STATUS(expected("EINVAL"), status::invalid_parameter);
  Outcome o;
  Socket second =
      h.create_raw(family(), SocketType::stream, Protocol::tcp, Category::connection, &o);
  EXPECT_FALSE(second);
  EXPECT_COMPLETES_WITH(o, expected("EMFILE"));
  EXPECT_STATUS(expected("EMFILE"), status::too_many_opened_files);
  EXPECT_EQ(faults::injected(), 3U);
}

TEST_P(Faults, ForcedCloseOfOneSocket) {
  ASSERT_NO_FATAL_FAILURE(start("send#2=forced_close"));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  // A receive waits on the client when its socket is torn down under it.
  auto& buf = h.buffer(16);
  TestIrp& rx = h.irp("receive pending at the forced close");
  rx.issue([&](Irp* i) { return p.client->receive(buf.data(), buf.size(), 0, i); });
  EXPECT_OK(send_pattern(p.client, 8));
  auto& got = h.buffer(8);
  Outcome last;
  EXPECT_EQ(receive_exactly(h, p.server.get(), got, last), 8U);
  EXPECT_FALSE(pattern_mismatch(got).has_value());
  EXPECT_COMPLETES_WITH(send_pattern(p.client, 8), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(rx.wait(), status::file_forced_closed);
  // Every later call answers the same, except close, which the caller still owes.
  EXPECT_COMPLETES_WITH(send_pattern(p.client, 8), status::file_forced_closed);
  Address a;
  EXPECT_COMPLETES_WITH(p.client.local_address(a), status::file_forced_closed);
  // The peer sees the connection end abortively, as a close of a connected WSK socket.
  expect_peer_sees_reset(p.server);
  EXPECT_OK(p.client.close());
}

TEST_P(Faults, ClearedScriptPassesThrough) {
  ASSERT_NO_FATAL_FAILURE(start("send=ECONNRESET"));
  faults::clear();
  EXPECT_FALSE(faults::enabled());
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  EXPECT_OK(send_pattern(p.client, 32));
  EXPECT_EQ(faults::injected(), 0U);
}

INSTANTIATE_TEST_SUITE_P(Providers, Faults, ::testing::ValuesIn(provider_params()),
                         provider_param_name);

TEST(FaultScript, RejectsMalformedRulesAndKeepsTheOldScript) {
  std::string error;
  ASSERT_STATUS(faults::set_script("send#3=ECONNRESET", &error), status::success) << error;
  for (const char* bad : {"send#0=ECONNRESET", "bogus=ECONNRESET", "bind=short:5", "send=EBOGUS",
                          "send", "receive=short:0", "create=forced_close", "send#3-2=reset"}) {
    error.clear();
    EXPECT_STATUS(faults::set_script(bad, &error), status::invalid_parameter) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  EXPECT_TRUE(faults::enabled()) << "a rejected script leaves the previous one installed";
  EXPECT_STATUS(faults::set_script(" send#1-2 = short:4 ; *#5+ = delay:3ms ;", &error),
                status::success)
      << error;
  EXPECT_STATUS(faults::set_script("", &error), status::success);
  EXPECT_FALSE(faults::enabled());
}

TEST(FaultScript, CodesGoThroughThePlatformTable) {
  bool known = false;
  EXPECT_STATUS(faults::status_for_code("ECONNRESET", &known), status::connection_reset);
  EXPECT_TRUE(known);
  EXPECT_STATUS(faults::status_for_code("WSAECONNRESET", &known), status::connection_reset);
  EXPECT_TRUE(known);
  EXPECT_STATUS(faults::status_for_code("EADDRNOTAVAIL", &known),
                status::invalid_address_component);
  (void)faults::status_for_code("ENOSUCHERROR", &known);
  EXPECT_FALSE(known);
}

// Run by its own ctest entry with WSKPORT_FAULTS set (tests/reliability/CMakeLists.txt).
TEST(FaultEnvironment, ScriptFromTheEnvironmentApplies) {
  const char* script = std::getenv("WSKPORT_FAULTS");  // NOLINT(concurrency-mt-unsafe)
  if (script == nullptr) GTEST_SKIP() << "WSKPORT_FAULTS is not set for this run";
  ASSERT_TRUE(faults::enabled()) << "WSKPORT_FAULTS=\"" << script << "\" was not installed";
  Harness h;
  ASSERT_TRUE(h.start(engine_under_test()));
  Outcome o;
  Socket s = h.create_raw(AddressFamily::ipv4, SocketType::stream, Protocol::tcp,
                          Category::connection, &o);
  EXPECT_FALSE(s) << "the environment's script fails the first create";
  EXPECT_COMPLETES_WITH(o, status::too_many_opened_files);
  h.finish();
  faults::clear();
}

}  // namespace
}  // namespace wskport::test
