// SPDX-License-Identifier: MIT
// Provider::start_timer and Provider::post: the provider's event loop offered as IRP
// calls (no Asio type in the public API). Every status the contract lists is provoked
// here; completions are counted by TestIrp and the harness checks nothing is left.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Timers do not depend on the address family: parametrised over the engine only.
class Timers : public ::testing::TestWithParam<std::string>, protected FixtureBase {
 protected:
  void SetUp() override { ASSERT_TRUE(h.start(GetParam())); }
  void TearDown() override { h.finish(); }

  NTSTATUS start(TestIrp& irp, std::chrono::nanoseconds delay) {
    return irp.issue([&](Irp* p) { return h.provider().start_timer(delay, p); });
  }
};

TEST_P(Timers, CompletesWithSuccessNoEarlierThanTheDelay) {
  TestIrp& t = h.irp("timer 30 ms");
  const auto before = Clock::now();
  EXPECT_STATUS(start(t, 30ms), status::pending);
  const Outcome o = t.wait();
  EXPECT_COMPLETES_WITH(o, status::success);
  EXPECT_EQ(o.information, 0U);
  // A lower bound only: the wait may run late on a loaded machine, never early.
  EXPECT_GE(Clock::now() - before, 30ms);
}

TEST_P(Timers, ZeroDelayStillCompletesAsynchronously) {
  TestIrp& t = h.irp("timer 0");
  EXPECT_STATUS(start(t, 0ns), status::pending);
  EXPECT_COMPLETES_WITH(t.wait(), status::success);
}

TEST_P(Timers, CompleteInDeadlineOrder) {
  const std::vector<std::chrono::milliseconds> delays{60ms, 10ms, 40ms, 0ms, 20ms, 50ms, 30ms};
  std::vector<TestIrp*> irps;
  for (auto d : delays) {
    irps.push_back(&h.irp("timer " + std::to_string(d.count()) + " ms"));
    EXPECT_STATUS(start(*irps.back(), d), status::pending);
  }
  std::vector<std::pair<std::chrono::milliseconds, std::uint64_t>> order;
  for (std::size_t i = 0; i < irps.size(); ++i) {
    const Outcome o = irps[i]->wait();
    ASSERT_COMPLETES_WITH(o, status::success) << irps[i]->name();
    order.emplace_back(delays[i], o.seq);
  }
  std::sort(order.begin(), order.end(), [](auto a, auto b) { return a.second < b.second; });
  for (std::size_t i = 1; i < order.size(); ++i) {
    EXPECT_LE(order[i - 1].first, order[i].first) << "a later deadline completed first";
  }
}

TEST_P(Timers, CancelEndsTheWait) {
  TestIrp& t = h.irp("timer 1 h");
  EXPECT_STATUS(start(t, 1h), status::pending);
  EXPECT_TRUE(t.cancel()) << "a waiting timer has a cancel routine";
  EXPECT_COMPLETES_WITH(t.wait(), status::cancelled);
  EXPECT_EQ(t.completion_count(), 1U);
}

TEST_P(Timers, TheLongestDelayDoesNotOverflow) {
  TestIrp& t = h.irp("timer max");
  EXPECT_STATUS(start(t, std::chrono::nanoseconds::max()), status::pending);
  TestIrp& soon = h.irp("timer 1 ms");
  EXPECT_STATUS(start(soon, 1ms), status::pending);
  EXPECT_COMPLETES_WITH(soon.wait(), status::success) << "an earlier timer behind max fires";
  t.cancel();
  EXPECT_COMPLETES_WITH(t.wait(), status::cancelled);
}

TEST_P(Timers, BadInputIsRefusedOrCompletedWithInvalidParameter) {
  EXPECT_STATUS(h.provider().start_timer(1ms, nullptr), status::invalid_parameter);
  EXPECT_STATUS(h.provider().post(nullptr), status::invalid_parameter);
  TestIrp& t = h.irp("negative delay");
  EXPECT_STATUS(start(t, -1ns), status::invalid_parameter);
  EXPECT_COMPLETES_WITH(t.wait(), status::invalid_parameter);
  TestIrp& busy = h.irp("timer still pending");
  EXPECT_STATUS(start(busy, 1h), status::pending);
  EXPECT_TRUE(busy.issue_refused([&](Irp* p) { return h.provider().start_timer(1ms, p); }));
  EXPECT_TRUE(busy.issue_refused([&](Irp* p) { return h.provider().post(p); }));
  busy.cancel();
  EXPECT_COMPLETES_WITH(busy.wait(), status::cancelled);
}

TEST_P(Timers, ShutdownForcesWaitingTimersAndRefusesNewOnes) {
  std::vector<TestIrp*> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(&h.irp("timer 1 h #" + std::to_string(i)));
    EXPECT_STATUS(start(*waiting.back(), 1h), status::pending);
  }
  h.provider().shutdown();
  for (TestIrp* t : waiting) EXPECT_COMPLETES_WITH(t->wait(), status::file_forced_closed);
  TestIrp& late = h.irp("timer after shutdown");
  EXPECT_STATUS(start(late, 1ms), status::file_forced_closed);
  TestIrp& posted = h.irp("post after shutdown");
  EXPECT_STATUS(posted.issue([&](Irp* p) { return h.provider().post(p); }),
                status::file_forced_closed);
}

TEST_P(Timers, PostRunsTheRoutineOnAProviderThread) {
  std::atomic<std::thread::id> ran_on{};
  TestIrp& p = h.irp("post");
  p.set_hook([&](TestIrp&, const Completion&) { ran_on = std::this_thread::get_id(); });
  EXPECT_STATUS(p.issue([&](Irp* irp) { return h.provider().post(irp); }), status::pending);
  EXPECT_COMPLETES_WITH(p.wait(), status::success);
  EXPECT_NE(ran_on.load(), std::this_thread::get_id());
}

// A routine that starts the next timer on its own IRP: the chain runs on the provider
// thread with no call left behind.
TEST_P(Timers, ARoutineRestartsItsOwnTimer) {
  constexpr int rounds = 50;
  TestIrp& t = h.irp("self-restarting timer");
  std::atomic<int> left{rounds - 1};
  t.set_hook([&](TestIrp& self, const Completion& c) {
    if (c.status == status::success && left.fetch_sub(1) > 0) start(self, 0ns);
  });
  EXPECT_STATUS(start(t, 0ns), status::pending);
  ASSERT_TRUE(t.wait_completions(rounds)) << t.completions() << " of " << rounds;
  EXPECT_TRUE(t.settled());
  for (const auto& c : t.history()) EXPECT_STATUS(c.status, status::success);
}

// Cancels racing expiries: each IRP completes exactly once, success or cancelled.
TEST_P(Timers, CancelRacingExpiryCompletesOnce) {
  constexpr int count = 300;
  std::vector<TestIrp*> irps;
  std::mt19937 rng(7);
  for (int i = 0; i < count; ++i) {
    irps.push_back(&h.irp("racing timer #" + std::to_string(i)));
    EXPECT_STATUS(start(*irps.back(), std::chrono::microseconds(rng() % 2000)), status::pending);
  }
  std::thread canceller([&] {
    for (TestIrp* t : irps) {
      t->cancel();
      std::this_thread::yield();
    }
  });
  canceller.join();
  int cancelled = 0;
  for (TestIrp* t : irps) {
    const Outcome o = t->wait();
    ASSERT_TRUE(o.completed && o.violation.empty()) << describe(o);
    EXPECT_TRUE(o.status == status::success || o.status == status::cancelled) << describe(o);
    cancelled += o.status == status::cancelled ? 1 : 0;
    EXPECT_EQ(t->completion_count(), 1U) << t->name();
  }
  RecordProperty("cancelled", cancelled);
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Timers);
INSTANTIATE_TEST_SUITE_P(Providers, Timers, ::testing::ValuesIn(engine_params()),
                         engine_param_name);

}  // namespace
}  // namespace wskport::test
