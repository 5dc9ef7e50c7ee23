// SPDX-License-Identifier: MIT
// io_uring transfers: send, receive, send_to, receive_from and graceful disconnect.
// Each family fills the request for the IRP's cursor (IORING_OP_SEND/RECV for one
// buffer left, SENDMSG/RECVMSG with the socket's iovec array otherwise) and reads the
// result as the epoll engine reads its system call's: a stream send goes on until every
// byte is taken, a receive completes with any data (WAITALL: when full), end of stream
// and errors follow the same rules (posix_transfer.cpp).
#include <cerrno>
#include <cstddef>

#include "common/core/buffer_cursor.hpp"
#include "posix/io_uring/uring_socket.hpp"
#include "posix/posix_common.hpp"

namespace wskport::detail::posix::uring {

namespace {

// Datagram calls hand the caller's descriptor array to the kernel as it is: the front
// end refuses more than max_datagram_buffers (the kernel's UIO_MAXIOV), and a datagram
// has no cursor to apply.
static_assert(sizeof(ConstBuffer) == sizeof(iovec) && sizeof(MutableBuffer) == sizeof(iovec));
static_assert(offsetof(ConstBuffer, data) == offsetof(iovec, iov_base) &&
              offsetof(ConstBuffer, size) == offsetof(iovec, iov_len));
static_assert(offsetof(MutableBuffer, data) == offsetof(iovec, iov_base) &&
              offsetof(MutableBuffer, size) == offsetof(iovec, iov_len));
static_assert(max_datagram_buffers <= 1024, "one datagram request must fit UIO_MAXIOV");

// Where a drain's data and a zero-byte receive's peek go: never read, so every socket
// may share it.
char discard[4096];

template <class B>
iovec* as_iovec(const B* buffers) noexcept {
  return reinterpret_cast<iovec*>(const_cast<B*>(buffers));
}

bool retry(int res) noexcept { return res == -EINTR || res == -EAGAIN; }

void tag(io_uring_sqe* sqe, Irp& irp) noexcept {
  io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(&irp));
}

// One stream request from the cursor.
template <class B>
void prep_stream(UringSocket& s, Irp& irp, const B* buffers, bool sending) noexcept {
  auto& op = IrpAccess::op(irp);
  io_uring_sqe* sqe = sqe_for(s);
  if (op.buffer_count - op.seg_index == 1) {
    const auto& b = buffers[op.seg_index];
    auto* data = const_cast<char*>(static_cast<const char*>(b.data)) + op.seg_offset;
    const std::size_t size = b.size - op.seg_offset;
    if (sending) {
      io_uring_prep_send(sqe, s.fd, data, size, MSG_NOSIGNAL);
    } else {
      io_uring_prep_recv(sqe, s.fd, data, size, 0);
    }
  } else {
    auto& n = s.native[static_cast<int>(sending ? Dir::write : Dir::read)];
    n.msg = msghdr{};
    n.msg.msg_iov = n.iov;
    n.msg.msg_iovlen =
        static_cast<decltype(n.msg.msg_iovlen)>(build_iov(op, buffers, n.iov, max_iov));
    if (sending) {
      io_uring_prep_sendmsg(sqe, s.fd, &n.msg, MSG_NOSIGNAL);
    } else {
      io_uring_prep_recvmsg(sqe, s.fd, &n.msg, 0);
    }
  }
  tag(sqe, irp);
}

// ---- send ----

Step send_finished(UringSocket& s, IrpOp& op) noexcept {
  if ((op.flags & send_flags::nodelay) != 0 && op.kind == OpKind::send) push_now(s);
  return Step::finished(status::success, op.done);
}

Step issue_send(UringSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.done >= op.total) return send_finished(s, op);
  prep_stream(s, irp, op.buffers.send, true);
  return Step::sent();
}

Step send_result(UringSocket& s, Irp& irp, int res) noexcept {
  auto& op = IrpAccess::op(irp);
  if (res >= 0) {
    advance_cursor(op, op.buffers.send, static_cast<std::size_t>(res));
    return op.done < op.total ? Step::resubmit() : send_finished(s, op);
  }
  if (retry(res)) return Step::resubmit();
  // Bytes already taken stay reported: the caller learns how far the stream got.
  return Step::finished(status_for_socket_errno(s, -res), op.done);
}

// ---- receive ----

Step issue_receive(UringSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if ((op.flags & receive_flags::drain) != 0) {
    io_uring_sqe* sqe = sqe_for(s);
    io_uring_prep_recv(sqe, s.fd, discard, sizeof discard, 0);
    tag(sqe, irp);
  } else if (op.total == 0) {
    // Winsock's zero-byte receive: wait until data or FIN is there, consume nothing.
    io_uring_sqe* sqe = sqe_for(s);
    io_uring_prep_recv(sqe, s.fd, discard, 1, MSG_PEEK);
    tag(sqe, irp);
  } else {
    prep_stream(s, irp, op.buffers.receive, false);
  }
  return Step::sent();
}

Step receive_result(UringSocket& s, Irp& irp, int res) noexcept {
  auto& op = IrpAccess::op(irp);
  if (res < 0) {
    if (retry(res)) return Step::resubmit();
    return Step::finished(status_for_socket_errno(s, -res), op.done);
  }
  if ((op.flags & receive_flags::drain) != 0) {
    return res > 0 ? Step::resubmit() : Step::finished(s.end_of_stream(0), 0);
  }
  // End of stream on a connection already reported reset is that reset again.
  if (op.total == 0) return Step::finished(res == 0 ? s.lost : status::success, 0);
  // The peer's FIN (or a reset already reported). With WAITALL the partial data is
  // delivered, not lost; the reset then reaches the next receive.
  if (res == 0) return Step::finished(s.end_of_stream(op.done), op.done);
  advance_cursor(op, op.buffers.receive, static_cast<std::size_t>(res));
  if ((op.flags & receive_flags::waitall) != 0 && op.done < op.total) return Step::resubmit();
  return Step::finished(status::success, op.done);
}

// ---- datagrams ----

Step issue_send_to(UringSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  auto& n = s.native[static_cast<int>(Dir::write)];
  const auto len = static_cast<const Address*>(op.in1)->to_native(&n.addr, sizeof n.addr);
  if (len == 0) return Step::finished(status::invalid_address);
  n.msg = msghdr{};
  n.msg.msg_name = &n.addr;
  n.msg.msg_namelen = static_cast<socklen_t>(len);
  n.msg.msg_iov = as_iovec(op.buffers.send);
  n.msg.msg_iovlen = op.buffer_count;
  io_uring_sqe* sqe = sqe_for(s);
  io_uring_prep_sendmsg(sqe, s.fd, &n.msg, MSG_NOSIGNAL);
  tag(sqe, irp);
  return Step::sent();
}

Step send_to_result(UringSocket& s, Irp& /*irp*/, int res) noexcept {
  if (res >= 0) return Step::finished(status::success, static_cast<std::size_t>(res));
  if (retry(res)) return Step::resubmit();
  return Step::finished(status_for_socket_errno(s, -res));
}

Step issue_receive_from(UringSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  auto& n = s.native[static_cast<int>(Dir::read)];
  n.msg = msghdr{};
  n.msg.msg_name = &n.addr;
  n.msg.msg_namelen = sizeof n.addr;
  n.msg.msg_iov = as_iovec(op.buffers.receive);
  n.msg.msg_iovlen = op.buffer_count;
  io_uring_sqe* sqe = sqe_for(s);
  io_uring_prep_recvmsg(sqe, s.fd, &n.msg, 0);
  tag(sqe, irp);
  return Step::sent();
}

Step receive_from_result(UringSocket& s, Irp& irp, int res) noexcept {
  if (res < 0) {
    if (retry(res)) return Step::resubmit();
    return Step::finished(status_for_socket_errno(s, -res));
  }
  auto& op = IrpAccess::op(irp);
  const auto& n = s.native[static_cast<int>(Dir::read)];
  if (auto* remote = static_cast<Address*>(op.out1); remote != nullptr) {
    *remote = Address{};
    if (n.msg.msg_namelen > 0) (void)Address::from_native(&n.addr, n.msg.msg_namelen, *remote);
  }
  const bool truncated = (n.msg.msg_flags & MSG_TRUNC) != 0;
  if (auto* flags = static_cast<unsigned*>(op.out2); flags != nullptr) {
    *flags = (truncated ? datagram_flags::truncated : 0U) |
             ((n.msg.msg_flags & MSG_CTRUNC) != 0 ? datagram_flags::control_truncated : 0U);
  }
  return Step::finished(truncated ? status::buffer_overflow : status::success,
                        static_cast<std::size_t>(res));
}

// ---- graceful disconnect: the final data, then IORING_OP_SHUTDOWN ----

Step issue_disconnect(UringSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.done < op.total) {
    prep_stream(s, irp, op.buffers.send, true);
    return Step::sent();
  }
  // Queued behind earlier sends, so every byte before the FIN is already taken.
  io_uring_sqe* sqe = sqe_for(s);
  io_uring_prep_shutdown(sqe, s.fd, SHUT_WR);
  tag(sqe, irp);
  scratch(irp).stage2 = true;
  return Step::sent();
}

Step disconnect_result(UringSocket& s, Irp& irp, int res) noexcept {
  auto& op = IrpAccess::op(irp);
  if (!scratch(irp).stage2) {
    const Step st = send_result(s, irp, res);
    // All data taken: the shutdown comes next.
    return st.kind == Step::done && nt_success(st.status) ? Step::resubmit() : st;
  }
  if (res < 0) return Step::finished(status_for_socket_errno(s, -res));
  return Step::finished(status::success, op.done);
}

}  // namespace

const OpSpec& send_spec() noexcept {
  static const OpSpec spec{Dir::write, &issue_send, &send_result};
  return spec;
}
const OpSpec& receive_spec() noexcept {
  static const OpSpec spec{Dir::read, &issue_receive, &receive_result};
  return spec;
}
const OpSpec& send_to_spec() noexcept {
  static const OpSpec spec{Dir::write, &issue_send_to, &send_to_result};
  return spec;
}
const OpSpec& receive_from_spec() noexcept {
  static const OpSpec spec{Dir::read, &issue_receive_from, &receive_from_result};
  return spec;
}
const OpSpec& disconnect_spec() noexcept {
  static const OpSpec spec{Dir::write, &issue_disconnect, &disconnect_result};
  return spec;
}

}  // namespace wskport::detail::posix::uring
