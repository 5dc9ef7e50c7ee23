// SPDX-License-Identifier: MIT
// Interlocked doubly and singly linked lists (under a caller's KSPIN_LOCK) and SLISTs
// (a LIFO guarded by a lock word in the header: push and pop are short, so a spin lock
// costs less than the kernel's 128-bit compare-exchange scheme would save here).
#include <atomic>
#include <thread>

#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

class SListGuard {
 public:
  explicit SListGuard(PSLIST_HEADER head) noexcept : word_(head->Wskport.WskportLock) {
    for (unsigned spins = 0;; ++spins) {
      ULONG expected = 0;
      if (word_.compare_exchange_weak(expected, 1, std::memory_order_acquire)) return;
      if (spins >= 64) std::this_thread::yield();
    }
  }
  ~SListGuard() { word_.store(0, std::memory_order_release); }
  SListGuard(const SListGuard&) = delete;
  SListGuard& operator=(const SListGuard&) = delete;

 private:
  std::atomic_ref<ULONG> word_;
};

}  // namespace

}  // namespace wskport::km::detail

using wskport::km::detail::SListGuard;

extern "C" {

PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                        PKSPIN_LOCK Lock) {
  KIRQL irql;
  KeAcquireSpinLock(Lock, &irql);
  PLIST_ENTRY first = IsListEmpty(ListHead) ? nullptr : ListHead->Flink;
  InsertHeadList(ListHead, ListEntry);
  KeReleaseSpinLock(Lock, irql);
  return first;
}

PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                        PKSPIN_LOCK Lock) {
  KIRQL irql;
  KeAcquireSpinLock(Lock, &irql);
  PLIST_ENTRY last = IsListEmpty(ListHead) ? nullptr : ListHead->Blink;
  InsertTailList(ListHead, ListEntry);
  KeReleaseSpinLock(Lock, irql);
  return last;
}

PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock) {
  KIRQL irql;
  KeAcquireSpinLock(Lock, &irql);
  PLIST_ENTRY entry = IsListEmpty(ListHead) ? nullptr : RemoveHeadList(ListHead);
  KeReleaseSpinLock(Lock, irql);
  return entry;
}

PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock) {
  KIRQL irql;
  KeAcquireSpinLock(Lock, &irql);
  PSINGLE_LIST_ENTRY entry = PopEntryList(ListHead);
  KeReleaseSpinLock(Lock, irql);
  return entry;
}

PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
                                              PSINGLE_LIST_ENTRY ListEntry, PKSPIN_LOCK Lock) {
  KIRQL irql;
  KeAcquireSpinLock(Lock, &irql);
  PSINGLE_LIST_ENTRY first = ListHead->Next;
  PushEntryList(ListHead, ListEntry);
  KeReleaseSpinLock(Lock, irql);
  return first;
}

VOID InitializeSListHead(PSLIST_HEADER SListHead) {
  SListHead->Alignment = 0;
  SListHead->Region = 0;
}

PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry) {
  SListGuard guard(ListHead);
  PSLIST_ENTRY first = ListHead->Wskport.WskportFirst;
  ListEntry->Next = first;
  ListHead->Wskport.WskportFirst = ListEntry;
  ListHead->Wskport.WskportDepth++;
  ListHead->Wskport.WskportSequence++;
  return first;
}

PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead) {
  SListGuard guard(ListHead);
  PSLIST_ENTRY first = ListHead->Wskport.WskportFirst;
  if (first != nullptr) {
    ListHead->Wskport.WskportFirst = first->Next;
    ListHead->Wskport.WskportDepth--;
    ListHead->Wskport.WskportSequence++;
  }
  return first;
}

PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead) {
  SListGuard guard(ListHead);
  PSLIST_ENTRY first = ListHead->Wskport.WskportFirst;
  ListHead->Wskport.WskportFirst = nullptr;
  ListHead->Wskport.WskportDepth = 0;
  ListHead->Wskport.WskportSequence++;
  return first;
}

USHORT ExQueryDepthSList(PSLIST_HEADER SListHead) {
  SListGuard guard(SListHead);
  return SListHead->Wskport.WskportDepth;
}

}  // extern "C"
