// SPDX-License-Identifier: MIT
// The io_uring engine's queues, completions, cancellation and teardown
// (uring_socket.hpp explains the rules).
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "posix/io_uring/uring_socket.hpp"
#include "posix/status_map.hpp"

namespace wskport::detail::posix::uring {

namespace {

int index(Dir d) noexcept { return static_cast<int>(d); }

// Asks the kernel to cancel the request carrying @p irp (s.mutex held). The request's
// own CQE completes the IRP: ECANCELED, or its result if it finished first. Asking
// twice is harmless (the second finds nothing).
void cancel_request(UringSocket& s, Irp& irp) noexcept {
  {
    std::lock_guard lock(s.ring.sq_lock);
    io_uring_sqe* sqe = sqe_for(s);
    io_uring_prep_cancel64(sqe, reinterpret_cast<std::uintptr_t>(&irp), 0);
    io_uring_sqe_set_data64(sqe, ignored_cqe);
  }
  s.ring.kick();
}

void cancel_routine(Irp& irp) noexcept;

// The IRP @p irp (queue head, no request in the kernel) finished with @p st: it leaves
// the queue for @p done, unless a canceller owns it, whose routine then completes it
// with this result (a transfer that moved data reports it, not a cancel).
void finish(UringSocket& s, Irp& irp, const Step& st, IrpList& done) noexcept {
  auto& sc = scratch(irp);
  auto& op = IrpAccess::op(irp);
  sc.in_flight = false;
  if (sc.cancel_sent || IrpAccess::disarm_cancel(irp)) {
    s.queue(sc.spec->dir).remove(irp);
    done.push(irp, st.status, st.information);
    return;
  }
  sc.parked = true;
  op.final_status = st.status;
  op.final_information = st.information;
}

// Submits the head of @p d's queue, finishing heads that need no request, until one is
// in the kernel or the queue is empty (s.mutex held).
void advance(UringSocket& s, Dir d, IrpList& done) noexcept {
  auto& q = s.queue(d);
  bool submitted = false;
  while (Irp* irp = q.front()) {
    auto& sc = scratch(*irp);
    if (sc.in_flight || sc.parked) break;
    Step st;
    if (s.fd < 0) {
      st = Step::finished(s.forced ? status::file_forced_closed : status::cancelled,
                          IrpAccess::op(*irp).done);
    } else if (irp->cancel_requested()) {
      if (IrpAccess::op(*irp).kind == OpKind::connect) abandon_connect(s);
      st = Step::finished(status::cancelled, IrpAccess::op(*irp).done);
    } else {
      std::lock_guard lock(s.ring.sq_lock);
      st = sc.spec->issue(s, *irp);
    }
    if (st.kind == Step::submitted) {
      sc.in_flight = true;
      submitted = true;
      break;
    }
    finish(s, *irp, st, done);
    if (sc.parked) break;
  }
  if (submitted) s.ring.kick();
}

void cancel_routine(Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  // The IRP's own reference keeps the socket alive: it cannot complete without this
  // routine or its CQE, and the CQE's handler waits for the lock held below.
  auto& s = static_cast<UringSocket&>(*op.socket);
  auto& sc = scratch(irp);
  const Dir d = sc.spec->dir;
  IrpList done;
  bool complete_now = false;
  bool deliverer = false;
  NTSTATUS st = status::cancelled;
  std::uintptr_t info = 0;
  {
    std::lock_guard lock(s.mutex);
    if (sc.parked) {
      // Finished while this routine was on its way: complete with that result.
      s.queue(d).remove(irp);
      sc.parked = false;
      st = op.final_status;
      info = op.final_information;
      complete_now = true;
    } else if (sc.in_flight) {
      sc.cancel_sent = true;
      cancel_request(s, irp);
    } else {
      if (op.queued) s.queue(d).remove(irp);
      info = op.done;
      complete_now = true;
    }
    if (complete_now) {
      advance(s, d, done);
      deliverer = hand_over(s.delivery, index(d), done);
    }
  }
  if (complete_now) complete_irp(irp, st, info);
  if (deliverer) deliver_in_order(s, s.delivery, index(d));
}

// Ends every IRP of direction @p d with @p st (s.mutex held).
void end_direction(UringSocket& s, Dir d, NTSTATUS st, IrpList& out) noexcept {
  auto& q = s.queue(d);
  Irp* irp = q.front();
  while (irp != nullptr) {
    Irp* next = IrpAccess::op(*irp).next;
    auto& sc = scratch(*irp);
    if (sc.in_flight) {
      // The kernel owns its buffers until the CQE: the CQE completes it, with st.
      if (sc.forced == 0) sc.forced = st;
      cancel_request(s, *irp);
    } else if (!sc.parked && IrpAccess::disarm_cancel(*irp)) {
      q.remove(*irp);
      out.push(*irp, st, IrpAccess::op(*irp).done);
    }
    // Parked, or claimed by a canceller: its cancel routine completes it.
    irp = next;
  }
}

}  // namespace

io_uring_sqe* sqe_for(UringSocket& s) noexcept { return s.ring.get_sqe(); }

NTSTATUS status_for_socket_errno(UringSocket& s, int error) noexcept {
  if (error == EBADF) {
    // The fd was closed behind the library's back: never touch the number again.
    s.forced = true;
    s.fd = -1;
    return status::file_forced_closed;
  }
  return s.note_failure(status_from_errno(error));
}

UringSocket::UringSocket(ProviderCore& core, const SocketParams& params, int native_fd,
                         Ring& r) noexcept
    : SocketImpl(core, params), fd(native_fd), ring(r), backlog(SOMAXCONN) {}

UringSocket::~UringSocket() {
  if (fd >= 0) ::close(fd);
}

Start start(UringSocket& s, Irp& irp, const OpSpec& spec) noexcept {
  init_scratch(irp, spec);
  auto& q = s.queue(spec.dir);
  const bool was_empty = q.empty();
  q.push_back(irp);
  if (!IrpAccess::arm_cancel(irp, &cancel_routine)) {
    q.remove(irp);
    if (IrpAccess::op(irp).kind == OpKind::connect) abandon_connect(s);
    return Start::done(status::cancelled, IrpAccess::op(irp).done);
  }
  // Behind another IRP: its CQE submits this one.
  if (!was_empty) return Start::queued();
  IrpList done;
  advance(s, spec.dir, done);
  // The queue was empty, so the only IRP advance() can have finished is this one.
  if (Irp* finished = done.pop()) {
    const auto& op = IrpAccess::op(*finished);
    return finished_at_once(s.delivery, index(spec.dir), *finished, op.final_status,
                            op.final_information);
  }
  return Start::queued();
}

void on_cqe(std::uint64_t user_data, int result) noexcept {
  Irp& irp = *reinterpret_cast<Irp*>(static_cast<std::uintptr_t>(user_data));
  auto& op = IrpAccess::op(irp);
  // The pending IRP holds a reference to its socket until it completes, which happens
  // below (or on a canceller) after the lock is released.
  auto& s = static_cast<UringSocket&>(*op.socket);
  auto& sc = scratch(irp);
  const Dir d = sc.spec->dir;
  IrpList done;
  bool deliverer = false;
  {
    std::lock_guard lock(s.mutex);
    sc.in_flight = false;
    Step st;
    if (sc.forced != 0) {
      st = Step::finished(sc.forced, op.done);
    } else if (result == -ECANCELED) {
      if (op.kind == OpKind::connect) abandon_connect(s);
      st = Step::finished(status::cancelled, op.done);
    } else {
      st = sc.spec->result(s, irp, result);
    }
    // again: the head goes back to the kernel through advance (which sees a cancel or
    // a dead fd first).
    if (st.kind == Step::done) finish(s, irp, st, done);
    advance(s, d, done);
    deliverer = hand_over(s.delivery, index(d), done);
  }
  if (deliverer) deliver_in_order(s, s.delivery, index(d));
}

void fail_all(UringSocket& s, NTSTATUS st, IrpList& out) noexcept {
  end_direction(s, Dir::read, st, out);
  end_direction(s, Dir::write, st, out);
}

void abort_connection(UringSocket& s, IrpList& out) noexcept {
  // WSK: an abortive disconnect cancels in-progress and pending sends; receives fail
  // because the connection is gone.
  end_direction(s, Dir::write, status::cancelled, out);
  end_direction(s, Dir::read, status::connection_aborted, out);
  // connect(AF_UNSPEC) makes Linux reset the connection (RST) while the fd, and so the
  // WSK socket, lives on until close.
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  ::connect(s.fd, &unspec, sizeof unspec);
  s.aborted = true;
}

}  // namespace wskport::detail::posix::uring
