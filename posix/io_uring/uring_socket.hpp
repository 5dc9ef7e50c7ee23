// SPDX-License-Identifier: MIT
// The io_uring engine: its ring, its socket and their per-operation machinery.
//
// How an IRP travels (s.mutex held throughout, except where said):
// - Each socket has two FIFO queues, one per direction (receives and accepts read;
//   sends, connect and disconnect write). Only the head of a queue is ever submitted to
//   the kernel: two stream sends in flight at once could be reordered or interleaved by
//   the kernel's retries, and a partial send must finish before the next one starts.
// - The head is submitted as one io_uring request whose user_data is the IRP. From then
//   on the kernel owns the IRP's buffers and the IRP completes only from that request's
//   completion (CQE), on the ring's thread: a partial transfer is submitted again from
//   there, a finished one completes, and the next head is submitted.
// - Cancelling a submitted IRP submits IORING_OP_ASYNC_CANCEL for its user_data and
//   leaves the completion to the CQE (ECANCELED, or the operation's own result if it
//   finished first). An IRP still queued behind the head is taken off and completed by
//   the cancel routine, as the epoll engine does.
// - Close and provider shutdown mark the submitted IRPs with the status they must
//   complete with (cancelled, file_forced_closed) whatever the kernel reports, cancel
//   them, and list the queued ones.
//
// One io_uring and the engine thread that drives it.
//
// The thread owns the ring: it is the only one that calls io_uring_enter, so the ring
// can be set up single-issuer with deferred task work, every request belongs to a task
// that lives as long as the engine (the kernel cancels a task's requests when the task
// exits: a caller's short-lived thread must not take its receive with it), and a
// request's completion work runs when the thread asks for completions: one
// io_uring_enter per loop iteration submits what the iteration prepared and waits for
// the next completions.
//
// Other threads add entries under `sq_lock` (the SQ is single-producer) and wake the
// thread through an eventfd whose read the thread keeps pending on the ring; a wake is
// written at most once per batch (`wake_pending`). Entries added on the ring's own
// thread (a completion routine issuing its next call) cost no system call at all.
#pragma once

#include <liburing.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <type_traits>

#include "common/core/backend.hpp"
#include "common/core/completion.hpp"
#include "common/core/irp_queue.hpp"
#include "common/core/ordered_delivery.hpp"
#include "common/core/socket_impl.hpp"
#include "common/core/spin_lock.hpp"

namespace wskport::detail::posix::uring {

/// user_data of entries whose completion carries no IRP (cancel requests, closes).
inline constexpr std::uint64_t ignored_cqe = 0;

/// Called on the ring's thread for each completion whose user_data is an IRP.
using CqeHandler = void (*)(std::uint64_t user_data, int result) noexcept;

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring();

  /// Starts the thread and sets up its ring there. Returns an errno (0 on success);
  /// @p reason says what failed.
  int start(CqeHandler handler, std::string& reason) noexcept;

  /// A submission entry to fill (caller holds `sq_lock`); never null: a full SQ is
  /// flushed to the kernel first.
  io_uring_sqe* get_sqe() noexcept;

  /// After entries were filled under `sq_lock` (lock released): wakes the ring's
  /// thread unless this is that thread or a wake is already on its way.
  void kick() noexcept;

  /// True on the ring's own thread.
  [[nodiscard]] bool on_ring_thread() const noexcept;

  /// Short sections only (fill an entry, publish the tail): a spin lock, as the
  /// socket's, costs a tenth of a mutex on the echo path.
  SpinLock sq_lock;

 private:
  void run() noexcept;
  void arm_wake_read() noexcept;
  /// Makes the entries filled so far visible to the kernel (sq_lock held); returns how
  /// many wait for io_uring_enter.
  unsigned flush() noexcept;

  io_uring ring_{};
  CqeHandler handler_ = nullptr;
  int wake_fd_ = -1;
  std::uint64_t wake_value_ = 0;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stop_{false};
  bool poll_wait_ = false;  ///< wait in poll(2), not io_uring_enter (see start)
  std::thread thread_;
};

/// Whether this host can run the engine: io_uring_queue_init works (not disabled by
/// kernel.io_uring_disabled or seccomp, kernel new enough) and every opcode the engine
/// submits is supported. @p reason says why not.
bool probe(std::string& reason) noexcept;

enum class Dir : int { read = 0, write = 1 };

/// Descriptors per stream request; more are taken by the next request.
inline constexpr std::size_t max_iov = 64;

class UringSocket;

/// What handling a request's result (or finding nothing to submit) decided.
struct Step {
  enum Kind : std::uint8_t { submitted, again, done } kind = done;
  NTSTATUS status = status::success;
  std::uintptr_t information = 0;
  static Step finished(NTSTATUS st, std::uintptr_t info = 0) noexcept { return {done, st, info}; }
  static Step resubmit() noexcept { return {again, status::pending, 0}; }
  static Step sent() noexcept { return {submitted, status::pending, 0}; }
};

/// One operation family: fills a submission entry for the IRP's next request (or
/// finishes it without one), and turns a request's result into the next step.
struct OpSpec {
  Dir dir;
  Step (*issue)(UringSocket& s, Irp& irp) noexcept;
  Step (*result)(UringSocket& s, Irp& irp, int res) noexcept;
};

/// The engine's state in the IRP's scratch space (IrpOp::native).
struct Scratch {
  const OpSpec* spec;
  NTSTATUS forced;   ///< non-zero: complete with this whatever the kernel reports
  bool in_flight;    ///< a request for the IRP is in the kernel
  bool cancel_sent;  ///< the cancel routine ran (and cancelled the request, if any)
  bool parked;       ///< finished while a canceller owned it: its routine completes it
  bool stage2;       ///< disconnect: the shutdown request was submitted
};
static_assert(sizeof(Scratch) <= sizeof IrpOp::native);
static_assert(std::is_trivially_copyable_v<Scratch>);

static_assert(alignof(Scratch) <= alignof(std::uint64_t));

/// Begins the scratch state of an IRP the engine starts.
inline Scratch& init_scratch(Irp& irp, const OpSpec& spec) noexcept {
  return *::new (static_cast<void*>(&IrpAccess::op(irp).native[0]))
      Scratch{&spec, 0, false, false, false, false};
}

inline Scratch& scratch(Irp& irp) noexcept {
  return *std::launder(static_cast<Scratch*>(static_cast<void*>(&IrpAccess::op(irp).native[0])));
}

class UringSocket final : public SocketImpl {
 public:
  UringSocket(ProviderCore& core, const SocketParams& params, int native_fd, Ring& r) noexcept;
  ~UringSocket() override;

  IrpQueue& queue(Dir d) noexcept { return queues_[static_cast<int>(d)]; }

  int fd = -1;
  Ring& ring;
  OrderedDelivery delivery;  ///< routines run in order, per Dir (s.mutex held)
  bool no_delay = false;
  bool fd_exposed = false;
  int backlog;

  // Per-direction request state: only a queue's head is in the kernel, so one set per
  // direction is all the submitted requests need, and none is allocated.
  struct Native {
    msghdr msg;
    sockaddr_storage addr;
    socklen_t addr_len;
    iovec iov[max_iov];
  } native[2]{};

 private:
  IrpQueue queues_[2];
};

/// Maps a request's failure (a negative result's errno) on a live socket, remembering a
/// lost connection (SocketImpl::note_failure); EBADF marks the socket torn down.
NTSTATUS status_for_socket_errno(UringSocket& s, int error) noexcept;

/// A fresh entry for the socket's ring (ring.sq_lock held by the caller).
io_uring_sqe* sqe_for(UringSocket& s) noexcept;

/// Starts @p irp of family @p spec (s.mutex held): queues it, and submits it when it is
/// the head of its queue. Done when it finished without a request.
Start start(UringSocket& s, Irp& irp, const OpSpec& spec) noexcept;

/// Abortive disconnect: resets the connection; sends end cancelled, receives aborted.
void abort_connection(UringSocket& s, IrpList& out) noexcept;

/// Ends every IRP of the socket with @p st (s.mutex held): queued ones are listed in
/// @p out, submitted ones are cancelled and complete with @p st from their CQE.
void fail_all(UringSocket& s, NTSTATUS st, IrpList& out) noexcept;

/// The ring's completion handler (on the ring's thread, no lock held).
void on_cqe(std::uint64_t user_data, int result) noexcept;

// The operation families (uring_transfer.cpp, uring_connect.cpp).
const OpSpec& send_spec() noexcept;
const OpSpec& receive_spec() noexcept;
const OpSpec& send_to_spec() noexcept;
const OpSpec& receive_from_spec() noexcept;
const OpSpec& disconnect_spec() noexcept;
const OpSpec& connect_spec() noexcept;
const OpSpec& accept_spec() noexcept;

/// Undoes a cancelled connect (the socket is unconnected again). s.mutex held.
void abandon_connect(UringSocket& s) noexcept;

/// The registry's probe (posix/io_uring/CMakeLists.txt): success when this host can run
/// the io_uring engine, else not_supported with @p reason saying why (kernel too old,
/// kernel.io_uring_disabled, seccomp, an opcode missing).
NTSTATUS io_uring_probe(std::string& reason);

/// The registry's factory: the engine, or null with @p st set (insufficient_resources).
/// It runs its own ring thread; @p io stays the provider's loop for posted work and timers.
std::unique_ptr<Backend> make_io_uring_backend(boost::asio::io_context& io, NTSTATUS& st);

/// Starts a connect (s.mutex held): IORING_OP_CONNECT, or at once for AF_UNIX.
Start start_connect(UringSocket& s, const Address& remote, Irp& irp) noexcept;

}  // namespace wskport::detail::posix::uring
