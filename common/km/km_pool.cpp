// SPDX-License-Identifier: MIT
// Pool allocation over the C heap. Each block carries a header with its tag and size,
// so the frees can check what the kernel's pool checks (Driver Verifier's view): a tag
// mismatch is reported, a pointer the pool did not hand out (or a double free) stops
// the process before the heap is corrupted. Paged and non-paged pools are the same heap.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

constexpr std::uint64_t kLiveMagic = 0x4C4F4F50544B5057ULL;   // "WPKTPOOL"
constexpr std::uint64_t kFreedMagic = 0x45455246544B5057ULL;  // "WPKTFREE"
constexpr ULONG kNoneTag = tag('e', 'n', 'o', 'N');           // ExAllocatePool: "None"

// 32 bytes, so the caller's block keeps the heap's 16-byte alignment.
struct alignas(16) Header {
  std::uint64_t magic;
  std::uint64_t size;
  ULONG tag;
  ULONG type;
  std::uint64_t reserved;
};
static_assert(sizeof(Header) == 32);

std::atomic<std::int64_t> g_outstanding{0};

// A tag as it reads in memory (pool tools print it that way): 'looP' reads "Pool".
struct TagText {
  char text[5];
};
TagText tag_text(ULONG t) noexcept {
  TagText out{};
  for (int i = 0; i < 4; ++i) {
    const auto c = static_cast<char>((t >> (8 * i)) & 0xFF);
    out.text[i] = (c >= 0x20 && c < 0x7F) ? c : '.';
  }
  return out;
}

void* allocate(SIZE_T bytes, ULONG pool_tag, ULONG type, bool zero) noexcept {
  if (bytes > SIZE_MAX - sizeof(Header)) return nullptr;
  void* raw = zero ? std::calloc(1, sizeof(Header) + bytes) : std::malloc(sizeof(Header) + bytes);
  if (raw == nullptr) return nullptr;
  auto* header = static_cast<Header*>(raw);
  header->magic = kLiveMagic;
  header->size = bytes;
  header->tag = pool_tag;
  header->type = type;
  header->reserved = 0;
  g_outstanding.fetch_add(1, std::memory_order_relaxed);
  return header + 1;
}

void release(PVOID block, const ULONG* expected_tag, const char* who) noexcept {
  if (block == nullptr) {
    report("%s(NULL): freeing NULL (the kernel bug-checks: BAD_POOL_CALLER)\n", who);
    return;
  }
  auto* header = static_cast<Header*>(block) - 1;
  if (header->magic != kLiveMagic) {
    fatal(
        "%s(%p): %s (BAD_POOL_CALLER)\n", who, block,
        header->magic == kFreedMagic ? "the block was already freed" : "not a block from the pool");
  }
  if (expected_tag != nullptr && ((header->tag ^ *expected_tag) & ~ULONG{PROTECTED_POOL}) != 0) {
    report("%s(%p, '%s'): the block was allocated with tag '%s' (BAD_POOL_CALLER 0x0A)\n", who,
           block, tag_text(*expected_tag).text, tag_text(header->tag).text);
  }
  header->magic = kFreedMagic;
  g_outstanding.fetch_sub(1, std::memory_order_relaxed);
  std::free(header);
}

}  // namespace

std::int64_t pool_outstanding() noexcept { return g_outstanding.load(std::memory_order_relaxed); }

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), false);
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), false);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes) {
  return allocate(NumberOfBytes, kNoneTag, static_cast<ULONG>(PoolType), false);
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), true);
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), false);
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag) {
  const POOL_FLAGS kinds =
      Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
  if (kinds != POOL_FLAG_NON_PAGED && kinds != POOL_FLAG_NON_PAGED_EXECUTE &&
      kinds != POOL_FLAG_PAGED) {
    report(
        "ExAllocatePool2(flags 0x%llx): exactly one of POOL_FLAG_NON_PAGED, "
        "POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED is required\n",
        static_cast<unsigned long long>(Flags));
    return nullptr;
  }
  if (Tag == 0) {
    report("ExAllocatePool2: a tag of 0 is invalid\n");
    return nullptr;
  }
  const ULONG type = kinds == POOL_FLAG_PAGED ? PagedPool : NonPagedPoolNx;
  PVOID block = allocate(NumberOfBytes, Tag, type, (Flags & POOL_FLAG_UNINITIALIZED) == 0);
  if (block == nullptr && (Flags & POOL_FLAG_RAISE_ON_FAILURE) != 0) {
    fatal(
        "ExAllocatePool2(%llu bytes, POOL_FLAG_RAISE_ON_FAILURE): out of memory "
        "(the kernel raises STATUS_INSUFFICIENT_RESOURCES)\n",
        static_cast<unsigned long long>(NumberOfBytes));
  }
  return block;
}

LONGLONG WskportPoolOutstanding(VOID) { return pool_outstanding(); }

VOID ExFreePool(PVOID P) { release(P, nullptr, "ExFreePool"); }

VOID ExFreePoolWithTag(PVOID P, ULONG Tag) { release(P, &Tag, "ExFreePoolWithTag"); }

}  // extern "C"
