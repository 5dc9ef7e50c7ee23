// SPDX-License-Identifier: MIT
// WSK_BUF over MDL chains (see wsk_buf.hpp).
#include <cstring>

#include "common/km/wsk_buf.hpp"

namespace wskport::km {

namespace {
constexpr std::size_t max_chain = 65536;  // the longest chain taken
}

NTSTATUS wsk_buf_to_buffers(const WSK_BUF& buf, MutableBuffer* out, std::size_t capacity,
                            std::size_t* count) noexcept {
  if (count == nullptr) return STATUS_INVALID_PARAMETER;
  *count = 0;
  if (buf.Length == 0) return STATUS_SUCCESS;
  PMDL mdl = buf.Mdl;
  if (mdl == nullptr || buf.Offset >= mdl->ByteCount) return STATUS_INVALID_PARAMETER;
  // First pass: count and validate without writing, so a short capacity changes nothing.
  // A chain that comes back to an MDL would repeat its bytes (a send sends them twice, a
  // receive writes round the loop), so cycles are refused: Floyd's hare runs two MDLs
  // per step ahead of the walk and meets it at step i >= 1 exactly when MDL i is in a
  // cycle whose length divides i, which happens no later than the first MDL the walk
  // would visit twice. Only the MDLs the walk needs are checked, no memory is allocated,
  // and a chain longer than max_chain is refused as before.
  std::size_t left = buf.Length;
  std::size_t skip = buf.Offset;
  std::size_t n = 0;
  std::size_t visited = 0;
  PMDL hare = mdl;
  for (PMDL m = mdl; left != 0; m = m->Next) {
    if (m == nullptr || visited++ == max_chain) return STATUS_INVALID_PARAMETER;
    if (visited > 1 && m == hare) return STATUS_INVALID_PARAMETER;  // a cycle
    for (int step = 0; step < 2 && hare != nullptr; ++step) hare = hare->Next;
    const std::size_t avail = m->ByteCount - skip;
    if (avail != 0) ++n;
    left -= avail < left ? avail : left;
    skip = 0;
  }
  *count = n;
  if (n > capacity) return STATUS_BUFFER_TOO_SMALL;
  left = buf.Length;
  skip = buf.Offset;
  std::size_t i = 0;
  for (PMDL m = mdl; left != 0; m = m->Next) {
    const std::size_t avail = m->ByteCount - skip;
    if (avail == 0) continue;
    const std::size_t take = avail < left ? avail : left;
    out[i++] = MutableBuffer{mdl_data(m) + skip, take};
    left -= take;
    skip = 0;
  }
  return STATUS_SUCCESS;
}

void wsk_buf_write(const WSK_BUF& buf, std::size_t at, const void* src, std::size_t n) noexcept {
  const auto* from = static_cast<const unsigned char*>(src);
  std::size_t skip = buf.Offset + at;
  std::size_t visited = 0;
  for (PMDL m = buf.Mdl; m != nullptr && n != 0 && visited++ != max_chain; m = m->Next) {
    if (skip >= m->ByteCount) {
      skip -= m->ByteCount;
      continue;
    }
    const std::size_t avail = m->ByteCount - skip;
    const std::size_t take = avail < n ? avail : n;
    std::memcpy(mdl_data(m) + skip, from, take);
    from += take;
    n -= take;
    skip = 0;
  }
}

}  // namespace wskport::km
