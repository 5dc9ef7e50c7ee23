/* SPDX-License-Identifier: MIT */
/* Events, waits, system threads, thread objects, locks and time, as kernel code uses
 * them. Every wait that should succeed is bounded (KM_RT_WAIT_100NS); no check depends
 * on how long something took beyond "at least". */
#include "km_rt_check.h"

int km_rt_event_timeouts(void) {
  KEVENT notification, synchronization;
  LARGE_INTEGER timeout;
  KeInitializeEvent(&notification, NotificationEvent, FALSE);
  KeInitializeEvent(&synchronization, SynchronizationEvent, FALSE);
  timeout.QuadPart = -10 * 1000 * 20; /* 20 ms, relative */
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&notification, Executive, KernelMode, FALSE, &timeout));
  timeout.QuadPart = 0; /* poll */
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &timeout));
  KeQuerySystemTime(&timeout); /* absolute, already past */
  timeout.QuadPart -= 1;
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&notification, Executive, KernelMode, FALSE, &timeout));
  KeQuerySystemTime(&timeout); /* absolute, 20 ms ahead */
  timeout.QuadPart += 10 * 1000 * 20;
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&notification, Executive, KernelMode, FALSE, &timeout));

  /* Notification: stays signalled. */
  CHECK_EQ(0, KeSetEvent(&notification, IO_NO_INCREMENT, FALSE));
  CHECK_EQ(1, KeSetEvent(&notification, IO_NO_INCREMENT, FALSE));
  CHECK_EQ(1, KeReadStateEvent(&notification));
  timeout.QuadPart = 0;
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&notification, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&notification, Executive, KernelMode, FALSE, NULL));
  CHECK_EQ(1, KeResetEvent(&notification));
  CHECK_EQ(0, KeReadStateEvent(&notification));
  KeSetEvent(&notification, IO_NO_INCREMENT, FALSE);
  KeClearEvent(&notification);
  CHECK_EQ(0, KeReadStateEvent(&notification));

  /* Synchronization: one satisfied wait resets it. */
  KeSetEvent(&synchronization, IO_NO_INCREMENT, FALSE);
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(0, KeReadStateEvent(&synchronization));
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &timeout));
  KeInitializeEvent(&synchronization, SynchronizationEvent, TRUE);
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &timeout));
  return 0;
}

typedef struct _SIGNAL_CONTEXT {
  KEVENT Go;
  KEVENT Done;
  LONG Value;
} SIGNAL_CONTEXT;

static KSTART_ROUTINE SignalThread;
static VOID SignalThread(PVOID Context) {
  SIGNAL_CONTEXT* c = (SIGNAL_CONTEXT*)Context;
  LARGE_INTEGER timeout;
  timeout.QuadPart = KM_RT_WAIT_100NS;
  if (KeWaitForSingleObject(&c->Go, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS) {
    InterlockedExchange(&c->Value, 7);
  }
  KeSetEvent(&c->Done, IO_NO_INCREMENT, FALSE);
}

int km_rt_event_cross_thread(void) {
  SIGNAL_CONTEXT c;
  HANDLE handle = NULL;
  PVOID thread = NULL;
  LARGE_INTEGER timeout;
  KeInitializeEvent(&c.Go, SynchronizationEvent, FALSE);
  KeInitializeEvent(&c.Done, NotificationEvent, FALSE);
  c.Value = 0;
  CHECK_EQ(STATUS_SUCCESS,
           PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, SignalThread, &c));
  CHECK_EQ(STATUS_SUCCESS, ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, *PsThreadType,
                                                     KernelMode, &thread, NULL));
  ZwClose(handle);
  KeSetEvent(&c.Go, IO_NO_INCREMENT, FALSE);
  timeout.QuadPart = KM_RT_WAIT_100NS;
  CHECK_EQ(STATUS_SUCCESS, KeWaitForSingleObject(&c.Done, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(7, c.Value);
  CHECK_EQ(STATUS_SUCCESS, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &timeout));
  ObDereferenceObject(thread);
  return 0;
}

int km_rt_wait_multiple(void) {
  KEVENT a, b;
  PVOID objects[2];
  LARGE_INTEGER timeout;
  KeInitializeEvent(&a, NotificationEvent, FALSE);
  KeInitializeEvent(&b, SynchronizationEvent, FALSE);
  objects[0] = &a;
  objects[1] = &b;
  timeout.QuadPart = 0;
  CHECK_EQ(STATUS_TIMEOUT, KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode,
                                                    FALSE, &timeout, NULL));
  KeSetEvent(&b, IO_NO_INCREMENT, FALSE);
  CHECK_EQ(STATUS_WAIT_1, KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode,
                                                   FALSE, &timeout, NULL));
  CHECK_EQ(0, KeReadStateEvent(&b)); /* consumed */
  KeSetEvent(&a, IO_NO_INCREMENT, FALSE);
  CHECK_EQ(STATUS_TIMEOUT, KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode,
                                                    FALSE, &timeout, NULL));
  KeSetEvent(&b, IO_NO_INCREMENT, FALSE);
  CHECK_EQ(STATUS_SUCCESS, KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode,
                                                    FALSE, &timeout, NULL));
  CHECK_EQ(1, KeReadStateEvent(&a));
  CHECK_EQ(0, KeReadStateEvent(&b));
  CHECK_EQ(STATUS_INVALID_PARAMETER, KeWaitForMultipleObjects(0, objects, WaitAny, Executive,
                                                              KernelMode, FALSE, &timeout, NULL));
  return 0;
}

static VOID Nested(NTSTATUS status) { PsTerminateSystemThread(status); }

static LONG g_after_terminate;

static KSTART_ROUTINE TerminatingThread;
static VOID TerminatingThread(PVOID Context) {
  UNREFERENCED_PARAMETER(Context);
  Nested(STATUS_CONNECTION_ABORTED); /* ends the thread from a nested C frame */
  InterlockedIncrement(&g_after_terminate);
}

static KSTART_ROUTINE QuickThread;
static VOID QuickThread(PVOID Context) { InterlockedIncrement((LONG*)Context); }

int km_rt_thread_object_wait(void) {
  HANDLE handle = NULL;
  PETHREAD thread = NULL;
  CLIENT_ID id;
  LONG ran = 0;
  LARGE_INTEGER timeout;
  PVOID object = NULL;
  CHECK_EQ(STATUS_SUCCESS, PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL,
                                                NtCurrentProcess(), &id, QuickThread, &ran));
  CHECK(id.UniqueThread != NULL);
  CHECK_EQ(STATUS_SUCCESS, ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, *PsThreadType,
                                                     KernelMode, (PVOID*)&thread, NULL));
  CHECK_EQ(STATUS_OBJECT_TYPE_MISMATCH,
           ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, *PsProcessType, KernelMode, &object,
                                     NULL));
  CHECK_EQ(STATUS_SUCCESS, ZwClose(handle));
  CHECK_EQ(STATUS_INVALID_HANDLE, ZwClose(handle));
  CHECK_EQ(STATUS_INVALID_HANDLE,
           ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, *PsThreadType, KernelMode, &object,
                                     NULL));
  timeout.QuadPart = KM_RT_WAIT_100NS;
  CHECK_EQ(STATUS_SUCCESS, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(1, ran);
  CHECK_EQ(TRUE, PsIsThreadTerminating(thread));
  ObDereferenceObject(thread);
  /* The current thread's object is a real one too. */
  CHECK(PsGetCurrentThread() != NULL);
  CHECK((PVOID)KeGetCurrentThread() == (PVOID)PsGetCurrentThread());
  CHECK_EQ(FALSE, PsIsThreadTerminating(PsGetCurrentThread()));
  CHECK_EQ(STATUS_SUCCESS, ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsThreadType,
                                                     KernelMode, &object, NULL));
  CHECK(object == PsGetCurrentThread());
  ObDereferenceObject(object);
  return 0;
}

int km_rt_thread_terminate(void) {
  HANDLE handle = NULL;
  PVOID thread = NULL;
  LARGE_INTEGER timeout;
  g_after_terminate = 0;
  CHECK_EQ(STATUS_SUCCESS, PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                                TerminatingThread, NULL));
  CHECK_EQ(STATUS_SUCCESS, ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, *PsThreadType,
                                                     KernelMode, &thread, NULL));
  ZwClose(handle);
  timeout.QuadPart = KM_RT_WAIT_100NS;
  CHECK_EQ(STATUS_SUCCESS, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(0, g_after_terminate);
  ObDereferenceObject(thread);
  /* Not a system thread: refused. */
  CHECK_EQ(STATUS_INVALID_PARAMETER, PsTerminateSystemThread(STATUS_SUCCESS));
  return 0;
}

#define KM_RT_THREADS 4
#define KM_RT_ROUNDS 20000

typedef struct _CONTENTION {
  KSPIN_LOCK SpinLock;
  FAST_MUTEX Mutex;
  LONG SpinCounter;
  LONG MutexCounter;
  LONG QueuedCounter;
  LONG IrqlErrors;
} CONTENTION;

static KSTART_ROUTINE ContentionThread;
static VOID ContentionThread(PVOID Context) {
  CONTENTION* c = (CONTENTION*)Context;
  int i;
  for (i = 0; i < KM_RT_ROUNDS; ++i) {
    KIRQL old;
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireSpinLock(&c->SpinLock, &old);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) c->IrqlErrors++;
    c->SpinCounter++; /* plain increments: the lock makes them safe */
    KeReleaseSpinLock(&c->SpinLock, old);
    ExAcquireFastMutex(&c->Mutex);
    c->MutexCounter++;
    ExReleaseFastMutex(&c->Mutex);
    KeAcquireInStackQueuedSpinLock(&c->SpinLock, &handle);
    c->QueuedCounter++;
    KeReleaseInStackQueuedSpinLock(&handle);
  }
}

int km_rt_locks_under_contention(void) {
  CONTENTION c;
  HANDLE handles[KM_RT_THREADS];
  PVOID threads[KM_RT_THREADS];
  LARGE_INTEGER timeout;
  KIRQL old;
  int i;
  RtlZeroMemory(&c, sizeof c);
  KeInitializeSpinLock(&c.SpinLock);
  ExInitializeFastMutex(&c.Mutex);
  for (i = 0; i < KM_RT_THREADS; ++i) {
    CHECK_EQ(STATUS_SUCCESS, PsCreateSystemThread(&handles[i], THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                                  ContentionThread, &c));
    CHECK_EQ(STATUS_SUCCESS, ObReferenceObjectByHandle(handles[i], THREAD_ALL_ACCESS, *PsThreadType,
                                                       KernelMode, &threads[i], NULL));
    ZwClose(handles[i]);
  }
  timeout.QuadPart = KM_RT_WAIT_100NS * 6;
  CHECK_EQ(STATUS_SUCCESS, KeWaitForMultipleObjects(KM_RT_THREADS, threads, WaitAll, Executive,
                                                    KernelMode, FALSE, &timeout, NULL));
  for (i = 0; i < KM_RT_THREADS; ++i) ObDereferenceObject(threads[i]);
  CHECK_EQ(KM_RT_THREADS * KM_RT_ROUNDS, c.SpinCounter);
  CHECK_EQ(KM_RT_THREADS * KM_RT_ROUNDS, c.MutexCounter);
  CHECK_EQ(KM_RT_THREADS * KM_RT_ROUNDS, c.QueuedCounter);
  CHECK_EQ(0, c.IrqlErrors);
  /* IRQL bookkeeping and try-acquire. */
  CHECK_EQ(PASSIVE_LEVEL, KeGetCurrentIrql());
  KeAcquireSpinLock(&c.SpinLock, &old);
  CHECK_EQ(DISPATCH_LEVEL, KeGetCurrentIrql());
  CHECK_EQ(FALSE, KeTryToAcquireSpinLockAtDpcLevel(&c.SpinLock));
  KeReleaseSpinLock(&c.SpinLock, old);
  CHECK_EQ(PASSIVE_LEVEL, KeGetCurrentIrql());
  CHECK_EQ(TRUE, ExTryToAcquireFastMutex(&c.Mutex));
  CHECK_EQ(APC_LEVEL, KeGetCurrentIrql());
  CHECK_EQ(FALSE, ExTryToAcquireFastMutex(&c.Mutex));
  ExReleaseFastMutex(&c.Mutex);
  CHECK_EQ(PASSIVE_LEVEL, KeGetCurrentIrql());
  return 0;
}

int km_rt_semaphore_mutex(void) {
  KSEMAPHORE semaphore;
  KMUTEX mutex;
  LARGE_INTEGER timeout;
  LONG volatile value = 5;
  PVOID pointer = NULL;
  timeout.QuadPart = 0;
  KeInitializeSemaphore(&semaphore, 0, 2);
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(0, KeReleaseSemaphore(&semaphore, SEMAPHORE_INCREMENT, 2, FALSE));
  CHECK_EQ(2, KeReadStateSemaphore(&semaphore));
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(STATUS_TIMEOUT,
           KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &timeout));
  KeInitializeMutex(&mutex, 0);
  CHECK_EQ(STATUS_SUCCESS, KeWaitForMutexObject(&mutex, Executive, KernelMode, FALSE, &timeout));
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForMutexObject(&mutex, Executive, KernelMode, FALSE, &timeout)); /* recursive */
  KeReleaseMutex(&mutex, FALSE);
  CHECK_EQ(0, KeReadStateMutex(&mutex));
  KeReleaseMutex(&mutex, FALSE);
  CHECK_EQ(1, KeReadStateMutex(&mutex));
  /* Interlocked return values. */
  CHECK_EQ(6, InterlockedIncrement(&value));
  CHECK_EQ(5, InterlockedDecrement(&value));
  CHECK_EQ(5, InterlockedExchange(&value, 9));
  CHECK_EQ(9, InterlockedCompareExchange(&value, 1, 9));
  CHECK_EQ(1, InterlockedCompareExchange(&value, 2, 9));
  CHECK_EQ(1, InterlockedExchangeAdd(&value, 10));
  CHECK_EQ(11, value);
  CHECK(InterlockedExchangePointer(&pointer, (PVOID)&value) == NULL);
  CHECK(InterlockedCompareExchangePointer(&pointer, NULL, (PVOID)&value) == (PVOID)&value);
  CHECK(pointer == NULL);
  return 0;
}

int km_rt_time(void) {
  LARGE_INTEGER now, precise, delay, after;
  TIME_FIELDS fields;
  ULONGLONG start;
  KeQuerySystemTime(&now);
  KeQuerySystemTimePrecise(&precise);
  CHECK(now.QuadPart > 132223104000000000LL); /* after 2020-01-01 */
  CHECK(precise.QuadPart >= now.QuadPart);
  RtlTimeToTimeFields(&now, &fields);
  CHECK(fields.Year >= 2020);
  fields.Year = 1970;
  fields.Month = 1;
  fields.Day = 1;
  fields.Hour = fields.Minute = fields.Second = fields.Milliseconds = 0;
  CHECK_EQ(TRUE, RtlTimeFieldsToTime(&fields, &now));
  CHECK_EQ(116444736000000000LL, now.QuadPart);
  RtlTimeToTimeFields(&now, &fields);
  CHECK_EQ(4, fields.Weekday); /* a Thursday */
  fields.Month = 2;
  fields.Day = 30;
  CHECK_EQ(FALSE, RtlTimeFieldsToTime(&fields, &now));
  start = KeQueryInterruptTime();
  delay.QuadPart = -10 * 1000 * 10; /* 10 ms */
  CHECK_EQ(STATUS_SUCCESS, KeDelayExecutionThread(KernelMode, FALSE, &delay));
  CHECK(KeQueryInterruptTime() - start >= 100000);
  KeQueryTickCount(&after);
  CHECK(after.QuadPart > 0);
  CHECK_EQ(156250, KeQueryTimeIncrement());
  return 0;
}

int km_rt_spin_lock_recursion(void) {
  /* Acquiring a spin lock the thread already holds deadlocks in the kernel; the runtime
   * stops the process with a report instead (a death test). */
  KSPIN_LOCK lock;
  KIRQL first, second;
  KeInitializeSpinLock(&lock);
  KeAcquireSpinLock(&lock, &first);
  KeAcquireSpinLock(&lock, &second);
  return __LINE__; /* not reached */
}
