/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_ex.h: doubly and singly linked lists (inline, as in wdm.h), interlocked
 * lists, SLISTs, pool allocation with tags and lookaside lists.
 *
 * In a process every pool is the C heap (paged and non-paged alike); each block keeps
 * its tag, and a free with the wrong tag, a double free or a free of a pointer the pool
 * did not hand out is reported through DbgPrint. Implemented in common/km/km_pool.cpp
 * and km_lists.cpp.
 */
#pragma once
#ifndef WSKPORT_KM_EX_H
#define WSKPORT_KM_EX_H

#include "wskport_km_ke.h"

WSKPORT_KM_BEGIN_DECLS

/* ------------------------------------------------------------- list helpers ----- */

/** Reports a corrupted LIST_ENTRY (Flink->Blink or Blink->Flink not pointing back)
 *  and stops the process, as the kernel's FatalListEntryError bug check does. */
WSKPORT_KM_NORETURN VOID WskportFatalListEntryError(_In_ PVOID Entry);

WSKPORT_KM_INLINE VOID InitializeListHead(_Out_ PLIST_ENTRY ListHead) {
  ListHead->Flink = ListHead->Blink = ListHead;
}

WSKPORT_KM_INLINE BOOLEAN IsListEmpty(_In_ const LIST_ENTRY* ListHead) {
  return (BOOLEAN)(ListHead->Flink == ListHead);
}

WSKPORT_KM_INLINE BOOLEAN RemoveEntryList(_In_ PLIST_ENTRY Entry) {
  PLIST_ENTRY Flink = Entry->Flink;
  PLIST_ENTRY Blink = Entry->Blink;
  if (Flink->Blink != Entry || Blink->Flink != Entry) WskportFatalListEntryError(Entry);
  Blink->Flink = Flink;
  Flink->Blink = Blink;
  return (BOOLEAN)(Flink == Blink);
}

WSKPORT_KM_INLINE PLIST_ENTRY RemoveHeadList(_Inout_ PLIST_ENTRY ListHead) {
  PLIST_ENTRY Entry = ListHead->Flink;
  PLIST_ENTRY Flink = Entry->Flink;
  if (Entry->Blink != ListHead || Flink->Blink != Entry) WskportFatalListEntryError(ListHead);
  ListHead->Flink = Flink;
  Flink->Blink = ListHead;
  return Entry;
}

WSKPORT_KM_INLINE PLIST_ENTRY RemoveTailList(_Inout_ PLIST_ENTRY ListHead) {
  PLIST_ENTRY Entry = ListHead->Blink;
  PLIST_ENTRY Blink = Entry->Blink;
  if (Entry->Flink != ListHead || Blink->Flink != Entry) WskportFatalListEntryError(ListHead);
  ListHead->Blink = Blink;
  Blink->Flink = ListHead;
  return Entry;
}

WSKPORT_KM_INLINE VOID InsertTailList(_Inout_ PLIST_ENTRY ListHead, _Out_ PLIST_ENTRY Entry) {
  PLIST_ENTRY Blink = ListHead->Blink;
  if (Blink->Flink != ListHead) WskportFatalListEntryError(ListHead);
  Entry->Flink = ListHead;
  Entry->Blink = Blink;
  Blink->Flink = Entry;
  ListHead->Blink = Entry;
}

WSKPORT_KM_INLINE VOID InsertHeadList(_Inout_ PLIST_ENTRY ListHead, _Out_ PLIST_ENTRY Entry) {
  PLIST_ENTRY Flink = ListHead->Flink;
  if (Flink->Blink != ListHead) WskportFatalListEntryError(ListHead);
  Entry->Flink = Flink;
  Entry->Blink = ListHead;
  Flink->Blink = Entry;
  ListHead->Flink = Entry;
}

WSKPORT_KM_INLINE VOID AppendTailList(_Inout_ PLIST_ENTRY ListHead,
                                      _Inout_ PLIST_ENTRY ListToAppend) {
  PLIST_ENTRY ListEnd = ListHead->Blink;
  ListHead->Blink->Flink = ListToAppend;
  ListHead->Blink = ListToAppend->Blink;
  ListToAppend->Blink->Flink = ListHead;
  ListToAppend->Blink = ListEnd;
}

WSKPORT_KM_INLINE PSINGLE_LIST_ENTRY PopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead) {
  PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;
  if (FirstEntry != NULL) ListHead->Next = FirstEntry->Next;
  return FirstEntry;
}

WSKPORT_KM_INLINE VOID PushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                     _Inout_ PSINGLE_LIST_ENTRY Entry) {
  Entry->Next = ListHead->Next;
  ListHead->Next = Entry;
}

/* ------------------------------------------------------- interlocked lists ------ */

/** Insert/remove under @p Lock (a KSPIN_LOCK). The insert routines return the entry
 *  that was first (last) before, or NULL if the list was empty; the remove routine
 *  returns the removed entry or NULL. */
NTKERNELAPI PLIST_ENTRY ExInterlockedInsertHeadList(_Inout_ PLIST_ENTRY ListHead,
                                                    _Inout_ PLIST_ENTRY ListEntry,
                                                    _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY ExInterlockedInsertTailList(_Inout_ PLIST_ENTRY ListHead,
                                                    _Inout_ PLIST_ENTRY ListEntry,
                                                    _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY ExInterlockedRemoveHeadList(_Inout_ PLIST_ENTRY ListHead,
                                                    _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                                         _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                                          _Inout_ PSINGLE_LIST_ENTRY ListEntry,
                                                          _Inout_ PKSPIN_LOCK Lock);

/* SLIST: a LIFO safe for concurrent push and pop. The header's words are the runtime's
 * (first entry, depth, a lock word); entries need no particular alignment here. */
typedef struct DECLSPEC_ALIGN(16) _SLIST_ENTRY {
  struct _SLIST_ENTRY* Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
  struct {
    ULONGLONG Alignment;
    ULONGLONG Region;
  };
  struct {
    PSLIST_ENTRY WskportFirst;
    USHORT WskportDepth;
    USHORT WskportSequence;
    ULONG WskportLock;
  } Wskport;
} SLIST_HEADER, *PSLIST_HEADER;

/** Initialises an empty SLIST. */
NTSYSAPI VOID InitializeSListHead(_Out_ PSLIST_HEADER SListHead);
/** Pushes @p ListEntry; returns the previous first entry (NULL if it was empty). */
NTKERNELAPI PSLIST_ENTRY InterlockedPushEntrySList(_Inout_ PSLIST_HEADER ListHead,
                                                   _Inout_ PSLIST_ENTRY ListEntry);
/** Pops the first entry, or NULL if empty. */
NTKERNELAPI PSLIST_ENTRY InterlockedPopEntrySList(_Inout_ PSLIST_HEADER ListHead);
/** Empties the list and returns its former entries (a chain through Next). */
NTKERNELAPI PSLIST_ENTRY InterlockedFlushSList(_Inout_ PSLIST_HEADER ListHead);
/** Number of entries. */
NTKERNELAPI USHORT ExQueryDepthSList(_In_ PSLIST_HEADER SListHead);
#define QueryDepthSList ExQueryDepthSList
#define ExInitializeSListHead InitializeSListHead
#define ExInterlockedPushEntrySList(Head, Entry, Lock) InterlockedPushEntrySList(Head, Entry)
#define ExInterlockedPopEntrySList(Head, Lock) InterlockedPopEntrySList(Head)
#define ExInterlockedFlushSList(Head) InterlockedFlushSList(Head)
#define FirstEntrySList(SListHead) ((SListHead)->Wskport.WskportFirst)

/* ---------------------------------------------------------------- pool ---------- */

typedef enum _POOL_TYPE {
  NonPagedPool,
  NonPagedPoolExecute = NonPagedPool,
  PagedPool,
  NonPagedPoolMustSucceed = NonPagedPool + 2,
  DontUseThisType,
  NonPagedPoolCacheAligned = NonPagedPool + 4,
  PagedPoolCacheAligned,
  NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
  MaxPoolType,
  NonPagedPoolBase = 0,
  NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
  NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
  NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,
  NonPagedPoolSession = 32,
  PagedPoolSession = NonPagedPoolSession + 1,
  NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
  DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
  NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
  PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
  NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,
  NonPagedPoolNx = 512,
  NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
  NonPagedPoolSessionNx = NonPagedPoolNx + 32
} POOL_TYPE;

/* Non-executable pool opt-in (wdm.h). A driver built with POOL_NX_OPTIN=1 calls
 * ExInitializeDriverRuntime(DrvRtPoolNxOptIn) in DriverEntry, after which its
 * NonPagedPool means NonPagedPoolNx; with POOL_NX_OPTIN_AUTO=1 it always does. As in the
 * WDK, NonPagedPool then names a variable (one per driver image), so it is no longer a
 * constant expression. Every pool is the same heap in a process, so this changes only
 * the POOL_TYPE value a driver passes. */
typedef enum _DRIVER_RUNTIME_INIT_FLAGS { DrvRtPoolNxOptIn = 0x00000001 } DRIVER_RUNTIME_INIT_FLAGS;

#if defined(POOL_NX_OPTIN_AUTO) && POOL_NX_OPTIN_AUTO
#define NonPagedPool NonPagedPoolNx
#define NonPagedPoolCacheAligned NonPagedPoolNxCacheAligned
#elif defined(POOL_NX_OPTIN) && POOL_NX_OPTIN
#define WSKPORT_KM_POOL_NX_RUNTIME 1
#ifdef __cplusplus
inline POOL_TYPE ExDefaultNonPagedPoolType = NonPagedPoolExecute;
inline ULONG ExDefaultMdlProtection = 0;
#else
DECLSPEC_SELECTANY POOL_TYPE ExDefaultNonPagedPoolType = NonPagedPoolExecute;
DECLSPEC_SELECTANY ULONG ExDefaultMdlProtection = 0;
#endif
#define NonPagedPool ExDefaultNonPagedPoolType
#define NonPagedPoolCacheAligned ((POOL_TYPE)(ExDefaultNonPagedPoolType + 4))
#endif

/** Driver runtime initialisation (call it first in DriverEntry). With POOL_NX_OPTIN
 *  and DrvRtPoolNxOptIn, NonPagedPool becomes NonPagedPoolNx and MDL mappings
 *  MdlMappingNoExecute for this image; otherwise it does nothing. */
WSKPORT_KM_INLINE VOID ExInitializeDriverRuntime(_In_ ULONG RuntimeFlags) {
#ifdef WSKPORT_KM_POOL_NX_RUNTIME
  if ((RuntimeFlags & DrvRtPoolNxOptIn) != 0) {
    ExDefaultNonPagedPoolType = NonPagedPoolNx;
    ExDefaultMdlProtection = 0x40000000; /* MdlMappingNoExecute */
  }
#else
  (void)RuntimeFlags;
#endif
}

typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_REQUIRED_START 0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RESERVED1 0x0000000000000010ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
#define POOL_FLAG_RESERVED2 0x0000000000000200ULL
#define POOL_FLAG_RESERVED3 0x0000000000000400ULL
#define POOL_FLAG_REQUIRED_END 0x0000000080000000ULL
#define POOL_FLAG_OPTIONAL_START 0x0000000100000000ULL
#define POOL_FLAG_SPECIAL_POOL 0x0000000100000000ULL
#define POOL_FLAG_OPTIONAL_END 0x8000000000000000ULL

#define POOL_COLD_ALLOCATION 256
#define POOL_NX_ALLOCATION 512
#define POOL_ZERO_ALLOCATION 1024
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8

/** Allocates @p NumberOfBytes (16-byte aligned, uninitialised) tagged @p Tag. Returns
 *  NULL when the heap is exhausted. A zero-byte request returns a valid block. */
NTKERNELAPI PVOID ExAllocatePoolWithTag(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                        _In_ ULONG Tag);
NTKERNELAPI PVOID ExAllocatePoolWithQuotaTag(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                             _In_ ULONG Tag);
/** As ExAllocatePoolWithTag with the tag 'enoN' ("None"), as Windows does. */
NTKERNELAPI PVOID ExAllocatePool(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes);
/** Zero-filled, as ExAllocatePool2 without POOL_FLAG_UNINITIALIZED. */
NTKERNELAPI PVOID ExAllocatePoolZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                     _In_ ULONG Tag);
NTKERNELAPI PVOID ExAllocatePoolUninitialized(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                              _In_ ULONG Tag);
/** Windows 10 2004's allocator: zero-filled unless POOL_FLAG_UNINITIALIZED; exactly one
 *  of POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED is required and
 *  a tag of 0 is invalid (both return NULL and are reported). With
 *  POOL_FLAG_RAISE_ON_FAILURE an exhausted heap is reported and the process stops (the
 *  kernel raises an exception there). */
NTKERNELAPI PVOID ExAllocatePool2(_In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
/** Frees a block of any allocator above. NULL is reported (Windows bug-checks). */
NTKERNELAPI VOID ExFreePool(_In_ PVOID P);
/** Frees and checks the tag: a mismatch is reported (the block is still freed). */
NTKERNELAPI VOID ExFreePoolWithTag(_In_ PVOID P, _In_ ULONG Tag);
#define ExFreePool2(P, Tag, Params, Count) ExFreePoolWithTag(P, Tag)
/** wskport extension: pool blocks allocated and not yet freed in this process (the
 *  driver host reports a nonzero count after DriverUnload; tests check for leaks). */
LONGLONG WskportPoolOutstanding(VOID);
#define PROTECTED_POOL 0x80000000

/* ------------------------------------------------------------ lookaside --------- */

typedef PVOID ALLOCATE_FUNCTION(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
typedef ALLOCATE_FUNCTION* PALLOCATE_FUNCTION;
typedef VOID FREE_FUNCTION(_In_ PVOID Buffer);
typedef FREE_FUNCTION* PFREE_FUNCTION;

struct _LOOKASIDE_LIST_EX;
typedef PVOID ALLOCATE_FUNCTION_EX(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                   _In_ ULONG Tag, _Inout_ struct _LOOKASIDE_LIST_EX* Lookaside);
typedef ALLOCATE_FUNCTION_EX* PALLOCATE_FUNCTION_EX;
typedef VOID FREE_FUNCTION_EX(_In_ PVOID Buffer, _Inout_ struct _LOOKASIDE_LIST_EX* Lookaside);
typedef FREE_FUNCTION_EX* PFREE_FUNCTION_EX;

/* The lookaside body shared by all four list kinds. */
typedef struct DECLSPEC_ALIGN(16) _GENERAL_LOOKASIDE {
  SLIST_HEADER ListHead;
  USHORT Depth;
  USHORT MaximumDepth;
  ULONG TotalAllocates;
  ULONG AllocateMisses;
  ULONG TotalFrees;
  ULONG FreeMisses;
  POOL_TYPE Type;
  ULONG Tag;
  ULONG Size;
  union {
    PALLOCATE_FUNCTION_EX AllocateEx;
    PALLOCATE_FUNCTION Allocate;
  };
  union {
    PFREE_FUNCTION_EX FreeEx;
    PFREE_FUNCTION Free;
  };
  LIST_ENTRY ListEntry;
  ULONG LastTotalAllocates;
  ULONG LastAllocateMisses;
  ULONG Future[2];
  ULONG WskportFlags;
} GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE;

typedef struct _NPAGED_LOOKASIDE_LIST {
  GENERAL_LOOKASIDE L;
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;
typedef struct _PAGED_LOOKASIDE_LIST {
  GENERAL_LOOKASIDE L;
} PAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;
typedef struct _LOOKASIDE_LIST_EX {
  GENERAL_LOOKASIDE L;
} LOOKASIDE_LIST_EX, *PLOOKASIDE_LIST_EX;

#define LOOKASIDE_MINIMUM_BLOCK_SIZE (RTL_SIZEOF_THROUGH_FIELD(SLIST_ENTRY, Next))
#define EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL 0x00000001UL
#define EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE 0x00000002UL
#define EX_MAXIMUM_LOOKASIDE_DEPTH_BASE 256
#define EX_MAXIMUM_LOOKASIDE_DEPTH_LIMIT 1024

/** Initialises a lookaside list of @p Size-byte blocks tagged @p Tag. @p Allocate and
 *  @p Free default to the pool; up to 256 freed blocks are cached (@p Depth ignored, as
 *  Windows does). */
NTKERNELAPI VOID ExInitializeNPagedLookasideList(_Out_ PNPAGED_LOOKASIDE_LIST Lookaside,
                                                 _In_opt_ PALLOCATE_FUNCTION Allocate,
                                                 _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
                                                 _In_ SIZE_T Size, _In_ ULONG Tag,
                                                 _In_ USHORT Depth);
/** A cached block, or a new one from the allocate routine (NULL if that fails). */
NTKERNELAPI PVOID ExAllocateFromNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);
/** Caches @p Entry, or hands it to the free routine when the cache is full. */
NTKERNELAPI VOID ExFreeToNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside,
                                             _In_ PVOID Entry);
/** Frees every cached block. */
NTKERNELAPI VOID ExDeleteNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID ExInitializePagedLookasideList(_Out_ PPAGED_LOOKASIDE_LIST Lookaside,
                                                _In_opt_ PALLOCATE_FUNCTION Allocate,
                                                _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
                                                _In_ SIZE_T Size, _In_ ULONG Tag,
                                                _In_ USHORT Depth);
NTKERNELAPI PVOID ExAllocateFromPagedLookasideList(_Inout_ PPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID ExFreeToPagedLookasideList(_Inout_ PPAGED_LOOKASIDE_LIST Lookaside,
                                            _In_ PVOID Entry);
NTKERNELAPI VOID ExDeletePagedLookasideList(_Inout_ PPAGED_LOOKASIDE_LIST Lookaside);
/** LOOKASIDE_LIST_EX: STATUS_SUCCESS, or STATUS_INVALID_PARAMETER_5 for unknown flags. */
NTKERNELAPI NTSTATUS ExInitializeLookasideListEx(_Out_ PLOOKASIDE_LIST_EX Lookaside,
                                                 _In_opt_ PALLOCATE_FUNCTION_EX Allocate,
                                                 _In_opt_ PFREE_FUNCTION_EX Free,
                                                 _In_ POOL_TYPE PoolType, _In_ ULONG Flags,
                                                 _In_ SIZE_T Size, _In_ ULONG Tag,
                                                 _In_ USHORT Depth);
NTKERNELAPI PVOID ExAllocateFromLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI VOID ExFreeToLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside, _In_ PVOID Entry);
NTKERNELAPI VOID ExDeleteLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI VOID ExFlushLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside);

/* ------------------------------------------------------------- memory ----------- */

#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length) WskportSecureZeroMemory((Destination), (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory
/** Number of leading bytes that are equal. */
NTSYSAPI SIZE_T RtlCompareMemory(_In_ const VOID* Source1, _In_ const VOID* Source2,
                                 _In_ SIZE_T Length);
NTSYSAPI PVOID WskportSecureZeroMemory(_Out_writes_bytes_all_(Length) PVOID Destination,
                                       _In_ SIZE_T Length);

/* Byte swaps (Wine's WSK test uses them as htons/htonl). */
WSKPORT_KM_INLINE USHORT RtlUshortByteSwap(_In_ USHORT Source) {
  return (USHORT)((Source >> 8) | (Source << 8));
}
WSKPORT_KM_INLINE ULONG RtlUlongByteSwap(_In_ ULONG Source) {
  return ((Source & 0xFF000000u) >> 24) | ((Source & 0x00FF0000u) >> 8) |
         ((Source & 0x0000FF00u) << 8) | ((Source & 0x000000FFu) << 24);
}
WSKPORT_KM_INLINE ULONGLONG RtlUlonglongByteSwap(_In_ ULONGLONG Source) {
  return ((ULONGLONG)RtlUlongByteSwap((ULONG)Source) << 32) |
         RtlUlongByteSwap((ULONG)(Source >> 32));
}

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_EX_H */
