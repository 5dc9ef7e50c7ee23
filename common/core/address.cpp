// SPDX-License-Identifier: MIT
// The platform-neutral half of wskport::Address: factories, text parsing and
// formatting, comparison. The native sockaddr conversions live in the backends
// (posix/address_native.cpp, wsk_shim/), because sockaddr layouts and AF_* numbers
// differ per platform.
//
// The parser is written by hand rather than over inet_pton: inet_pton is a platform
// function (ws2_32 on Windows), its strictness differs between libcs (glibc accepts
// no leading zeros, older BSDs read them as octal), and the scope and port syntax
// would need a second parser anyway.
#include "wskport/address.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wskport {
namespace {

using Ipv6Bytes = std::array<std::uint8_t, 16>;

// ---------------------------------------------------------------------------------
// Text output

// Appends to a caller-provided buffer, always leaving room for the NUL, and drops
// whatever does not fit, so format() can be called on a fixed stack buffer from a
// completion routine without a size pre-pass.
class Writer {
 public:
  Writer(char* out, std::size_t size) noexcept : out_(out), size_(size) {}

  void put(char c) noexcept {
    if (out_ != nullptr && used_ + 1 < size_) {
      out_[used_++] = c;
    }
  }
  void put(std::string_view s) noexcept {
    for (const char c : s) {
      put(c);
    }
  }
  void put_decimal(std::uint32_t v) noexcept {
    std::array<char, 10> digits{};  // 4294967295 has ten digits
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10U);
      v /= 10U;
    } while (v != 0U);
    while (n != 0) {
      put(digits[--n]);
    }
  }
  // RFC 5952 section 4.1 and 4.3: no leading zeros, lower-case.
  void put_hex16(std::uint16_t v) noexcept {
    constexpr std::string_view hex = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (static_cast<unsigned>(v) >> static_cast<unsigned>(shift)) & 0xFU;
      if (nibble != 0U || started || shift == 0) {
        put(hex[nibble]);
        started = true;
      }
    }
  }
  std::size_t finish() noexcept {
    if (out_ != nullptr && size_ != 0) {
      out_[used_] = '\0';
    }
    return used_;
  }

 private:
  char* out_;
  std::size_t size_;
  std::size_t used_ = 0;
};

void put_dotted_quad(Writer& w, const std::uint8_t* b) noexcept {
  for (std::size_t i = 0; i < 4; ++i) {
    if (i != 0) {
      w.put('.');
    }
    w.put_decimal(b[i]);
  }
}

bool is_ipv4_mapped(const Ipv6Bytes& b) noexcept {
  return std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) &&
         b[10] == 0xFF && b[11] == 0xFF;
}

// RFC 5952 canonical text: lower-case hex without leading zeros, the longest run of
// two or more zero groups replaced by "::" (the first such run on a tie, section
// 4.2.3), and IPv4-mapped addresses in mixed notation (section 5).
void put_ipv6(Writer& w, const Ipv6Bytes& b) noexcept {
  if (is_ipv4_mapped(b)) {
    w.put("::ffff:");
    put_dotted_quad(w, &b[12]);
    return;
  }
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  }

  std::size_t best_start = groups.size();
  std::size_t best_len = 0;
  for (std::size_t i = 0; i < groups.size();) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < groups.size() && groups[j] == 0) {
      ++j;
    }
    // Strictly greater keeps the first run on a tie.
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) {  // section 4.2.2: "::" never stands for a single group
    best_start = groups.size();
    best_len = 0;
  }

  bool after_gap = false;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i == best_start) {
      w.put("::");
      i += best_len - 1;
      after_gap = true;
      continue;
    }
    if (i != 0 && !after_gap) {
      w.put(':');
    }
    after_gap = false;
    w.put_hex16(groups[i]);
  }
}

// ---------------------------------------------------------------------------------
// Text input

// A read position over the text. Every parse step either consumes what it matched or
// reports failure; the callers discard the cursor on failure, so no step restores it.
class Cursor {
 public:
  explicit Cursor(std::string_view text) noexcept : text_(text) {}

  [[nodiscard]] bool at_end() const noexcept { return pos_ == text_.size(); }
  [[nodiscard]] char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) noexcept {
    if (!at_end() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void advance() noexcept { ++pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// A decimal number without sign, without leading zeros ("0" itself is fine), not
// above @p max. Leading zeros are refused because some parsers read them as octal
// ("010" = 8 for inet_aton), so accepting them would make one text mean two things.
bool parse_decimal(Cursor& c, std::uint64_t max, std::uint64_t& value) noexcept {
  if (!is_digit(c.peek())) {
    return false;
  }
  const bool leading_zero = c.peek() == '0';
  std::uint64_t v = 0;
  std::size_t digits = 0;
  while (is_digit(c.peek())) {
    v = v * 10U + static_cast<std::uint64_t>(c.peek() - '0');
    c.advance();
    // Stop before the accumulator can overflow; any value this long is too large.
    if (++digits > 10 || v > max) {
      return false;
    }
  }
  if (leading_zero && digits > 1) {
    return false;
  }
  value = v;
  return true;
}

bool parse_ipv4(Cursor& c, std::uint8_t* out) noexcept {
  for (std::size_t i = 0; i < 4; ++i) {
    if (i != 0 && !c.consume('.')) {
      return false;
    }
    std::uint64_t octet = 0;
    if (!parse_decimal(c, 255, octet)) {
      return false;
    }
    out[i] = static_cast<std::uint8_t>(octet);
  }
  return true;
}

bool parse_port(Cursor& c, std::uint16_t& port) noexcept {
  std::uint64_t v = 0;
  if (!parse_decimal(c, 65535, v)) {
    return false;
  }
  port = static_cast<std::uint16_t>(v);
  return true;
}

// The RFC 4291 section 2.2 text forms: eight groups of one to four hex digits, at
// most one "::" standing for one or more zero groups, and optionally a dotted IPv4
// address in place of the last two groups ("::ffff:1.2.3.4"). @p text holds the
// address only, without brackets or scope.
bool parse_ipv6(std::string_view text, Ipv6Bytes& out) noexcept {
  std::array<std::uint16_t, 8> groups{};
  std::size_t count = 0;
  std::size_t gap = groups.size() + 1;  // "no gap" marker
  std::size_t i = 0;
  const std::size_t n = text.size();

  if (n >= 2 && text[0] == ':' && text[1] == ':') {
    gap = 0;
    i = 2;
  } else if (n >= 1 && text[0] == ':') {
    return false;  // a lone leading colon
  }
  std::array<std::uint8_t, 4> v4{};
  bool has_v4 = false;
  while (i < n) {
    // A piece with a '.' before the next ':' is the embedded IPv4 tail, which must
    // end the text.
    const std::size_t piece_end = std::min(text.find(':', i), n);
    if (text.substr(i, piece_end - i).find('.') != std::string_view::npos) {
      if (count > groups.size() - 2) {
        return false;
      }
      Cursor c(text.substr(i));
      if (!parse_ipv4(c, v4.data()) || !c.at_end()) {
        return false;
      }
      has_v4 = true;
      count += 2;
      break;
    }
    if (count == groups.size()) {
      return false;
    }
    std::uint32_t group = 0;
    std::size_t digits = 0;
    for (; i < n && hex_value(text[i]) >= 0; ++i) {
      if (++digits > 4) {
        return false;
      }
      group = (group << 4) | static_cast<std::uint32_t>(hex_value(text[i]));
    }
    if (digits == 0) {
      return false;
    }
    groups[count++] = static_cast<std::uint16_t>(group);
    if (i == n) {
      break;
    }
    if (text[i] != ':') {
      return false;
    }
    ++i;
    if (i < n && text[i] == ':') {
      if (gap <= groups.size()) {
        return false;  // a second "::"
      }
      gap = count;
      ++i;
    } else if (i == n) {
      return false;  // a lone trailing colon
    }
  }

  if (has_v4) {
    // The IPv4 tail counted as two groups; place its bytes as such.
    groups[count - 2] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
    groups[count - 1] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
  }
  std::array<std::uint16_t, 8> full{};
  if (gap > groups.size()) {
    if (count != groups.size()) {
      return false;
    }
    full = groups;
  } else {
    // "::" must stand for at least one group.
    if (count >= groups.size()) {
      return false;
    }
    // Indexed loops rather than std::copy_n: GCC's -Warray-bounds cannot see that
    // gap <= count < 8 through the iterator arithmetic and warns falsely at -O1.
    const std::size_t tail = count - gap;
    for (std::size_t k = 0; k < gap && k < full.size(); ++k) full[k] = groups[k];
    for (std::size_t k = 0; k < tail && gap + k < groups.size(); ++k) {
      full[full.size() - tail + k] = groups[gap + k];
    }
  }
  for (std::size_t g = 0; g < full.size(); ++g) {
    out[2 * g] = static_cast<std::uint8_t>(full[g] >> 8);
    out[2 * g + 1] = static_cast<std::uint8_t>(full[g] & 0xFFU);
  }
  return true;
}

// "addr" or "addr%scope" with a numeric scope (an interface index; names would need
// if_nametoindex, a platform call).
bool parse_ipv6_with_scope(std::string_view text, Ipv6Bytes& bytes, std::uint32_t& scope) noexcept {
  const std::size_t percent = text.find('%');
  std::uint32_t s = 0;
  if (percent != std::string_view::npos) {
    Cursor c(text.substr(percent + 1));
    std::uint64_t v = 0;
    if (!parse_decimal(c, 0xFFFFFFFFU, v) || !c.at_end()) {
      return false;
    }
    s = static_cast<std::uint32_t>(v);
    text = text.substr(0, percent);
  }
  if (!parse_ipv6(text, bytes)) {
    return false;
  }
  scope = s;
  return true;
}

constexpr std::string_view kUnixPrefix = "unix:";

bool starts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Factories

Address Address::ipv4(std::array<std::uint8_t, 4> bytes, std::uint16_t port) noexcept {
  Address a;
  a.family_ = AddressFamily::ipv4;
  a.port_ = port;
  std::copy(bytes.begin(), bytes.end(), a.ip_.begin());
  return a;
}

Address Address::ipv6(const std::array<std::uint8_t, 16>& bytes, std::uint16_t port,
                      std::uint32_t scope_id, std::uint32_t flow_info) noexcept {
  Address a;
  a.family_ = AddressFamily::ipv6;
  a.port_ = port;
  a.ip_ = bytes;
  a.scope_id_ = scope_id;
  a.flow_info_ = flow_info;
  return a;
}

Address Address::ipv4_loopback(std::uint16_t port) noexcept { return ipv4({127, 0, 0, 1}, port); }

Address Address::ipv4_any(std::uint16_t port) noexcept { return ipv4({0, 0, 0, 0}, port); }

Address Address::ipv6_loopback(std::uint16_t port) noexcept {
  std::array<std::uint8_t, 16> bytes{};
  bytes[15] = 1;
  return ipv6(bytes, port);
}

Address Address::ipv6_any(std::uint16_t port) noexcept { return ipv6({}, port); }

NTSTATUS Address::unix_path(std::string_view path, Address& out) noexcept {
  if (path.empty()) {
    return status::invalid_parameter;
  }
  const bool abstract = path.front() == '\0';
  // A filesystem path needs its terminating NUL inside sun_path; an abstract name is
  // counted by the address length instead, so it may use every byte.
  const std::size_t limit = abstract ? max_unix_path : max_unix_path - 1;
  if (path.size() > limit) {
    return status::name_too_long;
  }
  // The kernel would stop a filesystem path at an embedded NUL and bind a different
  // name than the caller asked for.
  if (!abstract && path.find('\0') != std::string_view::npos) {
    return status::invalid_parameter;
  }
  Address a;
  a.family_ = AddressFamily::unix_domain;
  std::copy(path.begin(), path.end(), a.path_.begin());
  a.path_length_ = static_cast<std::uint8_t>(path.size());
  out = a;
  return status::success;
}

// ---------------------------------------------------------------------------------
// Parsing

NTSTATUS Address::parse(std::string_view text, Address& out) noexcept {
  if (text.empty()) {
    return status::invalid_parameter;
  }

  if (starts_with(text, kUnixPrefix)) {
    std::string_view rest = text.substr(kUnixPrefix.size());
    if (rest.empty() || rest.find('\0') != std::string_view::npos) {
      return status::invalid_parameter;
    }
    // "unix:@name" is the abstract namespace, as format() prints it (and as ss(8)
    // and socat write it); the '@' stands for the leading NUL.
    std::array<char, max_unix_path> buffer{};
    std::size_t length = 0;
    if (rest.front() == '@') {
      rest.remove_prefix(1);
      if (rest.size() + 1 > buffer.size()) {
        return status::invalid_parameter;
      }
      buffer[0] = '\0';
      std::copy(rest.begin(), rest.end(), buffer.begin() + 1);
      length = rest.size() + 1;
    } else {
      if (rest.size() > buffer.size()) {
        return status::invalid_parameter;
      }
      std::copy(rest.begin(), rest.end(), buffer.begin());
      length = rest.size();
    }
    Address a;
    // parse() reports every malformed text the same way (its documented contract),
    // even where unix_path() would say name_too_long.
    if (unix_path(std::string_view(buffer.data(), length), a) != status::success) {
      return status::invalid_parameter;
    }
    out = a;
    return status::success;
  }

  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return status::invalid_parameter;
    }
    Ipv6Bytes bytes{};
    std::uint32_t scope = 0;
    if (!parse_ipv6_with_scope(text.substr(1, close - 1), bytes, scope)) {
      return status::invalid_parameter;
    }
    // Brackets exist to separate a port, so one must follow.
    Cursor c(text.substr(close + 1));
    std::uint16_t port = 0;
    if (!c.consume(':') || !parse_port(c, port) || !c.at_end()) {
      return status::invalid_parameter;
    }
    out = ipv6(bytes, port, scope);
    return status::success;
  }

  {
    Cursor c(text);
    std::array<std::uint8_t, 4> bytes{};
    if (parse_ipv4(c, bytes.data())) {
      std::uint16_t port = 0;
      if (c.at_end() || (c.consume(':') && parse_port(c, port) && c.at_end())) {
        out = ipv4(bytes, port);
        return status::success;
      }
      return status::invalid_parameter;
    }
  }

  // Bare IPv6 carries no port: "::1:80" is the address 0:..:1:80.
  Ipv6Bytes bytes{};
  std::uint32_t scope = 0;
  if (!parse_ipv6_with_scope(text, bytes, scope)) {
    return status::invalid_parameter;
  }
  out = ipv6(bytes, 0, scope);
  return status::success;
}

// ---------------------------------------------------------------------------------
// Formatting and comparison

std::size_t Address::format(char* out, std::size_t size) const noexcept {
  Writer w(out, size);
  switch (family_) {
    case AddressFamily::ipv4:
      put_dotted_quad(w, ip_.data());
      w.put(':');
      w.put_decimal(port_);
      break;
    case AddressFamily::ipv6:
      w.put('[');
      put_ipv6(w, ip_);
      if (scope_id_ != 0) {
        w.put('%');
        w.put_decimal(scope_id_);
      }
      w.put("]:");
      w.put_decimal(port_);
      break;
    case AddressFamily::unix_domain: {
      // An unnamed socket (an unbound or socketpair peer) prints as a bare "unix:".
      w.put(kUnixPrefix);
      const std::string_view path = unix_path();
      if (!path.empty() && path.front() == '\0') {
        // Abstract names are bytes, not text; NULs inside print as '@' as ss(8) does.
        w.put('@');
        for (const char ch : path.substr(1)) {
          w.put(ch == '\0' ? '@' : ch);
        }
      } else {
        w.put(path);
      }
      break;
    }
    case AddressFamily::unspecified:
    default:
      w.put("unspecified");
      break;
  }
  return w.finish();
}

std::string Address::to_string() const {
  // Longest output: "unix:@" plus a 107-byte abstract name; IPv6 needs at most 64.
  std::array<char, max_unix_path + 32> buffer{};
  const std::size_t n = format(buffer.data(), buffer.size());
  return std::string(buffer.data(), n);
}

bool Address::is_wildcard() const noexcept {
  const auto zero = [](std::uint8_t b) { return b == 0; };
  switch (family_) {
    case AddressFamily::ipv4:
      return std::all_of(ip_.begin(), ip_.begin() + 4, zero);
    case AddressFamily::ipv6:
      return std::all_of(ip_.begin(), ip_.end(), zero);
    case AddressFamily::unspecified:
    case AddressFamily::unix_domain:
    default:
      return false;
  }
}

// Flow info is left out: it labels packets of a flow and does not name an endpoint
// (getpeername may report a label the peer chose), so two addresses that differ only
// there reach the same socket.
bool operator==(const Address& a, const Address& b) noexcept {
  if (a.family_ != b.family_) {
    return false;
  }
  switch (a.family_) {
    case AddressFamily::ipv4:
      return a.port_ == b.port_ && std::equal(a.ip_.begin(), a.ip_.begin() + 4, b.ip_.begin());
    case AddressFamily::ipv6:
      return a.port_ == b.port_ && a.ip_ == b.ip_ && a.scope_id_ == b.scope_id_;
    case AddressFamily::unix_domain:
      return a.unix_path() == b.unix_path();
    case AddressFamily::unspecified:
    default:
      return true;
  }
}

}  // namespace wskport
