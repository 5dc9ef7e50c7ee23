// SPDX-License-Identifier: MIT
// IRP completion as the I/O manager does it: the trampoline the core calls when a km
// IRP completes, IoCompleteRequest, IoCancelIrp and IoCallDriver.
#include <cstdint>
#include <utility>

#include "common/core/verifier.hpp"
#include "common/km/km_irp.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km {

namespace {

void report_routine_convention(PIRP irp, PIO_COMPLETION_ROUTINE routine) noexcept {
  // The IRP verifier (docs/reliability.md) stops here, with the IRP's history, as
  // Driver Verifier would; without it the convention break is reported and survived.
  if (::wskport::detail::verifier::on(::wskport::verifier::irp)) {
    ::wskport::detail::verifier::report(
        ::wskport::verifier::irp, &core_irp(irp), 0, "IoCompleteRequest",
        "completion routine returned a status other than STATUS_MORE_PROCESSING_REQUIRED for "
        "a driver-allocated IRP (IoAllocateIrp)");
  }
  detail::report(
      "completion routine %p returned a status other than STATUS_MORE_PROCESSING_REQUIRED "
      "for IRP %p, which a driver allocated (IoAllocateIrp): the kernel would now finish "
      "the IRP for a thread that does not exist. Return STATUS_MORE_PROCESSING_REQUIRED and "
      "free or reuse the IRP yourself. The IRP is left as it is (reported once per routine)\n",
      reinterpret_cast<void*>(routine), static_cast<void*>(irp));
}

// IoCompleteRequest's walk (the kernel's IopfCompleteRequest): from the current location
// upward, each location's routine runs if its Invoke flags match; a routine that returns
// STATUS_MORE_PROCESSING_REQUIRED ends the walk (its owner has the IRP again and may
// have freed or reused it already, so nothing touches the IRP after that).
void complete_walk(PIRP irp) noexcept {
  PIO_COMPLETION_ROUTINE last_routine = nullptr;
  while (irp->CurrentLocation <= irp->StackCount) {
    PIO_STACK_LOCATION sp = irp->Tail.Overlay.CurrentStackLocation;
    irp->CurrentLocation++;
    irp->Tail.Overlay.CurrentStackLocation++;
    irp->PendingReturned = static_cast<BOOLEAN>((sp->Control & SL_PENDING_RETURNED) != 0);
    // Read per location: a routine that returns another status may change IoStatus for
    // the routines above it.
    const NTSTATUS status = core_irp(irp).IoStatus.Status;
    const bool cancelled = detail::atomic(irp->Cancel).load() != FALSE;
    const UCHAR control = sp->Control;
    const bool invoke = (NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS) != 0) ||
                        (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR) != 0) ||
                        (cancelled && (control & SL_INVOKE_ON_CANCEL) != 0);
    const PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
    const PVOID context = sp->Context;
    sp->Control = 0;
    sp->CompletionRoutine = nullptr;
    sp->Context = nullptr;
    if (invoke && routine != nullptr) {
      PDEVICE_OBJECT device = irp->CurrentLocation == irp->StackCount + 1
                                  ? nullptr
                                  : IoGetCurrentIrpStackLocation(irp)->DeviceObject;
      if (routine(device, irp, context) == STATUS_MORE_PROCESSING_REQUIRED) return;
      last_routine = routine;
    } else if (irp->PendingReturned && irp->CurrentLocation <= irp->StackCount) {
      IoMarkIrpPending(irp);
    }
  }
  // Past the top location. In the kernel the I/O manager would now finish the IRP for
  // the thread that issued it; a driver-allocated IRP has none, so a routine there must
  // have returned STATUS_MORE_PROCESSING_REQUIRED. The IRP is left to its owner.
  if (last_routine != nullptr && detail::first_time(reinterpret_cast<const void*>(last_routine))) {
    report_routine_convention(irp, last_routine);
  }
}

}  // namespace

namespace detail {

void irp_trampoline(wskport::Irp& core, void* /*context*/) noexcept {
  PIRP irp = km_irp(core);
  auto hook = reinterpret_cast<ProviderHook>(std::exchange(irp->WskportHook, nullptr));
  if (hook != nullptr && hook(irp)) return;  // the WSK layer took the IRP back
  complete_walk(irp);
}

}  // namespace detail

}  // namespace wskport::km

using wskport::km::detail::report;

extern "C" {

VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost) {
  UNREFERENCED_PARAMETER(PriorityBoost);
  if (!wskport::km::is_km_irp(Irp)) {
    wskport::km::detail::fatal("IoCompleteRequest(%p): not an IRP from IoAllocateIrp\n",
                               static_cast<void*>(Irp));
  }
  const auto& status = wskport::km::core_irp(Irp).IoStatus;
  if (status.Status == STATUS_PENDING) {
    // The kernel bug-checks (MULTIPLE_IRP_COMPLETE_REQUESTS / IRQL checks); a pending
    // status is never a final one.
    wskport::km::detail::fatal("IoCompleteRequest(%p) with IoStatus.Status == STATUS_PENDING\n",
                               static_cast<void*>(Irp));
  }
  wskport::km::complete_now(Irp, status.Status, status.Information);
}

BOOLEAN IoCancelIrp(PIRP Irp) {
  wskport::km::detail::atomic(Irp->Cancel).store(TRUE);
  // A WSK call that owns the IRP: the core cancels it (it completes with
  // STATUS_CANCELLED unless it finishes first).
  if (wskport::km::is_km_irp(Irp) && wskport::km::core_irp(Irp).cancel()) return TRUE;
  // A driver that holds the IRP itself and set a cancel routine.
  KIRQL irql;
  IoAcquireCancelSpinLock(&irql);
  PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, nullptr);
  if (routine == nullptr) {
    IoReleaseCancelSpinLock(irql);
    return FALSE;
  }
  Irp->CancelIrql = irql;  // the routine releases the cancel spin lock with it
  PDEVICE_OBJECT device = Irp->CurrentLocation <= Irp->StackCount
                              ? IoGetCurrentIrpStackLocation(Irp)->DeviceObject
                              : nullptr;
  routine(device, Irp);
  return TRUE;
}

NTSTATUS IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  IoSetNextIrpStackLocation(Irp);
  PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
  sp->DeviceObject = DeviceObject;
  PDRIVER_DISPATCH dispatch = nullptr;
  if (DeviceObject != nullptr && DeviceObject->DriverObject != nullptr &&
      sp->MajorFunction <= IRP_MJ_MAXIMUM_FUNCTION) {
    dispatch = DeviceObject->DriverObject->MajorFunction[sp->MajorFunction];
  }
  if (dispatch == nullptr) {
    report(
        "IoCallDriver(%p, %p): no dispatch routine for major function 0x%x; completing "
        "with STATUS_INVALID_DEVICE_REQUEST\n",
        static_cast<void*>(DeviceObject), static_cast<void*>(Irp), sp->MajorFunction);
    wskport::km::core_irp(Irp).IoStatus = {STATUS_INVALID_DEVICE_REQUEST, 0};
    IofCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
  }
  return dispatch(DeviceObject, Irp);
}

NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                  PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                  BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                  BOOLEAN InvokeOnCancel) {
  UNREFERENCED_PARAMETER(DeviceObject);
  IoSetCompletionRoutine(Irp, CompletionRoutine, Context, InvokeOnSuccess, InvokeOnError,
                         InvokeOnCancel);
  return STATUS_SUCCESS;
}

}  // extern "C"
