// SPDX-License-Identifier: MIT
// Native sockaddr bytes for the bind(const void*, size_t, Irp*) overloads: built with
// the library's own Address::to_native, then truncated or given a bogus family to
// provoke the from_native failures. Only the family field's position is platform
// knowledge (offset 0 and 2 bytes on Linux and Windows; offset 1 and 1 byte on the BSDs).
#pragma once

#include <array>
#include <cstddef>
#include <cstring>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

#include "wskport/address.hpp"

namespace wskport::test {

struct NativeAddress {
  std::array<unsigned char, Address::max_native_size> bytes{};
  std::size_t length = 0;
  [[nodiscard]] const void* data() const noexcept { return bytes.data(); }
};

inline NativeAddress to_native(const Address& a) {
  NativeAddress n;
  n.length = a.to_native(n.bytes.data(), n.bytes.size());
  return n;
}

/// Bytes up to and including the sockaddr family field: a shorter length cannot name a
/// family at all (from_native: invalid_parameter).
inline constexpr std::size_t family_field_end() noexcept {
  return offsetof(sockaddr, sa_family) + sizeof(sockaddr{}.sa_family);
}

/// Overwrites the family field with @p family (a value no platform assigns, e.g. 0xde).
inline void set_native_family(NativeAddress& n, unsigned family) {
  sockaddr sa{};
  static_assert(sizeof(sa) <= Address::max_native_size);
  std::memcpy(&sa, n.bytes.data(), sizeof sa);
  sa.sa_family = static_cast<decltype(sa.sa_family)>(family);
  std::memcpy(n.bytes.data(), &sa, sizeof sa);
}

/// A family number that is not AF_INET, AF_INET6 or AF_UNIX on any platform.
inline constexpr unsigned bogus_family = 0xDE;

}  // namespace wskport::test
