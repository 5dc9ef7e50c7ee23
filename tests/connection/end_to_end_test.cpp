// SPDX-License-Identifier: MIT
// End to end: 10,000 initiate/close cycles against a local server that accepts and
// closes (every socket, IRP and connection object must be gone at the end: the fixture
// checks the provider's counts, the sanitizer builds check memory); and the C scenario
// of c_api_test.c, run against servers made here, since the C API has no sockets of
// its own.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "conn_fixture.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/momentum/hooks/core/connection_post_bind.h"
#include "wskport/provider.hpp"

// Defined in c_api_test.c (compiled as C).
extern "C" int wskport_c_api_scenario(unsigned short good_port, unsigned short refused_port,
                                      char* message, std::size_t message_size);

namespace wskport::conntest {
namespace {

using connection::MxHost;

using CyclesTest = ConnectionTest;

TEST_F(CyclesTest, TenThousandInitiateCloseCyclesLeaveNothingBehind) {
  constexpr int cycles = 10000;
  Server& srv = server(v4("127.0.0.1"));
  const auto domain = resolved_domain("cycles.test", {MxHost{"127.0.0.1", 0, srv.port()}});
  const int slot = manager_->add_binding("vip", v4("127.0.0.2"));

  // One outcome object reused by every cycle: the callback bumps a counter.
  std::mutex m;
  std::condition_variable cv;
  int done = 0;
  int connected = 0;
  connection::ConnectCallbacks callbacks;
  callbacks.finish = [&](connection::Connection c) {
    std::lock_guard lock(m);
    ++done;
    connected += c.connected() ? 1 : 0;
    cv.notify_all();
  };
  callbacks.timeout = callbacks.finish;

  int failures = 0;

  for (int i = 0; i < cycles && failures < 5; ++i) {
    auto r = manager_->initiate(domain, slot, callbacks);
    if (!r) {
      ADD_FAILURE() << "cycle " << i << ": " << connection::error_name(r.code);
      ++failures;
      continue;
    }
    {
      std::unique_lock lock(m);
      if (!cv.wait_for(lock, bound, [&] { return done > i - failures; })) {
        ADD_FAILURE() << "cycle " << i << ": no callback within the bound";
        ++failures;
      }
    }
    r.handle.close();
  }
  EXPECT_EQ(failures, 0);
  {
    std::lock_guard lock(m);
    EXPECT_EQ(done, cycles);
    EXPECT_EQ(connected, cycles);
  }
  EXPECT_TRUE(wait_until([&] { return manager_->live_connections() == 0; }, bound))
      << manager_->live_connections() << " connection objects left";
  EXPECT_EQ(domain.open_connections(), 0U);
  EXPECT_EQ(manager_->binding_slot(slot)->open_connections, 0U);
  servers_.clear();
  EXPECT_TRUE(wait_until(
      [&] { return provider_->open_sockets() == 0 && provider_->outstanding_irps() == 0; }, bound))
      << provider_->open_sockets() << " sockets, " << provider_->outstanding_irps() << " IRPs left";
}

TEST(CApiTest, TheSeedHeadersCompileAsCAndDriveAConnection) {
  ASSERT_EQ(has_core_connection_post_bind_hook(), 0);
  auto provider = Provider::create();
  ASSERT_TRUE(provider);
  {
    Server good(*provider, v4("127.0.0.1"), Server::Mode::accepting);
    Refuser refused(*provider, v4("127.0.0.1"));
    ASSERT_TRUE(good.ok() && refused.ok());
    char message[512] = "";
    EXPECT_EQ(wskport_c_api_scenario(good.port(), refused.port(), message, sizeof message), 0)
        << message;
  }
  EXPECT_EQ(has_core_connection_post_bind_hook(), 0);
  EXPECT_TRUE(wait_until([&] { return provider->open_sockets() == 0; }, bound));
}

}  // namespace
}  // namespace wskport::conntest
