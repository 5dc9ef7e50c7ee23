/* SPDX-License-Identifier: MIT */
/*
 * km_echo: a Winsock Kernel (WSK) echo server driver, written as kernel code.
 *
 * It builds with the WDK as a driver and, unchanged, with wskport's km headers as a
 * process (link wskport::km_host, whose main() calls DriverEntry and, on SIGINT or
 * SIGTERM, DriverUnload).
 *
 *   DriverEntry    WskRegister, WskCaptureProviderNPI, WSK_SET_STATIC_EVENT_CALLBACKS
 *                  (WSK_EVENT_ACCEPT), a listening socket (dual-stack [::], or 0.0.0.0
 *                  when the host has no IPv6) with WSK_EVENT_RECEIVE and
 *                  WSK_EVENT_DISCONNECT enabled for the sockets it accepts, then
 *                  DbgPrint("PORT=<n>").
 *   WskAcceptEvent gives each connection a context with a preallocated close IRP.
 *   WskReceiveEvent copies each indication and sends it back (WskSend with its own
 *                  IRP and MDL, freed by the send's completion routine).
 *   WskDisconnectEvent  a graceful peer close starts a graceful WskDisconnect (after
 *                  the echoes in flight), then WskCloseSocket; an abortive one closes.
 *   DriverUnload   closes the listener and every connection, waits (bounded) until the
 *                  last close completed, WskReleaseProviderNPI, WskDeregister.
 *
 * Port: the registry path's last component "Port=<n>" (decimal), e.g.
 *   \Registry\Machine\System\CurrentControlSet\Services\km_echo\Parameters\Port=7007
 * or, when it runs as a process (wskport's headers define WSKPORT_KM_USER_MODE), the
 * environment variable WSKPORT_ECHO_PORT. Without either the port is 0 (any free port);
 * the PORT= line tells which one.
 */
#include <ntddk.h>
#include <wsk.h>
#ifdef WSKPORT_KM_USER_MODE
#include <stdlib.h> /* getenv: a process has an environment, a driver the registry */
#endif

#define ECHO_TAG 'ohcE'
#define ECHO_SETUP_TIMEOUT_MS 10000
#define ECHO_UNLOAD_TIMEOUT_MS 10000

typedef struct _ECHO_CONNECTION {
  LIST_ENTRY Link;
  PWSK_SOCKET Socket;
  PIRP CloseIrp;      /* allocated at accept: closing never needs memory */
  PIRP DisconnectIrp; /* graceful disconnect after the peer's FIN */
  volatile LONG Disconnecting;
  volatile LONG Closing;
} ECHO_CONNECTION, *PECHO_CONNECTION;

typedef struct _ECHO_SEND {
  PMDL Mdl;
  PVOID Data;
} ECHO_SEND, *PECHO_SEND;

static WSK_REGISTRATION EchoRegistration;
static WSK_PROVIDER_NPI EchoProvider;
static const WSK_CLIENT_DISPATCH EchoClientDispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};
static PWSK_SOCKET EchoListener;
static LIST_ENTRY EchoConnections;
static KSPIN_LOCK EchoLock;
static volatile LONG EchoOpenConnections;
static KEVENT EchoAllClosed; /* set while no connection is open */
static volatile LONG EchoUnloading;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD EchoUnload;
static IO_COMPLETION_ROUTINE EchoSignalCompletion;
static IO_COMPLETION_ROUTINE EchoSendCompletion;
static IO_COMPLETION_ROUTINE EchoDisconnectCompletion;
static IO_COMPLETION_ROUTINE EchoCloseCompletion;

static NTSTATUS WSKAPI EchoAcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                       PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                       PVOID* AcceptSocketContext,
                                       const WSK_CLIENT_CONNECTION_DISPATCH** AcceptSocketDispatch);
static NTSTATUS WSKAPI EchoReceiveEvent(PVOID SocketContext, ULONG Flags,
                                        PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated,
                                        SIZE_T* BytesAccepted);
static NTSTATUS WSKAPI EchoDisconnectEvent(PVOID SocketContext, ULONG Flags);

static const WSK_CLIENT_LISTEN_DISPATCH EchoListenDispatch = {EchoAcceptEvent, NULL, NULL};
static const WSK_CLIENT_CONNECTION_DISPATCH EchoConnectionDispatch = {EchoReceiveEvent,
                                                                      EchoDisconnectEvent, NULL};

/* ---- setup calls: one IRP, waited for with a timeout ------------------------------- */

static NTSTATUS EchoSignalCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Arms Irp for a synchronous-style call whose completion sets Event. */
static VOID EchoArm(PIRP Irp, PKEVENT Event) {
  IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
  KeClearEvent(Event);
  IoSetCompletionRoutine(Irp, EchoSignalCompletion, Event, TRUE, TRUE, TRUE);
}

/* Waits for the call armed by EchoArm; the IRP's status, or STATUS_IO_TIMEOUT. The
 * return value of the call is not needed: the IRP carries the result. */
static NTSTATUS EchoWait(PIRP Irp, PKEVENT Event) {
  LARGE_INTEGER timeout;
  timeout.QuadPart = -10000LL * ECHO_SETUP_TIMEOUT_MS;
  if (KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &timeout) != STATUS_SUCCESS) {
    return STATUS_IO_TIMEOUT;
  }
  return Irp->IoStatus.Status;
}

/* Port=<n> as the registry path's last component; 0 if absent or malformed. */
static USHORT EchoPortFromRegistryPath(PCUNICODE_STRING RegistryPath) {
  static const WCHAR key[] = L"Port=";
  const USHORT keyChars = (USHORT)(sizeof(key) / sizeof(WCHAR) - 1);
  USHORT chars = RegistryPath->Length / sizeof(WCHAR);
  USHORT start = chars;
  UNICODE_STRING number;
  ULONG value = 0;
  USHORT i;
  while (start > 0 && RegistryPath->Buffer[start - 1] != L'\\') {
    --start;
  }
  if (chars - start <= keyChars) {
    return 0;
  }
  for (i = 0; i < keyChars; ++i) {
    if (RegistryPath->Buffer[start + i] != key[i]) {
      return 0;
    }
  }
  number.Buffer = RegistryPath->Buffer + start + keyChars;
  number.Length = (USHORT)((chars - start - keyChars) * sizeof(WCHAR));
  number.MaximumLength = number.Length;
  if (!NT_SUCCESS(RtlUnicodeStringToInteger(&number, 10, &value)) || value > 65535) {
    DbgPrint("km_echo: ignoring a bad port in the registry path\n");
    return 0;
  }
  return (USHORT)value;
}

/* The port when the registry path names none: WSKPORT_ECHO_PORT in a process, 0 in the
 * kernel. */
static USHORT EchoDefaultPort(void) {
#ifdef WSKPORT_KM_USER_MODE
  const char* text = getenv("WSKPORT_ECHO_PORT");
  ULONG value = 0;
  if (text == NULL || text[0] == '\0') {
    return 0;
  }
  if (!NT_SUCCESS(RtlCharToInteger(text, 10, &value)) || value > 65535) {
    DbgPrint("km_echo: ignoring a bad WSKPORT_ECHO_PORT\n");
    return 0;
  }
  return (USHORT)value;
#else
  return 0;
#endif
}

/* A listening socket on the wildcard of Family, port Port; NULL on failure. */
static PWSK_SOCKET EchoListen(ADDRESS_FAMILY Family, USHORT Port, PIRP Irp, PKEVENT Event) {
  const WSK_PROVIDER_LISTEN_DISPATCH* dispatch;
  PWSK_SOCKET socket;
  SOCKADDR_IN6 address;
  ULONG v6only = 0;
  WSK_EVENT_CALLBACK_CONTROL events;
  NTSTATUS status;

  EchoArm(Irp, Event);
  EchoProvider.Dispatch->WskSocket(EchoProvider.Client, Family, SOCK_STREAM, IPPROTO_TCP,
                                   WSK_FLAG_LISTEN_SOCKET, NULL, &EchoListenDispatch, NULL, NULL,
                                   NULL, Irp);
  status = EchoWait(Irp, Event);
  if (!NT_SUCCESS(status)) {
    return NULL;
  }
  socket = (PWSK_SOCKET)Irp->IoStatus.Information;
  dispatch = (const WSK_PROVIDER_LISTEN_DISPATCH*)socket->Dispatch;

  if (Family == AF_INET6) {
    /* Dual stack: IPv4 clients arrive as v4-mapped addresses. */
    EchoArm(Irp, Event);
    dispatch->WskControlSocket(socket, WskSetOption, IPV6_V6ONLY, IPPROTO_IPV6, sizeof(v6only),
                               &v6only, 0, NULL, NULL, Irp);
    status = EchoWait(Irp, Event);
  }
  if (NT_SUCCESS(status)) {
    RtlZeroMemory(&address, sizeof(address));
    address.sin6_family = Family; /* the IPv4 wildcard is the same zeroes */
    address.sin6_port = RtlUshortByteSwap(Port);
    EchoArm(Irp, Event);
    /* Binding a listening socket starts listening. */
    dispatch->WskBind(socket, (PSOCKADDR)&address, 0, Irp);
    status = EchoWait(Irp, Event);
  }
  if (NT_SUCCESS(status)) {
    /* Inherited by every socket WskAcceptEvent accepts. */
    events.NpiId = &NPI_WSK_INTERFACE_ID;
    events.EventMask = WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT;
    status = dispatch->WskControlSocket(socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                        sizeof(events), &events, 0, NULL, NULL, NULL);
  }
  if (!NT_SUCCESS(status)) {
    EchoArm(Irp, Event);
    dispatch->WskCloseSocket(socket, Irp);
    (void)EchoWait(Irp, Event);
    return NULL;
  }
  return socket;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WSK_CLIENT_NPI client;
  WSK_EVENT_CALLBACK_CONTROL events;
  SOCKADDR_IN6 local;
  KEVENT event;
  PIRP irp;
  NTSTATUS status;
  USHORT port = EchoPortFromRegistryPath(RegistryPath);

  if (port == 0) {
    port = EchoDefaultPort();
  }
  InitializeListHead(&EchoConnections);
  KeInitializeSpinLock(&EchoLock);
  KeInitializeEvent(&EchoAllClosed, NotificationEvent, TRUE);
  KeInitializeEvent(&event, NotificationEvent, FALSE);

  client.ClientContext = NULL;
  client.Dispatch = &EchoClientDispatch;
  status = WskRegister(&client, &EchoRegistration);
  if (!NT_SUCCESS(status)) {
    DbgPrint("km_echo: WskRegister failed: 0x%08X\n", status);
    return status;
  }
  status = WskCaptureProviderNPI(&EchoRegistration, ECHO_SETUP_TIMEOUT_MS, &EchoProvider);
  if (!NT_SUCCESS(status)) {
    DbgPrint("km_echo: WskCaptureProviderNPI failed: 0x%08X\n", status);
    WskDeregister(&EchoRegistration);
    return status;
  }
  /* WskAcceptEvent on every listening socket this client creates. */
  events.NpiId = &NPI_WSK_INTERFACE_ID;
  events.EventMask = WSK_EVENT_ACCEPT;
  status =
      EchoProvider.Dispatch->WskControlClient(EchoProvider.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                              sizeof(events), &events, 0, NULL, NULL, NULL);
  irp = NT_SUCCESS(status) ? IoAllocateIrp(1, FALSE) : NULL;
  if (irp != NULL) {
    EchoListener = EchoListen(AF_INET6, port, irp, &event);
    if (EchoListener == NULL) {
      EchoListener = EchoListen(AF_INET, port, irp, &event);
    }
  }
  if (EchoListener != NULL) {
    EchoArm(irp, &event);
    ((const WSK_PROVIDER_LISTEN_DISPATCH*)EchoListener->Dispatch)
        ->WskGetLocalAddress(EchoListener, (PSOCKADDR)&local, irp);
    status = EchoWait(irp, &event);
  } else if (NT_SUCCESS(status)) {
    status = STATUS_INSUFFICIENT_RESOURCES;
  }
  if (irp != NULL) {
    IoFreeIrp(irp);
  }
  if (!NT_SUCCESS(status)) {
    DbgPrint("km_echo: cannot listen on port %u: 0x%08X\n", port, status);
    EchoUnload(DriverObject);
    return status;
  }
  DriverObject->DriverUnload = EchoUnload;
  DbgPrint("km_echo: listening (%s)\n", local.sin6_family == AF_INET6 ? "[::]" : "0.0.0.0");
  DbgPrint("PORT=%u\n", (ULONG)RtlUshortByteSwap(local.sin6_port));
  return STATUS_SUCCESS;
}

/* ---- connections ------------------------------------------------------------------ */

static VOID EchoFreeConnection(PECHO_CONNECTION Connection) {
  if (Connection->CloseIrp != NULL) {
    IoFreeIrp(Connection->CloseIrp);
  }
  if (Connection->DisconnectIrp != NULL) {
    IoFreeIrp(Connection->DisconnectIrp);
  }
  ExFreePoolWithTag(Connection, ECHO_TAG);
}

static NTSTATUS EchoCloseCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  PECHO_CONNECTION connection = (PECHO_CONNECTION)Context;
  KIRQL irql;
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  /* No completion or callback for this socket follows its close. */
  KeAcquireSpinLock(&EchoLock, &irql);
  RemoveEntryList(&connection->Link);
  KeReleaseSpinLock(&EchoLock, irql);
  EchoFreeConnection(connection);
  if (InterlockedDecrement(&EchoOpenConnections) == 0) {
    KeSetEvent(&EchoAllClosed, IO_NO_INCREMENT, FALSE);
  }
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Closes a connection once (WskCloseSocket is abortive unless both sides finished). */
static VOID EchoClose(PECHO_CONNECTION Connection) {
  if (InterlockedExchange(&Connection->Closing, 1) != 0) {
    return;
  }
  IoSetCompletionRoutine(Connection->CloseIrp, EchoCloseCompletion, Connection, TRUE, TRUE, TRUE);
  ((const WSK_PROVIDER_CONNECTION_DISPATCH*)Connection->Socket->Dispatch)
      ->WskCloseSocket(Connection->Socket, Connection->CloseIrp);
}

static NTSTATUS EchoDisconnectCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  EchoClose((PECHO_CONNECTION)Context);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI
EchoAcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                PWSK_SOCKET AcceptSocket, PVOID* AcceptSocketContext,
                const WSK_CLIENT_CONNECTION_DISPATCH** AcceptSocketDispatch) {
  PECHO_CONNECTION connection;
  KIRQL irql;
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);
  UNREFERENCED_PARAMETER(RemoteAddress);
  if (AcceptSocket == NULL) {
    return STATUS_SUCCESS; /* the listening socket is no longer functional */
  }
  if (InterlockedCompareExchange(&EchoUnloading, 0, 0) != 0) {
    return STATUS_REQUEST_NOT_ACCEPTED;
  }
  connection = (PECHO_CONNECTION)ExAllocatePoolZero(NonPagedPoolNx, sizeof(*connection), ECHO_TAG);
  if (connection == NULL) {
    return STATUS_REQUEST_NOT_ACCEPTED; /* WSK closes the socket */
  }
  connection->CloseIrp = IoAllocateIrp(1, FALSE);
  connection->DisconnectIrp = IoAllocateIrp(1, FALSE);
  if (connection->CloseIrp == NULL || connection->DisconnectIrp == NULL) {
    EchoFreeConnection(connection);
    return STATUS_REQUEST_NOT_ACCEPTED;
  }
  connection->Socket = AcceptSocket;
  if (InterlockedIncrement(&EchoOpenConnections) == 1) {
    KeClearEvent(&EchoAllClosed);
  }
  KeAcquireSpinLock(&EchoLock, &irql);
  InsertTailList(&EchoConnections, &connection->Link);
  KeReleaseSpinLock(&EchoLock, irql);
  *AcceptSocketContext = connection;
  *AcceptSocketDispatch = &EchoConnectionDispatch;
  return STATUS_SUCCESS;
}

static NTSTATUS EchoSendCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  PECHO_SEND send = (PECHO_SEND)Context;
  UNREFERENCED_PARAMETER(DeviceObject);
  if (!NT_SUCCESS(Irp->IoStatus.Status)) {
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "km_echo: send ended with 0x%08X\n",
               Irp->IoStatus.Status);
  }
  IoFreeMdl(send->Mdl);
  ExFreePoolWithTag(send->Data, ECHO_TAG);
  ExFreePoolWithTag(send, ECHO_TAG);
  IoFreeIrp(Irp);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI EchoReceiveEvent(PVOID SocketContext, ULONG Flags,
                                        PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated,
                                        SIZE_T* BytesAccepted) {
  PECHO_CONNECTION connection = (PECHO_CONNECTION)SocketContext;
  PWSK_DATA_INDICATION indication;
  PECHO_SEND send;
  PUCHAR copy;
  SIZE_T copied = 0;
  PIRP irp;
  WSK_BUF buffer;
  UNREFERENCED_PARAMETER(Flags);
  if (DataIndication == NULL) {
    EchoClose(connection); /* the socket is no longer functional */
    return STATUS_SUCCESS;
  }
  if (InterlockedCompareExchange(&connection->Closing, 0, 0) != 0 || BytesIndicated == 0 ||
      BytesIndicated > MAXULONG) {
    *BytesAccepted = BytesIndicated;
    return STATUS_SUCCESS;
  }
  /* Callbacks must not wait: copy the data and start a send that cleans up after itself. */
  send = (PECHO_SEND)ExAllocatePoolZero(NonPagedPoolNx, sizeof(*send), ECHO_TAG);
  copy = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, BytesIndicated, ECHO_TAG);
  irp = IoAllocateIrp(1, FALSE);
  if (send != NULL && copy != NULL) {
    send->Mdl = IoAllocateMdl(copy, (ULONG)BytesIndicated, FALSE, FALSE, NULL);
  }
  if (send == NULL || copy == NULL || irp == NULL || send->Mdl == NULL) {
    if (send != NULL) {
      ExFreePoolWithTag(send, ECHO_TAG);
    }
    if (copy != NULL) {
      ExFreePoolWithTag(copy, ECHO_TAG);
    }
    if (irp != NULL) {
      IoFreeIrp(irp);
    }
    return STATUS_DATA_NOT_ACCEPTED; /* the transport keeps it: no echo lost silently */
  }
  MmBuildMdlForNonPagedPool(send->Mdl);
  send->Data = copy;
  for (indication = DataIndication; indication != NULL; indication = indication->Next) {
    PMDL mdl = indication->Buffer.Mdl;
    ULONG offset = indication->Buffer.Offset;
    SIZE_T left = indication->Buffer.Length;
    for (; mdl != NULL && left > 0; mdl = mdl->Next, offset = 0) {
      PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
      SIZE_T take = MmGetMdlByteCount(mdl) - offset;
      if (va == NULL) {
        break;
      }
      if (take > left) {
        take = left;
      }
      if (take > BytesIndicated - copied) {
        take = BytesIndicated - copied;
      }
      RtlCopyMemory(copy + copied, va + offset, take);
      copied += take;
      left -= take;
    }
  }
  buffer.Mdl = send->Mdl;
  buffer.Offset = 0;
  buffer.Length = copied;
  IoSetCompletionRoutine(irp, EchoSendCompletion, send, TRUE, TRUE, TRUE);
  ((const WSK_PROVIDER_CONNECTION_DISPATCH*)connection->Socket->Dispatch)
      ->WskSend(connection->Socket, &buffer, 0, irp);
  *BytesAccepted = BytesIndicated;
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI EchoDisconnectEvent(PVOID SocketContext, ULONG Flags) {
  PECHO_CONNECTION connection = (PECHO_CONNECTION)SocketContext;
  if ((Flags & WSK_FLAG_ABORTIVE) != 0 ||
      InterlockedCompareExchange(&connection->Closing, 0, 0) != 0) {
    EchoClose(connection);
    return STATUS_SUCCESS;
  }
  if (InterlockedExchange(&connection->Disconnecting, 1) != 0) {
    return STATUS_SUCCESS;
  }
  /* The peer finished sending: finish ours after the echoes in flight, then close. */
  IoSetCompletionRoutine(connection->DisconnectIrp, EchoDisconnectCompletion, connection, TRUE,
                         TRUE, TRUE);
  ((const WSK_PROVIDER_CONNECTION_DISPATCH*)connection->Socket->Dispatch)
      ->WskDisconnect(connection->Socket, NULL, 0, connection->DisconnectIrp);
  return STATUS_SUCCESS;
}

/* ---- unload ------------------------------------------------------------------------ */

static VOID EchoUnload(PDRIVER_OBJECT DriverObject) {
  LARGE_INTEGER timeout;
  KEVENT event;
  PIRP irp;
  KIRQL irql;
  PLIST_ENTRY entry;
  UNREFERENCED_PARAMETER(DriverObject);

  InterlockedExchange(&EchoUnloading, 1);
  KeInitializeEvent(&event, NotificationEvent, FALSE);
  if (EchoListener != NULL) {
    irp = IoAllocateIrp(1, FALSE);
    if (irp != NULL) {
      EchoArm(irp, &event);
      ((const WSK_PROVIDER_LISTEN_DISPATCH*)EchoListener->Dispatch)
          ->WskCloseSocket(EchoListener, irp);
      if (EchoWait(irp, &event) != STATUS_IO_TIMEOUT) {
        IoFreeIrp(irp); /* a timed-out IRP may still complete: it is left to leak */
      }
    }
    EchoListener = NULL;
  }
  /* Close every connection; each close completion frees its connection. */
  for (;;) {
    PECHO_CONNECTION next = NULL;
    KeAcquireSpinLock(&EchoLock, &irql);
    for (entry = EchoConnections.Flink; entry != &EchoConnections; entry = entry->Flink) {
      PECHO_CONNECTION c = CONTAINING_RECORD(entry, ECHO_CONNECTION, Link);
      if (InterlockedCompareExchange(&c->Closing, 0, 0) == 0) {
        next = c;
        break;
      }
    }
    KeReleaseSpinLock(&EchoLock, irql);
    if (next == NULL) {
      break;
    }
    EchoClose(next);
  }
  timeout.QuadPart = -10000LL * ECHO_UNLOAD_TIMEOUT_MS;
  if (KeWaitForSingleObject(&EchoAllClosed, Executive, KernelMode, FALSE, &timeout) !=
      STATUS_SUCCESS) {
    DbgPrint("km_echo: %ld connection(s) still closing at unload\n", EchoOpenConnections);
  }
  WskReleaseProviderNPI(&EchoRegistration);
  WskDeregister(&EchoRegistration); /* returns once every socket is closed */
  DbgPrint("km_echo: unloaded\n");
}
