// SPDX-License-Identifier: MIT
// The Winsock backend's proactor glue: channels of waiting IRPs, the completion handler
// every overlapped call ends in, the cancel routine, closing the native handle, and the
// error mapping of calls and completions. The rules are in winsock_socket.hpp.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <mutex>

#include "wsk_shim/status_map_wsa.hpp"
#include "wsk_shim/winsock_socket.hpp"

namespace wskport::detail::winsock {

Dir direction_of(OpKind kind) noexcept {
  return op_info(kind).direction == Direction::read ? Dir::read : Dir::write;
}

WinSocket::~WinSocket() {
  // Normally teardown closed the handle already; a socket that never reached the
  // handle table (a failed create or accept) closes it here.
  for (auto& ch : channels_) {
    if (ch.accept_socket != INVALID_SOCKET) ::closesocket(ch.accept_socket);
  }
  if (handle != INVALID_SOCKET) ::closesocket(handle);
}

// ---- error mapping ------------------------------------------------------------------

namespace {

// The handle no longer names a socket: the caller closed it behind the library's back
// (a hook, a stray closesocket). The value may already name another object: forget it.
bool handle_gone(int error) noexcept {
  return error == WSAENOTSOCK || error == WSAEBADF || error == ERROR_INVALID_HANDLE;
}

void forget_handle(WinSocket& s) noexcept {
  s.handle = INVALID_SOCKET;
  s.native_closed = true;
  s.closed_status[0] = s.closed_status[1] = status::file_forced_closed;
  s.forced = true;
}

}  // namespace

NTSTATUS status_for_error(WinSocket& s, int error) noexcept {
  if (handle_gone(error)) {
    forget_handle(s);
    return status::file_forced_closed;
  }
  return s.note_failure(wsa::status_from_wsa(error));
}

NTSTATUS completion_status(WinSocket& s, Dir d, int error) noexcept {
  // Asio's cancel-token rule: on a socket the library closed itself, ERROR_NETNAME_DELETED,
  // ERROR_OPERATION_ABORTED (or Wine's ERROR_HANDLES_CLOSED) is that close, not the
  // peer's reset.
  if (s.native_closed || s.forced) return s.closed_status[static_cast<int>(d)];
  // The handle is open, so only a cancel routine's CancelIoEx aborted the call.
  if (error == ERROR_OPERATION_ABORTED) return status::cancelled;
  if (handle_gone(error) || error == wsa::error_handles_closed) {
    forget_handle(s);
    return status::file_forced_closed;
  }
  return s.note_failure(wsa::status_from_wsa(error));
}

// ---- handles --------------------------------------------------------------------------

SOCKET open_socket(int family, int type, int protocol, int& error) noexcept {
  error = 0;
  SOCKET s = ::WSASocketW(family, type, protocol, nullptr, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET && ::WSAGetLastError() == WSAEINVAL) {
    // Windows before 7 SP1 does not know WSA_FLAG_NO_HANDLE_INHERIT.
    s = ::WSASocketW(family, type, protocol, nullptr, 0, WSA_FLAG_OVERLAPPED);
  }
  if (s == INVALID_SOCKET) error = ::WSAGetLastError();
  return s;
}

namespace {

// A layered service provider that is not an IFS one may post a completion packet for a
// call that succeeded at once even in skip mode (the OS cannot see its calls), which
// would complete an IRP twice: skip mode only for sockets of a base, IFS provider.
bool skip_port_allowed(SOCKET handle) noexcept {
  WSAPROTOCOL_INFOW info{};
  int length = static_cast<int>(sizeof info);
  if (::getsockopt(handle, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info),
                   &length) != 0) {
    return false;
  }
  return (info.dwServiceFlags1 & XP1_IFS_HANDLES) != 0;
}

}  // namespace

NTSTATUS associate(const Runtime& rt, WinSocket& s) noexcept {
  const SOCKET handle = s.handle;
  // The io_context's completion port, through the service behind it: Asio's own I/O
  // objects would own the handle (basic_overlapped_handle has no release() in Boost
  // 1.74, and basic_socket::release() detaches the handle from the port, so the
  // aborted calls of a close would never report), while here the backend keeps the
  // SOCKET and closes it itself.
  boost::system::error_code ec;
  boost::asio::use_service<boost::asio::detail::io_context_impl>(rt.io).register_handle(
      reinterpret_cast<HANDLE>(handle), ec);
  if (ec) return wsa::status_from_wsa(ec.value());
  // Streams only: a datagram receive that truncates returns WSAEMSGSIZE at once, a
  // warning (STATUS_BUFFER_OVERFLOW) for which Wine posts no packet in skip mode while
  // Windows' rule (packets are skipped for calls that "return success") reads as
  // posting one; keeping datagram sockets on the packet path leaves nothing to guess.
  s.skip_port = s.params().type == SocketType::stream && skip_port_allowed(handle) &&
                ::SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(handle),
                                                     FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
  return status::success;
}

void result_of(WinSocket& s, OVERLAPPED* ov, int& error, std::size_t& bytes) noexcept {
  DWORD moved = 0;
  DWORD flags = 0;
  error = ::WSAGetOverlappedResult(s.handle, ov, &moved, FALSE, &flags) ? 0 : ::WSAGetLastError();
  bytes = moved;
}

void close_native(WinSocket& s, bool abortive, NTSTATUS read_status,
                  NTSTATUS write_status) noexcept {
  if (s.native_closed) return;
  s.native_closed = true;
  s.closed_status[static_cast<int>(Dir::read)] = read_status;
  s.closed_status[static_cast<int>(Dir::write)] = write_status;
  if (s.handle == INVALID_SOCKET) return;
  // closesocket cancels the calls in flight on Windows; Wine 8 leaves a pending send
  // waiting (its completion arrives seconds later, with ERROR_INVALID_HANDLE).
  // Cancelling them first gives both the same prompt ERROR_OPERATION_ABORTED
  // completions; on Windows it changes nothing.
  ::CancelIoEx(reinterpret_cast<HANDLE>(s.handle), nullptr);
  if (abortive) {
    // SO_LINGER {1, 0}: closesocket sends RST and drops unsent data, as WSK's close does.
    const linger l{1, 0};
    ::setsockopt(s.handle, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l),
                 static_cast<int>(sizeof l));
  }
  // Aborts every call in flight on the handle; their packets still come to the port
  // (the handle stays associated until it is closed, and the calls keep the file
  // object alive until they complete).
  ::closesocket(s.handle);
  s.handle = INVALID_SOCKET;
}

// ---- steps ---------------------------------------------------------------------------

Step start_step(WinSocket& s, Irp& irp) noexcept {
  switch (IrpAccess::op(irp).kind) {
    case OpKind::accept:
      return start_accept(s, irp);
    case OpKind::connect:
      return start_connect(s, irp);
    case OpKind::send:
      return start_send(s, irp);
    case OpKind::receive:
      return start_receive(s, irp);
    case OpKind::send_to:
      return start_send_to(s, irp);
    case OpKind::receive_from:
      return start_receive_from(s, irp);
    case OpKind::disconnect:
      return start_disconnect(s, irp);
    default:
      return Step::done(status::internal_error);
  }
}

Step finish_step(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept {
  switch (IrpAccess::op(irp).kind) {
    case OpKind::accept:
      return finish_accept(s, irp, error, bytes);
    case OpKind::connect:
      return finish_connect(s, irp, error, bytes);
    case OpKind::send:
      return finish_send(s, irp, error, bytes);
    case OpKind::receive:
      return finish_receive(s, irp, error, bytes);
    case OpKind::send_to:
      return finish_send_to(s, irp, error, bytes);
    case OpKind::receive_from:
      return finish_receive_from(s, irp, error, bytes);
    case OpKind::disconnect:
      return finish_disconnect(s, irp, error, bytes);
    default:
      return Step::done(status::internal_error);
  }
}

Step continue_step(WinSocket& s, Irp& irp) noexcept {
  const auto& op = IrpAccess::op(irp);
  if (s.native_closed || s.forced)
    return Step::done(s.closed_status[static_cast<int>(direction_of(op.kind))], op.done);
  // The cancel routine may have run while the last call finished on its own: do not
  // start another one for an IRP whose owner asked to cancel it.
  if (irp.cancel_requested()) return Step::done(status::cancelled, op.done);
  return start_step(s, irp);
}

// ---- the channels -----------------------------------------------------------------------

namespace {

void cancel_routine(Irp& irp) noexcept;

// The head IRP of channel @p d finished (no call in flight) with @p st. Takes it off
// the queue into @p done and returns true, unless a canceller claimed its cancel routine
// and the routine has not run yet: then the result is parked in the IRP, the channel
// stays busy, and the routine completes it (returns false).
bool settle(WinSocket& s, Dir d, Irp& irp, NTSTATUS st, std::uintptr_t information,
            IrpList& done) noexcept {
  Channel& ch = s.channel(d);
  NativeOp& n = native_op(irp);
  n.ov = nullptr;
  if (IrpAccess::disarm_cancel(irp) || n.cancel_ran) {
    ch.queue.remove(irp);
    ch.busy = false;
    done.push(irp, st, information);
    return true;
  }
  auto& op = IrpAccess::op(irp);
  op.final_status = st;
  op.final_information = information;
  n.parked = true;
  ch.busy = true;
  return false;
}

void cancel_routine(Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  // The IRP's own reference keeps the socket alive: it cannot complete without this
  // routine, which now owns that decision (see the rules in winsock_socket.hpp).
  auto& s = static_cast<WinSocket&>(*op.socket);
  const Dir d = direction_of(op.kind);
  IrpList done;
  bool deliverer = false;
  {
    std::lock_guard lock(s.mutex);
    Channel& ch = s.channel(d);
    NativeOp& n = native_op(irp);
    n.cancel_ran = true;
    if (n.parked) {
      // The call finished first; its result waited for us.
      ch.queue.remove(irp);
      ch.busy = false;
      done.push(irp, op.final_status, op.final_information);
      pump(s, d, done);
    } else if (n.ov != nullptr) {
      // In flight: abort it. Its packet (ERROR_OPERATION_ABORTED, or its own result if
      // it finished first) completes the IRP through on_completion. The OVERLAPPED is
      // still this call's: the channel's storage is reused only after on_completion
      // took it off the IRP, which it has not (it would have parked or completed).
      if (s.handle != INVALID_SOCKET) ::CancelIoEx(reinterpret_cast<HANDLE>(s.handle), n.ov);
    } else if (op.queued) {
      // Waiting behind the head (or not started yet): nobody else will touch it.
      ch.queue.remove(irp);
      on_cancelled(s, irp);
      done.push(irp, status::cancelled, op.done);
      pump(s, d, done);
    }
    // Otherwise the IRP is neither queued nor in flight, which a claimed routine rules
    // out: every path that takes an IRP off a queue first takes the routine back.
    deliverer = hand_over(s.delivery, static_cast<int>(d), done);
  }
  if (deliverer) deliver_in_order(s, s.delivery, static_cast<int>(d));
}

}  // namespace

void pump(WinSocket& s, Dir d, IrpList& done) noexcept {
  Channel& ch = s.channel(d);
  while (!ch.busy) {
    Irp* irp = ch.queue.front();
    if (irp == nullptr) return;
    if (s.native_closed) {
      // Nothing can run any more; what is left belongs to cancellers.
      fail_waiting(s, d, s.closed_status[static_cast<int>(d)], done);
      return;
    }
    const Step step = start_step(s, *irp);
    if (step.in_flight) {
      ch.busy = true;
      return;
    }
    if (!settle(s, d, *irp, step.status, step.information, done)) return;
  }
}

Start enqueue(WinSocket& s, Irp& irp) noexcept {
  reset_native_op(irp);
  const Dir d = direction_of(IrpAccess::op(irp).kind);
  Channel& ch = s.channel(d);
  ch.queue.push_back(irp);
  if (!IrpAccess::arm_cancel(irp, &cancel_routine)) {
    // Cancelled before it could wait: the routine came back to us.
    ch.queue.remove(irp);
    on_cancelled(s, irp);
    return Start::done(status::cancelled, IrpAccess::op(irp).done);
  }
  if (ch.busy || ch.queue.front() != &irp) return Start::queued();
  IrpList done;
  pump(s, d, done);
  // The queue held only this IRP, so it is the only one pump() can have finished.
  if (Irp* finished = done.pop()) {
    const auto& op = IrpAccess::op(*finished);
    return finished_at_once(s.delivery, static_cast<int>(d), *finished, op.final_status,
                            op.final_information);
  }
  return Start::queued();
}

void fail_waiting(WinSocket& s, Dir d, NTSTATUS st, IrpList& out) noexcept {
  Channel& ch = s.channel(d);
  Irp* irp = ch.queue.front();
  if (irp != nullptr && ch.busy) irp = IrpAccess::op(*irp).next;  // in flight or parked
  while (irp != nullptr) {
    Irp* next = IrpAccess::op(*irp).next;
    // One a canceller claimed stays queued: its routine dequeues and completes it.
    if (IrpAccess::disarm_cancel(*irp)) {
      ch.queue.remove(*irp);
      on_cancelled(s, *irp);
      out.push(*irp, st, IrpAccess::op(*irp).done);
    }
    irp = next;
  }
}

void on_completion(Irp& irp, int error, std::size_t bytes) noexcept {
  auto& op = IrpAccess::op(irp);
  // The pending IRP holds a reference: the socket outlives this handler.
  auto& s = static_cast<WinSocket&>(*op.socket);
  const Dir d = direction_of(op.kind);
  IrpList done;
  bool deliverer = false;
  {
    std::lock_guard lock(s.mutex);
    native_op(irp).ov = nullptr;  // Asio already released the operation's memory
    const Step step = finish_step(s, irp, error, bytes);
    if (step.in_flight) return;  // the next call of the same operation
    if (settle(s, d, irp, step.status, step.information, done)) pump(s, d, done);
    deliverer = hand_over(s.delivery, static_cast<int>(d), done);
  }
  if (deliverer) deliver_in_order(s, s.delivery, static_cast<int>(d));
}

}  // namespace wskport::detail::winsock
