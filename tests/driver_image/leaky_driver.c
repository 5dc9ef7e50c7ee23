/* SPDX-License-Identifier: MIT */
/* A test driver that leaks on purpose, for the loader's leak report. Options after the
 * registry path:
 *   ;Leak=memory   a pool block, an IRP and an MDL never freed
 *   ;Leak=socket   a WSK registration never deregistered, with one socket never closed
 *   ;Leak=thread   a system thread that never ends
 *   ;Leak=timer    a timer with a DPC, set an hour ahead and never cancelled
 *   ;Fail          DriverEntry fails (STATUS_DEVICE_NOT_READY) after the leaks above
 *   ;Stop          raise SIGTERM at once (for the host program)
 * With no Leak option it leaks nothing. */
#include <ntddk.h>
#include <signal.h>
#include <wsk.h>

#include "driver_options.h"

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD LeakyUnload;
static KSTART_ROUTINE Forever;
static IO_COMPLETION_ROUTINE Done;

static KEVENT g_never;
static KTIMER g_timer;
static KDPC g_dpc;
static KDEFERRED_ROUTINE Never;
static WSK_REGISTRATION g_registration;
static WSK_PROVIDER_NPI g_npi;
static const WSK_CLIENT_DISPATCH g_dispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};
static char g_buffer[64];

static VOID Never(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
  UNREFERENCED_PARAMETER(Dpc);
  UNREFERENCED_PARAMETER(Context);
  UNREFERENCED_PARAMETER(Argument1);
  UNREFERENCED_PARAMETER(Argument2);
}

static VOID Forever(PVOID Context) {
  UNREFERENCED_PARAMETER(Context);
  KeWaitForSingleObject(&g_never, Executive, KernelMode, FALSE, NULL);
}

static NTSTATUS Done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS LeakSocket(void) {
  WSK_CLIENT_NPI client = {NULL, &g_dispatch};
  KEVENT event;
  PIRP irp;
  NTSTATUS status = WskRegister(&client, &g_registration);
  if (!NT_SUCCESS(status)) return status;
  status = WskCaptureProviderNPI(&g_registration, WSK_INFINITE_WAIT, &g_npi);
  if (!NT_SUCCESS(status)) return status;
  irp = IoAllocateIrp(1, FALSE);
  if (irp == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  KeInitializeEvent(&event, NotificationEvent, FALSE);
  IoSetCompletionRoutine(irp, Done, &event, TRUE, TRUE, TRUE);
  status = g_npi.Dispatch->WskSocket(g_npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                     WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL, irp);
  if (status == STATUS_PENDING) KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
  status = irp->IoStatus.Status;
  IoFreeIrp(irp);
  WskReleaseProviderNPI(&g_registration);
  return status;
}

static VOID LeakyUnload(PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);
  DbgPrint("leaky_driver: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  HANDLE thread;
  NTSTATUS status = STATUS_SUCCESS;
  KeInitializeEvent(&g_never, NotificationEvent, FALSE);
  if (HasOption(RegistryPath, "Leak=memory")) {
    if (ExAllocatePoolWithTag(NonPagedPoolNx, 40, 'kaeL') == NULL ||
        IoAllocateIrp(2, FALSE) == NULL ||
        IoAllocateMdl(g_buffer, sizeof g_buffer, FALSE, FALSE, NULL) == NULL) {
      return STATUS_INSUFFICIENT_RESOURCES;
    }
  }
  if (HasOption(RegistryPath, "Leak=socket")) status = LeakSocket();
  if (NT_SUCCESS(status) && HasOption(RegistryPath, "Leak=thread")) {
    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Forever, NULL);
    if (NT_SUCCESS(status)) ZwClose(thread);
  }
  if (NT_SUCCESS(status) && HasOption(RegistryPath, "Leak=timer")) {
    LARGE_INTEGER due;
    due.QuadPart = -10LL * 1000 * 1000 * 3600;
    KeInitializeTimer(&g_timer);
    KeInitializeDpc(&g_dpc, Never, NULL);
    KeSetTimer(&g_timer, due, &g_dpc);
  }
  if (!NT_SUCCESS(status)) return status;
  if (HasOption(RegistryPath, "Fail")) return STATUS_DEVICE_NOT_READY;
  DriverObject->DriverUnload = LeakyUnload;
  if (HasOption(RegistryPath, "Stop")) raise(SIGTERM);
  return STATUS_SUCCESS;
}
