// SPDX-License-Identifier: MIT
// The io_uring engine as a Backend: each per-operation override forwards to the
// engine's own function for that operation; the synchronous calls, socket creation and
// name resolution are the epoll engine's (posix_common.hpp).

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "common/core/provider_core.hpp"
#include "posix/io_uring/uring_socket.hpp"
#include "posix/posix_common.hpp"
#include "posix/status_map.hpp"

namespace wskport::detail::posix::uring {

// ---- connection set-up: connect (IORING_OP_CONNECT) and accept (IORING_OP_ACCEPT, then
// a new socket on the same ring), with the epoll engine's results (posix_connect.cpp) ----

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

const OpSpec& connect_spec() noexcept {
  static const OpSpec spec{Dir::write, &issue_connect, &connect_result};
  return spec;
}
const OpSpec& accept_spec() noexcept {
  static const OpSpec spec{Dir::read, &issue_accept, &accept_result};
  return spec;
}

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
  return start(s, irp, connect_spec());
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

// ---- the Backend ----

namespace {

Start accept_op(UringSocket& s, Irp& irp) noexcept { return start(s, irp, accept_spec()); }
Start send_op(UringSocket& s, Irp& irp) noexcept { return start(s, irp, send_spec()); }
Start receive_op(UringSocket& s, Irp& irp) noexcept { return start(s, irp, receive_spec()); }
Start send_to_op(UringSocket& s, Irp& irp) noexcept { return start(s, irp, send_to_spec()); }
Start receive_from_op(UringSocket& s, Irp& irp) noexcept {
  return start(s, irp, receive_from_spec());
}

Start disconnect_op(UringSocket& s, Irp& irp, IrpList& others) noexcept {
  if ((IrpAccess::op(irp).flags & disconnect_flags::abortive) == 0) {
    return start(s, irp, disconnect_spec());
  }
  abort_connection(s, others);
  return Start::done(status::success);
}

// Closes the fd (abortively when @p abortive: SO_LINGER {1, 0} makes the close send
// RST and drop unsent data, as WSK's close does). close(2) here, not a ring request: a
// close with nothing pending completes at once on the epoll engine, with the port free
// again, and a ring close would make every close pending (the connection manager's
// tests see the difference). Requests still in the kernel hold the file until their
// cancellation completes, which comes before the close IRP's completion.
void close_native(UringSocket& s, bool abortive) noexcept {
  if (s.fd < 0) return;
  if (abortive) {
    const linger l{1, 0};
    ::setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  ::close(s.fd);
  s.fd = -1;
}

void teardown_op(UringSocket& s, NTSTATUS pending_status, IrpList& out) noexcept {
  fail_all(s, pending_status, out);
  // WSK's close is abortive unless both directions were already shut down.
  const bool graceful = !s.is_stream() || !s.connected || s.aborted || (s.fin_sent && s.eof_seen);
  close_native(s, !graceful);
}

UringSocket& native(SocketImpl& s) noexcept { return static_cast<UringSocket&>(s); }

class UringBackend final : public PlatformBackend {
 public:
  UringBackend() = default;

  int start_ring(std::string& reason) noexcept { return ring_.start(&on_cqe, reason); }

  std::string_view name() const noexcept override { return "io_uring"; }

  SocketImpl* create(ProviderCore& core, const SocketParams& p, NTSTATUS& st) noexcept override {
    const int fd = open_native_socket(p, st);
    if (fd < 0) return nullptr;
    auto* s = new (std::nothrow) UringSocket(core, p, fd, ring_);
    if (s == nullptr) {
      ::close(fd);
      st = status::insufficient_resources;
    }
    return s;
  }

  native_handle_t native_handle(SocketImpl& s) noexcept override {
    native(s).fd_exposed = true;
    return native(s).fd;
  }

  Start submit(SocketImpl& base, Irp& irp, IrpList& others) noexcept override {
    UringSocket& s = native(base);
    const auto& op = IrpAccess::op(irp);
    switch (op.kind) {
      case OpKind::accept:
        return accept_op(s, irp);
      case OpKind::connect:
        return start_connect(s, *static_cast<const Address*>(op.in1), irp);
      case OpKind::send:
        return send_op(s, irp);
      case OpKind::receive:
        return receive_op(s, irp);
      case OpKind::send_to:
        return send_to_op(s, irp);
      case OpKind::receive_from:
        return receive_from_op(s, irp);
      case OpKind::disconnect:
        return disconnect_op(s, irp, others);
      default:
        return submit_at_once<AtOnce>(s, op);
    }
  }

  // Submitted IRPs are marked to complete with pending_status whatever the kernel
  // reports (a peer's reset included) and cancelled; the fd stays open.
  void quiesce(SocketImpl& s, NTSTATUS pending_status, IrpList& out) noexcept override {
    fail_all(native(s), pending_status, out);
  }
  void teardown(SocketImpl& s, NTSTATUS pending_status, IrpList& out) noexcept override {
    teardown_op(native(s), pending_status, out);
  }

 private:
  Ring ring_;
};

}  // namespace

NTSTATUS io_uring_probe(std::string& reason) {
  return probe(reason) ? status::success : status::not_supported;
}

std::unique_ptr<Backend> make_io_uring_backend(boost::asio::io_context& /*io*/, NTSTATUS& st) {
  std::unique_ptr<UringBackend> backend;
  try {
    backend = std::make_unique<UringBackend>();
  } catch (...) {
    st = status::insufficient_resources;
    return nullptr;
  }
  std::string reason;
  if (backend->start_ring(reason) != 0) {
    // The probe passed a moment ago: what failed now is a resource (memory, fds).
    st = status::insufficient_resources;
    return nullptr;
  }
  return backend;
}

}  // namespace wskport::detail::posix::uring
