// SPDX-License-Identifier: MIT
// wskport::Address, the platform-neutral part: factories, strict parsing, RFC 5952
// formatting, comparison. The native sockaddr conversions are tested per backend
// (address_native_test.cpp on POSIX).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "wskport/address.hpp"
#include "wskport/status.hpp"

namespace {

using wskport::Address;
using wskport::AddressFamily;
using wskport::NTSTATUS;
namespace status = wskport::status;

static_assert(std::is_trivially_copyable_v<Address>, "Address is documented as trivially copyable");

using Bytes16 = std::array<std::uint8_t, 16>;

// Groups written as in RFC text, so the expected bytes below are easy to read.
Bytes16 v6(std::array<std::uint16_t, 8> groups) {
  Bytes16 b{};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    b[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    b[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xFF);
  }
  return b;
}

// Used while test parameters are built, before any test runs, so it cannot assert;
// a failure leaves the unspecified address, which every comparison then rejects.
Address unix_address(std::string_view path) {
  Address a;
  static_cast<void>(Address::unix_path(path, a));
  return a;
}

// Something no parse in these tests produces, to see that failures leave it alone.
Address sentinel() { return Address::ipv4({9, 9, 9, 9}, 9999); }

// ---------------------------------------------------------------------------------
// Factories

TEST(AddressFactory, DefaultIsUnspecified) {
  const Address a;
  EXPECT_EQ(a.family(), AddressFamily::unspecified);
  EXPECT_EQ(a.port(), 0);
  EXPECT_FALSE(a.is_wildcard());
  EXPECT_EQ(a.to_string(), "unspecified");
  EXPECT_TRUE(a == Address());
}

TEST(AddressFactory, Ipv4) {
  const Address a = Address::ipv4({192, 0, 2, 7}, 8080);
  EXPECT_EQ(a.family(), AddressFamily::ipv4);
  EXPECT_EQ(a.port(), 8080);
  const Bytes16 expected{192, 0, 2, 7};
  EXPECT_EQ(a.ip_bytes(), expected);  // the other twelve bytes are zero
  EXPECT_EQ(a.scope_id(), 0U);
  EXPECT_EQ(a.flow_info(), 0U);
  EXPECT_TRUE(a.unix_path().empty());
}

TEST(AddressFactory, Ipv6WithScopeAndFlowInfo) {
  const Bytes16 bytes = v6({0xfe80, 0, 0, 0, 0, 0, 0, 1});
  const Address a = Address::ipv6(bytes, 443, 3, 0x12345);
  EXPECT_EQ(a.family(), AddressFamily::ipv6);
  EXPECT_EQ(a.port(), 443);
  EXPECT_EQ(a.ip_bytes(), bytes);
  EXPECT_EQ(a.scope_id(), 3U);
  EXPECT_EQ(a.flow_info(), 0x12345U);
}

TEST(AddressFactory, LoopbackAndAny) {
  EXPECT_EQ(Address::ipv4_loopback(1).to_string(), "127.0.0.1:1");
  EXPECT_EQ(Address::ipv4_any().to_string(), "0.0.0.0:0");
  EXPECT_EQ(Address::ipv6_loopback(2).to_string(), "[::1]:2");
  EXPECT_EQ(Address::ipv6_any(3).to_string(), "[::]:3");
  EXPECT_EQ(Address::ipv6_loopback().ip_bytes(), v6({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(Address::ipv4_loopback().port(), 0);
}

TEST(AddressFactory, SetPort) {
  Address a = Address::ipv4_loopback();
  a.set_port(65535);
  EXPECT_EQ(a.port(), 65535);
  EXPECT_EQ(a.to_string(), "127.0.0.1:65535");
}

TEST(AddressFactory, Wildcard) {
  EXPECT_TRUE(Address::ipv4_any(80).is_wildcard());
  EXPECT_TRUE(Address::ipv6_any(80).is_wildcard());
  EXPECT_FALSE(Address::ipv4_loopback().is_wildcard());
  EXPECT_FALSE(Address::ipv6_loopback().is_wildcard());
  // ::ffff:0.0.0.0 is an address, not the IPv6 wildcard.
  EXPECT_FALSE(Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0, 0}), 0).is_wildcard());
  EXPECT_FALSE(unix_address("/tmp/x").is_wildcard());
}

TEST(AddressUnixPath, FilesystemPath) {
  Address a;
  ASSERT_EQ(Address::unix_path("/tmp/wskport.sock", a), status::success);
  EXPECT_EQ(a.family(), AddressFamily::unix_domain);
  EXPECT_EQ(a.unix_path(), "/tmp/wskport.sock");
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.to_string(), "unix:/tmp/wskport.sock");
}

TEST(AddressUnixPath, AbstractName) {
  const std::string_view name("\0wskport", 8);
  Address a;
  ASSERT_EQ(Address::unix_path(name, a), status::success);
  EXPECT_EQ(a.unix_path(), name);
  EXPECT_EQ(a.to_string(), "unix:@wskport");
}

TEST(AddressUnixPath, EmptyIsInvalidParameter) {
  Address a = sentinel();
  EXPECT_EQ(Address::unix_path("", a), status::invalid_parameter);
  EXPECT_TRUE(a == sentinel());
}

TEST(AddressUnixPath, FilesystemPathLimitLeavesRoomForTheNul) {
  const std::string longest(Address::max_unix_path - 1, 'p');
  Address a;
  ASSERT_EQ(Address::unix_path(longest, a), status::success);
  EXPECT_EQ(a.unix_path(), longest);

  Address b = sentinel();
  EXPECT_EQ(Address::unix_path(longest + "p", b), status::name_too_long);
  EXPECT_TRUE(b == sentinel());
  EXPECT_EQ(Address::unix_path(std::string(1000, 'p'), b), status::name_too_long);
}

TEST(AddressUnixPath, AbstractNameMayUseEveryByte) {
  std::string name(Address::max_unix_path, 'a');
  name[0] = '\0';
  Address a;
  ASSERT_EQ(Address::unix_path(name, a), status::success);
  EXPECT_EQ(a.unix_path(), name);

  Address b = sentinel();
  EXPECT_EQ(Address::unix_path(name + "a", b), status::name_too_long);
  EXPECT_TRUE(b == sentinel());
}

TEST(AddressUnixPath, EmbeddedNulInFilesystemPathIsRejected) {
  Address a = sentinel();
  EXPECT_EQ(Address::unix_path(std::string_view("/tmp/a\0b", 8), a), status::invalid_parameter);
  EXPECT_TRUE(a == sentinel());
}

// ---------------------------------------------------------------------------------
// Parsing: accepted texts

struct Accept {
  std::string_view text;
  Address expected;
};

void PrintTo(const Accept& p, std::ostream* os) { *os << '"' << p.text << '"'; }

class ParseAccepts : public ::testing::TestWithParam<Accept> {};

TEST_P(ParseAccepts, GivesTheExpectedAddress) {
  Address out = sentinel();
  ASSERT_EQ(Address::parse(GetParam().text, out), status::success);
  EXPECT_TRUE(out == GetParam().expected)
      << out.to_string() << " vs " << GetParam().expected.to_string();
  EXPECT_EQ(out.family(), GetParam().expected.family());
  EXPECT_EQ(out.ip_bytes(), GetParam().expected.ip_bytes());
  EXPECT_EQ(out.scope_id(), GetParam().expected.scope_id());
  EXPECT_EQ(out.flow_info(), 0U);
}

// One row per line reads better than bin-packed rows.
// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Table, ParseAccepts,
    ::testing::Values(
        Accept{"0.0.0.0", Address::ipv4_any()},
        Accept{"127.0.0.1", Address::ipv4_loopback()},
        Accept{"10.0.0.1:80", Address::ipv4({10, 0, 0, 1}, 80)},
        Accept{"1.2.3.4:0", Address::ipv4({1, 2, 3, 4}, 0)},
        Accept{"255.255.255.255:65535", Address::ipv4({255, 255, 255, 255}, 65535)},
        Accept{"100.64.0.10:8", Address::ipv4({100, 64, 0, 10}, 8)},
        Accept{"::", Address::ipv6_any()},
        Accept{"::1", Address::ipv6_loopback()},
        Accept{"[::1]:80", Address::ipv6_loopback(80)},
        Accept{"[::]:0", Address::ipv6_any()},
        Accept{"[fe80::1%2]:443", Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 443, 2)},
        Accept{"[fe80::1%4294967295]:1",
               Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 1, 4294967295U)},
        Accept{"[fe80::1%0]:1", Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 1)},
        Accept{"fe80::1%7", Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 0, 7)},
        Accept{"::ffff:1.2.3.4", Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}), 0)},
        Accept{"[::ffff:192.168.0.1]:8080",
               Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0001}), 8080)},
        Accept{"::1.2.3.4", Address::ipv6(v6({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}), 0)},
        Accept{"64:ff9b::192.0.2.33",
               Address::ipv6(v6({0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221}), 0)},
        Accept{"1:2:3:4:5:6:1.2.3.4", Address::ipv6(v6({1, 2, 3, 4, 5, 6, 0x0102, 0x0304}), 0)},
        Accept{"2001:DB8::1", Address::ipv6(v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), 0)},
        Accept{"2001:0db8:0000:0000:0000:0000:0000:0001",
               Address::ipv6(v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), 0)},
        Accept{"1:2:3:4:5:6:7:8", Address::ipv6(v6({1, 2, 3, 4, 5, 6, 7, 8}), 0)},
        Accept{"1:2:3:4:5:6:7::", Address::ipv6(v6({1, 2, 3, 4, 5, 6, 7, 0}), 0)},
        Accept{"::2:3:4:5:6:7:8", Address::ipv6(v6({0, 2, 3, 4, 5, 6, 7, 8}), 0)},
        Accept{"1::", Address::ipv6(v6({1, 0, 0, 0, 0, 0, 0, 0}), 0)},
        Accept{"1::8", Address::ipv6(v6({1, 0, 0, 0, 0, 0, 0, 8}), 0)},
        Accept{"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
               Address::ipv6(v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}),
                             65535)},
        Accept{"unix:/tmp/sock", unix_address("/tmp/sock")},
        Accept{"unix:relative.sock", unix_address("relative.sock")},
        Accept{"unix:@abstract", unix_address(std::string_view("\0abstract", 9))},
        Accept{"unix:@", unix_address(std::string_view("\0", 1))}));
// clang-format on

TEST(AddressParse, LongestUnixPathsFit) {
  const std::string path = "/" + std::string(Address::max_unix_path - 2, 'x');  // 107
  Address a;
  ASSERT_EQ(Address::parse("unix:" + path, a), status::success);
  EXPECT_EQ(a.unix_path(), path);

  const std::string name(Address::max_unix_path - 1, 'y');  // '@' + 107 = 108 bytes
  ASSERT_EQ(Address::parse("unix:@" + name, a), status::success);
  EXPECT_EQ(a.unix_path(), std::string(1, '\0') + name);
}

// ---------------------------------------------------------------------------------
// Parsing: rejected texts

class ParseRejects : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ParseRejects, WithInvalidParameterAndOutUnchanged) {
  Address out = sentinel();
  EXPECT_EQ(Address::parse(GetParam(), out), status::invalid_parameter);
  EXPECT_TRUE(out == sentinel()) << out.to_string();
  EXPECT_EQ(out.family(), AddressFamily::ipv4);
  EXPECT_EQ(out.port(), 9999);
}

INSTANTIATE_TEST_SUITE_P(Malformed, ParseRejects,
                         ::testing::Values("", " ", "x", "localhost", "a.b.c.d", " 1.2.3.4",
                                           "1.2.3.4 ", "1.2.3.4\n",
                                           std::string_view("1.2.3.4\0", 8), "1.2.3", "1.2.3.",
                                           ".1.2.3", "1..2.3", "1.2.3.4.", "1.2.3.4.5",
                                           "1.2.3.4/24", "-1.2.3.4", "+1.2.3.4", "1.2.3.0x4",
                                           "0x7f.0.0.1", "127.1", "2130706433"));

INSTANTIATE_TEST_SUITE_P(Ipv4LeadingZerosAndRange, ParseRejects,
                         ::testing::Values("01.2.3.4", "1.02.3.4", "1.2.3.04", "1.2.3.00",
                                           "00.0.0.0", "010.0.0.1", "1.2.3.256", "256.0.0.0",
                                           "1.2.3.1000", "1.2.3.99999999999999999999"));

INSTANTIATE_TEST_SUITE_P(Ports, ParseRejects,
                         ::testing::Values("1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:99999",
                                           "1.2.3.4:123456", "1.2.3.4:4294967376", "1.2.3.4:-1",
                                           "1.2.3.4:+80", "1.2.3.4:080", "1.2.3.4:00",
                                           "1.2.3.4:0x50", "1.2.3.4:80:80", "1.2.3.4:80 ",
                                           "1.2.3.4: 80", "1.2.3.4::80", "[::1]:", "[::1]:65536",
                                           "[::1]:x", "[::1]:080", "[::1]:-1", "[::1]:80:80"));

INSTANTIATE_TEST_SUITE_P(Brackets, ParseRejects,
                         ::testing::Values("[::1", "[::1:80", "::1]:80", "::1]", "[::1]", "[::1]80",
                                           "[[::1]]:80", "[]:80", "[1.2.3.4]:80", "[unix:/x]:1",
                                           "[::1]]:80", "[ ::1]:80"));

INSTANTIATE_TEST_SUITE_P(
    Ipv6Grammar, ParseRejects,
    ::testing::Values(":", ":::", "::::", "1::2::3", "::1::", "1:2:3:4:5:6:7:8:9",
                      "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7",
                      "12345::", "1:00000::", "g::1", "::g", ":1::", ":1:2:3:4:5:6:7:8",
                      "1::2:", "1:2:3:4:5:6:7:8:", "1 ::2", "::ffff:1.2.3", "::ffff:1.2.3.4.5",
                      "::ffff:01.2.3.4", "::ffff:1.2.3.256", "::1.2.3.4:5",
                      "::1.2.3.4::", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4",
                      "1:2:3:4:5:6:7:8:1.2.3.4", "::ffff:1.2.3.4%", "fe80::1%"));

INSTANTIATE_TEST_SUITE_P(Scopes, ParseRejects,
                         ::testing::Values("[fe80::1%]:80", "[fe80::1%eth0]:80", "[fe80::1%-1]:80",
                                           "[fe80::1%+1]:80", "[fe80::1%01]:80",
                                           "[fe80::1%4294967296]:80", "[fe80::1%99999999999]:80",
                                           "[fe80::1%1%2]:80", "[fe80::1% 1]:80", "fe80::1%lo",
                                           "1.2.3.4%1", "[%1]:80", "[fe80::1%1]"));

INSTANTIATE_TEST_SUITE_P(Unix, ParseRejects,
                         ::testing::Values("unix:", "unix", "unix/tmp/x", "UNIX:/tmp/x",
                                           " unix:/tmp/x", std::string_view("unix:/tmp/a\0b", 13),
                                           std::string_view("unix:@a\0b", 9)));

TEST(AddressParse, TooLongUnixPathsAreInvalidParameter) {
  Address out = sentinel();
  const std::string path = "/" + std::string(Address::max_unix_path - 1, 'x');  // 108
  EXPECT_EQ(Address::parse("unix:" + path, out), status::invalid_parameter);
  const std::string name(Address::max_unix_path, 'y');  // 109 bytes with the NUL
  EXPECT_EQ(Address::parse("unix:@" + name, out), status::invalid_parameter);
  EXPECT_EQ(Address::parse("unix:" + std::string(5000, 'z'), out), status::invalid_parameter);
  EXPECT_TRUE(out == sentinel());
}

// ---------------------------------------------------------------------------------
// Formatting

struct Formatted {
  Address address;
  std::string_view text;
};

void PrintTo(const Formatted& p, std::ostream* os) { *os << '"' << p.text << '"'; }

class FormatCanonical : public ::testing::TestWithParam<Formatted> {};

TEST_P(FormatCanonical, PrintsTheCanonicalText) {
  EXPECT_EQ(GetParam().address.to_string(), GetParam().text);
  std::array<char, 256> buffer{};
  const std::size_t n = GetParam().address.format(buffer.data(), buffer.size());
  EXPECT_EQ(std::string_view(buffer.data(), n), GetParam().text);
  EXPECT_EQ(buffer[n], '\0');
}

TEST_P(FormatCanonical, ParsesBackToTheSameAddress) {
  Address back;
  ASSERT_EQ(Address::parse(GetParam().text, back), status::success) << GetParam().text;
  EXPECT_TRUE(back == GetParam().address) << back.to_string();
  EXPECT_EQ(back.to_string(), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Ipv4, FormatCanonical,
                         ::testing::Values(Formatted{Address::ipv4_loopback(80), "127.0.0.1:80"},
                                           Formatted{Address::ipv4_any(), "0.0.0.0:0"},
                                           Formatted{Address::ipv4({255, 255, 255, 255}, 65535),
                                                     "255.255.255.255:65535"},
                                           Formatted{Address::ipv4({10, 0, 100, 9}, 1),
                                                     "10.0.100.9:1"}));

// RFC 5952 section 4 and its examples.
INSTANTIATE_TEST_SUITE_P(
    Ipv6Compression, FormatCanonical,
    ::testing::Values(
        Formatted{Address::ipv6_loopback(80), "[::1]:80"}, Formatted{Address::ipv6_any(), "[::]:0"},
        Formatted{Address::ipv6(v6({0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}), 1), "[2001:db8::2:1]:1"},
        // One zero group is not compressed (4.2.2).
        Formatted{Address::ipv6(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}), 1),
                  "[2001:db8:0:1:1:1:1:1]:1"},
        // The longest run wins (4.2.3)...
        Formatted{Address::ipv6(v6({0x2001, 0, 0, 1, 0, 0, 0, 1}), 1), "[2001:0:0:1::1]:1"},
        // ...and the first on a tie.
        Formatted{Address::ipv6(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), 1), "[2001:db8::1:0:0:1]:1"},
        Formatted{Address::ipv6(v6({1, 0, 0, 0, 0, 0, 0, 0}), 2), "[1::]:2"},
        Formatted{Address::ipv6(v6({1, 0, 0, 0, 0, 0, 0, 1}), 2), "[1::1]:2"},
        Formatted{Address::ipv6(v6({0, 2, 3, 4, 5, 6, 7, 8}), 2), "[0:2:3:4:5:6:7:8]:2"},
        Formatted{Address::ipv6(v6({1, 2, 3, 4, 5, 6, 7, 0}), 2), "[1:2:3:4:5:6:7:0]:2"},
        Formatted{Address::ipv6(v6({0, 1, 0, 1, 0, 1, 0, 1}), 2), "[0:1:0:1:0:1:0:1]:2"},
        Formatted{Address::ipv6(v6({0, 0, 1, 0, 0, 0, 1, 0}), 2), "[0:0:1::1:0]:2"},
        // Lower case, no leading zeros (4.1, 4.3).
        Formatted{Address::ipv6(v6({0x2001, 0x0db8, 0xabcd, 0x0012, 0, 0, 0, 0x00f0}), 3),
                  "[2001:db8:abcd:12::f0]:3"},
        Formatted{
            Address::ipv6(v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}),
                          65535),
            "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"},
        // IPv4-mapped in mixed notation (section 5); other embeddings stay hex.
        Formatted{Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}), 4),
                  "[::ffff:1.2.3.4]:4"},
        Formatted{Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0, 0}), 4), "[::ffff:0.0.0.0]:4"},
        Formatted{Address::ipv6(v6({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}), 4), "[::102:304]:4"},
        Formatted{Address::ipv6(v6({0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221}), 4),
                  "[64:ff9b::c000:221]:4"}));

INSTANTIATE_TEST_SUITE_P(
    Ipv6Scope, FormatCanonical,
    ::testing::Values(Formatted{Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 80, 2),
                                "[fe80::1%2]:80"},
                      Formatted{Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 80, 4294967295U),
                                "[fe80::1%4294967295]:80"}));

INSTANTIATE_TEST_SUITE_P(Unix, FormatCanonical,
                         ::testing::Values(Formatted{unix_address("/tmp/s"), "unix:/tmp/s"},
                                           Formatted{unix_address("rel"), "unix:rel"},
                                           Formatted{unix_address(std::string_view("\0name", 5)),
                                                     "unix:@name"}));

TEST(AddressFormat, ParseCanonicalises) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"2001:DB8:0:0:0:0:0:1", "[2001:db8::1]:0"},
      {"2001:0db8::0001", "[2001:db8::1]:0"},
      {"0:0:0:0:0:0:0:0", "[::]:0"},
      {"[0:0:0:0:0:0:0:1]:80", "[::1]:80"},
      {"::FFFF:10.1.2.3", "[::ffff:10.1.2.3]:0"},
      {"::ffff:a01:203", "[::ffff:10.1.2.3]:0"},
      {"[fe80::1%0]:5", "[fe80::1]:5"},
      {"1.2.3.4", "1.2.3.4:0"},
  };
  for (const auto& [in, out] : cases) {
    Address a;
    ASSERT_EQ(Address::parse(in, a), status::success) << in;
    EXPECT_EQ(a.to_string(), out) << in;
  }
}

TEST(AddressFormat, AbstractNameWithNulPrintsAt) {
  EXPECT_EQ(unix_address(std::string_view("\0a\0b", 4)).to_string(), "unix:@a@b");
}

TEST(AddressFormat, LongestFormsFitToString) {
  const Address v6max =
      Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff}), 65535, 4294967295U);
  EXPECT_EQ(v6max.to_string(), "[::ffff:255.255.255.255%4294967295]:65535");
  std::string name(Address::max_unix_path, 'n');
  name[0] = '\0';
  EXPECT_EQ(unix_address(name).to_string(), "unix:@" + name.substr(1));
}

TEST(AddressFormat, TruncatesSafely) {
  const Address a = Address::ipv6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 1}), 80, 2);
  const std::string full = "[fe80::1%2]:80";
  for (std::size_t size = 1; size <= full.size() + 2; ++size) {
    SCOPED_TRACE(size);
    std::array<char, 64> buffer{};
    buffer.fill('#');
    const std::size_t n = a.format(buffer.data(), size);
    const std::size_t expected = std::min(size - 1, full.size());
    EXPECT_EQ(n, expected);
    EXPECT_EQ(std::string(buffer.data(), n), full.substr(0, expected));
    EXPECT_EQ(buffer[n], '\0');
    for (std::size_t i = size; i < buffer.size(); ++i) {
      ASSERT_EQ(buffer[i], '#') << "wrote at " << i;
    }
  }
  char c = '#';
  EXPECT_EQ(a.format(&c, 0), 0U);
  EXPECT_EQ(c, '#');
  EXPECT_EQ(a.format(nullptr, 0), 0U);
}

// ---------------------------------------------------------------------------------
// Comparison

TEST(AddressEquality, ComparesFamilyAndMeaningfulFields) {
  EXPECT_TRUE(Address::ipv4_loopback(80) == Address::ipv4({127, 0, 0, 1}, 80));
  EXPECT_FALSE(Address::ipv4_loopback(80) == Address::ipv4_loopback(81));
  EXPECT_FALSE(Address::ipv4_loopback(80) == Address::ipv4({127, 0, 0, 2}, 80));
  EXPECT_FALSE(Address::ipv4_any() == Address::ipv6_any());
  EXPECT_FALSE(Address::ipv4_any() == Address());

  const Bytes16 ll = v6({0xfe80, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_TRUE(Address::ipv6(ll, 1, 2) == Address::ipv6(ll, 1, 2));
  EXPECT_FALSE(Address::ipv6(ll, 1, 2) == Address::ipv6(ll, 1, 3));  // scope matters
  EXPECT_FALSE(Address::ipv6(ll, 1, 2) == Address::ipv6(ll, 2, 2));
  // Flow info labels traffic, it does not name an endpoint.
  EXPECT_TRUE(Address::ipv6(ll, 1, 2, 5) == Address::ipv6(ll, 1, 2, 6));

  // The same four bytes as IPv4 and IPv4-mapped IPv6 are different addresses.
  EXPECT_FALSE(Address::ipv4({1, 2, 3, 4}, 0) ==
               Address::ipv6(v6({0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}), 0));
}

TEST(AddressEquality, UnixPaths) {
  EXPECT_TRUE(unix_address("/a") == unix_address("/a"));
  EXPECT_FALSE(unix_address("/a") == unix_address("/b"));
  EXPECT_FALSE(unix_address("/a") == unix_address("/a/"));
  EXPECT_FALSE(unix_address("a") == unix_address(std::string_view("\0a", 2)));
  EXPECT_FALSE(unix_address("/a") == Address::ipv4_any());
}

}  // namespace
