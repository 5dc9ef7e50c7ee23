/* SPDX-License-Identifier: MIT */
/* IRP, MDL and work-item cases, written as a kernel driver writes them. The test plays
 * the lower driver: it moves the IRP to the next stack location and completes it with
 * IoCompleteRequest, exactly the walk a WSK completion goes through. */
#include "km_rt_check.h"

static char g_failure[512];

void km_rt_record(int line, const char* text, LONGLONG a, LONGLONG b) {
  RtlStringCbPrintfA(g_failure, sizeof g_failure,
                     "line %d: %s (expected %lld / 0x%llx, got %lld / 0x%llx)", line, text, a, a, b,
                     b);
}

const char* km_rt_failure(void) { return g_failure; }

long long km_rt_pool_outstanding(void) { return WskportPoolOutstanding(); }

typedef struct _ROUTINE_LOG {
  LONG Calls;
  NTSTATUS Status;
  ULONG_PTR Information;
  BOOLEAN PendingReturned;
  PDEVICE_OBJECT Device;
  PVOID Context;
  NTSTATUS Return;
  BOOLEAN FreeIrp;
  LONG Order;
} ROUTINE_LOG;

static LONG g_order;

static IO_COMPLETION_ROUTINE LogRoutine;
static NTSTATUS LogRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  ROUTINE_LOG* log = (ROUTINE_LOG*)Context;
  log->Calls++;
  log->Status = Irp->IoStatus.Status;
  log->Information = Irp->IoStatus.Information;
  log->PendingReturned = Irp->PendingReturned;
  log->Device = DeviceObject;
  log->Context = Context;
  log->Order = ++g_order;
  if (log->FreeIrp) IoFreeIrp(Irp); /* the client owns the IRP again: free it here */
  return log->Return;
}

/* Completes @irp as the driver below the caller would. */
static VOID CompleteAsLowerDriver(PIRP irp, NTSTATUS status, ULONG_PTR information,
                                  BOOLEAN pending) {
  IoSetNextIrpStackLocation(irp);
  if (pending) IoMarkIrpPending(irp);
  irp->IoStatus.Status = status;
  irp->IoStatus.Information = information;
  IoCompleteRequest(irp, IO_NETWORK_INCREMENT);
}

int km_rt_irp_more_processing_required(void) {
  ROUTINE_LOG log;
  PIRP irp = IoAllocateIrp(1, FALSE);
  LONGLONG before = WskportPoolOutstanding();
  CHECK(irp != NULL);
  CHECK_EQ(1, irp->StackCount);
  CHECK_EQ(2, irp->CurrentLocation);
  CHECK_EQ(IO_TYPE_IRP, irp->Type);
  RtlZeroMemory(&log, sizeof log);
  log.Return = STATUS_MORE_PROCESSING_REQUIRED;
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  CHECK(IoGetNextIrpStackLocation(irp)->CompletionRoutine == LogRoutine);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 42, TRUE);
  CHECK_EQ(1, log.Calls);
  CHECK_EQ(STATUS_SUCCESS, log.Status);
  CHECK_EQ(42, log.Information);
  CHECK_EQ(TRUE, log.PendingReturned);
  CHECK(log.Device == NULL); /* the top location: no device object */
  CHECK(log.Context == &log);
  /* The client owns the IRP after STATUS_MORE_PROCESSING_REQUIRED: the walk ended. */
  CHECK_EQ(2, irp->CurrentLocation);
  IoFreeIrp(irp);
  CHECK_EQ(before - 1, WskportPoolOutstanding());

  /* Freeing the IRP inside the routine, as WSK clients do. */
  irp = IoAllocateIrp(1, FALSE);
  CHECK(irp != NULL);
  RtlZeroMemory(&log, sizeof log);
  log.Return = STATUS_MORE_PROCESSING_REQUIRED;
  log.FreeIrp = TRUE;
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  CompleteAsLowerDriver(irp, STATUS_CONNECTION_REFUSED, 0, FALSE);
  CHECK_EQ(1, log.Calls);
  CHECK_EQ(STATUS_CONNECTION_REFUSED, log.Status);
  CHECK_EQ(FALSE, log.PendingReturned);
  CHECK_EQ(before - 1, WskportPoolOutstanding());
  return 0;
}

int km_rt_irp_invoke_flags(void) {
  ROUTINE_LOG log;
  PIRP irp = IoAllocateIrp(1, FALSE);
  CHECK(irp != NULL);
  RtlZeroMemory(&log, sizeof log);
  log.Return = STATUS_MORE_PROCESSING_REQUIRED;

  /* Success only: not called for an error, nor for a warning (NT_SUCCESS is false). */
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, FALSE, FALSE);
  CompleteAsLowerDriver(irp, STATUS_INVALID_PARAMETER, 0, FALSE);
  CHECK_EQ(0, log.Calls);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, FALSE, FALSE);
  CompleteAsLowerDriver(irp, STATUS_BUFFER_OVERFLOW, 7, FALSE);
  CHECK_EQ(0, log.Calls);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, FALSE, FALSE);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 1, FALSE);
  CHECK_EQ(1, log.Calls);

  /* Error only: called for errors and warnings. */
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, FALSE, TRUE, FALSE);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 0, FALSE);
  CHECK_EQ(1, log.Calls);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, FALSE, TRUE, FALSE);
  CompleteAsLowerDriver(irp, STATUS_BUFFER_OVERFLOW, 3, FALSE);
  CHECK_EQ(2, log.Calls);
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, log.Status);

  /* Cancel only: called when Irp->Cancel is set, whatever the status. */
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, FALSE, FALSE, TRUE);
  CompleteAsLowerDriver(irp, STATUS_CANCELLED, 0, FALSE);
  CHECK_EQ(2, log.Calls);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, FALSE, FALSE, TRUE);
  CHECK_EQ(FALSE, IoCancelIrp(irp)); /* no cancel routine: only the flag */
  CHECK_EQ(TRUE, irp->Cancel);
  CompleteAsLowerDriver(irp, STATUS_CANCELLED, 0, FALSE);
  CHECK_EQ(3, log.Calls);
  CHECK_EQ(STATUS_CANCELLED, log.Status);
  IoFreeIrp(irp);
  return 0;
}

int km_rt_irp_two_locations(void) {
  ROUTINE_LOG upper, lower;
  DEVICE_OBJECT lowerDevice;
  PIRP irp = IoAllocateIrp(2, FALSE);
  CHECK(irp != NULL);
  RtlZeroMemory(&upper, sizeof upper);
  RtlZeroMemory(&lower, sizeof lower);
  RtlZeroMemory(&lowerDevice, sizeof lowerDevice);
  upper.Return = STATUS_MORE_PROCESSING_REQUIRED;
  lower.Return = STATUS_SUCCESS; /* let completion continue upward */
  g_order = 0;
  /* The upper driver (owner) sets its routine and passes the IRP down. */
  IoSetCompletionRoutine(irp, LogRoutine, &upper, TRUE, TRUE, TRUE);
  IoSetNextIrpStackLocation(irp);
  IoGetCurrentIrpStackLocation(irp)->DeviceObject = &lowerDevice;
  CHECK_EQ(2, irp->CurrentLocation);
  /* The middle driver sets its routine and passes it further down. */
  IoSetCompletionRoutine(irp, LogRoutine, &lower, TRUE, TRUE, TRUE);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 9, TRUE);
  CHECK_EQ(1, lower.Calls);
  CHECK_EQ(1, upper.Calls);
  CHECK_EQ(1, lower.Order);
  CHECK_EQ(2, upper.Order);
  CHECK(lower.Device == &lowerDevice); /* the routine sees its own location's device */
  CHECK(upper.Device == NULL);
  CHECK_EQ(TRUE, lower.PendingReturned);
  CHECK_EQ(9, upper.Information);
  IoFreeIrp(irp);
  return 0;
}

int km_rt_irp_reuse(void) {
  ROUTINE_LOG log;
  PIRP irp = IoAllocateIrp(3, FALSE);
  CHECK(irp != NULL);
  RtlZeroMemory(&log, sizeof log);
  log.Return = STATUS_MORE_PROCESSING_REQUIRED;
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  IoCancelIrp(irp);
  CompleteAsLowerDriver(irp, STATUS_CANCELLED, 5, TRUE);
  CHECK_EQ(1, log.Calls);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  CHECK_EQ(STATUS_UNSUCCESSFUL, irp->IoStatus.Status);
  CHECK_EQ(0, irp->IoStatus.Information);
  CHECK_EQ(3, irp->StackCount);
  CHECK_EQ(4, irp->CurrentLocation);
  CHECK_EQ(FALSE, irp->Cancel);
  CHECK_EQ(FALSE, irp->PendingReturned);
  CHECK(irp->MdlAddress == NULL);
  CHECK(IoGetNextIrpStackLocation(irp)->CompletionRoutine == NULL);
  /* And it works again. */
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 6, FALSE);
  CHECK_EQ(2, log.Calls);
  CHECK_EQ(6, log.Information);
  IoFreeIrp(irp);
  return 0;
}

static LONG g_cancelled;
static DRIVER_CANCEL CancelRoutine;
static VOID CancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  UNREFERENCED_PARAMETER(DeviceObject);
  IoReleaseCancelSpinLock(Irp->CancelIrql);
  InterlockedIncrement(&g_cancelled);
  Irp->IoStatus.Status = STATUS_CANCELLED;
  Irp->IoStatus.Information = 0;
  IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

int km_rt_irp_cancel_routine(void) {
  ROUTINE_LOG log;
  PIRP irp = IoAllocateIrp(1, FALSE);
  CHECK(irp != NULL);
  RtlZeroMemory(&log, sizeof log);
  log.Return = STATUS_MORE_PROCESSING_REQUIRED;
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  /* A driver holds the IRP with a cancel routine. */
  IoSetNextIrpStackLocation(irp);
  IoMarkIrpPending(irp);
  CHECK(IoSetCancelRoutine(irp, CancelRoutine) == NULL);
  g_cancelled = 0;
  CHECK_EQ(TRUE, IoCancelIrp(irp));
  CHECK_EQ(1, g_cancelled);
  CHECK_EQ(1, log.Calls);
  CHECK_EQ(STATUS_CANCELLED, log.Status);
  CHECK(irp->CancelRoutine == NULL);
  CHECK_EQ(FALSE, IoCancelIrp(irp)); /* nothing left to call */
  IoFreeIrp(irp);
  return 0;
}

int km_rt_irp_routine_returns_success(void) {
  /* A driver-allocated IRP whose routine does not return MORE_PROCESSING_REQUIRED: the
   * runtime reports it once and leaves the IRP to its owner. */
  ROUTINE_LOG log;
  PIRP irp = IoAllocateIrp(1, FALSE);
  CHECK(irp != NULL);
  RtlZeroMemory(&log, sizeof log);
  log.Return = STATUS_SUCCESS;
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 0, FALSE);
  CHECK_EQ(1, log.Calls);
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, LogRoutine, &log, TRUE, TRUE, TRUE);
  CompleteAsLowerDriver(irp, STATUS_SUCCESS, 0, FALSE); /* not reported a second time */
  CHECK_EQ(2, log.Calls);
  IoFreeIrp(irp);
  return 0;
}

int km_rt_mdl(void) {
  UCHAR* buffer = (UCHAR*)ExAllocatePoolWithTag(NonPagedPoolNx, 3 * PAGE_SIZE, 'tMdl');
  UCHAR* va;
  PMDL first, second, own;
  PIRP irp = IoAllocateIrp(1, FALSE);
  UCHAR storage[sizeof(MDL) + 4 * sizeof(PFN_NUMBER)];
  CHECK(buffer != NULL && irp != NULL);
  va = buffer + 100;
  first = IoAllocateMdl(va, 5000, FALSE, FALSE, irp);
  CHECK(first != NULL);
  CHECK(irp->MdlAddress == first);
  CHECK(first->StartVa == PAGE_ALIGN(va));
  CHECK_EQ(BYTE_OFFSET(va), first->ByteOffset);
  CHECK_EQ(5000, MmGetMdlByteCount(first));
  CHECK(MmGetMdlVirtualAddress(first) == va);
  CHECK_EQ(BYTE_OFFSET(va), MmGetMdlByteOffset(first));
  second = IoAllocateMdl(buffer, 10, TRUE, FALSE, irp);
  CHECK(second != NULL);
  CHECK(irp->MdlAddress == first && first->Next == second && second->Next == NULL);
  MmBuildMdlForNonPagedPool(first);
  CHECK((first->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) != 0);
  CHECK(MmGetSystemAddressForMdlSafe(first, NormalPagePriority | MdlMappingNoExecute) == va);
  MmProbeAndLockPages(second, KernelMode, IoWriteAccess);
  CHECK((second->MdlFlags & MDL_PAGES_LOCKED) != 0);
  CHECK(MmGetSystemAddressForMdlSafe(second, NormalPagePriority) == buffer);
  MmUnlockPages(second);
  CHECK((second->MdlFlags & MDL_PAGES_LOCKED) == 0);
  CHECK(IoAllocateMdl(buffer, 0, FALSE, FALSE, NULL) == NULL);
  /* An MDL in caller storage. */
  CHECK(MmSizeOfMdl(va, 5000) ==
        sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 5000));
  CHECK(MmSizeOfMdl(va, 5000) <= sizeof storage);
  own = (PMDL)storage;
  MmInitializeMdl(own, va, 5000);
  CHECK(MmGetMdlVirtualAddress(own) == va && own->Next == NULL);
  MmBuildMdlForNonPagedPool(own);
  CHECK(MmGetMdlPfnArray(own)[0] == ((ULONG_PTR)va >> PAGE_SHIFT));
  IoFreeMdl(second);
  IoFreeMdl(first);
  IoFreeIrp(irp);
  ExFreePoolWithTag(buffer, 'tMdl');
  return 0;
}

typedef struct _WORK_CONTEXT {
  KEVENT Done;
  PDEVICE_OBJECT Device;
  KIRQL Irql;
  PIO_WORKITEM Item;
} WORK_CONTEXT;

static IO_WORKITEM_ROUTINE WorkRoutine;
static VOID WorkRoutine(PDEVICE_OBJECT DeviceObject, PVOID Context) {
  WORK_CONTEXT* work = (WORK_CONTEXT*)Context;
  work->Device = DeviceObject;
  work->Irql = KeGetCurrentIrql();
  IoFreeWorkItem(work->Item);
  KeSetEvent(&work->Done, IO_NO_INCREMENT, FALSE);
}

int km_rt_work_item(void) {
  DRIVER_OBJECT driver;
  PDEVICE_OBJECT device = NULL;
  WORK_CONTEXT work;
  LARGE_INTEGER timeout;
  RtlZeroMemory(&driver, sizeof driver);
  CHECK_EQ(STATUS_SUCCESS,
           IoCreateDevice(&driver, 64, NULL, FILE_DEVICE_NETWORK, 0, FALSE, &device));
  CHECK(device != NULL && driver.DeviceObject == device && device->DriverObject == &driver);
  CHECK(device->DeviceExtension != NULL);
  RtlZeroMemory(&work, sizeof work);
  KeInitializeEvent(&work.Done, NotificationEvent, FALSE);
  work.Irql = HIGH_LEVEL;
  work.Item = IoAllocateWorkItem(device);
  CHECK(work.Item != NULL);
  IoQueueWorkItem(work.Item, WorkRoutine, DelayedWorkQueue, &work);
  timeout.QuadPart = KM_RT_WAIT_100NS;
  CHECK_EQ(STATUS_SUCCESS,
           KeWaitForSingleObject(&work.Done, Executive, KernelMode, FALSE, &timeout));
  CHECK(work.Device == device);
  CHECK_EQ(PASSIVE_LEVEL, work.Irql);
  IoDeleteDevice(device);
  CHECK(driver.DeviceObject == NULL);
  return 0;
}
