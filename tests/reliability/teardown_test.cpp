// SPDX-License-Identifier: MIT
// Teardown ordering and the cancel that races its own call.
//
// Provider::shutdown under load: 100 connected loopback pairs with receives and large
// sends pending; every pending IRP completes STATUS_FILE_FORCED_CLOSED before shutdown
// returns (it once closed the sockets one by one, and the first one's reset reached its
// peer's pending call as STATUS_CONNECTION_RESET). A few rounds here; the soak test runs
// a thousand.
//
// Irp::cancel() issued the moment the IRP turns pending, while the call that accepted it
// is still on its way in: the cancel must be honoured (it was once wiped by the call's
// own reset of the cancel flag, and the IRP then waited for its operation).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "reliability/reliability_support.hpp"
#include "reliability/teardown_load.hpp"
#include "support/platform.hpp"

namespace wskport::test {
namespace {

using Clock = std::chrono::steady_clock;

class Teardown : public ::testing::TestWithParam<AddressFamily> {
 protected:
  void SetUp() override {
    if (GetParam() == AddressFamily::ipv6 && !platform::ipv6_loopback_available()) {
      GTEST_SKIP() << "IPv6 loopback (::1) is not available on this host";
    }
  }
};

TEST_P(Teardown, ShutdownUnderLoadForcesEveryPendingIrp) {
  // Bounded by count and by time: at least one round, at most 10 or 5 s worth.
  const std::vector<std::uint8_t> big(32U << 20U, 0x5a);
  const auto stop = Clock::now() + std::chrono::seconds(5);
  int rounds = 0;
  for (; rounds < 10 && (rounds == 0 || Clock::now() < stop); ++rounds) {
    const std::string why = shutdown_round(GetParam(), TeardownLoad{}, big);
    ASSERT_EQ(why, "") << "round " << rounds;
  }
  RecordProperty("rounds", rounds);
}

// One helper thread cancels each IRP as soon as it sees it pending; the submitting
// thread issues a receive that can only end by that cancel (no data ever comes).
TEST_P(Teardown, CancelRacingTheSubmittingCallIsHonoured) {
  auto p = Provider::create();
  ASSERT_TRUE(p);
  Socket listener;
  Socket client;
  Socket server;
  ASSERT_TRUE(open_pair(*p, GetParam(), listener, client, server));

  TestIrp irp("receive");
  std::atomic<int> round{0};
  std::atomic<int> gave_up{0};  // the last round whose IRP the canceller never saw pending
  std::atomic<bool> quit{false};
  std::thread canceller([&] {
    int seen = 0;
    while (!quit.load(std::memory_order_acquire)) {
      if (round.load(std::memory_order_acquire) == seen) {
        std::this_thread::yield();
        continue;
      }
      ++seen;
      // Tight at first (the window is a few instructions), then yielding, bounded by
      // time: the submitting thread may be preempted on a loaded machine.
      bool pending = false;
      const auto until = Clock::now() + std::chrono::seconds(2);
      for (unsigned spin = 0; !(pending = irp.is_pending()); ++spin) {
        if (spin < 100'000) continue;
        if (Clock::now() > until) break;
        std::this_thread::yield();
      }
      if (pending) {
        (void)irp.cancel();
      } else {
        gave_up.store(seen, std::memory_order_release);
      }
    }
  });
  std::array<std::uint8_t, 16> buffer{};
  const auto stop = Clock::now() + std::chrono::milliseconds(1500);
  int rounds = 0;
  int lost = 0;
  for (; rounds < 20'000 && Clock::now() < stop; ++rounds) {
    round.fetch_add(1, std::memory_order_release);
    (void)irp.issue([&](Irp* x) { return client.receive(buffer.data(), buffer.size(), 0, x); });
    Outcome o = irp.wait(std::chrono::seconds(3));
    if (!o.completed && gave_up.load(std::memory_order_acquire) == rounds + 1) {
      // The canceller never saw this IRP pending (not the race under test): end it.
      (void)irp.cancel();
      o = irp.wait();
    }
    if (!o.completed) {
      ++lost;
      break;  // the close below ends it
    }
    ASSERT_COMPLETES_WITH(o, status::cancelled) << "round " << rounds;
  }
  quit.store(true, std::memory_order_release);
  canceller.join();
  EXPECT_EQ(lost, 0) << "a cancel issued once the IRP was pending was lost (round " << rounds
                     << "): the receive waited for data that never comes";
  EXPECT_TRUE(close_socket(client));
  EXPECT_TRUE(irp.wait_completions(irp.calls()));
  EXPECT_TRUE(close_socket(server));
  EXPECT_TRUE(close_socket(listener));
  RecordProperty("rounds", rounds);
}

INSTANTIATE_TEST_SUITE_P(Families, Teardown,
                         ::testing::Values(AddressFamily::ipv4, AddressFamily::ipv6),
                         [](const ::testing::TestParamInfo<AddressFamily>& info) {
                           return std::string(info.param == AddressFamily::ipv4 ? "IPv4" : "IPv6");
                         });

}  // namespace
}  // namespace wskport::test
