/* SPDX-License-Identifier: MIT */
/* A test driver that works the way drivers built on a Berkeley-sockets layer do: a TCP
 * echo server on a system thread (socket, bind, listen, getsockname, accept, recv, send,
 * close) and, in DriverEntry, a client of it that resolves "localhost" or "::1" through
 * its own getaddrinfo, connects, sends 100 KiB and checks the echo. DriverEntry returns
 * what it saw, so the loader's caller learns whether the driver worked.
 *
 * Options, after the registry path (";Name=value"):
 *   Family=4     IPv4 server on 0.0.0.0, client to localhost (name resolution)
 *   Family=6     IPv6 server on ::, client to ::1
 *   Family=dual  IPv6 server on :: (dual stack), client to 127.0.0.1 (default)
 *   Stop         raise SIGTERM once the echo has been checked (for the host program)
 * DriverEntry also fails if the image's globals are not fresh: a reload of an image
 * that was really unmapped starts from zero. */
#include <ntstrsafe.h>
#include <signal.h>

#include "bsd_layer.h"

#include "driver_options.h"

#define ECHO_BYTES (100 * 1024)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD EchoUnload;
static KSTART_ROUTINE EchoServer;
static KSTART_ROUTINE EchoStop;

static LONG g_generation;    /* 0 in a freshly mapped image */
static LONG g_heap_at_entry; /* a C runtime linked into the image may use malloc too */
static int g_family = AF_INET6;
static BOOLEAN g_dual = TRUE;
static KEVENT g_listening;
static volatile int g_port;
static volatile NTSTATUS g_server_status = STATUS_PENDING;
static PETHREAD g_server;
static PETHREAD g_stopper;

static void FillPattern(unsigned char* p, int n) {
  int i;
  for (i = 0; i < n; ++i) p[i] = (unsigned char)(i * 7 + 3);
}

static VOID EchoServer(PVOID Context) {
  SOCKADDR_STORAGE local;
  int length = (int)sizeof local, listener, peer, n;
  char* buffer = (char*)malloc(4096);
  UNREFERENCED_PARAMETER(Context);
  RtlZeroMemory(&local, sizeof local);
  local.ss_family = (ADDRESS_FAMILY)g_family;
  listener = socket(g_family, SOCK_STREAM, IPPROTO_TCP);
  if (buffer == NULL || listener < 0 ||
      bind(listener, (SOCKADDR*)&local,
           g_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN)) != 0 ||
      listen(listener, 1) != 0 || getsockname(listener, (SOCKADDR*)&local, &length) != 0) {
    g_server_status = STATUS_UNSUCCESSFUL;
    KeSetEvent(&g_listening, IO_NO_INCREMENT, FALSE);
    if (listener >= 0) close(listener);
    free(buffer);
    return;
  }
  g_port = RtlUshortByteSwap(((SOCKADDR_IN*)&local)->sin_port); /* same offset in IN6 */
  KeSetEvent(&g_listening, IO_NO_INCREMENT, FALSE);
  peer = accept(listener, NULL, NULL);
  g_server_status = peer >= 0 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
  while (peer >= 0 && (n = recv(peer, buffer, 4096, 0)) > 0) {
    if (send(peer, buffer, n, 0) != n) {
      g_server_status = STATUS_UNSUCCESSFUL;
      break;
    }
  }
  if (peer >= 0) close(peer);
  close(listener);
  free(buffer);
}

static VOID EchoStop(PVOID Context) {
  UNREFERENCED_PARAMETER(Context);
  raise(SIGTERM);
}

/* The client half: resolve, connect, send everything, read the echo back, compare. */
static NTSTATUS EchoClient(void) {
  BSD_ADDRINFO hints, *found = NULL, *ai;
  char service[8];
  unsigned char *out = NULL, *in = NULL;
  int fd = -1, sent = 0, got = 0, n;
  NTSTATUS status = STATUS_UNSUCCESSFUL;
  const char* host = g_family == AF_INET ? "localhost" : g_dual ? "127.0.0.1" : "::1";
  RtlZeroMemory(&hints, sizeof hints);
  hints.Family = g_family == AF_INET || g_dual ? AF_INET : AF_INET6;
  RtlStringCbPrintfA(service, sizeof service, "%d", g_port);
  if (getaddrinfo(host, service, &hints, &found) != 0) {
    DbgPrint("echo_driver: getaddrinfo(%s) failed\n", host);
    return STATUS_NOT_FOUND;
  }
  for (ai = found; ai != NULL && fd < 0; ai = ai->Next) {
    fd = socket(ai->Family, SOCK_STREAM, IPPROTO_TCP);
    if (fd >= 0 && connect(fd, (SOCKADDR*)&ai->Address, ai->AddressLength) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  out = (unsigned char*)malloc(ECHO_BYTES);
  in = (unsigned char*)malloc(ECHO_BYTES);
  if (fd >= 0 && out != NULL && in != NULL) {
    FillPattern(out, ECHO_BYTES);
    /* Small enough pieces that the echo never fills both directions' buffers. */
    while (sent < ECHO_BYTES) {
      int piece = ECHO_BYTES - sent < 8192 ? ECHO_BYTES - sent : 8192, echoed = 0;
      if (send(fd, out + sent, piece, 0) != piece) break;
      sent += piece;
      while (echoed < piece && (n = recv(fd, in + got, piece - echoed, 0)) > 0) {
        echoed += n;
        got += n;
      }
      if (echoed != piece) break;
    }
    if (got == ECHO_BYTES && RtlCompareMemory(in, out, ECHO_BYTES) == ECHO_BYTES) {
      status = STATUS_SUCCESS;
    }
  }
  if (fd >= 0) close(fd);
  free(out);
  free(in);
  return status;
}

static VOID EchoUnload(PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);
  /* A driver waits for its own threads before it returns from unload. */
  if (g_stopper != NULL) {
    KeWaitForSingleObject(g_stopper, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(g_stopper);
  }
  BsdCleanup();
  if (BsdHeapBlocks() != g_heap_at_entry) {
    DbgPrint("echo_driver: %ld heap blocks not freed\n", BsdHeapBlocks() - g_heap_at_entry);
  }
  DbgPrint("echo_driver: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  HANDLE thread;
  NTSTATUS status;
  if (InterlockedIncrement(&g_generation) != 1) {
    DbgPrint("echo_driver: loaded over stale globals\n");
    return STATUS_IMAGE_ALREADY_LOADED;
  }
  if (HasOption(RegistryPath, "Family=4")) {
    g_family = AF_INET;
    g_dual = FALSE;
  } else if (HasOption(RegistryPath, "Family=6")) {
    g_dual = FALSE;
  }
  KeInitializeEvent(&g_listening, NotificationEvent, FALSE);
  g_heap_at_entry = BsdHeapBlocks();
  status = BsdInitialize();
  if (!NT_SUCCESS(status)) return status;
  status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, EchoServer, NULL);
  if (NT_SUCCESS(status)) {
    status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
                                       (PVOID*)&g_server, NULL);
    ZwClose(thread);
  }
  if (NT_SUCCESS(status)) {
    KeWaitForSingleObject(&g_listening, Executive, KernelMode, FALSE, NULL);
    status = g_server_status == STATUS_PENDING ? EchoClient() : g_server_status;
    KeWaitForSingleObject(g_server, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(g_server);
    if (NT_SUCCESS(status)) status = g_server_status;
  }
  DbgPrint("echo_driver: %s echo over %s: 0x%08X\n", NT_SUCCESS(status) ? "ok" : "FAILED",
           g_family == AF_INET ? "IPv4"
           : g_dual            ? "IPv6 dual stack"
                               : "IPv6",
           (ULONG)status);
  if (!NT_SUCCESS(status)) {
    BsdCleanup();
    return status;
  }
  DriverObject->DriverUnload = EchoUnload;
  if (HasOption(RegistryPath, "Stop") &&
      NT_SUCCESS(
          PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, EchoStop, NULL))) {
    if (!NT_SUCCESS(ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
                                              (PVOID*)&g_stopper, NULL))) {
      g_stopper = NULL;
    }
    ZwClose(thread);
  }
  return STATUS_SUCCESS;
}
