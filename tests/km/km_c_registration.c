/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_registration.c
 * @brief The C driver's registration and client-level family: WskRegister /
 * WskCaptureProviderNPI / WskReleaseProviderNPI / WskDeregister (and that it waits),
 * WSK_SET_STATIC_EVENT_CALLBACKS, refused calls, the five socket categories,
 * WskGetAddressInfo / WskFreeAddressInfo, WskGetNameInfo.
 */
#include "km_c_support.h"

/* A second client, as a second driver (or a second component) would register. Its
 * WSK_REGISTRATION lives in pool: it must outlive every call on it. */
typedef struct _KT_CLIENT2 {
  WSK_CLIENT_DISPATCH Dispatch;
  WSK_CLIENT_NPI ClientNpi;
  WSK_REGISTRATION Registration;
  WSK_PROVIDER_NPI Npi;
  BOOLEAN Registered;
  BOOLEAN Captured;
} KT_CLIENT2;

static NTSTATUS KtClient2Register(KT_CLIENT2* k) {
  NTSTATUS st;
  k->Dispatch.Version = MAKE_WSK_VERSION(1, 0);
  k->ClientNpi.ClientContext = k;
  k->ClientNpi.Dispatch = &k->Dispatch;
  st = WskRegister(&k->ClientNpi, &k->Registration);
  k->Registered = NT_SUCCESS(st);
  return st;
}

static void KtClient2Down(KT_CLIENT2* k) {
  if (k->Captured) {
    WskReleaseProviderNPI(&k->Registration);
    k->Captured = FALSE;
  }
  if (k->Registered) {
    WskDeregister(&k->Registration);
    k->Registered = FALSE;
  }
}

int KtRegistration(char* msg, unsigned int cap) {
  KT_CASE c;
  WSK_PROVIDER_NPI npi;
  KT_CLIENT2* k = (KT_CLIENT2*)KtAlloc(sizeof(KT_CLIENT2));
  KtCaseBegin(&c, msg, cap);
  KT_CHECK(&c, k != NULL);
  /* DriverEntry's capture. */
  KT_CHECK(&c, KtDriver.Npi.Client != NULL);
  KT_CHECK(&c, KtDriver.Npi.Dispatch != NULL);
  KT_CHECK(&c, KtDriver.Npi.Dispatch->Version >= MAKE_WSK_VERSION(1, 0));
  KT_CHECK_EQ(&c, MAKE_WSK_VERSION(1, 0), 0x0100);
  /* Captures nest: each success is paired with a release. */
  KT_CHECK_STATUS(&c, WskCaptureProviderNPI(&KtDriver.Registration, WSK_NO_WAIT, &npi),
                  STATUS_SUCCESS);
  KT_CHECK(&c, npi.Client == KtDriver.Npi.Client && npi.Dispatch == KtDriver.Npi.Dispatch);
  WskReleaseProviderNPI(&KtDriver.Registration);

  /* A second registration: its own client, and after WskDeregister captures fail. */
  KT_CHECK_STATUS(&c, KtClient2Register(k), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, WskCaptureProviderNPI(&k->Registration, KT_WAIT_MS, &k->Npi), STATUS_SUCCESS);
  k->Captured = TRUE;
  KT_CHECK(&c, k->Npi.Client != NULL);
  KtClient2Down(k);
  /* Deregistered: no capture succeeds (STATUS_DEVICE_NOT_READY while deregistering). */
  KT_CHECK(&c, !NT_SUCCESS(WskCaptureProviderNPI(&k->Registration, WSK_NO_WAIT, &npi)));
Exit:
  if (k != NULL) {
    KtClient2Down(k);
  }
  KtFree(k);
  return KtCaseEnd(&c);
}

typedef struct _KT_DEREG {
  KT_CLIENT2 Client;
  volatile LONG Returned;
} KT_DEREG;

static KSTART_ROUTINE KtDeregWorker;

static VOID KtDeregWorker(PVOID context) {
  KT_DEREG* d = (KT_DEREG*)context;
  WskDeregister(&d->Client.Registration);
  InterlockedExchange(&d->Returned, 1);
  PsTerminateSystemThread(STATUS_SUCCESS);
}

/* WskDeregister blocks until the captured NPI is released and the client's sockets
 * are closed, then later captures fail. */
int KtDeregisterWaits(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_DEREG* d = (KT_DEREG*)KtAlloc(sizeof(KT_DEREG));
  PKT_REQ r = NULL;
  PWSK_SOCKET s = NULL;
  OBJECT_ATTRIBUTES oa;
  HANDLE h = NULL;
  PVOID thread = NULL;
  LARGE_INTEGER quiet, bound;
  WSK_PROVIDER_NPI npi;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, d != NULL && r != NULL);
  KT_CHECK_STATUS(&c, KtClient2Register(&d->Client), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, WskCaptureProviderNPI(&d->Client.Registration, KT_WAIT_MS, &d->Client.Npi),
                  STATUS_SUCCESS);
  d->Client.Captured = TRUE;
  KT_OK(&c, KtOpenOn(&c, __LINE__, r, &d->Client.Npi, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
                     WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, &s));

  InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
  KT_CHECK_STATUS(&c,
                  PsCreateSystemThread(&h, THREAD_ALL_ACCESS, &oa, NULL, NULL, KtDeregWorker, d),
                  STATUS_SUCCESS);
  d->Client.Registered = FALSE; /* the worker owns the deregistration now */
  KT_CHECK_STATUS(&c,
                  ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, NULL, KernelMode, &thread, NULL),
                  STATUS_SUCCESS);
  quiet.QuadPart = -10000LL * KT_QUIET_MS;
  bound.QuadPart = -10000LL * KT_WAIT_MS;
  /* Captured NPI and an open socket: still blocked. */
  KT_CHECK_STATUS(&c, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &quiet),
                  STATUS_TIMEOUT);
  KT_CHECK_EQ(&c, KtRead(&d->Returned), 0);
  WskReleaseProviderNPI(&d->Client.Registration);
  d->Client.Captured = FALSE;
  /* Released, but the socket is open: still blocked. */
  KT_CHECK_STATUS(&c, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &quiet),
                  STATUS_TIMEOUT);
  KT_CHECK_EQ(&c, KtRead(&d->Returned), 0);
  KT_CLOSE(&c, r, s);
  s = NULL;
  KT_CHECK_STATUS(&c, KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &bound),
                  STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&d->Returned), 1);
  KT_CHECK(&c, !NT_SUCCESS(WskCaptureProviderNPI(&d->Client.Registration, WSK_NO_WAIT, &npi)));
Exit:
  if (d != NULL && d->Client.Captured) {
    WskReleaseProviderNPI(&d->Client.Registration);
    d->Client.Captured = FALSE;
  }
  if (s != NULL) {
    (void)KtClose(&c, __LINE__, r, s);
  }
  if (h != NULL) {
    ZwClose(h);
  }
  if (thread != NULL) {
    bound.QuadPart = -10000LL * KT_WAIT_MS;
    if (KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &bound) != STATUS_SUCCESS) {
      KtFailText(&c, __LINE__, "WskDeregister never returned: the registration leaks");
      d = NULL;
    }
    ObDereferenceObject(thread);
  } else if (d != NULL) {
    KtClient2Down(&d->Client);
  }
  KtFree(d);
  return KtCaseEnd(&c);
}

/* WSK_SET_STATIC_EVENT_CALLBACKS: WskAcceptEvent is on for every listening socket the
 * client creates afterwards, without SO_WSK_EVENT_CALLBACK (what echosrv does). */
int KtStaticEventCallbacks(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_CLIENT2* k = (KT_CLIENT2*)KtAlloc(sizeof(KT_CLIENT2));
  KT_LISTEN_CTX* l = (KT_LISTEN_CTX*)KtAlloc(sizeof(KT_LISTEN_CTX));
  WSK_EVENT_CALLBACK_CONTROL ctl;
  PKT_REQ r;
  PWSK_SOCKET listener = NULL, client = NULL;
  KT_ADDR addr, any;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, k != NULL && l != NULL && r != NULL);
  KtListenCtxInit(l, STATUS_SUCCESS, NULL, NULL);
  KT_CHECK_STATUS(&c, KtClient2Register(k), STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, WskCaptureProviderNPI(&k->Registration, KT_WAIT_MS, &k->Npi), STATUS_SUCCESS);
  k->Captured = TRUE;
  /* A copy: WDK's PNPIID points to const, the km wsk.h's does not yet. */
  ctl.NpiId = &KtNpiWskInterfaceId;
  ctl.EventMask = WSK_EVENT_ACCEPT;
  KT_CHECK_STATUS(&c,
                  k->Npi.Dispatch->WskControlClient(k->Npi.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                    sizeof(ctl), &ctl, 0, NULL, NULL, NULL),
                  STATUS_SUCCESS);
  KT_OK(&c, KtOpenOn(&c, __LINE__, r, &k->Npi, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                     WSK_FLAG_LISTEN_SOCKET, l, &KtListenEvents, &listener));
  KtLoopback(&any, AF_INET, 0);
  KT_BIND(&c, r, listener, &any.Sa);
  KT_LOCAL(&c, r, listener, WSK_FLAG_LISTEN_SOCKET, &addr.Sa);
  KT_OPEN(&c, r, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
          &client);
  KtWildcard(&any, AF_INET);
  KT_BIND(&c, r, client, &any.Sa);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskConnect(client, &addr.Sa, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, KtWaitEvent(&l->Accepted, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&l->Calls), 1);
  KtAdopt(&c, l->Socket);
  KT_CHECK_EQ(&c, l->Local.Sa.sa_family, AF_INET);
  KT_CHECK_EQ(&c, KtPort(&l->Local), KtPort(&addr));
  KT_CHECK(&c, KtIsLoopback(&l->Remote));
Exit:
  /* Every socket of client k must be closed before its WskDeregister can return. */
  (void)KtCaseEnd(&c);
  if (k != NULL) {
    KtClient2Down(k);
  }
  KtFree(l);
  KtFree(k);
  return c.Result;
}

int KtNullArguments(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF none;
  PADDRINFOEXW result = NULL;
  UNICODE_STRING node = RTL_CONSTANT_STRING(L"127.0.0.1");
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL);
  /* No IRP: refused, nothing completed. */
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskSocket(KtDriver.Npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                        NULL);
  KT_REFUSED(&c, r, st);
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskGetAddressInfo(KtDriver.Npi.Client, &node, NULL, NS_ALL, NULL,
                                                NULL, &result, NULL, NULL, NULL);
  KT_REFUSED(&c, r, st);
  /* No client: refused without touching the IRP (Windows says STATUS_INVALID_HANDLE,
   * the contract STATUS_INVALID_PARAMETER; both leave the IRP alone). */
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskSocket(NULL, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                        r->Irp);
  KT_CHECK(&c, st == STATUS_INVALID_HANDLE || st == STATUS_INVALID_PARAMETER);
  KT_REFUSED(&c, r, STATUS_INVALID_PARAMETER);
  /* A length without an MDL: STATUS_INVALID_PARAMETER, refused up front (Wine) or
   * completed on the IRP (this project's contract: an accepted IRP completes). */
  KT_PAIR(&c, r, AF_INET, &client, &server);
  none.Mdl = NULL;
  none.Offset = 0;
  none.Length = 5;
  KtArm(r);
  KT_REJECTED(&c, r, KT_CONN(client)->WskSend(client, &none, 0, r->Irp), STATUS_INVALID_PARAMETER);
  KtArm(r);
  KT_REJECTED(&c, r, KT_CONN(client)->WskReceive(client, &none, 0, r->Irp),
              STATUS_INVALID_PARAMETER);
  /* A zero-length send is a no-op that succeeds with 0 bytes. */
  none.Length = 0;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskSend(client, &none, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
Exit:
  return KtCaseEnd(&c);
}

static BOOLEAN KtCategory(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, USHORT type,
                          ULONG protocol, ULONG flags) {
  PWSK_SOCKET s = NULL;
  return KtOpen(c, line, r, family, type, protocol, flags, NULL, NULL, &s) &&
         KtClose(c, line, r, s);
}

int KtSocketCategories(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  PWSK_SOCKET basic = NULL;
  ULONG value = 0;
  NTSTATUS st;
  ULONG i;
  static const ADDRESS_FAMILY families[2] = {AF_INET, AF_INET6};
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL);
  for (i = 0; i < 2; ++i) {
    if (families[i] == AF_INET6 && !KtDriver.Ipv6Loopback) {
      continue; /* creating IPv6 sockets needs IPv6 in the host */
    }
    KT_OK(&c, KtCategory(&c, __LINE__, r, families[i], SOCK_STREAM, IPPROTO_TCP,
                         WSK_FLAG_BASIC_SOCKET));
    KT_OK(&c, KtCategory(&c, __LINE__, r, families[i], SOCK_STREAM, IPPROTO_TCP,
                         WSK_FLAG_LISTEN_SOCKET));
    KT_OK(&c, KtCategory(&c, __LINE__, r, families[i], SOCK_STREAM, IPPROTO_TCP,
                         WSK_FLAG_CONNECTION_SOCKET));
    KT_OK(&c, KtCategory(&c, __LINE__, r, families[i], SOCK_DGRAM, IPPROTO_UDP,
                         WSK_FLAG_DATAGRAM_SOCKET));
    KT_OK(&c, KtCategory(&c, __LINE__, r, families[i], SOCK_STREAM, IPPROTO_TCP,
                         WSK_FLAG_STREAM_SOCKET));
  }
  /* A basic socket offers control and close only. */
  KT_OPEN(&c, r, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_BASIC_SOCKET, NULL, NULL, &basic);
  KT_OK(&c, KtSetOpt(&c, __LINE__, r, basic, SOL_SOCKET, SO_KEEPALIVE, 1, STATUS_SUCCESS));
  KT_OK(&c, KtGetOpt(&c, __LINE__, r, basic, SOL_SOCKET, SO_KEEPALIVE, &value));
  KT_CHECK(&c, value != 0);
  KT_CLOSE(&c, r, basic);
  /* An unknown family completes with an error and no socket. */
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskSocket(KtDriver.Npi.Client, 1024, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                        r->Irp);
  KT_DONE(&c, r, st);
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
  /* So does an unknown category bit. */
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskSocket(KtDriver.Npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        0x40, NULL, NULL, NULL, NULL, NULL, r->Irp);
  KT_DONE(&c, r, st);
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
Exit:
  return KtCaseEnd(&c);
}

/* Resolves node:12345 and checks every answer; returns the count (0 after a failure). */
static ULONG KtResolve(PKT_CASE c, int line, PKT_REQ r, PCWSTR node_text, int family,
                       NTSTATUS expected) {
  UNICODE_STRING node, service;
  ADDRINFOEXW hints;
  PADDRINFOEXW result = NULL, ai;
  ULONG count = 0;
  NTSTATUS st;
  RtlInitUnicodeString(&node, node_text);
  RtlInitUnicodeString(&service, L"12345");
  RtlZeroMemory(&hints, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskGetAddressInfo(KtDriver.Npi.Client, &node, &service, NS_ALL, NULL,
                                                &hints, &result, NULL, NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return 0;
  }
  if (r->Irp->IoStatus.Status != expected) {
    KtFailStatus(c, line, "WskGetAddressInfo IoStatus.Status", r->Irp->IoStatus.Status, expected);
    goto Out;
  }
  if (r->Irp->IoStatus.Information != 0) { /* Windows-verified: 0 either way */
    KtFailEq(c, line, "WskGetAddressInfo Information", (LONGLONG)r->Irp->IoStatus.Information, 0);
    goto Out;
  }
  for (ai = result; ai != NULL; ai = ai->ai_next) {
    KT_ADDR* a = (KT_ADDR*)ai->ai_addr;
    if (ai->ai_addr == NULL || (family != AF_UNSPEC && ai->ai_family != family) ||
        a->Sa.sa_family != ai->ai_family ||
        ai->ai_addrlen !=
            (ai->ai_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN)) ||
        KtPort(a) != 12345 || !KtIsLoopback(a)) {
      KtFailText(c, line, "an ADDRINFOEXW entry is not loopback:12345 of the asked family");
      count = 0;
      goto Out;
    }
    ++count;
  }
  if (expected == STATUS_SUCCESS && count == 0) {
    KtFailText(c, line, "WskGetAddressInfo succeeded with an empty list");
  }
Out:
  if (result != NULL) {
    KtDriver.Npi.Dispatch->WskFreeAddressInfo(KtDriver.Npi.Client, result);
  }
  return count;
}

int KtAddressInfo(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL);
  KT_CHECK(&c, KtResolve(&c, __LINE__, r, L"localhost", AF_UNSPEC, STATUS_SUCCESS) > 0);
  KT_CHECK(&c, KtResolve(&c, __LINE__, r, L"localhost", AF_INET, STATUS_SUCCESS) > 0);
  KT_CHECK_EQ(&c, KtResolve(&c, __LINE__, r, L"127.0.0.1", AF_UNSPEC, STATUS_SUCCESS), 1);
  if (KtDriver.Ipv6Loopback) {
    KT_CHECK_EQ(&c, KtResolve(&c, __LINE__, r, L"::1", AF_INET6, STATUS_SUCCESS), 1);
  }
  /* RFC 6761: .invalid never resolves. */
  (void)KtResolve(&c, __LINE__, r, L"wskport-kmtest.invalid", AF_UNSPEC, STATUS_NOT_FOUND);
  KT_CHECK_EQ(&c, c.Result, KM_TEST_PASSED);
Exit:
  return KtCaseEnd(&c);
}

int KtNameInfo(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  KT_ADDR a;
  UNICODE_STRING node, service;
  WCHAR node_buf[NI_MAXHOST];
  WCHAR service_buf[NI_MAXSERV];
  UNICODE_STRING want_node = RTL_CONSTANT_STRING(L"127.0.0.1");
  UNICODE_STRING want_service = RTL_CONSTANT_STRING(L"8080");
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL);
  KtLoopback(&a, AF_INET, 8080);
  node.Buffer = node_buf;
  node.Length = 0;
  node.MaximumLength = sizeof(node_buf);
  service.Buffer = service_buf;
  service.Length = 0;
  service.MaximumLength = sizeof(service_buf);
  KtArm(r);
  KT_DONE(&c, r,
          KtDriver.Npi.Dispatch->WskGetNameInfo(KtDriver.Npi.Client, &a.Sa, sizeof(SOCKADDR_IN),
                                                &node, &service, NI_NUMERICHOST | NI_NUMERICSERV,
                                                NULL, NULL, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK(&c, RtlEqualUnicodeString(&node, &want_node, FALSE));
  KT_CHECK(&c, RtlEqualUnicodeString(&service, &want_service, FALSE));
Exit:
  return KtCaseEnd(&c);
}
