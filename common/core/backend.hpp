// SPDX-License-Identifier: MIT
// The one internal interface each backend implements (posix/, wsk_shim/). The front
// end (common/core/frontend_*.cpp) validates arguments and the WSK state machine,
// takes the socket's lock, and calls the backend; the backend does the native call.
//
// Locking: every per-socket method is called with `s.mutex` held and must not call a
// completion routine. It returns `Start::done(status, information)` when the
// operation finished at once (the front end completes the IRP after unlocking), or
// `Start::queued()` when the IRP waits; the backend then completes it later through
// complete_irp(), without holding any lock, exactly once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/socket_impl.hpp"
#include "wskport/address.hpp"
#include "wskport/irp.hpp"
#include "wskport/socket.hpp"
#include "wskport/status.hpp"

namespace boost::asio {
class io_context;
}

namespace wskport::detail {

class ProviderCore;

/// What starting an operation did.
struct Start {
  bool pending = false;
  NTSTATUS status = status::success;
  std::uintptr_t information = 0;
  static Start done(NTSTATUS s, std::uintptr_t info = 0) noexcept { return {false, s, info}; }
  static Start queued() noexcept { return {true, status::pending, 0}; }
};

/// IRPs to complete once a lock is released, each with the result parked in its op
/// block (linked through op.next; an IRP is on no backend queue while listed here).
struct IrpList {
  Irp* head = nullptr;
  Irp* tail = nullptr;
  void push(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept;
  Irp* pop() noexcept;
  [[nodiscard]] bool empty() const noexcept { return head == nullptr; }
  /// Completes every listed IRP through the funnel. Call with no lock held.
  void complete_all() noexcept;
};

class Backend {
 public:
  virtual ~Backend() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  /// Creates the native socket. Returns a SocketImpl with one reference, or null with
  /// @p status set (not_supported, too_many_opened_files, insufficient_resources, ...).
  virtual SocketImpl* create(ProviderCore& core, const SocketParams& params,
                             NTSTATUS& status) noexcept = 0;

  // Synchronous operations (s.mutex held).
  virtual NTSTATUS bind(SocketImpl& s, const Address& local) noexcept = 0;
  virtual NTSTATUS listen(SocketImpl& s) noexcept = 0;
  virtual NTSTATUS local_address(SocketImpl& s, Address& out) noexcept = 0;
  virtual NTSTATUS remote_address(SocketImpl& s, Address& out) noexcept = 0;
  virtual NTSTATUS set_option(SocketImpl& s, SocketOption option, std::uint32_t value) noexcept = 0;
  virtual NTSTATUS get_option(SocketImpl& s, SocketOption option,
                              std::uint32_t& value) noexcept = 0;
  virtual native_handle_t native_handle(SocketImpl& s) noexcept = 0;

  // Operations that may wait (s.mutex held). The IRP's op block holds the buffers,
  // flags and output pointers; op.socket is set and holds a reference.
  /// Information on success: the accepted socket's id (registered by the backend
  /// through ProviderCore::register_socket).
  virtual Start accept(SocketImpl& s, Irp& irp) noexcept = 0;
  virtual Start connect(SocketImpl& s, const Address& remote, Irp& irp) noexcept = 0;
  virtual Start send(SocketImpl& s, Irp& irp) noexcept = 0;
  virtual Start receive(SocketImpl& s, Irp& irp) noexcept = 0;
  virtual Start send_to(SocketImpl& s, Irp& irp) noexcept = 0;
  virtual Start receive_from(SocketImpl& s, Irp& irp) noexcept = 0;
  /// Graceful (flags 0, after earlier sends and op's final data) or abortive; an
  /// abortive disconnect ends the socket's other waiting IRPs through @p others.
  virtual Start disconnect(SocketImpl& s, Irp& irp, IrpList& others) noexcept = 0;

  /// Resolves @p node (blocking; called on a thread set aside for blocking work, with
  /// no lock held). Fills @p out in the resolver's order, duplicates removed.
  virtual NTSTATUS resolve(const std::string& node, std::uint16_t port, AddressFamily family,
                           std::vector<Address>& out) noexcept = 0;

  /// Host and service names of @p address (blocking; called like resolve). @p flags
  /// are name_flags; a null output is not wanted (never both). Outputs are UTF-8.
  virtual NTSTATUS lookup_name(const Address& address, unsigned flags, std::string* host,
                               std::string* service) noexcept = 0;

  /// Ends the socket (s.mutex held): every waiting IRP is taken off the backend's
  /// queues and listed in @p out with @p pending_status (cancelled on close,
  /// file_forced_closed on provider shutdown), except one a canceller has claimed,
  /// which its cancel routine completes, and one whose native call the OS still owns
  /// (an overlapped call in flight), which completes with @p pending_status when the
  /// OS reports the call aborted, through complete_irp from a provider thread; the
  /// native handle is closed, abortively for a connected stream unless both
  /// directions were already shut down (WSK close is abortive). Idempotent. Either
  /// way each IRP completes before the close does: the front end defers the close IRP
  /// until the socket's pending count is zero.
  virtual void teardown(SocketImpl& s, NTSTATUS pending_status, IrpList& out) noexcept = 0;

  /// The first half of a forced teardown (s.mutex held, `s.forced` already set): every
  /// waiting IRP is listed in @p out with @p pending_status as teardown does, and any
  /// call the OS still owns will report @p pending_status whatever its native result
  /// (a peer's reset included), but the native handle stays open. Provider::shutdown
  /// quiesces every socket before it closes any, so that one socket's abortive close
  /// cannot reach a loopback peer's pending IRP as STATUS_CONNECTION_RESET first.
  virtual void quiesce(SocketImpl& s, NTSTATUS pending_status, IrpList& out) noexcept = 0;
};

/// Implemented by the backend compiled into this build: the native backend, or null
/// for an unknown @p name. Empty @p name means native.
std::unique_ptr<Backend> make_backend(std::string_view name, boost::asio::io_context& io);
/// The names make_backend accepts, native first.
std::string_view native_backend_name() noexcept;
/// The backends this host can run (available_backends()), the default first.
std::vector<std::string_view> host_backend_names();

}  // namespace wskport::detail
