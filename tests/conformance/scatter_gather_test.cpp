// SPDX-License-Identifier: MIT
// Scatter/gather limits: every transfer call with 1, 64, 65, max_datagram_buffers
// (IOV_MAX on Linux) and one more buffer descriptors of one byte each. Streams move
// every byte in order at any count; a datagram goes out and comes in whole up to
// max_datagram_buffers and is refused with STATUS_INVALID_PARAMETER above it, with
// nothing sent or consumed (issue 14, defect 3: 65 descriptors used to fail or truncate).
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

// (engine and family, descriptor count)
using SgParam = std::tuple<ProviderParam, std::size_t>;

class ScatterGather : public ::testing::TestWithParam<SgParam>, protected FixtureBase {
 protected:
  void SetUp() override {
    if (family() == AddressFamily::ipv6 && !platform::ipv6_loopback_available()) {
      GTEST_SKIP() << "IPv6 loopback (::1) is not available on this host";
    }
    ASSERT_TRUE(h.start(std::get<0>(GetParam()).engine));
  }
  void TearDown() override { h.finish(); }

  [[nodiscard]] AddressFamily family() const { return std::get<0>(GetParam()).family; }
  [[nodiscard]] std::size_t count() const { return std::get<1>(GetParam()); }
  [[nodiscard]] bool over_limit() const { return count() > max_datagram_buffers; }
  [[nodiscard]] Address loopback() const {
    return family() == AddressFamily::ipv6 ? Address::ipv6_loopback(0) : Address::ipv4_loopback(0);
  }

  /// count() one-byte descriptors over @p bytes (owned by the harness).
  template <class B, class P>
  std::vector<B>& one_byte_buffers(P* bytes) {
    auto& v = h.hold<std::vector<B>>(count());
    for (std::size_t i = 0; i < count(); ++i) v[i] = B{bytes + i, 1};
    return v;
  }

  /// Two bound datagram sockets: a sends, b receives (at b_addr).
  struct UdpPair {
    ScopedSocket a;
    ScopedSocket b;
    Address b_addr;
  };
  void udp_pair(UdpPair& u) {
    Address a_addr;
    for (auto [s, where] : {std::pair{&u.a, &a_addr}, std::pair{&u.b, &u.b_addr}}) {
      *s = make(family(), Category::datagram, SocketType::datagram, Protocol::udp);
      ASSERT_TRUE(*s);
      ASSERT_OK(s->bind(loopback()));
      ASSERT_OK(s->local_address(*where));
    }
  }

  /// A connected pair and count() bytes of @p seed's pattern to send, and room for
  /// them at the other end.
  struct StreamCase {
    Pair p;
    std::vector<std::uint8_t>* src = nullptr;
    std::vector<std::uint8_t>* dst = nullptr;
  };
  void stream_case(StreamCase& c, std::uint32_t seed) {
    ASSERT_NO_FATAL_FAILURE(FixtureBase::make_pair(c.p, loopback(), loopback()));
    c.src = &h.buffer(count());
    fill_pattern(*c.src, 0, seed);
    c.dst = &h.buffer(count());
  }
  void expect_pattern(const std::vector<std::uint8_t>& got, std::uint32_t seed) {
    const auto bad = pattern_mismatch(got, 0, seed);
    EXPECT_FALSE(bad.has_value()) << "content differs at offset " << *bad;
  }

  /// Receives one datagram into a single buffer and checks it is @p n pattern bytes.
  void expect_datagram(ScopedSocket& s, std::size_t n, std::uint32_t seed) {
    auto& in = h.buffer(n + 16);
    const Outcome r = h.run("receive_from (check)", [&](Irp* i) {
      return s->receive_from(in.data(), in.size(), nullptr, nullptr, i);
    });
    ASSERT_OK(r);
    ASSERT_EQ(r.information, n);
    in.resize(n);
    expect_pattern(in, seed);
  }
};

TEST_P(ScatterGather, StreamSendTakesEveryByteInOrder) {
  StreamCase c;
  ASSERT_NO_FATAL_FAILURE(stream_case(c, 31));
  auto& bufs = one_byte_buffers<ConstBuffer>(c.src->data());
  TestIrp& tx = h.irp("send");
  tx.issue([&](Irp* i) { return c.p.client->send(std::span<const ConstBuffer>(bufs), 0, i); });
  const Outcome r = h.run("receive (one buffer, waitall)", [&](Irp* i) {
    return c.p.server->receive(c.dst->data(), c.dst->size(), receive_flags::waitall, i);
  });
  const Outcome s = tx.wait();
  ASSERT_OK(s);
  EXPECT_EQ(s.information, count()) << "a stream send completes only when every byte is taken";
  ASSERT_OK(r);
  ASSERT_EQ(r.information, count());
  expect_pattern(*c.dst, 31);
}

TEST_P(ScatterGather, StreamReceiveFillsTheBuffersInOrder) {
  StreamCase c;
  ASSERT_NO_FATAL_FAILURE(stream_case(c, 32));
  auto& bufs = one_byte_buffers<MutableBuffer>(c.dst->data());
  ASSERT_OK(h.run("send (one buffer)",
                  [&](Irp* i) { return c.p.client->send(c.src->data(), c.src->size(), 0, i); }));
  // Without WAITALL a receive may return fewer bytes than it has room for: receive
  // into what is left until every byte is there (bounded by the byte count).
  std::size_t got = 0;
  for (std::size_t round = 0; got < count() && round < count(); ++round) {
    const std::span<const MutableBuffer> rest(bufs.data() + got, bufs.size() - got);
    const Outcome r = h.run("receive", [&](Irp* i) { return c.p.server->receive(rest, 0, i); });
    ASSERT_OK(r);
    ASSERT_GT(r.information, 0U) << "an early end of stream";
    got += r.information;
  }
  ASSERT_EQ(got, count());
  expect_pattern(*c.dst, 32);
}

TEST_P(ScatterGather, StreamWaitallReceiveFillsEveryBuffer) {
  StreamCase c;
  ASSERT_NO_FATAL_FAILURE(stream_case(c, 33));
  auto& bufs = one_byte_buffers<MutableBuffer>(c.dst->data());
  TestIrp& rx = h.irp("receive (waitall)");
  rx.issue([&](Irp* i) {
    return c.p.server->receive(std::span<const MutableBuffer>(bufs), receive_flags::waitall, i);
  });
  ASSERT_OK(h.run("send (one buffer)",
                  [&](Irp* i) { return c.p.client->send(c.src->data(), c.src->size(), 0, i); }));
  const Outcome r = rx.wait();
  ASSERT_OK(r);
  ASSERT_EQ(r.information, count());
  expect_pattern(*c.dst, 33);
}

TEST_P(ScatterGather, DatagramSendToGoesOutWholeOrIsRefused) {
  UdpPair u;
  ASSERT_NO_FATAL_FAILURE(udp_pair(u));
  auto& src = h.buffer(count());
  fill_pattern(src, 0, 34);
  auto& bufs = one_byte_buffers<ConstBuffer>(src.data());
  const Outcome s = h.run("send_to", [&](Irp* i) {
    return u.a->send_to(std::span<const ConstBuffer>(bufs), &u.b_addr, i);
  });
  if (over_limit()) {
    EXPECT_COMPLETES_WITH(s, status::invalid_parameter)
        << count() << " descriptors, more than max_datagram_buffers";
    EXPECT_EQ(s.information, 0U);
    // Nothing went out: the next datagram the peer sees is the marker.
    auto& marker = h.buffer(3);
    fill_pattern(marker, 0, 35);
    ASSERT_OK(h.run("send_to (marker)", [&](Irp* i) {
      return u.a->send_to(marker.data(), marker.size(), &u.b_addr, i);
    }));
    ASSERT_NO_FATAL_FAILURE(expect_datagram(u.b, marker.size(), 35));
    return;
  }
  ASSERT_OK(s);
  EXPECT_EQ(s.information, count());
  ASSERT_NO_FATAL_FAILURE(expect_datagram(u.b, count(), 34));
}

TEST_P(ScatterGather, DatagramReceiveFromTakesItWholeOrIsRefused) {
  UdpPair u;
  ASSERT_NO_FATAL_FAILURE(udp_pair(u));
  auto& src = h.buffer(count());
  fill_pattern(src, 0, 36);
  ASSERT_OK(h.run("send_to (one buffer)",
                  [&](Irp* i) { return u.a->send_to(src.data(), src.size(), &u.b_addr, i); }));
  auto& dst = h.buffer(count());
  auto& bufs = one_byte_buffers<MutableBuffer>(dst.data());
  Address& from = h.hold<Address>();
  unsigned& flags = h.hold<unsigned>(0xFFFFU);
  const Outcome r = h.run("receive_from", [&](Irp* i) {
    return u.b->receive_from(std::span<const MutableBuffer>(bufs), &from, &flags, i);
  });
  if (over_limit()) {
    EXPECT_COMPLETES_WITH(r, status::invalid_parameter)
        << count() << " descriptors, more than max_datagram_buffers";
    EXPECT_EQ(r.information, 0U);
    // Nothing was consumed: the datagram is still there, whole.
    ASSERT_NO_FATAL_FAILURE(expect_datagram(u.b, count(), 36));
    return;
  }
  ASSERT_OK(r) << "room for " << count() << " bytes in " << count() << " descriptors";
  ASSERT_EQ(r.information, count());
  EXPECT_EQ(flags & datagram_flags::truncated, 0U);
  Address a_addr;
  ASSERT_OK(u.a.local_address(a_addr));
  EXPECT_EQ(from, a_addr);
  expect_pattern(dst, 36);
}

std::vector<SgParam> sg_params() {
  std::vector<SgParam> out;
  for (const ProviderParam& p : provider_params()) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{64}, std::size_t{65},
                                max_datagram_buffers, max_datagram_buffers + 1}) {
      out.emplace_back(p, n);
    }
  }
  return out;
}

std::string sg_name(const ::testing::TestParamInfo<SgParam>& info) {
  const ProviderParam& p = std::get<0>(info.param);
  return sanitize_name(p.engine) + (p.family == AddressFamily::ipv6 ? "_IPv6_" : "_IPv4_") +
         std::to_string(std::get<1>(info.param));
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ScatterGather);
INSTANTIATE_TEST_SUITE_P(Providers, ScatterGather, ::testing::ValuesIn(sg_params()), sg_name);

}  // namespace
}  // namespace wskport::test
