// SPDX-License-Identifier: MIT
// Pool allocation over the C heap. Each block carries a header with its tag and size,
// so the frees can check what the kernel's pool checks (Driver Verifier's view): a tag
// mismatch is reported, a pointer the pool did not hand out (or a double free) stops
// the process before the heap is corrupted. Paged and non-paged pools are the same heap.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "common/km/km_image.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

constexpr std::uint64_t kLiveMagic = 0x4C4F4F50544B5057ULL;   // "WPKTPOOL"
constexpr std::uint64_t kFreedMagic = 0x45455246544B5057ULL;  // "WPKTFREE"
constexpr ULONG kNoneTag = tag('e', 'n', 'o', 'N');           // ExAllocatePool: "None"

// 64 bytes, so the caller's block keeps the heap's 16-byte alignment. A block allocated
// by a driver image (km_image.hpp) is also on that image's list, so that unloading the
// image can name each block it leaked and where it was allocated.
struct alignas(16) Header {
  std::uint64_t magic;
  std::uint64_t size;
  ULONG tag;
  ULONG type;
  std::int32_t owner;  // the image's slot, 0 for none
  std::uint32_t reserved;
  const void* caller;  // the return address of the allocating call
  Header* prev;        // on the owner's list (owner != 0 only)
  Header* next;
};
static_assert(sizeof(Header) == 64);

std::atomic<std::int64_t> g_outstanding{0};

// One list per image slot (slot 0 unused). Images allocate rarely compared with the
// socket path, which allocates no pool at all, so one mutex per list is enough.
struct OwnerList {
  std::mutex lock;
  Header* head = nullptr;
};
OwnerList g_owned[wskport::km::image::kMaxImages + 1];

void link(Header* h) noexcept {
  if (h->owner <= 0 || h->owner > wskport::km::image::kMaxImages) return;
  OwnerList& list = g_owned[h->owner];
  std::lock_guard guard(list.lock);
  h->prev = nullptr;
  h->next = list.head;
  if (list.head != nullptr) list.head->prev = h;
  list.head = h;
}

void unlink(Header* h) noexcept {
  if (h->owner <= 0 || h->owner > wskport::km::image::kMaxImages) return;
  OwnerList& list = g_owned[h->owner];
  std::lock_guard guard(list.lock);
  if (h->owner == 0) return;  // disowned while this thread waited for the lock
  if (h->prev != nullptr)
    h->prev->next = h->next;
  else
    list.head = h->next;
  if (h->next != nullptr) h->next->prev = h->prev;
  h->prev = h->next = nullptr;
}

void* allocate(SIZE_T bytes, ULONG pool_tag, ULONG type, bool zero, const void* caller) noexcept {
  if (bytes > SIZE_MAX - sizeof(Header)) return nullptr;
  void* raw = zero ? std::calloc(1, sizeof(Header) + bytes) : std::malloc(sizeof(Header) + bytes);
  if (raw == nullptr) return nullptr;
  auto* header = static_cast<Header*>(raw);
  header->magic = kLiveMagic;
  header->size = bytes;
  header->tag = pool_tag;
  header->type = type;
  header->owner = wskport::km::image::owner_of(caller);
  header->reserved = 0;
  header->caller = caller;
  header->prev = header->next = nullptr;
  link(header);
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
  unlink(header);
  g_outstanding.fetch_sub(1, std::memory_order_relaxed);
  std::free(header);
}

}  // namespace

TagText tag_text(ULONG t) noexcept {
  TagText out{};
  for (int i = 0; i < 4; ++i) {
    const auto c = static_cast<char>((t >> (8 * i)) & 0xFF);
    out.text[i] = (c >= 0x20 && c < 0x7F) ? c : '.';
  }
  return out;
}

std::int64_t pool_outstanding() noexcept { return g_outstanding.load(std::memory_order_relaxed); }

void* pool_allocate(SIZE_T bytes, ULONG pool_tag, POOL_TYPE type, const void* caller) noexcept {
  return allocate(bytes, pool_tag, static_cast<ULONG>(type), false, caller);
}

std::size_t pool_disown(int owner, const PoolLeakVisitor& visit) noexcept {
  if (owner <= 0 || owner > wskport::km::image::kMaxImages) return 0;
  OwnerList& list = g_owned[owner];
  std::size_t count = 0;
  std::lock_guard guard(list.lock);
  for (Header* h = list.head; h != nullptr;) {
    Header* next = h->next;
    if (visit) visit(h + 1, h->tag, static_cast<SIZE_T>(h->size), h->caller);
    h->owner = 0;
    h->prev = h->next = nullptr;
    ++count;
    h = next;
  }
  list.head = nullptr;
  return count;
}

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), false, WSKPORT_KM_CALLER());
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), false, WSKPORT_KM_CALLER());
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes) {
  return allocate(NumberOfBytes, kNoneTag, static_cast<ULONG>(PoolType), false,
                  WSKPORT_KM_CALLER());
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), true, WSKPORT_KM_CALLER());
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate(NumberOfBytes, Tag, static_cast<ULONG>(PoolType), false, WSKPORT_KM_CALLER());
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
  PVOID block = allocate(NumberOfBytes, Tag, type, (Flags & POOL_FLAG_UNINITIALIZED) == 0,
                         WSKPORT_KM_CALLER());
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
