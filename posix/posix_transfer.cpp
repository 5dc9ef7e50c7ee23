// SPDX-License-Identifier: MIT
// POSIX transfers: send, receive, send_to, receive_from, graceful and abortive
// disconnect. Each perform_* makes non-blocking attempts with the IRP's cursor until
// the operation is done or the socket would block.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <climits>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "common/core/buffer_cursor.hpp"
#include "posix/posix_common.hpp"
#include "posix/posix_socket.hpp"

namespace wskport::detail::posix {

namespace {

// Enough descriptors per system call for MDL-chain sized stream transfers; more are
// taken on the next iteration.
constexpr std::size_t max_iov = 64;

// A datagram cannot be split across system calls, so send_to and receive_from pass every
// descriptor at once: the front end refuses more than max_datagram_buffers, which must
// fit one sendmsg/recvmsg.
#if defined(IOV_MAX)
static_assert(max_datagram_buffers <= IOV_MAX, "one datagram call must fit one iovec array");
#endif

bool would_block(int e) noexcept { return e == EAGAIN || e == EWOULDBLOCK; }

// glibc makes send(2) and recv(2) thread-cancellation points: in a process with more
// than one thread (every process with a provider) each call is bracketed by enabling
// and disabling asynchronous cancellation, which a profile of a 64-byte echo showed
// costing more than the wrapper itself. The library never cancels threads, so on Linux
// the transfer calls go to the kernel directly.
ssize_t plain_send(int fd, const void* data, std::size_t size, int flags) noexcept {
#if defined(__linux__)
  return ::syscall(SYS_sendto, fd, data, size, flags, nullptr, 0);
#else
  return ::send(fd, data, size, flags);
#endif
}

ssize_t plain_recv(int fd, void* data, std::size_t size, int flags) noexcept {
#if defined(__linux__)
  return ::syscall(SYS_recvfrom, fd, data, size, flags, nullptr, nullptr);
#else
  return ::recv(fd, data, size, flags);
#endif
}

// One system call's worth of transfer from the cursor: send(2)/recv(2) when a single
// buffer is left (every single-buffer call, so the common case), sendmsg/recvmsg with an
// iovec array otherwise. The plain calls skip building the message header and the array,
// which a profile of a 64-byte echo showed costing more than the rest of the attempt.
ssize_t send_some(int fd, const IrpOp& op, const ConstBuffer* buffers) noexcept {
  if (op.buffer_count - op.seg_index == 1) {
    const auto& b = buffers[op.seg_index];
    return plain_send(fd, static_cast<const char*>(b.data) + op.seg_offset, b.size - op.seg_offset,
                      MSG_NOSIGNAL);
  }
  iovec iov[max_iov];
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = static_cast<decltype(m.msg_iovlen)>(build_iov(op, buffers, iov, max_iov));
  return ::sendmsg(fd, &m, MSG_NOSIGNAL);
}

ssize_t receive_some(int fd, const IrpOp& op, const MutableBuffer* buffers) noexcept {
  if (op.buffer_count - op.seg_index == 1) {
    const auto& b = buffers[op.seg_index];
    return plain_recv(fd, static_cast<char*>(b.data) + op.seg_offset, b.size - op.seg_offset, 0);
  }
  iovec iov[max_iov];
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = static_cast<decltype(m.msg_iovlen)>(build_iov(op, buffers, iov, max_iov));
  return ::recvmsg(fd, &m, 0);
}

Attempt drain(PosixSocket& s) noexcept {
  char scratch[4096];
  for (;;) {
    const auto r = ::recv(s.fd, scratch, sizeof scratch, 0);
    if (r > 0) continue;
    if (r == 0) return Attempt::done(s.end_of_stream(0), 0);
    if (errno == EINTR) continue;
    if (would_block(errno)) return Attempt::wait();
    return Attempt::done(status_for_socket_errno(s, errno));
  }
}

// Winsock's zero-byte receive: wait until data or FIN is there, consume nothing.
Attempt probe(PosixSocket& s) noexcept {
  char byte = 0;
  for (;;) {
    const auto r = ::recv(s.fd, &byte, 1, MSG_PEEK);
    // End of stream on a connection already reported reset is that reset again.
    if (r >= 0) return Attempt::done(r == 0 ? s.lost : status::success, 0);
    if (errno == EINTR) continue;
    if (would_block(errno)) return Attempt::wait();
    return Attempt::done(status_for_socket_errno(s, errno));
  }
}

}  // namespace

Attempt perform_send(PosixSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  const ConstBuffer* buffers = op.buffers.send;
  if (op.buffer_count == 1 && op.done == 0) {
    // The common case, one buffer taken whole by the first call, without the cursor
    // (the loop below then has nothing left to do).
    const auto r = plain_send(s.fd, buffers->data, op.total, MSG_NOSIGNAL);
    if (r == static_cast<ssize_t>(op.total)) {
      op.done = op.total;
    } else if (r >= 0) {
      advance_cursor(op, buffers, static_cast<std::size_t>(r));  // partial: go on below
    } else if (would_block(errno)) {
      return Attempt::wait();
    } else if (errno != EINTR) {
      return Attempt::done(status_for_socket_errno(s, errno), 0);
    }
  }
  while (op.done < op.total) {
    const auto r = send_some(s.fd, op, buffers);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) return Attempt::wait();
      // Bytes already taken stay reported: the caller learns how far the stream got.
      return Attempt::done(status_for_socket_errno(s, errno), op.done);
    }
    advance_cursor(op, buffers, static_cast<std::size_t>(r));
  }
  if ((op.flags & send_flags::nodelay) != 0 && op.kind == OpKind::send) push_now(s);
  return Attempt::done(status::success, op.done);
}

Attempt perform_receive(PosixSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.flags == 0 && op.buffer_count == 1 && op.done == 0 && op.total != 0) {
    // The common case, one buffer and no flags, without the cursor: any data at all
    // completes the call.
    const auto r = plain_recv(s.fd, op.buffers.receive->data, op.total, 0);
    if (r > 0) {
      op.done = static_cast<std::size_t>(r);
      return Attempt::done(status::success, op.done);
    }
    // The peer's FIN, or a reset another call already reported (Linux reports it once,
    // then reads end of stream).
    if (r == 0) return Attempt::done(s.end_of_stream(0), 0);
    // An error is answered here, not by repeating the call below: Linux reports a
    // reset to one call only.
    if (would_block(errno)) return Attempt::wait();
    if (errno != EINTR) return Attempt::done(status_for_socket_errno(s, errno), 0);
  }
  if ((op.flags & receive_flags::drain) != 0) return drain(s);
  if (op.total == 0) return probe(s);
  const bool waitall = (op.flags & receive_flags::waitall) != 0;
  const MutableBuffer* buffers = op.buffers.receive;
  for (;;) {
    const auto r = receive_some(s.fd, op, buffers);
    if (r > 0) {
      advance_cursor(op, buffers, static_cast<std::size_t>(r));
      if (!waitall || op.done == op.total) return Attempt::done(status::success, op.done);
      continue;
    }
    // The peer's FIN (or a reset already reported). With WAITALL the partial data is
    // delivered, not lost; the reset then reaches the next receive.
    if (r == 0) return Attempt::done(s.end_of_stream(op.done), op.done);
    if (errno == EINTR) continue;
    if (would_block(errno)) return Attempt::wait();
    return Attempt::done(status_for_socket_errno(s, errno), op.done);
  }
}

namespace {

// One datagram with an iovec array of N entries (N >= op.buffer_count). Instantiated
// for max_iov, the usual case, and for max_datagram_buffers, whose 16 KiB array is on
// the stack only while a call with more than max_iov descriptors runs: no allocation.
template <std::size_t N>
Attempt send_datagram(PosixSocket& s, IrpOp& op) noexcept {
  const auto* remote = static_cast<const Address*>(op.in1);
  sockaddr_storage ss{};
  const auto len = remote->to_native(&ss, sizeof ss);
  if (len == 0) return Attempt::done(status::invalid_address);
  iovec iov[N];
  msghdr m{};
  m.msg_name = &ss;
  m.msg_namelen = static_cast<socklen_t>(len);
  m.msg_iov = iov;
  m.msg_iovlen = static_cast<decltype(m.msg_iovlen)>(build_iov(op, op.buffers.send, iov, N));
  for (;;) {
    const auto r = ::sendmsg(s.fd, &m, MSG_NOSIGNAL);
    if (r >= 0) return Attempt::done(status::success, static_cast<std::size_t>(r));
    if (errno == EINTR) continue;
    if (would_block(errno)) return Attempt::wait();
    return Attempt::done(status_for_socket_errno(s, errno));
  }
}

template <std::size_t N>
Attempt receive_datagram(PosixSocket& s, IrpOp& op) noexcept {
  iovec iov[N];
  sockaddr_storage from{};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = iov;
  m.msg_iovlen = static_cast<decltype(m.msg_iovlen)>(build_iov(op, op.buffers.receive, iov, N));
  for (;;) {
    const auto r = ::recvmsg(s.fd, &m, 0);
    if (r >= 0) {
      if (auto* remote = static_cast<Address*>(op.out1); remote != nullptr) {
        *remote = Address{};
        if (m.msg_namelen > 0) (void)Address::from_native(&from, m.msg_namelen, *remote);
      }
      const bool truncated = (m.msg_flags & MSG_TRUNC) != 0;
      if (auto* flags = static_cast<unsigned*>(op.out2); flags != nullptr) {
        *flags = (truncated ? datagram_flags::truncated : 0U) |
                 ((m.msg_flags & MSG_CTRUNC) != 0 ? datagram_flags::control_truncated : 0U);
      }
      return Attempt::done(truncated ? status::buffer_overflow : status::success,
                           static_cast<std::size_t>(r));
    }
    if (errno == EINTR) continue;
    if (would_block(errno)) return Attempt::wait();
    return Attempt::done(status_for_socket_errno(s, errno));
  }
}

}  // namespace

Attempt perform_send_to(PosixSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.buffer_count <= max_iov) return send_datagram<max_iov>(s, op);
  if (op.buffer_count <= max_datagram_buffers) return send_datagram<max_datagram_buffers>(s, op);
  return Attempt::done(status::invalid_parameter);  // the front end refuses these first
}

Attempt perform_receive_from(PosixSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.buffer_count <= max_iov) return receive_datagram<max_iov>(s, op);
  if (op.buffer_count <= max_datagram_buffers) {
    return receive_datagram<max_datagram_buffers>(s, op);
  }
  return Attempt::done(status::invalid_parameter);  // the front end refuses these first
}

Attempt perform_disconnect(PosixSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.done < op.total) {
    const Attempt a = perform_send(s, irp);
    if (a.blocked || !nt_success(a.status)) return a;
  }
  // Queued behind earlier sends, so every byte before the FIN is already taken.
  if (::shutdown(s.fd, SHUT_WR) != 0) return Attempt::done(status_for_socket_errno(s, errno));
  return Attempt::done(status::success, op.done);
}

void abort_connection(PosixSocket& s, IrpList& out) noexcept {
  // WSK: an abortive disconnect cancels in-progress and pending sends; receives fail
  // because the connection is gone.
  for (const Dir d : {Dir::write, Dir::read}) {
    auto& q = s.queue(d);
    Irp* irp = q.front();
    while (irp != nullptr) {
      Irp* next = IrpAccess::op(*irp).next;
      if (IrpAccess::disarm_cancel(*irp)) {
        q.remove(*irp);
        out.push(*irp, d == Dir::write ? status::cancelled : status::connection_aborted,
                 IrpAccess::op(*irp).done);
      }
      irp = next;
    }
  }
  // connect(AF_UNSPEC) makes Linux reset the connection (RST) while the fd, and so the
  // WSK socket, lives on until close.
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  ::connect(s.fd, &unspec, sizeof unspec);
  s.aborted = true;
}

}  // namespace wskport::detail::posix
