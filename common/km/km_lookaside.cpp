// SPDX-License-Identifier: MIT
// Lookaside lists (NPAGED_, PAGED_ and LOOKASIDE_LIST_EX): a cache of fixed-size blocks
// in an SLIST in front of an allocate/free pair (the pool by default). Up to
// EX_MAXIMUM_LOOKASIDE_DEPTH_BASE freed blocks are kept; the Depth argument is ignored,
// as Windows ignores it.
#include <cstring>

#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

enum : ULONG { kEx = 1, kInitialised = 2 };

void initialise(GENERAL_LOOKASIDE& l, POOL_TYPE type, SIZE_T size, ULONG pool_tag,
                ULONG flags) noexcept {
  std::memset(static_cast<void*>(&l), 0, sizeof l);
  InitializeSListHead(&l.ListHead);
  l.MaximumDepth = EX_MAXIMUM_LOOKASIDE_DEPTH_BASE;
  l.Depth = l.MaximumDepth;
  l.Type = type;
  l.Tag = pool_tag;
  // A freed block holds the SLIST link, so it is at least that big.
  l.Size = static_cast<ULONG>(size < sizeof(SLIST_ENTRY) ? sizeof(SLIST_ENTRY) : size);
  l.WskportFlags = flags | kInitialised;
  InitializeListHead(&l.ListEntry);
}

// The NPAGED_ and PAGED_ lists: routines without the lookaside argument.
void initialise_classic(GENERAL_LOOKASIDE& l, POOL_TYPE type, PALLOCATE_FUNCTION allocate,
                        PFREE_FUNCTION free, SIZE_T size, ULONG pool_tag) noexcept {
  initialise(l, type, size, pool_tag, 0);
  l.Allocate = allocate;
  l.Free = free;
}

PVOID allocate(GENERAL_LOOKASIDE& l) noexcept {
  atomic(l.TotalAllocates).fetch_add(1, std::memory_order_relaxed);
  if (PSLIST_ENTRY entry = InterlockedPopEntrySList(&l.ListHead)) return entry;
  atomic(l.AllocateMisses).fetch_add(1, std::memory_order_relaxed);
  if ((l.WskportFlags & kEx) != 0) {
    if (l.AllocateEx != nullptr) {
      return l.AllocateEx(l.Type, l.Size, l.Tag, reinterpret_cast<PLOOKASIDE_LIST_EX>(&l));
    }
  } else if (l.Allocate != nullptr) {
    return l.Allocate(l.Type, l.Size, l.Tag);
  }
  return ExAllocatePoolWithTag(l.Type, l.Size, l.Tag);
}

void free_block(GENERAL_LOOKASIDE& l, PVOID block) noexcept {
  if ((l.WskportFlags & kEx) != 0) {
    if (l.FreeEx != nullptr) {
      l.FreeEx(block, reinterpret_cast<PLOOKASIDE_LIST_EX>(&l));
      return;
    }
  } else if (l.Free != nullptr) {
    l.Free(block);
    return;
  }
  ExFreePoolWithTag(block, l.Tag);
}

void release(GENERAL_LOOKASIDE& l, PVOID block) noexcept {
  atomic(l.TotalFrees).fetch_add(1, std::memory_order_relaxed);
  if (ExQueryDepthSList(&l.ListHead) < l.Depth) {
    InterlockedPushEntrySList(&l.ListHead, static_cast<PSLIST_ENTRY>(block));
    return;
  }
  atomic(l.FreeMisses).fetch_add(1, std::memory_order_relaxed);
  free_block(l, block);
}

void flush(GENERAL_LOOKASIDE& l) noexcept {
  PSLIST_ENTRY entry = InterlockedFlushSList(&l.ListHead);
  while (entry != nullptr) {
    PSLIST_ENTRY next = entry->Next;
    free_block(l, entry);
    entry = next;
  }
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth) {
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(Depth);
  initialise_classic(Lookaside->L, NonPagedPoolNx, Allocate, Free, Size, Tag);
}

PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) {
  return allocate(Lookaside->L);
}

VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry) {
  release(Lookaside->L, Entry);
}

VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) { flush(Lookaside->L); }

VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                    USHORT Depth) {
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(Depth);
  initialise_classic(Lookaside->L, PagedPool, Allocate, Free, Size, Tag);
}

PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) {
  return allocate(Lookaside->L);
}

VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry) {
  release(Lookaside->L, Entry);
}

VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) { flush(Lookaside->L); }

NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                     PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags,
                                     SIZE_T Size, ULONG Tag, USHORT Depth) {
  UNREFERENCED_PARAMETER(Depth);
  if ((Flags & ~(EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL |
                 EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)) != 0 ||
      Flags ==
          (EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)) {
    return STATUS_INVALID_PARAMETER_5;
  }
  initialise(Lookaside->L, PoolType, Size, Tag, kEx);
  Lookaside->L.AllocateEx = Allocate;
  Lookaside->L.FreeEx = Free;
  return STATUS_SUCCESS;
}

PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { return allocate(Lookaside->L); }

VOID ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry) {
  release(Lookaside->L, Entry);
}

VOID ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { flush(Lookaside->L); }

VOID ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { flush(Lookaside->L); }

}  // extern "C"
