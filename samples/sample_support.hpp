// SPDX-License-Identifier: MIT
// Small helpers shared by the echo samples: printable statuses and addresses that do not
// allocate (so completion routines, which must not throw, can log), and strict
// command-line number parsing. Only standard C++ and the public wskport headers, so the
// samples build unchanged on Windows.
#pragma once

#include <wskport/address.hpp>
#include <wskport/status.hpp>

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace sample {

/// "STATUS_CANCELLED (0xC0000120)", held by value so it can be passed straight to printf:
/// the temporary lives until the end of the full expression.
struct StatusText {
  char text[64];
};

[[nodiscard]] inline StatusText status_text(wskport::NTSTATUS s) noexcept {
  StatusText t{};
  wskport::format_status(s, t.text, sizeof t.text);
  return t;
}

/// "127.0.0.1:7000", "[::1]:7000", "unix:/path": room for the longest AF_UNIX path.
struct AddressText {
  char text[wskport::Address::max_unix_path + 16];
};

[[nodiscard]] inline AddressText address_text(const wskport::Address& a) noexcept {
  AddressText t{};
  a.format(t.text, sizeof t.text);
  return t;
}

/// Parses a whole decimal number in [min, max]; rejects signs, blanks and trailing text,
/// which std::atoi would silently accept.
[[nodiscard]] inline bool parse_number(std::string_view text, std::uint64_t min, std::uint64_t max,
                                       std::uint64_t& out) noexcept {
  std::uint64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

}  // namespace sample
