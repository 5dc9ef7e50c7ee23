// SPDX-License-Identifier: MIT
// The calls both Linux engines share (posix_common.hpp): socket creation and name
// resolution.
#include "posix/posix_common.hpp"

#include <netdb.h>
#include <unistd.h>

#include "posix/status_map.hpp"
#include "wskport/provider.hpp"

namespace wskport::detail::posix {

int native_family(AddressFamily f) noexcept {
  switch (f) {
    case AddressFamily::ipv4:
      return AF_INET;
    case AddressFamily::ipv6:
      return AF_INET6;
    case AddressFamily::unix_domain:
      return AF_UNIX;
    case AddressFamily::unspecified:
      break;
  }
  return AF_UNSPEC;
}

int open_native_socket(const SocketParams& p, NTSTATUS& st) noexcept {
  const int type = p.type == SocketType::stream ? SOCK_STREAM : SOCK_DGRAM;
  const int fd = ::socket(native_family(p.family), type | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          static_cast<int>(p.protocol));
  if (fd < 0) {
    st = status_from_errno(errno);
    return -1;
  }
  if (p.family == AddressFamily::ipv6) {
    // Windows (and so WSK) makes IPv6 sockets v6-only by default; Linux does not.
    // One default on every engine: dual stack is an explicit ipv6_only = 0.
    const int on = 1;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  st = status::success;
  return fd;
}

bool accept_error_is_transient(int e) noexcept {
  return e == EINTR || e == ECONNABORTED || e == EPROTO || e == ENETDOWN || e == ENOPROTOOPT ||
         e == EHOSTDOWN || e == ENONET || e == EHOSTUNREACH || e == ENETUNREACH;
}

void fill_accept_addresses(int fd, const sockaddr_storage& remote, socklen_t remote_len,
                           Address* local, Address* peer) noexcept {
  if (local != nullptr) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    *local = Address{};
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      (void)Address::from_native(&ss, len, *local);
    }
  }
  if (peer != nullptr) {
    *peer = Address{};
    (void)Address::from_native(&remote, remote_len, *peer);
  }
}

NTSTATUS resolve_names(const std::string& node, std::uint16_t port, AddressFamily family,
                       std::vector<Address>& out) noexcept {
  addrinfo hints{};
  hints.ai_family = native_family(family);
  // One entry per address: without a socket type getaddrinfo repeats each one for
  // stream, datagram and raw.
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(node.c_str(), nullptr, &hints, &list);
  if (rc != 0) return status_from_gai(rc);
  NTSTATUS st = status::success;
  try {
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      Address a;
      if (!nt_success(Address::from_native(ai->ai_addr, ai->ai_addrlen, a))) continue;
      a.set_port(port);
      bool seen = false;
      for (const auto& b : out) seen = seen || b == a;
      if (!seen) out.push_back(a);
    }
  } catch (...) {
    st = status::insufficient_resources;
  }
  ::freeaddrinfo(list);
  if (nt_success(st) && out.empty()) st = status::not_found;
  return st;
}

NTSTATUS lookup_names(const Address& address, unsigned flags, std::string* host,
                      std::string* service) noexcept {
  sockaddr_storage sa{};
  const std::size_t len = address.to_native(&sa, sizeof sa);
  if (len == 0) return status::invalid_address;
  int native = 0;
  if ((flags & name_flags::no_fqdn) != 0) native |= NI_NOFQDN;
  if ((flags & name_flags::numeric_host) != 0) native |= NI_NUMERICHOST;
  if ((flags & name_flags::name_required) != 0) native |= NI_NAMEREQD;
  if ((flags & name_flags::numeric_service) != 0) native |= NI_NUMERICSERV;
  if ((flags & name_flags::datagram) != 0) native |= NI_DGRAM;
  char h[NI_MAXHOST];
  char v[NI_MAXSERV];
  const int rc =
      ::getnameinfo(reinterpret_cast<const sockaddr*>(&sa), static_cast<socklen_t>(len),
                    host != nullptr ? h : nullptr, host != nullptr ? sizeof h : 0,
                    service != nullptr ? v : nullptr, service != nullptr ? sizeof v : 0, native);
  if (rc != 0) return status_from_gai(rc);
  try {
    if (host != nullptr) host->assign(h);
    if (service != nullptr) service->assign(v);
  } catch (...) {
    return status::insufficient_resources;
  }
  return status::success;
}

}  // namespace wskport::detail::posix
