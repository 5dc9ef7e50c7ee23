// SPDX-License-Identifier: MIT
// The IRP verifier seen from the kernel-compatible layer: a completion routine that
// returns anything but STATUS_MORE_PROCESSING_REQUIRED for an IRP the driver allocated
// (the kernel would then finish the IRP for a thread that does not exist) stops the
// process with a report, and so does WskDeregister with a socket never closed (it would
// wait forever). Its own executable: the km headers replace the platform's.
#include <gtest/gtest.h>
#include <ntddk.h>
#include <wsk.h>

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

NTSTATUS signal_event(PDEVICE_OBJECT /*device*/, PIRP /*irp*/, PVOID context) {
  KeSetEvent(static_cast<PKEVENT>(context), IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

// Registers, opens a socket, and deregisters without closing it.
void deregister_with_a_socket_open() {
  static WSK_REGISTRATION registration;
  static const WSK_CLIENT_DISPATCH dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
  WSK_CLIENT_NPI client = {nullptr, &dispatch};
  if (!NT_SUCCESS(WskRegister(&client, &registration))) return;
  WSK_PROVIDER_NPI provider{};
  if (!NT_SUCCESS(WskCaptureProviderNPI(&registration, WSK_NO_WAIT, &provider))) return;
  KEVENT done;
  KeInitializeEvent(&done, NotificationEvent, FALSE);
  PIRP irp = IoAllocateIrp(1, FALSE);
  IoSetCompletionRoutine(irp, signal_event, &done, TRUE, TRUE, TRUE);
  (void)provider.Dispatch->WskSocket(provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                     WSK_FLAG_CONNECTION_SOCKET, nullptr, nullptr, nullptr, nullptr,
                                     nullptr, irp);
  LARGE_INTEGER timeout;
  timeout.QuadPart = -10LL * 1000 * 1000 * 10;  // 10 s, relative
  (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &timeout);
  IoFreeIrp(irp);
  WskReleaseProviderNPI(&registration);
  WskDeregister(&registration);  // the socket is still open: reported after 10 s
}

TEST(VerifierKm, DeregisterWithASocketOpenIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  wskport::verifier::enable();
  EXPECT_DEATH(deregister_with_a_socket_open(),
               "WskDeregister after 10 s: 1 socket\\(s\\) not closed");
}

}  // namespace
