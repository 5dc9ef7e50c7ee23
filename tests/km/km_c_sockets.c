/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_sockets.c
 * @brief The C driver's socket and address helpers: WskSocket / WskBind /
 * WskGetLocalAddress / WskCloseSocket with their checks, a listener, a connected pair,
 * send and exact receive, event and option control, loopback and wildcard addresses.
 */
#include "km_c_support.h"

/* ---- sockets --------------------------------------------------------------------- */

static void KtTrack(PKT_CASE c, PWSK_SOCKET s) {
  ULONG i;
  for (i = 0; i < KT_MAX_SOCKETS; ++i) {
    if (c->Sockets[i] == NULL) {
      c->Sockets[i] = s;
      return;
    }
  }
}

static void KtUntrack(PKT_CASE c, PWSK_SOCKET s) {
  ULONG i;
  for (i = 0; i < KT_MAX_SOCKETS; ++i) {
    if (c->Sockets[i] == s) {
      c->Sockets[i] = NULL;
      return;
    }
  }
}

void KtAdopt(PKT_CASE c, PWSK_SOCKET s) {
  InterlockedIncrement(&KtDriver.Books.SocketsOpened);
  KtTrack(c, s);
}

BOOLEAN KtOpen(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, USHORT type, ULONG protocol,
               ULONG flags, PVOID context, const VOID* dispatch, PWSK_SOCKET* out) {
  return KtOpenOn(c, line, r, &KtDriver.Npi, family, type, protocol, flags, context, dispatch, out);
}

BOOLEAN KtOpenOn(PKT_CASE c, int line, PKT_REQ r, const WSK_PROVIDER_NPI* npi,
                 ADDRESS_FAMILY family, USHORT type, ULONG protocol, ULONG flags, PVOID context,
                 const VOID* dispatch, PWSK_SOCKET* out) {
  NTSTATUS st;
  *out = NULL;
  KtArm(r);
  st = npi->Dispatch->WskSocket(npi->Client, family, type, protocol, flags, context, dispatch, NULL,
                                NULL, NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskSocket IoStatus.Status", r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information == 0) {
    KtFailText(c, line, "WskSocket completed with Information == 0 (no socket)");
    return FALSE;
  }
  *out = (PWSK_SOCKET)r->Irp->IoStatus.Information;
  KtAdopt(c, *out);
  if ((*out)->Dispatch == NULL) {
    KtFailText(c, line, "new socket has no Dispatch table");
    return FALSE;
  }
  return TRUE;
}

static BOOLEAN KtExpectSuccess0(PKT_CASE c, int line, PKT_REQ r, const char* what) {
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, what, r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != 0) {
    KtFailEq(c, line, "Information", (LONGLONG)r->Irp->IoStatus.Information, 0);
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtBind(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PSOCKADDR addr) {
  NTSTATUS st;
  KtArm(r);
  /* WskBind sits at the same place after Basic in every table that has it. */
  st = KT_CONN(s)->WskBind(s, addr, 0, r->Irp);
  return KtDone(c, line, r, st) && KtExpectSuccess0(c, line, r, "WskBind IoStatus.Status");
}

BOOLEAN KtLocal(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, ULONG category, PSOCKADDR out) {
  NTSTATUS st;
  KtArm(r);
  switch (category) {
    case WSK_FLAG_LISTEN_SOCKET:
      st = KT_LISTENER(s)->WskGetLocalAddress(s, out, r->Irp);
      break;
    case WSK_FLAG_DATAGRAM_SOCKET:
      st = KT_DGRAM(s)->WskGetLocalAddress(s, out, r->Irp);
      break;
    case WSK_FLAG_STREAM_SOCKET:
      st = KT_STREAM(s)->WskGetLocalAddress(s, out, r->Irp);
      break;
    default:
      st = KT_CONN(s)->WskGetLocalAddress(s, out, r->Irp);
      break;
  }
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskGetLocalAddress IoStatus.Status", r->Irp->IoStatus.Status,
                 STATUS_SUCCESS);
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtClose(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s) {
  NTSTATUS st;
  KtUntrack(c, s);
  KtArm(r);
  st = KT_BASIC(s)->WskCloseSocket(s, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  InterlockedIncrement(&KtDriver.Books.SocketsClosed);
  return KtExpectSuccess0(c, line, r, "WskCloseSocket IoStatus.Status");
}

BOOLEAN KtListen(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PVOID context,
                 const WSK_CLIENT_LISTEN_DISPATCH* dispatch, PWSK_SOCKET* out, PSOCKADDR addr) {
  KT_ADDR any;
  if (!KtOpen(c, line, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, context,
              dispatch, out)) {
    return FALSE;
  }
  KtLoopback(&any, family, 0);
  if (!KtBind(c, line, r, *out, &any.Sa) ||
      !KtLocal(c, line, r, *out, WSK_FLAG_LISTEN_SOCKET, addr)) {
    return FALSE;
  }
  if (((KT_ADDR*)addr)->Sa.sa_family != family || KtPort((KT_ADDR*)addr) == 0) {
    KtFailText(c, line, "listener's local address has the wrong family or port 0");
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtPair(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PWSK_SOCKET* client,
               PWSK_SOCKET* server) {
  return KtPairEx(c, line, r, family, NULL, NULL, NULL, NULL, client, server);
}

BOOLEAN KtPairEx(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PVOID client_ctx,
                 const WSK_CLIENT_CONNECTION_DISPATCH* client_dispatch, PVOID server_ctx,
                 const WSK_CLIENT_CONNECTION_DISPATCH* server_dispatch, PWSK_SOCKET* client,
                 PWSK_SOCKET* server) {
  static const WSK_CLIENT_LISTEN_DISPATCH no_events = {NULL, NULL, NULL};
  PWSK_SOCKET listener = NULL;
  PKT_REQ accept = KtReq(c);
  KT_ADDR addr, any, remote;
  NTSTATUS st;
  if (accept == NULL) {
    KtFailText(c, line, "out of IRPs");
    return FALSE;
  }
  if (!KtListen(c, line, r, family, NULL, &no_events, &listener, &addr.Sa)) {
    return FALSE;
  }
  KtArm(accept);
  st = KT_LISTENER(listener)->WskAccept(listener, 0, server_ctx, server_dispatch, NULL, &remote.Sa,
                                        accept->Irp);
  if (!KtOpen(c, line, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, client_ctx,
              client_dispatch, client)) {
    (void)KtClose(c, line, r, listener); /* completes the pending accept */
    return FALSE;
  }
  KtWildcard(&any, family);
  if (!KtBind(c, line, r, *client, &any.Sa)) {
    return FALSE;
  }
  KtArm(r);
  if (!KtDone(c, line, r, KT_CONN(*client)->WskConnect(*client, &addr.Sa, 0, r->Irp)) ||
      !KtExpectSuccess0(c, line, r, "WskConnect IoStatus.Status")) {
    return FALSE;
  }
  if (!KtDone(c, line, accept, st)) {
    return FALSE;
  }
  if (accept->Irp->IoStatus.Status != STATUS_SUCCESS || accept->Irp->IoStatus.Information == 0) {
    KtFailStatus(c, line, "WskAccept IoStatus.Status", accept->Irp->IoStatus.Status,
                 STATUS_SUCCESS);
    return FALSE;
  }
  *server = (PWSK_SOCKET)accept->Irp->IoStatus.Information;
  KtAdopt(c, *server);
  return KtClose(c, line, r, listener);
}

BOOLEAN KtSend(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PKT_BUF b, ULONG offset,
               ULONG length, ULONG flags) {
  WSK_BUF wb;
  NTSTATUS st;
  wb.Mdl = b->Mdl;
  wb.Offset = offset;
  wb.Length = length;
  KtArm(r);
  st = KT_CONN(s)->WskSend(s, &wb, flags, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskSend IoStatus.Status", r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != length) {
    KtFailEq(c, line, "WskSend Information", (LONGLONG)r->Irp->IoStatus.Information, length);
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtRecvExact(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PKT_BUF b,
                    const UCHAR* expected, ULONG length) {
  WSK_BUF wb;
  NTSTATUS st;
  wb.Mdl = b->Mdl;
  wb.Offset = 0;
  wb.Length = length;
  RtlZeroMemory(b->Va, b->Size);
  KtArm(r);
  st = KT_CONN(s)->WskReceive(s, &wb, WSK_FLAG_WAITALL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskReceive IoStatus.Status", r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != length) {
    KtFailEq(c, line, "WskReceive Information", (LONGLONG)r->Irp->IoStatus.Information, length);
    return FALSE;
  }
  if (expected != NULL && RtlCompareMemory(b->Va, expected, length) != length) {
    KtFailText(c, line, "received bytes differ from the bytes sent");
    return FALSE;
  }
  return TRUE;
}

NTSTATUS KtSetEvents(PWSK_SOCKET s, ULONG mask) {
  WSK_EVENT_CALLBACK_CONTROL ctl;
  /* A copy: WDK's PNPIID points to const, the km wsk.h's does not yet. */
  ctl.NpiId = &KtNpiWskInterfaceId;
  ctl.EventMask = mask;
  return KT_BASIC(s)->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                       sizeof(ctl), &ctl, 0, NULL, NULL, NULL);
}

BOOLEAN KtSetOpt(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, ULONG level, ULONG option,
                 ULONG value, NTSTATUS expected) {
  NTSTATUS st;
  KtArm(r);
  st = KT_BASIC(s)->WskControlSocket(s, WskSetOption, option, level, sizeof(value), &value, 0, NULL,
                                     NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != expected) {
    KtFailStatus(c, line, "WskControlSocket(WskSetOption) IoStatus.Status", r->Irp->IoStatus.Status,
                 expected);
    return FALSE;
  }
  return TRUE;
}

BOOLEAN KtGetOpt(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, ULONG level, ULONG option,
                 ULONG* value) {
  NTSTATUS st;
  *value = 0xFFFFFFFFu;
  KtArm(r);
  st = KT_BASIC(s)->WskControlSocket(s, WskGetOption, option, level, 0, NULL, sizeof(*value), value,
                                     NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskControlSocket(WskGetOption) IoStatus.Status", r->Irp->IoStatus.Status,
                 STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != sizeof(ULONG)) {
    KtFailEq(c, line, "WskGetOption Information", (LONGLONG)r->Irp->IoStatus.Information,
             sizeof(ULONG));
    return FALSE;
  }
  return TRUE;
}

/* ---- addresses ------------------------------------------------------------------- */

void KtLoopback(KT_ADDR* a, ADDRESS_FAMILY family, USHORT port) {
  RtlZeroMemory(a, sizeof(*a));
  if (family == AF_INET6) {
    a->V6.sin6_family = AF_INET6;
    a->V6.sin6_port = RtlUshortByteSwap(port);
    a->V6.sin6_addr.s6_addr[15] = 1;
  } else {
    a->V4.sin_family = AF_INET;
    a->V4.sin_port = RtlUshortByteSwap(port);
    a->V4.sin_addr.s_addr = RtlUlongByteSwap(0x7F000001u);
  }
}

void KtWildcard(KT_ADDR* a, ADDRESS_FAMILY family) {
  RtlZeroMemory(a, sizeof(*a));
  a->Sa.sa_family = family;
}

USHORT KtPort(const KT_ADDR* a) {
  return RtlUshortByteSwap(a->Sa.sa_family == AF_INET6 ? a->V6.sin6_port : a->V4.sin_port);
}

BOOLEAN KtIsLoopback(const KT_ADDR* a) {
  static const UCHAR v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (a->Sa.sa_family == AF_INET6) {
    return RtlCompareMemory(a->V6.sin6_addr.s6_addr, v6, 16) == 16;
  }
  return a->Sa.sa_family == AF_INET && a->V4.sin_addr.s_addr == RtlUlongByteSwap(0x7F000001u);
}

BOOLEAN KtFamilyAvailable(PKT_CASE c, ADDRESS_FAMILY family) {
  if (family == AF_INET6 && !KtDriver.Ipv6Loopback) {
    KtSkip(c, "the host has no IPv6 loopback (::1)");
    return FALSE;
  }
  return TRUE;
}
