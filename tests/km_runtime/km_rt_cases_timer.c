/* SPDX-License-Identifier: MIT */
/* Kernel timers, DPCs and executive work items, as drivers use them. Every wait is
 * bounded (KM_RT_WAIT_100NS); the only time check is "it fired no earlier than its due
 * time". State shared with a DPC or a worker is read and written with Interlocked
 * operations, or handed over through an event. */
#include "km_rt_check.h"

#define MS_100NS (10LL * 1000)

static LONG Read(LONG volatile* value) { return InterlockedCompareExchange(value, 0, 0); }

/* Polls until *value == expected, for at most 10 s. */
static BOOLEAN WaitForValue(LONG volatile* value, LONG expected) {
  LARGE_INTEGER pause;
  ULONGLONG start = KeQueryInterruptTime();
  pause.QuadPart = -1 * MS_100NS;
  while (Read(value) != expected) {
    if (KeQueryInterruptTime() - start > (ULONGLONG)-KM_RT_WAIT_100NS) return FALSE;
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
  }
  return TRUE;
}

static NTSTATUS WaitBounded(PVOID object) {
  LARGE_INTEGER timeout;
  timeout.QuadPart = KM_RT_WAIT_100NS;
  return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &timeout);
}

static NTSTATUS Poll(PVOID object) {
  LARGE_INTEGER timeout;
  timeout.QuadPart = 0;
  return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &timeout);
}

static ULONG Outstanding(void) {
  ULONG timers = 0, dpcs = 0;
  WskportTimersOutstanding(&timers, &dpcs);
  return timers + dpcs;
}

long km_rt_deferred_outstanding(void) { return (long)Outstanding(); }

int km_rt_timer_relative(void) {
  KTIMER timer;
  LARGE_INTEGER due;
  ULONGLONG start;
  KeInitializeTimer(&timer);
  CHECK_EQ(FALSE, KeReadStateTimer(&timer));
  CHECK_EQ(STATUS_TIMEOUT, Poll(&timer));
  start = KeQueryInterruptTime();
  due.QuadPart = -50 * MS_100NS;
  CHECK_EQ(FALSE, KeSetTimer(&timer, due, NULL)); /* was not set */
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&timer));
  CHECK(KeQueryInterruptTime() - start >= 50 * MS_100NS);
  /* A notification timer stays signalled, and has left the queue. */
  CHECK_EQ(TRUE, KeReadStateTimer(&timer));
  CHECK_EQ(STATUS_SUCCESS, Poll(&timer));
  CHECK_EQ(FALSE, KeCancelTimer(&timer));
  CHECK_EQ(TRUE, KeReadStateTimer(&timer));
  /* Setting it again makes it not signalled. */
  due.QuadPart = -10 * 1000 * MS_100NS;
  CHECK_EQ(FALSE, KeSetTimer(&timer, due, NULL));
  CHECK_EQ(FALSE, KeReadStateTimer(&timer));
  CHECK_EQ(TRUE, KeSetTimer(&timer, due, NULL)); /* was set: replaced */
  CHECK_EQ(TRUE, KeCancelTimer(&timer));
  CHECK_EQ(FALSE, KeCancelTimer(&timer));
  CHECK_EQ(STATUS_TIMEOUT, Poll(&timer));
  CHECK_EQ(0, Outstanding());
  return 0;
}

int km_rt_timer_absolute(void) {
  KTIMER timer;
  LARGE_INTEGER due;
  ULONGLONG start;
  KeInitializeTimerEx(&timer, NotificationTimer);
  start = KeQueryInterruptTime();
  KeQuerySystemTime(&due);
  due.QuadPart += 50 * MS_100NS;
  CHECK_EQ(FALSE, KeSetTimer(&timer, due, NULL));
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&timer));
  /* Converted to a delay when set; the system clock may be slewed, so allow 10 ms. */
  CHECK(KeQueryInterruptTime() - start >= 40 * MS_100NS);
  /* An absolute time already past, and a zero due time, expire inside the call. */
  KeQuerySystemTime(&due);
  due.QuadPart -= 1000 * MS_100NS;
  CHECK_EQ(FALSE, KeSetTimer(&timer, due, NULL));
  CHECK_EQ(TRUE, KeReadStateTimer(&timer));
  due.QuadPart = 0;
  CHECK_EQ(FALSE, KeSetTimer(&timer, due, NULL));
  CHECK_EQ(TRUE, KeReadStateTimer(&timer));
  CHECK_EQ(0, Outstanding());
  return 0;
}

int km_rt_timer_synchronization_wait(void) {
  KTIMER timer;
  KEVENT never, always;
  PVOID objects[2];
  LARGE_INTEGER due, timeout;
  KeInitializeTimerEx(&timer, SynchronizationTimer);
  due.QuadPart = -20 * MS_100NS;
  KeSetTimer(&timer, due, NULL);
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&timer));
  /* The satisfied wait reset it. */
  CHECK_EQ(FALSE, KeReadStateTimer(&timer));
  CHECK_EQ(STATUS_TIMEOUT, Poll(&timer));

  /* WaitAny: index of the timer. */
  KeInitializeEvent(&never, NotificationEvent, FALSE);
  KeInitializeEvent(&always, NotificationEvent, TRUE);
  objects[0] = &never;
  objects[1] = &timer;
  KeSetTimer(&timer, due, NULL);
  timeout.QuadPart = KM_RT_WAIT_100NS;
  CHECK_EQ(STATUS_WAIT_1, KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode,
                                                   FALSE, &timeout, NULL));
  CHECK_EQ(FALSE, KeReadStateTimer(&timer));
  /* WaitAll with a signalled event: satisfied when the timer expires, and consumes it. */
  objects[0] = &always;
  KeSetTimer(&timer, due, NULL);
  CHECK_EQ(STATUS_SUCCESS, KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode,
                                                    FALSE, &timeout, NULL));
  CHECK_EQ(FALSE, KeReadStateTimer(&timer));
  CHECK_EQ(1, KeReadStateEvent(&always));
  CHECK_EQ(0, Outstanding());
  return 0;
}

typedef struct _TIMER_WAITERS {
  KTIMER Timer;
  LONG Woken;
  LONG Started;
} TIMER_WAITERS;

static KSTART_ROUTINE TimerWaiter;
static VOID TimerWaiter(PVOID Context) {
  TIMER_WAITERS* w = (TIMER_WAITERS*)Context;
  InterlockedIncrement(&w->Started);
  if (WaitBounded(&w->Timer) == STATUS_SUCCESS) InterlockedIncrement(&w->Woken);
}

/* Both waiters of a notification timer wake; one of a synchronization timer's. */
int km_rt_timer_many_waiters(void) {
  TIMER_WAITERS w;
  HANDLE handles[2];
  PVOID threads[2];
  LARGE_INTEGER due, timeout;
  int i;
  int kind;
  for (kind = 0; kind < 2; ++kind) {
    KeInitializeTimerEx(&w.Timer, kind == 0 ? NotificationTimer : SynchronizationTimer);
    w.Woken = 0;
    w.Started = 0;
    for (i = 0; i < 2; ++i) {
      CHECK_EQ(STATUS_SUCCESS, PsCreateSystemThread(&handles[i], THREAD_ALL_ACCESS, NULL, NULL,
                                                    NULL, TimerWaiter, &w));
      CHECK_EQ(STATUS_SUCCESS,
               ObReferenceObjectByHandle(handles[i], THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
                                         &threads[i], NULL));
      ZwClose(handles[i]);
    }
    CHECK(WaitForValue(&w.Started, 2));
    due.QuadPart = -20 * MS_100NS;
    KeSetTimer(&w.Timer, due, NULL);
    if (kind == 0) {
      timeout.QuadPart = KM_RT_WAIT_100NS;
      CHECK_EQ(STATUS_SUCCESS, KeWaitForMultipleObjects(2, threads, WaitAll, Executive, KernelMode,
                                                        FALSE, &timeout, NULL));
      CHECK_EQ(2, Read(&w.Woken));
    } else {
      /* One waiter took the expiry; the timer is not signalled for the other. */
      CHECK(WaitForValue(&w.Woken, 1));
      CHECK_EQ(FALSE, KeReadStateTimer(&w.Timer));
      KeSetTimer(&w.Timer, due, NULL); /* the second expiry releases the other */
      timeout.QuadPart = KM_RT_WAIT_100NS;
      CHECK_EQ(STATUS_SUCCESS, KeWaitForMultipleObjects(2, threads, WaitAll, Executive, KernelMode,
                                                        FALSE, &timeout, NULL));
      CHECK_EQ(2, Read(&w.Woken));
    }
    ObDereferenceObject(threads[0]);
    ObDereferenceObject(threads[1]);
  }
  CHECK_EQ(0, Outstanding());
  return 0;
}

typedef struct _PERIODIC {
  KTIMER Timer;
  KDPC Dpc;
  KEVENT Fifth;
  LONG Runs;
  LONG BadIrql;
  LONG BadArguments;
  ULONGLONG Start;
} PERIODIC;

static KDEFERRED_ROUTINE PeriodicDpc;
static VOID PeriodicDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  PERIODIC* p = (PERIODIC*)Context;
  ULONGLONG expiry = (ULONGLONG)(ULONG_PTR)Arg1 | ((ULONGLONG)(ULONG_PTR)Arg2 << 32);
  if (Dpc != &p->Dpc || expiry < p->Start) InterlockedIncrement(&p->BadArguments);
  if (KeGetCurrentIrql() != DISPATCH_LEVEL) InterlockedIncrement(&p->BadIrql);
  if (InterlockedIncrement(&p->Runs) == 5) KeSetEvent(&p->Fifth, IO_NO_INCREMENT, FALSE);
}

int km_rt_timer_periodic_dpc(void) {
  PERIODIC p;
  LARGE_INTEGER due, pause;
  LONG runs;
  RtlZeroMemory(&p, sizeof p);
  KeInitializeTimerEx(&p.Timer, SynchronizationTimer);
  KeInitializeDpc(&p.Dpc, PeriodicDpc, &p);
  KeInitializeEvent(&p.Fifth, NotificationEvent, FALSE);
  p.Start = KeQueryInterruptTime();
  due.QuadPart = -5 * MS_100NS;
  CHECK_EQ(FALSE, KeSetTimerEx(&p.Timer, due, 5, &p.Dpc));
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&p.Fifth));
  CHECK(KeQueryInterruptTime() - p.Start >= 5 * MS_100NS + 4 * 5 * MS_100NS);
  /* A periodic timer is always in the queue. */
  CHECK_EQ(TRUE, KeCancelTimer(&p.Timer));
  KeFlushQueuedDpcs();
  runs = Read(&p.Runs);
  CHECK(runs >= 5);
  CHECK_EQ(0, Read(&p.BadIrql));
  CHECK_EQ(0, Read(&p.BadArguments));
  CHECK_EQ(0, Outstanding());
  /* Cancelled and flushed: nothing runs any more. */
  pause.QuadPart = -30 * MS_100NS;
  KeDelayExecutionThread(KernelMode, FALSE, &pause);
  CHECK_EQ(runs, Read(&p.Runs));

  /* KeSetCoalescableTimer: the same with a tolerance (ignored). */
  KeClearEvent(&p.Fifth);
  p.Runs = 0;
  CHECK_EQ(FALSE, KeSetCoalescableTimer(&p.Timer, due, 5, 50, &p.Dpc));
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&p.Fifth));
  CHECK_EQ(TRUE, KeCancelTimer(&p.Timer));
  KeFlushQueuedDpcs();
  CHECK_EQ(0, Outstanding());
  return 0;
}

/* A DPC that holds the DPC thread until released (bounded: 10 s). */
typedef struct _GATE {
  KDPC Dpc;
  LONG Entered;
  LONG Release;
  LONG Left;
} GATE;

static KDEFERRED_ROUTINE GateDpc;
static VOID GateDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  GATE* g = (GATE*)Context;
  ULONGLONG start = KeQueryInterruptTime();
  UNREFERENCED_PARAMETER(Dpc);
  UNREFERENCED_PARAMETER(Arg1);
  UNREFERENCED_PARAMETER(Arg2);
  InterlockedIncrement(&g->Entered);
  while (Read(&g->Release) == 0 && KeQueryInterruptTime() - start < (ULONGLONG)-KM_RT_WAIT_100NS) {
    YieldProcessor();
  }
  InterlockedIncrement(&g->Left);
}

/* Cancelling a timer whose DPC is running returns FALSE at once; KeFlushQueuedDpcs
 * waits for the running DPC. */
int km_rt_timer_cancel_while_dpc_runs(void) {
  KTIMER timer;
  GATE g;
  LARGE_INTEGER due;
  RtlZeroMemory(&g, sizeof g);
  KeInitializeTimer(&timer);
  KeInitializeDpc(&g.Dpc, GateDpc, &g);
  due.QuadPart = -1 * MS_100NS;
  KeSetTimer(&timer, due, &g.Dpc);
  CHECK(WaitForValue(&g.Entered, 1));
  CHECK_EQ(FALSE, KeCancelTimer(&timer));
  CHECK_EQ(0, Read(&g.Left)); /* the cancel did not wait for the DPC */
  CHECK_EQ(TRUE, KeReadStateTimer(&timer));
  InterlockedExchange(&g.Release, 1);
  KeFlushQueuedDpcs();
  CHECK_EQ(1, Read(&g.Left));
  CHECK_EQ(1, Read(&g.Entered));
  CHECK_EQ(0, Outstanding());
  return 0;
}

typedef struct _RECORD {
  KDPC Dpc;
  LONG Runs;
  KIRQL Irql;
  PVOID Arg1;
  PVOID Arg2;
  PVOID Context;
} RECORD;

static KDEFERRED_ROUTINE RecordDpc;
static VOID RecordDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  RECORD* r = CONTAINING_RECORD(Dpc, RECORD, Dpc);
  r->Irql = KeGetCurrentIrql();
  r->Arg1 = Arg1;
  r->Arg2 = Arg2;
  r->Context = Context;
  InterlockedIncrement(&r->Runs);
}

/* Queue, double queue, remove, order, arguments and IRQL, with the DPC thread held by
 * a gate DPC so that nothing runs while the queue is inspected. */
int km_rt_dpc_queue(void) {
  GATE g;
  RECORD normal, threaded;
  RtlZeroMemory(&g, sizeof g);
  RtlZeroMemory(&normal, sizeof normal);
  RtlZeroMemory(&threaded, sizeof threaded);
  KeInitializeDpc(&g.Dpc, GateDpc, &g);
  KeInitializeDpc(&normal.Dpc, RecordDpc, &normal);
  KeInitializeThreadedDpc(&threaded.Dpc, RecordDpc, &threaded);
  KeSetImportanceDpc(&normal.Dpc, HighImportance);
  KeSetTargetProcessorDpc(&normal.Dpc, 0);
  CHECK_EQ(TRUE, KeInsertQueueDpc(&g.Dpc, NULL, NULL));
  CHECK(WaitForValue(&g.Entered, 1));
  /* The gate runs: it is no longer queued, so it can be queued again. */
  CHECK_EQ(TRUE, KeInsertQueueDpc(&g.Dpc, NULL, NULL));
  CHECK_EQ(TRUE, KeRemoveQueueDpc(&g.Dpc));
  CHECK_EQ(FALSE, KeRemoveQueueDpc(&g.Dpc));

  CHECK_EQ(TRUE, KeInsertQueueDpc(&normal.Dpc, (PVOID)1, (PVOID)2));
  CHECK_EQ(FALSE, KeInsertQueueDpc(&normal.Dpc, (PVOID)3, (PVOID)4)); /* queued already */
  CHECK_EQ(TRUE, KeRemoveQueueDpc(&normal.Dpc));
  CHECK_EQ(FALSE, KeRemoveQueueDpc(&normal.Dpc));
  CHECK_EQ(TRUE, KeInsertQueueDpc(&normal.Dpc, (PVOID)5, (PVOID)6));
  CHECK_EQ(TRUE, KeInsertQueueDpc(&threaded.Dpc, (PVOID)7, NULL));
  CHECK_EQ(0, Read(&normal.Runs));
  InterlockedExchange(&g.Release, 1);
  KeFlushQueuedDpcs();
  CHECK_EQ(1, Read(&g.Left));
  CHECK_EQ(1, Read(&normal.Runs));
  CHECK(normal.Arg1 == (PVOID)5 && normal.Arg2 == (PVOID)6 && normal.Context == &normal);
  CHECK_EQ(DISPATCH_LEVEL, normal.Irql);
  CHECK_EQ(1, Read(&threaded.Runs));
  CHECK(threaded.Arg1 == (PVOID)7 && threaded.Arg2 == NULL);
  CHECK_EQ(PASSIVE_LEVEL, threaded.Irql);
  CHECK_EQ(PASSIVE_LEVEL, KeGetCurrentIrql());
  /* A flush with nothing queued returns. */
  KeFlushQueuedDpcs();
  CHECK_EQ(0, Outstanding());
  return 0;
}

typedef struct _REENTRY {
  KDPC Dpc;
  LONG Active;
  LONG Overlaps;
  LONG Runs;
  LONG Requeued;
  KEVENT Done;
} REENTRY;

#define REENTRY_RUNS 200

static KDEFERRED_ROUTINE ReentryDpc;
static VOID ReentryDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  REENTRY* r = (REENTRY*)Context;
  volatile int spin;
  UNREFERENCED_PARAMETER(Arg1);
  UNREFERENCED_PARAMETER(Arg2);
  if (InterlockedIncrement(&r->Active) != 1) InterlockedIncrement(&r->Overlaps);
  /* Queueing itself from its own routine is allowed: it is no longer queued. It must
   * not start again before this run ends (the spin gives it every chance to). */
  if (Read(&r->Runs) < REENTRY_RUNS && KeInsertQueueDpc(Dpc, NULL, NULL)) {
    InterlockedIncrement(&r->Requeued);
  }
  for (spin = 0; spin < 20000; ++spin) {
  }
  InterlockedDecrement(&r->Active);
  if (InterlockedIncrement(&r->Runs) == REENTRY_RUNS) KeSetEvent(&r->Done, IO_NO_INCREMENT, FALSE);
}

/* A DPC queued again while it runs (by itself, by another thread and by a 1 ms periodic
 * timer all at once) never runs concurrently with itself. */
int km_rt_dpc_not_reentered(void) {
  REENTRY r;
  KTIMER timer;
  LARGE_INTEGER due, pause;
  ULONGLONG start;
  RtlZeroMemory(&r, sizeof r);
  pause.QuadPart = 0; /* a yield */
  KeInitializeDpc(&r.Dpc, ReentryDpc, &r);
  KeInitializeEvent(&r.Done, NotificationEvent, FALSE);
  KeInitializeTimer(&timer);
  due.QuadPart = -1 * MS_100NS;
  KeSetTimerEx(&timer, due, 1, &r.Dpc);
  start = KeQueryInterruptTime();
  while (Poll(&r.Done) != STATUS_SUCCESS &&
         KeQueryInterruptTime() - start < (ULONGLONG)-KM_RT_WAIT_100NS) {
    KeInsertQueueDpc(&r.Dpc, NULL, NULL);
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
  }
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&r.Done));
  CHECK_EQ(TRUE, KeCancelTimer(&timer));
  KeFlushQueuedDpcs();
  /* A DPC queued by the last run is flushed too; after that nothing is left. */
  KeFlushQueuedDpcs();
  CHECK_EQ(0, Read(&r.Overlaps));
  CHECK(Read(&r.Runs) >= REENTRY_RUNS);
  CHECK(Read(&r.Requeued) > 0);
  CHECK_EQ(0, Outstanding());
  return 0;
}

static KDEFERRED_ROUTINE FlushingDpc;
static VOID FlushingDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  UNREFERENCED_PARAMETER(Dpc);
  UNREFERENCED_PARAMETER(Arg1);
  UNREFERENCED_PARAMETER(Arg2);
  KeFlushQueuedDpcs(); /* reported, returns */
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
}

int km_rt_dpc_flush_from_dpc(void) {
  KDPC dpc;
  KEVENT done;
  KeInitializeEvent(&done, NotificationEvent, FALSE);
  KeInitializeDpc(&dpc, FlushingDpc, &done);
  CHECK_EQ(TRUE, KeInsertQueueDpc(&dpc, NULL, NULL));
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&done));
  KeFlushQueuedDpcs();
  CHECK_EQ(0, Outstanding());
  return 0;
}

/* A timer set again (and re-initialised) while set leaves exactly one entry. */
int km_rt_timer_reset_while_set(void) {
  KTIMER timer;
  RECORD r;
  LARGE_INTEGER due;
  ULONG timers = 0;
  RtlZeroMemory(&r, sizeof r);
  KeInitializeTimer(&timer);
  KeInitializeDpc(&r.Dpc, RecordDpc, &r);
  due.QuadPart = -10 * 1000 * MS_100NS;
  CHECK_EQ(FALSE, KeSetTimer(&timer, due, &r.Dpc));
  CHECK_EQ(TRUE, KeSetTimerEx(&timer, due, 1000, &r.Dpc));
  WskportTimersOutstanding(&timers, NULL);
  CHECK_EQ(1, timers);
  /* Moved earlier: the DPC runs once, soon. */
  due.QuadPart = -1 * MS_100NS;
  CHECK_EQ(TRUE, KeSetTimer(&timer, due, &r.Dpc));
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&timer));
  KeFlushQueuedDpcs();
  CHECK_EQ(1, Read(&r.Runs));
  CHECK_EQ(FALSE, KeCancelTimer(&timer));
  CHECK_EQ(0, Outstanding());
  return 0;
}

typedef struct _EX_WORK {
  WORK_QUEUE_ITEM Item;
  KEVENT Done;
  LONG Runs;
  KIRQL Irql;
  PVOID Parameter;
} EX_WORK;

static WORKER_THREAD_ROUTINE ExWorkRoutine;
static VOID ExWorkRoutine(PVOID Parameter) {
  EX_WORK* w = (EX_WORK*)Parameter;
  w->Irql = KeGetCurrentIrql();
  w->Parameter = Parameter;
  /* Queued again from its own routine: allowed, the item is no longer queued. */
  if (InterlockedIncrement(&w->Runs) == 1) {
    ExQueueWorkItem(&w->Item, CriticalWorkQueue);
  } else {
    KeSetEvent(&w->Done, IO_NO_INCREMENT, FALSE);
  }
}

typedef struct _IO_WORK {
  PIO_WORKITEM Item;
  KEVENT Done;
  PVOID Object;
  PIO_WORKITEM Seen;
  KIRQL Irql;
} IO_WORK;

static IO_WORKITEM_ROUTINE_EX IoWorkRoutineEx;
static VOID IoWorkRoutineEx(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem) {
  IO_WORK* w = (IO_WORK*)Context;
  w->Object = IoObject;
  w->Seen = IoWorkItem;
  w->Irql = KeGetCurrentIrql();
  KeSetEvent(&w->Done, IO_NO_INCREMENT, FALSE);
}

int km_rt_ex_work_item(void) {
  EX_WORK w;
  IO_WORK io;
  DRIVER_OBJECT driver;
  PDEVICE_OBJECT device = NULL;
  RtlZeroMemory(&w, sizeof w);
  KeInitializeEvent(&w.Done, NotificationEvent, FALSE);
  w.Irql = HIGH_LEVEL;
  ExInitializeWorkItem(&w.Item, ExWorkRoutine, &w);
  CHECK(w.Item.List.Flink == NULL);
  ExQueueWorkItem(&w.Item, DelayedWorkQueue);
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&w.Done));
  CHECK_EQ(2, w.Runs);
  CHECK_EQ(PASSIVE_LEVEL, w.Irql);
  CHECK(w.Parameter == &w);

  /* IoQueueWorkItemEx on an item the driver allocated (IoSizeofWorkItem), on the same
   * workers. */
  RtlZeroMemory(&driver, sizeof driver);
  RtlZeroMemory(&io, sizeof io);
  CHECK_EQ(STATUS_SUCCESS,
           IoCreateDevice(&driver, 0, NULL, FILE_DEVICE_NETWORK, 0, FALSE, &device));
  io.Item = (PIO_WORKITEM)ExAllocatePoolZero(NonPagedPoolNx, IoSizeofWorkItem(), 'kroW');
  CHECK(io.Item != NULL);
  IoInitializeWorkItem(device, io.Item);
  KeInitializeEvent(&io.Done, NotificationEvent, FALSE);
  io.Irql = HIGH_LEVEL;
  IoQueueWorkItemEx(io.Item, IoWorkRoutineEx, HyperCriticalWorkQueue, &io);
  CHECK_EQ(STATUS_SUCCESS, WaitBounded(&io.Done));
  CHECK(io.Object == device && io.Seen == io.Item);
  CHECK_EQ(PASSIVE_LEVEL, io.Irql);
  IoUninitializeWorkItem(io.Item);
  ExFreePoolWithTag(io.Item, 'kroW');
  IoDeleteDevice(device);
  return 0;
}
