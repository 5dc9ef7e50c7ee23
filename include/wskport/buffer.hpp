// SPDX-License-Identifier: MIT
/// @file buffer.hpp
/// @brief Scatter/gather buffer descriptors (the WSABUF / iovec / MDL-chain role).
///
/// A call takes a span of descriptors; the descriptors *and* the memory they point to
/// must stay valid until the IRP completes (WSK's rule for locked MDL chains).
#pragma once

#include <cstddef>
#include <span>

namespace wskport {

/// Memory the library reads from (send).
struct ConstBuffer {
  const void* data = nullptr;
  std::size_t size = 0;
};

/// Memory the library writes to (receive).
struct MutableBuffer {
  void* data = nullptr;
  std::size_t size = 0;
};

/// Total bytes described by @p buffers.
template <class B>
[[nodiscard]] constexpr std::size_t total_size(std::span<const B> buffers) noexcept {
  std::size_t n = 0;
  for (const auto& b : buffers) n += b.size;
  return n;
}

/// The most buffer descriptors one datagram call (send_to, receive_from, and the km
/// WskSendTo / WskReceiveFrom / WskSendMessages MDL chains) takes, on every platform and
/// engine: Linux's IOV_MAX, and the same on Windows so that engines agree. A datagram
/// goes out or comes in whole in one native call whatever its count up to this; a call
/// with more descriptors completes with `STATUS_INVALID_PARAMETER` before anything is
/// sent or received. Stream calls have no such limit (a send takes every byte before it
/// completes; a receive may fill fewer buffers than it has).
inline constexpr std::size_t max_datagram_buffers = 1024;

/// Send flags (WSK values).
namespace send_flags {
inline constexpr unsigned nodelay =
    0x2;  ///< WSK_FLAG_NODELAY: push now (TCP_NODELAY for this send)
}
/// Receive flags (WSK values).
namespace receive_flags {
inline constexpr unsigned waitall = 0x2;  ///< WSK_FLAG_WAITALL: complete only when full
inline constexpr unsigned drain = 0x4;    ///< WSK_FLAG_DRAIN: discard until disconnect
}  // namespace receive_flags
/// Disconnect flags (WSK values).
namespace disconnect_flags {
inline constexpr unsigned abortive = 0x1;  ///< WSK_FLAG_ABORTIVE: reset, not FIN
}
/// Control flags reported by receive_from (Windows MSG_* values).
namespace datagram_flags {
inline constexpr unsigned truncated = 0x0100;          ///< MSG_TRUNC
inline constexpr unsigned control_truncated = 0x0200;  ///< MSG_CTRUNC
}  // namespace datagram_flags

}  // namespace wskport
