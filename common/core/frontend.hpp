// SPDX-License-Identifier: MIT
// Checks shared by the front-end files: which operations a WSK category has, whether
// a socket can take a call at all, and buffer validation. Answers here are the
// library's own (state errors), so they never depend on the platform.
#pragma once

#include <cstddef>
#include <limits>
#include <type_traits>

#include "common/core/completion.hpp"
#include "common/core/provider_core.hpp"
#include "common/core/socket_impl.hpp"
#include "common/core/verifier.hpp"

namespace wskport::detail {

/// Whether a socket of @p category has operation @p kind (the WSK dispatch tables).
constexpr bool category_has(Category category, OpKind kind) noexcept {
  const bool connection_like = category == Category::connection || category == Category::stream;
  switch (kind) {
    case OpKind::bind:
    case OpKind::query_address:
      return category != Category::basic;
    case OpKind::listen:
      return category == Category::stream;
    case OpKind::accept:
      return category == Category::listen || category == Category::stream;
    case OpKind::connect:
    case OpKind::send:
    case OpKind::receive:
    case OpKind::disconnect:
      return connection_like;
    case OpKind::send_to:
    case OpKind::receive_from:
      return category == Category::datagram;
    case OpKind::control:
    case OpKind::close:
    case OpKind::create:
    case OpKind::none:
      return true;
  }
  return false;
}

/// Whether the socket can take a call (s.mutex held): a closing socket's handle is
/// already stale; a forced-closed one answers file_forced_closed until it is closed.
inline NTSTATUS usable(const SocketImpl& s) noexcept {
  if (s.closing) return status::invalid_handle;
  if (s.forced) return status::file_forced_closed;
  return status::success;
}

/// Validates a caller's buffer descriptors, copies a single one into the IRP, and
/// points the IRP's op block at them. Returns success or invalid_parameter.
template <class B>
NTSTATUS attach_buffers(Irp& irp, const BufferArgs<B>& args) noexcept {
  auto& op = IrpAccess::op(irp);
  const B* array = args.array;
  std::size_t count = args.count;
  if (args.single != nullptr) {
    if constexpr (std::is_same_v<B, ConstBuffer>) {
      op.single_send = *args.single;
      array = &op.single_send;
    } else {
      op.single_receive = *args.single;
      array = &op.single_receive;
    }
    count = 1;
  }
  if (count != 0 && array == nullptr) return status::invalid_parameter;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (array[i].data == nullptr && array[i].size != 0) return status::invalid_parameter;
    if (array[i].size > std::numeric_limits<std::size_t>::max() - total) {
      return status::invalid_parameter;
    }
    total += array[i].size;
  }
  if constexpr (std::is_same_v<B, ConstBuffer>) {
    op.buffers.send = array;
  } else {
    op.buffers.receive = array;
  }
  op.buffer_count = count;
  op.total = total;
  return status::success;
}

/// The socket for @p id, or null after completing @p call with invalid_handle.
inline SocketRef find_or_fail(ProviderCore& core, Call& call, std::uintptr_t id,
                              NTSTATUS& result) noexcept {
  SocketRef s = core.table().find(id);
  if (verifier::on(verifier::check::usage)) verifier::check_socket_call(call.irp(), id, s.get());
  if (!s) result = call.complete(status::invalid_handle);
  return s;
}

}  // namespace wskport::detail
