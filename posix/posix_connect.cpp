// SPDX-License-Identifier: MIT
// POSIX connection set-up: connect (native connect(2), then writability and SO_ERROR)
// and accept (accept4, a new registered socket).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "common/core/provider_core.hpp"
#include "posix/posix_common.hpp"
#include "posix/posix_socket.hpp"
#include "posix/status_map.hpp"

namespace wskport::detail::posix {

Start start_connect(PosixSocket& s, const Address& remote, Irp& irp) noexcept {
  sockaddr_storage ss{};
  const auto len = remote.to_native(&ss, sizeof ss);
  if (len == 0) {
    s.connecting = false;
    return Start::done(status::invalid_address);
  }
  const int rc =
      ::connect(s.fd, reinterpret_cast<const sockaddr*>(&ss), static_cast<socklen_t>(len));
  if (rc == 0) {
    s.connecting = false;
    s.connected = true;
    return Start::done(status::success);
  }
  const int e = errno;
  // EINTR leaves the connect running in the background, like EINPROGRESS.
  if (e == EINPROGRESS || e == EINTR) return enqueue(s, irp, Dir::write, &perform_connect);
  s.connecting = false;
  if (e == EAGAIN && s.params().family == AddressFamily::unix_domain) {
    // An AF_UNIX listener whose backlog is full; Winsock answers WSAECONNREFUSED.
    return Start::done(status::connection_refused);
  }
  return Start::done(status_for_socket_errno(s, e));
}

Attempt perform_connect(PosixSocket& s, Irp& /*irp*/) noexcept {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == ECONNRESET || err == EPIPE) {
    // The handshake completed and the peer reset the connection before this check ran
    // (a peer that accepts and resets at once, a provider thread that was busy): Linux
    // answers a reset during the handshake ECONNREFUSED, so these two mean "connected,
    // then lost". WskConnect completes when the handshake completes and the reset is
    // the connection's, reported to the next receive or send; ConnectEx answers the
    // same. So the connect succeeds and the socket remembers the reset (issue 14,
    // defect 7; docs/reliability.md, "Peer behaviour").
    s.connecting = false;
    s.connected = true;
    s.lost = status::connection_reset;
    return Attempt::done(status::success);
  }
  if (err != 0) {
    s.connecting = false;
    return Attempt::done(status_for_socket_errno(s, err));
  }
  // No error yet may also mean "not finished": the first attempt comes right after
  // connect(2), and a portable wait is followed by a retry.
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof peer;
  if (::getpeername(s.fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
    if (errno == ENOTCONN) return Attempt::wait();
    s.connecting = false;
    return Attempt::done(status_for_socket_errno(s, errno));
  }
  s.connecting = false;
  s.connected = true;
  return Attempt::done(status::success);
}

void on_cancelled(PosixSocket& s, Irp& irp) noexcept {
  if (IrpAccess::op(irp).kind != OpKind::connect || s.fd < 0) return;
  // A cancelled connect must not finish later behind the caller's back: abandon the
  // attempt so the socket is unconnected again.
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  ::connect(s.fd, &unspec, sizeof unspec);
  s.connecting = false;
}

Attempt perform_accept(PosixSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  sockaddr_storage remote{};
  socklen_t remote_len = 0;
  int fd = -1;
  for (;;) {
    remote_len = sizeof remote;
    fd = ::accept4(s.fd, reinterpret_cast<sockaddr*>(&remote), &remote_len,
                   SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) break;
    const int e = errno;
    if (e == EAGAIN || e == EWOULDBLOCK) return Attempt::wait();
    // A connection reset before it was accepted, or (Linux) a pending network error
    // of the new connection: accept(2) says to retry.
    if (accept_error_is_transient(e)) continue;
    return Attempt::done(status_for_socket_errno(s, e));
  }

  SocketParams p = s.params();
  p.category = p.category == Category::listen ? Category::connection : Category::stream;
  auto& core = s.provider();
  auto* accepted = new (std::nothrow) PosixSocket(core, p, fd, s.waits.reactor());
  if (accepted == nullptr) {
    ::close(fd);
    return Attempt::done(status::insufficient_resources);
  }
  SocketRef guard(accepted, /*add=*/false);
  if (const int e = accepted->attach(); e != 0) return Attempt::done(status_from_errno(e));
  accepted->bound = true;
  accepted->connected = true;
  accepted->no_delay = s.no_delay;  // Linux accepted sockets inherit TCP_NODELAY

  fill_accept_addresses(fd, remote, remote_len, static_cast<Address*>(op.out1),
                        static_cast<Address*>(op.out2));
  const auto id = core.register_socket(accepted);
  if (id == 0) return Attempt::done(status::insufficient_resources);
  return Attempt::done(status::success, id);
}

}  // namespace wskport::detail::posix
