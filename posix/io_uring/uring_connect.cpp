// SPDX-License-Identifier: MIT
// io_uring connection set-up: connect (IORING_OP_CONNECT) and accept
// (IORING_OP_ACCEPT, then a new socket on the same ring), with the epoll engine's
// results (posix_connect.cpp).
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "common/core/provider_core.hpp"
#include "posix/io_uring/uring_backend.hpp"
#include "posix/io_uring/uring_socket.hpp"
#include "posix/posix_common.hpp"
#include "posix/status_map.hpp"

namespace wskport::detail::posix::uring {

namespace {

void tag(io_uring_sqe* sqe, Irp& irp) noexcept {
  io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(&irp));
}

Step issue_connect(UringSocket& s, Irp& irp) noexcept {
  auto& n = s.native[static_cast<int>(Dir::write)];
  io_uring_sqe* sqe = sqe_for(s);
  io_uring_prep_connect(sqe, s.fd, reinterpret_cast<const sockaddr*>(&n.addr), n.addr_len);
  tag(sqe, irp);
  return Step::sent();
}

Step connect_result(UringSocket& s, Irp& /*irp*/, int res) noexcept {
  if (res == -ECONNRESET || res == -EPIPE) {
    // Connected, then reset before the result was read: the connect succeeds and the
    // socket remembers the reset, as on the epoll engine (posix_connect.cpp).
    s.connecting = false;
    s.connected = true;
    s.lost = status::connection_reset;
    return Step::finished(status::success);
  }
  s.connecting = false;
  if (res < 0) return Step::finished(status_for_socket_errno(s, -res));
  s.connected = true;
  return Step::finished(status::success);
}

Step issue_accept(UringSocket& s, Irp& irp) noexcept {
  auto& n = s.native[static_cast<int>(Dir::read)];
  n.addr_len = sizeof n.addr;
  io_uring_sqe* sqe = sqe_for(s);
  io_uring_prep_accept(sqe, s.fd, reinterpret_cast<sockaddr*>(&n.addr), &n.addr_len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
  tag(sqe, irp);
  return Step::sent();
}

Step accept_result(UringSocket& s, Irp& irp, int res) noexcept {
  if (res < 0) {
    if (res == -EAGAIN || accept_error_is_transient(-res)) return Step::resubmit();
    return Step::finished(status_for_socket_errno(s, -res));
  }
  const int fd = res;
  SocketParams p = s.params();
  p.category = p.category == Category::listen ? Category::connection : Category::stream;
  auto& core = s.provider();
  auto* accepted = new (std::nothrow) UringSocket(core, p, fd, s.ring);
  if (accepted == nullptr) {
    ::close(fd);
    return Step::finished(status::insufficient_resources);
  }
  SocketRef guard(accepted, /*add=*/false);
  accepted->bound = true;
  accepted->connected = true;
  accepted->no_delay = s.no_delay;  // Linux accepted sockets inherit TCP_NODELAY
  auto& op = IrpAccess::op(irp);
  const auto& n = s.native[static_cast<int>(Dir::read)];
  fill_accept_addresses(fd, n.addr, n.addr_len, static_cast<Address*>(op.out1),
                        static_cast<Address*>(op.out2));
  const auto id = core.register_socket(accepted);
  if (id == 0) return Step::finished(status::insufficient_resources);
  return Step::finished(status::success, id);
}

}  // namespace

const OpSpec connect_spec{Dir::write, &issue_connect, &connect_result};
const OpSpec accept_spec{Dir::read, &issue_accept, &accept_result};

Start start_connect(UringSocket& s, const Address& remote, Irp& irp) noexcept {
  auto& n = s.native[static_cast<int>(Dir::write)];
  const auto len = remote.to_native(&n.addr, sizeof n.addr);
  if (len == 0) {
    s.connecting = false;
    return Start::done(status::invalid_address);
  }
  n.addr_len = static_cast<socklen_t>(len);
  if (s.params().family == AddressFamily::unix_domain) {
    // A local connect never waits for a handshake: it succeeds or fails at once, and an
    // AF_UNIX listener whose backlog is full answers EAGAIN, which Winsock reports as
    // WSAECONNREFUSED (a request would instead wait for room).
    const int rc = ::connect(s.fd, reinterpret_cast<const sockaddr*>(&n.addr), n.addr_len);
    const int e = errno;
    s.connecting = false;
    if (rc == 0) {
      s.connected = true;
      return Start::done(status::success);
    }
    if (e == EAGAIN) return Start::done(status::connection_refused);
    return Start::done(status_for_socket_errno(s, e));
  }
  return start(s, irp, connect_spec);
}

void abandon_connect(UringSocket& s) noexcept {
  if (s.fd < 0) return;
  // A cancelled connect must not finish later behind the caller's back: abandon the
  // attempt so the socket is unconnected again.
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  ::connect(s.fd, &unspec, sizeof unspec);
  s.connecting = false;
}

}  // namespace wskport::detail::posix::uring
