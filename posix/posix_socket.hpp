// SPDX-License-Identifier: MIT
// The POSIX backend's socket: a non-blocking fd registered with Asio's reactor, and
// two FIFO queues of waiting IRPs, one per direction.
//
// Reactor rules (why the code looks the way it does):
// - Operations run the native call themselves, so the exact errno reaches the table;
//   Asio only reports readiness (async_wait).
// - Asio registers descriptors edge-triggered and never runs a wait speculatively, so
//   readiness that arrives between an EAGAIN and the wait being queued would be lost.
//   Hence process(): after arming a wait it retries the queue once; an EAGAIN after
//   the arm is covered by the queued wait. A receive or accept that finds its queue
//   empty arms the read wait first and then tries once: with the wait already queued
//   one EAGAIN is enough, where the retry would cost a second system call on every
//   round trip of a request/response exchange. (A send is tried first: it nearly always
//   goes through, and a write wait on a writable socket would fire at once.)
// - A waiting IRP carries a cancel routine. Before touching a queued IRP the backend
//   takes the routine back (disarm); if a canceller took it first, the backend leaves
//   the IRP to the cancel routine, which dequeues and completes it and then processes
//   the rest of the queue.
#pragma once

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "common/core/backend.hpp"
#include "common/core/completion.hpp"
#include "common/core/irp_queue.hpp"
#include "common/core/socket_impl.hpp"

namespace wskport::detail::posix {

enum class Dir : int { read = 0, write = 1 };

class PosixSocket final : public SocketImpl {
 public:
  PosixSocket(ProviderCore& core, const SocketParams& params, int fd,
              boost::asio::io_context& io) noexcept;
  ~PosixSocket() override;

  /// Registers the fd with the reactor. Returns an errno, 0 on success.
  int attach() noexcept;
  /// Closes the fd (abortively when @p abortive), cancelling reactor waits. Idempotent.
  void close_native(bool abortive) noexcept;

  IrpQueue& queue(Dir d) noexcept { return queues_[static_cast<int>(d)]; }

  /// Bound to the io_context's own executor rather than the type-erased default, which
  /// costs more on every wait and handler.
  using Descriptor =
      boost::asio::posix::basic_stream_descriptor<boost::asio::io_context::executor_type>;

  int fd = -1;
  Descriptor descriptor;
  bool armed[2] = {false, false};  ///< a wait is queued with the reactor, per Dir
  bool no_delay = false;           ///< TCP_NODELAY is on for the socket
  int backlog;                     ///< listen backlog

 private:
  IrpQueue queues_[2];
};

/// The direction an operation waits in.
Dir direction_of(OpKind kind) noexcept;

/// What one attempt at an operation did.
struct Attempt {
  bool blocked = false;  ///< would block: keep waiting
  NTSTATUS status = status::success;
  std::uintptr_t information = 0;
  static Attempt wait() noexcept { return {true, status::pending, 0}; }
  static Attempt done(NTSTATUS s, std::uintptr_t info = 0) noexcept { return {false, s, info}; }
};

/// Queues @p irp behind the socket's waiting IRPs of its direction and runs the queue
/// (s.mutex held). Returns done if @p irp finished (or was cancelled) at once.
Start enqueue(PosixSocket& s, Irp& irp) noexcept;

/// Runs the queue of @p d until it is empty or would block (s.mutex held); finished
/// IRPs go to @p done.
void process(PosixSocket& s, Dir d, IrpList& done) noexcept;

/// Takes every waiting IRP not claimed by a canceller off both queues, listing it in
/// @p out with @p st (s.mutex held).
void fail_all(PosixSocket& s, NTSTATUS st, IrpList& out) noexcept;

/// One non-blocking attempt at the operation @p irp carries (s.mutex held).
Attempt perform(PosixSocket& s, Irp& irp) noexcept;

// The per-family attempts (posix_transfer.cpp, posix_connect.cpp).
Attempt perform_send(PosixSocket& s, Irp& irp) noexcept;
Attempt perform_receive(PosixSocket& s, Irp& irp) noexcept;
Attempt perform_send_to(PosixSocket& s, Irp& irp) noexcept;
Attempt perform_receive_from(PosixSocket& s, Irp& irp) noexcept;
Attempt perform_disconnect(PosixSocket& s, Irp& irp) noexcept;
Attempt perform_connect(PosixSocket& s, Irp& irp) noexcept;
Attempt perform_accept(PosixSocket& s, Irp& irp) noexcept;

/// Starts a connect: the native connect(2), then waiting for writability.
Start start_connect(PosixSocket& s, const Address& remote, Irp& irp) noexcept;
/// Undoes what a waiting IRP started when it is cancelled instead of finishing (a
/// connect is abandoned). s.mutex held.
void on_cancelled(PosixSocket& s, Irp& irp) noexcept;
/// Resets the connection and ends waiting transfers (abortive disconnect).
void abort_connection(PosixSocket& s, IrpList& out) noexcept;

/// Maps an errno from an operation on a live socket. EBADF there means the fd went
/// bad underneath the library: the socket is torn down (file_forced_closed).
NTSTATUS status_for_socket_errno(PosixSocket& s, int error) noexcept;

}  // namespace wskport::detail::posix
