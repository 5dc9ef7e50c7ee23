/* SPDX-License-Identifier: MIT */
/**
 * @file km_driver_c.c
 * @brief The kernel-style C test driver: DriverEntry / DriverUnload, the driver's
 * books, the IRP-with-event pattern, checks and per-case cleanup, and the case table
 * the gtest harness runs. The cases themselves live in km_c_*.c by family.
 */
#include "km_c_support.h"

KT_DRIVER KtDriver;
NPIID KtNpiWskInterfaceId;
unsigned int KtQuirks;

void wskport_km_test_set_quirks(unsigned int quirks) { KtQuirks = quirks; }

/* ---- failures -------------------------------------------------------------------- */

void KtCaseBegin(PKT_CASE c, char* msg, unsigned int cap) {
  RtlZeroMemory(c, sizeof(*c));
  c->Msg = msg;
  c->Cap = cap;
  c->Result = KM_TEST_PASSED;
  if (cap > 0) {
    msg[0] = '\0';
  }
}

void KtSkip(PKT_CASE c, const char* reason) {
  if (c->Result == KM_TEST_PASSED) {
    c->Result = KM_TEST_SKIPPED;
    RtlStringCbPrintfA(c->Msg, c->Cap, "skipped: %s", reason);
  }
}

void KtFailText(PKT_CASE c, int line, const char* text) {
  if (c->Result != KM_TEST_FAILED) {
    c->Result = KM_TEST_FAILED;
    RtlStringCbPrintfA(c->Msg, c->Cap, "line %d: check failed: %s", line, text);
  }
  DbgPrint("kmtest(C): line %d: %s\n", line, text);
}

void KtFailEq(PKT_CASE c, int line, const char* expr, LONGLONG actual, LONGLONG expected) {
  if (c->Result != KM_TEST_FAILED) {
    c->Result = KM_TEST_FAILED;
    RtlStringCbPrintfA(c->Msg, c->Cap, "line %d: %s is %lld (0x%llx), expected %lld (0x%llx)", line,
                       expr, actual, actual, expected, expected);
  }
  DbgPrint("kmtest(C): line %d: %s is %lld, expected %lld\n", line, expr, actual, expected);
}

void KtFailStatus(PKT_CASE c, int line, const char* expr, NTSTATUS actual, NTSTATUS expected) {
  if (c->Result != KM_TEST_FAILED) {
    c->Result = KM_TEST_FAILED;
    RtlStringCbPrintfA(c->Msg, c->Cap, "line %d: %s is 0x%08X, expected 0x%08X", line, expr,
                       (ULONG)actual, (ULONG)expected);
  }
  DbgPrint("kmtest(C): line %d: %s is 0x%08X, expected 0x%08X\n", line, expr, (ULONG)actual,
           (ULONG)expected);
}

/* ---- counted allocations --------------------------------------------------------- */

PVOID KtAlloc(SIZE_T size) {
  PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, KT_TAG);
  if (p != NULL) {
    InterlockedIncrement(&KtDriver.Books.PoolAllocated);
  }
  return p;
}

void KtFree(PVOID p) {
  if (p != NULL) {
    InterlockedIncrement(&KtDriver.Books.PoolFreed);
    ExFreePoolWithTag(p, KT_TAG);
  }
}

static IO_COMPLETION_ROUTINE KtComplete;

/* The routine every WSK client writes: signal the waiter and keep the IRP. */
_Use_decl_annotations_ static NTSTATUS KtComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                  PVOID Context) {
  PKT_REQ r = (PKT_REQ)Context;
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  InterlockedExchange(&r->Sequence, InterlockedIncrement(&KtDriver.Books.Completions));
  InterlockedIncrement(&r->Completions);
  KeSetEvent(&r->Event, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

PKT_REQ KtReq(PKT_CASE c) {
  ULONG i;
  PKT_REQ r = (PKT_REQ)KtAlloc(sizeof(KT_REQ));
  if (r == NULL) {
    return NULL;
  }
  r->Irp = IoAllocateIrp(1, FALSE);
  if (r->Irp == NULL) {
    KtFree(r);
    return NULL;
  }
  InterlockedIncrement(&KtDriver.Books.IrpsAllocated);
  KeInitializeEvent(&r->Event, NotificationEvent, FALSE);
  for (i = 0; i < KT_MAX_REQS; ++i) {
    if (c->Reqs[i] == NULL) {
      c->Reqs[i] = r;
      return r;
    }
  }
  IoFreeIrp(r->Irp);
  InterlockedIncrement(&KtDriver.Books.IrpsFreed);
  KtFree(r);
  return NULL;
}

void KtArm(PKT_REQ r) {
  IoReuseIrp(r->Irp, STATUS_UNSUCCESSFUL);
  KeClearEvent(&r->Event);
  r->Expected += 1;
  IoSetCompletionRoutine(r->Irp, KtComplete, r, TRUE, TRUE, TRUE);
  r->Irp->IoStatus.Status = (NTSTATUS)0xDEADBEEF;
  r->Irp->IoStatus.Information = (ULONG_PTR)0xDEADBEEF;
}

NTSTATUS KtWaitEvent(PKEVENT e, ULONG ms) {
  LARGE_INTEGER timeout;
  timeout.QuadPart = -10000LL * (LONGLONG)ms; /* relative, 100 ns units */
  return KeWaitForSingleObject(e, Executive, KernelMode, FALSE, &timeout);
}

BOOLEAN KtCompletedWithin(PKT_REQ r, ULONG ms) {
  return KtWaitEvent(&r->Event, ms) == STATUS_SUCCESS;
}

BOOLEAN KtRefused(PKT_CASE c, int line, PKT_REQ r, NTSTATUS returned) {
  BOOLEAN completed = KtCompletedWithin(r, KT_QUIET_MS);
  r->Expected -= 1; /* a refused call issued nothing */
  if (returned != STATUS_INVALID_PARAMETER) {
    KtFailStatus(c, line, "return of a call that must be refused", returned,
                 STATUS_INVALID_PARAMETER);
    return FALSE;
  }
  if (completed || KtRead(&r->Completions) != r->Expected) {
    KtFailText(c, line, "a call refused with STATUS_INVALID_PARAMETER completed its IRP");
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != (NTSTATUS)0xDEADBEEF ||
      r->Irp->IoStatus.Information != (ULONG_PTR)0xDEADBEEF) {
    KtFailText(c, line, "a refused call wrote the IRP's IoStatus");
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtRejected(PKT_CASE c, int line, PKT_REQ r, NTSTATUS returned, NTSTATUS expected) {
  if (returned == expected && !KtCompletedWithin(r, KT_QUIET_MS)) {
    return KtRefused(c, line, r, returned);
  }
  if (!KtDone(c, line, r, returned)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != expected) {
    KtFailStatus(c, line, "IoStatus.Status of a rejected call", r->Irp->IoStatus.Status, expected);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != 0) {
    KtFailEq(c, line, "Information of a rejected call", (LONGLONG)r->Irp->IoStatus.Information, 0);
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtDone(PKT_CASE c, int line, PKT_REQ r, NTSTATUS returned) {
  char text[160];
  if (returned == STATUS_INVALID_PARAMETER && !KtCompletedWithin(r, KT_QUIET_MS)) {
    r->Expected -= 1;
    KtFailStatus(c, line, "call (refused synchronously, IRP not completed)", returned,
                 STATUS_PENDING);
    return FALSE;
  }
  if (KtWaitEvent(&r->Event, KT_WAIT_MS) != STATUS_SUCCESS) {
    RtlStringCbPrintfA(text, sizeof(text), "IRP not completed within %u ms (call returned 0x%08X)",
                       (unsigned)KT_WAIT_MS, (ULONG)returned);
    KtFailText(c, line, text);
    return FALSE;
  }
  if (KtRead(&r->Completions) != r->Expected) {
    KtFailEq(c, line, "completion routine runs on this IRP", KtRead(&r->Completions), r->Expected);
    return FALSE;
  }
  if (returned != STATUS_PENDING && (returned != r->Irp->IoStatus.Status || NT_SUCCESS(returned))) {
    RtlStringCbPrintfA(text, sizeof(text),
                       "returned 0x%08X but completed with 0x%08X (want STATUS_PENDING, or "
                       "the same error)",
                       (ULONG)returned, (ULONG)r->Irp->IoStatus.Status);
    KtFailText(c, line, text);
    return FALSE;
  }
  return TRUE;
}

PKT_BUF KtBuf(PKT_CASE c, ULONG size) {
  ULONG i;
  PKT_BUF b = (PKT_BUF)KtAlloc(sizeof(KT_BUF));
  if (b == NULL) {
    return NULL;
  }
  b->Size = size;
  b->Va = (PUCHAR)KtAlloc(size);
  if (b->Va != NULL) {
    b->Mdl = KtMdl(b->Va, size);
  }
  if (b->Va == NULL || b->Mdl == NULL) {
    KtFree(b->Va);
    KtFree(b);
    return NULL;
  }
  for (i = 0; i < KT_MAX_BUFS; ++i) {
    if (c->Bufs[i] == NULL) {
      c->Bufs[i] = b;
      return b;
    }
  }
  KtFreeMdl(b->Mdl);
  KtFree(b->Va);
  KtFree(b);
  return NULL;
}

PMDL KtMdl(PVOID va, ULONG len) {
  PMDL mdl = IoAllocateMdl(va, len, FALSE, FALSE, NULL);
  if (mdl != NULL) {
    InterlockedIncrement(&KtDriver.Books.MdlsAllocated);
    MmBuildMdlForNonPagedPool(mdl);
  }
  return mdl;
}

void KtFreeMdl(PMDL mdl) {
  if (mdl != NULL) {
    InterlockedIncrement(&KtDriver.Books.MdlsFreed);
    IoFreeMdl(mdl);
  }
}

void KtFill(PKT_BUF b, UCHAR seed) {
  ULONG i;
  for (i = 0; i < b->Size; ++i) {
    b->Va[i] = (UCHAR)(seed + i * 7u);
  }
}

/* ---- per-case cleanup ------------------------------------------------------------ */

int KtCaseEnd(PKT_CASE c) {
  ULONG i;
  PKT_REQ closer = NULL;
  for (i = 0; i < KT_MAX_SOCKETS; ++i) {
    if (c->Sockets[i] != NULL) {
      if (closer == NULL) {
        closer = KtReq(c);
      }
      if (closer == NULL) {
        KtFailText(c, __LINE__, "no IRP to close the case's sockets: they leak");
        break;
      }
      (void)KtClose(c, __LINE__, closer, c->Sockets[i]);
    }
  }
  for (i = 0; i < KT_MAX_REQS; ++i) {
    PKT_REQ r = c->Reqs[i];
    if (r == NULL) {
      continue;
    }
    /* Every issued call must have completed before its IRP may be freed. */
    if (KtRead(&r->Completions) != r->Expected) {
      (void)KtWaitEvent(&r->Event, KT_WAIT_MS);
    }
    if (KtRead(&r->Completions) != r->Expected) {
      KtFailEq(c, __LINE__, "completions of an IRP at the end of the case", r->Completions,
               r->Expected);
      continue; /* leaked on purpose: freeing a pending IRP would corrupt memory */
    }
    IoFreeIrp(r->Irp);
    InterlockedIncrement(&KtDriver.Books.IrpsFreed);
    KtFree(r);
    c->Reqs[i] = NULL;
  }
  for (i = 0; i < KT_MAX_BUFS; ++i) {
    PKT_BUF b = c->Bufs[i];
    if (b != NULL) {
      KtFreeMdl(b->Mdl);
      KtFree(b->Va);
      KtFree(b);
      c->Bufs[i] = NULL;
    }
  }
  return c->Result;
}

/* ---- DriverEntry / DriverUnload --------------------------------------------------- */

static DRIVER_UNLOAD KtDriverUnload;
static DRIVER_INITIALIZE KtDriverEntry;

/* Probe ::1 once, as a driver would before offering an IPv6 endpoint. */
static void KtProbeIpv6(void) {
  KT_CASE c;
  char msg[160];
  PKT_REQ r;
  PWSK_SOCKET s = NULL;
  KT_ADDR a;
  NTSTATUS st;
  KtCaseBegin(&c, msg, sizeof(msg));
  r = KtReq(&c);
  if (r != NULL && KtOpen(&c, __LINE__, r, AF_INET6, SOCK_DGRAM, IPPROTO_UDP,
                          WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, &s)) {
    KtLoopback(&a, AF_INET6, 0);
    KtArm(r);
    st = KT_DGRAM(s)->WskBind(s, &a.Sa, 0, r->Irp);
    if (KtDone(&c, __LINE__, r, st) && r->Irp->IoStatus.Status == STATUS_SUCCESS) {
      KtDriver.Ipv6Loopback = TRUE;
    }
  }
  (void)KtCaseEnd(&c);
}

_Use_decl_annotations_ static NTSTATUS KtDriverEntry(PDRIVER_OBJECT DriverObject,
                                                     PUNICODE_STRING RegistryPath) {
  NTSTATUS st;
  UNREFERENCED_PARAMETER(RegistryPath);
  PAGED_CODE();
  DriverObject->DriverUnload = KtDriverUnload;
  RtlZeroMemory(&KtDriver, sizeof(KtDriver));
  KtNpiWskInterfaceId = NPI_WSK_INTERFACE_ID;
  KtDriver.ClientDispatch.Version = MAKE_WSK_VERSION(1, 0);
  KtDriver.ClientDispatch.Reserved = 0;
  KtDriver.ClientDispatch.WskClientEvent = NULL;
  KtDriver.ClientNpi.ClientContext = &KtDriver;
  KtDriver.ClientNpi.Dispatch = &KtDriver.ClientDispatch;
  st = WskRegister(&KtDriver.ClientNpi, &KtDriver.Registration);
  if (!NT_SUCCESS(st)) {
    return st;
  }
  KtDriver.Registered = TRUE;
  st = WskCaptureProviderNPI(&KtDriver.Registration, KT_WAIT_MS, &KtDriver.Npi);
  if (!NT_SUCCESS(st)) {
    WskDeregister(&KtDriver.Registration);
    KtDriver.Registered = FALSE;
    return st;
  }
  KtDriver.Captured = TRUE;
  KtProbeIpv6();
  DbgPrint("kmtest(C): loaded, provider version 0x%04X, IPv6 loopback %s\n",
           (ULONG)KtDriver.Npi.Dispatch->Version, KtDriver.Ipv6Loopback ? "yes" : "no");
  return STATUS_SUCCESS;
}

static VOID KtDriverUnload(PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);
  PAGED_CODE();
  if (KtDriver.Captured) {
    WskReleaseProviderNPI(&KtDriver.Registration);
    KtDriver.Captured = FALSE;
  }
  if (KtDriver.Registered) {
    /* Returns only when every socket is closed and every call has returned. */
    WskDeregister(&KtDriver.Registration);
    KtDriver.Registered = FALSE;
  }
}

/* ---- the harness seam ------------------------------------------------------------- */

static DRIVER_OBJECT KtDriverObject;

static int KtLoad(char* msg, unsigned int cap) {
  UNICODE_STRING path = RTL_CONSTANT_STRING(
      L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\wskport_kmtest_c");
  NTSTATUS st;
  RtlZeroMemory(&KtDriverObject, sizeof(KtDriverObject));
  st = KtDriverEntry(&KtDriverObject, &path);
  if (!NT_SUCCESS(st)) {
    RtlStringCbPrintfA(msg, cap, "DriverEntry failed: 0x%08X", (ULONG)st);
    return KM_TEST_FAILED;
  }
  if (KtDriverObject.DriverUnload != KtDriverUnload) {
    RtlStringCbPrintfA(msg, cap, "DriverEntry did not set DriverUnload");
    return KM_TEST_FAILED;
  }
  RtlStringCbPrintfA(msg, cap, "loaded");
  return KM_TEST_PASSED;
}

static int KtUnload(char* msg, unsigned int cap) {
  KT_BOOKS* b = &KtDriver.Books;
  KtDriverObject.DriverUnload(&KtDriverObject);
  if (b->IrpsAllocated != b->IrpsFreed || b->MdlsAllocated != b->MdlsFreed ||
      b->PoolAllocated != b->PoolFreed || b->SocketsOpened != b->SocketsClosed) {
    RtlStringCbPrintfA(msg, cap,
                       "unbalanced books: IRPs %ld/%ld, MDLs %ld/%ld, pool %ld/%ld, sockets "
                       "%ld/%ld (allocated/freed)",
                       b->IrpsAllocated, b->IrpsFreed, b->MdlsAllocated, b->MdlsFreed,
                       b->PoolAllocated, b->PoolFreed, b->SocketsOpened, b->SocketsClosed);
    return KM_TEST_FAILED;
  }
  RtlStringCbPrintfA(msg, cap, "unloaded: %ld IRPs, %ld MDLs, %ld pool blocks, %ld sockets",
                     b->IrpsAllocated, b->MdlsAllocated, b->PoolAllocated, b->SocketsOpened);
  return KM_TEST_PASSED;
}

/* Runs one case and then checks the driver's books across it: a passing case must have
 * returned every IRP, MDL, pool block and socket it took (contexts freed after
 * KtCaseEnd included). */
typedef int (*KT_CASE_FN)(char* msg, unsigned int cap);

static int KtRunChecked(KT_CASE_FN fn, char* msg, unsigned int cap) {
  KT_BOOKS before = KtDriver.Books;
  KT_BOOKS* after = &KtDriver.Books;
  LONG irps, mdls, pool, sockets;
  int result = fn(msg, cap);
  irps = (after->IrpsAllocated - before.IrpsAllocated) - (after->IrpsFreed - before.IrpsFreed);
  mdls = (after->MdlsAllocated - before.MdlsAllocated) - (after->MdlsFreed - before.MdlsFreed);
  pool = (after->PoolAllocated - before.PoolAllocated) - (after->PoolFreed - before.PoolFreed);
  sockets =
      (after->SocketsOpened - before.SocketsOpened) - (after->SocketsClosed - before.SocketsClosed);
  if (result == KM_TEST_PASSED && (irps != 0 || mdls != 0 || pool != 0 || sockets != 0)) {
    RtlStringCbPrintfA(msg, cap, "the case kept IRPs %ld, MDLs %ld, pool blocks %ld, sockets %ld",
                       irps, mdls, pool, sockets);
    return KM_TEST_FAILED;
  }
  return result;
}

/* Every case, in table order. */
#define KT_ALL_CASES(X)      \
  X(RuntimeEvents)           \
  X(RuntimeLists)            \
  X(RuntimeLocks)            \
  X(RuntimePoolAndLookaside) \
  X(RuntimeThreads)          \
  X(RuntimeTime)             \
  X(RuntimeStrings)          \
  X(RuntimeIpStrings)        \
  X(RuntimeStrSafe)          \
  X(RuntimeDebugPrint)       \
  X(RuntimeIrp)              \
  X(RuntimeMdl)              \
  X(Registration)            \
  X(DeregisterWaits)         \
  X(StaticEventCallbacks)    \
  X(NullArguments)           \
  X(SocketCategories)        \
  X(AddressInfo)             \
  X(NameInfo)                \
  X(NameInfoNames)           \
  X(NameInfoHostsFile)       \
  X(ConnectUnbound)          \
  X(StreamIpv4)              \
  X(StreamIpv6)              \
  X(CloseCancelsAccept)      \
  X(GracefulDisconnect)      \
  X(AbortiveDisconnect)      \
  X(WaitAll)                 \
  X(Drain)                   \
  X(MdlChains)               \
  X(CancelPending)           \
  X(SocketOptions)           \
  X(BindErrors)              \
  X(SocketConnect)           \
  X(ConnectEx)               \
  X(StreamSocket)            \
  X(AcceptAndReceiveEvents)  \
  X(ReceiveEventRetention)   \
  X(ReceiveEventNotAccepted) \
  X(DisconnectEvents)        \
  X(AcceptEventRejects)      \
  X(SendBacklogEvent)        \
  X(DatagramIpv4)            \
  X(DatagramIpv6)            \
  X(DatagramRemoteAddress)   \
  X(DatagramSendMessages)    \
  X(ReceiveFromEvent)        \
  X(DatagramListenBind)      \
  X(MultipleAccepts)         \
  X(CloseIsAbortive)         \
  X(ReentrantCompletion)     \
  X(ConditionalAcceptIpv4)   \
  X(ConditionalAcceptIpv6)   \
  X(InspectPendIpv4)         \
  X(InspectPendIpv6)

#define KT_WRAP(name)                                       \
  static int KtChecked##name(char* msg, unsigned int cap) { \
    return KtRunChecked(Kt##name, msg, cap);                \
  }
KT_ALL_CASES(KT_WRAP)
#undef KT_WRAP

#define KT_ENTRY(name) {#name, KtChecked##name},
static const KM_TEST_CASE KtCases[] = {KT_ALL_CASES(KT_ENTRY)};
#undef KT_ENTRY

static const KM_TEST_DRIVER KtDriverDescriptor = {"KmDriverC", KtLoad, KtUnload, KtCases,
                                                  sizeof(KtCases) / sizeof(KtCases[0])};

const KM_TEST_DRIVER* wskport_km_test_driver_c(void) { return &KtDriverDescriptor; }
