// SPDX-License-Identifier: MIT
// Address <-> native sockaddr for Windows (AF_INET, AF_INET6 = 23, AF_UNIX from
// <afunix.h>, Windows 10 1803 and later). The same rules as posix/address_native.cpp:
// the input is untrusted bytes, nothing is read beyond `length`, and the bytes are
// copied into local structs because a caller's buffer need not be aligned.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "wsk_shim/winsock.hpp"
#include "wskport/address.hpp"

// After the Winsock headers, which define ADDRESS_FAMILY.
#include <afunix.h>

namespace wskport {
namespace {

using family_t = decltype(sockaddr{}.sa_family);

// Where the family field ends; anything shorter cannot even say what it is.
constexpr std::size_t kFamilyEnd = offsetof(sockaddr, sa_family) + sizeof(family_t);
constexpr std::size_t kSunPathOffset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t kSunPathSize = sizeof(sockaddr_un::sun_path);

static_assert(kSunPathSize <= Address::max_unix_path,
              "sockaddr_un.sun_path is larger than Address can hold");
static_assert(sizeof(sockaddr_in6) <= Address::max_native_size &&
                  sizeof(sockaddr_un) <= Address::max_native_size,
              "Address::max_native_size is too small for this platform's sockaddrs");

// A path that fills sun_path has no room for its NUL: passed without one, its length
// says where it ends.
std::size_t unix_native_length(std::size_t path_length, bool abstract) noexcept {
  if (abstract || path_length >= kSunPathSize) return kSunPathOffset + path_length;
  return kSunPathOffset + path_length + 1;
}

}  // namespace

NTSTATUS Address::from_native(const void* sa, std::size_t length, Address& out) noexcept {
  if (sa == nullptr || length < kFamilyEnd) return status::invalid_parameter;
  const auto* bytes = static_cast<const unsigned char*>(sa);
  family_t family = 0;
  std::memcpy(&family, bytes + offsetof(sockaddr, sa_family), sizeof(family));

  Address a;
  switch (family) {
    case AF_INET: {
      if (length < sizeof(sockaddr_in)) return status::invalid_address;
      sockaddr_in sin{};
      std::memcpy(&sin, bytes, sizeof(sin));
      a.family_ = AddressFamily::ipv4;
      a.port_ = ntohs(sin.sin_port);
      // The address is already in network order, the order ip_ keeps.
      std::memcpy(a.ip_.data(), &sin.sin_addr, 4);
      break;
    }
    case AF_INET6: {
      if (length < sizeof(sockaddr_in6)) return status::invalid_address;
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, bytes, sizeof(sin6));
      a.family_ = AddressFamily::ipv6;
      a.port_ = ntohs(sin6.sin6_port);
      std::memcpy(a.ip_.data(), &sin6.sin6_addr, 16);
      a.scope_id_ = sin6.sin6_scope_id;
      a.flow_info_ = ntohl(sin6.sin6_flowinfo);
      break;
    }
    case AF_UNIX: {
      a.family_ = AddressFamily::unix_domain;
      const std::size_t available =
          length > kSunPathOffset ? std::min(length - kSunPathOffset, kSunPathSize) : 0;
      if (available == 0) break;  // an unnamed socket
      const auto* path = reinterpret_cast<const char*>(bytes + kSunPathOffset);
      std::size_t path_length = available;
      if (path[0] != '\0') {
        const void* nul = std::memchr(path, '\0', available);
        if (nul != nullptr) {
          path_length = static_cast<std::size_t>(static_cast<const char*>(nul) - path);
        }
      }
      std::memcpy(a.path_.data(), path, path_length);
      a.path_length_ = static_cast<std::uint8_t>(path_length);
      break;
    }
    default:
      return status::invalid_address;
  }
  out = a;
  return status::success;
}

std::size_t Address::to_native(void* out, std::size_t capacity) const noexcept {
  if (out == nullptr) return 0;
  switch (family_) {
    case AddressFamily::ipv4: {
      if (capacity < sizeof(sockaddr_in)) return 0;
      sockaddr_in sin{};
      sin.sin_family = static_cast<family_t>(AF_INET);
      sin.sin_port = htons(port_);
      std::memcpy(&sin.sin_addr, ip_.data(), 4);
      std::memcpy(out, &sin, sizeof(sin));
      return sizeof(sin);
    }
    case AddressFamily::ipv6: {
      if (capacity < sizeof(sockaddr_in6)) return 0;
      sockaddr_in6 sin6{};
      sin6.sin6_family = static_cast<family_t>(AF_INET6);
      sin6.sin6_port = htons(port_);
      sin6.sin6_flowinfo = htonl(flow_info_);
      std::memcpy(&sin6.sin6_addr, ip_.data(), 16);
      sin6.sin6_scope_id = scope_id_;
      std::memcpy(out, &sin6, sizeof(sin6));
      return sizeof(sin6);
    }
    case AddressFamily::unix_domain: {
      if (path_length_ > kSunPathSize) return 0;
      const bool abstract = path_length_ != 0 && path_[0] == '\0';
      const std::size_t length =
          path_length_ == 0 ? kSunPathOffset : unix_native_length(path_length_, abstract);
      if (capacity < length) return 0;
      sockaddr_un sun{};
      sun.sun_family = static_cast<family_t>(AF_UNIX);
      std::memcpy(sun.sun_path, path_.data(), path_length_);
      std::memcpy(out, &sun, std::min(length, sizeof(sun)));
      return length;
    }
    case AddressFamily::unspecified:
    default:
      return 0;
  }
}

}  // namespace wskport
