/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_ke.h: dispatcher objects (KEVENT, KSEMAPHORE, KMUTEX, threads) and waits,
 * IRQL, spin locks, fast mutexes, interlocked operations, time, system threads and
 * object references: the Ke/Ex/Ps/Ob/Zw subset that WSK client code calls.
 *
 * In a process: IRQL is a per-thread number that the lock routines raise and lower and
 * KeGetCurrentIrql reports, but nothing is masked; a spin lock spins then yields; a wait
 * blocks the OS thread. Implemented in common/km/km_dispatcher.cpp, km_sync.cpp,
 * km_thread.cpp and km_time.cpp.
 */
#pragma once
#ifndef WSKPORT_KM_KE_H
#define WSKPORT_KM_KE_H

#include "wskport_km_base.h"

WSKPORT_KM_BEGIN_DECLS

/* ------------------------------------------------------- dispatcher objects ----- */

typedef enum _KOBJECTS {
  EventNotificationObject = 0,
  EventSynchronizationObject = 1,
  MutantObject = 2,
  ProcessObject = 3,
  QueueObject = 4,
  SemaphoreObject = 5,
  ThreadObject = 6,
  GateObject = 7,
  TimerNotificationObject = 8,
  TimerSynchronizationObject = 9
} KOBJECTS;

/* The header every waitable object starts with. SignalState > 0 means signalled;
 * WaitListHead links the waits blocked on the object (used by the runtime only). */
typedef struct _DISPATCHER_HEADER {
  UCHAR Type;
  UCHAR Signalling;
  UCHAR Size;
  UCHAR Reserved1;
  LONG SignalState;
  LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue } WAIT_TYPE;
typedef enum _KWAIT_REASON {
  Executive,
  FreePage,
  PageIn,
  PoolAllocation,
  DelayExecution,
  Suspended,
  UserRequest,
  WrExecutive,
  WrFreePage,
  WrPageIn,
  WrPoolAllocation,
  WrDelayExecution,
  WrSuspended,
  WrUserRequest,
  WrEventPair,
  WrQueue,
  WrLpcReceive,
  WrLpcReply,
  WrVirtualMemory,
  WrPageOut,
  WrRendezvous,
  WrKeyedEvent,
  WrTerminated,
  WrProcessInSwap,
  WrCpuRateControl,
  WrCalloutStack,
  WrKernel,
  WrResource,
  WrPushLock,
  WrMutex,
  WrQuantumEnd,
  WrDispatchInt,
  WrPreempted,
  WrYieldExecution,
  WrFastMutex,
  WrGuardedMutex,
  WrRundown,
  MaximumWaitReason
} KWAIT_REASON;

typedef struct _KEVENT {
  DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KSEMAPHORE {
  DISPATCHER_HEADER Header;
  LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE, *PRKSEMAPHORE;

typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD* PETHREAD;
typedef struct _KPROCESS *PKPROCESS, *PRKPROCESS;
typedef struct _EPROCESS* PEPROCESS;
typedef struct _OBJECT_TYPE* POBJECT_TYPE;

typedef struct _KMUTANT {
  DISPATCHER_HEADER Header;
  LIST_ENTRY MutantListEntry;
  PKTHREAD OwnerThread;
  BOOLEAN Abandoned;
  UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;

typedef struct _KWAIT_BLOCK {
  LIST_ENTRY WaitListEntry;
  PKTHREAD Thread;
  PVOID Object;
  struct _KWAIT_BLOCK* NextWaitBlock;
  USHORT WaitKey;
  UCHAR WaitType;
  UCHAR SpareByte;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;

#define THREAD_WAIT_OBJECTS 3
#define MAXIMUM_WAIT_OBJECTS 64
#define EVENT_INCREMENT 1
#define IO_NO_INCREMENT 0
#define IO_NETWORK_INCREMENT 2
#define IO_DISK_INCREMENT 1
#define IO_KEYBOARD_INCREMENT 6
#define IO_SERIAL_INCREMENT 2
#define SEMAPHORE_INCREMENT 1
#define MUTANT_INCREMENT 1
#define LOW_PRIORITY 0
#define LOW_REALTIME_PRIORITY 16
#define HIGH_PRIORITY 31
#define MAXIMUM_PRIORITY 32

/* ---------------------------------------------------------------- IRQL ---------- */

/** The calling thread's IRQL (PASSIVE_LEVEL unless raised by the routines below).
 *  Bookkeeping only: a process masks no interrupts. */
NTKERNELAPI KIRQL KeGetCurrentIrql(VOID);
/** Raises the thread's IRQL to @p NewIrql and returns the previous one in @p OldIrql. */
NTKERNELAPI VOID KeRaiseIrql(_In_ KIRQL NewIrql, _Out_ PKIRQL OldIrql);
/** Lowers the thread's IRQL back to @p NewIrql. */
NTKERNELAPI VOID KeLowerIrql(_In_ KIRQL NewIrql);
/** Raises to DISPATCH_LEVEL; returns the previous IRQL. */
NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(VOID);
/** Number of processors the process may run on (std::thread::hardware_concurrency). */
NTKERNELAPI ULONG KeQueryActiveProcessorCount(_Out_opt_ PKAFFINITY ActiveProcessors);
NTKERNELAPI ULONG KeGetCurrentProcessorNumber(VOID);
/** Critical and guarded regions: counted per thread, no APCs exist to hold off. */
NTKERNELAPI VOID KeEnterCriticalRegion(VOID);
NTKERNELAPI VOID KeLeaveCriticalRegion(VOID);
NTKERNELAPI VOID KeEnterGuardedRegion(VOID);
NTKERNELAPI VOID KeLeaveGuardedRegion(VOID);
NTKERNELAPI BOOLEAN KeAreApcsDisabled(VOID);

/* ------------------------------------------------------------- spin locks ------- */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

typedef struct _KSPIN_LOCK_QUEUE {
  struct _KSPIN_LOCK_QUEUE* volatile Next;
  PKSPIN_LOCK volatile Lock;
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;

typedef struct _KLOCK_QUEUE_HANDLE {
  KSPIN_LOCK_QUEUE LockQueue;
  KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;

/** Initialises a spin lock to the released state. */
NTKERNELAPI VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock);
/** Acquires @p SpinLock (spinning, then yielding the OS thread), raises to
 *  DISPATCH_LEVEL and returns the previous IRQL in @p OldIrql. Not recursive. */
NTKERNELAPI VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql);
/** Releases @p SpinLock and restores @p NewIrql. */
NTKERNELAPI VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL NewIrql);
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(_Inout_ PKSPIN_LOCK SpinLock);
/** As KeAcquireSpinLock without the IRQL change (caller is at DISPATCH_LEVEL). */
NTKERNELAPI VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
/** TRUE if acquired (IRQL raised, previous one in @p OldIrql), FALSE if held. */
NTKERNELAPI BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
/** In-stack queued spin locks: the same lock word, the handle keeps lock and IRQL. */
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLock(_Inout_ PKSPIN_LOCK SpinLock,
                                                _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLock(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock,
                                                          _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
/** The I/O manager's cancel spin lock (one per process). */
NTKERNELAPI VOID IoAcquireCancelSpinLock(_Out_ PKIRQL Irql);
NTKERNELAPI VOID IoReleaseCancelSpinLock(_In_ KIRQL Irql);

/* ----------------------------------------------------------- fast mutexes ------- */

typedef struct _FAST_MUTEX {
  volatile LONG Count; /* 1 = free */
  PVOID Owner;
  ULONG Contention;
  KEVENT Event;
  ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;

#define FM_LOCK_BIT 0x1

/** Initialises a fast mutex to the released state. */
NTKERNELAPI VOID ExInitializeFastMutex(_Out_ PFAST_MUTEX FastMutex);
/** Acquires (blocking; not recursive), raising the IRQL to APC_LEVEL. */
NTKERNELAPI VOID ExAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExAcquireFastMutexUnsafe(_Inout_ PFAST_MUTEX FastMutex);
/** Releases and restores the IRQL saved by the acquire. */
NTKERNELAPI VOID ExReleaseFastMutex(_Inout_ PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExReleaseFastMutexUnsafe(_Inout_ PFAST_MUTEX FastMutex);
/** TRUE if acquired without waiting, FALSE if it is held. */
NTKERNELAPI BOOLEAN ExTryToAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
#define KeInitializeGuardedMutex ExInitializeFastMutex
#define KeAcquireGuardedMutex ExAcquireFastMutex
#define KeReleaseGuardedMutex ExReleaseFastMutex
#define KeTryToAcquireGuardedMutex ExTryToAcquireFastMutex
#define KeAcquireGuardedMutexUnsafe ExAcquireFastMutexUnsafe
#define KeReleaseGuardedMutexUnsafe ExReleaseFastMutexUnsafe

/* ------------------------------------------------------------ interlocked -------- */

/** Sequentially consistent atomic operations on naturally aligned values; each returns
 *  what Windows returns (the new value for Increment/Decrement/Add, the old value for
 *  Exchange/CompareExchange/ExchangeAdd/Or/And/Xor). */
LONG InterlockedIncrement(_Inout_ LONG volatile* Addend);
LONG InterlockedDecrement(_Inout_ LONG volatile* Addend);
LONG InterlockedExchange(_Inout_ LONG volatile* Target, _In_ LONG Value);
LONG InterlockedCompareExchange(_Inout_ LONG volatile* Destination, _In_ LONG Exchange,
                                _In_ LONG Comperand);
LONG InterlockedExchangeAdd(_Inout_ LONG volatile* Addend, _In_ LONG Value);
LONG InterlockedAdd(_Inout_ LONG volatile* Addend, _In_ LONG Value);
LONG InterlockedOr(_Inout_ LONG volatile* Destination, _In_ LONG Value);
LONG InterlockedAnd(_Inout_ LONG volatile* Destination, _In_ LONG Value);
LONG InterlockedXor(_Inout_ LONG volatile* Destination, _In_ LONG Value);
LONG64 InterlockedIncrement64(_Inout_ LONG64 volatile* Addend);
LONG64 InterlockedDecrement64(_Inout_ LONG64 volatile* Addend);
LONG64 InterlockedExchange64(_Inout_ LONG64 volatile* Target, _In_ LONG64 Value);
LONG64 InterlockedCompareExchange64(_Inout_ LONG64 volatile* Destination, _In_ LONG64 Exchange,
                                    _In_ LONG64 Comperand);
LONG64 InterlockedExchangeAdd64(_Inout_ LONG64 volatile* Addend, _In_ LONG64 Value);
LONG64 InterlockedAdd64(_Inout_ LONG64 volatile* Addend, _In_ LONG64 Value);
LONG64 InterlockedOr64(_Inout_ LONG64 volatile* Destination, _In_ LONG64 Value);
LONG64 InterlockedAnd64(_Inout_ LONG64 volatile* Destination, _In_ LONG64 Value);
PVOID InterlockedExchangePointer(_Inout_ PVOID volatile* Target, _In_opt_ PVOID Value);
PVOID InterlockedCompareExchangePointer(_Inout_ PVOID volatile* Destination,
                                        _In_opt_ PVOID Exchange, _In_opt_ PVOID Comperand);
LONG64 InterlockedXor64(_Inout_ LONG64 volatile* Destination, _In_ LONG64 Value);
/* The 8- and 16-bit forms (Windows 8 and later headers), same return conventions. */
CHAR InterlockedExchange8(_Inout_ CHAR volatile* Target, _In_ CHAR Value);
CHAR InterlockedCompareExchange8(_Inout_ CHAR volatile* Destination, _In_ CHAR Exchange,
                                 _In_ CHAR Comperand);
CHAR InterlockedExchangeAdd8(_Inout_ CHAR volatile* Addend, _In_ CHAR Value);
CHAR InterlockedAnd8(_Inout_ CHAR volatile* Destination, _In_ CHAR Value);
CHAR InterlockedOr8(_Inout_ CHAR volatile* Destination, _In_ CHAR Value);
CHAR InterlockedXor8(_Inout_ CHAR volatile* Destination, _In_ CHAR Value);
SHORT InterlockedIncrement16(_Inout_ SHORT volatile* Addend);
SHORT InterlockedDecrement16(_Inout_ SHORT volatile* Addend);
SHORT InterlockedExchange16(_Inout_ SHORT volatile* Target, _In_ SHORT Value);
SHORT InterlockedCompareExchange16(_Inout_ SHORT volatile* Destination, _In_ SHORT Exchange,
                                   _In_ SHORT Comperand);
SHORT InterlockedExchangeAdd16(_Inout_ SHORT volatile* Addend, _In_ SHORT Value);
SHORT InterlockedAnd16(_Inout_ SHORT volatile* Destination, _In_ SHORT Value);
SHORT InterlockedOr16(_Inout_ SHORT volatile* Destination, _In_ SHORT Value);
SHORT InterlockedXor16(_Inout_ SHORT volatile* Destination, _In_ SHORT Value);
/** Atomically sets (resets) bit @p Offset of the bit string at @p Base; returns the
 *  bit's previous value (0 or 1). */
BOOLEAN InterlockedBitTestAndSet(_Inout_ LONG volatile* Base, _In_ LONG Offset);
BOOLEAN InterlockedBitTestAndReset(_Inout_ LONG volatile* Base, _In_ LONG Offset);
BOOLEAN InterlockedBitTestAndSet64(_Inout_ LONG64 volatile* Base, _In_ LONG64 Offset);
BOOLEAN InterlockedBitTestAndReset64(_Inout_ LONG64 volatile* Base, _In_ LONG64 Offset);
#define InterlockedExchangeAcquire8 InterlockedExchange8
#define InterlockedExchangeNoFence8 InterlockedExchange8
#define InterlockedCompareExchangeAcquire16 InterlockedCompareExchange16
#define InterlockedCompareExchangeRelease16 InterlockedCompareExchange16
#define InterlockedCompareExchangeNoFence16 InterlockedCompareExchange16
#define InterlockedIncrementAcquire16 InterlockedIncrement16
#define InterlockedIncrementRelease16 InterlockedIncrement16
#define InterlockedIncrementNoFence16 InterlockedIncrement16
#define InterlockedDecrementAcquire16 InterlockedDecrement16
#define InterlockedDecrementRelease16 InterlockedDecrement16
#define InterlockedDecrementNoFence16 InterlockedDecrement16
#define InterlockedAndAcquire InterlockedAnd
#define InterlockedAndRelease InterlockedAnd
#define InterlockedAndNoFence InterlockedAnd
#define InterlockedOrAcquire InterlockedOr
#define InterlockedOrRelease InterlockedOr
#define InterlockedOrNoFence InterlockedOr
#define InterlockedXorAcquire InterlockedXor
#define InterlockedXorRelease InterlockedXor
#define InterlockedXorNoFence InterlockedXor
#define InterlockedExchangeAddNoFence InterlockedExchangeAdd
#define InterlockedAddNoFence InterlockedAdd
#define InterlockedIncrement64NoFence InterlockedIncrement64
#define InterlockedCompareExchange64NoFence InterlockedCompareExchange64
#define InterlockedIncrementAcquire InterlockedIncrement
#define InterlockedIncrementRelease InterlockedIncrement
#define InterlockedIncrementNoFence InterlockedIncrement
#define InterlockedDecrementAcquire InterlockedDecrement
#define InterlockedDecrementRelease InterlockedDecrement
#define InterlockedDecrementNoFence InterlockedDecrement
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define InterlockedCompareExchangeNoFence InterlockedCompareExchange
#define InterlockedExchangeNoFence InterlockedExchange
#define InterlockedExchangeAcquire InterlockedExchange
#define InterlockedCompareExchangePointerAcquire InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerRelease InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerNoFence InterlockedCompareExchangePointer
#define InterlockedExchangePointerNoFence InterlockedExchangePointer
#define InterlockedExchangePointerAcquire InterlockedExchangePointer
#define InterlockedIncrementSizeT(a) ((SIZE_T)InterlockedIncrement64((LONG64 volatile*)(a)))
#define InterlockedDecrementSizeT(a) ((SIZE_T)InterlockedDecrement64((LONG64 volatile*)(a)))
#define InterlockedExchangeAddSizeT(a, b) \
  ((SIZE_T)InterlockedExchangeAdd64((LONG64 volatile*)(a), (LONG64)(b)))
/** Full memory barrier. */
VOID KeMemoryBarrier(VOID);
#define MemoryBarrier KeMemoryBarrier
#define KeMemoryBarrierWithoutFence KeMemoryBarrier
#define YieldProcessor() ((void)0)
/* Plain reads and writes that kernel code marks as "no tearing"; atomic in the library. */
LONG ReadNoFence(_In_reads_(1) LONG const volatile* Source);
VOID WriteNoFence(_Out_writes_(1) LONG volatile* Destination, _In_ LONG Value);
#define ReadAcquire ReadNoFence
#define WriteRelease WriteNoFence

WSKPORT_KM_END_DECLS

#if defined(__cplusplus) && defined(__SIZEOF_LONG__) && __SIZEOF_LONG__ == 8
/* Windows code declares its counters `long` (LONG is long there). Under LP64 `long` is
 * 64 bits and LONG is int, so `volatile long*` does not convert to `LONG volatile*`;
 * C++ gets overloads that operate atomically on the whole 64-bit long. (C cannot
 * overload: there, such code needs LONG, or it gets an incompatible-pointer warning.) */
#define WSKPORT_KM_LONG_RMW(name, op, result)                    \
  inline long name(long volatile* Target, long Value) noexcept { \
    long old = __atomic_##op(Target, Value, __ATOMIC_SEQ_CST);   \
    (void)old;                                                   \
    return result;                                               \
  }
WSKPORT_KM_LONG_RMW(InterlockedExchangeAdd, fetch_add, old)
WSKPORT_KM_LONG_RMW(InterlockedAdd, fetch_add, old + Value)
WSKPORT_KM_LONG_RMW(InterlockedOr, fetch_or, old)
WSKPORT_KM_LONG_RMW(InterlockedAnd, fetch_and, old)
WSKPORT_KM_LONG_RMW(InterlockedXor, fetch_xor, old)
#undef WSKPORT_KM_LONG_RMW
inline long InterlockedIncrement(long volatile* Addend) noexcept {
  return __atomic_add_fetch(Addend, 1L, __ATOMIC_SEQ_CST);
}
inline long InterlockedDecrement(long volatile* Addend) noexcept {
  return __atomic_sub_fetch(Addend, 1L, __ATOMIC_SEQ_CST);
}
inline long InterlockedExchange(long volatile* Target, long Value) noexcept {
  return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
inline long InterlockedCompareExchange(long volatile* Destination, long Exchange,
                                       long Comperand) noexcept {
  __atomic_compare_exchange_n(Destination, &Comperand, Exchange, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return Comperand;
}
#endif

WSKPORT_KM_BEGIN_DECLS

/* ----------------------------------------------------------- events and waits ---- */

/** Initialises @p Event: NotificationEvent (stays signalled until reset) or
 *  SynchronizationEvent (one satisfied wait resets it), signalled if @p State. */
NTKERNELAPI VOID KeInitializeEvent(_Out_ PRKEVENT Event, _In_ EVENT_TYPE Type, _In_ BOOLEAN State);
/** Signals @p Event and wakes its waiters; returns the previous state (0 or 1).
 *  @p Increment and @p Wait are accepted and ignored. */
NTKERNELAPI LONG KeSetEvent(_Inout_ PRKEVENT Event, _In_ KPRIORITY Increment, _In_ BOOLEAN Wait);
/** Resets @p Event to not signalled. */
NTKERNELAPI VOID KeClearEvent(_Inout_ PRKEVENT Event);
/** Resets @p Event and returns its previous state. */
NTKERNELAPI LONG KeResetEvent(_Inout_ PRKEVENT Event);
/** The current state (nonzero = signalled). */
NTKERNELAPI LONG KeReadStateEvent(_In_ PRKEVENT Event);
/** Waits until @p Object (a KEVENT, KSEMAPHORE, KMUTEX or a thread object from
 *  PsCreateSystemThread/PsGetCurrentThread) is signalled. @p Timeout: NULL waits forever,
 *  0 polls, negative is relative and positive absolute system time, in 100 ns units.
 *  Returns STATUS_SUCCESS or STATUS_TIMEOUT (STATUS_ABANDONED for an abandoned mutex).
 *  Not alertable: STATUS_ALERTED/STATUS_USER_APC never occur. */
NTKERNELAPI NTSTATUS KeWaitForSingleObject(_In_ PVOID Object, _In_ KWAIT_REASON WaitReason,
                                           _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                           _In_opt_ PLARGE_INTEGER Timeout);
/** Waits for all (WaitAll) or any (WaitAny) of @p Count objects (at most
 *  MAXIMUM_WAIT_OBJECTS). Returns STATUS_WAIT_0 + index for WaitAny, STATUS_SUCCESS for
 *  WaitAll, STATUS_TIMEOUT, or STATUS_INVALID_PARAMETER for a bad count.
 *  @p WaitBlockArray is accepted and not used. */
NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(_In_ ULONG Count, _In_reads_(Count) PVOID Object[],
                                              _In_ WAIT_TYPE WaitType, _In_ KWAIT_REASON WaitReason,
                                              _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                              _In_opt_ PLARGE_INTEGER Timeout,
                                              _Out_opt_ PKWAIT_BLOCK WaitBlockArray);
#define KeWaitForMutexObject KeWaitForSingleObject
/** Semaphores: KeReleaseSemaphore returns the previous count; exceeding the limit is
 *  reported (Windows raises STATUS_SEMAPHORE_LIMIT_EXCEEDED) and leaves the count. */
NTKERNELAPI VOID KeInitializeSemaphore(_Out_ PRKSEMAPHORE Semaphore, _In_ LONG Count,
                                       _In_ LONG Limit);
NTKERNELAPI LONG KeReleaseSemaphore(_Inout_ PRKSEMAPHORE Semaphore, _In_ KPRIORITY Increment,
                                    _In_ LONG Adjustment, _In_ BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateSemaphore(_In_ PRKSEMAPHORE Semaphore);
/** Mutexes (recursive for their owner thread). KeReleaseMutex by a non-owner is
 *  reported (Windows bug-checks) and ignored; returns the previous state. */
NTKERNELAPI VOID KeInitializeMutex(_Out_ PRKMUTEX Mutex, _In_ ULONG Level);
NTKERNELAPI LONG KeReleaseMutex(_Inout_ PRKMUTEX Mutex, _In_ BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateMutex(_In_ PRKMUTEX Mutex);

/* -------------------------------------------------------------- time ------------ */

/** System time: 100 ns units since 1601-01-01 UTC. */
NTKERNELAPI VOID KeQuerySystemTime(_Out_ PLARGE_INTEGER CurrentTime);
NTKERNELAPI VOID KeQuerySystemTimePrecise(_Out_ PLARGE_INTEGER CurrentTime);
/** Interrupt time: 100 ns units since an arbitrary start (monotonic). */
NTKERNELAPI ULONGLONG KeQueryInterruptTime(VOID);
NTKERNELAPI ULONGLONG KeQueryInterruptTimePrecise(_Out_ PULONG64 QpcTimeStamp);
/** Ticks of KeQueryTimeIncrement() (156250 = 15.625 ms) since the interrupt-time start. */
NTKERNELAPI VOID KeQueryTickCount(_Out_ PLARGE_INTEGER CurrentCount);
NTKERNELAPI ULONG KeQueryTimeIncrement(VOID);
/** A monotonic counter and its frequency (10 MHz). */
NTKERNELAPI LARGE_INTEGER KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency);
/** Sleeps for @p Interval (negative: relative, positive: absolute system time, 100 ns).
 *  Returns STATUS_SUCCESS. */
NTKERNELAPI NTSTATUS KeDelayExecutionThread(_In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                            _In_ PLARGE_INTEGER Interval);
/** Local time = system time + the host's UTC offset now. */
NTKERNELAPI VOID ExSystemTimeToLocalTime(_In_ PLARGE_INTEGER SystemTime,
                                         _Out_ PLARGE_INTEGER LocalTime);
NTKERNELAPI VOID ExLocalTimeToSystemTime(_In_ PLARGE_INTEGER LocalTime,
                                         _Out_ PLARGE_INTEGER SystemTime);

typedef struct _TIME_FIELDS {
  SHORT Year;
  SHORT Month;
  SHORT Day;
  SHORT Hour;
  SHORT Minute;
  SHORT Second;
  SHORT Milliseconds;
  SHORT Weekday; /* 0 = Sunday */
} TIME_FIELDS, *PTIME_FIELDS;
/** Splits a system time (since 1601) into calendar fields (proleptic Gregorian). */
NTSYSAPI VOID RtlTimeToTimeFields(_In_ PLARGE_INTEGER Time, _Out_ PTIME_FIELDS TimeFields);
/** The reverse; FALSE for out-of-range fields. */
NTSYSAPI BOOLEAN RtlTimeFieldsToTime(_In_ PTIME_FIELDS TimeFields, _Out_ PLARGE_INTEGER Time);

/* --------------------------------------------------- threads and objects -------- */

typedef VOID KSTART_ROUTINE(_In_ PVOID StartContext);
typedef KSTART_ROUTINE* PKSTART_ROUTINE;

typedef struct _CLIENT_ID {
  HANDLE UniqueProcess;
  HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef struct _OBJECT_HANDLE_INFORMATION {
  ULONG HandleAttributes;
  ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread() NtCurrentThread()

/** Starts @p StartRoutine(@p StartContext) on a new OS thread and returns a handle to
 *  its thread object in @p ThreadHandle (close it with ZwClose). The thread ends when
 *  the routine returns or calls PsTerminateSystemThread. @p ProcessHandle must be NULL
 *  or NtCurrentProcess(). Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER, or
 *  STATUS_INSUFFICIENT_RESOURCES. */
NTKERNELAPI NTSTATUS PsCreateSystemThread(_Out_ PHANDLE ThreadHandle, _In_ ULONG DesiredAccess,
                                          _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                          _In_opt_ HANDLE ProcessHandle,
                                          _Out_opt_ PCLIENT_ID ClientId,
                                          _In_ PKSTART_ROUTINE StartRoutine,
                                          _In_opt_ PVOID StartContext);
/** Ends the calling system thread with @p ExitStatus (does not return). From a thread
 *  not made by PsCreateSystemThread it returns STATUS_INVALID_PARAMETER, as Windows.
 *  Implementation: throws a private C++ exception that the thread's entry wrapper
 *  catches, so frames in between (C frames too) are unwound without running C++
 *  destructors marked noexcept in between; see the porting guide. */
NTKERNELAPI NTSTATUS PsTerminateSystemThread(_In_ NTSTATUS ExitStatus);
/** The calling thread's object (created on first use for threads the runtime did not
 *  start). PsGetCurrentThread's object is not referenced for the caller. */
NTKERNELAPI PETHREAD PsGetCurrentThread(VOID);
NTKERNELAPI PKTHREAD KeGetCurrentThread(VOID);
NTKERNELAPI HANDLE PsGetCurrentThreadId(VOID);
NTKERNELAPI HANDLE PsGetCurrentProcessId(VOID);
NTKERNELAPI PEPROCESS PsGetCurrentProcess(VOID);
#define IoGetCurrentProcess PsGetCurrentProcess
NTKERNELAPI HANDLE PsGetThreadId(_In_ PETHREAD Thread);
NTKERNELAPI BOOLEAN PsIsSystemThread(_In_ PETHREAD Thread);
/** TRUE once @p Thread's routine has returned or called PsTerminateSystemThread. */
NTKERNELAPI BOOLEAN PsIsThreadTerminating(_In_ PETHREAD Thread);
NTKERNELAPI KPRIORITY KeSetPriorityThread(_Inout_ PKTHREAD Thread, _In_ KPRIORITY Priority);
NTKERNELAPI KPRIORITY KeQueryPriorityThread(_In_ PKTHREAD Thread);

extern POBJECT_TYPE* PsThreadType;
extern POBJECT_TYPE* PsProcessType;
extern POBJECT_TYPE* ExEventObjectType;
extern POBJECT_TYPE* IoFileObjectType;

/** Looks up @p Handle (a thread handle from PsCreateSystemThread, or NtCurrentThread())
 *  and returns its object referenced in @p Object. Returns STATUS_SUCCESS,
 *  STATUS_INVALID_HANDLE, or STATUS_OBJECT_TYPE_MISMATCH (type given and different). */
NTKERNELAPI NTSTATUS ObReferenceObjectByHandle(
    _In_ HANDLE Handle, _In_ ACCESS_MASK DesiredAccess, _In_opt_ POBJECT_TYPE ObjectType,
    _In_ KPROCESSOR_MODE AccessMode, _Out_ PVOID* Object,
    _Out_opt_ POBJECT_HANDLE_INFORMATION HandleInformation);
#define ObReferenceObjectByHandleWithTag(h, a, t, m, tag, o, i) \
  ObReferenceObjectByHandle(h, a, t, m, o, i)
/** Adds a reference to an object of the runtime (a thread object); for any other
 *  pointer it is reported once and has no effect. */
NTKERNELAPI LONG_PTR ObfReferenceObject(_In_ PVOID Object);
/** Drops a reference; the object is freed with the last one. */
NTKERNELAPI LONG_PTR ObfDereferenceObject(_In_ PVOID Object);
#define ObReferenceObject(o) ObfReferenceObject(o)
#define ObDereferenceObject(o) ObfDereferenceObject(o)
#define ObReferenceObjectWithTag(o, t) ObfReferenceObject(o)
#define ObDereferenceObjectWithTag(o, t) ObfDereferenceObject(o)
#define ObDereferenceObjectDeferDelete(o) ObfDereferenceObject(o)
/** Closes a handle from PsCreateSystemThread. STATUS_SUCCESS or STATUS_INVALID_HANDLE. */
NTSYSAPI NTSTATUS ZwClose(_In_ HANDLE Handle);
#define NtClose ZwClose

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_KE_H */
