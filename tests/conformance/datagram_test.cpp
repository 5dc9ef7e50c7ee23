// SPDX-License-Identifier: MIT
// UDP: send_to / receive_from with content and sender address, truncation
// (STATUS_BUFFER_OVERFLOW + datagram_flags::truncated), empty datagrams, state errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <thread>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

class Datagram : public Conformance {
 protected:
  /// A datagram socket bound to loopback:0, and its address.
  void bound_udp(ScopedSocket& s, Address& where) {
    s = make_udp();
    ASSERT_TRUE(s);
    ASSERT_OK(s.bind(loopback(0)));
    ASSERT_OK(s.local_address(where));
    ASSERT_NE(where.port(), 0);
  }
};

TEST_P(Datagram, SendToReceiveFrom) {
  ScopedSocket a;
  ScopedSocket b;
  Address a_addr;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(a, a_addr));
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));

  auto& ping = h.buffer(200);
  fill_pattern(ping, 0, 21);
  const Outcome s =
      h.run("send_to", [&](Irp* i) { return a->send_to(ping.data(), ping.size(), &b_addr, i); });
  ASSERT_OK(s);
  EXPECT_EQ(s.information, ping.size());

  auto& in = h.buffer(1000);
  Address& from = h.hold<Address>();
  unsigned& flags = h.hold<unsigned>(0xFFFFU);
  const Outcome r = h.run("receive_from", [&](Irp* i) {
    return b->receive_from(in.data(), in.size(), &from, &flags, i);
  });
  ASSERT_OK(r);
  ASSERT_EQ(r.information, ping.size());
  EXPECT_TRUE(std::equal(ping.begin(), ping.end(), in.begin()));
  EXPECT_EQ(from, a_addr) << "the sender's address";
  EXPECT_EQ(flags & datagram_flags::truncated, 0U);

  // Reply to the captured sender address.
  const std::array<std::uint8_t, 4> pong{'P', 'O', 'N', 'G'};
  ASSERT_OK(h.run("send_to (reply)",
                  [&](Irp* i) { return b->send_to(pong.data(), pong.size(), &from, i); }));
  Address& from2 = h.hold<Address>();
  const Outcome r2 = h.run("receive_from (reply)", [&](Irp* i) {
    return a->receive_from(in.data(), in.size(), &from2, nullptr, i);
  });
  ASSERT_OK(r2);
  ASSERT_EQ(r2.information, pong.size());
  EXPECT_TRUE(std::equal(pong.begin(), pong.end(), in.begin()));
  EXPECT_EQ(from2, b_addr);
}

TEST_P(Datagram, ReceiveFromPendsUntilADatagramArrives) {
  ScopedSocket a;
  ScopedSocket b;
  Address a_addr;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(a, a_addr));
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));
  auto& in = h.buffer(64);
  Address& from = h.hold<Address>();
  TestIrp& rx = h.irp("receive_from (pending)");
  const NTSTATUS r0 =
      rx.issue([&](Irp* i) { return b->receive_from(in.data(), in.size(), &from, nullptr, i); });
  EXPECT_STATUS(r0, status::pending);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rx.completions(), 0U) << describe(rx.latest());
  const std::array<std::uint8_t, 3> d{1, 2, 3};
  ASSERT_OK(h.run("send_to", [&](Irp* i) { return a->send_to(d.data(), d.size(), &b_addr, i); }));
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  EXPECT_EQ(r.information, d.size());
  EXPECT_EQ(from, a_addr);
}

TEST_P(Datagram, DatagramsStaySeparate) {
  ScopedSocket a;
  ScopedSocket b;
  Address a_addr;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(a, a_addr));
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));
  // Two sends back to back, then an empty datagram: three receives, one each.
  const std::array<std::uint8_t, 5> d1{1, 1, 1, 1, 1};
  const std::array<std::uint8_t, 7> d2{2, 2, 2, 2, 2, 2, 2};
  ASSERT_OK(
      h.run("send_to 1", [&](Irp* i) { return a->send_to(d1.data(), d1.size(), &b_addr, i); }));
  ASSERT_OK(
      h.run("send_to 2", [&](Irp* i) { return a->send_to(d2.data(), d2.size(), &b_addr, i); }));
  const Outcome e =
      h.run("send_to (empty)", [&](Irp* i) { return a->send_to(nullptr, 0, &b_addr, i); });
  ASSERT_OK(e);
  EXPECT_EQ(e.information, 0U);
  auto& in = h.buffer(64);
  for (std::size_t expect : {d1.size(), d2.size(), std::size_t{0}}) {
    Address& from = h.hold<Address>();
    const Outcome r = h.run("receive_from", [&](Irp* i) {
      return b->receive_from(in.data(), in.size(), &from, nullptr, i);
    });
    ASSERT_OK(r);
    EXPECT_EQ(r.information, expect);
    EXPECT_EQ(from, a_addr) << "an empty datagram still names its sender";
  }
}

TEST_P(Datagram, TruncationIsReported) {
  ScopedSocket a;
  ScopedSocket b;
  Address a_addr;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(a, a_addr));
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));
  auto& big = h.buffer(100);
  fill_pattern(big, 0, 22);
  ASSERT_OK(h.run("send_to (100 B)",
                  [&](Irp* i) { return a->send_to(big.data(), big.size(), &b_addr, i); }));
  auto& small = h.buffer(10);
  Address& from = h.hold<Address>();
  unsigned& flags = h.hold<unsigned>(0U);
  const Outcome r = h.run("receive_from (10 B buffer)", [&](Irp* i) {
    return b->receive_from(small.data(), small.size(), &from, &flags, i);
  });
  EXPECT_COMPLETES_WITH(r, status::buffer_overflow);
  EXPECT_EQ(r.information, 10U) << "Information = the bytes placed in the buffer";
  EXPECT_NE(flags & datagram_flags::truncated, 0U) << "control flags " << flags;
  EXPECT_TRUE(std::equal(small.begin(), small.end(), big.begin()));
  EXPECT_EQ(from, a_addr);
  // The rest of the datagram is gone: the next datagram arrives whole.
  const std::array<std::uint8_t, 2> next{42, 43};
  ASSERT_OK(h.run("send_to (next)",
                  [&](Irp* i) { return a->send_to(next.data(), next.size(), &b_addr, i); }));
  flags = 0xFFFFU;
  const Outcome r2 = h.run("receive_from (next)", [&](Irp* i) {
    return b->receive_from(small.data(), small.size(), nullptr, &flags, i);
  });
  ASSERT_OK(r2);
  EXPECT_EQ(r2.information, next.size());
  EXPECT_EQ(small[0], 42);
  EXPECT_EQ(flags & datagram_flags::truncated, 0U);
}

TEST_P(Datagram, ScatterGatherDatagram) {
  ScopedSocket a;
  ScopedSocket b;
  Address a_addr;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(a, a_addr));
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));
  auto& src = h.buffer(300);
  fill_pattern(src, 0, 23);
  auto& out = h.hold<std::array<ConstBuffer, 3>>();
  out = {ConstBuffer{src.data(), 100}, ConstBuffer{src.data() + 100, 0},
         ConstBuffer{src.data() + 100, 200}};
  const Outcome s = h.run("send_to (3 buffers)", [&](Irp* i) {
    return a->send_to(std::span<const ConstBuffer>(out), &b_addr, i);
  });
  ASSERT_OK(s);
  EXPECT_EQ(s.information, src.size());
  auto& dst = h.buffer(300);
  auto& in = h.hold<std::array<MutableBuffer, 2>>();
  in = {MutableBuffer{dst.data(), 50}, MutableBuffer{dst.data() + 50, 250}};
  const Outcome r = h.run("receive_from (2 buffers)", [&](Irp* i) {
    return b->receive_from(std::span<const MutableBuffer>(in), nullptr, nullptr, i);
  });
  ASSERT_OK(r);
  ASSERT_EQ(r.information, src.size());
  EXPECT_FALSE(pattern_mismatch(dst, 0, 23).has_value());
}

TEST_P(Datagram, StateAndArgumentErrors) {
  auto unbound = make_udp();
  ASSERT_TRUE(unbound);
  ScopedSocket b;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));
  std::array<std::uint8_t, 4> d{};
  EXPECT_COMPLETES_WITH(
      h.run("send_to (unbound)",
            [&](Irp* i) { return unbound->send_to(d.data(), d.size(), &b_addr, i); }),
      status::invalid_device_state);
  EXPECT_COMPLETES_WITH(
      h.run("receive_from (unbound)",
            [&](Irp* i) { return unbound->receive_from(d.data(), d.size(), nullptr, nullptr, i); }),
      status::invalid_device_state);
  const Address other = other_family_loopback(b_addr.port());
  EXPECT_COMPLETES_WITH(h.run("send_to (other family)",
                              [&](Irp* i) { return b->send_to(d.data(), d.size(), &other, i); }),
                        status::invalid_address);
  const Address unspecified;
  EXPECT_COMPLETES_WITH(
      h.run("send_to (unspecified)",
            [&](Irp* i) { return b->send_to(d.data(), d.size(), &unspecified, i); }),
      status::invalid_address);
  auto& huge = h.buffer(70000);
  EXPECT_COMPLETES_WITH(
      h.run("send_to (70000 B)",
            [&](Irp* i) { return b->send_to(huge.data(), huge.size(), &b_addr, i); }),
      status::invalid_buffer_size);
}

TEST_P(Datagram, SendToAPortWithNoListener) {
  Address dead;
  {
    ScopedSocket probe;
    ASSERT_NO_FATAL_FAILURE(bound_udp(probe, dead));
    ASSERT_OK(probe.close());
  }
  ScopedSocket a;
  ScopedSocket b;
  Address a_addr;
  Address b_addr;
  ASSERT_NO_FATAL_FAILURE(bound_udp(a, a_addr));
  ASSERT_NO_FATAL_FAILURE(bound_udp(b, b_addr));
  const std::array<std::uint8_t, 8> d{1, 2, 3, 4, 5, 6, 7, 8};
  const Outcome s = h.run("send_to (no listener)",
                          [&](Irp* i) { return a->send_to(d.data(), d.size(), &dead, i); });
  ASSERT_OK(s) << "UDP send to a closed port is not an error for the sender";
  EXPECT_EQ(s.information, d.size());
  // a keeps receiving. On Winsock the ICMP port-unreachable may surface once as
  // connection_reset on the next receive_from; POSIX unconnected sockets never see it.
  ASSERT_OK(h.run("send_to a", [&](Irp* i) { return b->send_to(d.data(), d.size(), &a_addr, i); }));
  auto& in = h.buffer(64);
  Outcome r = h.run("receive_from", [&](Irp* i) {
    return a->receive_from(in.data(), in.size(), nullptr, nullptr, i);
  });
  if (h.engine() == "iocp" && r.completed && r.status == status::connection_reset) {
    r = h.run("receive_from (after reset)",
              [&](Irp* i) { return a->receive_from(in.data(), in.size(), nullptr, nullptr, i); });
  }
  ASSERT_OK(r);
  EXPECT_EQ(r.information, d.size());
}

}  // namespace

WSKPORT_INSTANTIATE_CONFORMANCE(Datagram);

}  // namespace wskport::test
