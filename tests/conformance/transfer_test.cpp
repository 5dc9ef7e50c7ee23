// SPDX-License-Identifier: MIT
// Stream data transfer: 1 B, 64 KiB and 64 MiB with content checked, scatter/gather,
// WAITALL, queued sends in order, full duplex, zero-length calls, and the ways a
// connection ends (graceful disconnect -> 0-byte receive, abortive -> reset).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

class Transfer : public Conformance {
 protected:
  /// Sends @p size patterned bytes from @p from in ONE send call while receiving them
  /// at @p to in a loop; checks content and that the send completed with
  /// Information == size.
  void transfer(ScopedSocket& from, ScopedSocket& to, std::size_t size, std::uint32_t seed,
                std::chrono::milliseconds bound) {
    auto& src = h.buffer(size);
    fill_pattern(src, 0, seed);
    TestIrp& tx = h.irp("send " + std::to_string(size));
    tx.issue([&](Irp* p) { return from->send(src.data(), src.size(), 0, p); });

    const auto deadline = std::chrono::steady_clock::now() + bound;
    auto& chunk = h.buffer(std::min<std::size_t>(size, 1U << 20U) + 1);
    TestIrp& rx = h.irp("receive loop");
    std::size_t got = 0;
    while (got < size) {
      rx.issue([&](Irp* p) { return to->receive(chunk.data(), chunk.size(), 0, p); });
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const Outcome r = rx.wait(std::max(left, std::chrono::milliseconds(1)));
      ASSERT_OK(r) << "after " << got << " of " << size << " bytes";
      ASSERT_GT(r.information, 0U) << "0-byte receive (EOF) after " << got << " of " << size;
      ASSERT_LE(got + r.information, size) << "received more than was sent";
      const auto bad = pattern_mismatch({chunk.data(), r.information}, got, seed);
      ASSERT_FALSE(bad.has_value()) << "content differs at stream offset " << got + *bad;
      got += r.information;
    }
    const Outcome s = tx.wait(std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           deadline - std::chrono::steady_clock::now()),
                                       std::chrono::milliseconds(1)));
    ASSERT_OK(s);
    EXPECT_EQ(s.information, size) << "a send completes only when every byte was taken";
  }
};

// Two receives in flight on one socket, each issued again from its own completion
// routine, which appends what it got to the stream (Microsoft's echosrv sample does this
// and echoes each one's data from its routine). The data is taken in order; the routines
// must run in that order too, never two at once, so the appended stream is the sent one.
TEST_P(Transfer, PipelinedReceivesRunTheirRoutinesInDataOrder) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t total = 2U << 20U;
  constexpr std::size_t piece = 2048;
  auto& src = h.buffer(total);
  fill_pattern(src, 0, 11);
  std::mutex m;
  std::vector<std::uint8_t> stream;
  stream.reserve(total);
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::atomic<bool> ended{false};
  std::array<TestIrp*, 2> rx{&h.irp("receive A"), &h.irp("receive B")};
  std::array<std::vector<std::uint8_t>*, 2> bufs{&h.buffer(piece), &h.buffer(piece)};
  const Socket server = *p.server.operator->();
  for (std::size_t i = 0; i < 2; ++i) {
    rx[i]->set_hook([&, i](TestIrp& irp, const Completion& c) {
      if (inside.fetch_add(1) != 0) overlapped = true;
      bool again = false;
      if (c.status == status::success && c.information > 0) {
        std::lock_guard lock(m);
        stream.insert(stream.end(), bufs[i]->data(), bufs[i]->data() + c.information);
        again = stream.size() < total;
        if (!again) ended = true;
      } else {
        ended = true;
      }
      inside.fetch_sub(1);
      if (again) {
        irp.issue([&, i](Irp* x) { return server.receive(bufs[i]->data(), piece, 0, x); });
      }
    });
  }
  for (std::size_t i = 0; i < 2; ++i) {
    rx[i]->issue([&, i](Irp* x) { return server.receive(bufs[i]->data(), piece, 0, x); });
  }
  TestIrp& tx = h.irp("send");
  tx.issue([&](Irp* x) { return p.client->send(src.data(), src.size(), 0, x); });
  ASSERT_OK(tx.wait(std::chrono::seconds(60)));
  ASSERT_TRUE(wait_until([&] { return ended.load(); }, std::chrono::seconds(60)));
  EXPECT_FALSE(overlapped.load()) << "two receive routines of one socket ran at once";
  std::lock_guard lock(m);
  ASSERT_EQ(stream.size(), total);
  const auto bad = pattern_mismatch(stream, 0, 11);
  EXPECT_FALSE(bad.has_value()) << "the routines ran out of data order: the stream differs at "
                                << *bad;
}

TEST_P(Transfer, OneByte) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  ASSERT_NO_FATAL_FAILURE(transfer(p.client, p.server, 1, 1, default_bound));
  ASSERT_NO_FATAL_FAILURE(transfer(p.server, p.client, 1, 2, default_bound));
}

TEST_P(Transfer, SixtyFourKiB) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  ASSERT_NO_FATAL_FAILURE(transfer(p.client, p.server, 64U << 10U, 3, default_bound));
  ASSERT_NO_FATAL_FAILURE(transfer(p.server, p.client, 64U << 10U, 4, default_bound));
}

TEST_P(Transfer, SixtyFourMiB) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  ASSERT_NO_FATAL_FAILURE(transfer(p.client, p.server, 64U << 20U, 5, bulk_bound));
}

TEST_P(Transfer, StreamCategorySocketsTransfer) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p, Category::stream));
  ASSERT_NO_FATAL_FAILURE(transfer(p.client, p.server, 64U << 10U, 6, default_bound));
  ASSERT_NO_FATAL_FAILURE(transfer(p.server, p.client, 64U << 10U, 7, default_bound));
}

TEST_P(Transfer, ScatterGather) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t total = 3000;
  auto& src = h.buffer(total);
  fill_pattern(src, 0, 8);
  auto& send_bufs = h.hold<std::array<ConstBuffer, 4>>();
  send_bufs = {ConstBuffer{src.data(), 1}, ConstBuffer{src.data() + 1, 0},
               ConstBuffer{src.data() + 1, 999}, ConstBuffer{src.data() + 1000, 2000}};
  TestIrp& tx = h.irp("send (4 buffers)");
  tx.issue([&](Irp* i) { return p.client->send(std::span<const ConstBuffer>(send_bufs), 0, i); });

  auto& dst = h.buffer(total);
  auto& recv_bufs = h.hold<std::array<MutableBuffer, 3>>();
  recv_bufs = {MutableBuffer{dst.data(), 10}, MutableBuffer{dst.data() + 10, 990},
               MutableBuffer{dst.data() + 1000, 2000}};
  TestIrp& rx = h.irp("receive (3 buffers, waitall)");
  rx.issue([&](Irp* i) {
    return p.server->receive(std::span<const MutableBuffer>(recv_bufs), receive_flags::waitall, i);
  });
  const Outcome s = tx.wait();
  ASSERT_OK(s);
  EXPECT_EQ(s.information, total);
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  ASSERT_EQ(r.information, total);
  const auto bad = pattern_mismatch(dst, 0, 8);
  EXPECT_FALSE(bad.has_value()) << "content differs at offset " << *bad;
}

TEST_P(Transfer, WaitallFillsTheBuffer) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t total = 64U << 10U;
  constexpr std::size_t piece = 4U << 10U;
  auto& dst = h.buffer(total);
  TestIrp& rx = h.irp("receive (waitall)");
  const NTSTATUS r0 = rx.issue(
      [&](Irp* i) { return p.server->receive(dst.data(), dst.size(), receive_flags::waitall, i); });
  EXPECT_STATUS(r0, status::pending) << "nothing was sent yet";
  auto& src = h.buffer(total);
  fill_pattern(src, 0, 9);
  for (std::size_t off = 0; off < total; off += piece) {
    ASSERT_OK(p.client.send(src.data() + off, piece));
    if (off + piece < total) {
      // Each piece alone is less than the buffer: a WAITALL receive must keep waiting.
      EXPECT_EQ(rx.completions(), 0U) << "WAITALL receive completed after only " << off + piece
                                      << " of " << total << " bytes: " << describe(rx.latest());
    }
  }
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  ASSERT_EQ(r.information, total);
  const auto bad = pattern_mismatch(dst, 0, 9);
  EXPECT_FALSE(bad.has_value()) << "content differs at offset " << *bad;
}

TEST_P(Transfer, WaitallEndsAtGracefulDisconnect) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& dst = h.buffer(1000);
  TestIrp& rx = h.irp("receive (waitall)");
  rx.issue(
      [&](Irp* i) { return p.server->receive(dst.data(), dst.size(), receive_flags::waitall, i); });
  const std::array<std::uint8_t, 10> data{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  ASSERT_OK(p.client.send(data.data(), data.size()));
  ASSERT_OK(p.client.disconnect(0));
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  EXPECT_EQ(r.information, data.size()) << "WAITALL completes with what arrived before the FIN";
  EXPECT_TRUE(std::equal(data.begin(), data.end(), dst.begin()));
}

TEST_P(Transfer, QueuedSendsKeepTheirOrder) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t n = 32;
  constexpr std::size_t each = 16U << 10U;
  auto& src = h.buffer(n * each);
  fill_pattern(src, 0, 10);
  std::vector<TestIrp*> sends;
  for (std::size_t i = 0; i < n; ++i) {
    TestIrp& tx = h.irp("queued send #" + std::to_string(i));
    tx.issue([&](Irp* ip) { return p.client->send(src.data() + i * each, each, 0, ip); });
    sends.push_back(&tx);
  }
  auto& dst = h.buffer(n * each);
  Outcome last;
  const std::size_t got = receive_exactly(h, p.server.get(), dst, last);
  ASSERT_EQ(got, dst.size()) << describe(last);
  const auto bad = pattern_mismatch(dst, 0, 10);
  EXPECT_FALSE(bad.has_value()) << "stream out of order at offset " << *bad;
  std::uint64_t prev_seq = 0;
  for (auto* tx : sends) {
    const Outcome s = tx->wait();
    ASSERT_OK(s);
    EXPECT_EQ(s.information, each);
    EXPECT_GT(s.seq, prev_seq) << tx->name() << " completed before an earlier send";
    prev_seq = s.seq;
  }
}

TEST_P(Transfer, FullDuplexSendAndReceiveInFlightTogether) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t size = 8U << 20U;
  auto& a_src = h.buffer(size);
  auto& b_src = h.buffer(size);
  fill_pattern(a_src, 0, 11);
  fill_pattern(b_src, 0, 12);
  auto& a_dst = h.buffer(size);
  auto& b_dst = h.buffer(size);
  // Receives first (WAITALL, so each is one IRP), then both sends: on each socket a
  // send and a receive are pending at the same time.
  TestIrp& a_rx = h.irp("client receive");
  TestIrp& b_rx = h.irp("server receive");
  a_rx.issue([&](Irp* i) {
    return p.client->receive(a_dst.data(), a_dst.size(), receive_flags::waitall, i);
  });
  b_rx.issue([&](Irp* i) {
    return p.server->receive(b_dst.data(), b_dst.size(), receive_flags::waitall, i);
  });
  TestIrp& a_tx = h.irp("client send");
  TestIrp& b_tx = h.irp("server send");
  a_tx.issue([&](Irp* i) { return p.client->send(a_src.data(), a_src.size(), 0, i); });
  b_tx.issue([&](Irp* i) { return p.server->send(b_src.data(), b_src.size(), 0, i); });
  for (TestIrp* t : {&a_tx, &b_tx, &a_rx, &b_rx}) {
    const Outcome o = t->wait(bulk_bound);
    ASSERT_OK(o);
    EXPECT_EQ(o.information, size) << t->name();
  }
  EXPECT_FALSE(pattern_mismatch(a_dst, 0, 12).has_value());
  EXPECT_FALSE(pattern_mismatch(b_dst, 0, 11).has_value());
}

TEST_P(Transfer, ZeroLengthSendCompletesAtOnce) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  const Outcome s = p.client.send(nullptr, 0);
  ASSERT_OK(s);
  EXPECT_EQ(s.information, 0U);
  // ... and is not seen as EOF by the peer: real data still arrives.
  ASSERT_NO_FATAL_FAILURE(transfer(p.client, p.server, 1, 13, default_bound));
}

TEST_P(Transfer, ZeroLengthReceivePendsAndConsumesNothing) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  TestIrp& rx0 = h.irp("zero-length receive");
  const NTSTATUS r0 = rx0.issue([&](Irp* i) { return p.server->receive(nullptr, 0, 0, i); });
  EXPECT_STATUS(r0, status::pending) << "nothing to read yet";
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rx0.completions(), 0U) << describe(rx0.latest());
  const std::array<std::uint8_t, 5> data{9, 8, 7, 6, 5};
  ASSERT_OK(p.client.send(data.data(), data.size()));
  const Outcome z = rx0.wait();
  ASSERT_OK(z);
  EXPECT_EQ(z.information, 0U);
  auto& dst = h.buffer(16);
  Outcome last;
  ASSERT_EQ(receive_exactly(h, p.server.get(), {dst.data(), data.size()}, last), data.size())
      << describe(last);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), dst.begin())) << "the data was consumed";
}

TEST_P(Transfer, BadBufferArguments) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  EXPECT_COMPLETES_WITH(p.client.send(nullptr, 10), status::invalid_parameter);
  EXPECT_COMPLETES_WITH(p.client.receive(nullptr, 10), status::invalid_parameter);
  std::array<std::uint8_t, 4> b{};
  EXPECT_COMPLETES_WITH(p.client.receive(b.data(), b.size(), receive_flags::drain),
                        status::invalid_parameter)
      << "drain with a non-empty buffer";
  EXPECT_COMPLETES_WITH(
      p.client.receive(b.data(), b.size(), receive_flags::drain | receive_flags::waitall),
      status::not_supported)
      << "conflicting flags";
  EXPECT_COMPLETES_WITH(
      h.run("send (unknown flag)", [&](Irp* i) { return p.client->send(b.data(), 1, 0x8000, i); }),
      status::not_supported);
  EXPECT_COMPLETES_WITH(p.client.receive(b.data(), b.size(), 0x8000), status::not_supported);
  // Refusals did not disturb the connection.
  ASSERT_NO_FATAL_FAILURE(transfer(p.client, p.server, 100, 14, default_bound));
}

TEST_P(Transfer, GracefulDisconnectGivesZeroByteReceive) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& dst = h.buffer(64);
  TestIrp& rx = h.irp("server receive");
  rx.issue([&](Irp* i) { return p.server->receive(dst.data(), dst.size(), 0, i); });
  ASSERT_OK(p.client.disconnect(0));
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  EXPECT_EQ(r.information, 0U) << "success with 0 bytes is the peer's graceful disconnect";
  // Half-close: the disconnected side can no longer send but still receives.
  std::uint8_t byte = 1;
  EXPECT_COMPLETES_WITH(p.client.send(&byte, 1), status::invalid_device_state)
      << "send after a graceful disconnect";
  ASSERT_NO_FATAL_FAILURE(transfer(p.server, p.client, 64U << 10U, 15, default_bound));
  // Both directions disconnected: the closes are graceful too.
  ASSERT_OK(p.server.disconnect(0));
  auto& end = h.buffer(8);
  const Outcome c = p.client.receive(end.data(), end.size());
  ASSERT_OK(c);
  EXPECT_EQ(c.information, 0U);
}

TEST_P(Transfer, ZeroByteReceiveWhenThePeerDisconnectsAndCloses) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  // Data then FIN then close: the receiver gets the data, then success with 0 bytes.
  const std::array<std::uint8_t, 3> data{0xDE, 0xAD, 0x01};
  ASSERT_OK(p.client.send(data.data(), data.size()));
  ASSERT_OK(p.client.disconnect(0));
  ASSERT_OK(p.client.close());
  auto& dst = h.buffer(64);
  Outcome last;
  ASSERT_EQ(receive_exactly(h, p.server.get(), {dst.data(), data.size()}, last), data.size())
      << describe(last);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), dst.begin()));
  const Outcome eof = p.server.receive(dst.data(), dst.size());
  ASSERT_OK(eof);
  EXPECT_EQ(eof.information, 0U);
  // And again: EOF stays EOF.
  const Outcome eof2 = p.server.receive(dst.data(), dst.size());
  ASSERT_OK(eof2);
  EXPECT_EQ(eof2.information, 0U);
}

TEST_P(Transfer, PendingReceiveSeesThePeersClose) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& dst = h.buffer(64);
  TestIrp& rx = h.irp("server receive (pending)");
  const NTSTATUS r0 =
      rx.issue([&](Irp* i) { return p.server->receive(dst.data(), dst.size(), 0, i); });
  EXPECT_STATUS(r0, status::pending);
  // WSK close is abortive unless the socket was disconnected: a plain close resets, a
  // disconnect-then-close ends with a FIN first. Either way the receive ends, once.
  ASSERT_OK(p.client.disconnect(0));
  ASSERT_OK(p.client.close());
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  EXPECT_EQ(r.information, 0U);
}

TEST_P(Transfer, CloseWithoutDisconnectResetsThePeer) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& dst = h.buffer(64);
  TestIrp& rx = h.irp("server receive (pending)");
  rx.issue([&](Irp* i) { return p.server->receive(dst.data(), dst.size(), 0, i); });
  ASSERT_OK(p.client.close());  // abortive: both directions were still open
  EXPECT_COMPLETES_WITH(rx.wait(), status::connection_reset);
}

TEST_P(Transfer, AbortiveDisconnect) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& a = h.buffer(64);
  auto& b = h.buffer(64);
  TestIrp& local_rx = h.irp("client receive (pending)");
  TestIrp& peer_rx = h.irp("server receive (pending)");
  local_rx.issue([&](Irp* i) { return p.client->receive(a.data(), a.size(), 0, i); });
  peer_rx.issue([&](Irp* i) { return p.server->receive(b.data(), b.size(), 0, i); });
  ASSERT_OK(p.client.disconnect(disconnect_flags::abortive));
  EXPECT_COMPLETES_WITH(local_rx.wait(), status::connection_aborted)
      << "a local abortive disconnect ends the local pending receive";
  EXPECT_COMPLETES_WITH(peer_rx.wait(), status::connection_reset) << "the peer sees a reset";
  // Abortive with data is a parameter error.
  const std::array<std::uint8_t, 1> data{1};
  const std::array<ConstBuffer, 1> final_data{ConstBuffer{data.data(), data.size()}};
  EXPECT_COMPLETES_WITH(
      h.run(
          "abortive disconnect with data",
          [&](Irp* i) { return p.server->disconnect(final_data, disconnect_flags::abortive, i); }),
      status::invalid_parameter);
}

TEST_P(Transfer, GracefulDisconnectWithFinalData) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  auto& src = h.buffer(4096);
  fill_pattern(src, 0, 16);
  auto& final_data = h.hold<std::array<ConstBuffer, 1>>();
  final_data = {ConstBuffer{src.data(), src.size()}};
  EXPECT_OK(h.run("disconnect with final data",
                  [&](Irp* i) { return p.client->disconnect(final_data, 0, i); }));
  auto& dst = h.buffer(src.size());
  Outcome last;
  ASSERT_EQ(receive_exactly(h, p.server.get(), dst, last), dst.size()) << describe(last);
  EXPECT_FALSE(pattern_mismatch(dst, 0, 16).has_value());
  const Outcome eof = p.server.receive(dst.data(), dst.size());
  ASSERT_OK(eof);
  EXPECT_EQ(eof.information, 0U);
}

TEST_P(Transfer, QueuedReceivesCompleteInOrder) {
  // More than one receive may be queued on a socket; they are served in issue order.
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t n = 4;
  constexpr std::size_t each = 10;
  auto& dst = h.buffer(n * each);
  std::vector<TestIrp*> rx;
  for (std::size_t i = 0; i < n; ++i) {
    TestIrp& r = h.irp("queued receive #" + std::to_string(i));
    r.issue([&](Irp* ip) { return p.server->receive(dst.data() + i * each, each, 0, ip); });
    rx.push_back(&r);
  }
  auto& src = h.buffer(n * each);
  fill_pattern(src, 0, 17);
  std::size_t sent = 0;
  std::size_t received = 0;
  std::uint64_t prev_seq = 0;
  // Send in pieces until every queued receive has completed (each takes what is there,
  // up to its size); check that they completed in order and the bytes are in order.
  for (std::size_t i = 0; i < n; ++i) {
    if (sent < src.size()) {
      ASSERT_OK(p.client.send(src.data() + sent, each));
      sent += each;
    }
    const Outcome o = rx[i]->wait();
    ASSERT_OK(o) << rx[i]->name();
    ASSERT_GT(o.information, 0U);
    EXPECT_GT(o.seq, prev_seq) << rx[i]->name() << " completed before an earlier receive";
    prev_seq = o.seq;
    EXPECT_FALSE(pattern_mismatch({dst.data() + i * each, o.information}, received, 17))
        << rx[i]->name() << " got bytes out of order";
    received += o.information;
  }
}

TEST_P(Transfer, GracefulDisconnectWaitsForEarlierSends) {
  // A send, then at once a graceful disconnect: the send completes in full first, the
  // FIN follows the data, and the peer reads everything then 0 bytes.
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  constexpr std::size_t size = 8U << 20U;
  auto& src = h.buffer(size);
  fill_pattern(src, 0, 18);
  TestIrp& tx = h.irp("send 8 MiB");
  tx.issue([&](Irp* i) { return p.client->send(src.data(), src.size(), 0, i); });
  TestIrp& dc = h.irp("disconnect (behind the send)");
  dc.issue([&](Irp* i) { return p.client->disconnect(std::span<const ConstBuffer>{}, 0, i); });
  auto& dst = h.buffer(size);
  Outcome last;
  ASSERT_EQ(receive_exactly(h, p.server.get(), dst, last, bulk_bound), size) << describe(last);
  EXPECT_FALSE(pattern_mismatch(dst, 0, 18).has_value());
  const Outcome s = tx.wait();
  ASSERT_OK(s);
  EXPECT_EQ(s.information, size);
  const Outcome d = dc.wait();
  ASSERT_OK(d);
  EXPECT_LT(s.seq, d.seq) << "the disconnect completed before the earlier send";
  const Outcome eof = p.server.receive(dst.data(), 16);
  ASSERT_OK(eof);
  EXPECT_EQ(eof.information, 0U);
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(Transfer);

}  // namespace wskport::test
