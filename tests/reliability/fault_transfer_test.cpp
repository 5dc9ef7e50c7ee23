// SPDX-License-Identifier: MIT
// Fault injection, transfer family: short sends and receives, would-block storms,
// slow completions (and cancel or close while one is held back), and a peer reset in
// the middle of a stream. Every byte that is reported moved is checked.
#include "reliability/fault_fixture.hpp"

namespace wskport::test {
namespace {

TEST_P(Faults, ShortSendMovesOnlyWhatItReports) {
  ASSERT_NO_FATAL_FAILURE(start("send#1=short:10"));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  const Outcome first = send_pattern(p.client, 100);
  EXPECT_OK(first);
  EXPECT_EQ(first.information, 10U) << "a short send reports the bytes it took";
  const Outcome second = send_pattern(p.client, 100, 10);  // the rest of the stream
  EXPECT_OK(second);
  EXPECT_EQ(second.information, 100U);
  auto& got = h.buffer(110);
  Outcome last;
  EXPECT_EQ(receive_exactly(h, p.server.get(), got, last), 110U);
  EXPECT_FALSE(pattern_mismatch(got).has_value()) << "no byte beyond the short send went out";
}

TEST_P(Faults, ShortReceiveFillsOnlyTheFront) {
  ASSERT_NO_FATAL_FAILURE(start("receive#1=short:5"));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  EXPECT_OK(send_pattern(p.client, 64));
  auto& got = h.buffer(64);
  const Outcome first = p.server.receive(got.data(), got.size());
  EXPECT_OK(first);
  EXPECT_GE(first.information, 1U);
  EXPECT_LE(first.information, 5U) << "the receive was cut to 5 bytes";
  Outcome last;
  const std::size_t rest = receive_exactly(
      h, p.server.get(), std::span<std::uint8_t>(got).subspan(first.information), last);
  EXPECT_EQ(first.information + rest, 64U);
  EXPECT_FALSE(pattern_mismatch(got).has_value()) << "bytes arrive in order, none lost";
}

TEST_P(Faults, WouldBlockStormPendsThenCompletes) {
  ASSERT_NO_FATAL_FAILURE(start("send=wouldblock:25; receive#1-3=wouldblock:40"));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  for (int i = 0; i < 3; ++i) {
    const Outcome o = send_pattern(p.client, 1000, 1000U * static_cast<unsigned>(i));
    EXPECT_OK(o);
    EXPECT_STATUS(o.returned, status::pending) << "a storm makes the send wait";
    EXPECT_EQ(o.information, 1000U);
  }
  auto& got = h.buffer(3000);
  Outcome last;
  EXPECT_EQ(receive_exactly(h, p.server.get(), got, last), 3000U);
  EXPECT_FALSE(pattern_mismatch(got).has_value());
  EXPECT_GE(faults::injected(), 4U) << "three sends and at least one receive were held back";
}

TEST_P(Faults, DelayedCompletionArrivesLater) {
  ASSERT_NO_FATAL_FAILURE(start("receive#1=delay:50"));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  EXPECT_OK(send_pattern(p.client, 16));
  auto& got = h.buffer(16);
  TestIrp& rx = h.irp("delayed receive");
  const NTSTATUS returned = rx.issue(
      [&](Irp* i) { return p.server->receive(got.data(), got.size(), receive_flags::waitall, i); });
  EXPECT_STATUS(returned, status::pending) << "the data is there, yet the receive is held back";
  const Outcome o = rx.wait();
  EXPECT_OK(o);
  EXPECT_EQ(o.information, 16U);
  EXPECT_FALSE(pattern_mismatch(got).has_value());
}

TEST_P(Faults, HeldIrpIsCancelledByCancelAndByClose) {
  // Delays far beyond every wait of the test: only cancel and close can end them.
  ASSERT_NO_FATAL_FAILURE(start("receive=delay:600000"));
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& buf = h.buffer(8);
  TestIrp& a = h.irp("held receive, cancelled");
  EXPECT_STATUS(a.issue([&](Irp* i) { return p.server->receive(buf.data(), buf.size(), 0, i); }),
                status::pending);
  a.cancel();
  EXPECT_COMPLETES_WITH(a.wait(), status::cancelled);
  TestIrp& b = h.irp("held receive, closed");
  EXPECT_STATUS(b.issue([&](Irp* i) { return p.client->receive(buf.data(), buf.size(), 0, i); }),
                status::pending);
  EXPECT_OK(p.client.close());
  EXPECT_COMPLETES_WITH(b.wait(), status::cancelled) << "close cancels what is held back";
}

TEST_P(Faults, PeerResetMidStream) {
  ASSERT_NO_FATAL_FAILURE(start("send#3=reset"));
  const NTSTATUS reset = expected("ECONNRESET");
  EXPECT_STATUS(reset, status::connection_reset);
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  EXPECT_OK(send_pattern(p.client, 100));
  EXPECT_OK(send_pattern(p.client, 100, 100));
  auto& got = h.buffer(200);
  Outcome last;
  EXPECT_EQ(receive_exactly(h, p.server.get(), got, last), 200U);
  EXPECT_FALSE(pattern_mismatch(got).has_value()) << "what was sent before the reset arrived";
  EXPECT_COMPLETES_WITH(send_pattern(p.client, 100, 200), reset) << "the third send";
  // The reset sticks: later transfers on this socket fail the same way...
  auto& buf = h.buffer(8);
  EXPECT_COMPLETES_WITH(p.client.receive(buf.data(), buf.size()), reset);
  EXPECT_COMPLETES_WITH(send_pattern(p.client, 1), reset);
  // ...and the peer sees the connection reset, not a graceful end.
  expect_peer_sees_reset(p.server);
}

// Instantiated once, with the error family, in fault_test.cpp.

}  // namespace
}  // namespace wskport::test
