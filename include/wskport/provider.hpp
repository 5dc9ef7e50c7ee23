// SPDX-License-Identifier: MIT
/// @file provider.hpp
/// @brief The provider: a backend (POSIX or Winsock), its threads, and its sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wskport/irp.hpp"
#include "wskport/socket.hpp"
#include "wskport/status.hpp"

namespace wskport {

namespace detail {
class ProviderCore;
}

/// How a provider is built.
struct ProviderOptions {
  /// Backend name; empty picks the platform's native one ("posix" or "winsock"). See
  /// `available_backends()`.
  std::string_view backend{};
  /// Threads that run the event loop and completion routines. At least 1.
  unsigned threads = 1;
  /// How deep completion routines may nest on one thread when each issues a call that
  /// completes inline; past it, completions are posted to a provider thread (and the
  /// call returns `status::pending`), so a receive loop cannot overflow the stack.
  unsigned max_inline_depth = 4;
};

/// Flags of `Provider::lookup_name` (the NI_* values of Windows' ws2def.h, so WSK callers
/// pass theirs unchanged; each backend translates them to its resolver's).
namespace name_flags {
inline constexpr unsigned no_fqdn = 0x01;          ///< NI_NOFQDN: a local host's short name
inline constexpr unsigned numeric_host = 0x02;     ///< NI_NUMERICHOST: no reverse lookup
inline constexpr unsigned name_required = 0x04;    ///< NI_NAMEREQD: no name is an error
inline constexpr unsigned numeric_service = 0x08;  ///< NI_NUMERICSERV: the port in digits
inline constexpr unsigned datagram = 0x10;         ///< NI_DGRAM: the UDP service name
inline constexpr unsigned all = 0x1F;
}  // namespace name_flags

/// The backends compiled into this build, native first.
[[nodiscard]] std::vector<std::string_view> available_backends();

/// A WSK-style socket provider. Create it with `Provider::create`; destroy it (or call
/// `shutdown`) to tear everything down. Thread-safe.
class Provider {
 public:
  /// Creates a provider and starts its threads.
  /// @param[out] error receives `status::success`, `status::not_supported` (unknown
  ///             backend), `status::invalid_parameter` (zero threads) or
  ///             `status::insufficient_resources`; may be null.
  /// @return the provider, or null on failure.
  static std::unique_ptr<Provider> create(const ProviderOptions& options = {},
                                          NTSTATUS* error = nullptr);

  /// Shuts down (see `shutdown`), then joins the provider's threads. Must not run on a
  /// provider thread (that is, not from a completion routine).
  ~Provider();
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  /// Creates a socket (WskSocket). Synchronous. Information = the socket's id; turn it
  /// into a handle with `socket_from`. Completes with: `success`; `invalid_parameter`
  /// (a category/type combination WSK does not have, such as a datagram-category
  /// stream socket; unspecified family); `not_supported` (family, type or protocol the
  /// platform lacks); `too_many_opened_files`; `insufficient_resources`;
  /// `file_forced_closed` (after shutdown).
  NTSTATUS create_socket(AddressFamily family, SocketType type, Protocol protocol,
                         Category category, Irp* irp) noexcept;

  /// Resolves a host name or numeric address to transport addresses, as
  /// WskGetAddressInfo does: the platform resolver (getaddrinfo / GetAddrInfoW) runs
  /// on a provider thread set aside for blocking work, never on the event loop, and
  /// the IRP completes from there. @p node and @p family are copied; @p out must stay
  /// valid until completion and is replaced with the results (each with @p port), in
  /// the resolver's order, duplicates removed. Information = the number of addresses.
  /// A lookup cannot be interrupted: `Irp::cancel` has no effect on it, and the
  /// provider's destruction waits for lookups under way.
  /// Completes with: `success`; `not_found` (the name does not exist);
  /// `io_timeout` (temporary resolver failure); `invalid_parameter` (null @p out, empty
  /// @p node, or a node with an embedded NUL); `not_supported` (a family the resolver
  /// lacks; `unspecified` means any); `insufficient_resources`; `file_forced_closed`
  /// (after shutdown).
  NTSTATUS resolve(std::string_view node, std::uint16_t port, AddressFamily family,
                   std::vector<Address>* out, Irp* irp) noexcept;

  /// Translates a transport address to a host name and a service name, as
  /// WskGetNameInfo does: the platform's reverse lookup (getnameinfo / GetNameInfoW:
  /// hosts file, then DNS) and service table run on the provider thread set aside for
  /// blocking work, never on the event loop, and the IRP completes from there.
  /// @p address is copied; @p host and @p service (UTF-8) must stay valid until
  /// completion and are replaced on success; either may be null (that name is not
  /// wanted), not both. @p flags are `name_flags`. Without `name_required`, an address
  /// with no name gives its numeric form; a port with no service name gives digits.
  /// Information = 0. Not interruptible, like `resolve`.
  /// Completes with: `success`; `not_found` (`name_required` and the address has no
  /// name); `io_timeout` (temporary resolver failure); `invalid_parameter` (both
  /// outputs null, a flag outside `name_flags::all`); `invalid_address` (not an IPv4 or
  /// IPv6 address); `insufficient_resources`; `file_forced_closed` (after shutdown).
  NTSTATUS lookup_name(const Address& address, unsigned flags, std::string* host,
                       std::string* service, Irp* irp) noexcept;

  /// Completes @p irp with `success` once @p delay has passed, from a provider thread:
  /// the timer for code that lives beside the provider's completions (retry delays,
  /// idle timeouts, the connection manager's connect timeouts). Always asynchronous;
  /// Information = 0. Waiting timers cost no thread and, once the provider has seen as
  /// many at once, no allocation. `Irp::cancel` ends the wait early.
  /// Completes with: `success`; `cancelled` (the IRP was cancelled first);
  /// `invalid_parameter` (negative @p delay); `insufficient_resources`;
  /// `file_forced_closed` (after shutdown, or a wait still running at shutdown).
  NTSTATUS start_timer(std::chrono::nanoseconds delay, Irp* irp) noexcept;

  /// Completes @p irp with `success` from a provider thread, after the calls and
  /// completions already queued there: how to move work onto the provider's threads
  /// (the IRP's completion routine is the work). Always asynchronous; Information = 0;
  /// not cancellable (it runs promptly).
  /// Completes with: `success`; `file_forced_closed` (after shutdown).
  NTSTATUS post(Irp* irp) noexcept;

  /// The handle for an id from `IoStatus.Information` of a create or accept. Never
  /// fails; a bad id gives a handle whose calls complete with `invalid_handle`.
  [[nodiscard]] Socket socket_from(std::uintptr_t id) noexcept { return Socket(this, id); }

  /// Forced teardown: every pending IRP completes with `status::file_forced_closed`,
  /// native handles are closed (abortively), and every later call on a socket other
  /// than close returns `file_forced_closed`; close still succeeds and must still be
  /// called. New sockets cannot be created. Idempotent; blocks until the completions
  /// have run. Must not be called from a completion routine.
  void shutdown() noexcept;

  /// Sockets created or accepted and not yet closed.
  [[nodiscard]] std::size_t open_sockets() const noexcept;
  /// IRPs accepted by a call and not yet completed (their routine has not returned).
  [[nodiscard]] std::size_t outstanding_irps() const noexcept;
  /// The backend's name ("posix", "winsock").
  [[nodiscard]] std::string_view backend_name() const noexcept;

  /// Internal.
  detail::ProviderCore& core() noexcept { return *core_; }

 private:
  explicit Provider(std::unique_ptr<detail::ProviderCore> core) noexcept;
  std::unique_ptr<detail::ProviderCore> core_;
};

}  // namespace wskport
