// SPDX-License-Identifier: MIT
// Peer behaviour other than a reset, driven from plain native sockets
// (support/raw_peer.hpp): half-close in both directions, a peer that stops reading (the
// send waits, completes when it reads again, and can be cancelled), a peer that
// connects and resets before or while an accept waits, and ICMP port unreachable for
// a datagram. Each asserts the status socket.hpp promises (docs/reliability.md, "Peer
// behaviour").
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>

#include "support/peer_fixture.hpp"

namespace wskport::test {
namespace {

class PeerBehaviour : public PeerConformance {};

// ---- half-close ----------------------------------------------------------------------

TEST_P(PeerBehaviour, PeerHalfClosesItsSendingSide) {
  ASSERT_NO_FATAL_FAILURE(connect_to_peer());
  auto& in = h.buffer(64);
  TestIrp& rx = h.irp("receive (pending when the FIN comes)");
  rx.issue([&](Irp* i) { return lib_->receive(in.data(), in.size(), 0, i); });
  ASSERT_TRUE(peer_.shutdown_send());
  const Outcome r = rx.wait();
  EXPECT_OK(r) << "the peer's FIN is a graceful close";
  EXPECT_EQ(r.information, 0U);
  const Outcome again = lib_.receive(in.data(), in.size());
  EXPECT_OK(again) << "end of stream stays end of stream";
  EXPECT_EQ(again.information, 0U);
  // This side still sends, and the peer still reads it.
  std::array<std::uint8_t, 3000> out{};
  fill_pattern(out);
  const Outcome s = lib_.send(out.data(), out.size());
  ASSERT_OK(s);
  EXPECT_EQ(s.information, out.size());
  ASSERT_NO_FATAL_FAILURE(peer_reads(out.size()));
  ASSERT_OK(lib_.disconnect());
  std::array<std::uint8_t, 16> tail{};
  EXPECT_EQ(peer_.receive(tail.data(), tail.size(), default_bound), 0)
      << "the peer reads end of stream after this side's graceful disconnect";
}

TEST_P(PeerBehaviour, ThisSideHalfClosesAndThePeerKeepsSending) {
  ASSERT_NO_FATAL_FAILURE(connect_to_peer());
  ASSERT_OK(lib_.disconnect());
  std::array<std::uint8_t, 16> tail{};
  EXPECT_EQ(peer_.receive(tail.data(), tail.size(), default_bound), 0)
      << "the peer reads end of stream";
  std::array<std::uint8_t, 16> one{};
  EXPECT_COMPLETES_WITH(lib_.send(one.data(), one.size()), status::invalid_device_state)
      << "no send after a graceful disconnect";
  std::array<std::uint8_t, 5000> data{};
  fill_pattern(data, 0, 7);
  ASSERT_TRUE(peer_.send_all(data.data(), data.size()));
  auto& in = h.buffer(data.size());
  Outcome last;
  ASSERT_EQ(receive_exactly(h, lib_.get(), in, last), in.size()) << describe(last);
  EXPECT_FALSE(pattern_mismatch(in, 0, 7).has_value());
  peer_.close();  // graceful: both directions are now closed
  const Outcome end = lib_.receive(in.data(), in.size());
  EXPECT_OK(end);
  EXPECT_EQ(end.information, 0U);
}

// ---- a peer that stops reading --------------------------------------------------------

TEST_P(PeerBehaviour, SendWaitsWhileThePeerDoesNotReadAndCompletesWhenItDoes) {
  ASSERT_NO_FATAL_FAILURE(connect_to_peer());
  constexpr std::size_t size = 16U << 20U;
  TestIrp& tx = pending_send(size, 3);
  ASSERT_EQ(tx.completions(), 0U);
  ASSERT_NO_FATAL_FAILURE(peer_reads(size, 3));
  const Outcome s = tx.wait(bulk_bound);
  EXPECT_OK(s);
  EXPECT_EQ(s.information, size);
}

TEST_P(PeerBehaviour, CancelASendThePeerDoesNotRead) {
  ASSERT_NO_FATAL_FAILURE(connect_to_peer());
  constexpr std::size_t size = 16U << 20U;
  TestIrp& tx = pending_send(size);
  ASSERT_EQ(tx.completions(), 0U);
  (void)tx.cancel();
  const Outcome s = tx.wait();
  EXPECT_COMPLETES_WITH(s, status::cancelled);
  EXPECT_LT(s.information, size);
}

// ---- a peer that closes during accept ---------------------------------------------------

class PeerAccept : public PeerBehaviour {
 protected:
  bool wine_read_end_of_stream_ = false;

  void skip_if_wine_lost_the_reset() {
    if (wine_read_end_of_stream_) {
      GTEST_SKIP() << wine_reset_as_eof;
    }
  }

  /// Connects a raw client to @p where and resets it at once.
  void connect_and_reset(const Address& where) {
    raw::RawSocket c = raw::RawSocket::open(family(), true);
    ASSERT_TRUE(c.connect(where)) << "error " << raw::last_error();
    c.reset();
  }

  /// After a reset connection: the accept either skipped it or delivered it, and then
  /// its first receive reports the reset (never a graceful 0 bytes). A good client
  /// that connects afterwards is accepted either way.
  void expect_the_good_client(ScopedSocket& listener, TestIrp& acc, const Address& where) {
    raw::RawSocket good = raw::RawSocket::open(family(), true);
    ASSERT_TRUE(good.connect(where));
    const std::array<std::uint8_t, 4> hello{'g', 'o', 'o', 'd'};
    ASSERT_TRUE(good.send_all(hello.data(), hello.size()));
    auto& in = h.buffer(16);
    for (int k = 0; k < 2; ++k) {
      const Outcome a = acc.wait();
      ASSERT_OK(a) << "a peer's reset never fails the accept";
      ScopedSocket s = adopt(a);
      ASSERT_TRUE(s);
      const Outcome r = s.receive(in.data(), in.size());
      if (r.completed && r.status == status::success && r.information == hello.size()) {
        return;  // the good client
      }
      if (wine_read_eof(r)) {
        wine_read_end_of_stream_ = true;  // see skip_if_wine_lost_the_reset
      } else {
        EXPECT_COMPLETES_WITH(r, status::connection_reset)
            << "the accepted connection was reset by its peer";
      }
      ASSERT_EQ(k, 0) << "the reset connection was delivered twice";
      acc.issue([&](Irp* i) { return listener->accept(nullptr, nullptr, i); });
    }
  }
};

TEST_P(PeerAccept, PeerResetsBeforeTheAcceptIsIssued) {
  ScopedSocket listener;
  Address where;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, where));
  ASSERT_NO_FATAL_FAILURE(connect_and_reset(where));
  std::this_thread::sleep_for(20ms);
  TestIrp& acc = h.irp("accept");
  acc.issue([&](Irp* i) { return listener->accept(nullptr, nullptr, i); });
  ASSERT_NO_FATAL_FAILURE(expect_the_good_client(listener, acc, where));
  skip_if_wine_lost_the_reset();
}

TEST_P(PeerAccept, PeerResetsWhileTheAcceptIsPending) {
  ScopedSocket listener;
  Address where;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, where));
  TestIrp& acc = h.irp("accept (pending)");
  acc.issue([&](Irp* i) { return listener->accept(nullptr, nullptr, i); });
  ASSERT_NO_FATAL_FAILURE(connect_and_reset(where));
  ASSERT_NO_FATAL_FAILURE(expect_the_good_client(listener, acc, where));
  skip_if_wine_lost_the_reset();
}

// ---- ICMP port unreachable ------------------------------------------------------------

// socket.hpp: an ICMP port unreachable for an earlier send_to is not reported, on any
// platform. Neither the send_to nor a receive_from (pending before, or issued after)
// sees it; the receive_from completes with the next real datagram.
TEST_P(PeerBehaviour, PortUnreachableIsNotReportedForDatagrams) {
  Address dead;
  {
    raw::RawSocket probe = raw::RawSocket::open(family(), false);
    ASSERT_TRUE(probe.bind(loopback()));
    dead = probe.local_address();
  }  // closed: datagrams to it draw ICMP port unreachable
  ScopedSocket a = make_udp();
  ASSERT_TRUE(a);
  ASSERT_OK(a.bind(loopback()));
  Address a_addr;
  ASSERT_OK(a.local_address(a_addr));
  auto& in = h.buffer(64);
  TestIrp& early = h.irp("receive_from (pending before the ICMP)");
  early.issue([&](Irp* i) { return a->receive_from(in.data(), in.size(), nullptr, nullptr, i); });
  const std::array<std::uint8_t, 8> d{1, 2, 3, 4, 5, 6, 7, 8};
  for (int k = 0; k < 2; ++k) {
    const Outcome s = h.run("send_to the closed port",
                            [&](Irp* i) { return a->send_to(d.data(), d.size(), &dead, i); });
    EXPECT_OK(s) << "send_to #" << k;
    EXPECT_EQ(s.information, d.size());
    std::this_thread::sleep_for(30ms);  // the ICMP comes back meanwhile
  }
  EXPECT_EQ(early.completions(), 0U)
      << "the ICMP error reached the pending receive_from: " << describe(early.latest());
  raw::RawSocket sender = raw::RawSocket::open(family(), false);
  ASSERT_TRUE(sender.bind(loopback()));
  ASSERT_TRUE(sender.send_to("hello", 5, a_addr));
  const Outcome r1 = early.wait();
  EXPECT_OK(r1);
  EXPECT_EQ(r1.information, 5U);
  // Once more, with the receive_from issued after the ICMP.
  ASSERT_OK(h.run("send_to the closed port",
                  [&](Irp* i) { return a->send_to(d.data(), d.size(), &dead, i); }));
  std::this_thread::sleep_for(30ms);
  ASSERT_TRUE(sender.send_to("again", 5, a_addr));
  Address from;
  const Outcome r2 = h.run("receive_from (after the ICMP)", [&](Irp* i) {
    return a->receive_from(in.data(), in.size(), &from, nullptr, i);
  });
  EXPECT_OK(r2);
  EXPECT_EQ(r2.information, 5U);
  EXPECT_EQ(from, sender.local_address());
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(PeerBehaviour);
WSKPORT_INSTANTIATE_CONFORMANCE(PeerAccept);

}  // namespace wskport::test
