// SPDX-License-Identifier: MIT
// Winsock transfers: send, receive, send_to, receive_from, graceful and abortive
// disconnect. Each start_* issues one overlapped call from the IRP's cursor; each
// finish_* reads its completion and either ends the operation or issues the next call
// (the rest of a send, the rest of a WAITALL receive, more bytes to DRAIN).
#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <new>

#include "common/core/buffer_cursor.hpp"
#include "wsk_shim/winsock_socket.hpp"

namespace wskport::detail::winsock {

namespace {

// WSABUF lengths are ULONG: a larger descriptor goes in pieces.
constexpr std::size_t max_wsabuf_length = ULONG_MAX;

// Fills @p out (room for @p capacity) from the IRP's cursor. Returns how many are used.
template <class B>
DWORD build_wsabufs(WSABUF* out, std::size_t capacity, const IrpOp& op, const B* buffers) noexcept {
  DWORD n = 0;
  std::size_t index = op.seg_index;
  std::size_t offset = op.seg_offset;
  while (index < op.buffer_count && n < capacity) {
    const auto& b = buffers[index];
    if (b.size > offset) {
      const std::size_t length = std::min(b.size - offset, max_wsabuf_length);
      // WSABUF has no const member; sends only read.
      out[n].buf = const_cast<char*>(static_cast<const char*>(b.data)) + offset;
      out[n].len = static_cast<ULONG>(length);
      ++n;
      if (offset + length < b.size) break;  // the rest of this descriptor goes next time
    }
    ++index;
    offset = 0;
  }
  return n;
}

// The channel's WSABUF array, for calls that take the cursor in pieces.
template <class B>
DWORD build_wsabufs(Channel& ch, const IrpOp& op, const B* buffers) noexcept {
  return build_wsabufs(ch.wsabufs.data(), ch.wsabufs.size(), op, buffers);
}

// A datagram cannot be split across calls, so send_to and receive_from pass every
// descriptor at once: the channel's array up to max_wsabufs, else (up to
// max_datagram_buffers, the front end refuses more) an array on the stack, which Winsock
// allows because an overlapped call captures its WSABUF array before it returns. No
// allocation either way.
using LongWsabufs = std::array<WSABUF, max_datagram_buffers>;

// WSK_FLAG_NODELAY asks for this send to go out now: a socket without TCP_NODELAY gets
// a brief toggle, which pushes queued segments (the POSIX backend does the same).
void push_now(WinSocket& s) noexcept {
  if (s.no_delay || s.handle == INVALID_SOCKET) return;
  DWORD v = 1;
  ::setsockopt(s.handle, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&v),
               static_cast<int>(sizeof v));
  v = 0;
  ::setsockopt(s.handle, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&v),
               static_cast<int>(sizeof v));
}

// One WSASend of what is left of the IRP's buffers.
Step issue_send(WinSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  Channel& ch = s.channel(Dir::write);
  const DWORD count = build_wsabufs(ch, op, op.buffers.send);
  return issue(s, irp, Dir::write, [&](OVERLAPPED* ov) {
    if (::WSASend(s.handle, ch.wsabufs.data(), count, nullptr, 0, ov, nullptr) == 0)
      return completed_now;
    return pending_or_error();
  });
}

// One WSARecv. DRAIN reads into scratch; a zero-length receive passes one empty buffer,
// which Winsock completes when data (or the peer's FIN) is there, consuming nothing.
Step issue_receive(WinSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  Channel& ch = s.channel(Dir::read);
  DWORD count = 0;
  if ((op.flags & receive_flags::drain) != 0) {
    constexpr ULONG scratch_size = 4096;
    if (!ch.scratch) ch.scratch.reset(new (std::nothrow) char[scratch_size]);
    if (!ch.scratch) return Step::done(status::insufficient_resources);
    ch.wsabufs[0].buf = ch.scratch.get();
    ch.wsabufs[0].len = scratch_size;
    count = 1;
  } else if (op.total == 0) {
    static char nothing = 0;
    ch.wsabufs[0].buf = &nothing;
    ch.wsabufs[0].len = 0;
    count = 1;
  } else {
    count = build_wsabufs(ch, op, op.buffers.receive);
  }
  return issue(s, irp, Dir::read, [&](OVERLAPPED* ov) {
    ch.flags = 0;
    if (::WSARecv(s.handle, ch.wsabufs.data(), count, nullptr, &ch.flags, ov, nullptr) == 0) {
      return completed_now;
    }
    return pending_or_error();
  });
}

}  // namespace

// ---- send ------------------------------------------------------------------------------

Step start_send(WinSocket& s, Irp& irp) noexcept { return issue_send(s, irp); }

Step finish_send(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept {
  auto& op = IrpAccess::op(irp);
  if (error != 0) {
    // Bytes already taken stay reported: the caller learns how far the stream got.
    return Step::done(completion_status(s, Dir::write, error), op.done + bytes);
  }
  advance_cursor(op, op.buffers.send, bytes);
  if (op.done < op.total) return continue_step(s, irp);
  if ((op.flags & send_flags::nodelay) != 0 && op.kind == OpKind::send) push_now(s);
  return Step::done(status::success, op.done);
}

// ---- receive ---------------------------------------------------------------------------

Step start_receive(WinSocket& s, Irp& irp) noexcept { return issue_receive(s, irp); }

Step finish_receive(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept {
  auto& op = IrpAccess::op(irp);
  const bool drain = (op.flags & receive_flags::drain) != 0;
  if (error != 0) {
    return Step::done(completion_status(s, Dir::read, error), drain ? 0 : op.done + bytes);
  }
  if (drain) {
    if (bytes == 0) return Step::done(s.end_of_stream(0), 0);
    return continue_step(s, irp);  // discard and read on, until the peer's FIN
  }
  // Readiness only; end of stream on a connection already reported reset is that
  // reset again (s.lost is success while the connection is intact).
  if (op.total == 0) return Step::done(s.lost, 0);
  // The peer's FIN, or a reset another call reported (Wine, like Linux, reports it
  // once). With WAITALL the partial data is delivered, not lost; the reset then reaches
  // the next receive.
  if (bytes == 0) return Step::done(s.end_of_stream(op.done), op.done);
  advance_cursor(op, op.buffers.receive, bytes);
  if ((op.flags & receive_flags::waitall) != 0 && op.done < op.total) {
    return continue_step(s, irp);
  }
  return Step::done(status::success, op.done);
}

// ---- send_to ---------------------------------------------------------------------------

namespace {

Step send_datagram(WinSocket& s, Irp& irp, WSABUF* wsabufs, std::size_t capacity) noexcept {
  auto& op = IrpAccess::op(irp);
  Channel& ch = s.channel(Dir::write);
  // A datagram larger than the transport takes is refused here rather than by
  // WSASendTo, whose WSAEMSGSIZE comes with a completion packet under Wine and possibly
  // without one on Windows.
  if (op.total > s.max_datagram) return Step::done(status::invalid_buffer_size);
  DWORD count = build_wsabufs(wsabufs, capacity, op, op.buffers.send);
  std::size_t described = 0;
  for (DWORD i = 0; i < count; ++i) described += wsabufs[i].len;
  if (described < op.total) return Step::done(status::invalid_buffer_size);
  if (count == 0) {
    static char nothing = 0;  // an empty datagram still needs one descriptor
    wsabufs[0].buf = &nothing;
    wsabufs[0].len = 0;
    count = 1;
  }
  const auto* remote = static_cast<const Address*>(op.in1);
  const std::size_t length = remote->to_native(&ch.address, sizeof ch.address);
  if (length == 0) return Step::done(status::invalid_address);
  ch.address_length = static_cast<int>(length);
  return issue(s, irp, Dir::write, [&](OVERLAPPED* ov) {
    if (::WSASendTo(s.handle, wsabufs, count, nullptr, 0,
                    reinterpret_cast<const sockaddr*>(&ch.address), ch.address_length, ov,
                    nullptr) == 0) {
      return completed_now;
    }
    const int e = ::WSAGetLastError();
    // A warning, not an error: NT queues the packet (observed under Wine).
    return e == WSA_IO_PENDING || e == WSAEMSGSIZE ? 0 : e;
  });
}

Step receive_datagram(WinSocket& s, Irp& irp, WSABUF* wsabufs, std::size_t capacity) noexcept {
  auto& op = IrpAccess::op(irp);
  Channel& ch = s.channel(Dir::read);
  DWORD count = build_wsabufs(wsabufs, capacity, op, op.buffers.receive);
  if (count == 0) {
    static char nothing = 0;
    wsabufs[0].buf = &nothing;
    wsabufs[0].len = 0;
    count = 1;
  }
  return issue(s, irp, Dir::read, [&](OVERLAPPED* ov) {
    ch.flags = 0;
    ch.address_length = static_cast<int>(sizeof ch.address);
    if (::WSARecvFrom(s.handle, wsabufs, count, nullptr, &ch.flags,
                      reinterpret_cast<sockaddr*>(&ch.address), &ch.address_length, ov,
                      nullptr) == 0) {
      return completed_now;
    }
    const int e = ::WSAGetLastError();
    // A truncated datagram (STATUS_BUFFER_OVERFLOW) is a warning: its packet follows
    // with ERROR_MORE_DATA and the bytes placed, on Windows as under Wine.
    return e == WSA_IO_PENDING || e == WSAEMSGSIZE ? 0 : e;
  });
}

// Calls @p issue_with(array, capacity) with the stack array, in a function of its own so
// that the usual path need not carry its 16 KiB frame (nor Windows' stack probe).
template <class IssueWith>
Step with_long_wsabufs(IssueWith& issue_with) noexcept {
  LongWsabufs wsabufs;
  return issue_with(wsabufs.data(), wsabufs.size());
}

// Calls @p issue_with with a WSABUF array that holds every descriptor of the datagram.
template <class IssueWith>
Step with_datagram_wsabufs(WinSocket& s, Irp& irp, Dir d, IssueWith issue_with) noexcept {
  const std::size_t count = IrpAccess::op(irp).buffer_count;
  if (count > max_datagram_buffers) return Step::done(status::invalid_parameter);  // refused first
  if (count > max_wsabufs) return with_long_wsabufs(issue_with);
  Channel& ch = s.channel(d);
  return issue_with(ch.wsabufs.data(), ch.wsabufs.size());
}

}  // namespace

Step start_send_to(WinSocket& s, Irp& irp) noexcept {
  return with_datagram_wsabufs(s, irp, Dir::write, [&](WSABUF* wsabufs, std::size_t capacity) {
    return send_datagram(s, irp, wsabufs, capacity);
  });
}

Step finish_send_to(WinSocket& s, Irp& /*irp*/, int error, std::size_t bytes) noexcept {
  if (error == ERROR_MORE_DATA || error == WSAEMSGSIZE) {
    return Step::done(status::invalid_buffer_size);
  }
  if (error != 0) return Step::done(completion_status(s, Dir::write, error));
  return Step::done(status::success, bytes);
}

// ---- receive_from ----------------------------------------------------------------------

Step start_receive_from(WinSocket& s, Irp& irp) noexcept {
  return with_datagram_wsabufs(s, irp, Dir::read, [&](WSABUF* wsabufs, std::size_t capacity) {
    return receive_datagram(s, irp, wsabufs, capacity);
  });
}

Step finish_receive_from(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept {
  auto& op = IrpAccess::op(irp);
  Channel& ch = s.channel(Dir::read);
  const bool truncated = error == ERROR_MORE_DATA || error == WSAEMSGSIZE;
  if (error != 0 && !truncated) return Step::done(completion_status(s, Dir::read, error));
  if (auto* remote = static_cast<Address*>(op.out1); remote != nullptr) {
    *remote = Address{};
    if (ch.address_length > 0) {
      (void)Address::from_native(&ch.address, static_cast<std::size_t>(ch.address_length), *remote);
    }
  }
  if (auto* flags = static_cast<unsigned*>(op.out2); flags != nullptr) {
    *flags = truncated ? datagram_flags::truncated : 0U;
  }
  return Step::done(truncated ? status::buffer_overflow : status::success, bytes);
}

// ---- disconnect ------------------------------------------------------------------------

Step start_disconnect(WinSocket& s, Irp& irp) noexcept {
  auto& op = IrpAccess::op(irp);
  if (op.done < op.total) return issue_send(s, irp);  // the final data first
  // Queued behind earlier sends, so every byte before the FIN is already taken.
  if (::shutdown(s.handle, SD_SEND) != 0) {
    return Step::done(status_for_error(s, ::WSAGetLastError()), op.done);
  }
  return Step::done(status::success, op.done);
}

Step finish_disconnect(WinSocket& s, Irp& irp, int error, std::size_t bytes) noexcept {
  auto& op = IrpAccess::op(irp);
  if (error != 0) return Step::done(completion_status(s, Dir::write, error), op.done + bytes);
  advance_cursor(op, op.buffers.send, bytes);
  return continue_step(s, irp);  // the rest of the final data, or the FIN
}

void abort_connection(WinSocket& s, IrpList& out) noexcept {
  // WSK: an abortive disconnect cancels in-progress and pending sends; receives fail
  // because the connection is gone.
  fail_waiting(s, Dir::write, status::cancelled, out);
  fail_waiting(s, Dir::read, status::connection_aborted, out);
  // Winsock can reset a connection only by closing it with SO_LINGER {1, 0}, so the
  // WSK socket outlives its handle from here on: keep what local_address and
  // remote_address still answer.
  if (s.handle != INVALID_SOCKET) {
    sockaddr_storage ss{};
    int len = static_cast<int>(sizeof ss);
    if (::getsockname(s.handle, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      s.have_cached_local =
          nt_success(Address::from_native(&ss, static_cast<std::size_t>(len), s.cached_local));
    }
    len = static_cast<int>(sizeof ss);
    if (::getpeername(s.handle, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      s.have_cached_remote =
          nt_success(Address::from_native(&ss, static_cast<std::size_t>(len), s.cached_remote));
    }
  }
  // Calls in flight end with the same statuses as the waiting ones.
  close_native(s, /*abortive=*/true, status::connection_aborted, status::cancelled);
  s.aborted = true;
}

}  // namespace wskport::detail::winsock
