// SPDX-License-Identifier: MIT
/// @file socket.hpp
/// @brief WSK-style sockets: categories, options and the IRP-taking operations.
///
/// A `Socket` is a small handle (provider + id). A stale handle (closed socket) or a
/// handle that never named a socket is detected, never dereferenced: the call
/// completes the IRP with `status::invalid_handle`.
///
/// Every operation follows one contract (DESIGN.md, "The completion contract"):
/// - a null @p irp returns `status::invalid_parameter` and completes nothing; so does
///   an IRP that is still pending from an earlier call;
/// - otherwise the IRP completes exactly once, with the status listed on the function;
///   the function returns that status if the IRP completed before it returned, else
///   `status::pending`;
/// - on a socket the library tore down underneath the caller (provider shut down,
///   native handle lost) every call but close completes with
///   `status::file_forced_closed`;
/// - a call that pends and is cancelled (`Irp::cancel`) or interrupted by `close()`
///   completes with `status::cancelled`;
/// - calls may come from any thread; one send and one receive may be in flight at once
///   (more queue in order), and close may race pending calls.
/// "Completes with" lists below omit these common statuses: `invalid_handle` (bad
/// handle), `file_forced_closed`, `cancelled`, and `invalid_device_state` for an
/// operation the socket's category does not have.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "wskport/address.hpp"
#include "wskport/buffer.hpp"
#include "wskport/irp.hpp"
#include "wskport/status.hpp"

namespace wskport {

class Provider;

/// A platform socket handle: the fd on POSIX, the SOCKET on Windows (which is an
/// unsigned pointer-sized value; INVALID_SOCKET reads as -1 here).
using native_handle_t = std::intptr_t;

/// WSK socket categories (WSK_FLAG_*_SOCKET values). The category fixes which
/// operations a socket has, as the WSK dispatch tables do.
enum class Category : std::uint32_t {
  basic = 0,       ///< options and close only
  listen = 1,      ///< bind (which also starts listening), accept, local address
  connection = 2,  ///< bind, connect, send, receive, disconnect, addresses
  datagram = 4,    ///< bind, send_to, receive_from, local address
  stream = 8,      ///< bind then either listen+accept or connect+send/receive
};

enum class SocketType : std::uint8_t { stream = 1, datagram = 2 };
enum class Protocol : std::uint8_t { automatic = 0, tcp = 6, udp = 17 };

/// Socket options (WskControlSocket's common set). Values are integers; booleans are
/// 0/1.
enum class SocketOption : std::uint8_t {
  reuse_address,          ///< SO_REUSEADDR; before bind
  exclusive_address_use,  ///< SO_EXCLUSIVEADDRUSE; before bind; excludes reuse_address
  keep_alive,             ///< SO_KEEPALIVE
  no_delay,               ///< TCP_NODELAY
  ipv6_only,              ///< IPV6_V6ONLY; IPv6 sockets, before bind
  receive_buffer,         ///< SO_RCVBUF, bytes
  send_buffer,            ///< SO_SNDBUF, bytes
  broadcast,              ///< SO_BROADCAST; datagram sockets
  /// wskport extension: the listen backlog used when a listen socket's bind (or a
  /// stream socket's listen) starts listening; before that call. Default: the
  /// platform's maximum (SOMAXCONN).
  listen_backlog,
};

/// Handle to a socket of a Provider. Copyable; copies name the same socket.
class Socket {
 public:
  Socket() noexcept = default;
  Socket(Provider* provider, std::uintptr_t id) noexcept : provider_(provider), id_(id) {}

  [[nodiscard]] std::uintptr_t id() const noexcept { return id_; }
  [[nodiscard]] Provider* provider() const noexcept { return provider_; }
  explicit operator bool() const noexcept { return provider_ != nullptr && id_ != 0; }
  friend bool operator==(const Socket&, const Socket&) noexcept = default;

  /// Binds to a local address (WskBind). On a listen socket it also starts listening,
  /// as WSK does. Synchronous: completes before returning.
  /// Completes with: `success`; `address_already_associated` (address in use, or the
  /// socket is already bound); `invalid_address_component` (address not on this
  /// host); `access_denied` (privileged port, exclusive-use conflict, or no write
  /// permission for an AF_UNIX path's directory); `invalid_address` (family does not
  /// match the socket's); `object_path_not_found` / `not_a_directory` /
  /// `name_too_long` (AF_UNIX path problems); `not_implemented` (a datagram socket
  /// created with the listen category).
  NTSTATUS bind(const Address& local, Irp* irp) const noexcept;
  /// As above from a native sockaddr; adds `invalid_parameter` (null, or shorter than
  /// the family field) and `invalid_address` (unknown family, too short for it).
  NTSTATUS bind(const void* native_sockaddr, std::size_t length, Irp* irp) const noexcept;

  /// Starts listening (WskListen): stream sockets only, after bind. Synchronous.
  /// Completes with: `success`; `invalid_device_state` (not bound, or connected);
  /// `address_already_associated` (another socket listens on the port).
  NTSTATUS listen(Irp* irp) const noexcept;

  /// Accepts a connection (WskAccept): listen sockets after bind, stream sockets after
  /// listen. Completes at once when a connection is queued, else pends.
  /// Information = the new connection socket's id (`Provider::socket_from`).
  /// @p local_out and @p remote_out (optional) receive the addresses.
  /// Completes with: `success`; `invalid_device_state` (not listening);
  /// `too_many_opened_files`; `insufficient_resources`.
  NTSTATUS accept(Address* local_out, Address* remote_out, Irp* irp) const noexcept;

  /// Connects (WskConnect). The socket must be bound first, as in WSK.
  /// Completes with: `success`; `invalid_device_state` (not bound: also *returned*
  /// with the IRP completed, as Windows does); `connection_active` (already
  /// connected); `network_busy` (a connect is already pending);
  /// `connection_refused`; `io_timeout`; `network_unreachable`; `host_unreachable`;
  /// `invalid_address` (family mismatch); `invalid_address_component`.
  NTSTATUS connect(const Address& remote, Irp* irp) const noexcept;
  /// As above from a native sockaddr; adds `invalid_parameter` (null, or shorter than
  /// the family field) and `invalid_address` (unknown family, too short for it).
  NTSTATUS connect(const void* native_sockaddr, std::size_t length, Irp* irp) const noexcept;

  /// Sends (WskSend). Completes only when every byte was taken by the transport;
  /// Information = bytes sent (== total on success). Flags: `send_flags::nodelay`.
  /// Completes with: `success`; `invalid_device_state` (not connected, or after a
  /// graceful disconnect); `not_supported` (unknown flag); `connection_reset`;
  /// `connection_aborted`; `invalid_parameter` (a descriptor with null data and
  /// non-zero size).
  NTSTATUS send(std::span<const ConstBuffer> buffers, unsigned flags, Irp* irp) const noexcept;
  NTSTATUS send(const void* data, std::size_t size, unsigned flags, Irp* irp) const noexcept;

  /// Receives (WskReceive). Completes as soon as any data is there; Information =
  /// bytes received; 0 bytes with `success` means the peer disconnected gracefully.
  /// A zero-length receive pends until data (or the peer's FIN) is there, then
  /// completes with 0 bytes and consumes nothing (Winsock's zero-byte-receive idiom).
  /// Flags: `receive_flags::waitall` (complete only when full, on disconnect or
  /// cancel), `receive_flags::drain` (discard until disconnect; size must be 0).
  /// Completes with: `success`; `invalid_device_state` (not connected);
  /// `not_supported` (unknown or conflicting flags); `invalid_parameter` (drain with a
  /// non-empty buffer, null data with non-zero size); `connection_reset`;
  /// `connection_aborted` (after a local abortive disconnect).
  NTSTATUS receive(std::span<const MutableBuffer> buffers, unsigned flags, Irp* irp) const noexcept;
  NTSTATUS receive(void* data, std::size_t size, unsigned flags, Irp* irp) const noexcept;

  /// Sends one datagram (WskSendTo) to @p remote. Datagram sockets, after bind.
  /// Information = bytes sent. Completes with: `success`; `invalid_device_state` (not
  /// bound); `invalid_address` (family mismatch, unspecified); `invalid_buffer_size`
  /// (datagram too large); `network_unreachable`; `host_unreachable`;
  /// `invalid_parameter` (null @p remote, a descriptor with null data and non-zero
  /// size).
  NTSTATUS send_to(std::span<const ConstBuffer> buffers, const Address* remote,
                   Irp* irp) const noexcept;
  NTSTATUS send_to(const void* data, std::size_t size, const Address* remote,
                   Irp* irp) const noexcept;

  /// Receives one datagram (WskReceiveFrom). Information = bytes placed in the
  /// buffers. @p remote_out (optional) receives the sender; @p control_flags_out
  /// (optional) receives `datagram_flags::*`. Completes with: `success`;
  /// `buffer_overflow` (the datagram was larger than the buffers: truncated, and
  /// `datagram_flags::truncated` set); `invalid_device_state` (not bound). An ICMP
  /// port-unreachable for an earlier send_to is not reported, on any platform (the
  /// Winsock backend turns off SIO_UDP_CONNRESET, as POSIX never reports it on an
  /// unconnected socket).
  NTSTATUS receive_from(std::span<const MutableBuffer> buffers, Address* remote_out,
                        unsigned* control_flags_out, Irp* irp) const noexcept;
  NTSTATUS receive_from(void* data, std::size_t size, Address* remote_out,
                        unsigned* control_flags_out, Irp* irp) const noexcept;

  /// Disconnects (WskDisconnect). Graceful (flags 0): sends @p final_data, waits for
  /// earlier sends, then sends FIN; the socket can still receive. Completes once the
  /// FIN is queued. Abortive (`disconnect_flags::abortive`, no data): resets the
  /// connection; pending sends complete `cancelled`, pending receives
  /// `connection_aborted`. Completes with: `success`; `invalid_device_state` (not
  /// connected); `invalid_parameter` (abortive with data); `not_supported` (unknown
  /// flag).
  NTSTATUS disconnect(std::span<const ConstBuffer> final_data, unsigned flags,
                      Irp* irp) const noexcept;

  /// Closes (WskCloseSocket). Every IRP pending on the socket completes with
  /// `cancelled` (each routine has returned) before the close IRP completes; after
  /// that no completion concerns this socket, and the handle is stale. A connected
  /// stream is reset unless both directions were disconnected (WSK close is
  /// abortive). Completes with: `success` (also on a forced-closed socket).
  NTSTATUS close(Irp* irp) const noexcept;

  /// The bound local address (WskGetLocalAddress). Synchronous.
  /// Completes with: `success`; `invalid_device_state` (not bound);
  /// `invalid_parameter` (null @p out).
  NTSTATUS local_address(Address* out, Irp* irp) const noexcept;
  /// The connected peer (WskGetRemoteAddress). Synchronous.
  /// Completes with: `success`; `invalid_device_state` (not connected);
  /// `invalid_parameter` (null @p out).
  NTSTATUS remote_address(Address* out, Irp* irp) const noexcept;

  /// Sets an option (WskControlSocket, WskSetOption). Synchronous.
  /// Completes with: `success`; `invalid_parameter` (option not valid for this
  /// socket, e.g. ipv6_only on IPv4, or reuse and exclusive use both on);
  /// `invalid_device_state` (an option that must precede bind, after bind).
  NTSTATUS set_option(SocketOption option, std::uint32_t value, Irp* irp) const noexcept;
  /// Reads an option; Information = its value. Synchronous.
  /// Completes with: `success`; `invalid_parameter`.
  NTSTATUS get_option(SocketOption option, Irp* irp) const noexcept;

  /// The native handle (fd / SOCKET), for hooks that must set platform options.
  /// Synchronous, no IRP: returns `success`, `invalid_handle`, `file_forced_closed`,
  /// or `invalid_parameter` for a null @p out. The handle stays owned by the library.
  NTSTATUS native_handle(native_handle_t* out) const noexcept;

 private:
  Provider* provider_ = nullptr;
  std::uintptr_t id_ = 0;
};

}  // namespace wskport
