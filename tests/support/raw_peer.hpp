// SPDX-License-Identifier: MIT
// A peer built from plain BSD / Winsock sockets, not from the library: the other end
// of a connection whose behaviour a test controls exactly (reset with SO_LINGER {1, 0},
// half-close, stop reading, connect and reset before an accept). Every wait is bounded
// (poll / select with a timeout); nothing here asserts, the tests do.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#endif

#include "wskport/address.hpp"

namespace wskport::test::raw {

#ifdef _WIN32
using native_t = SOCKET;
inline constexpr native_t invalid_native = INVALID_SOCKET;
inline int last_error() noexcept { return ::WSAGetLastError(); }
inline constexpr int no_signal = 0;
#else
using native_t = int;
inline constexpr native_t invalid_native = -1;
inline int last_error() noexcept { return errno; }
inline constexpr int no_signal = MSG_NOSIGNAL;  // a send to a reset peer must not kill the test
#endif

/// Winsock must be started by each of its users; the library's own start does not
/// count for code outside it. A no-op elsewhere.
class NetStartup {
 public:
  NetStartup() noexcept {
#ifdef _WIN32
    WSADATA data{};
    ok_ = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
#endif
  }
  ~NetStartup() {
#ifdef _WIN32
    if (ok_) ::WSACleanup();
#endif
  }
  NetStartup(const NetStartup&) = delete;
  NetStartup& operator=(const NetStartup&) = delete;

 private:
#ifdef _WIN32
  bool ok_ = true;
#endif
};

/// One native socket, closed on destruction. Blocking; waits go through wait_readable.
class RawSocket {
 public:
  RawSocket() noexcept = default;
  explicit RawSocket(native_t h) noexcept : h_(h) {}
  RawSocket(RawSocket&& o) noexcept : h_(std::exchange(o.h_, invalid_native)) {}
  RawSocket& operator=(RawSocket&& o) noexcept {
    if (this != &o) {
      close();
      h_ = std::exchange(o.h_, invalid_native);
    }
    return *this;
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  ~RawSocket() { close(); }

  /// A TCP (@p stream) or UDP socket of @p family.
  static RawSocket open(AddressFamily family, bool stream) noexcept {
    const int f = family == AddressFamily::ipv6 ? AF_INET6 : AF_INET;
    return RawSocket(::socket(f, stream ? SOCK_STREAM : SOCK_DGRAM, 0));
  }

  [[nodiscard]] bool valid() const noexcept { return h_ != invalid_native; }
  [[nodiscard]] native_t native() const noexcept { return h_; }

  bool bind(const Address& a) noexcept {
    sockaddr_storage ss{};
    const auto len = a.to_native(&ss, sizeof ss);
    return len != 0 &&
           ::bind(h_, reinterpret_cast<const sockaddr*>(&ss), static_cast<socklen_t>(len)) == 0;
  }
  bool listen(int backlog) noexcept { return ::listen(h_, backlog) == 0; }
  /// Blocking connect (loopback: immediate, or refused).
  bool connect(const Address& a) noexcept {
    sockaddr_storage ss{};
    const auto len = a.to_native(&ss, sizeof ss);
    return len != 0 &&
           ::connect(h_, reinterpret_cast<const sockaddr*>(&ss), static_cast<socklen_t>(len)) == 0;
  }
  [[nodiscard]] Address local_address() const noexcept {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    Address out;
    if (::getsockname(h_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      (void)Address::from_native(&ss, static_cast<std::size_t>(len), out);
    }
    return out;
  }

  /// True when a read (or an accept) would not block within @p bound.
  [[nodiscard]] bool wait_readable(std::chrono::milliseconds bound) const noexcept {
#ifdef _WIN32
    fd_set set;
    FD_ZERO(&set);
    FD_SET(h_, &set);
    timeval tv{};
    tv.tv_sec = static_cast<long>(bound.count() / 1000);
    tv.tv_usec = static_cast<long>((bound.count() % 1000) * 1000);
    return ::select(0, &set, nullptr, nullptr, &tv) == 1;
#else
    pollfd p{h_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(bound.count())) == 1;
#endif
  }

  /// Accepts one connection, waiting at most @p bound. Invalid when none came.
  RawSocket accept(std::chrono::milliseconds bound) noexcept {
    if (!wait_readable(bound)) return {};
    return RawSocket(::accept(h_, nullptr, nullptr));
  }

  bool set_int(int level, int name, int value) noexcept {
    return ::setsockopt(h_, level, name, reinterpret_cast<const char*>(&value),
                        static_cast<socklen_t>(sizeof value)) == 0;
  }
  /// A small receive buffer, so that a sender fills the path quickly (set it on a
  /// listener before accept: accepted sockets inherit it).
  bool set_receive_buffer(int bytes) noexcept { return set_int(SOL_SOCKET, SO_RCVBUF, bytes); }

  /// Sends FIN (the peer's receives then read end of stream); receiving goes on.
  bool shutdown_send() noexcept {
#ifdef _WIN32
    return ::shutdown(h_, SD_SEND) == 0;
#else
    return ::shutdown(h_, SHUT_WR) == 0;
#endif
  }

  /// Closes with SO_LINGER {1, 0}: the connection is reset (RST), unsent data dropped.
  void reset() noexcept {
    if (!valid()) return;
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    ::setsockopt(h_, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l),
                 static_cast<socklen_t>(sizeof l));
    close();
  }

  void close() noexcept {
    if (!valid()) return;
#ifdef _WIN32
    ::closesocket(h_);
#else
    ::close(h_);
#endif
    h_ = invalid_native;
  }

  /// Sends all of @p data (blocking). False on an error.
  bool send_all(const void* data, std::size_t size) noexcept {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const int chunk = static_cast<int>(size < (1U << 20U) ? size : (1U << 20U));
      const auto r = ::send(h_, p, chunk, no_signal);
      if (r <= 0) return false;
      p += r;
      size -= static_cast<std::size_t>(r);
    }
    return true;
  }

  /// One receive, waiting at most @p bound for data: the byte count, 0 at end of
  /// stream, -1 on an error, -2 when nothing came within the bound.
  long receive(void* data, std::size_t size, std::chrono::milliseconds bound) noexcept {
    if (!wait_readable(bound)) return -2;
    const auto r = ::recv(h_, static_cast<char*>(data), static_cast<int>(size), 0);
    return r < 0 ? -1 : static_cast<long>(r);
  }

  bool send_to(const void* data, std::size_t size, const Address& to) noexcept {
    sockaddr_storage ss{};
    const auto len = to.to_native(&ss, sizeof ss);
    return len != 0 && ::sendto(h_, static_cast<const char*>(data), static_cast<int>(size),
                                no_signal, reinterpret_cast<const sockaddr*>(&ss),
                                static_cast<socklen_t>(len)) == static_cast<long>(size);
  }

 private:
  native_t h_ = invalid_native;
};

}  // namespace wskport::test::raw
