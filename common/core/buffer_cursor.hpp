// SPDX-License-Identifier: MIT
// The IRP's cursor over its buffer descriptors (op.seg_index / op.seg_offset), moved
// forward by what a native call transferred. Shared by the backends: both turn the
// descriptors into their platform's array (iovec, WSABUF) from the same cursor.
#pragma once

#include <cstddef>

#include "common/core/completion.hpp"

namespace wskport::detail {

/// Records @p n more bytes moved (op.done) and steps the cursor past them.
template <class B>
void advance_cursor(IrpOp& op, const B* buffers, std::size_t n) noexcept {
  op.done += n;
  while (op.seg_index < op.buffer_count) {
    const std::size_t left = buffers[op.seg_index].size - op.seg_offset;
    if (n < left) {
      op.seg_offset += n;
      return;
    }
    n -= left;
    ++op.seg_index;
    op.seg_offset = 0;
  }
}

}  // namespace wskport::detail
