// SPDX-License-Identifier: MIT
// The fixture of the peer-behaviour tests (tests/conformance/peer_*_test.cpp): a library
// connection socket whose far end is a raw native socket (support/raw_peer.hpp) that the
// test drives, over each backend and IPv4/IPv6 like every conformance fixture.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "support/conformance_fixture.hpp"
#include "support/raw_peer.hpp"

namespace wskport::test {

/// Why a peer test skips under Wine, and only when it read Wine's 0 bytes.
inline constexpr const char* wine_reset_as_eof =
    "Wine reports a reset (RST) that arrived while no call was pending as a graceful "
    "close (0 bytes) to the next receive; Windows reports WSAECONNRESET (README, Windows; "
    "docs/reliability.md, Peer behaviour)";

class PeerConformance : public Conformance {
 protected:
  raw::NetStartup net_;
  ScopedSocket lib_;     ///< this side: a library connection socket
  raw::RawSocket peer_;  ///< the far end, after connect_to_peer

  void TearDown() override {
    // Before the harness checks that every socket was closed.
    if (lib_) {
      EXPECT_OK(lib_.close());
    }
    peer_.close();
    Conformance::TearDown();
  }

  /// True under Wine when @p o is the 0-byte success Wine gives for a reset that came
  /// while no call was pending (see wine_reset_as_eof).
  static bool wine_read_eof(const Outcome& o) {
    return platform::running_under_wine() && o.completed && o.status == status::success &&
           o.information == 0;
  }

  /// A raw listener on loopback with a small receive buffer (inherited by what it
  /// accepts), so that a library send to a peer that does not read soon waits.
  raw::RawSocket raw_listener(int backlog) {
    auto l = raw::RawSocket::open(family(), /*stream=*/true);
    EXPECT_TRUE(l.valid()) << "raw socket: error " << raw::last_error();
    EXPECT_TRUE(l.set_receive_buffer(16 * 1024));
    EXPECT_TRUE(l.bind(loopback())) << "raw bind: error " << raw::last_error();
    EXPECT_TRUE(l.listen(backlog)) << "raw listen: error " << raw::last_error();
    return l;
  }

  /// Connects lib_ to a raw peer_.
  void connect_to_peer() {
    raw::RawSocket listener = raw_listener(4);
    ASSERT_TRUE(listener.valid());
    lib_ = make(Category::connection);
    ASSERT_TRUE(lib_);
    ASSERT_OK(lib_.bind(loopback()));
    ASSERT_OK(lib_.connect(listener.local_address()));
    peer_ = listener.accept(default_bound);
    ASSERT_TRUE(peer_.valid()) << "the raw listener accepted nothing";
  }

  /// Issues a send of @p size pattern bytes (@p seed) on lib_ and checks that it waits
  /// (the peer is not reading).
  TestIrp& pending_send(std::size_t size, std::uint32_t seed = 0) {
    auto& src = h.buffer(size);
    fill_pattern(src, 0, seed);
    TestIrp& tx = h.irp("send " + std::to_string(size >> 20U) + " MiB (the peer does not read)");
    const Socket s = lib_.get();
    tx.issue([&](Irp* i) { return s.send(src.data(), src.size(), 0, i); });
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(tx.completions(), 0U) << "the send did not stay pending: " << describe(tx.latest());
    return tx;
  }

  /// The raw peer sends @p size pattern bytes.
  void peer_sends(std::size_t size, std::uint32_t seed = 0) {
    std::vector<std::uint8_t> data(size);
    fill_pattern(data, 0, seed);
    ASSERT_TRUE(peer_.send_all(data.data(), data.size())) << "error " << raw::last_error();
  }

  /// The raw peer reads exactly @p size bytes of pattern @p seed.
  void peer_reads(std::size_t size, std::uint32_t seed = 0) {
    std::vector<std::uint8_t> in(64 * 1024);
    std::size_t got = 0;
    while (got < size) {
      const long r = peer_.receive(in.data(), std::min(in.size(), size - got), default_bound);
      ASSERT_GT(r, 0) << "the raw peer's receive after " << got << " of " << size << " bytes";
      const auto n = static_cast<std::size_t>(r);
      const auto bad = pattern_mismatch({in.data(), n}, got, seed);
      ASSERT_FALSE(bad.has_value()) << "content differs at offset " << got + *bad;
      got += n;
    }
  }
};

}  // namespace wskport::test
