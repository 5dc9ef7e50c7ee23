// SPDX-License-Identifier: MIT
/// @file address.hpp
/// @brief Transport addresses: IPv4, IPv6 (with scope id and flow info), AF_UNIX.
///
/// `Address` is a portable value: the same bytes mean the same address on Linux and
/// Windows, whose sockaddr layouts and family numbers differ (AF_INET6 is 10 on Linux
/// and 23 on Windows). Conversion to and from the platform's native `sockaddr` is done
/// by the backend (`from_native`, `to_native`), so code above the backends never sees
/// a platform header. No function here reads outside the bytes it is given, and a bad
/// input yields a specific NTSTATUS, never undefined behaviour.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wskport/status.hpp"

namespace wskport {

/// Address family, independent of the platform's AF_* numbers.
enum class AddressFamily : std::uint8_t {
  unspecified = 0,
  ipv4 = 4,
  ipv6 = 6,
  unix_domain = 1,  ///< AF_UNIX (Linux; Windows 10 1803 and later)
};

/// A transport address. Trivially copyable, no allocation.
class Address {
 public:
  /// Longest AF_UNIX path, including the terminating NUL (sockaddr_un.sun_path).
  static constexpr std::size_t max_unix_path = 108;
  /// Enough bytes for any native sockaddr this library produces.
  static constexpr std::size_t max_native_size = 128;

  /// The unspecified address (family `unspecified`).
  constexpr Address() noexcept = default;

  /// IPv4 from four bytes in network order and a host-order port.
  static Address ipv4(std::array<std::uint8_t, 4> bytes, std::uint16_t port) noexcept;
  /// IPv6 from sixteen bytes in network order, a host-order port, scope id and flow info.
  static Address ipv6(const std::array<std::uint8_t, 16>& bytes, std::uint16_t port,
                      std::uint32_t scope_id = 0, std::uint32_t flow_info = 0) noexcept;
  static Address ipv4_loopback(std::uint16_t port = 0) noexcept;  ///< 127.0.0.1
  static Address ipv4_any(std::uint16_t port = 0) noexcept;       ///< 0.0.0.0
  static Address ipv6_loopback(std::uint16_t port = 0) noexcept;  ///< ::1
  static Address ipv6_any(std::uint16_t port = 0) noexcept;       ///< ::

  /// An AF_UNIX address. A path starting with '\0' is a Linux abstract address and may
  /// use all `max_unix_path` bytes; a filesystem path may use `max_unix_path - 1` (its
  /// NUL must fit).
  /// @return `status::success`; `status::invalid_parameter` for an empty path or a
  ///         filesystem path containing '\0';
  ///         `status::name_too_long` when the path does not fit `max_unix_path`.
  static NTSTATUS unix_path(std::string_view path, Address& out) noexcept;

  /// Parses "a.b.c.d", "a.b.c.d:port", "ipv6", "ipv6%scope", "[ipv6]:port",
  /// "[ipv6%scope]:port" (numeric scope only), "unix:/path" or "unix:@abstract".
  /// Strict: no leading zeros in IPv4 octets, ports or scopes, no trailing text.
  /// @return `status::success`, or `status::invalid_parameter` for malformed text
  ///         (the RtlIpv4StringToAddress convention); @p out is unchanged on failure.
  static NTSTATUS parse(std::string_view text, Address& out) noexcept;

  /// Converts a native sockaddr (the platform's layout and AF_* values) into an
  /// Address. Implemented by the backend.
  /// @return `status::success`;
  ///         `status::invalid_parameter` when @p sa is null or @p length is shorter than
  ///         the family field;
  ///         `status::invalid_address` for an unknown family or a length shorter than
  ///         that family's sockaddr.
  static NTSTATUS from_native(const void* sa, std::size_t length, Address& out) noexcept;

  /// Writes the native sockaddr into @p out (at least `max_native_size` bytes is always
  /// enough). Implemented by the backend.
  /// @return the sockaddr's length, or 0 for the unspecified family or a too-small
  ///         buffer.
  std::size_t to_native(void* out, std::size_t capacity) const noexcept;

  [[nodiscard]] constexpr AddressFamily family() const noexcept { return family_; }
  /// Host-order port (0 for AF_UNIX).
  [[nodiscard]] constexpr std::uint16_t port() const noexcept { return port_; }
  constexpr void set_port(std::uint16_t port) noexcept { port_ = port; }
  /// The 4 (IPv4) or 16 (IPv6) address bytes in network order; other bytes are zero.
  [[nodiscard]] constexpr const std::array<std::uint8_t, 16>& ip_bytes() const noexcept {
    return ip_;
  }
  [[nodiscard]] constexpr std::uint32_t scope_id() const noexcept { return scope_id_; }
  /// Host order (sin6_flowinfo holds it in network order).
  [[nodiscard]] constexpr std::uint32_t flow_info() const noexcept { return flow_info_; }
  /// The AF_UNIX path (may begin with '\0' for an abstract address).
  [[nodiscard]] std::string_view unix_path() const noexcept { return {path_.data(), path_length_}; }
  /// True for 0.0.0.0 and ::.
  [[nodiscard]] bool is_wildcard() const noexcept;

  /// "127.0.0.1:80", "[::1]:80", "[fe80::1%2]:80", "unix:/path", "unix:@abstract",
  /// "unspecified". IPv6 text is RFC 5952 canonical.
  /// Writes at most @p size bytes including a NUL; returns the length written.
  std::size_t format(char* out, std::size_t size) const noexcept;
  /// As format(), into a std::string (allocates; not for hot paths).
  [[nodiscard]] std::string to_string() const;

  /// Same family and same endpoint: address, port and scope id; flow info is ignored.
  friend bool operator==(const Address& a, const Address& b) noexcept;

 private:
  AddressFamily family_ = AddressFamily::unspecified;
  std::uint16_t port_ = 0;
  std::uint32_t scope_id_ = 0;
  std::uint32_t flow_info_ = 0;
  std::array<std::uint8_t, 16> ip_{};
  std::uint8_t path_length_ = 0;
  std::array<char, max_unix_path> path_{};
};

}  // namespace wskport
