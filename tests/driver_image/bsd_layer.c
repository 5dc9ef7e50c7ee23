/* SPDX-License-Identifier: MIT */
/* A Berkeley-sockets layer over WSK, the way kernel drivers write one (a descriptor
 * table over PWSK_SOCKET, one IRP and event per call, blocking until it completes), and
 * a heap over the pool. It defines the C library's own names on purpose: socket, bind,
 * listen, accept, connect, send, recv, close, getsockname, getaddrinfo, freeaddrinfo,
 * malloc, calloc, realloc, free. Built into a driver image, these serve the driver
 * alone; if they leaked into the process, the runtime's own name resolution would call
 * this getaddrinfo (which waits for the runtime: a deadlock) and its heap would recurse
 * through this malloc. The image tests run it, so that never goes unnoticed. */
#include "bsd_layer.h"

#define BSD_TAG 'dsbD'
#define BSD_MAX_SOCKETS 16

/* ---- heap ------------------------------------------------------------------------ */

typedef struct _BSD_BLOCK {
  SIZE_T Size;
  SIZE_T Pad; /* keeps the caller's block 16-byte aligned */
} BSD_BLOCK;

static volatile LONG g_blocks;

void* malloc(size_t size) {
  BSD_BLOCK* b = (BSD_BLOCK*)ExAllocatePoolZero(NonPagedPoolNx, sizeof(BSD_BLOCK) + size, BSD_TAG);
  if (b == NULL) return NULL;
  b->Size = size;
  InterlockedIncrement(&g_blocks);
  return b + 1;
}

void free(void* p) {
  if (p == NULL) return;
  InterlockedDecrement(&g_blocks);
  ExFreePoolWithTag((BSD_BLOCK*)p - 1, BSD_TAG);
}

void* calloc(size_t n, size_t size) {
  if (size != 0 && n > ((size_t)-1) / size) return NULL;
  return malloc(n * size); /* the pool block is zeroed */
}

void* realloc(void* p, size_t size) {
  void* q;
  if (p == NULL) return malloc(size);
  q = malloc(size);
  if (q != NULL) {
    SIZE_T old = ((BSD_BLOCK*)p - 1)->Size;
    RtlCopyMemory(q, p, old < size ? old : size);
    free(p);
  }
  return q;
}

LONG BsdHeapBlocks(void) { return g_blocks; }

/* ---- one blocking WSK call ------------------------------------------------------- */

static WSK_REGISTRATION g_registration;
static WSK_PROVIDER_NPI g_npi;
static const WSK_CLIENT_DISPATCH g_client_dispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};

typedef struct _BSD_CALL {
  KEVENT Done;
  PIRP Irp;
} BSD_CALL;

static IO_COMPLETION_ROUTINE BsdCallDone;
static NTSTATUS BsdCallDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS BsdCallBegin(BSD_CALL* call) {
  KeInitializeEvent(&call->Done, NotificationEvent, FALSE);
  call->Irp = IoAllocateIrp(1, FALSE);
  if (call->Irp == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  IoSetCompletionRoutine(call->Irp, BsdCallDone, &call->Done, TRUE, TRUE, TRUE);
  return STATUS_SUCCESS;
}

/* Waits for the call, frees its IRP, returns its status (and Information). */
static NTSTATUS BsdCallEnd(BSD_CALL* call, NTSTATUS returned, ULONG_PTR* information) {
  NTSTATUS status;
  if (returned == STATUS_PENDING) {
    KeWaitForSingleObject(&call->Done, Executive, KernelMode, FALSE, NULL);
  }
  status = call->Irp->IoStatus.Status;
  if (information != NULL) *information = call->Irp->IoStatus.Information;
  IoFreeIrp(call->Irp);
  return status;
}

/* ---- descriptors ----------------------------------------------------------------- */

typedef struct _BSD_SOCKET {
  BOOLEAN Used;
  int Family;
  int Type;
  PWSK_SOCKET Wsk;
  ULONG Category;
  SOCKADDR_STORAGE Local;
  BOOLEAN Bound;
} BSD_SOCKET;

static BSD_SOCKET* g_sockets; /* BSD_MAX_SOCKETS, from this layer's own malloc */
static FAST_MUTEX g_table_lock;

static BSD_SOCKET* BsdLookup(int fd) {
  if (g_sockets == NULL || fd < 0 || fd >= BSD_MAX_SOCKETS || !g_sockets[fd].Used) return NULL;
  return &g_sockets[fd];
}

NTSTATUS BsdInitialize(void) {
  WSK_CLIENT_NPI client;
  NTSTATUS status;
  g_sockets = (BSD_SOCKET*)calloc(BSD_MAX_SOCKETS, sizeof(BSD_SOCKET));
  if (g_sockets == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  ExInitializeFastMutex(&g_table_lock);
  client.ClientContext = NULL;
  client.Dispatch = &g_client_dispatch;
  status = WskRegister(&client, &g_registration);
  if (NT_SUCCESS(status)) {
    status = WskCaptureProviderNPI(&g_registration, WSK_INFINITE_WAIT, &g_npi);
    if (!NT_SUCCESS(status)) WskDeregister(&g_registration);
  }
  if (!NT_SUCCESS(status)) {
    free(g_sockets);
    g_sockets = NULL;
  }
  return status;
}

void BsdCleanup(void) {
  if (g_sockets == NULL) return;
  WskReleaseProviderNPI(&g_registration);
  WskDeregister(&g_registration);
  free(g_sockets);
  g_sockets = NULL;
}

static int BsdAllocate(int family, int type, PWSK_SOCKET wsk, ULONG category) {
  int fd;
  ExAcquireFastMutex(&g_table_lock);
  for (fd = 0; fd < BSD_MAX_SOCKETS; ++fd) {
    if (!g_sockets[fd].Used) {
      RtlZeroMemory(&g_sockets[fd], sizeof(g_sockets[fd]));
      g_sockets[fd].Used = TRUE;
      g_sockets[fd].Family = family;
      g_sockets[fd].Type = type;
      g_sockets[fd].Wsk = wsk;
      g_sockets[fd].Category = category;
      break;
    }
  }
  ExReleaseFastMutex(&g_table_lock);
  return fd < BSD_MAX_SOCKETS ? fd : -1;
}

/* The WSK socket is made when its kind is known: listen() or connect(). */
static NTSTATUS BsdMakeWsk(BSD_SOCKET* s, ULONG category) {
  BSD_CALL call;
  ULONG_PTR info = 0;
  NTSTATUS status = BsdCallBegin(&call);
  if (!NT_SUCCESS(status)) return status;
  status = g_npi.Dispatch->WskSocket(g_npi.Client, (ADDRESS_FAMILY)s->Family, SOCK_STREAM,
                                     IPPROTO_TCP, category, NULL, NULL, NULL, NULL, NULL, call.Irp);
  status = BsdCallEnd(&call, status, &info);
  if (NT_SUCCESS(status)) {
    s->Wsk = (PWSK_SOCKET)info;
    s->Category = category;
  }
  return status;
}

static ULONG AddressLength(const SOCKADDR* a) {
  return a->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN);
}

int socket(int domain, int type, int protocol) {
  UNREFERENCED_PARAMETER(protocol);
  if ((domain != AF_INET && domain != AF_INET6) || type != SOCK_STREAM) return -1;
  return BsdAllocate(domain, type, NULL, 0);
}

int bind(int fd, const SOCKADDR* address, int length) {
  BSD_SOCKET* s = BsdLookup(fd);
  if (s == NULL || address == NULL || length < (int)sizeof(SOCKADDR_IN) ||
      length > (int)sizeof(SOCKADDR_STORAGE)) {
    return -1;
  }
  RtlCopyMemory(&s->Local, address, (SIZE_T)length);
  s->Bound = TRUE;
  return 0;
}

int listen(int fd, int backlog) {
  BSD_SOCKET* s = BsdLookup(fd);
  BSD_CALL call;
  NTSTATUS status;
  ULONG v6only = 0;
  UNREFERENCED_PARAMETER(backlog);
  if (s == NULL || !s->Bound || s->Wsk != NULL) return -1;
  if (!NT_SUCCESS(BsdMakeWsk(s, WSK_FLAG_LISTEN_SOCKET))) return -1;
  if (s->Family == AF_INET6) { /* dual stack, as the driver asked for :: */
    if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
    status = ((const WSK_PROVIDER_LISTEN_DISPATCH*)s->Wsk->Dispatch)
                 ->WskControlSocket(s->Wsk, WskSetOption, IPV6_V6ONLY, IPPROTO_IPV6, sizeof v6only,
                                    &v6only, 0, NULL, NULL, call.Irp);
    if (!NT_SUCCESS(BsdCallEnd(&call, status, NULL))) return -1;
  }
  if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
  status = ((const WSK_PROVIDER_LISTEN_DISPATCH*)s->Wsk->Dispatch)
               ->WskBind(s->Wsk, (PSOCKADDR)&s->Local, 0, call.Irp);
  return NT_SUCCESS(BsdCallEnd(&call, status, NULL)) ? 0 : -1;
}

int getsockname(int fd, SOCKADDR* address, int* length) {
  BSD_SOCKET* s = BsdLookup(fd);
  BSD_CALL call;
  NTSTATUS status;
  SOCKADDR_STORAGE local;
  ULONG n;
  if (s == NULL || s->Wsk == NULL || address == NULL || length == NULL) return -1;
  if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
  status = ((const WSK_PROVIDER_LISTEN_DISPATCH*)s->Wsk->Dispatch)
               ->WskGetLocalAddress(s->Wsk, (PSOCKADDR)&local, call.Irp);
  if (!NT_SUCCESS(BsdCallEnd(&call, status, NULL))) return -1;
  n = AddressLength((PSOCKADDR)&local);
  if ((ULONG)*length < n) return -1;
  RtlCopyMemory(address, &local, n);
  *length = (int)n;
  return 0;
}

int accept(int fd, SOCKADDR* address, int* length) {
  BSD_SOCKET* s = BsdLookup(fd);
  BSD_CALL call;
  NTSTATUS status;
  ULONG_PTR info = 0;
  SOCKADDR_STORAGE remote;
  int nfd;
  if (s == NULL || s->Category != WSK_FLAG_LISTEN_SOCKET) return -1;
  if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
  status = ((const WSK_PROVIDER_LISTEN_DISPATCH*)s->Wsk->Dispatch)
               ->WskAccept(s->Wsk, 0, NULL, NULL, NULL, (PSOCKADDR)&remote, call.Irp);
  if (!NT_SUCCESS(BsdCallEnd(&call, status, &info))) return -1;
  nfd = BsdAllocate(s->Family, SOCK_STREAM, (PWSK_SOCKET)info, WSK_FLAG_CONNECTION_SOCKET);
  if (nfd >= 0 && address != NULL && length != NULL &&
      (ULONG)*length >= AddressLength((PSOCKADDR)&remote)) {
    *length = (int)AddressLength((PSOCKADDR)&remote);
    RtlCopyMemory(address, &remote, (SIZE_T)*length);
  }
  return nfd;
}

int connect(int fd, const SOCKADDR* address, int length) {
  BSD_SOCKET* s = BsdLookup(fd);
  BSD_CALL call;
  NTSTATUS status;
  SOCKADDR_STORAGE any;
  UNREFERENCED_PARAMETER(length);
  if (s == NULL || s->Wsk != NULL || address == NULL || address->sa_family != s->Family) return -1;
  if (!NT_SUCCESS(BsdMakeWsk(s, WSK_FLAG_CONNECTION_SOCKET))) return -1;
  RtlZeroMemory(&any, sizeof any);
  any.ss_family = (ADDRESS_FAMILY)s->Family;
  if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
  status = ((const WSK_PROVIDER_CONNECTION_DISPATCH*)s->Wsk->Dispatch)
               ->WskBind(s->Wsk, s->Bound ? (PSOCKADDR)&s->Local : (PSOCKADDR)&any, 0, call.Irp);
  if (!NT_SUCCESS(BsdCallEnd(&call, status, NULL))) return -1;
  if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
  status = ((const WSK_PROVIDER_CONNECTION_DISPATCH*)s->Wsk->Dispatch)
               ->WskConnect(s->Wsk, (PSOCKADDR)address, 0, call.Irp);
  return NT_SUCCESS(BsdCallEnd(&call, status, NULL)) ? 0 : -1;
}

/* send and recv move bytes through an MDL over the caller's buffer. */
static int BsdTransfer(int fd, void* buffer, int length, BOOLEAN sending) {
  BSD_SOCKET* s = BsdLookup(fd);
  BSD_CALL call;
  NTSTATUS status;
  ULONG_PTR info = 0;
  WSK_BUF buf;
  const WSK_PROVIDER_CONNECTION_DISPATCH* d;
  if (s == NULL || s->Category != WSK_FLAG_CONNECTION_SOCKET || buffer == NULL || length <= 0) {
    return -1;
  }
  d = (const WSK_PROVIDER_CONNECTION_DISPATCH*)s->Wsk->Dispatch;
  buf.Mdl = IoAllocateMdl(buffer, (ULONG)length, FALSE, FALSE, NULL);
  if (buf.Mdl == NULL) return -1;
  MmBuildMdlForNonPagedPool(buf.Mdl);
  buf.Offset = 0;
  buf.Length = (SIZE_T)length;
  status = BsdCallBegin(&call);
  if (NT_SUCCESS(status)) {
    status =
        sending ? d->WskSend(s->Wsk, &buf, 0, call.Irp) : d->WskReceive(s->Wsk, &buf, 0, call.Irp);
    status = BsdCallEnd(&call, status, &info);
  }
  IoFreeMdl(buf.Mdl);
  return NT_SUCCESS(status) ? (int)info : -1;
}

int send(int fd, const void* buffer, int length, int flags) {
  UNREFERENCED_PARAMETER(flags);
  return BsdTransfer(fd, (void*)buffer, length, TRUE);
}

int recv(int fd, void* buffer, int length, int flags) {
  UNREFERENCED_PARAMETER(flags);
  return BsdTransfer(fd, buffer, length, FALSE);
}

int close(int fd) {
  BSD_SOCKET* s = BsdLookup(fd);
  BSD_CALL call;
  NTSTATUS status = STATUS_SUCCESS;
  if (s == NULL) return -1;
  if (s->Wsk != NULL) {
    status = BsdCallBegin(&call);
    if (NT_SUCCESS(status)) {
      status =
          ((const WSK_PROVIDER_BASIC_DISPATCH*)s->Wsk->Dispatch)->WskCloseSocket(s->Wsk, call.Irp);
      status = BsdCallEnd(&call, status, NULL);
    }
  }
  ExAcquireFastMutex(&g_table_lock);
  s->Used = FALSE;
  ExReleaseFastMutex(&g_table_lock);
  return NT_SUCCESS(status) ? 0 : -1;
}

/* ---- names ----------------------------------------------------------------------- */

/* UTF-8 (ASCII here) into a counted UTF-16 string over storage. */
static void Widen(const char* text, PWCHAR storage, USHORT capacity, PUNICODE_STRING out) {
  USHORT i = 0;
  while (text[i] != '\0' && i + 1 < capacity) {
    storage[i] = (WCHAR)(unsigned char)text[i];
    ++i;
  }
  storage[i] = 0;
  out->Buffer = storage;
  out->Length = (USHORT)(i * sizeof(WCHAR));
  out->MaximumLength = (USHORT)((i + 1) * sizeof(WCHAR));
}

int getaddrinfo(const char* node, const char* service, const BSD_ADDRINFO* hints,
                BSD_ADDRINFO** result) {
  WCHAR node_text[256], service_text[16];
  UNICODE_STRING node_name, service_name;
  ADDRINFOEXW wsk_hints;
  PADDRINFOEXW found = NULL, ai;
  BSD_ADDRINFO *head = NULL, **tail = &head;
  BSD_CALL call;
  NTSTATUS status;
  if (node == NULL || result == NULL) return -1;
  Widen(node, node_text, 256, &node_name);
  if (service != NULL) Widen(service, service_text, 16, &service_name);
  RtlZeroMemory(&wsk_hints, sizeof wsk_hints);
  wsk_hints.ai_family = hints != NULL ? hints->Family : AF_UNSPEC;
  wsk_hints.ai_socktype = SOCK_STREAM;
  if (!NT_SUCCESS(BsdCallBegin(&call))) return -1;
  status = g_npi.Dispatch->WskGetAddressInfo(g_npi.Client, &node_name,
                                             service != NULL ? &service_name : NULL, NS_ALL, NULL,
                                             &wsk_hints, &found, NULL, NULL, call.Irp);
  status = BsdCallEnd(&call, status, NULL);
  if (!NT_SUCCESS(status)) return -1;
  for (ai = found; ai != NULL; ai = ai->ai_next) {
    BSD_ADDRINFO* copy;
    if (ai->ai_addr == NULL || ai->ai_addrlen > sizeof(SOCKADDR_STORAGE)) continue;
    copy = (BSD_ADDRINFO*)calloc(1, sizeof *copy);
    if (copy == NULL) break;
    copy->Family = ai->ai_family;
    copy->AddressLength = (int)ai->ai_addrlen;
    RtlCopyMemory(&copy->Address, ai->ai_addr, ai->ai_addrlen);
    *tail = copy;
    tail = &copy->Next;
  }
  g_npi.Dispatch->WskFreeAddressInfo(g_npi.Client, found);
  *result = head;
  return head != NULL ? 0 : -1;
}

void freeaddrinfo(BSD_ADDRINFO* list) {
  while (list != NULL) {
    BSD_ADDRINFO* next = list->Next;
    free(list);
    list = next;
  }
}
