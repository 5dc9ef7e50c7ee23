// SPDX-License-Identifier: MIT
// The hook mechanism on its own: connection_post_bind's C functions and the C++ chain
// behind them. Order (_first before _last, Momentum's rule), the first non-zero return
// stopping the chain, no hooks, unregistration (also from inside a provider, and
// concurrently with calls: after it returns the provider never runs again).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "wskport/address.hpp"
#include "wskport/connection/hooks.hpp"
#include "wskport/momentum/hooks/core/connection_post_bind.h"

namespace {

using wskport::hooks::Position;
using wskport::hooks::PostBindContext;

// Each C provider appends its letter to the log its closure points to, then returns
// the value stored after the letter ('A' returns results['A']...).
struct Log {
  std::mutex mutex;
  std::string order;
  std::array<int, 128> results{};
};

int record(void* closure, domain_record* /*dr*/, int /*slot*/, int /*fd*/, sockaddr* /*addr*/,
           int /*len*/, char letter) {
  auto* log = static_cast<Log*>(closure);
  std::lock_guard lock(log->mutex);
  log->order.push_back(letter);
  return log->results[static_cast<unsigned char>(letter)];
}

int hook_a(void* c, domain_record* dr, int s, int fd, sockaddr* a, int l) {
  return record(c, dr, s, fd, a, l, 'A');
}
int hook_b(void* c, domain_record* dr, int s, int fd, sockaddr* a, int l) {
  return record(c, dr, s, fd, a, l, 'B');
}
int hook_c(void* c, domain_record* dr, int s, int fd, sockaddr* a, int l) {
  return record(c, dr, s, fd, a, l, 'C');
}
int hook_d(void* c, domain_record* dr, int s, int fd, sockaddr* a, int l) {
  return record(c, dr, s, fd, a, l, 'D');
}

class PostBindHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(has_core_connection_post_bind_hook(), 0)
        << "a provider from an earlier test is still registered";
  }
  void TearDown() override {
    for (auto f : {hook_a, hook_b, hook_c, hook_d}) {
      while (unregister_core_connection_post_bind_hook(f, &log_) == 1) {
      }
    }
    EXPECT_EQ(has_core_connection_post_bind_hook(), 0);
  }
  int call() { return call_core_connection_post_bind_hook(nullptr, 3, 42, nullptr, 0); }
  Log log_;
};

TEST_F(PostBindHookTest, NoHooksMeansNothingToCallAndZero) {
  EXPECT_EQ(has_core_connection_post_bind_hook(), 0);
  EXPECT_EQ(call(), 0);
  EXPECT_TRUE(wskport::hooks::connection_post_bind().empty());
}

TEST_F(PostBindHookTest, FirstGoesAheadOfAllLastGoesBehindAll) {
  register_core_connection_post_bind_hook_last(hook_a, &log_);
  register_core_connection_post_bind_hook_first(hook_b, &log_);
  register_core_connection_post_bind_hook_first(hook_c, &log_);
  register_core_connection_post_bind_hook_last(hook_d, &log_);
  EXPECT_EQ(has_core_connection_post_bind_hook(), 1);
  EXPECT_EQ(call(), 0);
  EXPECT_EQ(log_.order, "CBAD");
}

TEST_F(PostBindHookTest, CAndCppProvidersShareOneChainAndOneOrder) {
  std::string seen;
  register_core_connection_post_bind_hook_last(hook_a, &log_);
  auto first = wskport::hooks::register_post_bind_first([&](const PostBindContext& c) {
    seen +=
        "cpp-first(slot " + std::to_string(c.binding_slot) + ", fd " + std::to_string(c.fd) + ")";
    std::lock_guard lock(log_.mutex);
    log_.order.push_back('1');
    return 0;
  });
  auto last = wskport::hooks::register_post_bind_last([&](const PostBindContext&) {
    std::lock_guard lock(log_.mutex);
    log_.order.push_back('9');
    return 0;
  });
  EXPECT_EQ(call(), 0);
  EXPECT_EQ(log_.order, "1A9");
  EXPECT_EQ(seen, "cpp-first(slot 3, fd 42)");
  first.reset();
  last.reset();
  log_.order.clear();
  EXPECT_EQ(call(), 0);
  EXPECT_EQ(log_.order, "A");
}

TEST_F(PostBindHookTest, FirstNonZeroReturnStopsTheChainAndIsReturned) {
  register_core_connection_post_bind_hook_last(hook_a, &log_);
  register_core_connection_post_bind_hook_last(hook_b, &log_);
  register_core_connection_post_bind_hook_last(hook_c, &log_);
  log_.results['B'] = 7;
  log_.results['C'] = 9;
  EXPECT_EQ(call(), 7);
  EXPECT_EQ(log_.order, "AB");
}

TEST_F(PostBindHookTest, UnregisterRemovesTheFirstMatchingRegistrationOnly) {
  Log other;
  register_core_connection_post_bind_hook_last(hook_a, &log_);
  register_core_connection_post_bind_hook_last(hook_a, &other);
  register_core_connection_post_bind_hook_last(hook_a, &log_);
  EXPECT_EQ(unregister_core_connection_post_bind_hook(hook_b, &log_), 0) << "never registered";
  EXPECT_EQ(unregister_core_connection_post_bind_hook(hook_a, &log_), 1);
  EXPECT_EQ(call(), 0);
  EXPECT_EQ(log_.order, "A") << "the second (hook_a, log) registration still runs";
  EXPECT_EQ(other.order, "A");
  EXPECT_EQ(unregister_core_connection_post_bind_hook(hook_a, &other), 1);
  EXPECT_EQ(unregister_core_connection_post_bind_hook(hook_a, &log_), 1);
  EXPECT_EQ(has_core_connection_post_bind_hook(), 0);
}

TEST_F(PostBindHookTest, NullProvidersAreIgnored) {
  register_core_connection_post_bind_hook_first(nullptr, &log_);
  register_core_connection_post_bind_hook_last(nullptr, &log_);
  EXPECT_EQ(has_core_connection_post_bind_hook(), 0);
}

// A provider that removes itself: the removal must not wait for its own invocation.
int self_removing(void* closure, domain_record*, int, int, sockaddr*, int) {
  auto* calls = static_cast<int*>(closure);
  ++*calls;
  return unregister_core_connection_post_bind_hook(self_removing, closure) == 1 ? 0 : 1;
}

TEST_F(PostBindHookTest, AProviderMayUnregisterItselfDuringACall) {
  int calls = 0;
  register_core_connection_post_bind_hook_last(self_removing, &calls);
  register_core_connection_post_bind_hook_last(hook_a, &log_);
  EXPECT_EQ(call(), 0);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(log_.order, "A") << "the rest of the chain still ran";
  EXPECT_EQ(call(), 0);
  EXPECT_EQ(calls, 1) << "removed: not called again";
}

TEST_F(PostBindHookTest, CallFromCGivesCppProvidersTheDestinationAsAnAddress) {
  const auto dest = wskport::Address::ipv6_loopback(2525);
  alignas(std::max_align_t) unsigned char native[wskport::Address::max_native_size];
  const auto length = dest.to_native(native, sizeof native);
  ASSERT_GT(length, 0U);
  PostBindContext seen;
  auto reg = wskport::hooks::register_post_bind_last([&](const PostBindContext& c) {
    seen = c;
    return 0;
  });
  EXPECT_EQ(call_core_connection_post_bind_hook(nullptr, 5, 77, reinterpret_cast<sockaddr*>(native),
                                                static_cast<int>(length)),
            0);
  EXPECT_EQ(seen.binding_slot, 5);
  EXPECT_EQ(seen.fd, 77);
  EXPECT_EQ(seen.handle, 77);
  EXPECT_EQ(seen.socket, nullptr) << "no wskport socket when called through the C function";
  EXPECT_EQ(seen.destination, dest);
  EXPECT_EQ(seen.native_length, static_cast<int>(length));
}

// Many threads call the chain while providers come and go. After unregister returns,
// the removed provider must never run again (its closure may be freed).
struct Guarded {
  std::atomic<bool> removed{false};
  std::atomic<int> calls{0};
  std::atomic<int> late_calls{0};
};

int guarded_hook(void* closure, domain_record*, int, int, sockaddr*, int) {
  auto* g = static_cast<Guarded*>(closure);
  if (g->removed.load()) g->late_calls.fetch_add(1);
  g->calls.fetch_add(1);
  return 0;
}

TEST_F(PostBindHookTest, ConcurrentCallsNeverRunAProviderAfterItsRemovalReturned) {
  constexpr int rounds = 200;
  std::atomic<bool> stop{false};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      while (!stop.load()) (void)call();
    });
  }
  std::vector<std::unique_ptr<Guarded>> all;
  for (int i = 0; i < rounds; ++i) {
    all.push_back(std::make_unique<Guarded>());
    Guarded* g = all.back().get();
    if (i % 2 == 0) {
      register_core_connection_post_bind_hook_first(guarded_hook, g);
    } else {
      register_core_connection_post_bind_hook_last(guarded_hook, g);
    }
    std::this_thread::yield();
    ASSERT_EQ(unregister_core_connection_post_bind_hook(guarded_hook, g), 1);
    g->removed.store(true);
  }
  stop.store(true);
  for (auto& t : callers) t.join();
  int late = 0;
  for (const auto& g : all) late += g->late_calls.load();
  EXPECT_EQ(late, 0);
}

TEST(HookPointTest, GenericTemplateKeepsMomentumOrderAndVetoSemantics) {
  wskport::hooks::HookPoint<int, std::string*> point;
  EXPECT_TRUE(point.empty());
  auto tag = [](char c, int result) {
    return [c, result](int, std::string* out) {
      out->push_back(c);
      return result;
    };
  };
  const auto a = point.add(Position::last, tag('a', 0));
  const auto b = point.add(Position::first, tag('b', 0));
  const auto c = point.add(Position::last, tag('c', 4));
  const auto d = point.add(Position::last, tag('d', 0));
  std::string out;
  EXPECT_EQ(point.call(1, &out), 4);
  EXPECT_EQ(out, "bac");
  EXPECT_TRUE(point.remove(c));
  EXPECT_FALSE(point.remove(c));
  out.clear();
  EXPECT_EQ(point.call(1, &out), 0);
  EXPECT_EQ(out, "bad");
  EXPECT_EQ(point.size(), 3U);
  for (auto id : {a, b, d}) EXPECT_TRUE(point.remove(id));
  EXPECT_TRUE(point.empty());
}

}  // namespace
