/* SPDX-License-Identifier: MIT */
/* Driver images: load a driver built by wskport_add_driver() into this process, run its
 * DriverEntry, later its DriverUnload, and learn what it leaked.
 *
 * A driver image is what a .sys file is to Windows: a module with its own symbol
 * namespace that exports DriverEntry and nothing else. On Linux it is a shared object
 * whose other symbols are all local (a linker version script) loaded with RTLD_LOCAL; on
 * Windows it is a DLL whose only export is DriverEntry. Either way, a driver's own
 * definitions of C-library names (socket, connect, getaddrinfo, malloc, ...) serve the
 * driver alone and never replace the ones the runtime and the C library use.
 *
 * Only a process whose runtime is the shared one (wskport::km_runtime, which
 * wskport_add_driver links) can load images: an image's kernel calls resolve to that
 * library, and a second copy of the runtime linked statically into the program would
 * keep separate books. */
#ifndef WSKPORT_KM_DRIVER_H
#define WSKPORT_KM_DRIVER_H

#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A loaded image (opaque). */
typedef struct _WSKPORT_DRIVER_IMAGE WSKPORT_DRIVER_IMAGE, *PWSKPORT_DRIVER_IMAGE;

/* What an image left behind when it was unloaded, as Driver Verifier checks at unload.
 * Pool blocks, IRPs and MDLs are those allocated by the image's own code (the runtime
 * tells by the caller's address) and not freed; registrations are WskRegister calls
 * without WskDeregister; sockets are those of the image's registrations not closed;
 * threads are system threads whose start routine is in the image and that are still
 * running; timers are KTIMERs still set and DPCs still queued or running whose object or
 * routine is in the image. An image that still has any of the last four is left mapped
 * (ImageUnmapped FALSE): a callback or thread in it would otherwise run in unmapped
 * memory. */
typedef struct _WSKPORT_LEAK_REPORT {
  ULONG PoolBlocks; /* other than IRPs and MDLs */
  ULONG Irps;
  ULONG Mdls;
  ULONG Registrations;
  ULONG Sockets;
  ULONG Threads;
  ULONG TimersAndDpcs;
  BOOLEAN ImageUnmapped;
} WSKPORT_LEAK_REPORT, *PWSKPORT_LEAK_REPORT;

/* Loads the image at ImagePath (a path; a bare file name is looked up in the running
 * program's directory), builds its DRIVER_OBJECT (DriverName "\Driver\<file name without
 * extension>") and calls DriverEntry with RegistryPath (UTF-8; NULL for
 * "\Registry\Machine\System\CurrentControlSet\Services\<file name without extension>").
 * Synchronous; DriverEntry runs on the calling thread. Returns:
 *   STATUS_SUCCESS                  DriverEntry succeeded; *Image is the loaded image;
 *   STATUS_INVALID_PARAMETER        ImagePath or Image is NULL, or ImagePath is empty;
 *   STATUS_DLL_NOT_FOUND            the image cannot be loaded (the reason is printed);
 *   STATUS_PROCEDURE_NOT_FOUND      the image exports no DriverEntry;
 *   STATUS_IMAGE_ALREADY_LOADED     this image (the same file) is loaded already;
 *   STATUS_TOO_MANY_SESSIONS        16 images are loaded already;
 *   DriverEntry's own failure       the image was unloaded again (leaks are reported
 *                                   on stderr, as for WskportUnloadDriver).
 * *Image is NULL on every failure. */
NTSTATUS WskportLoadDriver(PCSTR ImagePath, PCSTR RegistryPath, PWSKPORT_DRIVER_IMAGE* Image);

/* Calls the image's DriverUnload (if DriverEntry set one), reports on stderr what the
 * image leaked (each pool block with its tag, size and the image offset of the call that
 * allocated it), unmaps the image unless it still has live registrations, sockets or
 * threads, and ends Image. Report (may be NULL) receives the counts. Synchronous.
 * Returns STATUS_SUCCESS (nothing leaked), STATUS_UNSUCCESSFUL (something leaked: see
 * Report), STATUS_INVALID_PARAMETER (Image is not a loaded image; nothing is done). */
NTSTATUS WskportUnloadDriver(PWSKPORT_DRIVER_IMAGE Image, PWSKPORT_LEAK_REPORT Report);

/* The main() of a program made by wskport_add_driver(): `<program> [RegistryPath]`.
 * Loads ImagePath (as WskportLoadDriver), runs until SIGINT or SIGTERM (Ctrl+C), unloads.
 * `--help` prints the usage. Returns the process exit status: 0 (clean unload), 2 (bad
 * arguments), 3 (the driver leaked), 4 (the image could not be loaded), or DriverEntry's
 * failure status (with 1 ORed in when its low byte is 0, since POSIX shells keep only the
 * low byte). */
int WskportDriverHostMain(int argc, char** argv, PCSTR ImagePath);

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_KM_DRIVER_H */
