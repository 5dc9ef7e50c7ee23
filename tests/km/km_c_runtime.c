/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_runtime.c
 * @brief The C driver's runtime family: the kernel routines WSK client code leans on
 * (events, lists, locks, pool, lookaside, system threads, time, strings, the RtlIpv4/6
 * routines, ntstrsafe, DbgPrint, IRP stack mechanics, MDLs), used as a driver would.
 */
#include "km_c_support.h"

/* The RtlIpv4/Ipv6 string routines live in <ip2string.h> in the WDK. Until the km
 * headers provide it, the case that uses them fails and says so. */
#if defined(__has_include)
#if __has_include(<ip2string.h>)
#include <ip2string.h>
#define KT_HAVE_IP2STRING 1
#endif
#endif

int KtRuntimeEvents(char* msg, unsigned int cap) {
  KT_CASE c;
  KEVENT n, s;
  KtCaseBegin(&c, msg, cap);
  KeInitializeEvent(&n, NotificationEvent, FALSE);
  KeInitializeEvent(&s, SynchronizationEvent, FALSE);
  /* A zero timeout polls; a short relative one expires. */
  KT_CHECK_STATUS(&c, KtWaitEvent(&n, 0), STATUS_TIMEOUT);
  KT_CHECK_STATUS(&c, KtWaitEvent(&s, 10), STATUS_TIMEOUT);
  KT_CHECK_EQ(&c, KeSetEvent(&n, IO_NO_INCREMENT, FALSE), 0);
  KT_CHECK_EQ(&c, KeSetEvent(&n, IO_NO_INCREMENT, FALSE), 1); /* previous state */
  /* A notification event stays signalled for every waiter until cleared. */
  KT_CHECK_STATUS(&c, KtWaitEvent(&n, 0), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, KtWaitEvent(&n, 0), STATUS_SUCCESS);
  KeClearEvent(&n);
  KT_CHECK_STATUS(&c, KtWaitEvent(&n, 0), STATUS_TIMEOUT);
  KeSetEvent(&n, IO_NO_INCREMENT, FALSE);
  KT_CHECK_EQ(&c, KeResetEvent(&n), 1);
  KT_CHECK_EQ(&c, KeResetEvent(&n), 0);
  /* A synchronization event releases one wait and resets itself. */
  KeSetEvent(&s, IO_NO_INCREMENT, FALSE);
  KT_CHECK_STATUS(&c, KtWaitEvent(&s, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, KtWaitEvent(&s, 0), STATUS_TIMEOUT);
Exit:
  return KtCaseEnd(&c);
}

typedef struct _KT_ITEM {
  LIST_ENTRY Link;
  ULONG Value;
} KT_ITEM;

int KtRuntimeLists(char* msg, unsigned int cap) {
  KT_CASE c;
  LIST_ENTRY head;
  KT_ITEM items[4];
  KSPIN_LOCK lock;
  PLIST_ENTRY e;
  ULONG i;
  KtCaseBegin(&c, msg, cap);
  for (i = 0; i < 4; ++i) {
    items[i].Value = i;
  }
  InitializeListHead(&head);
  KT_CHECK(&c, IsListEmpty(&head));
  InsertTailList(&head, &items[1].Link);
  InsertTailList(&head, &items[2].Link);
  InsertHeadList(&head, &items[0].Link);
  InsertTailList(&head, &items[3].Link);
  KT_CHECK(&c, !IsListEmpty(&head));
  e = RemoveHeadList(&head);
  KT_CHECK_EQ(&c, CONTAINING_RECORD(e, KT_ITEM, Link)->Value, 0);
  e = RemoveTailList(&head);
  KT_CHECK_EQ(&c, CONTAINING_RECORD(e, KT_ITEM, Link)->Value, 3);
  KT_CHECK(&c, !RemoveEntryList(&items[1].Link)); /* FALSE: item 2 is still there */
  KT_CHECK(&c, RemoveEntryList(&items[2].Link));  /* TRUE: the list became empty */
  KT_CHECK(&c, IsListEmpty(&head));

  /* The interlocked forms take the caller's spin lock. */
  KeInitializeSpinLock(&lock);
  KT_CHECK(&c, ExInterlockedInsertTailList(&head, &items[0].Link, &lock) == NULL);
  KT_CHECK(&c, ExInterlockedInsertTailList(&head, &items[1].Link, &lock) == &items[0].Link);
  KT_CHECK(&c, ExInterlockedInsertHeadList(&head, &items[2].Link, &lock) == &items[0].Link);
  e = ExInterlockedRemoveHeadList(&head, &lock);
  KT_CHECK(&c, e == &items[2].Link);
  KT_CHECK(&c, ExInterlockedRemoveHeadList(&head, &lock) == &items[0].Link);
  KT_CHECK(&c, ExInterlockedRemoveHeadList(&head, &lock) == &items[1].Link);
  KT_CHECK(&c, ExInterlockedRemoveHeadList(&head, &lock) == NULL);
Exit:
  return KtCaseEnd(&c);
}

/* Two system threads bump counters under a spin lock and under a fast mutex. */
typedef struct _KT_LOCKS {
  KSPIN_LOCK Spin;
  FAST_MUTEX Mutex;
  ULONG SpinCount;
  ULONG MutexCount;
  volatile LONG Interlocked;
} KT_LOCKS;

#define KT_LOCK_ROUNDS 20000

static KSTART_ROUTINE KtLockWorker;

static VOID KtLockWorker(PVOID context) {
  KT_LOCKS* l = (KT_LOCKS*)context;
  ULONG i;
  KIRQL irql;
  for (i = 0; i < KT_LOCK_ROUNDS; ++i) {
    KeAcquireSpinLock(&l->Spin, &irql);
    l->SpinCount += 1;
    KeReleaseSpinLock(&l->Spin, irql);
    ExAcquireFastMutex(&l->Mutex);
    l->MutexCount += 1;
    ExReleaseFastMutex(&l->Mutex);
    InterlockedIncrement(&l->Interlocked);
  }
  PsTerminateSystemThread(STATUS_SUCCESS);
}

/* Starts a system thread and returns a referenced thread object to wait on. */
static NTSTATUS KtStartThread(PKSTART_ROUTINE routine, PVOID context, PVOID* thread) {
  OBJECT_ATTRIBUTES oa;
  HANDLE h;
  NTSTATUS st;
  *thread = NULL;
  InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
  st = PsCreateSystemThread(&h, THREAD_ALL_ACCESS, &oa, NULL, NULL, routine, context);
  if (!NT_SUCCESS(st)) {
    return st;
  }
  st = ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, NULL, KernelMode, thread, NULL);
  ZwClose(h);
  return st;
}

static NTSTATUS KtJoin(PVOID thread) {
  LARGE_INTEGER timeout;
  NTSTATUS st;
  timeout.QuadPart = -10000LL * KT_WAIT_MS * 4;
  st = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &timeout);
  if (st == STATUS_SUCCESS) {
    ObDereferenceObject(thread);
  }
  return st;
}

int KtRuntimeLocks(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_LOCKS* l = (KT_LOCKS*)KtAlloc(sizeof(KT_LOCKS));
  PVOID t1 = NULL, t2 = NULL;
  KtCaseBegin(&c, msg, cap);
  KT_CHECK(&c, l != NULL);
  KeInitializeSpinLock(&l->Spin);
  ExInitializeFastMutex(&l->Mutex);
  KT_CHECK_STATUS(&c, KtStartThread(KtLockWorker, l, &t1), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, KtStartThread(KtLockWorker, l, &t2), STATUS_SUCCESS);
Exit:
  /* Joined on every path: the workers use l. */
  if (t1 != NULL && KtJoin(t1) != STATUS_SUCCESS) {
    KtFailText(&c, __LINE__, "lock worker 1 did not finish in time");
    l = NULL; /* still in use: leak rather than free under it */
  }
  if (t2 != NULL && KtJoin(t2) != STATUS_SUCCESS) {
    KtFailText(&c, __LINE__, "lock worker 2 did not finish in time");
    l = NULL;
  }
  if (l != NULL && c.Result == KM_TEST_PASSED) {
    if (l->SpinCount != 2 * KT_LOCK_ROUNDS || l->MutexCount != 2 * KT_LOCK_ROUNDS ||
        l->Interlocked != 2 * KT_LOCK_ROUNDS) {
      KtFailEq(&c, __LINE__, "counts under spin lock / fast mutex / interlocked",
               (LONGLONG)l->SpinCount * 1000000 + l->MutexCount, 2 * KT_LOCK_ROUNDS);
    }
  }
  KtFree(l);
  return KtCaseEnd(&c);
}

int KtRuntimePoolAndLookaside(char* msg, unsigned int cap) {
  KT_CASE c;
  NPAGED_LOOKASIDE_LIST* la = NULL;
  PVOID blocks[8];
  PUCHAR p = NULL, q = NULL, z = NULL, old = NULL;
  ULONG i;
  KtCaseBegin(&c, msg, cap);
  RtlZeroMemory(blocks, sizeof(blocks));
  /* Each allocator with its matching free; ExAllocatePool2 and ExAllocatePoolZero
   * zero-fill. */
  p = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, 64, KT_TAG);
  KT_CHECK(&c, p != NULL);
  RtlFillMemory(p, 64, 0xA5);
  q = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, KT_TAG);
  KT_CHECK(&c, q != NULL);
  z = (PUCHAR)ExAllocatePoolZero(NonPagedPoolNx, 64, KT_TAG);
  KT_CHECK(&c, z != NULL);
  for (i = 0; i < 64; ++i) {
    KT_CHECK_EQ(&c, q[i], 0);
    KT_CHECK_EQ(&c, z[i], 0);
  }
  old = (PUCHAR)ExAllocatePool(NonPagedPool, 16);
  KT_CHECK(&c, old != NULL);

  la = (NPAGED_LOOKASIDE_LIST*)KtAlloc(sizeof(*la));
  KT_CHECK(&c, la != NULL);
  ExInitializeNPagedLookasideList(la, NULL, NULL, 0, 48, KT_TAG, 0);
  for (i = 0; i < 8; ++i) {
    blocks[i] = ExAllocateFromNPagedLookasideList(la);
    KT_CHECK(&c, blocks[i] != NULL);
    RtlFillMemory(blocks[i], 48, (UCHAR)i);
  }
  for (i = 0; i < 8; ++i) {
    ExFreeToNPagedLookasideList(la, blocks[i]);
    blocks[i] = NULL;
  }
  /* A block comes back after being returned. */
  blocks[0] = ExAllocateFromNPagedLookasideList(la);
  KT_CHECK(&c, blocks[0] != NULL);
Exit:
  if (la != NULL) {
    for (i = 0; i < 8; ++i) {
      if (blocks[i] != NULL) {
        ExFreeToNPagedLookasideList(la, blocks[i]);
      }
    }
    ExDeleteNPagedLookasideList(la);
    KtFree(la);
  }
  if (p != NULL) {
    ExFreePoolWithTag(p, KT_TAG);
  }
  if (q != NULL) {
    ExFreePoolWithTag(q, KT_TAG);
  }
  if (z != NULL) {
    ExFreePool(z);
  }
  if (old != NULL) {
    ExFreePool(old);
  }
  return KtCaseEnd(&c);
}

typedef struct _KT_THREAD_CTX {
  KEVENT Go;
  volatile LONG Ran;
  NTSTATUS WaitStatus;
} KT_THREAD_CTX;

static KSTART_ROUTINE KtWaitingWorker;

static VOID KtWaitingWorker(PVOID context) {
  KT_THREAD_CTX* t = (KT_THREAD_CTX*)context;
  t->WaitStatus = KtWaitEvent(&t->Go, KT_WAIT_MS);
  InterlockedIncrement(&t->Ran);
  PsTerminateSystemThread(STATUS_SUCCESS);
}

int KtRuntimeThreads(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_THREAD_CTX* t = (KT_THREAD_CTX*)KtAlloc(sizeof(KT_THREAD_CTX));
  PVOID thread = NULL;
  LARGE_INTEGER timeout;
  KtCaseBegin(&c, msg, cap);
  KT_CHECK(&c, t != NULL);
  KeInitializeEvent(&t->Go, NotificationEvent, FALSE);
  KT_CHECK_STATUS(&c, KtStartThread(KtWaitingWorker, t, &thread), STATUS_SUCCESS);
  /* The worker blocks on Go, so its thread object is not signalled yet. */
  timeout.QuadPart = -10000LL * KT_QUIET_MS;
  KT_CHECK_STATUS(&c, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &timeout),
                  STATUS_TIMEOUT);
  KT_CHECK_EQ(&c, t->Ran, 0);
  KeSetEvent(&t->Go, IO_NO_INCREMENT, FALSE);
Exit:
  if (thread != NULL) {
    if (t != NULL) {
      KeSetEvent(&t->Go, IO_NO_INCREMENT, FALSE);
    }
    if (KtJoin(thread) != STATUS_SUCCESS) {
      KtFailText(&c, __LINE__, "the system thread did not terminate in time");
      t = NULL; /* still in use */
    } else if (c.Result == KM_TEST_PASSED && (t->Ran != 1 || t->WaitStatus != STATUS_SUCCESS)) {
      KtFailStatus(&c, __LINE__, "worker's wait", t->WaitStatus, STATUS_SUCCESS);
    }
  }
  KtFree(t);
  return KtCaseEnd(&c);
}

int KtRuntimeTime(char* msg, unsigned int cap) {
  KT_CASE c;
  LARGE_INTEGER t1, t2, p1, p2, delay;
  KtCaseBegin(&c, msg, cap);
  KeQuerySystemTime(&t1);
  KeQuerySystemTimePrecise(&p1);
  /* 100 ns units since 1601: anything after 2020-01-01 is plausible. */
  KT_CHECK(&c, t1.QuadPart > 132223104000000000LL);
  KT_CHECK(&c, p1.QuadPart > 132223104000000000LL);
  delay.QuadPart = -10000LL * 20; /* 20 ms, relative */
  KT_CHECK_STATUS(&c, KeDelayExecutionThread(KernelMode, FALSE, &delay), STATUS_SUCCESS);
  KeQuerySystemTime(&t2);
  KeQuerySystemTimePrecise(&p2);
  KT_CHECK(&c, t2.QuadPart >= t1.QuadPart);
  KT_CHECK(&c, p2.QuadPart >= p1.QuadPart);
Exit:
  return KtCaseEnd(&c);
}

int KtRuntimeStrings(char* msg, unsigned int cap) {
  KT_CASE c;
  UNICODE_STRING a, b;
  UNICODE_STRING k = RTL_CONSTANT_STRING(L"WskPort");
  KtCaseBegin(&c, msg, cap);
  KT_CHECK_EQ(&c, sizeof(WCHAR), 2);
  RtlInitUnicodeString(&a, L"WskPort");
  KT_CHECK_EQ(&c, a.Length, 14);
  KT_CHECK_EQ(&c, a.MaximumLength, 16);
  KT_CHECK_EQ(&c, k.Length, 14);
  KT_CHECK_EQ(&c, k.MaximumLength, 16);
  KT_CHECK(&c, RtlEqualUnicodeString(&a, &k, FALSE));
  RtlInitUnicodeString(&b, L"wskPORT");
  KT_CHECK(&c, !RtlEqualUnicodeString(&a, &b, FALSE));
  KT_CHECK(&c, RtlEqualUnicodeString(&a, &b, TRUE));
  KT_CHECK(&c, a.Buffer[3] == L'P');
  RtlInitUnicodeString(&b, NULL);
  KT_CHECK_EQ(&c, b.Length, 0);
  KT_CHECK_EQ(&c, b.MaximumLength, 0);
Exit:
  return KtCaseEnd(&c);
}

#ifndef KT_HAVE_IP2STRING
int KtRuntimeIpStrings(char* msg, unsigned int cap) {
  KT_CASE c;
  KtCaseBegin(&c, msg, cap);
  KtFailText(&c, __LINE__, "<ip2string.h> (the RtlIpv4/Ipv6 string routines) is missing");
  return KtCaseEnd(&c);
}
#else
int KtRuntimeIpStrings(char* msg, unsigned int cap) {
  KT_CASE c;
  IN_ADDR v4;
  IN6_ADDR v6;
  PCSTR end = NULL;
  PCWSTR wend = NULL;
  USHORT port = 0;
  ULONG scope = 99, len;
  CHAR text[64];
  WCHAR wtext[64];
  static const UCHAR fe80_1[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  KtCaseBegin(&c, msg, cap);
  KT_CHECK_STATUS(&c, RtlIpv4StringToAddressA("192.168.1.20", TRUE, &end, &v4), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, v4.s_addr, RtlUlongByteSwap(0xC0A80114u));
  KT_CHECK(&c, end != NULL && *end == '\0');
  /* Strict form needs four decimal parts. */
  KT_CHECK_STATUS(&c, RtlIpv4StringToAddressA("10.1", TRUE, &end, &v4), STATUS_INVALID_PARAMETER);
  KT_CHECK_STATUS(&c, RtlIpv4StringToAddressA("300.1.1.1", TRUE, &end, &v4),
                  STATUS_INVALID_PARAMETER);
  KT_CHECK_STATUS(&c, RtlIpv4StringToAddressExA("10.0.0.1:8080", TRUE, &v4, &port), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, port, RtlUshortByteSwap(8080));
  KT_CHECK_EQ(&c, v4.s_addr, RtlUlongByteSwap(0x0A000001u));
  RtlIpv4AddressToStringA(&v4, text);
  KT_CHECK(&c, RtlCompareMemory(text, "10.0.0.1", 9) == 9);
  len = sizeof(text);
  KT_CHECK_STATUS(&c, RtlIpv4AddressToStringExA(&v4, port, text, &len), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, len, 14); /* "10.0.0.1:8080" and its NUL */
  KT_CHECK(&c, RtlCompareMemory(text, "10.0.0.1:8080", 14) == 14);
  KT_CHECK_STATUS(&c, RtlIpv4StringToAddressW(L"127.0.0.1", TRUE, &wend, &v4), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, v4.s_addr, RtlUlongByteSwap(0x7F000001u));
  RtlIpv4AddressToStringW(&v4, wtext);
  KT_CHECK(&c, wtext[0] == L'1' && wtext[3] == L'.' && wtext[9] == L'\0');

  KT_CHECK_STATUS(&c, RtlIpv6StringToAddressA("fe80::1", &end, &v6), STATUS_SUCCESS);
  KT_CHECK(&c, RtlCompareMemory(v6.s6_addr, fe80_1, 16) == 16);
  KT_CHECK_STATUS(&c, RtlIpv6StringToAddressA("1:::2", &end, &v6), STATUS_INVALID_PARAMETER);
  KT_CHECK_STATUS(&c, RtlIpv6StringToAddressExA("[::1]:443", &v6, &scope, &port), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, port, RtlUshortByteSwap(443));
  KT_CHECK_EQ(&c, scope, 0);
  KT_CHECK_EQ(&c, v6.s6_addr[15], 1);
  RtlIpv6AddressToStringA(&v6, text);
  KT_CHECK(&c, RtlCompareMemory(text, "::1", 4) == 4);
  len = sizeof(text);
  KT_CHECK_STATUS(&c, RtlIpv6AddressToStringExA(&v6, 0, port, text, &len), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, len, 10); /* "[::1]:443" and its NUL */
  KT_CHECK(&c, RtlCompareMemory(text, "[::1]:443", 10) == 10);
  RtlIpv6StringToAddressA("fe80::1", &end, &v6);
  RtlIpv6AddressToStringA(&v6, text);
  KT_CHECK(&c, RtlCompareMemory(text, "fe80::1", 8) == 8);
Exit:
  return KtCaseEnd(&c);
}
#endif

int KtRuntimeStrSafe(char* msg, unsigned int cap) {
  KT_CASE c;
  CHAR small[8];
  CHAR big[64];
  WCHAR wide[16];
  size_t len = 0;
  KtCaseBegin(&c, msg, cap);
  KT_CHECK_STATUS(&c, RtlStringCbPrintfA(big, sizeof(big), "%d-%s-%08x", -5, "ab", 0x1234u),
                  STATUS_SUCCESS);
  KT_CHECK(&c, RtlCompareMemory(big, "-5-ab-00001234", 15) == 15);
  KT_CHECK_STATUS(&c, RtlStringCbLengthA(big, sizeof(big), &len), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, len, 14);
  /* Truncation is reported, and the result stays terminated. */
  KT_CHECK_STATUS(&c, RtlStringCbPrintfA(small, sizeof(small), "%s", "0123456789"),
                  STATUS_BUFFER_OVERFLOW);
  KT_CHECK(&c, RtlCompareMemory(small, "0123456", 8) == 8);
  KT_CHECK_STATUS(&c, RtlStringCbCopyA(big, sizeof(big), "wsk"), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, RtlStringCbCatA(big, sizeof(big), "port"), STATUS_SUCCESS);
  KT_CHECK(&c, RtlCompareMemory(big, "wskport", 8) == 8);
  KT_CHECK_STATUS(&c, RtlStringCchCopyA(small, 8, "abcdefghij"), STATUS_BUFFER_OVERFLOW);
  KT_CHECK_EQ(&c, small[7], 0);
  KT_CHECK_STATUS(&c, RtlStringCchPrintfW(wide, 16, L"%d:%u", 42, 7u), STATUS_SUCCESS);
  KT_CHECK(&c, wide[0] == L'4' && wide[1] == L'2' && wide[2] == L':' && wide[3] == L'7' &&
                   wide[4] == L'\0');
  KT_CHECK_STATUS(&c, RtlStringCchLengthW(wide, 16, &len), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, len, 4);
Exit:
  return KtCaseEnd(&c);
}

int KtRuntimeDebugPrint(char* msg, unsigned int cap) {
  KT_CASE c;
  KtCaseBegin(&c, msg, cap);
  NT_ASSERT(msg != NULL);
  KT_CHECK_EQ(&c, DbgPrint("kmtest(C): DbgPrint %s %d 0x%x\n", "works", 1, 0x2au), STATUS_SUCCESS);
  KT_CHECK_EQ(&c,
              DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL,
                         "kmtest(C): DbgPrintEx level %u\n", (unsigned)DPFLTR_INFO_LEVEL),
              STATUS_SUCCESS);
  KdPrint(("kmtest(C): KdPrint %s\n", "works"));
Exit:
  return KtCaseEnd(&c);
}

typedef struct _KT_ROUTINE_SEEN {
  volatile LONG Calls;
  NTSTATUS Status;
  ULONG_PTR Information;
  BOOLEAN PendingReturned;
} KT_ROUTINE_SEEN;

static IO_COMPLETION_ROUTINE KtSeeCompletion;

static NTSTATUS KtSeeCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  KT_ROUTINE_SEEN* seen = (KT_ROUTINE_SEEN*)Context;
  UNREFERENCED_PARAMETER(DeviceObject);
  seen->Status = Irp->IoStatus.Status;
  seen->Information = Irp->IoStatus.Information;
  seen->PendingReturned = Irp->PendingReturned;
  InterlockedIncrement(&seen->Calls);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Plays the lower driver's part by hand: the stack location the routine lands in, the
 * pending mark, IoCompleteRequest, then IoReuseIrp and IoCancelIrp on an idle IRP. */
int KtRuntimeIrp(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_ROUTINE_SEEN seen;
  PIRP irp = IoAllocateIrp(2, FALSE);
  PIO_STACK_LOCATION next, cur;
  KtCaseBegin(&c, msg, cap);
  RtlZeroMemory(&seen, sizeof(seen));
  KT_CHECK(&c, irp != NULL);
  InterlockedIncrement(&KtDriver.Books.IrpsAllocated);
  KT_CHECK_EQ(&c, irp->StackCount, 2);
  KT_CHECK_EQ(&c, irp->CurrentLocation, 3);
  KT_CHECK(&c, !irp->Cancel);
  IoSetCompletionRoutine(irp, KtSeeCompletion, &seen, TRUE, TRUE, TRUE);
  next = IoGetNextIrpStackLocation(irp);
  KT_CHECK(&c, next->CompletionRoutine == KtSeeCompletion);
  KT_CHECK(&c, next->Context == &seen);
  /* What IoCallDriver does, then the lower driver pends and completes. */
  IoSetNextIrpStackLocation(irp);
  KT_CHECK_EQ(&c, irp->CurrentLocation, 2);
  cur = IoGetCurrentIrpStackLocation(irp);
  KT_CHECK(&c, cur == next);
  IoMarkIrpPending(irp);
  KT_CHECK(&c, (cur->Control & SL_PENDING_RETURNED) != 0);
  irp->IoStatus.Status = STATUS_SUCCESS;
  irp->IoStatus.Information = 42;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  KT_CHECK_EQ(&c, seen.Calls, 1);
  KT_CHECK_STATUS(&c, seen.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, seen.Information, 42);
  KT_CHECK(&c, seen.PendingReturned);

  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  KT_CHECK_STATUS(&c, irp->IoStatus.Status, STATUS_UNSUCCESSFUL);
  KT_CHECK_EQ(&c, irp->CurrentLocation, 3);
  KT_CHECK(&c, !irp->PendingReturned);
  /* An error completion reaches a routine registered for errors. */
  IoSetCompletionRoutine(irp, KtSeeCompletion, &seen, FALSE, TRUE, FALSE);
  IoSetNextIrpStackLocation(irp);
  irp->IoStatus.Status = STATUS_CONNECTION_RESET;
  irp->IoStatus.Information = 0;
  IoCompleteRequest(irp, IO_NETWORK_INCREMENT);
  KT_CHECK_EQ(&c, seen.Calls, 2);
  KT_CHECK_STATUS(&c, seen.Status, STATUS_CONNECTION_RESET);
  KT_CHECK(&c, !seen.PendingReturned);

  /* Nobody holds the IRP: no cancel routine runs, but Cancel is set. */
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  KT_CHECK(&c, !IoCancelIrp(irp));
  KT_CHECK(&c, irp->Cancel);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  KT_CHECK(&c, !irp->Cancel);
Exit:
  if (irp != NULL) {
    IoFreeIrp(irp);
    InterlockedIncrement(&KtDriver.Books.IrpsFreed);
  }
  return KtCaseEnd(&c);
}

int KtRuntimeMdl(char* msg, unsigned int cap) {
  KT_CASE c;
  PUCHAR va = (PUCHAR)KtAlloc(300);
  PMDL a = NULL, b = NULL;
  ULONG total = 0;
  PMDL m;
  KtCaseBegin(&c, msg, cap);
  KT_CHECK(&c, va != NULL);
  a = IoAllocateMdl(va + 5, 100, FALSE, FALSE, NULL);
  KT_CHECK(&c, a != NULL);
  InterlockedIncrement(&KtDriver.Books.MdlsAllocated);
  /* Secondary: chained behind a; the chain is what WSK_BUF describes. */
  b = IoAllocateMdl(va + 150, 120, FALSE, FALSE, NULL);
  KT_CHECK(&c, b != NULL);
  InterlockedIncrement(&KtDriver.Books.MdlsAllocated);
  a->Next = b;
  KT_CHECK(&c, MmGetMdlVirtualAddress(a) == (PVOID)(va + 5));
  KT_CHECK_EQ(&c, MmGetMdlByteCount(a), 100);
  KT_CHECK_EQ(&c, MmGetMdlByteOffset(a), ((ULONG_PTR)(va + 5)) & (PAGE_SIZE - 1));
  MmBuildMdlForNonPagedPool(a);
  KT_CHECK(&c, MmGetSystemAddressForMdlSafe(a, NormalPagePriority | MdlMappingNoExecute) ==
                   (PVOID)(va + 5));
  /* The probe-and-lock path a driver takes for memory it does not own. */
  MmProbeAndLockPages(b, KernelMode, IoWriteAccess);
  KT_CHECK(&c, MmGetSystemAddressForMdlSafe(b, NormalPagePriority) == (PVOID)(va + 150));
  ((PUCHAR)MmGetSystemAddressForMdlSafe(b, NormalPagePriority))[0] = 0x5A;
  KT_CHECK_EQ(&c, va[150], 0x5A);
  MmUnlockPages(b);
  for (m = a; m != NULL; m = m->Next) {
    total += MmGetMdlByteCount(m);
  }
  KT_CHECK_EQ(&c, total, 220);
Exit:
  KtFreeMdl(b);
  KtFreeMdl(a);
  KtFree(va);
  return KtCaseEnd(&c);
}
