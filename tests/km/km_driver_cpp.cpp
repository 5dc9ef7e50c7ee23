// SPDX-License-Identifier: MIT
// The kernel-style C++ test driver: DriverEntry / DriverUnload, the runtime cases
// (events, locks, system threads, lists, lookaside, pool, strings, RtlIpv4/6,
// ntstrsafe, DbgPrint, time, IRP stack mechanics, MDLs) and the case table. The WSK
// cases are in km_cpp_wsk.cpp. Written as a C++ kernel driver: RAII, captureless
// lambdas for thread and completion routines, no C++ library.
#include "km_cpp_support.hpp"

// The RtlIpv4/Ipv6 string routines live in <ip2string.h> in the WDK. Until the km
// headers provide it, the case that uses them fails and says so.
#if defined(__has_include)
#if __has_include(<ip2string.h>)
#include <ip2string.h>
#define KC_HAVE_IP2STRING 1
#endif
#endif

namespace kmcpp {
namespace {

// RAII lock holders, as kernel C++ code wraps KeAcquireSpinLock / ExAcquireFastMutex.
class SpinLockGuard {
 public:
  explicit SpinLockGuard(KSPIN_LOCK& lock) : lock_(lock) { KeAcquireSpinLock(&lock_, &irql_); }
  ~SpinLockGuard() { KeReleaseSpinLock(&lock_, irql_); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  KSPIN_LOCK& lock_;
  KIRQL irql_;
};

class FastMutexGuard {
 public:
  explicit FastMutexGuard(FAST_MUTEX& m) : m_(m) { ExAcquireFastMutex(&m_); }
  ~FastMutexGuard() { ExReleaseFastMutex(&m_); }
  FastMutexGuard(const FastMutexGuard&) = delete;
  FastMutexGuard& operator=(const FastMutexGuard&) = delete;

 private:
  FAST_MUTEX& m_;
};

// A system thread, joined (bounded) and dereferenced when it goes out of scope.
class SystemThread {
 public:
  SystemThread(PKSTART_ROUTINE routine, PVOID context) {
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE h = nullptr;
    status_ = PsCreateSystemThread(&h, THREAD_ALL_ACCESS, &oa, nullptr, nullptr, routine, context);
    if (!NT_SUCCESS(status_)) return;
    status_ =
        ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, nullptr, KernelMode, &thread_, nullptr);
    ZwClose(h);
  }
  ~SystemThread() { (void)Join(); }
  SystemThread(const SystemThread&) = delete;
  SystemThread& operator=(const SystemThread&) = delete;
  NTSTATUS status() const { return status_; }
  NTSTATUS Join(ULONG ms = 4 * kWaitMs) {
    if (thread_ == nullptr) return STATUS_SUCCESS;
    const NTSTATUS st = WaitFor(thread_, ms);
    if (st == STATUS_SUCCESS) {
      ObDereferenceObject(thread_);
      thread_ = nullptr;
    }
    return st;
  }
  PVOID object() const { return thread_; }

 private:
  NTSTATUS status_ = STATUS_UNSUCCESSFUL;
  PVOID thread_ = nullptr;
};

struct Shared {
  KSPIN_LOCK spin;
  FAST_MUTEX mutex;
  KEVENT go;
  ULONG spin_count;
  ULONG mutex_count;
  volatile LONG interlocked;
  volatile LONG slots;  // list slots handed out: one each, so no entry is inserted twice
  LIST_ENTRY list;
  KSPIN_LOCK list_lock;
  struct Item {
    LIST_ENTRY link;
    ULONG value;
  } items[8];
};

constexpr ULONG kRounds = 10000;

}  // namespace

bool RuntimeSync(Test& t) {
  Pool<Shared> s;
  KC_CHECK(t, s);
  KeInitializeSpinLock(&s->spin);
  ExInitializeFastMutex(&s->mutex);
  KeInitializeEvent(&s->go, NotificationEvent, FALSE);
  InitializeListHead(&s->list);
  KeInitializeSpinLock(&s->list_lock);
  s->slots = 0;

  // Events: timeouts, previous states, auto-reset.
  KEVENT sync;
  KeInitializeEvent(&sync, SynchronizationEvent, FALSE);
  KC_STATUS(t, WaitFor(&sync, 10), STATUS_TIMEOUT);
  KC_EQ(t, KeSetEvent(&sync, IO_NO_INCREMENT, FALSE), 0);
  KC_STATUS(t, WaitFor(&sync, kWaitMs), STATUS_SUCCESS);
  KC_STATUS(t, WaitFor(&sync, 0), STATUS_TIMEOUT);
  KeSetEvent(&s->go, IO_NO_INCREMENT, FALSE);
  KC_EQ(t, KeResetEvent(&s->go), 1);

  {
    // Two workers wait for `go`, then count under each lock and queue list items.
    constexpr auto worker = [](PVOID context) {
      auto* sh = static_cast<Shared*>(context);
      if (WaitFor(&sh->go, kWaitMs) == STATUS_SUCCESS) {
        for (ULONG i = 0; i < kRounds; ++i) {
          {
            SpinLockGuard g(sh->spin);
            ++sh->spin_count;
          }
          {
            FastMutexGuard g(sh->mutex);
            ++sh->mutex_count;
          }
          InterlockedIncrement(&sh->interlocked);
        }
        InterlockedIncrement(&sh->interlocked);
        // Not the shared counter: the other worker may still be counting, so its value
        // here could pick the slot the other worker picks last.
        const LONG slot = InterlockedIncrement(&sh->slots) % 8;
        ExInterlockedInsertTailList(&sh->list, &sh->items[slot].link, &sh->list_lock);
      }
      PsTerminateSystemThread(STATUS_SUCCESS);
    };
    SystemThread a(worker, s.get());
    SystemThread b(worker, s.get());
    KC_STATUS(t, a.status(), STATUS_SUCCESS);
    KC_STATUS(t, b.status(), STATUS_SUCCESS);
    // Blocked on `go`: the thread objects are not signalled yet.
    KC_STATUS(t, WaitFor(a.object(), kQuietMs), STATUS_TIMEOUT);
    KeSetEvent(&s->go, IO_NO_INCREMENT, FALSE);
    KC_STATUS(t, a.Join(), STATUS_SUCCESS);
    KC_STATUS(t, b.Join(), STATUS_SUCCESS);
  }
  KC_EQ(t, s->spin_count, 2 * kRounds);
  KC_EQ(t, s->mutex_count, 2 * kRounds);
  KC_EQ(t, s->interlocked, 2 * kRounds + 2);
  KC_CHECK(t, ExInterlockedRemoveHeadList(&s->list, &s->list_lock) != nullptr);
  KC_CHECK(t, ExInterlockedRemoveHeadList(&s->list, &s->list_lock) != nullptr);
  KC_CHECK(t, ExInterlockedRemoveHeadList(&s->list, &s->list_lock) == nullptr);
  KC_CHECK(t, IsListEmpty(&s->list));
  // Plain list operations and CONTAINING_RECORD.
  for (ULONG i = 0; i < 4; ++i) {
    s->items[i].value = i;
    InsertTailList(&s->list, &s->items[i].link);
  }
  KC_EQ(t, CONTAINING_RECORD(RemoveTailList(&s->list), Shared::Item, link)->value, 3);
  KC_EQ(t, CONTAINING_RECORD(RemoveHeadList(&s->list), Shared::Item, link)->value, 0);
  RemoveEntryList(&s->items[1].link);
  KC_CHECK(t, RemoveEntryList(&s->items[2].link));
  KC_EQ(t, InterlockedCompareExchange(&s->interlocked, 5, 2 * kRounds + 2), 2 * kRounds + 2);
  KC_EQ(t, InterlockedExchange(&s->interlocked, 0), 5);

  // Lookaside list and every pool allocator.
  NPAGED_LOOKASIDE_LIST lookaside;
  ExInitializeNPagedLookasideList(&lookaside, nullptr, nullptr, 0, 64, kTag, 0);
  PVOID blocks[4] = {};
  bool ok = true;
  for (auto& b : blocks) {
    b = ExAllocateFromNPagedLookasideList(&lookaside);
    ok = ok && b != nullptr;
  }
  for (auto& b : blocks) {
    if (b != nullptr) ExFreeToNPagedLookasideList(&lookaside, b);
  }
  ExDeleteNPagedLookasideList(&lookaside);
  KC_CHECK(t, ok);
  auto* zeroed = static_cast<PUCHAR>(ExAllocatePoolZero(NonPagedPoolNx, 32, kTag));
  auto* tagged = static_cast<PUCHAR>(ExAllocatePoolWithTag(NonPagedPoolNx, 32, kTag));
  auto* plain = static_cast<PUCHAR>(ExAllocatePool(NonPagedPool, 32));
  const bool all = zeroed != nullptr && tagged != nullptr && plain != nullptr;
  bool zero = all;
  for (ULONG i = 0; all && i < 32; ++i) zero = zero && zeroed[i] == 0;
  if (zeroed != nullptr) ExFreePoolWithTag(zeroed, kTag);
  if (tagged != nullptr) ExFreePoolWithTag(tagged, kTag);
  if (plain != nullptr) ExFreePool(plain);
  KC_CHECK(t, all && zero);
  return true;
}

bool RuntimeText(Test& t) {
  PAGED_CODE();
  UNICODE_STRING a = RTL_CONSTANT_STRING(L"Winsock Kernel");
  UNICODE_STRING b;
  RtlInitUnicodeString(&b, L"WINSOCK KERNEL");
  KC_EQ(t, a.Length, 28);
  KC_EQ(t, b.MaximumLength, 30);
  KC_CHECK(t, RtlEqualUnicodeString(&a, &b, TRUE));
  KC_CHECK(t, !RtlEqualUnicodeString(&a, &b, FALSE));

#ifdef KC_HAVE_IP2STRING
  IN_ADDR v4;
  PCSTR end = nullptr;
  KC_STATUS(t, RtlIpv4StringToAddressA("10.20.30.40", TRUE, &end, &v4), STATUS_SUCCESS);
  CHAR text[64];
  RtlIpv4AddressToStringA(&v4, text);
  KC_CHECK(t, RtlCompareMemory(text, "10.20.30.40", 12) == 12);
  KC_STATUS(t, RtlIpv4StringToAddressA("10.20.30", TRUE, &end, &v4), STATUS_INVALID_PARAMETER);
  IN6_ADDR v6;
  ULONG scope = 7;
  USHORT port = 0;
  KC_STATUS(t, RtlIpv6StringToAddressExW(L"[2001:db8::5]:8080", &v6, &scope, &port),
            STATUS_SUCCESS);
  KC_EQ(t, RtlUshortByteSwap(port), 8080);
  KC_EQ(t, scope, 0);
  KC_EQ(t, v6.s6_addr[0], 0x20);
  KC_EQ(t, v6.s6_addr[15], 5);
  WCHAR wide[64];
  ULONG wlen = 64;
  KC_STATUS(t, RtlIpv6AddressToStringExW(&v6, 0, port, wide, &wlen), STATUS_SUCCESS);
  UNICODE_STRING got;
  RtlInitUnicodeString(&got, wide);
  UNICODE_STRING want = RTL_CONSTANT_STRING(L"[2001:db8::5]:8080");
  KC_CHECK(t, RtlEqualUnicodeString(&got, &want, FALSE));
  KC_EQ(t, wlen, 19);
#else
  WCHAR wide[64];
  CHAR text[64];
  t.Fail(__LINE__, "<ip2string.h> (the RtlIpv4/Ipv6 string routines) is missing");
#endif

  KC_STATUS(t, RtlStringCbPrintfA(text, sizeof(text), "%s=%u/%04X", "port", 80u, 0xBEEFu),
            STATUS_SUCCESS);
  KC_CHECK(t, RtlCompareMemory(text, "port=80/BEEF", 13) == 13);
  KC_STATUS(t, RtlStringCchPrintfW(wide, 4, L"%d", 123456), STATUS_BUFFER_OVERFLOW);
  KC_CHECK(t, wide[3] == L'\0');
  KC_STATUS(t, RtlStringCbCopyA(text, sizeof(text), "kernel"), STATUS_SUCCESS);
  size_t len = 0;
  KC_STATUS(t, RtlStringCchLengthA(text, sizeof(text), &len), STATUS_SUCCESS);
  KC_EQ(t, len, 6);

  KC_EQ(t, DbgPrint("kmtest(C++): DbgPrint %d\n", 1), STATUS_SUCCESS);
  KC_EQ(t, DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "kmtest(C++): DbgPrintEx\n"),
        STATUS_SUCCESS);
  KdPrint(("kmtest(C++): KdPrint\n"));
  NT_ASSERT(len == 6);

  LARGE_INTEGER t1, t2, delay;
  KeQuerySystemTimePrecise(&t1);
  delay.QuadPart = -10000LL * 5;
  KC_STATUS(t, KeDelayExecutionThread(KernelMode, FALSE, &delay), STATUS_SUCCESS);
  KeQuerySystemTime(&t2);
  KC_CHECK(t, t1.QuadPart > 132223104000000000LL);
  KC_CHECK(t, t2.QuadPart > 132223104000000000LL);
  return true;
}

bool RuntimeIrpMdl(Test& t) {
  // The lower driver's side by hand: pending mark, IoCompleteRequest, routine.
  struct Seen {
    volatile LONG calls;
    BOOLEAN pending;
    ULONG_PTR info;
  } seen{};
  Irp irp;
  KC_CHECK(t, irp);
  PIRP p = irp.get();
  KC_EQ(t, p->StackCount, 1);
  KC_EQ(t, p->CurrentLocation, 2);
  IoSetCompletionRoutine(
      p,
      [](PDEVICE_OBJECT, PIRP i, PVOID context) -> NTSTATUS {
        auto* s = static_cast<Seen*>(context);
        s->pending = i->PendingReturned;
        s->info = i->IoStatus.Information;
        InterlockedIncrement(&s->calls);
        return STATUS_MORE_PROCESSING_REQUIRED;
      },
      &seen, TRUE, TRUE, TRUE);
  KC_CHECK(t, IoGetNextIrpStackLocation(p)->Context == &seen);
  IoSetNextIrpStackLocation(p);
  KC_CHECK(t, IoGetCurrentIrpStackLocation(p)->Context == &seen);
  IoMarkIrpPending(p);
  p->IoStatus.Status = STATUS_SUCCESS;
  p->IoStatus.Information = 7;
  IoCompleteRequest(p, IO_NETWORK_INCREMENT);
  KC_EQ(t, seen.calls, 1);
  KC_CHECK(t, seen.pending);
  KC_EQ(t, seen.info, 7);
  IoReuseIrp(p, STATUS_UNSUCCESSFUL);
  KC_EQ(t, p->CurrentLocation, 2);
  KC_STATUS(t, p->IoStatus.Status, STATUS_UNSUCCESSFUL);
  KC_CHECK(t, !IoCancelIrp(p));  // nobody holds it: no cancel routine to call
  KC_CHECK(t, p->Cancel);
  IoReuseIrp(p, STATUS_UNSUCCESSFUL);
  KC_CHECK(t, !p->Cancel);

  // A chain of two MDLs over one buffer; probe-and-lock on the second.
  Buffer whole(256);
  KC_CHECK(t, whole);
  PMDL tail = IoAllocateMdl(whole.va() + 100, 156, FALSE, FALSE, nullptr);
  KC_CHECK(t, tail != nullptr);
  InterlockedIncrement(&g_books.mdls);
  MmProbeAndLockPages(tail, KernelMode, IoModifyAccess);
  auto* mapped = static_cast<PUCHAR>(
      MmGetSystemAddressForMdlSafe(tail, NormalPagePriority | MdlMappingNoExecute));
  const bool mapped_ok = mapped == whole.va() + 100;
  if (mapped_ok) mapped[0] = 0x77;
  MmUnlockPages(tail);
  const ULONG count = MmGetMdlByteCount(tail);
  const PVOID va = MmGetMdlVirtualAddress(tail);
  InterlockedIncrement(&g_books.mdls_freed);
  IoFreeMdl(tail);
  KC_CHECK(t, mapped_ok);
  KC_EQ(t, whole.va()[100], 0x77);
  KC_EQ(t, count, 156);
  KC_CHECK(t, va == whole.va() + 100);
  KC_EQ(t, MmGetMdlByteCount(whole.mdl()), 256);
  return true;
}

namespace {

DRIVER_UNLOAD DriverUnloadCpp;

VOID DriverUnloadCpp(PDRIVER_OBJECT) {
  if (g_driver.captured) {
    WskReleaseProviderNPI(&g_driver.registration);
    g_driver.captured = false;
  }
  if (g_driver.registered) {
    WskDeregister(&g_driver.registration);  // waits for sockets and calls
    g_driver.registered = false;
  }
}

NTSTATUS DriverEntryCpp(PDRIVER_OBJECT driver, PUNICODE_STRING) {
  driver->DriverUnload = DriverUnloadCpp;
  g_driver.client_dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
  g_driver.client_npi.ClientContext = &g_driver;
  g_driver.client_npi.Dispatch = &g_driver.client_dispatch;
  NTSTATUS st = WskRegister(&g_driver.client_npi, &g_driver.registration);
  if (!NT_SUCCESS(st)) return st;
  g_driver.registered = true;
  st = WskCaptureProviderNPI(&g_driver.registration, kWaitMs, &g_driver.provider);
  if (!NT_SUCCESS(st)) {
    WskDeregister(&g_driver.registration);
    g_driver.registered = false;
    return st;
  }
  g_driver.captured = true;
  // Probe ::1 once, so that IPv6 cases can say why they skip.
  Irp irp;
  Socket probe;
  char scratch[128];
  Test quiet(scratch, sizeof(scratch));
  if (irp && Open(quiet, __LINE__, irp, probe, AF_INET6, WSK_FLAG_DATAGRAM_SOCKET)) {
    Addr a = Addr::Loopback(AF_INET6);
    g_driver.ipv6 =
        irp.Done(quiet, __LINE__, probe.Bind(&a.sa, irp.Arm())) && irp.status() == STATUS_SUCCESS;
  }
  return STATUS_SUCCESS;
}

DRIVER_OBJECT g_driver_object;

template <bool (*Case)(Test&)>
int Run(char* msg, unsigned int cap) {
  const Books before = g_books;
  Test t(msg, cap);
  (void)Case(t);  // its RAII owners are gone when it returns
  const Books& after = g_books;
  if (t.result() == KM_TEST_PASSED &&
      (after.irps - before.irps != after.irps_freed - before.irps_freed ||
       after.mdls - before.mdls != after.mdls_freed - before.mdls_freed ||
       after.pool - before.pool != after.pool_freed - before.pool_freed ||
       after.sockets - before.sockets != after.sockets_closed - before.sockets_closed)) {
    t.Fail(__LINE__, "the case did not return every IRP, MDL, pool block and socket");
  }
  return t.result();
}

int Load(char* msg, unsigned int cap) {
  UNICODE_STRING path = RTL_CONSTANT_STRING(
      L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\wskport_kmtest_cpp");
  const NTSTATUS st = DriverEntryCpp(&g_driver_object, &path);
  RtlStringCbPrintfA(msg, cap, "DriverEntry: 0x%08X", static_cast<ULONG>(st));
  return NT_SUCCESS(st) ? KM_TEST_PASSED : KM_TEST_FAILED;
}

int Unload(char* msg, unsigned int cap) {
  g_driver_object.DriverUnload(&g_driver_object);
  const Books& b = g_books;
  RtlStringCbPrintfA(msg, cap,
                     "IRPs %ld/%ld, MDLs %ld/%ld, pool %ld/%ld, sockets %ld/%ld "
                     "(allocated/freed)",
                     b.irps, b.irps_freed, b.mdls, b.mdls_freed, b.pool, b.pool_freed, b.sockets,
                     b.sockets_closed);
  const bool balanced = b.irps == b.irps_freed && b.mdls == b.mdls_freed &&
                        b.pool == b.pool_freed && b.sockets == b.sockets_closed;
  return balanced ? KM_TEST_PASSED : KM_TEST_FAILED;
}

#define KC_CASE(name) \
  { #name, &Run < &name> }

const KM_TEST_CASE kCases[] = {
    KC_CASE(RuntimeSync),      KC_CASE(RuntimeText),   KC_CASE(RuntimeIrpMdl),
    KC_CASE(Registration),     KC_CASE(EchoIpv4),      KC_CASE(EchoIpv6),
    KC_CASE(ConnectionStates), KC_CASE(TransferFlags), KC_CASE(ReceiveEventModes),
    KC_CASE(Options),          KC_CASE(DatagramIpv4),  KC_CASE(DatagramIpv6),
    KC_CASE(Categories),       KC_CASE(Names),
};

const KM_TEST_DRIVER kDriver = {"KmDriverCpp", &Load, &Unload, kCases,
                                sizeof(kCases) / sizeof(kCases[0])};

}  // namespace
}  // namespace kmcpp

extern "C" const KM_TEST_DRIVER* wskport_km_test_driver_cpp(void) { return &kmcpp::kDriver; }
