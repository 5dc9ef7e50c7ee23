// SPDX-License-Identifier: MIT
// No heap allocation per send or receive in steady state. This binary replaces the
// global operator new with one that counts, runs 64-byte echo round trips over loopback
// with reused IRPs whose completion routines chain the next call (the shape of a WSK
// driver and of samples/echo_server.cpp), and asserts that after a warm-up not one
// allocation happens over 10,000 round trips (40,000 operations). A count, not a time.
#include <gtest/gtest.h>
#include <wskport/address.hpp>
#include <wskport/irp.hpp>
#include <wskport/provider.hpp>
#include <wskport/socket.hpp>
#include <wskport/status.hpp>
#include <wskport/waitable_irp.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "counting_new.hpp"

namespace {

namespace wsk = wskport;
using namespace std::chrono_literals;

constexpr std::size_t message_size = 64;
constexpr std::uint64_t warmup_round_trips = 200;
constexpr std::uint64_t measured_round_trips = 10'000;
constexpr auto bound = 60s;  // generous: the sanitizer builds are slow, nothing is timed

// Runs one setup or teardown call to completion with a bounded wait.
template <class Call>
wsk::NTSTATUS run(wsk::WaitableIrp& irp, Call call) {
  irp.arm();
  const wsk::NTSTATUS returned = call(&irp);
  if (returned != wsk::status::pending) return returned;
  if (!irp.wait_for(bound)) {
    irp.cancel();
    if (!irp.wait_for(bound)) std::abort();  // a pending IRP must not be destroyed
  }
  return irp.IoStatus.Status;
}

// The accepted side: receive -> send the same bytes -> receive ...
struct EchoSide {
  wsk::Socket socket;
  wsk::Irp receive_irp{&EchoSide::on_received, this};
  wsk::Irp send_irp{&EchoSide::on_sent, this};
  std::atomic<wsk::NTSTATUS> failure{wsk::status::success};
  char buffer[4096];

  void receive() { socket.receive(buffer, sizeof buffer, 0, &receive_irp); }
  static void on_received(wsk::Irp& irp, void* context) {
    auto& self = *static_cast<EchoSide*>(context);
    if (irp.IoStatus.Status != wsk::status::success || irp.IoStatus.Information == 0) {
      if (irp.IoStatus.Status != wsk::status::cancelled) self.failure = irp.IoStatus.Status;
      return;  // the peer closed, or teardown
    }
    self.socket.send(self.buffer, irp.IoStatus.Information, 0, &self.send_irp);
  }
  static void on_sent(wsk::Irp& irp, void* context) {
    auto& self = *static_cast<EchoSide*>(context);
    if (irp.IoStatus.Status != wsk::status::success) {
      self.failure = irp.IoStatus.Status;
      return;
    }
    self.receive();
  }
};

// The client side: send 64 bytes -> receive all 64 back -> send ...; it takes the
// allocation snapshots, on the provider thread, between two round trips.
struct PingSide {
  wsk::Socket socket;
  wsk::Irp send_irp{&PingSide::on_sent, this};
  wsk::Irp receive_irp{&PingSide::on_received, this};
  char out[message_size];
  char in[message_size];
  std::size_t got = 0;
  std::uint64_t round_trips = 0;
  std::uint64_t allocations_at_warmup = 0;
  std::uint64_t allocations_at_end = 0;
  wsk::NTSTATUS failure = wsk::status::success;
  std::mutex mutex;
  std::condition_variable cv;
  bool finished = false;

  void send() { socket.send(out, sizeof out, 0, &send_irp); }
  void finish(wsk::NTSTATUS st) {
    std::lock_guard lock(mutex);
    failure = st;
    finished = true;
    cv.notify_all();
  }
  static void on_sent(wsk::Irp& irp, void* context) {
    auto& self = *static_cast<PingSide*>(context);
    if (irp.IoStatus.Status != wsk::status::success) return self.finish(irp.IoStatus.Status);
    self.got = 0;
    self.socket.receive(self.in, sizeof self.in, 0, &self.receive_irp);
  }
  static void on_received(wsk::Irp& irp, void* context) {
    auto& self = *static_cast<PingSide*>(context);
    if (irp.IoStatus.Status != wsk::status::success || irp.IoStatus.Information == 0) {
      return self.finish(irp.IoStatus.Status == wsk::status::success ? wsk::status::unsuccessful
                                                                     : irp.IoStatus.Status);
    }
    self.got += irp.IoStatus.Information;
    if (self.got < message_size) {
      self.socket.receive(self.in + self.got, message_size - self.got, 0, &self.receive_irp);
      return;
    }
    ++self.round_trips;
    if (self.round_trips == warmup_round_trips) {
      self.allocations_at_warmup = allocations_so_far();
    }
    if (self.round_trips == warmup_round_trips + measured_round_trips) {
      self.allocations_at_end = allocations_so_far();
      return self.finish(wsk::status::success);
    }
    self.send();
  }
};

// Where the counter test's blocks escape to: a new-expression whose result goes nowhere
// may be elided (C++14 [expr.new]/10), and Clang at -O2 does elide it.
void* volatile g_escape = nullptr;

// The counter itself: a test that cannot fail would prove nothing.
TEST(CountingNew, CountsEveryAllocation) {
  const std::uint64_t before = allocations_so_far();
  auto p = std::make_unique<int>(7);
  g_escape = p.get();
  auto q = std::make_unique<char[]>(100);
  g_escape = q.get();
  EXPECT_EQ(allocations_so_far() - before, 2U);
  EXPECT_EQ(*p, 7);
  q[0] = 1;
}

// Every engine this host runs, each family: zero allocations is every engine's promise.
class SteadyStateAllocation
    : public ::testing::TestWithParam<std::tuple<std::string, wsk::AddressFamily>> {};

TEST_P(SteadyStateAllocation, NoAllocationPerSendOrReceive) {
  const wsk::AddressFamily family = std::get<1>(GetParam());
  const std::string engine = std::get<0>(GetParam());
  wsk::ProviderOptions options;
  options.threads = 1;
  options.backend = engine;
  wsk::NTSTATUS st = wsk::status::success;
  auto provider = wsk::Provider::create(options, &st);
  ASSERT_NE(provider, nullptr) << st;

  const bool v6 = family == wsk::AddressFamily::ipv6;
  const wsk::Address loopback = v6 ? wsk::Address::ipv6_loopback() : wsk::Address::ipv4_loopback();
  const wsk::Address any = v6 ? wsk::Address::ipv6_any() : wsk::Address::ipv4_any();
  wsk::WaitableIrp irp;
  auto create = [&](wsk::Category category, wsk::Socket& out) {
    const auto s = run(irp, [&](wsk::Irp* i) {
      return provider->create_socket(family, wsk::SocketType::stream, wsk::Protocol::tcp, category,
                                     i);
    });
    if (s == wsk::status::success) out = provider->socket_from(irp.IoStatus.Information);
    return s;
  };

  wsk::Socket listener;
  wsk::Socket client;
  ASSERT_EQ(create(wsk::Category::listen, listener), wsk::status::success);
  st = run(irp, [&](wsk::Irp* i) { return listener.bind(loopback, i); });
  if (v6 && st != wsk::status::success) {
    run(irp, [&](wsk::Irp* i) { return listener.close(i); });
    GTEST_SKIP() << "no IPv6 loopback on this host: bind [::1] gave " << st;
  }
  ASSERT_EQ(st, wsk::status::success);
  wsk::Address server_address;
  ASSERT_EQ(run(irp, [&](wsk::Irp* i) { return listener.local_address(&server_address, i); }),
            wsk::status::success);
  ASSERT_EQ(create(wsk::Category::connection, client), wsk::status::success);
  ASSERT_EQ(run(irp, [&](wsk::Irp* i) { return client.bind(any, i); }), wsk::status::success);

  wsk::WaitableIrp accept_irp;
  wsk::Address accepted_local;
  wsk::Address accepted_remote;
  accept_irp.arm();
  const wsk::NTSTATUS accept_returned =
      listener.accept(&accepted_local, &accepted_remote, &accept_irp);
  ASSERT_EQ(run(irp, [&](wsk::Irp* i) { return client.connect(server_address, i); }),
            wsk::status::success);
  if (accept_returned == wsk::status::pending) {
    ASSERT_TRUE(accept_irp.wait_for(bound));
  }
  ASSERT_EQ(accept_irp.IoStatus.Status, wsk::status::success);

  auto echo = std::make_unique<EchoSide>();
  auto ping = std::make_unique<PingSide>();
  echo->socket = provider->socket_from(accept_irp.IoStatus.Information);
  ping->socket = client;
  std::memset(ping->out, 'a', sizeof ping->out);
  echo->receive();
  ping->send();
  {
    std::unique_lock lock(ping->mutex);
    ASSERT_TRUE(ping->cv.wait_for(lock, bound, [&] { return ping->finished; }))
        << "round trips done: " << ping->round_trips;
  }
  EXPECT_EQ(ping->failure, wsk::status::success);
  EXPECT_EQ(echo->failure.load(), wsk::status::success);
  EXPECT_EQ(ping->round_trips, warmup_round_trips + measured_round_trips);
  const std::uint64_t allocations = ping->allocations_at_end - ping->allocations_at_warmup;
  EXPECT_EQ(allocations, 0U) << allocations << " allocation(s) over " << measured_round_trips
                             << " round trips (" << 4 * measured_round_trips
                             << " sends and receives)";
  // Each IRP completed once per call: 2 per round trip on either side, + the warm-up.
  EXPECT_EQ(ping->send_irp.completion_count(), ping->round_trips);

  // Teardown: closing the client ends the echo side's pending receive (0 bytes or
  // reset); close cancels anything left; then nothing may be outstanding.
  EXPECT_EQ(run(irp, [&](wsk::Irp* i) { return client.close(i); }), wsk::status::success);
  EXPECT_EQ(run(irp, [&](wsk::Irp* i) { return echo->socket.close(i); }), wsk::status::success);
  EXPECT_EQ(run(irp, [&](wsk::Irp* i) { return listener.close(i); }), wsk::status::success);
  EXPECT_FALSE(echo->receive_irp.is_pending());
  EXPECT_FALSE(echo->send_irp.is_pending());
  EXPECT_FALSE(ping->receive_irp.is_pending());
  // The funnel drops its counts just after the routine that woke us returns: poll.
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while ((provider->outstanding_irps() != 0 || provider->open_sockets() != 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(provider->outstanding_irps(), 0U);
  EXPECT_EQ(provider->open_sockets(), 0U);
  // Checked only now: an echo's send may complete after the client has its reply (on
  // Windows the completion packet comes through the port after the data is delivered).
  EXPECT_EQ(echo->send_irp.completion_count(), ping->round_trips);
  provider.reset();
}

std::vector<std::string> engines() {
  std::vector<std::string> out;
  for (const std::string_view b : wsk::available_backends()) out.emplace_back(b);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Engines, SteadyStateAllocation,
                         ::testing::Combine(::testing::ValuesIn(engines()),
                                            ::testing::Values(wsk::AddressFamily::ipv4,
                                                              wsk::AddressFamily::ipv6)),
                         [](const auto& info) {
                           return std::get<0>(info.param) +
                                  (std::get<1>(info.param) == wsk::AddressFamily::ipv4 ? "_IPv4"
                                                                                       : "_IPv6");
                         });

}  // namespace
