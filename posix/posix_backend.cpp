// SPDX-License-Identifier: MIT
// The POSIX backend: socket creation, the synchronous operations, the reactor glue
// (queues, waits, cancel routines) and teardown.
#include "posix/posix_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "common/core/provider_core.hpp"
#include "posix/posix_common.hpp"
#include "posix/posix_engine.hpp"
#include "posix/status_map.hpp"

namespace wskport::detail::posix {

// ---- queues and the reactor -------------------------------------------------------

Dir direction_of(OpKind kind) noexcept {
  return op_info(kind).direction == Direction::read ? Dir::read : Dir::write;
}

void on_ready(PosixSocket& s, Dir d) noexcept {
  IrpList done;
  bool deliverer = false;
  {
    std::lock_guard lock(s.mutex);
    s.armed[static_cast<int>(d)] = false;
    process(s, d, done);
    deliverer = hand_over(s.delivery, static_cast<int>(d), done);
  }
  if (deliverer) deliver_in_order(s, s.delivery, static_cast<int>(d));
}

bool PosixSocket::arm(Dir d) noexcept {
  armed[static_cast<int>(d)] = true;
  // A connect in progress waits for its handshake: the socket's earlier writability
  // must not count.
  return waits.arm(*this, d, /*speculative=*/!(d == Dir::write && connecting));
}

namespace {

void cancel_routine(Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  // The IRP's own reference keeps the socket alive: it cannot complete without this
  // routine, which now owns it.
  auto& s = static_cast<PosixSocket&>(*op.socket);
  IrpList done;
  const Dir d = direction_of(op.kind);
  bool deliverer = false;
  {
    std::lock_guard lock(s.mutex);
    if (op.queued) {
      s.queue(d).remove(irp);
      on_cancelled(s, irp);
    }
    // The backend may have stopped at this IRP, unable to touch it: the rest of the
    // queue is ours to run now.
    process(s, d, done);
    deliverer = hand_over(s.delivery, static_cast<int>(d), done);
  }
  complete_irp(irp, status::cancelled, op.done);
  if (deliverer) deliver_in_order(s, s.delivery, static_cast<int>(d));
}

}  // namespace

void fail_all(PosixSocket& s, NTSTATUS st, IrpList& out) noexcept {
  for (const Dir d : {Dir::read, Dir::write}) {
    auto& q = s.queue(d);
    Irp* irp = q.front();
    while (irp != nullptr) {
      Irp* next = IrpAccess::op(*irp).next;
      // One a canceller claimed stays queued: its routine dequeues and completes it.
      if (IrpAccess::disarm_cancel(*irp)) {
        q.remove(*irp);
        out.push(*irp, st, IrpAccess::op(*irp).done);
      }
      irp = next;
    }
  }
}

void process(PosixSocket& s, Dir d, IrpList& done) noexcept {
  auto& q = s.queue(d);
  for (int pass = 0; pass < 2; ++pass) {
    bool blocked = false;
    while (Irp* irp = q.front()) {
      if (s.fd < 0) {
        // The fd is gone (closed, or lost underneath us): nothing here can run again.
        fail_all(s, s.forced ? status::file_forced_closed : status::cancelled, done);
        return;
      }
      if (!IrpAccess::disarm_cancel(*irp)) return;  // a canceller owns the head
      const Attempt a = performer_of(*irp)(s, *irp);
      if (a.blocked) {
        if (!IrpAccess::arm_cancel(*irp, &cancel_routine)) {
          q.remove(*irp);
          on_cancelled(s, *irp);
          done.push(*irp, status::cancelled, IrpAccess::op(*irp).done);
          continue;
        }
        blocked = true;
        break;
      }
      q.remove(*irp);
      done.push(*irp, a.status, a.information);
    }
    if (!blocked || s.armed[static_cast<int>(d)]) return;
    if (!s.arm(d)) return;  // else one more pass: the wait may miss earlier readiness
  }
}

Start enqueue(PosixSocket& s, Irp& irp, Dir d, Performer attempt) noexcept {
  auto& q = s.queue(d);
  const bool was_empty = q.empty();
  if (was_empty && s.fd >= 0) {
    // The fast path: nothing queued ahead, so try the operation at once, before it is
    // queued or can be cancelled. A cancel that comes before the IRP waits is seen when
    // the cancel routine is armed below, so it is not lost; one that comes while the
    // attempt succeeds is simply too late, as in the kernel.
    const Attempt a = attempt(s, irp);
    if (!a.blocked) {
      return finished_at_once(s.delivery, static_cast<int>(d), irp, a.status, a.information);
    }
  }
  set_performer(irp, attempt);
  q.push_back(irp);
  if (!IrpAccess::arm_cancel(irp, &cancel_routine)) {
    q.remove(irp);
    on_cancelled(s, irp);
    return Start::done(status::cancelled, IrpAccess::op(irp).done);
  }
  // Behind other IRPs, or with a wait in flight, the wait (or a canceller) is already
  // responsible for the queue.
  if (!was_empty || s.armed[static_cast<int>(d)]) return Start::queued();
  if (s.fd >= 0 && !s.arm(d)) return Start::queued();
  // A dead fd, or a wait that may have missed readiness: run the queue now.
  IrpList done;
  process(s, d, done);
  // The queue was empty, so the only IRP process() can have finished is this one.
  if (Irp* finished = done.pop()) {
    const auto& op = IrpAccess::op(*finished);
    return finished_at_once(s.delivery, static_cast<int>(d), *finished, op.final_status,
                            op.final_information);
  }
  return Start::queued();
}

NTSTATUS status_for_socket_errno(PosixSocket& s, int error) noexcept {
  if (error == EBADF) {
    // The fd was closed behind the library's back (a hook, a stray close()). The number
    // may already name another file: never touch it again.
    s.forced = true;
    s.fd = -1;
    s.waits.detach(/*remove_from_epoll=*/false);
    return status::file_forced_closed;
  }
  return s.note_failure(status_from_errno(error));
}

// ---- the socket ------------------------------------------------------------------

PosixSocket::PosixSocket(ProviderCore& core, const SocketParams& params, int native_fd,
                         Reactor& reactor) noexcept
    : SocketImpl(core, params), fd(native_fd), waits(reactor), backlog(SOMAXCONN) {}

PosixSocket::~PosixSocket() { close_native(false); }

int PosixSocket::attach() noexcept { return waits.attach(fd); }

void PosixSocket::close_native(bool abortive) noexcept {
  if (fd < 0) return;
  waits.detach(/*remove_from_epoll=*/fd_exposed);
  if (abortive) {
    // SO_LINGER {1, 0}: close() sends RST and drops unsent data, as WSK's close does.
    const linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  ::close(fd);
  fd = -1;
  armed[0] = armed[1] = false;
}

namespace {

class PosixBackend final : public PlatformBackend {
 public:
  explicit PosixBackend(boost::asio::io_context& io) : reactor_(reactor_of(io)) {}

  std::string_view name() const noexcept override { return "epoll"; }

  SocketImpl* create(ProviderCore& core, const SocketParams& p, NTSTATUS& st) noexcept override {
    const int fd = open_native_socket(p, st);
    if (fd < 0) return nullptr;
    auto* s = new (std::nothrow) PosixSocket(core, p, fd, reactor_);
    if (s == nullptr) {
      ::close(fd);
      st = status::insufficient_resources;
      return nullptr;
    }
    if (const int e = s->attach(); e != 0) {
      s->release();
      st = status_from_errno(e);
      return nullptr;
    }
    return s;
  }

  native_handle_t native_handle(SocketImpl& base) noexcept override {
    auto& s = static_cast<PosixSocket&>(base);
    s.fd_exposed = true;  // it may be dup()ed now: see close_native
    return s.fd;
  }

  // The one entry (backend.hpp): each kind to this engine's code for it.
  Start submit(SocketImpl& base, Irp& irp, IrpList& others) noexcept override {
    auto& s = static_cast<PosixSocket&>(base);
    auto& op = IrpAccess::op(irp);
    switch (op.kind) {
      case OpKind::send:
        return enqueue(s, irp, Dir::write, &perform_send);
      case OpKind::receive:
        return enqueue(s, irp, Dir::read, &perform_receive);
      case OpKind::send_to:
        return enqueue(s, irp, Dir::write, &perform_send_to);
      case OpKind::receive_from:
        return enqueue(s, irp, Dir::read, &perform_receive_from);
      case OpKind::accept:
        return enqueue(s, irp, Dir::read, &perform_accept);
      case OpKind::connect:
        return start_connect(s, *static_cast<const Address*>(op.in1), irp);
      case OpKind::disconnect:
        if ((op.flags & disconnect_flags::abortive) == 0) {
          return enqueue(s, irp, Dir::write, &perform_disconnect);
        }
        abort_connection(s, others);
        return Start::done(status::success);
      default:
        return submit_at_once<AtOnce>(s, op);
    }
  }

  // Every IRP waits on a queue guarded by s.mutex and runs only under it, so emptying
  // the queues is all it takes: nothing the peer does can reach a listed IRP.
  void quiesce(SocketImpl& base, NTSTATUS pending_status, IrpList& out) noexcept override {
    fail_all(static_cast<PosixSocket&>(base), pending_status, out);
  }

  void teardown(SocketImpl& base, NTSTATUS pending_status, IrpList& out) noexcept override {
    auto& s = static_cast<PosixSocket&>(base);
    fail_all(s, pending_status, out);
    // WSK's close is abortive unless both directions were already shut down.
    const bool graceful = !s.is_stream() || !s.connected || s.aborted || (s.fin_sent && s.eof_seen);
    s.close_native(!graceful);
  }

 private:
  Reactor& reactor_;
};

}  // namespace

}  // namespace wskport::detail::posix

namespace wskport::detail {

// The "epoll" engine's registry entry (posix/posix_engine.hpp): Asio's reactor works on
// every kernel the library builds for, so there is nothing to check.
NTSTATUS posix::probe_epoll(std::string& /*reason*/) { return status::success; }

std::unique_ptr<Backend> posix::make_epoll_backend(boost::asio::io_context& io, NTSTATUS& st) {
  try {
    return std::make_unique<posix::PosixBackend>(io);
  } catch (...) {
    st = status::insufficient_resources;
    return nullptr;
  }
}

}  // namespace wskport::detail
