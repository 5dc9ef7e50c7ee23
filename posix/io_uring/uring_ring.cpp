// SPDX-License-Identifier: MIT
// The ring and its thread (uring_socket.hpp).
#include "posix/io_uring/uring_socket.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>

namespace wskport::detail::posix::uring {

namespace {

constexpr unsigned ring_entries = 1024;
// user_data of the eventfd read that wakes the thread (an IRP pointer is never 1).
constexpr std::uint64_t wake_cqe = 1;

thread_local const Ring* current_ring = nullptr;

// Single issuer and deferred task work (Linux 6.1) make completion work run only when
// the ring's thread asks for completions, batched, instead of interrupting it; older
// kernels refuse the flags and get a plain ring.
int init_ring(io_uring& ring, bool deferred = true) noexcept {
  io_uring_params p{};
  // A thread that waits in poll(2) needs its completion work run by the kernel when it
  // comes (a plain ring); deferred work would wait for an io_uring_enter.
  if (!deferred) return -io_uring_queue_init(ring_entries, &ring, 0);
  p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
            IORING_SETUP_DEFER_TASKRUN;
  if (io_uring_queue_init_params(ring_entries, &ring, &p) == 0) return 0;
  // Without deferred work (before 6.1), cooperative task work still avoids interrupting
  // the ring's thread for each completion (docs/performance.md: the task-work IPI).
  std::memset(&ring, 0, sizeof ring);
  p = io_uring_params{};
  p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  if (io_uring_queue_init_params(ring_entries, &ring, &p) == 0) return 0;
  std::memset(&ring, 0, sizeof ring);
  return -io_uring_queue_init(ring_entries, &ring, 0);
}

}  // namespace

bool probe(std::string& reason) noexcept {
  io_uring ring{};
  if (const int e = init_ring(ring); e != 0) {
    reason = std::string("io_uring_queue_init failed: ") + std::strerror(e) +
             (e == EPERM ? " (kernel.io_uring_disabled or seccomp)" : "") +
             (e == ENOSYS ? " (kernel without io_uring)" : "");
    return false;
  }
  ::io_uring_probe* p = io_uring_get_probe_ring(&ring);
  bool ok = p != nullptr;
  if (!ok) reason = "io_uring_get_probe failed";
  const int needed[] = {IORING_OP_ACCEPT,   IORING_OP_CONNECT,      IORING_OP_SEND,
                        IORING_OP_RECV,     IORING_OP_SENDMSG,      IORING_OP_RECVMSG,
                        IORING_OP_SHUTDOWN, IORING_OP_ASYNC_CANCEL, IORING_OP_CLOSE,
                        IORING_OP_READ};
  for (const int op : needed) {
    if (ok && !io_uring_opcode_supported(p, op)) {
      ok = false;
      reason = "io_uring opcode " + std::to_string(op) + " not supported by this kernel";
    }
  }
  if (p != nullptr) io_uring_free_probe(p);
  io_uring_queue_exit(&ring);
  return ok;
}

Ring::~Ring() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_seq_cst);
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
}

int Ring::start(CqeHandler handler, std::string& reason) noexcept {
  handler_ = handler;
  // Measurement aid: Valgrind (3.19) holds its big lock through io_uring_enter, so a
  // ring thread waiting there stops every other thread of the process. With
  // WSKPORT_URING_POLL_WAIT=1 the thread waits in poll(2) on the ring instead (one
  // more system call per wait; the user-space path is the same).
  const char* poll_env = std::getenv("WSKPORT_URING_POLL_WAIT");
  poll_wait_ = poll_env != nullptr && poll_env[0] == '1';
  // Blocking: a read of a non-blocking file through io_uring ends in EAGAIN instead of
  // waiting.
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    reason = "eventfd failed";
    return errno;
  }
  try {
    std::promise<int> ready;
    auto result = ready.get_future();
    thread_ = std::thread([this, &ready] {
      // Set up here: a single-issuer ring belongs to the thread that creates it.
      const int e = init_ring(ring_, !poll_wait_);
      ready.set_value(e);
      if (e == 0) run();
    });
    const int e = result.get();
    if (e != 0) {
      thread_.join();
      reason = std::string("io_uring_queue_init failed: ") + std::strerror(e);
      return e;
    }
  } catch (...) {
    reason = "cannot start the io_uring thread";
    return ENOMEM;
  }
  return 0;
}

bool Ring::on_ring_thread() const noexcept { return current_ring == this; }

unsigned Ring::flush() noexcept {
  io_uring_sq& sq = ring_.sq;
  const unsigned tail = sq.sqe_tail;
  if (sq.sqe_head != tail) {
    sq.sqe_head = tail;
    io_uring_smp_store_release(sq.ktail, tail);
  }
  return tail - io_uring_smp_load_acquire(sq.khead);
}

io_uring_sqe* Ring::get_sqe() noexcept {
  for (;;) {
    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
    // Full. Only the ring's thread may enter the ring: from another thread, wake it and
    // wait for room (the lock is released meanwhile so the thread can flush).
    if (on_ring_thread()) {
      const unsigned n = flush();
      (void)io_uring_enter(static_cast<unsigned>(ring_.ring_fd), n, 0, 0, nullptr);
    } else {
      flush();
      sq_lock.unlock();
      wake_pending_.store(false, std::memory_order_seq_cst);
      kick();
      std::this_thread::yield();
      sq_lock.lock();
    }
  }
}

void Ring::kick() noexcept {
  if (on_ring_thread()) return;
  if (wake_pending_.exchange(true, std::memory_order_seq_cst)) return;
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void Ring::arm_wake_read() noexcept {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_read(sqe, wake_fd_, &wake_value_, sizeof wake_value_, 0);
  io_uring_sqe_set_data64(sqe, wake_cqe);
}

void Ring::run() noexcept {
  current_ring = this;
  {
    std::lock_guard lock(sq_lock);
    arm_wake_read();
  }
  while (!stop_.load(std::memory_order_acquire)) {
    unsigned to_submit = 0;
    {
      std::lock_guard lock(sq_lock);
      to_submit = flush();
    }
    // Submit this iteration's entries and wait for at least one completion: one system
    // call per iteration.
    const int rc = io_uring_enter(static_cast<unsigned>(ring_.ring_fd), to_submit,
                                  poll_wait_ ? 0 : 1, IORING_ENTER_GETEVENTS, nullptr);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) break;
    io_uring_cqe* cqe = nullptr;
    if (poll_wait_ && io_uring_cq_ready(&ring_) == 0) {
      pollfd p{ring_.ring_fd, POLLIN, 0};
      (void)::poll(&p, 1, -1);
      continue;
    }
    // Completions are consumed one at a time: a handler may run a routine that issues
    // calls, which add entries but never touch the completion queue.
    while (io_uring_peek_cqe(&ring_, &cqe) == 0 && cqe != nullptr) {
      const std::uint64_t data = cqe->user_data;
      const int res = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
      if (data == wake_cqe) {
        wake_pending_.store(false, std::memory_order_seq_cst);
        std::lock_guard lock(sq_lock);
        arm_wake_read();
      } else if (data != ignored_cqe) {
        handler_(data, res);
      }
    }
  }
  current_ring = nullptr;
  io_uring_queue_exit(&ring_);
}

}  // namespace wskport::detail::posix::uring
