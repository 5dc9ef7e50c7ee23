/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_stream.c
 * @brief The C driver's connection family, part 1: connect before bind, listen /
 * accept / connect / send / receive / addresses on IPv4 and IPv6, close cancelling a
 * pending WskAccept, graceful and abortive WskDisconnect, WSK_FLAG_WAITALL,
 * WSK_FLAG_DRAIN.
 */
#include "km_c_support.h"

/* WskConnect on an unbound socket: completes AND returns STATUS_INVALID_DEVICE_STATE
 * (Windows-verified); then bind to the wildcard and the same IRP connects. */
int KtConnectUnbound(char* msg, unsigned int cap) {
  static const WSK_CLIENT_LISTEN_DISPATCH no_events = {NULL, NULL, NULL};
  KT_CASE c;
  PKT_REQ r, accept;
  PWSK_SOCKET listener = NULL, s = NULL;
  KT_ADDR addr, any, out;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  accept = KtReq(&c);
  KT_CHECK(&c, r != NULL && accept != NULL);
  KT_LISTEN(&c, r, AF_INET, NULL, &no_events, &listener, &addr.Sa);
  KT_OPEN(&c, r, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, &s);
  KtArm(r);
  st = KT_CONN(s)->WskConnect(s, &addr.Sa, 0, r->Irp);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_DEVICE_STATE);
  KT_DONE(&c, r, st);
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_INVALID_DEVICE_STATE);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
  /* Neither address exists yet. */
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(s)->WskGetLocalAddress(s, &out.Sa, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_INVALID_DEVICE_STATE);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(s)->WskGetRemoteAddress(s, &out.Sa, r->Irp));
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
  KtWildcard(&any, AF_INET);
  KT_BIND(&c, r, s, &any.Sa);
  KtArm(accept);
  st = KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, NULL, accept->Irp);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(s)->WskConnect(s, &addr.Sa, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
  KT_DONE(&c, accept, st);
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK(&c, accept->Irp->IoStatus.Information != 0);
  KtAdopt(&c, (PWSK_SOCKET)accept->Irp->IoStatus.Information);
  /* Connected already: a second connect fails. */
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(s)->WskConnect(s, &addr.Sa, 0, r->Irp));
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
Exit:
  return KtCaseEnd(&c);
}

/* The Windows-verified listen-socket scenario, on one family. */
static int KtStream(char* msg, unsigned int cap, ADDRESS_FAMILY family) {
  static const WSK_CLIENT_LISTEN_DISPATCH no_events = {NULL, NULL, NULL};
  static const char hello[] = "Client test string 1.";
  KT_CASE c;
  PKT_REQ r, accept, recv;
  PKT_BUF out, in;
  PWSK_SOCKET listener = NULL, client = NULL, server = NULL;
  KT_ADDR addr, any, local, remote, client_local, client_remote, server_remote;
  WSK_BUF wb;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  if (!KtFamilyAvailable(&c, family)) {
    return KtCaseEnd(&c);
  }
  r = KtReq(&c);
  accept = KtReq(&c);
  recv = KtReq(&c);
  out = KtBuf(&c, 256);
  in = KtBuf(&c, 256);
  KT_CHECK(&c, r != NULL && accept != NULL && recv != NULL && out != NULL && in != NULL);
  KT_LISTEN(&c, r, family, NULL, &no_events, &listener, &addr.Sa);
  KT_CHECK(&c, KtIsLoopback(&addr));
  RtlZeroMemory(&local, sizeof(local));
  RtlZeroMemory(&remote, sizeof(remote));
  KtArm(accept);
  st =
      KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, &local.Sa, &remote.Sa, accept->Irp);
  KT_CHECK_STATUS(&c, st, STATUS_PENDING);
  /* No connection yet: the accept waits. */
  KT_CHECK(&c, !KtCompletedWithin(accept, KT_QUIET_MS));
  KT_OPEN(&c, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, &client);
  KtWildcard(&any, family);
  KT_BIND(&c, r, client, &any.Sa);
  KtArm(r);
  st = KT_CONN(client)->WskConnect(client, &addr.Sa, 0, r->Irp);
  KT_CHECK_STATUS(&c, st, STATUS_PENDING);
  KT_DONE(&c, r, st);
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
  KT_DONE(&c, accept, st);
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_SUCCESS);
  server = (PWSK_SOCKET)accept->Irp->IoStatus.Information;
  KT_CHECK(&c, server != NULL);
  KtAdopt(&c, server);
  /* The addresses WskAccept wrote agree with both ends' own views. */
  KT_LOCAL(&c, r, client, WSK_FLAG_CONNECTION_SOCKET, &client_local.Sa);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskGetRemoteAddress(client, &client_remote.Sa, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskGetRemoteAddress(server, &server_remote.Sa, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, local.Sa.sa_family, family);
  KT_CHECK_EQ(&c, KtPort(&local), KtPort(&addr));
  KT_CHECK(&c, KtIsLoopback(&local) && KtIsLoopback(&remote));
  KT_CHECK_EQ(&c, remote.Sa.sa_family, family);
  KT_CHECK_EQ(&c, KtPort(&remote), KtPort(&client_local));
  KT_CHECK_EQ(&c, KtPort(&server_remote), KtPort(&client_local));
  KT_CHECK_EQ(&c, KtPort(&client_remote), KtPort(&addr));
  KT_CHECK(&c, KtPort(&client_local) != 0);

  /* A receive completes with what arrived (22 bytes), not when its 256 are full. */
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 256;
  KtArm(recv);
  st = KT_CONN(server)->WskReceive(server, &wb, 0, recv->Irp);
  RtlCopyMemory(out->Va, hello, sizeof(hello));
  KT_SEND(&c, r, client, out, 0, sizeof(hello), 0);
  KT_DONE(&c, recv, st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, sizeof(hello));
  KT_CHECK(&c, RtlCompareMemory(in->Va, hello, sizeof(hello)) == sizeof(hello));
  /* A full 256-byte send the other way, with WSK_FLAG_NODELAY. */
  KtFill(out, 0x31);
  KT_SEND(&c, r, server, out, 0, 256, WSK_FLAG_NODELAY);
  KT_RECV_EXACT(&c, r, client, in, out->Va, 256);
Exit:
  return KtCaseEnd(&c);
}

int KtStreamIpv4(char* msg, unsigned int cap) { return KtStream(msg, cap, AF_INET); }

int KtStreamIpv6(char* msg, unsigned int cap) { return KtStream(msg, cap, AF_INET6); }

/* WskCloseSocket with a WskAccept pending: the accept completes STATUS_CANCELLED with
 * Information 0, before the close IRP completes (STATUS_SUCCESS, 0). */
int KtCloseCancelsAccept(char* msg, unsigned int cap) {
  static const WSK_CLIENT_LISTEN_DISPATCH no_events = {NULL, NULL, NULL};
  KT_CASE c;
  PKT_REQ r, accept;
  PWSK_SOCKET listener = NULL;
  KT_ADDR addr;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  accept = KtReq(&c);
  KT_CHECK(&c, r != NULL && accept != NULL);
  KT_LISTEN(&c, r, AF_INET, NULL, &no_events, &listener, &addr.Sa);
  KtArm(accept);
  st = KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, NULL, accept->Irp);
  KT_CHECK_STATUS(&c, st, STATUS_PENDING);
  KT_CHECK(&c, !KtCompletedWithin(accept, KT_QUIET_MS));
  KT_CLOSE(&c, r, listener);
  KT_DONE(&c, accept, st);
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_CANCELLED);
  KT_CHECK_EQ(&c, accept->Irp->IoStatus.Information, 0);
  KT_CHECK(&c, accept->Sequence < r->Sequence);
Exit:
  return KtCaseEnd(&c);
}

/* Graceful disconnect: the peer reads its data then 0 bytes (EOF), may still send
 * (half close), and the disconnecting end cannot send any more. Final data goes out
 * with the FIN. */
int KtGracefulDisconnect(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  PKT_BUF b, in;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF wb;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, 64);
  in = KtBuf(&c, 64);
  KT_CHECK(&c, r != NULL && b != NULL && in != NULL);
  KT_PAIR(&c, r, AF_INET, &client, &server);
  RtlCopyMemory(b->Va, "data", 4);
  KT_SEND(&c, r, client, b, 0, 4, 0);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskDisconnect(client, NULL, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_RECV_EXACT(&c, r, server, in, (const UCHAR*)"data", 4);
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 64;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskReceive(server, &wb, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0); /* EOF */
  /* Half close: the other direction still works. */
  RtlCopyMemory(b->Va, "late", 4);
  KT_SEND(&c, r, server, b, 0, 4, 0);
  KT_RECV_EXACT(&c, r, client, in, (const UCHAR*)"late", 4);
  /* The end that disconnected cannot send. */
  wb.Mdl = b->Mdl;
  wb.Length = 4;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskSend(client, &wb, 0, r->Irp));
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
  /* The server's own graceful disconnect carries final data. */
  RtlCopyMemory(b->Va, "bye", 3);
  wb.Mdl = b->Mdl;
  wb.Offset = 0;
  wb.Length = 3;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskDisconnect(server, &wb, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_RECV_EXACT(&c, r, client, in, (const UCHAR*)"bye", 3);
  wb.Mdl = in->Mdl;
  wb.Length = 64;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskReceive(client, &wb, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
Exit:
  return KtCaseEnd(&c);
}

/* Abortive disconnect: the peer's pending receive ends with STATUS_CONNECTION_RESET,
 * and the aborted end can neither send nor receive. */
int KtAbortiveDisconnect(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r, recv;
  PKT_BUF b, in;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF wb;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  recv = KtReq(&c);
  b = KtBuf(&c, 16);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, r != NULL && recv != NULL && b != NULL && in != NULL);
  KT_PAIR(&c, r, AF_INET, &client, &server);
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 16;
  KtArm(recv);
  st = KT_CONN(server)->WskReceive(server, &wb, 0, recv->Irp);
  KT_CHECK(&c, !KtCompletedWithin(recv, KT_QUIET_MS));
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskDisconnect(client, NULL, WSK_FLAG_ABORTIVE, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_DONE(&c, recv, st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_CONNECTION_RESET);
  KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, 0);
  wb.Mdl = b->Mdl;
  wb.Length = 4;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskSend(client, &wb, 0, r->Irp));
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
  wb.Mdl = in->Mdl;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskReceive(client, &wb, 0, r->Irp));
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
Exit:
  return KtCaseEnd(&c);
}

/* WSK_FLAG_WAITALL: complete only when full, or with what arrived at the peer's FIN. */
int KtWaitAll(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r, recv;
  PKT_BUF b, in;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF wb;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  recv = KtReq(&c);
  b = KtBuf(&c, 100);
  in = KtBuf(&c, 100);
  KT_CHECK(&c, r != NULL && recv != NULL && b != NULL && in != NULL);
  KT_PAIR(&c, r, AF_INET, &client, &server);
  KtFill(b, 9);
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 100;
  KtArm(recv);
  st = KT_CONN(server)->WskReceive(server, &wb, WSK_FLAG_WAITALL, recv->Irp);
  KT_SEND(&c, r, client, b, 0, 40, 0);
  KT_CHECK(&c, !KtCompletedWithin(recv, KT_QUIET_MS)); /* 40 of 100: keeps waiting */
  KT_SEND(&c, r, client, b, 40, 60, 0);
  KT_DONE(&c, recv, st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, 100);
  KT_CHECK(&c, RtlCompareMemory(in->Va, b->Va, 100) == 100);
  /* 10 bytes then FIN: WAITALL completes with the 10. */
  KtArm(recv);
  st = KT_CONN(server)->WskReceive(server, &wb, WSK_FLAG_WAITALL, recv->Irp);
  KT_SEND(&c, r, client, b, 0, 10, 0);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskDisconnect(client, NULL, 0, r->Irp));
  KT_DONE(&c, recv, st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, 10);
Exit:
  return KtCaseEnd(&c);
}

/* WSK_FLAG_DRAIN (Length 0): discards everything until the peer disconnects. */
int KtDrain(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r, drain;
  PKT_BUF b;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF wb;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  drain = KtReq(&c);
  b = KtBuf(&c, 1000);
  KT_CHECK(&c, r != NULL && drain != NULL && b != NULL);
  KT_PAIR(&c, r, AF_INET, &client, &server);
  wb.Mdl = NULL;
  wb.Offset = 0;
  wb.Length = 0;
  KtArm(drain);
  st = KT_CONN(server)->WskReceive(server, &wb, WSK_FLAG_DRAIN, drain->Irp);
  KtFill(b, 1);
  KT_SEND(&c, r, client, b, 0, 1000, 0);
  KT_CHECK(&c, !KtCompletedWithin(drain, KT_QUIET_MS)); /* data alone does not end it */
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskDisconnect(client, NULL, 0, r->Irp));
  KT_DONE(&c, drain, st);
  KT_CHECK_STATUS(&c, drain->Irp->IoStatus.Status, STATUS_SUCCESS);
  /* Nothing is left to read: the next receive sees EOF. */
  wb.Mdl = b->Mdl;
  wb.Length = 1000;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskReceive(server, &wb, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
Exit:
  return KtCaseEnd(&c);
}
