// SPDX-License-Identifier: MIT
// The Winsock backend's socket: a SOCKET opened for overlapped I/O and associated with
// the provider's I/O completion port (Boost.Asio's IOCP io_context), and two channels
// of waiting IRPs, each a FIFO of which only the head has a native call in flight:
//   read:  accept (AcceptEx), receive (WSARecv), receive_from (WSARecvFrom)
//   write: connect (ConnectEx), send (WSASend), send_to (WSASendTo), disconnect
//
// Proactor rules (why the code looks the way it does):
// - One overlapped call per channel at a time. Sends therefore leave in issue order and
//   each completes only when all its bytes were taken (a short completion is re-issued
//   for the rest), a graceful disconnect starts only after the sends before it
//   completed, and WAITALL and DRAIN are loops of receives, as on POSIX.
// - A call Winsock accepted with WSA_IO_PENDING (or WSAEMSGSIZE for a truncated
//   datagram: a warning status, NT still queues the packet) delivers exactly one
//   completion packet to the port. A call that succeeded at once delivers none when
//   its handle is in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode (every stream socket
//   whose provider is an IFS one, which a layered service provider may not be): its result
//   is read from the OVERLAPPED and interpreted on the spot, so an IRP that completes
//   at once completes inline, with no port round trip and no thread switch. Without
//   the mode it still gets its packet and completes from a provider thread. A call
//   that failed at once delivers nothing; its IRP completes inline with the error.
// - The OVERLAPPED is Asio's operation object (windows::overlapped_ptr), allocated in
//   the channel's own storage through the handler's associated allocator. While an IRP
//   may still be cancelled, that memory therefore belongs to its call or to nobody: the
//   cancel routine can hand it to CancelIoEx without a use-after-free, and never names
//   another call's OVERLAPPED (a new call in the channel starts only after the
//   completion handler took the old one off the IRP, under the socket's lock).
// - Exactly once with cancel, without anyone waiting: the cancel routine (run by
//   Irp::cancel on the cancelling thread) and the completion handler both work under
//   the socket's lock, and whichever comes second completes the IRP.
//     routine first:  it calls CancelIoEx on the call in flight and sets cancel_ran;
//                     the completion (ERROR_OPERATION_ABORTED -> cancelled, or the
//                     call's own result if it won the race) then completes the IRP.
//                     An IRP still waiting behind the head is dequeued and completed
//                     by the routine itself.
//     handler first:  disarm_cancel fails (a canceller holds the routine) and
//                     cancel_ran is false: the result is parked in the IRP, which stays
//                     at the head of its channel, and the routine completes it.
//   So the routine never reads a socket or OVERLAPPED the completion path has released.
// - Close, forced close and an abortive disconnect cancel every call in flight
//   (CancelIoEx) and close the SOCKET, under the lock. The aborted calls' packets then
//   arrive and complete their IRPs with the close's status through the funnel (Asio's
//   cancel-token rule: a failure on a socket the library closed itself reports that
//   close, not a peer reset). IRPs waiting behind the heads are no longer owned by the
//   OS and are listed for the front end at once. The front end completes the close IRP
//   only after all of them.
#pragma once

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

#include "common/core/backend.hpp"
#include "common/core/completion.hpp"
#include "common/core/irp_queue.hpp"
#include "common/core/ordered_delivery.hpp"
#include "common/core/socket_impl.hpp"
#include "wsk_shim/winsock.hpp"

namespace wskport::detail::winsock {

enum class Dir : int { read = 0, write = 1 };

/// The channel an operation waits in.
Dir direction_of(OpKind kind) noexcept;

/// What every socket of one provider shares: the event loop and the Winsock extension
/// functions, loaded once with SIO_GET_EXTENSION_FUNCTION_POINTER.
struct Runtime {
  explicit Runtime(boost::asio::io_context& context) noexcept : io(context) {}
  boost::asio::io_context& io;
  LPFN_ACCEPTEX accept_ex = nullptr;
  LPFN_CONNECTEX connect_ex = nullptr;
  LPFN_GETACCEPTEXSOCKADDRS get_accept_ex_sockaddrs = nullptr;
};

/// Memory for the one Asio operation object (the OVERLAPPED) a channel has in flight.
/// Aligned through its element type, not alignas (MSVC C4324).
struct OpStorage {
  static constexpr std::size_t capacity = 256;
  std::max_align_t bytes[capacity / sizeof(std::max_align_t)];
  bool in_use = false;
};

/// The handler's associated allocator: puts the operation in the channel's storage.
/// Falls back to the heap only if the storage were taken, which the one-call-per-channel
/// rule excludes.
template <class T>
class OpAllocator {
 public:
  using value_type = T;
  explicit OpAllocator(OpStorage* storage) noexcept : storage_(storage) {}
  template <class U>
  OpAllocator(const OpAllocator<U>& other) noexcept : storage_(other.storage()) {}

  T* allocate(std::size_t n) {
    static_assert(sizeof(T) <= OpStorage::capacity, "OpStorage::capacity is too small");
    static_assert(alignof(T) <= alignof(std::max_align_t));
    if (n == 1 && !storage_->in_use) {
      storage_->in_use = true;
      return static_cast<T*>(static_cast<void*>(storage_->bytes));
    }
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (static_cast<void*>(p) == static_cast<void*>(storage_->bytes)) {
      storage_->in_use = false;
      return;
    }
    std::allocator<T>().deallocate(p, n);
  }
  [[nodiscard]] OpStorage* storage() const noexcept { return storage_; }
  friend bool operator==(const OpAllocator& a, const OpAllocator& b) noexcept {
    return a.storage_ == b.storage_;
  }

 private:
  OpStorage* storage_;
};

/// Room for one address as AcceptEx writes it (the address plus 16 bytes).
inline constexpr DWORD accept_address_space = sizeof(sockaddr_storage) + 16;
/// Buffer descriptors per native call; the rest of a longer array goes in later calls.
inline constexpr std::size_t max_wsabufs = 64;

/// One direction of a socket.
struct Channel {
  IrpQueue queue;
  bool busy = false;  ///< the head has a call in flight, or is parked for its canceller
  OpStorage storage;  ///< the call in flight
  std::array<WSABUF, max_wsabufs> wsabufs{};
  sockaddr_storage address{};  ///< connect / send_to destination, receive_from source
  int address_length = 0;
  DWORD flags = 0;  ///< WSARecv / WSARecvFrom flags
  // accept: the socket AcceptEx fills, and where it writes the two addresses
  SOCKET accept_socket = INVALID_SOCKET;
  std::array<char, 2 * accept_address_space> accept_buffer{};
  DWORD accept_bytes = 0;
  // DRAIN: where discarded bytes go (allocated on first use)
  std::unique_ptr<char[]> scratch;
};

/// Per-IRP state of the backend, placed in the IRP's scratch area (IrpOp::native).
/// Guarded by the socket's lock.
struct NativeOp {
  OVERLAPPED* ov = nullptr;  ///< the call in flight for this IRP, null when none
  bool cancel_ran = false;   ///< the cancel routine ran (after a canceller claimed it)
  bool parked = false;       ///< finished while a claimed cancel routine had not run yet
};
static_assert(sizeof(NativeOp) <= sizeof(IrpOp::native));
static_assert(std::is_trivially_destructible_v<NativeOp>);

/// Starts a fresh NativeOp in @p irp (when it is queued).
inline NativeOp& reset_native_op(Irp& irp) noexcept {
  return *new (static_cast<void*>(IrpAccess::op(irp).native)) NativeOp{};
}
inline NativeOp& native_op(Irp& irp) noexcept {
  return *std::launder(reinterpret_cast<NativeOp*>(IrpAccess::op(irp).native));
}

class WinSocket final : public SocketImpl {
 public:
  WinSocket(ProviderCore& core, const SocketParams& params, SOCKET native,
            const Runtime& runtime) noexcept
      : SocketImpl(core, params), handle(native), rt(runtime) {}
  ~WinSocket() override;

  Channel& channel(Dir d) noexcept { return channels_[static_cast<int>(d)]; }

  SOCKET handle;  ///< INVALID_SOCKET once closed (or found closed underneath us)
  const Runtime& rt;
  /// The library closed the handle (close, forced close, abortive disconnect) or found
  /// it gone. A call still in flight then reports closed_status for its direction.
  bool native_closed = false;
  /// The handle is in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode (see associate).
  bool skip_port = false;
  NTSTATUS closed_status[2] = {status::cancelled, status::cancelled};
  OrderedDelivery delivery;      ///< routines run in order, per Dir (s.mutex held)
  bool no_delay = false;         ///< TCP_NODELAY is on for the socket
  int backlog = SOMAXCONN;       ///< listen backlog
  std::size_t max_datagram = 0;  ///< largest datagram send_to may pass (datagram sockets)
  /// The addresses as they were when an abortive disconnect closed the handle.
  bool have_cached_local = false;
  bool have_cached_remote = false;
  Address cached_local;
  Address cached_remote;

 private:
  Channel channels_[2];
};

/// What starting (or continuing) the native side of an operation did.
struct Step {
  bool in_flight = false;  ///< a call is in flight: its completion packet will come
  NTSTATUS status = status::success;
  std::uintptr_t information = 0;
  static Step issued() noexcept { return {true, status::pending, 0}; }
  static Step done(NTSTATUS s, std::uintptr_t info = 0) noexcept { return {false, s, info}; }
};

/// The completion of an overlapped call (runs on a provider thread, no lock held).
void on_completion(Irp& irp, int error, std::size_t bytes) noexcept;

/// The overlapped_ptr handler: carries the IRP and the channel's allocator.
struct CompletionHandler {
  using allocator_type = OpAllocator<void>;
  Irp* irp;
  OpAllocator<void> allocator;
  [[nodiscard]] allocator_type get_allocator() const noexcept { return allocator; }
  void operator()(const boost::system::error_code& ec, std::size_t bytes) const noexcept {
    on_completion(*irp, ec.value(), bytes);
  }
};

/// Maps the error of a call that failed at once (s.mutex held). A handle that stopped
/// being a socket (closed behind the library's back) tears the socket down:
/// file_forced_closed, and the number is never touched again.
NTSTATUS status_for_error(WinSocket& s, int error) noexcept;

/// Maps the error of a completion in direction @p d (s.mutex held): the close's status
/// on a socket the library closed, cancelled for a call its canceller aborted, else the
/// table's answer.
NTSTATUS completion_status(WinSocket& s, Dir d, int error) noexcept;

Step finish_step(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;

/// What an issue() call returns for a Winsock call that succeeded at once (the
/// function returned 0 or TRUE), as opposed to 0 for WSA_IO_PENDING.
inline constexpr int completed_now = -1;

/// The result of a call that succeeded at once on a handle in skip mode, which posts no
/// packet: read from the OVERLAPPED (the error, 0 for success, and the bytes moved).
void result_of(WinSocket& s, OVERLAPPED* ov, int& error, std::size_t& bytes) noexcept;

/// Issues one overlapped call for @p irp, the head of channel @p d (s.mutex held).
/// @p call gets the OVERLAPPED and returns completed_now if the Winsock function
/// succeeded at once, 0 if it accepted the call (WSA_IO_PENDING: a completion packet
/// will come), else the error of a call that failed at once (no packet). A call that
/// succeeded at once on a skip-mode handle is finished here, through finish_step, as
/// its packet would have been: the returned Step may then be a later call in flight.
template <class Call>
Step issue(WinSocket& s, Irp& irp, Dir d, Call&& call) noexcept {
  Channel& ch = s.channel(d);
  try {
    boost::asio::windows::overlapped_ptr ov(
        s.rt.io, CompletionHandler{&irp, OpAllocator<void>(&ch.storage)});
    int error = call(ov.get());
    if (error == completed_now) {
      if (s.skip_port) {
        int result = 0;
        std::size_t bytes = 0;
        result_of(s, ov.get(), result, bytes);
        ov.reset();  // no packet will come: destroy the operation without its handler
        return finish_step(s, irp, result, bytes);
      }
      error = 0;
    }
    if (error == 0) {
      native_op(irp).ov = ov.get();
      ov.release();  // the port owns it now; its packet runs the handler
      return Step::issued();
    }
    // Never started: the destructor destroys the operation without running the handler.
    return Step::done(status_for_error(s, error));
  } catch (...) {
    return Step::done(status::insufficient_resources);
  }
}

/// WSAGetLastError() as an int for a call that returned its failure value; 0 when the
/// failure is WSA_IO_PENDING (the call was accepted).
inline int pending_or_error() noexcept {
  const int e = ::WSAGetLastError();
  return e == WSA_IO_PENDING ? 0 : e;
}

// ---- the channel machinery (winsock_iocp.cpp) -------------------------------------

/// Queues @p irp in its channel and starts it if the channel is idle (s.mutex held).
Start enqueue(WinSocket& s, Irp& irp) noexcept;
/// Starts waiting IRPs of channel @p d until one is in flight (s.mutex held); IRPs
/// that finish at once go to @p done.
void pump(WinSocket& s, Dir d, IrpList& done) noexcept;
/// Lists in @p out, with @p st, every IRP of channel @p d that has no call in flight
/// and whose cancel routine is not claimed (s.mutex held).
void fail_waiting(WinSocket& s, Dir d, NTSTATUS st, IrpList& out) noexcept;
/// Closes the handle (abortively: SO_LINGER {1, 0}, RST), aborting calls in flight,
/// which then report @p read_status / @p write_status. Idempotent (s.mutex held).
void close_native(WinSocket& s, bool abortive, NTSTATUS read_status,
                  NTSTATUS write_status) noexcept;
/// Associates @p s's SOCKET with the provider's completion port and, when its
/// protocol provider allows, puts it in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode
/// (sets s.skip_port).
NTSTATUS associate(const Runtime& rt, WinSocket& s) noexcept;
/// WSASocketW with WSA_FLAG_OVERLAPPED (and no inheritance where Windows has the flag).
SOCKET open_socket(int family, int type, int protocol, int& error) noexcept;

/// The first native call of @p irp's operation (s.mutex held).
Step start_step(WinSocket& s, Irp& irp) noexcept;
/// Interprets a completion of @p irp's call; may issue the next call of the same
/// operation (s.mutex held).
Step finish_step(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
/// For an operation that needs another native call: stops it if the socket was closed
/// or the IRP cancelled in the meantime, else issues the call (s.mutex held).
Step continue_step(WinSocket& s, Irp& irp) noexcept;

// ---- the per-family steps (winsock_transfer.cpp, winsock_connect.cpp) ------------

Step start_send(WinSocket& s, Irp& irp) noexcept;
Step finish_send(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
Step start_receive(WinSocket& s, Irp& irp) noexcept;
Step finish_receive(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
Step start_send_to(WinSocket& s, Irp& irp) noexcept;
Step finish_send_to(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
Step start_receive_from(WinSocket& s, Irp& irp) noexcept;
Step finish_receive_from(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
Step start_disconnect(WinSocket& s, Irp& irp) noexcept;
Step finish_disconnect(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
Step start_connect(WinSocket& s, Irp& irp) noexcept;
Step finish_connect(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;
Step start_accept(WinSocket& s, Irp& irp) noexcept;
Step finish_accept(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept;

/// Begins a connect: keeps the destination in the write channel, then queues (s.mutex
/// held; the front end set s.connecting).
Start begin_connect(WinSocket& s, const Address& remote, Irp& irp) noexcept;
/// Undoes what a waiting IRP started when it is cancelled before its call ran.
void on_cancelled(WinSocket& s, Irp& irp) noexcept;
/// Abortive disconnect: resets the connection (the handle is closed with SO_LINGER
/// {1, 0}; the WSK socket lives on until close). Waiting sends end cancelled, waiting
/// receives connection_aborted.
void abort_connection(WinSocket& s, IrpList& out) noexcept;

}  // namespace wskport::detail::winsock
