// SPDX-License-Identifier: MIT
// What both Linux engines (epoll: posix_backend.cpp, io_uring: io_uring/) do the same
// way: the native socket, the synchronous calls on its fd, name resolution. One copy,
// so a conformance difference cannot creep in between the engines.
//
// The per-socket calls are templates over the engine's socket type S, which has
// `int fd`, `int backlog`, `bool no_delay`, `bool fd_exposed`, the SocketImpl state, and
// an overload `status_for_socket_errno(S&, int)` found by argument-dependent lookup
// (each engine answers EBADF by tearing its own registration down).
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "common/core/backend.hpp"
#include "common/core/socket_impl.hpp"
#include "wskport/address.hpp"
#include "wskport/socket.hpp"
#include "wskport/status.hpp"

namespace wskport::detail::posix {

/// The native address family of @p f (AF_UNSPEC when unspecified).
int native_family(AddressFamily f) noexcept;

/// socket(2) for @p p: non-blocking, close-on-exec, IPv6 made v6-only as WSK's default.
/// Returns the fd, or -1 with @p st set from errno.
int open_native_socket(const SocketParams& p, NTSTATUS& st) noexcept;

/// Backend::resolve for both engines (getaddrinfo; blocking).
NTSTATUS resolve_names(const std::string& node, std::uint16_t port, AddressFamily family,
                       std::vector<Address>& out) noexcept;

/// Backend::lookup_name for both engines (getnameinfo; blocking).
NTSTATUS lookup_names(const Address& address, unsigned flags, std::string* host,
                      std::string* service) noexcept;

/// True for the accept(2) errors after which Linux says to retry: a connection reset
/// before it was accepted, or a pending network error of the new connection.
bool accept_error_is_transient(int e) noexcept;

/// Fills an accept's optional outputs (null: not wanted) for the accepted @p fd, whose
/// peer address accept(2) returned in @p remote.
void fill_accept_addresses(int fd, const sockaddr_storage& remote, socklen_t remote_len,
                           Address* local, Address* peer) noexcept;

/// The descriptors from the cursor (op.seg_index / seg_offset) on, at most @p capacity,
/// as an iovec array for one sendmsg/recvmsg. Returns how many were written.
template <class B>
int build_iov(const IrpOp& op, const B* buffers, iovec* iov, std::size_t capacity) noexcept {
  int n = 0;
  std::size_t index = op.seg_index;
  std::size_t offset = op.seg_offset;
  while (index < op.buffer_count && static_cast<std::size_t>(n) < capacity) {
    const auto& b = buffers[index];
    if (b.size > offset) {
      // iovec has no const member; sendmsg only reads.
      iov[n].iov_base = const_cast<char*>(static_cast<const char*>(b.data)) + offset;
      iov[n].iov_len = b.size - offset;
      ++n;
    }
    ++index;
    offset = 0;
  }
  return n;
}

template <class S>
NTSTATUS set_int_option(S& s, int level, int name, int value) noexcept {
  if (::setsockopt(s.fd, level, name, &value, sizeof value) != 0) {
    return status_for_socket_errno(s, errno);
  }
  return status::success;
}

template <class S>
NTSTATUS get_int_option(S& s, int level, int name, std::uint32_t& out) noexcept {
  int v = 0;
  socklen_t len = sizeof v;
  if (::getsockopt(s.fd, level, name, &v, &len) != 0) return status_for_socket_errno(s, errno);
  out = static_cast<std::uint32_t>(v);
  return status::success;
}

template <class S>
NTSTATUS bind_socket(S& s, const Address& local) noexcept {
  sockaddr_storage ss{};
  const auto len = local.to_native(&ss, sizeof ss);
  if (len == 0) return status::invalid_address;
  if (::bind(s.fd, reinterpret_cast<const sockaddr*>(&ss), static_cast<socklen_t>(len)) != 0) {
    return status_for_socket_errno(s, errno);
  }
  return status::success;
}

template <class S>
NTSTATUS listen_socket(S& s) noexcept {
  if (::listen(s.fd, s.backlog) != 0) return status_for_socket_errno(s, errno);
  return status::success;
}

template <class S>
NTSTATUS query_name(S& s, Address& out, bool peer) noexcept {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  const int rc = peer ? ::getpeername(s.fd, sa, &len) : ::getsockname(s.fd, sa, &len);
  if (rc != 0) return status_for_socket_errno(s, errno);
  return Address::from_native(&ss, len, out);
}

template <class S>
NTSTATUS set_socket_option(S& s, SocketOption option, std::uint32_t value) noexcept {
  const int on = value != 0 ? 1 : 0;
  switch (option) {
    case SocketOption::reuse_address:
      return set_int_option(s, SOL_SOCKET, SO_REUSEADDR, on);
    case SocketOption::exclusive_address_use:
      // Linux binds are exclusive unless SO_REUSEADDR/SO_REUSEPORT is set, so the
      // option is bookkeeping here (the front end refuses it next to reuse_address).
      return status::success;
    case SocketOption::keep_alive:
      return set_int_option(s, SOL_SOCKET, SO_KEEPALIVE, on);
    case SocketOption::no_delay: {
      const auto st = set_int_option(s, IPPROTO_TCP, TCP_NODELAY, on);
      if (nt_success(st)) s.no_delay = on != 0;
      return st;
    }
    case SocketOption::ipv6_only:
      return set_int_option(s, IPPROTO_IPV6, IPV6_V6ONLY, on);
    case SocketOption::receive_buffer:
      return set_int_option(s, SOL_SOCKET, SO_RCVBUF, static_cast<int>(value));
    case SocketOption::send_buffer:
      return set_int_option(s, SOL_SOCKET, SO_SNDBUF, static_cast<int>(value));
    case SocketOption::broadcast:
      return set_int_option(s, SOL_SOCKET, SO_BROADCAST, on);
    case SocketOption::listen_backlog:
      s.backlog = static_cast<int>(value);
      return status::success;
  }
  return status::invalid_parameter;
}

template <class S>
NTSTATUS get_socket_option(S& s, SocketOption option, std::uint32_t& value) noexcept {
  switch (option) {
    case SocketOption::reuse_address:
      return get_int_option(s, SOL_SOCKET, SO_REUSEADDR, value);
    case SocketOption::exclusive_address_use:
      value = s.exclusive_address ? 1 : 0;
      return status::success;
    case SocketOption::keep_alive:
      return get_int_option(s, SOL_SOCKET, SO_KEEPALIVE, value);
    case SocketOption::no_delay:
      return get_int_option(s, IPPROTO_TCP, TCP_NODELAY, value);
    case SocketOption::ipv6_only:
      return get_int_option(s, IPPROTO_IPV6, IPV6_V6ONLY, value);
    case SocketOption::receive_buffer:
      return get_int_option(s, SOL_SOCKET, SO_RCVBUF, value);
    case SocketOption::send_buffer:
      return get_int_option(s, SOL_SOCKET, SO_SNDBUF, value);
    case SocketOption::broadcast:
      return get_int_option(s, SOL_SOCKET, SO_BROADCAST, value);
    case SocketOption::listen_backlog:
      value = static_cast<std::uint32_t>(s.backlog);
      return status::success;
  }
  return status::invalid_parameter;
}

/// WSK_FLAG_NODELAY asks for this send to go out now. Linux pushes queued segments when
/// TCP_NODELAY is switched on, so a socket without it gets a brief toggle.
template <class S>
void push_now(S& s) noexcept {
  if (s.no_delay || s.params().family == AddressFamily::unix_domain) return;
  int v = 1;
  ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
  v = 0;
  ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
}

/// What both Linux engines answer the same way, because the platform answers it, not the
/// engine: name resolution through getaddrinfo / getnameinfo.
class PlatformBackend : public Backend {
 public:
  NTSTATUS resolve(const std::string& node, std::uint16_t port, AddressFamily family,
                   std::vector<Address>& out) noexcept final {
    return resolve_names(node, port, family, out);
  }
  NTSTATUS lookup_name(const Address& address, unsigned flags, std::string* host,
                       std::string* service) noexcept final {
    return lookup_names(address, flags, host, service);
  }
};

/// Both POSIX engines' code for the kinds answered at once (submit_at_once, backend.hpp).
struct AtOnce {
  template <class S>
  static NTSTATUS bind(S& s, const Address& local) noexcept {
    return bind_socket(s, local);
  }
  template <class S>
  static NTSTATUS listen(S& s) noexcept {
    return listen_socket(s);
  }
  template <class S>
  static NTSTATUS address(S& s, Address& out, bool peer) noexcept {
    return query_name(s, out, peer);
  }
  template <class S>
  static NTSTATUS set_option(S& s, SocketOption option, std::uint32_t value) noexcept {
    return set_socket_option(s, option, value);
  }
  template <class S>
  static NTSTATUS get_option(S& s, SocketOption option, std::uint32_t& value) noexcept {
    return get_socket_option(s, option, value);
  }
};

}  // namespace wskport::detail::posix
