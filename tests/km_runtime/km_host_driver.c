/* SPDX-License-Identifier: MIT */
/* A minimal kernel-style driver for the driver-host test: DriverEntry prints its
 * registry path, fails if the path ends in "Fail", and otherwise starts a system thread
 * that asks the host to stop (as Ctrl+C would), so the host calls DriverUnload. */
#include <ntddk.h>
#include <signal.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD Unload;
static KSTART_ROUTINE StopSoon;

static PVOID g_block;

static VOID StopSoon(PVOID Context) {
  LARGE_INTEGER delay;
  UNREFERENCED_PARAMETER(Context);
  delay.QuadPart = -10 * 1000 * 50;
  KeDelayExecutionThread(KernelMode, FALSE, &delay);
  raise(SIGTERM);
}

static VOID Unload(PDRIVER_OBJECT DriverObject) {
  DbgPrint("km_host_driver: unload %wZ\n", &DriverObject->DriverName);
  ExFreePoolWithTag(g_block, 'tsoH');
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  static const UNICODE_STRING fail = RTL_CONSTANT_STRING(L"Fail");
  UNICODE_STRING tail;
  HANDLE thread;
  NTSTATUS status;
  DbgPrint("km_host_driver: entry %wZ\n", RegistryPath);
  if (RegistryPath->Length >= fail.Length) {
    tail.Buffer = RegistryPath->Buffer + (RegistryPath->Length - fail.Length) / sizeof(WCHAR);
    tail.Length = tail.MaximumLength = fail.Length;
    if (RtlEqualUnicodeString(&tail, &fail, FALSE)) return STATUS_DEVICE_NOT_READY;
  }
  g_block = ExAllocatePoolWithTag(NonPagedPoolNx, 16, 'tsoH');
  if (g_block == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  DriverObject->DriverUnload = Unload;
  status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, StopSoon, NULL);
  if (!NT_SUCCESS(status)) {
    ExFreePoolWithTag(g_block, 'tsoH');
    return status;
  }
  ZwClose(thread);
  return STATUS_SUCCESS;
}
