// SPDX-License-Identifier: MIT
/// @file provider.hpp
/// @brief The provider: an engine (io_uring, epoll or IOCP), its threads, and its sockets.
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
  /// The engine by name: "io_uring" or "epoll" (Linux), "iocp" (Windows); the backend
  /// names of earlier releases are aliases ("posix" = "epoll", "winsock" = "iocp").
  /// Empty: the environment variable WSKPORT_ENGINE if it is set and not empty, else
  /// the best engine this host can run (`available_engines().front()`). A name that is
  /// unknown, or an engine this host cannot run, makes `Provider::create` fail with
  /// `status::not_supported` (no fallback); `choose_engine` says why.
  std::string_view engine{};
  /// @deprecated The name of `engine` in earlier releases, kept for one release: read
  /// only when `engine` is empty, with the same meaning. Use `engine`. (No
  /// [[deprecated]] attribute: on a member, GCC and Clang would warn at every copy of
  /// the options, not only where this field is named.)
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

/// An engine compiled into this build, and whether this host can run it.
struct EngineInfo {
  std::string name;        ///< "io_uring", "epoll", "iocp"
  bool available = false;  ///< this host can run it
  /// Why this host cannot run it (for example io_uring disabled by
  /// kernel.io_uring_disabled, or refused by a seccomp filter); empty when available.
  std::string reason;
};

/// What `Provider::create` would do with some options (see `choose_engine`).
struct EngineChoice {
  /// `status::success`, or the status `Provider::create` fails with.
  NTSTATUS status = status::success;
  /// The engine's name ("epoll"; an alias is reported by its name), empty on failure.
  std::string name;
  /// Why: how the engine was named ("ProviderOptions::engine", "WSKPORT_ENGINE", "best
  /// available"), the engines that were passed over and why ("io_uring: ..."), or why
  /// none could be chosen. For people, not for parsing.
  std::string reason;
};

/// Every engine compiled into this build, best first, each with whether this host can
/// run it and why not. Each engine's host check runs once per process (the first call
/// that needs it) and is remembered. Synchronous; thread-safe.
[[nodiscard]] std::vector<EngineInfo> compiled_engines();

/// The engines this host can run, best first: the first is what an empty
/// `ProviderOptions::engine` gets when WSKPORT_ENGINE is not set. Synchronous;
/// thread-safe.
[[nodiscard]] std::vector<std::string_view> available_engines();

/// @deprecated The name of `available_engines` in earlier releases, kept for one
/// release; returns the same list.
[[nodiscard]] std::vector<std::string_view> available_backends();

/// Whether this host can run the engine @p name (an alias is accepted). Synchronous.
/// @param[out] reason receives why not (empty when it can); may be null.
/// Reports: `success`; `not_supported` (no engine of that name is compiled into this
/// build, or it is compiled in and this host cannot run it; @p reason says which);
/// `insufficient_resources` (memory ran out while checking; not remembered).
NTSTATUS engine_status(std::string_view name, std::string* reason = nullptr);

/// The engine `Provider::create` would use with @p options, with the environment as it
/// is now, and why; creates nothing. The rule: `options.engine` if not empty, else
/// `options.backend` (deprecated), else WSKPORT_ENGINE if set and not empty, else the
/// best engine this host can run. A name (from any of the three) that is unknown or
/// that this host cannot run is an error, never a silent fallback; only "best
/// available" passes over engines, and `reason` then lists each one passed over with
/// its reason. Synchronous; thread-safe.
/// Reports (in `EngineChoice::status`): `success`; `not_supported` (the named engine is
/// unknown or unavailable here, or no compiled-in engine can run on this host);
/// `insufficient_resources` (memory ran out while checking the named engine).
EngineChoice choose_engine(const ProviderOptions& options = {});

/// A WSK-style socket provider. Create it with `Provider::create`; destroy it (or call
/// `shutdown`) to tear everything down. Thread-safe.
class Provider {
 public:
  /// Creates a provider on the engine `choose_engine(options)` picks (options first,
  /// then WSKPORT_ENGINE, then the best available) and starts its threads. Synchronous.
  /// @param[out] error receives the status below; may be null.
  /// @return the provider, or null on failure.
  /// Reports: `success`; `not_supported` (the engine named in @p options or in
  /// WSKPORT_ENGINE is not compiled in or cannot run on this host, or no engine can:
  /// `choose_engine` gives the reason); `invalid_parameter` (zero threads);
  /// `insufficient_resources` (memory, threads, or the engine's own setup, such as a
  /// kernel ring, failed); `too_many_opened_files` (the engine's setup ran out of
  /// descriptors); `unsuccessful` (an unexpected exception).
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
  /// The name of the engine this provider runs on ("io_uring", "epoll", "iocp"; never
  /// an alias).
  [[nodiscard]] std::string_view engine_name() const noexcept;
  /// @deprecated The name of `engine_name` in earlier releases, kept for one release;
  /// returns the same name (so "epoll" where it used to say "posix").
  [[nodiscard]] std::string_view backend_name() const noexcept;

  /// Internal.
  detail::ProviderCore& core() noexcept { return *core_; }

 private:
  explicit Provider(std::unique_ptr<detail::ProviderCore> core) noexcept;
  std::unique_ptr<detail::ProviderCore> core_;
};

}  // namespace wskport
