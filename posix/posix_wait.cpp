// SPDX-License-Identifier: MIT
// Readiness waits on the reactor (posix_wait.hpp says why there are two versions).
#include "posix/posix_wait.hpp"

#include <boost/asio/error.hpp>

#include "posix/posix_socket.hpp"

namespace wskport::detail::posix {

#if WSKPORT_POSIX_DIRECT_WAITS

Reactor& reactor_of(boost::asio::io_context& io) {
  auto& reactor = boost::asio::use_service<Reactor>(io);
  // Asio's own descriptor services do this when they are created; without it the
  // scheduler would never run the reactor.
  reactor.init_task();
  return reactor;
}

ReadinessWaits::WaitOp::WaitOp() noexcept
    : reactor_op(boost::system::error_code(), &WaitOp::perform, &WaitOp::complete) {}

// The reactor runs this under its descriptor lock, when an edge came for a queued wait
// or when a wait starts while the edge flag is set. "Exhausted" clears the flag: from
// here on only a new edge counts, and the owner finds out by trying its operation.
boost::asio::detail::reactor_op::status ReadinessWaits::WaitOp::perform(
    boost::asio::detail::reactor_op* /*base*/) {
  return done_and_exhausted;
}

// On a provider thread, or with owner == nullptr when the reactor is destroyed with
// the wait still queued. Either way the reference taken by arm() goes, and it goes
// last: it may be the socket's last, and this operation lives inside the socket.
void ReadinessWaits::WaitOp::complete(void* owner, boost::asio::detail::operation* base,
                                      const boost::system::error_code& /*ec*/,
                                      std::size_t /*bytes*/) {
  auto* op = static_cast<WaitOp*>(base);
  const SocketRef ref(op->owner, /*add=*/false);
  if (owner == nullptr || op->ec_ == boost::asio::error::operation_aborted) return;
  on_ready(*op->owner, op->dir);
}

ReadinessWaits::ReadinessWaits(Reactor& reactor) noexcept : reactor_(reactor) {}

ReadinessWaits::~ReadinessWaits() { detach(true); }

int ReadinessWaits::attach(int fd) noexcept {
  if (const int e = reactor_.register_descriptor(fd, data_); e != 0) {
    reactor_.cleanup_descriptor_data(data_);  // allocated before epoll refused the fd
    return e;
  }
  fd_ = fd;
  return 0;
}

bool ReadinessWaits::arm(PosixSocket& owner, Dir d, bool speculative) noexcept {
  auto& op = ops_[static_cast<int>(d)];
  op.owner = &owner;
  op.dir = d;
  op.ec_ = boost::system::error_code();
  owner.add_ref();
  const int type = d == Dir::read ? Reactor::read_op : Reactor::write_op;
  // is_continuation: on a provider thread an immediate completion goes to the thread's
  // private queue, without the scheduler's lock; elsewhere Asio ignores the hint.
  reactor_.start_op(type, fd_, data_, &op, /*is_continuation=*/true, speculative);
  return false;
}

void ReadinessWaits::detach(bool remove_from_epoll) noexcept {
  if (fd_ < 0) return;
  // closing = true skips the epoll_ctl(EPOLL_CTL_DEL): one system call less per
  // connection when the close alone ends the registration.
  reactor_.deregister_descriptor(fd_, data_, /*closing=*/!remove_from_epoll);
  reactor_.cleanup_descriptor_data(data_);
  fd_ = -1;
}

#else  // portable waits

Reactor& reactor_of(boost::asio::io_context& io) { return io; }

ReadinessWaits::ReadinessWaits(Reactor& reactor) noexcept
    : reactor_(reactor), descriptor_(reactor) {}

ReadinessWaits::~ReadinessWaits() = default;

int ReadinessWaits::attach(int fd) noexcept {
  boost::system::error_code ec;
  descriptor_.assign(fd, ec);
  return ec ? ec.value() : 0;
}

bool ReadinessWaits::arm(PosixSocket& owner, Dir d, bool /*speculative*/) noexcept {
  const auto type = d == Dir::read ? boost::asio::posix::descriptor_base::wait_read
                                   : boost::asio::posix::descriptor_base::wait_write;
  // The handler owns a reference: Asio may destroy it without running it (descriptor
  // release at teardown), and the reference must go either way.
  descriptor_.async_wait(type, [ref = SocketRef(&owner), d](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    on_ready(static_cast<PosixSocket&>(*ref), d);
  });
  return true;
}

void ReadinessWaits::detach(bool /*remove_from_epoll*/) noexcept {
  // Asio's public API cannot leave the fd alone: release() always asks epoll to drop it.
  if (!descriptor_.is_open()) return;
  boost::system::error_code ec;
  descriptor_.cancel(ec);
  descriptor_.release();
}

#endif

}  // namespace wskport::detail::posix
