// SPDX-License-Identifier: MIT
// The POSIX backend's socket: a non-blocking fd registered with Asio's reactor, and
// two FIFO queues of waiting IRPs, one per direction.
//
// Reactor rules (why the code looks the way it does):
// - Operations run the native call themselves, so the exact errno reaches the table;
//   the reactor only reports readiness (posix_wait.hpp).
// - An operation is tried first, when nothing is queued ahead of it; only when it would
//   block does it queue and arm its direction's wait. The wait cannot miss readiness
//   that came between the EAGAIN and the arm (with the portable waits, arm() says so and
//   the queue is tried once more).
// - A waiting IRP carries a cancel routine. Before touching a queued IRP the backend
//   takes the routine back (disarm); if a canceller took it first, the backend leaves
//   the IRP to the cancel routine, which dequeues and completes it and then processes
//   the rest of the queue.
#pragma once

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <cstring>

#include "common/core/backend.hpp"
#include "common/core/completion.hpp"
#include "common/core/irp_queue.hpp"
#include "common/core/ordered_delivery.hpp"
#include "common/core/socket_impl.hpp"
#include "posix/posix_wait.hpp"

namespace wskport::detail::posix {

class PosixSocket final : public SocketImpl {
 public:
  PosixSocket(ProviderCore& core, const SocketParams& params, int fd, Reactor& reactor) noexcept;
  ~PosixSocket() override;

  /// Registers the fd with the reactor. Returns an errno, 0 on success.
  int attach() noexcept;
  /// Closes the fd (abortively when @p abortive), cancelling reactor waits. Idempotent.
  void close_native(bool abortive) noexcept;

  IrpQueue& queue(Dir d) noexcept { return queues_[static_cast<int>(d)]; }

  /// Starts the wait of @p d (s.mutex held, none in flight). Returns true when the
  /// caller must try the queue once more (see posix_wait.hpp).
  bool arm(Dir d) noexcept;

  int fd = -1;
  ReadinessWaits waits;
  bool armed[2] = {false, false};  ///< a wait is in flight, per Dir
  OrderedDelivery delivery;        ///< routines run in order, per Dir (s.mutex held)
  bool no_delay = false;           ///< TCP_NODELAY is on for the socket
  bool fd_exposed = false;         ///< native_handle() gave the fd out (s.mutex held)
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

/// One non-blocking attempt at an operation (s.mutex held).
using Performer = Attempt (*)(PosixSocket& s, Irp& irp);

/// Tries @p irp with @p attempt when nothing waits ahead of it in direction @p d (the
/// caller knows both, so the call path decides nothing by op kind); otherwise, or when
/// it would block, queues it behind the socket's waiting IRPs of @p d (s.mutex held).
/// Returns done if @p irp finished (or was cancelled) at once.
Start enqueue(PosixSocket& s, Irp& irp, Dir d, Performer attempt) noexcept;

/// Runs the queue of @p d until it is empty or would block (s.mutex held); finished
/// IRPs go to @p done.
void process(PosixSocket& s, Dir d, IrpList& done) noexcept;

/// Takes every waiting IRP not claimed by a canceller off both queues, listing it in
/// @p out with @p st (s.mutex held).
void fail_all(PosixSocket& s, NTSTATUS st, IrpList& out) noexcept;

/// The attempt a queued IRP was queued with, kept in the IRP's backend scratch space
/// so the queue runs it without deciding by op kind again.
inline void set_performer(Irp& irp, Performer attempt) noexcept {
  static_assert(sizeof attempt <= sizeof IrpAccess::op(irp).native[0]);
  std::memcpy(&IrpAccess::op(irp).native[0], &attempt, sizeof attempt);
}
inline Performer performer_of(Irp& irp) noexcept {
  Performer attempt = nullptr;
  std::memcpy(&attempt, &IrpAccess::op(irp).native[0], sizeof attempt);
  return attempt;
}

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
