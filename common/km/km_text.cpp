// SPDX-License-Identifier: MIT
// UTF-16 <-> UTF-8 conversion for the kernel runtime (km_text.hpp). "ANSI" strings are
// treated as UTF-8; a byte that does not start a valid UTF-8 sequence stands for the
// Latin-1 character of the same value, so any byte string converts without loss.
#include "common/km/km_text.hpp"

namespace wskport::km::text {

namespace {

constexpr std::uint32_t kReplacement = 0xFFFD;

bool high_surrogate(std::uint32_t u) noexcept { return u >= 0xD800 && u <= 0xDBFF; }
bool low_surrogate(std::uint32_t u) noexcept { return u >= 0xDC00 && u <= 0xDFFF; }

// The code point at s[i] (advancing i past it); unpaired surrogates become U+FFFD.
std::uint32_t next_utf16(const WCHAR* s, std::size_t n, std::size_t& i) noexcept {
  const std::uint32_t u = static_cast<std::uint16_t>(s[i++]);
  if (high_surrogate(u)) {
    if (i < n && low_surrogate(static_cast<std::uint16_t>(s[i]))) {
      const std::uint32_t lo = static_cast<std::uint16_t>(s[i++]);
      return 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    }
    return kReplacement;
  }
  return low_surrogate(u) ? kReplacement : u;
}

std::size_t utf8_units(std::uint32_t cp) noexcept {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

// The code point of the UTF-8 sequence at s[i] (advancing i); an invalid sequence gives
// the lead byte's Latin-1 character and advances one byte.
std::uint32_t next_utf8(const char* s, std::size_t n, std::size_t& i) noexcept {
  const auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[k]));
  };
  const std::uint32_t b0 = byte(i);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  }
  if (len == 0 || i + len > n) {
    ++i;
    return b0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const std::uint32_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return b0;
  }
  i += len;
  return cp;
}

}  // namespace

std::size_t wide_length(const WCHAR* s, std::size_t max) noexcept {
  std::size_t n = 0;
  while (n < max && s[n] != 0) ++n;
  return n;
}

std::size_t narrow_length(const char* s, std::size_t max) noexcept {
  std::size_t n = 0;
  while (n < max && s[n] != 0) ++n;
  return n;
}

std::size_t utf8_size(const WCHAR* s, std::size_t n) noexcept {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n;) bytes += utf8_units(next_utf16(s, n, i));
  return bytes;
}

std::size_t utf16_size(const char* s, std::size_t n) noexcept {
  std::size_t units = 0;
  for (std::size_t i = 0; i < n;) units += next_utf8(s, n, i) >= 0x10000 ? 2 : 1;
  return units;
}

void Output::utf16(const WCHAR* s, std::size_t n) noexcept {
  if (wide()) {
    for (std::size_t i = 0; i < n; ++i) unit(static_cast<std::uint16_t>(s[i]));
    return;
  }
  for (std::size_t i = 0; i < n;) {
    const std::uint32_t cp = next_utf16(s, n, i);
    if (cp < 0x80) {
      unit(cp);
    } else if (cp < 0x800) {
      unit(0xC0 | (cp >> 6));
      unit(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      unit(0xE0 | (cp >> 12));
      unit(0x80 | ((cp >> 6) & 0x3F));
      unit(0x80 | (cp & 0x3F));
    } else {
      unit(0xF0 | (cp >> 18));
      unit(0x80 | ((cp >> 12) & 0x3F));
      unit(0x80 | ((cp >> 6) & 0x3F));
      unit(0x80 | (cp & 0x3F));
    }
  }
}

void Output::bytes(const char* s, std::size_t n) noexcept {
  if (!wide()) {
    for (std::size_t i = 0; i < n; ++i) unit(static_cast<unsigned char>(s[i]));
    return;
  }
  for (std::size_t i = 0; i < n;) {
    const std::uint32_t cp = next_utf8(s, n, i);
    if (cp >= 0x10000) {
      unit(0xD800 + ((cp - 0x10000) >> 10));
      unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      unit(cp);
    }
  }
}

}  // namespace wskport::km::text
