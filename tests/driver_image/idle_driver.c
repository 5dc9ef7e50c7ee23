/* SPDX-License-Identifier: MIT */
/* The smallest driver: DriverEntry sets an unload routine and returns. The loader tests
 * build it many times over, as different images. */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD IdleUnload;

static VOID IdleUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  UNREFERENCED_PARAMETER(RegistryPath);
  DriverObject->DriverUnload = IdleUnload;
  return STATUS_SUCCESS;
}
