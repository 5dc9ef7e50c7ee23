// SPDX-License-Identifier: MIT
// Winsock connection set-up: connect (ConnectEx on the bound socket, then
// SO_UPDATE_CONNECT_CONTEXT) and accept (AcceptEx into a socket made for it, then
// SO_UPDATE_ACCEPT_CONTEXT, the addresses from GetAcceptExSockaddrs, and a new socket
// registered with the provider).
#include <new>

#include "common/core/provider_core.hpp"
#include "wsk_shim/status_map_wsa.hpp"
#include "wsk_shim/winsock_socket.hpp"

namespace wskport::detail::winsock {

// ---- connect ---------------------------------------------------------------------------

Start begin_connect(WinSocket& s, const Address& remote, Irp& irp) noexcept {
  // The caller's Address may be gone once the call returns; the channel keeps the
  // sockaddr for ConnectEx (the write channel is idle: nothing is sent before connect).
  Channel& ch = s.channel(Dir::write);
  const std::size_t length = remote.to_native(&ch.address, sizeof ch.address);
  if (length == 0) {
    s.connecting = false;
    return Start::done(status::invalid_address);
  }
  ch.address_length = static_cast<int>(length);
  return enqueue(s, irp);
}

Step start_connect(WinSocket& s, Irp& irp) noexcept {
  Channel& ch = s.channel(Dir::write);
  const Step step = issue(s, irp, Dir::write, [&](OVERLAPPED* ov) {
    if (s.rt.connect_ex(s.handle, reinterpret_cast<const sockaddr*>(&ch.address), ch.address_length,
                        nullptr, 0, nullptr, ov)) {
      return completed_now;
    }
    return pending_or_error();
  });
  if (!step.in_flight) s.connecting = false;
  return step;
}

namespace {

// A reset, not a refusal: a connect the peer refuses during the handshake fails with
// WSAECONNREFUSED / ERROR_CONNECTION_REFUSED, so these come only after it completed.
bool reset_after_handshake(int error) noexcept {
  return error == WSAECONNRESET || error == ERROR_NETNAME_DELETED;
}

}  // namespace

Step finish_connect(WinSocket& s, Irp& /*irp*/, int error, std::size_t /*bytes*/) noexcept {
  s.connecting = false;
  if (error != 0 && !s.native_closed && reset_after_handshake(error)) {
    // The handshake completed, then the peer reset the connection before the
    // completion was taken (Wine takes the result from the host's SO_ERROR, as the
    // POSIX engine does): the connect succeeded and the reset belongs to the
    // connection, reported to the next receive or send, as WSK does (see
    // posix_connect.cpp; issue 14, defect 7).
    (void)::setsockopt(s.handle, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
    s.connected = true;
    s.lost = status::connection_reset;
    return Step::done(status::success);
  }
  if (error != 0) return Step::done(completion_status(s, Dir::write, error));
  if (s.native_closed) return Step::done(s.closed_status[static_cast<int>(Dir::write)]);
  // Makes getpeername, shutdown and the socket options work on the connected socket.
  if (::setsockopt(s.handle, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) != 0) {
    return Step::done(status_for_error(s, ::WSAGetLastError()));
  }
  s.connected = true;
  return Step::done(status::success);
}

void on_cancelled(WinSocket& s, Irp& irp) noexcept {
  // A connect cancelled before its ConnectEx ran leaves the socket unconnected. (One
  // cancelled in flight is answered by finish_connect.)
  if (IrpAccess::op(irp).kind == OpKind::connect) s.connecting = false;
}

// ---- accept ----------------------------------------------------------------------------

namespace {

// A connection that was reset or aborted before AcceptEx took it: the listener is fine,
// wait for the next one (the POSIX backend retries accept(2) for the same conditions).
// Windows reports it as ERROR_NETNAME_DELETED; Wine as ERROR_UNEXP_NET_ERR
// (STATUS_INVALID_CONNECTION), and SO_UPDATE_ACCEPT_CONTEXT as WSAENOTCONN.
bool connection_gone_before_accept(int error) noexcept {
  return error == ERROR_NETNAME_DELETED || error == WSAECONNRESET ||
         error == ERROR_CONNECTION_ABORTED || error == WSAECONNABORTED ||
         error == wsa::error_unexp_net_err || error == WSAENOTCONN;
}

void close_accept_socket(Channel& ch) noexcept {
  if (ch.accept_socket != INVALID_SOCKET) {
    ::closesocket(ch.accept_socket);
    ch.accept_socket = INVALID_SOCKET;
  }
}

}  // namespace

Step start_accept(WinSocket& s, Irp& irp) noexcept {
  Channel& ch = s.channel(Dir::read);
  const auto& p = s.params();
  int family = AF_INET;
  if (p.family == AddressFamily::ipv6) family = AF_INET6;
  if (p.family == AddressFamily::unix_domain) family = AF_UNIX;
  int error = 0;
  ch.accept_socket = open_socket(family, SOCK_STREAM, static_cast<int>(p.protocol), error);
  if (ch.accept_socket == INVALID_SOCKET) return Step::done(wsa::status_from_wsa(error));
  const Step step = issue(s, irp, Dir::read, [&](OVERLAPPED* ov) {
    if (s.rt.accept_ex(s.handle, ch.accept_socket, ch.accept_buffer.data(), 0, accept_address_space,
                       accept_address_space, &ch.accept_bytes, ov)) {
      return completed_now;
    }
    return pending_or_error();
  });
  if (!step.in_flight) close_accept_socket(ch);
  return step;
}

Step finish_accept(WinSocket& s, Irp& irp, int error, std::size_t /*bytes*/) noexcept {
  auto& op = IrpAccess::op(irp);
  Channel& ch = s.channel(Dir::read);
  if (error == 0 && s.native_closed) {
    // Accepted just before the listener closed: the close wins, as on POSIX, where a
    // connection still queued on a closed listener is reset.
    close_accept_socket(ch);
    return Step::done(s.closed_status[static_cast<int>(Dir::read)]);
  }
  if (error != 0) {
    close_accept_socket(ch);
    if (!s.native_closed && connection_gone_before_accept(error)) return continue_step(s, irp);
    return Step::done(completion_status(s, Dir::read, error));
  }
  const SOCKET accepted_handle = ch.accept_socket;
  ch.accept_socket = INVALID_SOCKET;

  // Until SO_UPDATE_ACCEPT_CONTEXT the new socket knows nothing of its listener:
  // getsockname, shutdown and the options would fail on it.
  if (::setsockopt(accepted_handle, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                   reinterpret_cast<const char*>(&s.handle),
                   static_cast<int>(sizeof s.handle)) != 0) {
    const int e = ::WSAGetLastError();
    ::closesocket(accepted_handle);
    if (connection_gone_before_accept(e)) return continue_step(s, irp);
    return Step::done(wsa::status_from_wsa(e));
  }

  SocketParams p = s.params();
  p.category = p.category == Category::listen ? Category::connection : Category::stream;
  auto& core = s.provider();
  auto* accepted = new (std::nothrow) WinSocket(core, p, accepted_handle, s.rt);
  if (accepted == nullptr) {
    ::closesocket(accepted_handle);
    return Step::done(status::insufficient_resources);
  }
  SocketRef guard(accepted, /*add=*/false);  // closes the handle if we give up below
  if (const auto st = associate(s.rt, *accepted); !nt_success(st)) return Step::done(st);
  accepted->bound = true;
  accepted->connected = true;
  accepted->no_delay = s.no_delay;  // SO_UPDATE_ACCEPT_CONTEXT copies the listener's options

  sockaddr* local = nullptr;
  sockaddr* remote = nullptr;
  int local_length = 0;
  int remote_length = 0;
  s.rt.get_accept_ex_sockaddrs(ch.accept_buffer.data(), 0, accept_address_space,
                               accept_address_space, &local, &local_length, &remote,
                               &remote_length);
  if (auto* out = static_cast<Address*>(op.out1); out != nullptr) {
    *out = Address{};
    if (local != nullptr && local_length > 0) {
      (void)Address::from_native(local, static_cast<std::size_t>(local_length), *out);
    }
  }
  if (auto* out = static_cast<Address*>(op.out2); out != nullptr) {
    *out = Address{};
    if (remote != nullptr && remote_length > 0) {
      (void)Address::from_native(remote, static_cast<std::size_t>(remote_length), *out);
    }
  }
  const auto id = core.register_socket(accepted);
  if (id == 0) return Step::done(status::insufficient_resources);
  return Step::done(status::success, id);
}

}  // namespace wskport::detail::winsock
