/* SPDX-License-Identifier: MIT */
/* The install test's driver: registers with WSK, opens a listening socket on IPv4
 * loopback (port 0), reads its address back, closes it, and asks the host to stop; its
 * unload deregisters. It prints "c_driver: ok <port>" when all of that worked. */
#include <ntddk.h>
#include <signal.h>
#include <wsk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD Unload;
static IO_COMPLETION_ROUTINE Done;

static WSK_REGISTRATION g_registration;
static const WSK_CLIENT_DISPATCH g_dispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};

static NTSTATUS Done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Waits for one call on irp (reused) and returns its status. */
static NTSTATUS Wait(PIRP irp, PKEVENT event, NTSTATUS returned) {
  if (returned == STATUS_PENDING) KeWaitForSingleObject(event, Executive, KernelMode, FALSE, NULL);
  return irp->IoStatus.Status;
}

static void Arm(PIRP irp, PKEVENT event) {
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  KeClearEvent(event);
  IoSetCompletionRoutine(irp, Done, event, TRUE, TRUE, TRUE);
}

static VOID Unload(PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);
  WskDeregister(&g_registration);
  DbgPrint("c_driver: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WSK_CLIENT_NPI client = {NULL, &g_dispatch};
  WSK_PROVIDER_NPI npi;
  SOCKADDR_IN address;
  PWSK_SOCKET listener = NULL;
  KEVENT event;
  PIRP irp;
  NTSTATUS status;
  UNREFERENCED_PARAMETER(RegistryPath);
  status = WskRegister(&client, &g_registration);
  if (!NT_SUCCESS(status)) return status;
  status = WskCaptureProviderNPI(&g_registration, WSK_INFINITE_WAIT, &npi);
  irp = NT_SUCCESS(status) ? IoAllocateIrp(1, FALSE) : NULL;
  if (irp == NULL) {
    if (NT_SUCCESS(status)) WskReleaseProviderNPI(&g_registration);
    WskDeregister(&g_registration);
    return NT_SUCCESS(status) ? STATUS_INSUFFICIENT_RESOURCES : status;
  }
  KeInitializeEvent(&event, NotificationEvent, FALSE);
  RtlZeroMemory(&address, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = RtlUlongByteSwap(0x7F000001); /* 127.0.0.1 */

  Arm(irp, &event);
  status = Wait(irp, &event,
                npi.Dispatch->WskSocket(npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL, irp));
  if (NT_SUCCESS(status)) {
    const WSK_PROVIDER_LISTEN_DISPATCH* d;
    listener = (PWSK_SOCKET)irp->IoStatus.Information;
    d = (const WSK_PROVIDER_LISTEN_DISPATCH*)listener->Dispatch;
    Arm(irp, &event);
    status = Wait(irp, &event, d->WskBind(listener, (PSOCKADDR)&address, 0, irp));
    if (NT_SUCCESS(status)) {
      Arm(irp, &event);
      status = Wait(irp, &event, d->WskGetLocalAddress(listener, (PSOCKADDR)&address, irp));
    }
    Arm(irp, &event);
    (void)Wait(irp, &event, d->WskCloseSocket(listener, irp));
  }
  IoFreeIrp(irp);
  WskReleaseProviderNPI(&g_registration);
  if (!NT_SUCCESS(status)) {
    WskDeregister(&g_registration);
    return status;
  }
  DbgPrint("c_driver: ok %u\n", (unsigned)RtlUshortByteSwap(address.sin_port));
  DriverObject->DriverUnload = Unload;
  raise(SIGTERM); /* the host installed its handler before DriverEntry */
  return STATUS_SUCCESS;
}
