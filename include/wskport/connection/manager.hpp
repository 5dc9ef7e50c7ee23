// SPDX-License-Identifier: MIT
/// @file manager.hpp
/// @brief The outbound connection manager (Momentum's initiate_connection model) in
///        C++: MultiVIP bindings, domain records, connection attempts and their
///        handles. The C API of wskport/momentum/connection.h is a thin layer over it.
///
/// Threads. Every callback of a manager (a connection's finish/timeout callback, a
/// domain's resolve callback) runs on one of the provider's threads, serialised on
/// the manager's strand: never two at once for one manager, never on the thread of an
/// `initiate` call while it runs. A callback may start as soon as `initiate` has
/// created the handle, on another thread, before `initiate` returned; an `initiate`
/// called from a callback (the strand, like Momentum's scheduler thread) always
/// returns before its own callback starts. Callbacks must not block or throw (an
/// exception is swallowed). Everything else may be called from any thread, callbacks
/// included, except where noted.
///
/// Lifetime. The Provider must outlive the manager. The manager's destructor closes
/// every connection still open and waits for the last completion and callback.
///
/// Sections: result codes, MX lookup, the manager (options, bindings, domains,
/// connections).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wskport/address.hpp"
#include "wskport/momentum/connection_types.h"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"
#include "wskport/status.hpp"

namespace wskport::connection {

// ---------------------------------------------------------------------------------
// Result codes
//
// The CONN_ERR_* values as an enum, the CONN_ACTION_* flags, and the int code the
// C API carries.
//
// A code is what initiate_connection reports: a `CONN_ERR_*` value in the low byte,
// ORed with `CONN_ACTION_*` flags (see wskport/momentum/connection_types.h, which
// defines the numbers; they are wskport's, not ecelerity's).
// ---------------------------------------------------------------------------------

/// The error part of a code.
enum class Error : int {
  none = CONN_ERR_NONE,
  mx_lookup_failed = CONN_ERR_MX_LOOKUP_FAILED,
  mx_lookup_pending = CONN_ERR_MX_LOOKUP_PENDING,
  smtp_null_mx = CONN_ERR_SMTP_NULL_MX,
  no_mxs_reachable = CONN_ERR_NO_MXS_REACHABLE,
  prohibited_ip = CONN_ERR_PROHIBITED_IP,
  host_max_reached = CONN_ERR_HOST_MAX_REACHED,
  socket = CONN_ERR_SOCKET,
  ioctl = CONN_ERR_IOCTL,
  bind = CONN_ERR_BIND,
  connect = CONN_ERR_CONNECT,
  connect_network = CONN_ERR_CONNECT_NETWORK,
  connect_timeout = CONN_ERR_CONNECT_TIMEOUT,
  hook_abort = CONN_ERR_HOOK_ABORT,
  invalid = CONN_ERR_INVALID,
};

/// The CONN_ACTION_* flags.
namespace action {
inline constexpr int none = 0;
inline constexpr int requeue1 = CONN_ACTION_REQUEUE1;
inline constexpr int purge_domain = CONN_ACTION_PURGE_DOMAIN;
}  // namespace action

/// The error part of @p code (CONN_ERROR()).
[[nodiscard]] constexpr Error error_of(int code) noexcept {
  return static_cast<Error>(CONN_ERROR(code));
}
/// The CONN_ACTION_* flags of @p code (CONN_ACTION()).
[[nodiscard]] constexpr int actions_of(int code) noexcept { return CONN_ACTION(code); }

/// The code of an attempt that ended with @p e, with the action flags Momentum's
/// caller is asked to apply (the library's fixed policy, listed on
/// initiate_connection in connection.h): REQUEUE1 for connect failures (refused,
/// unreachable, timeout); none for local failures (socket, options, bind, hook
/// abort). Admission failures (lookup, prohibited address, no address left, limits)
/// carry their action where they are detected, so this adds none for them.
[[nodiscard]] constexpr int make_code(Error e) noexcept {
  switch (e) {
    case Error::connect:
    case Error::connect_network:
    case Error::connect_timeout:
      return static_cast<int>(e) | action::requeue1;
    default:
      return static_cast<int>(e);
  }
}

/// "CONN_ERR_BIND" for any code whose error part is CONN_ERR_BIND; "CONN_ERR_UNKNOWN"
/// for a value with no name. Static storage; never allocates.
[[nodiscard]] std::string_view error_name(int code) noexcept;

/// How a failed connect is reported.
/// @return `Error::connect_network` for network, host, protocol or port unreachable;
///         `Error::connect_timeout` for `status::io_timeout`; `Error::none` for
///         success; `Error::connect` for anything else (refused, reset, aborted, and
///         local failures such as a provider shut down under the attempt).
[[nodiscard]] Error classify_connect_status(NTSTATUS s) noexcept;

// ---------------------------------------------------------------------------------
// MX lookup
//
// A pluggable resolver interface and a static table for tests and fixed routes
// (smarthosts).
//
// The manager asks an `MxResolver` for a domain's MX hosts, then resolves every host
// name through `Provider::resolve` (getaddrinfo off the event loop, with
// WskGetAddressInfo's semantics), so a host may be a name such as "localhost" or a
// numeric address.
// ---------------------------------------------------------------------------------

/// One MX host of a domain.
struct MxHost {
  std::string name;              ///< host name or numeric IPv4/IPv6 address
  std::uint16_t preference = 0;  ///< lower is tried first; equal values form a level
  std::uint16_t port = 0;        ///< 0: the manager's default port (25)
};

/// The outcome of an MX lookup.
enum class MxStatus {
  ok,                 ///< `hosts` holds the MX hosts (non-empty)
  no_records,         ///< the domain exists without MX records: the domain itself is
                      ///< the only host, preference 0 (RFC 5321 section 5.1)
  not_found,          ///< the domain does not exist (NXDOMAIN)
  temporary_failure,  ///< try again later (SERVFAIL, timeout)
  null_mx,            ///< the domain publishes a null MX (RFC 7505)
};

struct MxAnswer {
  MxStatus status = MxStatus::not_found;
  std::vector<MxHost> hosts;
};

/// The MX lookup interface. Implementations must be thread-safe.
class MxResolver {
 public:
  using Done = std::function<void(MxAnswer)>;
  virtual ~MxResolver() = default;
  /// Looks up @p domain (lower case) and calls @p done exactly once, inline or later,
  /// on any thread; it must not throw. An `ok` answer with no hosts counts as
  /// `not_found`. A manager's shutdown waits for outstanding lookups to call back.
  virtual void lookup(const std::string& domain, Done done) = 0;
};

/// A fixed table of answers. Answers inline, on the calling thread.
class StaticMxResolver final : public MxResolver {
 public:
  /// Adds a host to @p domain's answer (status `ok`). Thread-safe.
  void add(std::string_view domain, MxHost host);
  /// Replaces @p domain's answer. Thread-safe.
  void set(std::string_view domain, MxAnswer answer);
  /// Forgets @p domain (it then answers `not_found`). Thread-safe.
  void remove(std::string_view domain);

  void lookup(const std::string& domain, Done done) override;

 private:
  std::mutex mutex_;
  std::map<std::string, MxAnswer, std::less<>> table_;
};

/// @p name in ASCII lower case (domain names compare case-insensitively).
[[nodiscard]] std::string lower_case(std::string_view name);

// ---------------------------------------------------------------------------------
// The manager
// ---------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

namespace detail {
class ManagerState;
class ConnectionState;
}  // namespace detail

struct Initiated;
struct ConnectCallbacks;
class Domain;

/// How a manager connects. Defaults are Momentum's where it documents one.
struct ManagerOptions {
  /// Per attempt (one address): Momentum's Connect_Timeout.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(300);
  /// All attempts of one initiate call, counted from its start.
  std::chrono::milliseconds overall_timeout = std::chrono::seconds(600);
  /// An address whose connect failed is skipped this long (Host_Failure_Retry).
  std::chrono::milliseconds host_failure_retry = std::chrono::seconds(120);
  /// After a per-attempt timeout, try the next address if the overall deadline allows
  /// (as Postfix and KumoMTA do); false ends the attempt at the first timeout.
  bool next_address_on_timeout = true;
  /// Open connections per domain over all bindings (Max_Outbound_Connections); 0 = no
  /// limit. A domain's own limits override it (`Domain::set_limits`).
  std::size_t max_outbound_connections = 32;
  /// Open connections per domain and binding slot; 0 = no limit.
  std::size_t max_outbound_connections_per_binding = 0;
  /// Port of MX hosts given port 0.
  std::uint16_t default_port = 25;
  /// Options set on every outbound socket before bind (a failure: CONN_ERR_IOCTL).
  std::vector<std::pair<SocketOption, std::uint32_t>> socket_options;
  /// Destinations never connected to (the port is ignored): a route resolving to one
  /// fails with CONN_ERR_PROHIBITED_IP | CONN_ACTION_PURGE_DOMAIN.
  std::vector<Address> prohibited_hosts;
  /// Destinations silently left out of the plan (the port is ignored).
  std::vector<Address> skip_hosts;
  /// Shuffle addresses within one MX preference level (spreads load as Momentum and
  /// KumoMTA do); false keeps the resolver's order.
  bool shuffle_within_level = true;
};

/// One binding slot: a source address of a named binding.
struct BindingSlotInfo {
  int slot = -1;
  std::string binding;
  Address source;                   ///< `AddressFamily::unspecified` for "any" ("*")
  std::size_t max_connections = 0;  ///< 0 = no limit
  std::size_t open_connections = 0;
  bool plumbed = true;  ///< false after a bind failed with "address not on this host"
};

/// A snapshot of one MX host of a domain.
struct MxView {
  std::string name;
  std::uint16_t preference = 0;
  std::uint16_t port = 0;
  std::vector<Address> addresses;
  std::size_t addresses_marked_bad = 0;    ///< skipped until host_failure_retry ends
  std::uint64_t consecutive_failures = 0;  ///< reset by a success on this MX
};

enum class RouteState {
  unresolved,  ///< never resolved, or the first resolution is running
  resolved,    ///< routes usable (a refresh may be running)
  failed,      ///< the last resolution failed (`Domain::lookup_code`)
};

/// A domain record: shared handle to the manager's record for one domain. Cheap to
/// copy; all methods are thread-safe.
class Domain {
 public:
  Domain() = default;
  explicit operator bool() const noexcept { return record_ != nullptr; }

  /// The record behind a C `domain_record*`; empty for null.
  static Domain from(::domain_record* record);
  /// The C view (valid as long as this or another handle to the record lives).
  [[nodiscard]] ::domain_record* c_record() const noexcept { return record_.get(); }

  /// The domain name (lower case).
  [[nodiscard]] const std::string& name() const;

  /// (Re)resolves the routes: MX lookup, then each host's addresses through the
  /// provider. Asynchronous. @p done (optional) is called once, on the manager's
  /// strand, with 0 or the failure code (CONN_ERR_MX_LOOKUP_FAILED with PURGE_DOMAIN
  /// for a domain that does not exist, with REQUEUE1 otherwise; CONN_ERR_SMTP_NULL_MX
  /// with PURGE_DOMAIN). If a resolution is running, joins it. Old routes stay usable
  /// meanwhile; failure counts of MX hosts kept by the new routes are kept. Does
  /// nothing (and never calls @p done) after the manager shut down.
  void resolve(std::function<void(int code)> done = {}) const;

  [[nodiscard]] RouteState route_state() const;
  /// The last resolution's code (0 if it succeeded or none ended yet).
  [[nodiscard]] int lookup_code() const;
  /// The routes: MX hosts by preference.
  [[nodiscard]] std::vector<MxView> mx() const;

  /// Overrides the manager's limits for this domain (0 = no limit).
  void set_limits(std::size_t max_connections, std::size_t max_per_binding) const;
  /// Attempts under way plus established connections whose handle is still open.
  [[nodiscard]] std::size_t open_connections() const;
  /// The same, for one binding slot.
  [[nodiscard]] std::size_t open_connections(int slot) const;

  /// Connect failures (refused, unreachable, timeout) since the domain's last success.
  [[nodiscard]] std::uint64_t consecutive_failures() const;
  /// True if every MX host has at least @p threshold consecutive failures
  /// (MX_Failures_To_Delay); false for threshold 0 or no routes.
  [[nodiscard]] bool mx_failures_exceeded(unsigned threshold = MX_FAILURES_TO_DELAY_DEFAULT) const;
  /// Delays the domain: until @p until, initiate fails with CONN_ERR_NO_MXS_REACHABLE.
  /// A past time point (e.g. `{}`) clears the delay.
  void delay_until(Clock::time_point until) const;
  [[nodiscard]] Clock::time_point delayed_until() const;
  /// Forgets addresses marked bad and the failure counts.
  void clear_failures() const;

 private:
  friend class ConnectionManager;
  explicit Domain(std::shared_ptr<::domain_record> record) noexcept : record_(std::move(record)) {}
  std::shared_ptr<::domain_record> record_;
};

/// Where an attempt on one address stopped.
enum class Stage { socket, options, bind, hook, connect, connected, cancelled };

/// What happened to one address of a plan.
struct AttemptRecord {
  std::string mx;                ///< the MX host's name
  std::uint16_t preference = 0;  ///< its preference
  Address destination;
  Address source;  ///< the bound local address (unspecified if unknown)
  Stage stage = Stage::socket;
  NTSTATUS status = status::success;  ///< the failing call's status (success if none)
  int code = 0;                       ///< the CONN_ERR_* code for this address (0: connected)
  int hook_result = 0;                ///< the post-bind chain's result
};

/// A non-owning view of a connection, valid while its handle is open and during its
/// callbacks. Every method but `operator bool` requires a non-empty view. All methods
/// are thread-safe and never block for long (they read the connection's state under
/// its lock).
class Connection {
 public:
  Connection() = default;
  explicit operator bool() const noexcept { return state_ != nullptr; }

  /// 0 while under way or once connected; else the final code (CONN_ERR_* | actions).
  [[nodiscard]] int code() const;
  [[nodiscard]] Error error() const { return error_of(code()); }
  [[nodiscard]] bool connected() const;
  /// True once the attempt ended (connected or failed) or the handle was closed.
  [[nodiscard]] bool finished() const;
  /// The connected socket (empty if not connected). Owned by the connection: use it
  /// for I/O, never close it (close the handle).
  [[nodiscard]] Socket socket() const;
  [[nodiscard]] Address local_address() const;   ///< of the connected socket
  [[nodiscard]] Address remote_address() const;  ///< of the connected socket
  [[nodiscard]] int binding_slot() const;
  [[nodiscard]] Domain domain() const;
  [[nodiscard]] void* user_data() const;
  /// Every address tried so far, in order.
  [[nodiscard]] std::vector<AttemptRecord> attempts() const;
  /// The C view (its `user_data` field is the user data given to initiate).
  [[nodiscard]] ::connection_handle* c_handle() const;

 private:
  friend class ConnectionHandle;
  friend class detail::ConnectionState;
  explicit Connection(detail::ConnectionState* state) noexcept : state_(state) {}
  detail::ConnectionState* state_ = nullptr;
};

/// Callbacks of one connection; each runs at most once, and only one of them runs.
struct ConnectCallbacks {
  /// Connected, or failed after the attempt went pending (`Connection::code`).
  std::function<void(Connection)> finish;
  /// Ended by a timeout (CONN_ERR_CONNECT_TIMEOUT).
  std::function<void(Connection)> timeout;
};

/// Owns a connection: closing it (explicitly or by destruction) cancels an attempt
/// under way and closes the socket. Move-only.
class ConnectionHandle {
 public:
  ConnectionHandle() = default;
  ConnectionHandle(ConnectionHandle&& other) noexcept;
  ConnectionHandle& operator=(ConnectionHandle&& other) noexcept;
  ConnectionHandle(const ConnectionHandle&) = delete;
  ConnectionHandle& operator=(const ConnectionHandle&) = delete;
  ~ConnectionHandle();

  explicit operator bool() const noexcept { return state_ != nullptr; }
  [[nodiscard]] Connection get() const noexcept { return view_; }
  const Connection* operator->() const noexcept { return &view_; }

  /// Waits at most @p bound for the attempt to end and its callback (if any) to
  /// return. Must not be called from a callback of the same manager.
  /// @return true if it ended.
  bool wait(std::chrono::milliseconds bound) const;

  /// Closes: no callback of this connection starts after this returns, and none is
  /// still running unless close is called from that very callback; the connection's
  /// place in the limits is released at once; an attempt under way is cancelled (no
  /// failure is recorded for it); the socket is closed (abortively, as WSK close)
  /// asynchronously, shortly after. Idempotent.
  void close();

  /// Gives ownership to the C API: the returned pointer must be closed with
  /// connection_handle_close(). The handle is empty afterwards.
  ::connection_handle* release_to_c() noexcept;
  /// Takes ownership back from the C API.
  static ConnectionHandle adopt(::connection_handle* handle) noexcept;

 private:
  friend Initiated initiate(const Domain& domain, int slot, ConnectCallbacks callbacks,
                            void* user_data);
  explicit ConnectionHandle(std::shared_ptr<detail::ConnectionState> state) noexcept;
  std::shared_ptr<detail::ConnectionState> state_;
  Connection view_;
};

/// What `initiate` returns: a handle, or no handle and a code.
struct Initiated {
  ConnectionHandle handle;
  int code = 0;  ///< 0 with a handle; else CONN_ERR_* | CONN_ACTION_*
  explicit operator bool() const noexcept { return static_cast<bool>(handle); }
  [[nodiscard]] Error error() const noexcept { return error_of(code); }
};

/// Initiates a connection to @p domain from binding slot @p slot, on the manager that
/// owns @p domain: the C++ twin of initiate_connection. The full contract (address
/// order, per-address failover, which failures end the attempt, the codes and their
/// actions, synchronous versus callback outcomes) is that of initiate_connection in
/// wskport/momentum/connection.h. In brief: runs on the calling thread up to the first
/// step that goes pending; if the attempt ended before that, returns no handle and
/// the code (no callback runs); else returns the handle, and exactly one of
/// @p callbacks runs later on the manager's strand (unless the handle is closed
/// first). An empty domain, or a manager that shut down: CONN_ERR_INVALID.
Initiated initiate(const Domain& domain, int slot, ConnectCallbacks callbacks = {},
                   void* user_data = nullptr);

/// The connection manager.
class ConnectionManager {
 public:
  /// @param provider  sockets, name resolution, timers; must outlive the manager.
  /// @param resolver  the MX lookup (e.g. a StaticMxResolver); must not be null.
  ConnectionManager(Provider& provider, std::shared_ptr<MxResolver> resolver,
                    ManagerOptions options = {});
  /// Calls shutdown().
  ~ConnectionManager();
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  /// Adds @p source to the named binding as a new slot. The port is ignored (0); an
  /// unspecified address means "any" and matches both families.
  /// @param max_connections open connections from the slot over all domains (0 = no
  ///        limit). @return the slot, or -1 for an empty name or an AF_UNIX address.
  int add_binding(std::string_view binding, const Address& source, std::size_t max_connections = 0);
  /// The slots of @p binding, in the order they were added.
  [[nodiscard]] std::vector<int> binding_slots(std::string_view binding) const;
  /// The first slot of @p binding that can reach @p family, or -1.
  [[nodiscard]] int find_binding_slot(std::string_view binding, AddressFamily family) const;
  [[nodiscard]] std::optional<BindingSlotInfo> binding_slot(int slot) const;

  /// The record of @p name (case-insensitive), created on first use; empty for an
  /// empty name or after shutdown.
  Domain domain(std::string_view name);

  /// `connection::initiate`, for a domain of this manager (CONN_ERR_INVALID for a
  /// domain of another manager).
  Initiated initiate(const Domain& domain, int slot, ConnectCallbacks callbacks = {},
                     void* user_data = nullptr);

  /// Connection objects alive (handles not closed, attempts being torn down).
  [[nodiscard]] std::size_t live_connections() const;

  /// Closes every connection still open, waits for the last completion, timer and
  /// callback of the manager, and refuses new work. Handles still held stay valid to
  /// close (a no-op). Idempotent. Must not be called from a callback.
  void shutdown();

  [[nodiscard]] Provider& provider() const noexcept;
  [[nodiscard]] const ManagerOptions& options() const noexcept;

 private:
  std::shared_ptr<detail::ManagerState> state_;
};

}  // namespace wskport::connection
