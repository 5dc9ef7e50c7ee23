// SPDX-License-Identifier: MIT
// The one internal interface each engine implements (posix/, wsk_shim/). The front
// end (common/core/frontend_*.cpp) validates arguments and the WSK state machine,
// takes the socket's lock, fills the IRP's op block and calls `submit`; the engine
// does the native call. Besides submit an engine creates sockets, ends them (teardown,
// quiesce), hands out native handles, and answers the two name services.
//
// Locking: every per-socket method is called with `s.mutex` held and must not call a
// completion routine. See submit for how an operation finishes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/completion.hpp"
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

  /// The native handle of @p s (s.mutex held), for the post-bind hook and callers.
  virtual native_handle_t native_handle(SocketImpl& s) noexcept = 0;

  /// Starts one per-socket operation: the one entry through which the front end hands
  /// an engine every call on a socket (and the one the fault injector decorates).
  ///
  /// Called with `s.mutex` held, after the front end has validated the arguments and
  /// the WSK state machine. The operation is `IrpAccess::op(irp).kind` and its inputs
  /// are in the same op block (the kinds an engine receives, with their inputs and the
  /// Start each may return; `information` is IoStatus.Information on success):
  ///
  ///   bind            in1: const Address* local.                    done(status)
  ///   listen          (backlog: the listen_backlog option).         done(status)
  ///   local_address,  out1: Address* to fill.                       done(status)
  ///   remote_address
  ///   set_option      option, flags: the value.                     done(status)
  ///   get_option      option.                      done(status, the option's value)
  ///   accept          out1/out2: Address* local/remote, or null.    done | queued;
  ///                   information: the accepted socket's id, registered by the engine
  ///                   through ProviderCore::register_socket.
  ///   connect         in1: const Address* remote (read during submit only).
  ///                   done | queued. s.connecting is already set; the engine clears
  ///                   it and sets s.connected.
  ///   send, receive   buffers/buffer_count/total, flags.            done | queued;
  ///                   information: bytes moved.
  ///   send_to         buffers, in1: const Address* remote.          done | queued
  ///   receive_from    buffers, out1: Address* remote or null, out2: unsigned* control
  ///                   flags or null (zeroed by the front end).      done | queued
  ///   disconnect      flags (disconnect_flags), buffers: final data (graceful only).
  ///                   Graceful: after earlier sends and the final data; abortive:
  ///                   ends the socket's other waiting IRPs by listing them in
  ///                   @p others (completed by the front end after the unlock).
  ///
  /// For the waiting kinds (op_info(kind).waits) op.socket is set and holds a reference
  /// and the socket's rundown count. The engine must not call a completion routine
  /// here: it returns `Start::done(status, information)` when the operation finished
  /// at once (the front end completes the IRP after unlocking), or `Start::queued()`
  /// when the IRP waits; it then completes it later through complete_irp(), with no
  /// lock held, exactly once, arming its own cancel routine (IrpAccess::arm_cancel)
  /// while it waits, so no separate cancel entry is needed. A kind the engine does not
  /// handle answers `Start::done(status::not_supported)`.
  virtual Start submit(SocketImpl& s, Irp& irp, IrpList& others) noexcept = 0;

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

/// The op-block decoding of the kinds an engine answers at once (bind, listen, the two
/// address queries, the two option calls), written once: an engine's submit hands
/// them here with its per-kind code as static members of @p Code:
///   NTSTATUS bind(S&, const Address& local);   NTSTATUS listen(S&);
///   NTSTATUS address(S&, Address& out, bool peer);
///   NTSTATUS set_option(S&, SocketOption, std::uint32_t value);
///   NTSTATUS get_option(S&, SocketOption, std::uint32_t& value);
/// Any other kind answers not_supported.
template <class Code, class S>
Start submit_at_once(S& s, const IrpOp& op) noexcept {
  switch (op.kind) {
    case OpKind::bind:
      return Start::done(Code::bind(s, *static_cast<const Address*>(op.in1)));
    case OpKind::listen:
      return Start::done(Code::listen(s));
    case OpKind::local_address:
    case OpKind::remote_address:
      return Start::done(
          Code::address(s, *static_cast<Address*>(op.out1), op.kind == OpKind::remote_address));
    case OpKind::set_option:
      return Start::done(Code::set_option(s, op.option, op.flags));
    case OpKind::get_option: {
      std::uint32_t value = 0;
      const NTSTATUS st = Code::get_option(s, op.option, value);
      return Start::done(st, nt_success(st) ? value : 0);
    }
    default:
      return Start::done(status::not_supported);
  }
}

// Engines are made through their registry entries (engine_registry.hpp).

}  // namespace wskport::detail
