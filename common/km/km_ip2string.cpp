// SPDX-License-Identifier: MIT
// ip2string.h: IPv4 / IPv6 address <-> text, narrow and UTF-16, with Windows' choices
// (see the header). One template per operation serves both character types; UTF-16 is
// handled by hand (WCHAR is 16 bits here, the host's wchar_t may be 32), and only ASCII
// ever matters, so a code unit is compared as an integer.
#include <cstddef>
#include <cstdint>

#include <ip2string.h>

namespace {

constexpr NTSTATUS kBad = STATUS_INVALID_PARAMETER;

// The longest output: "[" 45-char address "%" 10-digit scope "]:" 5-digit port, NUL.
constexpr std::size_t kMaxText = 1 + 45 + 1 + 10 + 2 + 5 + 1;

// Text is built in ASCII first, then widened or copied: the formatting is written once.
struct Ascii {
  char text[kMaxText];
  std::size_t length = 0;

  void put(char c) noexcept { text[length++] = c; }
  void put_decimal(std::uint32_t v) noexcept {
    char digits[10];
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n != 0) put(digits[--n]);
  }
  void put_hex(std::uint32_t v) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (v >> shift) & 0xF;
      if (nibble != 0 || started || shift == 0) {
        put(kHex[nibble]);
        started = true;
      }
    }
  }
  void put_quad(const UCHAR* b) noexcept {
    for (int i = 0; i < 4; ++i) {
      if (i != 0) put('.');
      put_decimal(b[i]);
    }
  }
};

std::uint16_t group(const IN6_ADDR& a, int i) noexcept {
  return static_cast<std::uint16_t>((a.u.Byte[2 * i] << 8) | a.u.Byte[2 * i + 1]);
}

// Groups [0, count) in hex, the longest run of >= 2 zero groups (the first on a tie) as
// "::". Returns true when the text ends in "::" (so a following tail needs no ':').
bool put_groups(Ascii& out, const IN6_ADDR& a, int count) noexcept {
  int best = -1, best_len = 1;
  for (int i = 0; i < count;) {
    if (group(a, i) != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < count && group(a, j) == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  bool ends_compressed = false;
  for (int i = 0; i < count; ++i) {
    if (i == best) {
      out.put(':');
      out.put(':');
      i += best_len - 1;
      ends_compressed = i == count - 1;
      continue;
    }
    if (i != 0 && i != best + best_len) out.put(':');
    out.put_hex(group(a, i));
    ends_compressed = false;
  }
  return ends_compressed;
}

void format_v6(Ascii& out, const IN6_ADDR& a) noexcept {
  const UCHAR* quad = a.u.Byte + 12;
  const bool high_zero =
      group(a, 0) == 0 && group(a, 1) == 0 && group(a, 2) == 0 && group(a, 3) == 0;
  const std::uint16_t g4 = group(a, 4), g5 = group(a, 5);
  // Windows writes the dotted quad only when the seventh group is nonzero (::1 stays
  // "::1", ::ffff:0.0.0.1 prints as ::ffff:0:1).
  if (high_zero && group(a, 6) != 0) {
    const char* prefix = nullptr;
    if (g4 == 0 && g5 == 0xFFFF) prefix = "::ffff:";
    if (g4 == 0xFFFF && g5 == 0) prefix = "::ffff:0:";
    if (g4 == 0 && g5 == 0) prefix = "::";
    if (prefix != nullptr) {
      while (*prefix != 0) out.put(*prefix++);
      out.put_quad(quad);
      return;
    }
  }
  if ((g4 == 0 || g4 == 0x0200) && g5 == 0x5EFE) {  // ISATAP interface identifier
    if (!put_groups(out, a, 6)) out.put(':');
    out.put_quad(quad);
    return;
  }
  put_groups(out, a, 8);
}

template <class C>
C* emit(const Ascii& in, C* dest) noexcept {
  for (std::size_t i = 0; i < in.length; ++i) dest[i] = static_cast<C>(in.text[i]);
  dest[in.length] = 0;
  return dest + in.length;
}

template <class C>
NTSTATUS emit_counted(const Ascii& in, C* dest, PULONG length) noexcept {
  if (length == nullptr) return kBad;
  const ULONG need = static_cast<ULONG>(in.length + 1);
  if (dest == nullptr || *length < need) {
    *length = need;
    return kBad;
  }
  emit(in, dest);
  *length = need;
  return STATUS_SUCCESS;
}

Ascii v4_text(const IN_ADDR& a, USHORT port_be) noexcept {
  Ascii out;
  out.put_quad(&a.S_un.S_un_b.s_b1);
  if (port_be != 0) {
    out.put(':');
    out.put_decimal(RtlUshortByteSwap(port_be));
  }
  return out;
}

Ascii v6_text(const IN6_ADDR& a, ULONG scope, USHORT port_be) noexcept {
  Ascii out;
  if (port_be != 0) out.put('[');
  format_v6(out, a);
  if (scope != 0) {
    out.put('%');
    out.put_decimal(scope);
  }
  if (port_be != 0) {
    out.put(']');
    out.put(':');
    out.put_decimal(RtlUshortByteSwap(port_be));
  }
  return out;
}

// ---------------------------------------------------------------------- parsing -----

template <class C>
bool is_digit(C c) noexcept {
  return c >= '0' && c <= '9';
}

template <class C>
int hex_value(C c) noexcept {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// Reads a decimal number of at most @p max; false (s at the offending character) when
// there is no digit or it exceeds @p max.
template <class C>
bool parse_decimal(const C*& s, std::uint64_t max, std::uint64_t& value) noexcept {
  if (!is_digit(*s)) return false;
  value = 0;
  while (is_digit(*s)) {
    value = value * 10 + static_cast<std::uint64_t>(*s - '0');
    if (value > max) return false;
    ++s;
  }
  return true;
}

// One part of a non-strict IPv4 address: decimal, octal (leading 0) or hex (0x).
template <class C>
bool parse_part(const C*& s, bool strict, std::uint64_t& value) noexcept {
  if (strict) return parse_decimal(s, 0xFFFFFFFFu, value);
  if (!is_digit(*s)) return false;
  unsigned base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    if (hex_value(s[2]) < 0) return false;  // "0x" needs a digit
    base = 16;
    s += 2;
  } else if (s[0] == '0') {
    base = 8;
  }
  value = 0;
  for (;;) {
    const int d = hex_value(*s);
    if (d < 0 || static_cast<unsigned>(d) >= base) break;
    value = value * base + static_cast<unsigned>(d);
    if (value > 0xFFFFFFFFu) return false;
    ++s;
  }
  return true;
}

template <class C>
NTSTATUS parse_v4(const C* s, bool strict, const C** terminator, IN_ADDR* addr) noexcept {
  std::uint64_t parts[4];
  int n = 0;
  for (;;) {
    if (!parse_part(s, strict, parts[n])) {
      *terminator = s;
      return kBad;
    }
    ++n;
    if (n == 4 || *s != '.') break;
    ++s;
  }
  *terminator = s;
  std::uint32_t value = 0;
  if (strict) {
    if (n != 4) return kBad;
  }
  // The last part fills the bytes the earlier ones left (inet_aton).
  for (int i = 0; i < n - 1; ++i) {
    if (parts[i] > 0xFF) return kBad;
    value |= static_cast<std::uint32_t>(parts[i]) << (24 - 8 * i);
  }
  const std::uint64_t last_max = 0xFFFFFFFFu >> (8 * (n - 1));
  if (parts[n - 1] > last_max) return kBad;
  value |= static_cast<std::uint32_t>(parts[n - 1]);
  addr->S_un.S_addr = RtlUlongByteSwap(value);
  return STATUS_SUCCESS;
}

// A dotted quad starts here when decimal digits are followed by '.'.
template <class C>
bool quad_ahead(const C* s) noexcept {
  if (!is_digit(*s)) return false;
  while (is_digit(*s)) ++s;
  return *s == '.';
}

template <class C>
NTSTATUS parse_v6(const C* s, const C** terminator, IN6_ADDR* addr) noexcept {
  std::uint16_t groups[8] = {};
  int n = 0;
  int gap = -1;
  auto fail = [&](const C* at) noexcept {
    *terminator = at;
    return kBad;
  };
  if (s[0] == ':') {
    if (s[1] != ':') return fail(s);
    gap = 0;
    s += 2;
    if (*s == ':') return fail(s);
    if (hex_value(*s) < 0) goto done;  // "::"
  }
  for (;;) {
    const int limit = gap < 0 ? 8 : 7;
    if (quad_ahead(s)) {
      if (n + 2 > limit) return fail(s);
      IN_ADDR v4;
      const C* end = nullptr;
      if (parse_v4(s, true, &end, &v4) != STATUS_SUCCESS) return fail(end);
      const UCHAR* b = &v4.S_un.S_un_b.s_b1;
      groups[n++] = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
      groups[n++] = static_cast<std::uint16_t>((b[2] << 8) | b[3]);
      s = end;
      break;
    }
    if (n == limit) return fail(s);
    int digits = 0;
    std::uint32_t v = 0;
    while (hex_value(*s) >= 0) {
      if (++digits > 4) return fail(s);
      v = (v << 4) | static_cast<std::uint32_t>(hex_value(*s));
      ++s;
    }
    if (digits == 0) return fail(s);
    groups[n++] = static_cast<std::uint16_t>(v);
    if (*s != ':') break;
    if (s[1] == ':') {
      if (gap >= 0) return fail(s);
      gap = n;
      s += 2;
      if (*s == ':') return fail(s);
      if (hex_value(*s) < 0 || n == 7) break;  // "1::" ends here
      continue;
    }
    if (n == 8) break;  // "1:2:3:4:5:6:7:8:..." : the address ends before the ':'
    if (hex_value(s[1]) < 0) return fail(s + 1);
    ++s;
  }
done:
  if (gap < 0 && n != 8) return fail(s);
  *terminator = s;
  std::uint16_t full[8] = {};
  if (gap < 0) {
    for (int i = 0; i < 8; ++i) full[i] = groups[i];
  } else {
    for (int i = 0; i < gap; ++i) full[i] = groups[i];
    const int tail = n - gap;
    for (int i = 0; i < tail; ++i) full[8 - tail + i] = groups[gap + i];
  }
  for (int i = 0; i < 8; ++i) {
    addr->u.Byte[2 * i] = static_cast<UCHAR>(full[i] >> 8);
    addr->u.Byte[2 * i + 1] = static_cast<UCHAR>(full[i] & 0xFF);
  }
  return STATUS_SUCCESS;
}

template <class C>
NTSTATUS parse_v4_ex(const C* s, bool strict, IN_ADDR* address, PUSHORT port) noexcept {
  if (s == nullptr || address == nullptr || port == nullptr) return kBad;
  IN_ADDR a;
  const C* end = nullptr;
  if (parse_v4(s, strict, &end, &a) != STATUS_SUCCESS) return kBad;
  std::uint64_t p = 0;
  if (*end == ':') {
    ++end;
    if (!parse_decimal(end, 0xFFFF, p)) return kBad;
  }
  if (*end != 0) return kBad;
  *address = a;
  *port = RtlUshortByteSwap(static_cast<USHORT>(p));
  return STATUS_SUCCESS;
}

template <class C>
NTSTATUS parse_v6_ex(const C* s, IN6_ADDR* address, PULONG scope_id, PUSHORT port) noexcept {
  if (s == nullptr || address == nullptr || scope_id == nullptr || port == nullptr) return kBad;
  const bool bracket = *s == '[';
  if (bracket) ++s;
  IN6_ADDR a;
  const C* end = nullptr;
  if (parse_v6(s, &end, &a) != STATUS_SUCCESS) return kBad;
  std::uint64_t scope = 0, p = 0;
  if (*end == '%') {
    ++end;
    if (!parse_decimal(end, 0xFFFFFFFFu, scope)) return kBad;
  }
  if (bracket) {
    if (*end++ != ']') return kBad;
    if (*end == ':') {
      ++end;
      if (!parse_decimal(end, 0xFFFF, p)) return kBad;
    }
  }
  if (*end != 0) return kBad;
  *address = a;
  *scope_id = static_cast<ULONG>(scope);
  *port = RtlUshortByteSwap(static_cast<USHORT>(p));
  return STATUS_SUCCESS;
}

template <class C>
NTSTATUS v4_to_addr(const C* s, BOOLEAN strict, const C** terminator, IN_ADDR* addr) noexcept {
  if (s == nullptr || terminator == nullptr || addr == nullptr) return kBad;
  IN_ADDR a;
  const NTSTATUS st = parse_v4(s, strict != FALSE, terminator, &a);
  if (st == STATUS_SUCCESS) *addr = a;
  return st;
}

template <class C>
NTSTATUS v6_to_addr(const C* s, const C** terminator, IN6_ADDR* addr) noexcept {
  if (s == nullptr || terminator == nullptr || addr == nullptr) return kBad;
  IN6_ADDR a;
  const NTSTATUS st = parse_v6(s, terminator, &a);
  if (st == STATUS_SUCCESS) *addr = a;
  return st;
}

template <class C>
NTSTATUS v4_to_text_ex(const IN_ADDR* a, USHORT port, C* dest, PULONG length) noexcept {
  if (a == nullptr) return kBad;
  return emit_counted(v4_text(*a, port), dest, length);
}

template <class C>
NTSTATUS v6_to_text_ex(const IN6_ADDR* a, ULONG scope, USHORT port, C* dest,
                       PULONG length) noexcept {
  if (a == nullptr) return kBad;
  return emit_counted(v6_text(*a, scope, port), dest, length);
}

}  // namespace

extern "C" {

PSTR RtlIpv4AddressToStringA(const struct in_addr* Addr, PSTR S) {
  return emit(v4_text(*Addr, 0), S);
}
PWSTR RtlIpv4AddressToStringW(const struct in_addr* Addr, PWSTR S) {
  return emit(v4_text(*Addr, 0), S);
}
NTSTATUS RtlIpv4AddressToStringExA(const struct in_addr* Address, USHORT Port, PSTR AddressString,
                                   PULONG AddressStringLength) {
  return v4_to_text_ex(Address, Port, AddressString, AddressStringLength);
}
NTSTATUS RtlIpv4AddressToStringExW(const struct in_addr* Address, USHORT Port, PWSTR AddressString,
                                   PULONG AddressStringLength) {
  return v4_to_text_ex(Address, Port, AddressString, AddressStringLength);
}
PSTR RtlIpv6AddressToStringA(const struct in6_addr* Addr, PSTR S) {
  return emit(v6_text(*Addr, 0, 0), S);
}
PWSTR RtlIpv6AddressToStringW(const struct in6_addr* Addr, PWSTR S) {
  return emit(v6_text(*Addr, 0, 0), S);
}
NTSTATUS RtlIpv6AddressToStringExA(const struct in6_addr* Address, ULONG ScopeId, USHORT Port,
                                   PSTR AddressString, PULONG AddressStringLength) {
  return v6_to_text_ex(Address, ScopeId, Port, AddressString, AddressStringLength);
}
NTSTATUS RtlIpv6AddressToStringExW(const struct in6_addr* Address, ULONG ScopeId, USHORT Port,
                                   PWSTR AddressString, PULONG AddressStringLength) {
  return v6_to_text_ex(Address, ScopeId, Port, AddressString, AddressStringLength);
}
NTSTATUS RtlIpv4StringToAddressA(PCSTR S, BOOLEAN Strict, PCSTR* Terminator, struct in_addr* Addr) {
  return v4_to_addr(S, Strict, Terminator, Addr);
}
NTSTATUS RtlIpv4StringToAddressW(PCWSTR S, BOOLEAN Strict, PCWSTR* Terminator,
                                 struct in_addr* Addr) {
  return v4_to_addr(S, Strict, Terminator, Addr);
}
NTSTATUS RtlIpv4StringToAddressExA(PCSTR AddressString, BOOLEAN Strict, struct in_addr* Address,
                                   PUSHORT Port) {
  return parse_v4_ex(AddressString, Strict != FALSE, Address, Port);
}
NTSTATUS RtlIpv4StringToAddressExW(PCWSTR AddressString, BOOLEAN Strict, struct in_addr* Address,
                                   PUSHORT Port) {
  return parse_v4_ex(AddressString, Strict != FALSE, Address, Port);
}
NTSTATUS RtlIpv6StringToAddressA(PCSTR S, PCSTR* Terminator, struct in6_addr* Addr) {
  return v6_to_addr(S, Terminator, Addr);
}
NTSTATUS RtlIpv6StringToAddressW(PCWSTR S, PCWSTR* Terminator, struct in6_addr* Addr) {
  return v6_to_addr(S, Terminator, Addr);
}
NTSTATUS RtlIpv6StringToAddressExA(PCSTR AddressString, struct in6_addr* Address, PULONG ScopeId,
                                   PUSHORT Port) {
  return parse_v6_ex(AddressString, Address, ScopeId, Port);
}
NTSTATUS RtlIpv6StringToAddressExW(PCWSTR AddressString, struct in6_addr* Address, PULONG ScopeId,
                                   PUSHORT Port) {
  return parse_v6_ex(AddressString, Address, ScopeId, Port);
}

}  // extern "C"
