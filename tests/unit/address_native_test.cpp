// SPDX-License-Identifier: MIT
// Address <-> native sockaddr on POSIX (posix/address_native.cpp): round trips for
// every family, and the documented status for every malformed input.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "wskport/address.hpp"
#include "wskport/status.hpp"

namespace {

using wskport::Address;
using wskport::AddressFamily;
namespace status = wskport::status;

constexpr std::size_t kSunPathOffset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t kFamilyEnd = offsetof(sockaddr, sa_family) + sizeof(sa_family_t);

using Buffer = std::array<unsigned char, Address::max_native_size + 16>;

Address sentinel() { return Address::ipv4({9, 9, 9, 9}, 9999); }

// Writes @p family where a sockaddr keeps it, whatever the platform's layout.
void put_family(unsigned char* p, sa_family_t family) {
  std::memcpy(p + offsetof(sockaddr, sa_family), &family, sizeof(family));
}

void expect_rejected(const void* sa, std::size_t length, wskport::NTSTATUS expected) {
  Address out = sentinel();
  EXPECT_EQ(Address::from_native(sa, length, out), expected);
  EXPECT_TRUE(out == sentinel()) << "out changed to " << out.to_string();
}

// ---------------------------------------------------------------------------------
// Round trips

TEST(AddressNative, Ipv4RoundTrip) {
  const Address a = Address::ipv4({192, 0, 2, 33}, 8080);
  Buffer buffer{};
  const std::size_t n = a.to_native(buffer.data(), buffer.size());
  ASSERT_EQ(n, sizeof(sockaddr_in));

  sockaddr_in sin{};
  std::memcpy(&sin, buffer.data(), sizeof(sin));
  EXPECT_EQ(sin.sin_family, AF_INET);
  EXPECT_EQ(ntohs(sin.sin_port), 8080);
  EXPECT_EQ(ntohl(sin.sin_addr.s_addr), 0xC0000221U);

  Address back;
  ASSERT_EQ(Address::from_native(buffer.data(), n, back), status::success);
  EXPECT_TRUE(back == a);
  EXPECT_EQ(back.family(), AddressFamily::ipv4);
  EXPECT_EQ(back.to_string(), "192.0.2.33:8080");
}

TEST(AddressNative, Ipv6RoundTripKeepsScopeAndFlowInfo) {
  std::array<std::uint8_t, 16> bytes{0xfe, 0x80};
  bytes[15] = 0x42;
  const Address a = Address::ipv6(bytes, 443, 7, 0xABCDE);
  Buffer buffer{};
  const std::size_t n = a.to_native(buffer.data(), buffer.size());
  ASSERT_EQ(n, sizeof(sockaddr_in6));

  sockaddr_in6 sin6{};
  std::memcpy(&sin6, buffer.data(), sizeof(sin6));
  EXPECT_EQ(sin6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(sin6.sin6_port), 443);
  EXPECT_EQ(sin6.sin6_scope_id, 7U);
  // The native field is in network order; the Address keeps the number.
  EXPECT_EQ(ntohl(sin6.sin6_flowinfo), 0xABCDEU);
  EXPECT_EQ(std::memcmp(&sin6.sin6_addr, bytes.data(), 16), 0);

  Address back;
  ASSERT_EQ(Address::from_native(buffer.data(), n, back), status::success);
  EXPECT_TRUE(back == a);
  EXPECT_EQ(back.scope_id(), 7U);
  EXPECT_EQ(back.flow_info(), 0xABCDEU);
  EXPECT_EQ(back.ip_bytes(), bytes);
  EXPECT_EQ(back.to_string(), "[fe80::42%7]:443");
}

TEST(AddressNative, Ipv6FromKernelStruct) {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(5353);
  ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr), 1);
  Address a;
  ASSERT_EQ(Address::from_native(&sin6, sizeof(sin6), a), status::success);
  EXPECT_EQ(a.to_string(), "[2001:db8::5]:5353");
  EXPECT_EQ(a.scope_id(), 0U);
  EXPECT_EQ(a.flow_info(), 0U);
}

TEST(AddressNative, UnixPathRoundTrip) {
  Address a;
  ASSERT_EQ(Address::unix_path("/tmp/wskport-test.sock", a), status::success);
  Buffer buffer{};
  buffer.fill(0xEE);
  const std::size_t n = a.to_native(buffer.data(), buffer.size());
  // The family, the path and its NUL: what bind(2) is given for a filesystem path.
  ASSERT_EQ(n, kSunPathOffset + std::strlen("/tmp/wskport-test.sock") + 1);

  sockaddr_un sun{};
  std::memcpy(&sun, buffer.data(), n);
  EXPECT_EQ(sun.sun_family, AF_UNIX);
  EXPECT_STREQ(sun.sun_path, "/tmp/wskport-test.sock");
  EXPECT_EQ(buffer[n], 0xEE) << "wrote past the returned length";

  Address back;
  ASSERT_EQ(Address::from_native(buffer.data(), n, back), status::success);
  EXPECT_TRUE(back == a);
  EXPECT_EQ(back.unix_path(), "/tmp/wskport-test.sock");
}

TEST(AddressNative, UnixPathFromFullSizeStruct) {
  // getsockname and accept may report sizeof(sockaddr_un); the path ends at its NUL.
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, "/run/x.sock", 11);
  Address a;
  ASSERT_EQ(Address::from_native(&sun, sizeof(sun), a), status::success);
  EXPECT_EQ(a.unix_path(), "/run/x.sock");
}

TEST(AddressNative, UnixPathFillingSunPath) {
  // Linux binds a path of all sizeof(sun_path) bytes without a NUL, and reports it
  // with a length one past the struct (unix(7)).
  Buffer buffer{};
  put_family(buffer.data(), AF_UNIX);
  const std::string path(sizeof(sockaddr_un::sun_path), 'q');
  std::memcpy(buffer.data() + kSunPathOffset, path.data(), path.size());
  Address a;
  ASSERT_EQ(Address::from_native(buffer.data(), sizeof(sockaddr_un) + 1, a), status::success);
  EXPECT_EQ(a.unix_path(), path);
  ASSERT_EQ(Address::from_native(buffer.data(), sizeof(sockaddr_un), a), status::success);
  EXPECT_EQ(a.unix_path(), path);

  Buffer out{};
  EXPECT_EQ(a.to_native(out.data(), out.size()), sizeof(sockaddr_un));
  EXPECT_EQ(std::memcmp(out.data() + kSunPathOffset, path.data(), path.size()), 0);
}

TEST(AddressNative, AbstractRoundTrip) {
  const std::string_view name("\0wskport-abstract", 17);
  Address a;
  ASSERT_EQ(Address::unix_path(name, a), status::success);
  Buffer buffer{};
  const std::size_t n = a.to_native(buffer.data(), buffer.size());
  // No NUL terminator: the length alone delimits an abstract name.
  ASSERT_EQ(n, kSunPathOffset + name.size());
  EXPECT_EQ(std::memcmp(buffer.data() + kSunPathOffset, name.data(), name.size()), 0);

  Address back;
  ASSERT_EQ(Address::from_native(buffer.data(), n, back), status::success);
  EXPECT_TRUE(back == a);
  EXPECT_EQ(back.unix_path(), name);
  EXPECT_EQ(back.to_string(), "unix:@wskport-abstract");
}

TEST(AddressNative, AbstractNameKeepsInnerNulsAndUsesEveryByte) {
  std::string name(sizeof(sockaddr_un::sun_path), 'z');
  name[0] = '\0';
  name[5] = '\0';
  Address a;
  ASSERT_EQ(Address::unix_path(name, a), status::success);
  Buffer buffer{};
  const std::size_t n = a.to_native(buffer.data(), buffer.size());
  ASSERT_EQ(n, sizeof(sockaddr_un));
  Address back;
  ASSERT_EQ(Address::from_native(buffer.data(), n, back), status::success);
  EXPECT_EQ(back.unix_path(), name);
}

TEST(AddressNative, UnnamedUnixSocket) {
  // accept() and getpeername() report an unbound AF_UNIX peer with the family only.
  Buffer buffer{};
  put_family(buffer.data(), AF_UNIX);
  Address a;
  ASSERT_EQ(Address::from_native(buffer.data(), kSunPathOffset, a), status::success);
  EXPECT_EQ(a.family(), AddressFamily::unix_domain);
  EXPECT_TRUE(a.unix_path().empty());
  EXPECT_EQ(a.to_string(), "unix:");

  Buffer out{};
  EXPECT_EQ(a.to_native(out.data(), out.size()), kSunPathOffset);
}

TEST(AddressNative, UnalignedInput) {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(1);
  sin6.sin6_scope_id = 3;
  sin6.sin6_addr.s6_addr[15] = 1;
  Buffer buffer{};
  std::memcpy(buffer.data() + 1, &sin6, sizeof(sin6));
  Address a;
  ASSERT_EQ(Address::from_native(buffer.data() + 1, sizeof(sin6), a), status::success);
  EXPECT_EQ(a.to_string(), "[::1%3]:1");

  Buffer out{};
  ASSERT_EQ(a.to_native(out.data() + 3, out.size() - 3), sizeof(sin6));
  EXPECT_EQ(std::memcmp(out.data() + 3, &sin6, sizeof(sin6)), 0);
}

TEST(AddressNative, LongerLengthThanTheStructIsAccepted) {
  // Callers often pass a sockaddr_storage and its size.
  sockaddr_storage ss{};
  Buffer buffer{};
  const std::size_t n = Address::ipv4_loopback(7).to_native(buffer.data(), buffer.size());
  std::memcpy(&ss, buffer.data(), n);
  Address a;
  ASSERT_EQ(Address::from_native(&ss, sizeof(ss), a), status::success);
  EXPECT_TRUE(a == Address::ipv4_loopback(7));
}

// ---------------------------------------------------------------------------------
// Malformed input

TEST(AddressNative, NullIsInvalidParameter) {
  expect_rejected(nullptr, sizeof(sockaddr_in), status::invalid_parameter);
  expect_rejected(nullptr, 0, status::invalid_parameter);
}

TEST(AddressNative, ShorterThanTheFamilyIsInvalidParameter) {
  Buffer buffer{};
  put_family(buffer.data(), AF_INET);
  expect_rejected(buffer.data(), 0, status::invalid_parameter);
  expect_rejected(buffer.data(), 1, status::invalid_parameter);
  expect_rejected(buffer.data(), kFamilyEnd - 1, status::invalid_parameter);
}

TEST(AddressNative, ShortSockaddrInIsInvalidAddress) {
  Buffer buffer{};
  Address::ipv4_loopback(1).to_native(buffer.data(), buffer.size());
  expect_rejected(buffer.data(), sizeof(sockaddr_in) - 1, status::invalid_address);  // 15
  expect_rejected(buffer.data(), kFamilyEnd, status::invalid_address);
  expect_rejected(buffer.data(), 8, status::invalid_address);
}

TEST(AddressNative, ShortSockaddrIn6IsInvalidAddress) {
  Buffer buffer{};
  Address::ipv6_loopback(1).to_native(buffer.data(), buffer.size());
  expect_rejected(buffer.data(), sizeof(sockaddr_in6) - 1, status::invalid_address);
  // The RFC 2133 sockaddr_in6 had no scope id: 24 bytes.
  expect_rejected(buffer.data(), 24, status::invalid_address);
  expect_rejected(buffer.data(), sizeof(sockaddr_in), status::invalid_address);
  expect_rejected(buffer.data(), kFamilyEnd, status::invalid_address);
}

TEST(AddressNative, UnknownFamilyIsInvalidAddress) {
  Buffer buffer{};
  put_family(buffer.data(), static_cast<sa_family_t>(0xdead));
  expect_rejected(buffer.data(), buffer.size(), status::invalid_address);
  expect_rejected(buffer.data(), kFamilyEnd, status::invalid_address);

  put_family(buffer.data(), AF_UNSPEC);
  expect_rejected(buffer.data(), sizeof(sockaddr_in6), status::invalid_address);
}

// ---------------------------------------------------------------------------------
// to_native limits

TEST(AddressNative, UnspecifiedWritesNothing) {
  Buffer buffer{};
  buffer.fill(0xEE);
  EXPECT_EQ(Address().to_native(buffer.data(), buffer.size()), 0U);
  EXPECT_EQ(buffer[0], 0xEE);
}

TEST(AddressNative, NullOutputWritesNothing) {
  EXPECT_EQ(Address::ipv4_loopback().to_native(nullptr, 128), 0U);
}

TEST(AddressNative, TooSmallCapacityWritesNothing) {
  Address path;
  ASSERT_EQ(Address::unix_path("/tmp/x", path), status::success);
  const struct {
    Address address;
    std::size_t needed;
  } cases[] = {
      {Address::ipv4_loopback(1), sizeof(sockaddr_in)},
      {Address::ipv6_loopback(1), sizeof(sockaddr_in6)},
      {path, kSunPathOffset + 7},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.address.to_string());
    Buffer buffer{};
    buffer.fill(0xEE);
    EXPECT_EQ(c.address.to_native(buffer.data(), c.needed - 1), 0U);
    EXPECT_EQ(c.address.to_native(buffer.data(), 0), 0U);
    for (const unsigned char b : buffer) {
      ASSERT_EQ(b, 0xEE);
    }
    EXPECT_EQ(c.address.to_native(buffer.data(), c.needed), c.needed);
  }
}

TEST(AddressNative, MaxNativeSizeIsAlwaysEnough) {
  std::string name(sizeof(sockaddr_un::sun_path), 'm');
  name[0] = '\0';
  Address longest_abstract;
  ASSERT_EQ(Address::unix_path(name, longest_abstract), status::success);
  Address longest_path;
  ASSERT_EQ(Address::unix_path(std::string(Address::max_unix_path - 1, 'p'), longest_path),
            status::success);
  for (const Address& a :
       {Address::ipv4_any(), Address::ipv6_any(), longest_abstract, longest_path}) {
    std::array<unsigned char, Address::max_native_size> buffer{};
    EXPECT_NE(a.to_native(buffer.data(), buffer.size()), 0U) << a.to_string();
  }
}

}  // namespace
