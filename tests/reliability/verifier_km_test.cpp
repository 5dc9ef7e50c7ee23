// SPDX-License-Identifier: MIT
// The IRP verifier seen from the kernel-compatible layer: a completion routine that
// returns anything but STATUS_MORE_PROCESSING_REQUIRED for an IRP the driver allocated
// (the kernel would then finish the IRP for a thread that does not exist) stops the
// process with a report. Its own executable: the km headers replace the platform's.
#include <gtest/gtest.h>
#include <ntddk.h>

#include "wskport/verifier.hpp"

namespace {

NTSTATUS returns_success(PDEVICE_OBJECT /*device*/, PIRP /*irp*/, PVOID /*context*/) {
  return STATUS_SUCCESS;
}

NTSTATUS returns_more_processing(PDEVICE_OBJECT /*device*/, PIRP /*irp*/, PVOID context) {
  ++*static_cast<int*>(context);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

PIRP driver_allocated_irp_in_flight(PIO_COMPLETION_ROUTINE routine, PVOID context) {
  PIRP irp = IoAllocateIrp(1, FALSE);
  IoSetCompletionRoutine(irp, routine, context, TRUE, TRUE, TRUE);
  IoSetNextIrpStackLocation(irp);  // what IoCallDriver does
  irp->IoStatus.Status = STATUS_SUCCESS;
  irp->IoStatus.Information = 0;
  return irp;
}

TEST(VerifierKm, RoutineContractBreakIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  wskport::verifier::enable();
  EXPECT_DEATH(
      {
        PIRP irp = driver_allocated_irp_in_flight(returns_success, nullptr);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
      },
      "other than STATUS_MORE_PROCESSING_REQUIRED for a driver-allocated IRP");
}

TEST(VerifierKm, RoutineKeepingTheContractIsNotReported) {
  wskport::verifier::enable();
  int calls = 0;
  PIRP irp = driver_allocated_irp_in_flight(returns_more_processing, &calls);
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  EXPECT_EQ(calls, 1);
  IoFreeIrp(irp);
}

}  // namespace
