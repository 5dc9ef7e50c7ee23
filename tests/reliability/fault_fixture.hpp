// SPDX-License-Identifier: MIT
// The fault-injection fixture: the conformance harness (counted IRPs, bounded waits,
// teardown checks) over each provider and IP family, with a fault script installed
// before the provider is created (only then is it wrapped) and removed afterwards.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "support/conformance_fixture.hpp"
#include "wskport/fault_injection.hpp"

namespace wskport::test {

class Faults : public ::testing::TestWithParam<ProviderParam>, protected FixtureBase {
 protected:
  void SetUp() override {
    if (GetParam().family == AddressFamily::ipv6 && !platform::ipv6_loopback_available()) {
      GTEST_SKIP() << "IPv6 loopback (::1) is not available on this host";
    }
    faults::clear();
  }
  void TearDown() override {
    if (started_) h.finish();
    faults::clear();
  }

  /// Installs @p script, then creates the provider under test.
  void start(std::string_view script) {
    std::string error;
    ASSERT_STATUS(faults::set_script(script, &error), status::success) << error;
    ASSERT_TRUE(h.start(GetParam().engine));
    started_ = true;
  }

  [[nodiscard]] AddressFamily family() const { return GetParam().family; }
  [[nodiscard]] Address loopback() const {
    return family() == AddressFamily::ipv6 ? Address::ipv6_loopback(0) : Address::ipv4_loopback(0);
  }
  ScopedSocket make(Category category) {
    return FixtureBase::make(family(), category, SocketType::stream, Protocol::tcp);
  }
  void make_pair(Pair& p) { FixtureBase::make_pair(p, loopback(), loopback()); }

  /// The status the platform's table gives @p code; fails the test if unknown.
  static NTSTATUS expected(std::string_view code) {
    bool known = false;
    const NTSTATUS st = faults::status_for_code(code, &known);
    EXPECT_TRUE(known) << code << " is not in this platform's error table";
    return st;
  }

  /// Sends @p size pattern bytes (offset @p offset) from @p from; returns the outcome.
  Outcome send_pattern(ScopedSocket& from, std::size_t size, std::uint64_t offset = 0) {
    auto& data = h.buffer(size);
    fill_pattern(data, offset);
    return from.send(data.data(), data.size());
  }

  /// The peer of a connection reset underneath it: its next receive completes with
  /// connection_reset. Wine reports a reset that arrived while no receive was pending
  /// as a graceful close (0 bytes) instead, as the conformance suite notes; there the
  /// end of the connection is what can be checked.
  void expect_peer_sees_reset(ScopedSocket& peer) {
    auto& buf = h.buffer(8);
    const Outcome o = peer.receive(buf.data(), buf.size());
    if (platform::running_under_wine()) {
      EXPECT_OK(o) << "Wine: a reset reads as a graceful close";
      EXPECT_EQ(o.information, 0U);
    } else {
      EXPECT_COMPLETES_WITH(o, status::connection_reset);
    }
  }

  bool started_ = false;
};

}  // namespace wskport::test
