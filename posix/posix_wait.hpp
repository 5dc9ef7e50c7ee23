// SPDX-License-Identifier: MIT
// Readiness waits of one POSIX socket on the provider's reactor: one wait per direction,
// at most one in flight each.
//
// Two implementations, chosen at compile time:
// - Direct (Boost 1.66 to 1.83 with the epoll reactor, the default there): each socket
//   registers its fd with Asio's reactor itself and owns its two wait operations, so a
//   wait allocates nothing and holds the socket with one reference. A wait is started
//   "speculatively": the reactor keeps, per direction, a flag that an edge came since
//   the last wait fired, and a wait started while it is set completes at once. An
//   EAGAIN followed by arm() therefore cannot lose readiness that came in between, and
//   the wait needs no epoll_ctl: the fd stays registered edge-triggered for input
//   from the start (output from the first write wait on).
// - Portable (any other Boost, or WSKPORT_POSIX_PORTABLE_WAITS): Asio's public
//   posix::stream_descriptor::async_wait. That wait is never speculative, so a caller
//   retries its operation once after arming (arm() returns true).
#pragma once

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/version.hpp>

#if !defined(WSKPORT_POSIX_PORTABLE_WAITS) && defined(BOOST_ASIO_HAS_EPOLL) && \
    !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) && BOOST_VERSION >= 106600 && \
    BOOST_VERSION < 108400
#define WSKPORT_POSIX_DIRECT_WAITS 1
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#else
#define WSKPORT_POSIX_DIRECT_WAITS 0
#include <boost/asio/posix/stream_descriptor.hpp>
#endif

namespace wskport::detail::posix {

class PosixSocket;

enum class Dir : int { read = 0, write = 1 };

#if WSKPORT_POSIX_DIRECT_WAITS
using Reactor = boost::asio::detail::reactor;
#else
using Reactor = boost::asio::io_context;
#endif

/// The reactor of @p io, started as the io_context's task (once per provider).
Reactor& reactor_of(boost::asio::io_context& io);

/// Called on a provider thread when the wait of @p d fired (posix_backend.cpp).
void on_ready(PosixSocket& s, Dir d) noexcept;

class ReadinessWaits {
 public:
  explicit ReadinessWaits(Reactor& reactor) noexcept;
  ReadinessWaits(const ReadinessWaits&) = delete;
  ReadinessWaits& operator=(const ReadinessWaits&) = delete;
  ~ReadinessWaits();

  [[nodiscard]] Reactor& reactor() const noexcept { return reactor_; }

  /// Registers @p fd with the reactor. Returns 0 or an errno.
  int attach(int fd) noexcept;

  /// Starts the wait of @p d for @p owner (none of @p d in flight; owner's mutex held).
  /// The wait holds a reference to @p owner until it fired, was cancelled or destroyed;
  /// when it fires, on_ready(owner, d) runs on a provider thread. @p speculative false:
  /// the wait ignores edges that came before it (a connect in progress, whose socket has
  /// been writable all along). Returns true when readiness that came before the call may
  /// be missed, so the caller must try its operation once more.
  bool arm(PosixSocket& owner, Dir d, bool speculative) noexcept;

  /// Ends the registration: waits in flight complete as aborted (dropping their
  /// references) and nothing can be armed again. @p remove_from_epoll: ask epoll to drop
  /// the fd, because a duplicate of it may outlive the close (the fd was handed out).
  /// Otherwise the close that follows drops it, or the fd is already gone (its number
  /// may name another file now) and must not be touched.
  void detach(bool remove_from_epoll) noexcept;

 private:
  Reactor& reactor_;
#if WSKPORT_POSIX_DIRECT_WAITS
  class WaitOp final : public boost::asio::detail::reactor_op {
   public:
    WaitOp() noexcept;
    PosixSocket* owner = nullptr;
    Dir dir = Dir::read;

   private:
    static status perform(boost::asio::detail::reactor_op* base);
    static void complete(void* owner, boost::asio::detail::operation* base,
                         const boost::system::error_code& ec, std::size_t bytes);
  };
  int fd_ = -1;
  Reactor::per_descriptor_data data_{};
  WaitOp ops_[2];
#else
  using Descriptor =
      boost::asio::posix::basic_stream_descriptor<boost::asio::io_context::executor_type>;
  Descriptor descriptor_;
#endif
};

}  // namespace wskport::detail::posix
