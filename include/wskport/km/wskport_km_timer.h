/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_timer.h: kernel timers (KTIMER), deferred procedure calls (KDPC) and
 * executive work items (WORK_QUEUE_ITEM, ExQueueWorkItem), as wdm.h declares them.
 *
 * In a process: one runtime timer thread keeps the armed timers in due-time order; at
 * expiry it signals the timer (a dispatcher object: KeWaitForSingleObject and
 * KeWaitForMultipleObjects wait on it like on a KEVENT) and queues its DPC. One
 * runtime DPC thread runs queued DPCs in order at DISPATCH_LEVEL (threaded DPCs at
 * PASSIVE_LEVEL, as Windows runs them by default), so a DPC routine never runs
 * concurrently with itself or with another DPC. Both threads start on first use and
 * never keep the process alive: a driver must cancel its timers and call
 * KeFlushQueuedDpcs in DriverUnload, as in the kernel. Implemented in
 * common/km/km_timer.cpp (timers, DPCs) and km_device.cpp (work items).
 */
#pragma once
#ifndef WSKPORT_KM_TIMER_H
#define WSKPORT_KM_TIMER_H

#include "wskport_km_base.h"
#include "wskport_km_io.h"
#include "wskport_km_ke.h"

WSKPORT_KM_BEGIN_DECLS

/* ---------------------------------------------------------------- DPCs ---------- */

struct _KDPC;

typedef VOID KDEFERRED_ROUTINE(_In_ struct _KDPC* Dpc, _In_opt_ PVOID DeferredContext,
                               _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE* PKDEFERRED_ROUTINE;

typedef enum _KDPC_IMPORTANCE {
  LowImportance,
  MediumImportance,
  HighImportance,
  MediumHighImportance
} KDPC_IMPORTANCE;

#define DPC_NORMAL 0
#define DPC_THREADED 1

/* The Windows 10 x64 layout. DpcData is non-NULL while the DPC is queued (the runtime
 * keeps it so); the other members are the driver's to read, the runtime's to write. */
typedef struct _KDPC {
  union {
    ULONG TargetInfoAsUlong;
    struct {
      UCHAR Type;
      UCHAR Importance;
      volatile USHORT Number;
    };
  };
  SINGLE_LIST_ENTRY DpcListEntry;
  KAFFINITY ProcessorHistory;
  PKDEFERRED_ROUTINE DeferredRoutine;
  PVOID DeferredContext;
  PVOID SystemArgument1;
  PVOID SystemArgument2;
  volatile PVOID DpcData;
} KDPC, *PKDPC, *PRKDPC;

/** Initialises @p Dpc to call @p DeferredRoutine(Dpc, DeferredContext, SystemArgument1,
 *  SystemArgument2) at DISPATCH_LEVEL on the runtime's DPC thread when queued. */
NTKERNELAPI VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                                 _In_opt_ PVOID DeferredContext);
/** As KeInitializeDpc; the routine runs at PASSIVE_LEVEL (Windows' default for threaded
 *  DPCs), on the same DPC thread and under the same rules. */
NTKERNELAPI VOID KeInitializeThreadedDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                                         _In_opt_ PVOID DeferredContext);
/** Queues @p Dpc with the two system arguments. Returns TRUE, or FALSE (and changes
 *  nothing) if it is already queued. A DPC that is running is no longer queued: it may
 *  queue itself again, and then runs again after it returns. Any IRQL. */
NTKERNELAPI BOOLEAN KeInsertQueueDpc(_Inout_ PRKDPC Dpc, _In_opt_ PVOID SystemArgument1,
                                     _In_opt_ PVOID SystemArgument2);
/** Removes @p Dpc from the queue: TRUE if it was queued, FALSE if not (a DPC that is
 *  running is not waited for). */
NTKERNELAPI BOOLEAN KeRemoveQueueDpc(_Inout_ PRKDPC Dpc);
/** Returns once every DPC queued before the call has run and the one running (if any)
 *  has returned. PASSIVE_LEVEL; from a DPC routine it is reported and returns at once
 *  (it would wait for itself). */
NTKERNELAPI VOID KeFlushQueuedDpcs(VOID);
/** Recorded in the DPC, no effect: one DPC thread serves every processor, in order. */
NTKERNELAPI VOID KeSetImportanceDpc(_Inout_ PRKDPC Dpc, _In_ KDPC_IMPORTANCE Importance);
NTKERNELAPI VOID KeSetTargetProcessorDpc(_Inout_ PRKDPC Dpc, _In_ CCHAR Number);

/* --------------------------------------------------------------- timers --------- */

typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;

/* The x64 layout. DueTime holds the expiry in interrupt time (KeQueryInterruptTime's
 * clock) while the timer is set; Period is in milliseconds (0: one-shot). */
typedef struct _KTIMER {
  DISPATCHER_HEADER Header;
  ULARGE_INTEGER DueTime;
  LIST_ENTRY TimerListEntry;
  struct _KDPC* Dpc;
  ULONG Processor;
  ULONG Period;
} KTIMER, *PKTIMER, *PRKTIMER;

/** Initialises a notification timer, not signalled and not set. */
NTKERNELAPI VOID KeInitializeTimer(_Out_ PKTIMER Timer);
/** Initialises a timer of @p Type: a NotificationTimer stays signalled once it expires
 *  (until set again); a SynchronizationTimer is reset by the one wait it satisfies.
 *  Re-initialising a timer that is set is reported, and the timer is cancelled first. */
NTKERNELAPI VOID KeInitializeTimerEx(_Out_ PKTIMER Timer, _In_ TIMER_TYPE Type);
/** KeSetTimerEx with no period. */
NTKERNELAPI BOOLEAN KeSetTimer(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime,
                               _In_opt_ PKDPC Dpc);
/** Sets @p Timer to expire at @p DueTime (negative: relative, in 100 ns units;
 *  positive: absolute system time, KeQuerySystemTime's clock, converted to a delay when
 *  set; 0 or past: at once), then every @p Period ms if nonzero. The timer becomes not
 *  signalled. At each expiry it is signalled and @p Dpc (if any) is queued with the
 *  expiry's interrupt time as SystemArgument1 (low 32 bits) and SystemArgument2 (high).
 *  Returns TRUE if the timer was set already (it is cancelled first), else FALSE. */
NTKERNELAPI BOOLEAN KeSetTimerEx(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime,
                                 _In_ LONG Period, _In_opt_ PKDPC Dpc);
/** KeSetTimerEx; @p TolerableDelay is accepted and ignored (tolerance 0). */
NTKERNELAPI BOOLEAN KeSetCoalescableTimer(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime,
                                          _In_ ULONG Period, _In_ ULONG TolerableDelay,
                                          _In_opt_ PKDPC Dpc);
/** Takes @p Timer out of the timer queue: TRUE if it was set (a periodic timer always
 *  is), FALSE if it was not (a one-shot timer leaves the queue when it expires). Its
 *  DPC, if already queued or running, is neither removed nor waited for. */
NTKERNELAPI BOOLEAN KeCancelTimer(_Inout_ PKTIMER Timer);
/** TRUE if @p Timer is signalled. */
NTKERNELAPI BOOLEAN KeReadStateTimer(_In_ PKTIMER Timer);

/* ------------------------------------------------------ executive work items ----- */

typedef VOID WORKER_THREAD_ROUTINE(_In_ PVOID Parameter);
typedef WORKER_THREAD_ROUTINE* PWORKER_THREAD_ROUTINE;

/* List.Flink is non-NULL while the item is queued. */
typedef struct _WORK_QUEUE_ITEM {
  LIST_ENTRY List;
  PWORKER_THREAD_ROUTINE WorkerRoutine;
  volatile PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;

#define ExInitializeWorkItem(Item, Routine, Context) \
  do {                                               \
    (Item)->WorkerRoutine = (Routine);               \
    (Item)->Parameter = (Context);                   \
    (Item)->List.Flink = NULL;                       \
  } while (0)

/** Queues @p WorkItem to run WorkerRoutine(Parameter) at PASSIVE_LEVEL on the worker
 *  threads that run IoQueueWorkItem's items (every @p QueueType shares them). The
 *  routine may free or queue the item again. Queueing an item that is still queued
 *  stops the process, as Windows bug-checks (WORKER_INVALID). */
NTKERNELAPI VOID ExQueueWorkItem(_Inout_ PWORK_QUEUE_ITEM WorkItem, _In_ WORK_QUEUE_TYPE QueueType);

/* ------------------------------------------------------------- bookkeeping ----- */

/** Not a WDK routine: for the host's unload report and tests, as WskportPoolOutstanding.
 *  Stores the number of timers still set in @p TimersSet and of DPCs still queued or
 *  running in @p DpcsPending (either may be NULL). */
VOID WskportTimersOutstanding(_Out_opt_ PULONG TimersSet, _Out_opt_ PULONG DpcsPending);

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_TIMER_H */
