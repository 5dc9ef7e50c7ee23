// SPDX-License-Identifier: MIT
// IRQL bookkeeping, spin locks, fast mutexes and the Interlocked family.
//
// IRQL is a per-thread number: the lock routines raise and lower it and
// KeGetCurrentIrql reports it, so kernel code's own IRQL checks (NT_ASSERT(KeGetCurrent
// Irql() <= APC_LEVEL)) keep their meaning, but nothing is masked and a thread "at
// DISPATCH_LEVEL" can still be preempted. A spin lock spins briefly and then yields the
// OS thread, so a preempted holder does not burn the waiter's time slice.
#include <atomic>
#include <cstdint>
#include <thread>

#include "common/km/km_dispatcher.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

KIRQL& current_irql() noexcept {
  thread_local KIRQL irql = PASSIVE_LEVEL;
  return irql;
}

namespace {

thread_local int g_critical_regions = 0;

// The lock word holds the owner's identity (an address unique to the thread), so a
// thread that acquires a spin lock it already holds is stopped with a report instead of
// spinning forever, as Driver Verifier stops it in the kernel.
ULONG_PTR self_id() noexcept {
  thread_local char marker = 0;
  return reinterpret_cast<ULONG_PTR>(&marker);
}

void spin_acquire(PKSPIN_LOCK lock) noexcept {
  auto word = atomic(*lock);
  const ULONG_PTR me = self_id();
  for (unsigned spins = 0;; ++spins) {
    ULONG_PTR expected = 0;
    if (word.compare_exchange_weak(expected, me, std::memory_order_acquire)) return;
    if (expected == me) {
      fatal(
          "spin lock %p acquired again by the thread that holds it: a deadlock in the "
          "kernel (DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4)\n",
          static_cast<void*>(lock));
    }
    if (spins >= 64) std::this_thread::yield();
  }
}

bool spin_try(PKSPIN_LOCK lock) noexcept {
  ULONG_PTR expected = 0;
  return atomic(*lock).compare_exchange_strong(expected, self_id(), std::memory_order_acquire);
}

void spin_release(PKSPIN_LOCK lock) noexcept {
  const ULONG_PTR owner = atomic(*lock).exchange(0, std::memory_order_release);
  if (owner == 0) {
    report("KeReleaseSpinLock(%p): the lock was not held\n", static_cast<void*>(lock));
  } else if (owner != self_id()) {
    report("KeReleaseSpinLock(%p): released by a thread that did not acquire it\n",
           static_cast<void*>(lock));
  }
}

KSPIN_LOCK g_cancel_lock = 0;

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

KIRQL KeGetCurrentIrql(VOID) { return current_irql(); }

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql) {
  KIRQL& irql = current_irql();
  if (NewIrql < irql) {
    report("KeRaiseIrql(%u) below the current IRQL %u (IRQL_NOT_GREATER_OR_EQUAL)\n", NewIrql,
           irql);
  }
  *OldIrql = irql;
  irql = NewIrql;
}

VOID KeLowerIrql(KIRQL NewIrql) {
  KIRQL& irql = current_irql();
  if (NewIrql > irql) {
    report("KeLowerIrql(%u) above the current IRQL %u (IRQL_NOT_LESS_OR_EQUAL)\n", NewIrql, irql);
  }
  irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(VOID) {
  KIRQL old;
  KeRaiseIrql(DISPATCH_LEVEL, &old);
  return old;
}

ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors) {
  unsigned n = std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  if (ActiveProcessors != nullptr) {
    *ActiveProcessors = n >= sizeof(KAFFINITY) * 8 ? ~KAFFINITY{0} : (KAFFINITY{1} << n) - 1;
  }
  return n;
}

ULONG KeGetCurrentProcessorNumber(VOID) { return 0; }

VOID KeEnterCriticalRegion(VOID) { ++g_critical_regions; }
VOID KeLeaveCriticalRegion(VOID) { --g_critical_regions; }
VOID KeEnterGuardedRegion(VOID) { ++g_critical_regions; }
VOID KeLeaveGuardedRegion(VOID) { --g_critical_regions; }
BOOLEAN KeAreApcsDisabled(VOID) {
  return g_critical_regions > 0 || current_irql() >= APC_LEVEL ? TRUE : FALSE;
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { atomic(*SpinLock).store(0); }

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql) {
  KeRaiseIrql(DISPATCH_LEVEL, OldIrql);
  spin_acquire(SpinLock);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) {
  KIRQL old;
  KeAcquireSpinLock(SpinLock, &old);
  return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) {
  spin_release(SpinLock);
  KeLowerIrql(NewIrql);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { spin_acquire(SpinLock); }

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { spin_release(SpinLock); }

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) {
  return spin_try(SpinLock) ? TRUE : FALSE;
}

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle) {
  KeRaiseIrql(DISPATCH_LEVEL, &LockHandle->OldIrql);
  spin_acquire(SpinLock);
  LockHandle->LockQueue.Lock = SpinLock;
  LockHandle->LockQueue.Next = nullptr;
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle) {
  spin_release(LockHandle->LockQueue.Lock);
  KeLowerIrql(LockHandle->OldIrql);
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock,
                                              PKLOCK_QUEUE_HANDLE LockHandle) {
  spin_acquire(SpinLock);
  LockHandle->LockQueue.Lock = SpinLock;
  LockHandle->LockQueue.Next = nullptr;
  LockHandle->OldIrql = current_irql();
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle) {
  spin_release(LockHandle->LockQueue.Lock);
}

VOID IoAcquireCancelSpinLock(PKIRQL Irql) { KeAcquireSpinLock(&g_cancel_lock, Irql); }

VOID IoReleaseCancelSpinLock(KIRQL Irql) { KeReleaseSpinLock(&g_cancel_lock, Irql); }

// Fast mutex: the kernel's own scheme. Count is 1 when free; an acquirer that takes it
// below 0 waits on the synchronization event, which each contended release sets once.
VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex) {
  atomic(FastMutex->Count).store(1);
  FastMutex->Owner = nullptr;
  FastMutex->Contention = 0;
  FastMutex->OldIrql = 0;
  KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex) {
  if (atomic(FastMutex->Count).fetch_sub(1) != 1) {
    atomic(FastMutex->Contention).fetch_add(1, std::memory_order_relaxed);
    (void)KeWaitForSingleObject(&FastMutex->Event, WrFastMutex, KernelMode, FALSE, nullptr);
  }
  atomic(FastMutex->Owner).store(KeGetCurrentThread(), std::memory_order_relaxed);
}

VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex) {
  atomic(FastMutex->Owner).store(nullptr, std::memory_order_relaxed);
  if (atomic(FastMutex->Count).fetch_add(1) != 0) {
    (void)KeSetEvent(&FastMutex->Event, IO_NO_INCREMENT, FALSE);
  }
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex) {
  KIRQL old;
  KeRaiseIrql(APC_LEVEL, &old);
  ExAcquireFastMutexUnsafe(FastMutex);
  FastMutex->OldIrql = old;
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex) {
  const KIRQL old = static_cast<KIRQL>(FastMutex->OldIrql);
  ExReleaseFastMutexUnsafe(FastMutex);
  KeLowerIrql(old);
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex) {
  KIRQL old;
  KeRaiseIrql(APC_LEVEL, &old);
  LONG expected = 1;
  if (!atomic(FastMutex->Count).compare_exchange_strong(expected, 0)) {
    KeLowerIrql(old);
    return FALSE;
  }
  atomic(FastMutex->Owner).store(KeGetCurrentThread(), std::memory_order_relaxed);
  FastMutex->OldIrql = old;
  return TRUE;
}

// Interlocked: sequentially consistent, the return values Windows documents.
LONG InterlockedIncrement(LONG volatile* Addend) { return atomic(*Addend).fetch_add(1) + 1; }
LONG InterlockedDecrement(LONG volatile* Addend) { return atomic(*Addend).fetch_sub(1) - 1; }
LONG InterlockedExchange(LONG volatile* Target, LONG Value) {
  return atomic(*Target).exchange(Value);
}
LONG InterlockedCompareExchange(LONG volatile* Destination, LONG Exchange, LONG Comperand) {
  atomic(*Destination).compare_exchange_strong(Comperand, Exchange);
  return Comperand;
}
LONG InterlockedExchangeAdd(LONG volatile* Addend, LONG Value) {
  return atomic(*Addend).fetch_add(Value);
}
LONG InterlockedAdd(LONG volatile* Addend, LONG Value) {
  return atomic(*Addend).fetch_add(Value) + Value;
}
LONG InterlockedOr(LONG volatile* Destination, LONG Value) {
  return atomic(*Destination).fetch_or(Value);
}
LONG InterlockedAnd(LONG volatile* Destination, LONG Value) {
  return atomic(*Destination).fetch_and(Value);
}
LONG InterlockedXor(LONG volatile* Destination, LONG Value) {
  return atomic(*Destination).fetch_xor(Value);
}
LONG64 InterlockedIncrement64(LONG64 volatile* Addend) { return atomic(*Addend).fetch_add(1) + 1; }
LONG64 InterlockedDecrement64(LONG64 volatile* Addend) { return atomic(*Addend).fetch_sub(1) - 1; }
LONG64 InterlockedExchange64(LONG64 volatile* Target, LONG64 Value) {
  return atomic(*Target).exchange(Value);
}
LONG64 InterlockedCompareExchange64(LONG64 volatile* Destination, LONG64 Exchange,
                                    LONG64 Comperand) {
  atomic(*Destination).compare_exchange_strong(Comperand, Exchange);
  return Comperand;
}
LONG64 InterlockedExchangeAdd64(LONG64 volatile* Addend, LONG64 Value) {
  return atomic(*Addend).fetch_add(Value);
}
LONG64 InterlockedAdd64(LONG64 volatile* Addend, LONG64 Value) {
  return atomic(*Addend).fetch_add(Value) + Value;
}
LONG64 InterlockedOr64(LONG64 volatile* Destination, LONG64 Value) {
  return atomic(*Destination).fetch_or(Value);
}
LONG64 InterlockedAnd64(LONG64 volatile* Destination, LONG64 Value) {
  return atomic(*Destination).fetch_and(Value);
}
PVOID InterlockedExchangePointer(PVOID volatile* Target, PVOID Value) {
  return atomic(*Target).exchange(Value);
}
PVOID InterlockedCompareExchangePointer(PVOID volatile* Destination, PVOID Exchange,
                                        PVOID Comperand) {
  atomic(*Destination).compare_exchange_strong(Comperand, Exchange);
  return Comperand;
}
VOID KeMemoryBarrier(VOID) { std::atomic_thread_fence(std::memory_order_seq_cst); }
LONG ReadNoFence(LONG const volatile* Source) {
  return std::atomic_ref<LONG>(const_cast<LONG&>(*Source)).load(std::memory_order_relaxed);
}
VOID WriteNoFence(LONG volatile* Destination, LONG Value) {
  atomic(*Destination).store(Value, std::memory_order_relaxed);
}

}  // extern "C"
