// SPDX-License-Identifier: MIT
// Fuzz target: WSK_BUF / MDL chain handling (wskport::km::wsk_buf_to_buffers, the one
// function that walks a caller's chain, and wsk_buf_write).
//
// The input builds a chain of up to 8 MDLs, each over its own heap block of exactly
// ByteOffset + ByteCount bytes (so ASan reports any byte touched outside an MDL), with
// random ByteCount (zero included), ByteOffset, early ends and, on request, cycles (an
// MDL whose Next points back into the chain); then a WSK_BUF with random Mdl (or null),
// Offset and Length (or a huge one), and a descriptor capacity. Checks:
//   - the status is one of the documented three; a null count is refused;
//   - success: count <= capacity, descriptors are non-empty, lie inside the MDLs' data
//     (written through, so ASan checks each byte), start at Offset in the first MDL and
//     add up to Length; for an acyclic chain the count equals a reference walk;
//   - STATUS_BUFFER_TOO_SMALL: count > capacity, the output array untouched, and the
//     call succeeds with the capacity it asked for;
//   - STATUS_INVALID_PARAMETER: for an acyclic chain, exactly when the reference walk
//     says the WSK_BUF is bad (null chain, Offset outside the first MDL, too short);
//   - wsk_buf_write of the whole range writes exactly the descriptors' bytes;
//   - no two descriptors overlap: a cyclic chain is refused before the walk would come
//     back to an MDL (issue 14), so no byte is described twice.
// A cyclic chain must be refused or walked in bounded time (the fuzzer's -timeout).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_support.hpp"

// clang-format off
#include <ntddk.h>
#include <wsk.h>
// clang-format on

#include "common/km/wsk_buf.hpp"

namespace {

using wskport::MutableBuffer;
using wskport::fuzz::Bytes;

constexpr std::size_t kMaxMdls = 8;

struct Chain {
  std::array<MDL, kMaxMdls> mdls{};
  std::array<std::unique_ptr<unsigned char[]>, kMaxMdls> blocks{};
  std::size_t count = 0;
  bool cyclic = false;
};

void build_chain(Bytes& in, Chain& c) {
  const std::uint8_t shape = in.u8();
  c.count = 1 + shape % kMaxMdls;
  c.cyclic = (shape & 0x80U) != 0;
  for (std::size_t i = 0; i < c.count; ++i) {
    const std::uint16_t size_word = in.u16();
    const std::uint8_t offset = in.u8() % 16;
    // Mostly small, sometimes empty.
    const ULONG byte_count = (size_word & 0x8000U) != 0 ? 0U : size_word % 300U;
    c.blocks[i] =
        std::make_unique<unsigned char[]>(offset + byte_count + (offset + byte_count == 0));
    MDL& m = c.mdls[i];
    m.StartVa = c.blocks[i].get();
    m.ByteOffset = offset;
    m.ByteCount = byte_count;
    m.Next = i + 1 < c.count ? &c.mdls[i + 1] : nullptr;
  }
  if (c.cyclic) {
    // The last MDL points back to one of the chain's (itself included).
    c.mdls[c.count - 1].Next = &c.mdls[in.u8() % c.count];
  }
}

// The reference walk for acyclic chains: how many descriptors, or invalid.
bool reference(const WSK_BUF& buf, std::size_t& needed) {
  needed = 0;
  if (buf.Length == 0) return true;
  if (buf.Mdl == nullptr || buf.Offset >= buf.Mdl->ByteCount) return false;
  std::size_t left = buf.Length;
  std::size_t skip = buf.Offset;
  for (const MDL* m = buf.Mdl; left != 0; m = m->Next) {
    if (m == nullptr) return false;
    const std::size_t avail = m->ByteCount - skip;
    if (avail != 0) ++needed;
    left -= avail < left ? avail : left;
    skip = 0;
  }
  return true;
}

// True if [p, p + n) lies inside one MDL's data.
bool inside_chain(const Chain& c, const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i < c.count; ++i) {
    const MDL& m = c.mdls[i];
    const auto* data = static_cast<const unsigned char*>(m.StartVa) + m.ByteOffset;
    if (p >= data && n <= m.ByteCount && p + n <= data + m.ByteCount) return true;
  }
  return false;
}

void check_success(const Chain& c, const WSK_BUF& buf, const MutableBuffer* out,
                   std::size_t count) {
  std::size_t total = 0;
  for (std::size_t k = 0; k < count; ++k) {
    auto* p = static_cast<unsigned char*>(out[k].data);
    WSKPORT_FUZZ_CHECK(out[k].size != 0, "an empty descriptor", k);
    WSKPORT_FUZZ_CHECK(inside_chain(c, p, out[k].size), "a descriptor outside every MDL", k);
    std::memset(p, static_cast<int>(k), out[k].size);  // ASan checks every byte
    total += out[k].size;
  }
  WSKPORT_FUZZ_CHECK(total == buf.Length, "descriptors do not add up to Length", total);
  if (count != 0) {
    const auto* first = static_cast<unsigned char*>(buf.Mdl->StartVa) + buf.Mdl->ByteOffset;
    WSKPORT_FUZZ_CHECK(out[0].data == first + buf.Offset, "the first descriptor is not at Offset",
                       0);
  }
  for (std::size_t k = 0; k < count; ++k) {
    const auto* p = static_cast<const unsigned char*>(out[k].data);
    for (std::size_t j = 0; j < k; ++j) {
      const auto* q = static_cast<const unsigned char*>(out[j].data);
      WSKPORT_FUZZ_CHECK(p + out[k].size <= q || q + out[j].size <= p,
                         "two descriptors overlap (a chain walked round its cycle)", k);
    }
  }

  // wsk_buf_write over the whole range writes exactly the descriptors' bytes, in order.
  std::vector<unsigned char> pattern(total);
  for (std::size_t i = 0; i < total; ++i) pattern[i] = static_cast<unsigned char>(i * 7 + 1);
  wskport::km::wsk_buf_write(buf, 0, pattern.data(), pattern.size());
  std::size_t at = 0;
  for (std::size_t k = 0; k < count; ++k) {
    WSKPORT_FUZZ_CHECK(std::memcmp(out[k].data, pattern.data() + at, out[k].size) == 0,
                       "wsk_buf_write and the descriptors disagree", k);
    at += out[k].size;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  Chain chain;
  build_chain(in, chain);

  WSK_BUF buf{};
  const std::uint8_t flags = in.u8();
  buf.Mdl = (flags & 1U) != 0 ? nullptr : &chain.mdls[0];
  buf.Offset = (flags & 2U) != 0 ? in.u32() : in.u16() % 320U;
  buf.Length = (flags & 4U) != 0 ? static_cast<SIZE_T>(-1) - in.u8() : in.u16() % 2400U;
  const std::size_t capacity = in.u8() % 12;

  std::size_t count = 0xDEAD;
  WSKPORT_FUZZ_CHECK(
      wskport::km::wsk_buf_to_buffers(buf, nullptr, 0, nullptr) == STATUS_INVALID_PARAMETER,
      "a null count was accepted", 0);

  // Exactly `capacity` descriptors on the heap, filled with a sentinel.
  std::vector<MutableBuffer> out(capacity, MutableBuffer{&chain, 0xBAD});
  const NTSTATUS st =
      wskport::km::wsk_buf_to_buffers(buf, capacity == 0 ? nullptr : out.data(), capacity, &count);
  WSKPORT_FUZZ_CHECK(
      st == STATUS_SUCCESS || st == STATUS_BUFFER_TOO_SMALL || st == STATUS_INVALID_PARAMETER,
      "an undocumented status", st);

  // The reference walk has no cycle bound of its own: acyclic chains only.
  if (!chain.cyclic || buf.Mdl == nullptr) {
    std::size_t expected = 0;
    const bool valid = reference(buf, expected);
    WSKPORT_FUZZ_CHECK(valid == (st != STATUS_INVALID_PARAMETER),
                       "validity differs from the reference walk", st);
    if (valid) WSKPORT_FUZZ_CHECK(count == expected, "descriptor count differs", count);
  }

  if (st == STATUS_SUCCESS) {
    WSKPORT_FUZZ_CHECK(count <= capacity, "success with more descriptors than capacity", count);
    check_success(chain, buf, out.data(), count);
  } else if (st == STATUS_BUFFER_TOO_SMALL) {
    WSKPORT_FUZZ_CHECK(count > capacity, "too small, yet the count fits", count);
    for (const auto& b : out) {
      WSKPORT_FUZZ_CHECK(b.data == &chain && b.size == 0xBAD, "too small, yet output written", 0);
    }
    std::vector<MutableBuffer> enough(count);
    std::size_t again = 0;
    const NTSTATUS st2 = wskport::km::wsk_buf_to_buffers(buf, enough.data(), count, &again);
    WSKPORT_FUZZ_CHECK(st2 == STATUS_SUCCESS && again == count,
                       "the capacity asked for was not enough", st2);
    check_success(chain, buf, enough.data(), again);
  }
  return 0;
}
