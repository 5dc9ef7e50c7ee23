/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_events.c
 * @brief The C driver's event-callback family: WskAcceptEvent (accept, reject,
 * inherited connection events), WskReceiveEvent (consume, retain + WskRelease,
 * STATUS_DATA_NOT_ACCEPTED + zero-length re-arm), WskDisconnectEvent (graceful and
 * abortive), WskSendBacklogEvent. Callbacks never wait: they copy, count and signal.
 */
#include "km_c_support.h"

/* ---- callbacks ------------------------------------------------------------------- */

static void KtCopyAddress(KT_ADDR* to, PSOCKADDR from) {
  RtlZeroMemory(to, sizeof(*to));
  if (from != NULL) {
    RtlCopyMemory(to, from,
                  from->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
  }
}

static NTSTATUS WSKAPI KtOnAccept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                  PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                  PVOID* AcceptSocketContext,
                                  const WSK_CLIENT_CONNECTION_DISPATCH** AcceptSocketDispatch) {
  KT_LISTEN_CTX* l = (KT_LISTEN_CTX*)SocketContext;
  UNREFERENCED_PARAMETER(Flags);
  if (AcceptSocket == NULL) {
    /* The listening socket is no longer functional. */
    InterlockedIncrement(&l->NullCalls);
    KeSetEvent(&l->Accepted, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
  }
  KtCopyAddress(&l->Local, LocalAddress);
  KtCopyAddress(&l->Remote, RemoteAddress);
  if (l->Verdict == STATUS_SUCCESS) {
    l->Socket = AcceptSocket;
    *AcceptSocketContext = l->AcceptContext;
    *AcceptSocketDispatch = l->AcceptDispatch;
  }
  InterlockedIncrement(&l->Calls);
  KeSetEvent(&l->Accepted, IO_NO_INCREMENT, FALSE);
  return l->Verdict;
}

const WSK_CLIENT_LISTEN_DISPATCH KtListenEvents = {KtOnAccept, NULL, NULL};

void KtListenCtxInit(KT_LISTEN_CTX* l, NTSTATUS verdict, PVOID accept_context,
                     const WSK_CLIENT_CONNECTION_DISPATCH* accept_dispatch) {
  RtlZeroMemory(l, sizeof(*l));
  KeInitializeEvent(&l->Accepted, SynchronizationEvent, FALSE);
  l->Verdict = verdict;
  l->AcceptContext = accept_context;
  l->AcceptDispatch = accept_dispatch;
}

ULONG KtCopyWskBuf(const WSK_BUF* b, PUCHAR dest, ULONG cap) {
  PMDL mdl = b->Mdl;
  ULONG offset = b->Offset;
  SIZE_T left = b->Length;
  ULONG done = 0;
  while (mdl != NULL && left > 0 && done < cap) {
    PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    ULONG in_mdl = MmGetMdlByteCount(mdl) - offset;
    ULONG take = in_mdl;
    if (take > left) {
      take = (ULONG)left;
    }
    if (take > cap - done) {
      take = cap - done;
    }
    if (va == NULL) {
      break;
    }
    RtlCopyMemory(dest + done, va + offset, take);
    done += take;
    left -= take;
    offset = 0;
    mdl = mdl->Next;
  }
  return done;
}

static NTSTATUS WSKAPI KtOnReceive(PVOID SocketContext, ULONG Flags,
                                   PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated,
                                   SIZE_T* BytesAccepted) {
  KT_CONN_CTX* k = (KT_CONN_CTX*)SocketContext;
  PWSK_DATA_INDICATION d;
  SIZE_T sum = 0;
  NTSTATUS verdict;
  KIRQL irql;
  UNREFERENCED_PARAMETER(Flags);
  if (DataIndication == NULL) {
    InterlockedIncrement(&k->NullIndications);
    KeSetEvent(&k->Received, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
  }
  for (d = DataIndication; d != NULL; d = d->Next) {
    sum += d->Buffer.Length;
  }
  if (sum != BytesIndicated) {
    InterlockedIncrement(&k->CountMismatches);
  }
  KeAcquireSpinLock(&k->Lock, &irql);
  verdict = k->Verdict;
  k->Verdict = STATUS_SUCCESS;
  if (verdict == STATUS_PENDING) {
    k->Retained = DataIndication; /* released later with WskRelease */
  } else if (verdict == STATUS_SUCCESS) {
    for (d = DataIndication; d != NULL; d = d->Next) {
      k->DataLength +=
          KtCopyWskBuf(&d->Buffer, k->Data + k->DataLength, KT_CONN_DATA - k->DataLength);
    }
    *BytesAccepted = BytesIndicated;
  }
  KeReleaseSpinLock(&k->Lock, irql);
  InterlockedIncrement(&k->ReceiveCalls);
  KeSetEvent(&k->Received, IO_NO_INCREMENT, FALSE);
  return verdict;
}

static NTSTATUS WSKAPI KtOnDisconnect(PVOID SocketContext, ULONG Flags) {
  KT_CONN_CTX* k = (KT_CONN_CTX*)SocketContext;
  k->DisconnectFlags = Flags;
  InterlockedIncrement(&k->DisconnectCalls);
  KeSetEvent(&k->Disconnected, IO_NO_INCREMENT, FALSE);
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI KtOnSendBacklog(PVOID SocketContext, SIZE_T IdealBacklogSize) {
  KT_CONN_CTX* k = (KT_CONN_CTX*)SocketContext;
  k->IdealBacklog = IdealBacklogSize;
  InterlockedIncrement(&k->BacklogCalls);
  KeSetEvent(&k->Backlog, IO_NO_INCREMENT, FALSE);
  return STATUS_SUCCESS;
}

const WSK_CLIENT_CONNECTION_DISPATCH KtConnEvents = {KtOnReceive, KtOnDisconnect, KtOnSendBacklog};

void KtConnCtxInit(KT_CONN_CTX* k) {
  RtlZeroMemory(k, sizeof(*k));
  KeInitializeSpinLock(&k->Lock);
  KeInitializeEvent(&k->Received, SynchronizationEvent, FALSE);
  KeInitializeEvent(&k->Disconnected, NotificationEvent, FALSE);
  KeInitializeEvent(&k->Backlog, NotificationEvent, FALSE);
  KtConnSetVerdict(k, STATUS_SUCCESS);
}

void KtConnSetVerdict(KT_CONN_CTX* k, NTSTATUS verdict) {
  KIRQL irql;
  KeAcquireSpinLock(&k->Lock, &irql);
  k->Verdict = verdict;
  KeReleaseSpinLock(&k->Lock, irql);
}

ULONG KtConnLength(KT_CONN_CTX* k) {
  KIRQL irql;
  ULONG length;
  KeAcquireSpinLock(&k->Lock, &irql);
  length = k->DataLength;
  KeReleaseSpinLock(&k->Lock, irql);
  return length;
}

BOOLEAN KtConnWaitData(KT_CONN_CTX* k, ULONG length) {
  LARGE_INTEGER start, now;
  KeQuerySystemTime(&start);
  for (;;) {
    if (KtConnLength(k) >= length) {
      return TRUE;
    }
    KeQuerySystemTime(&now);
    if (now.QuadPart - start.QuadPart > 10000LL * KT_WAIT_MS) {
      return FALSE;
    }
    (void)KtWaitEvent(&k->Received, 50);
  }
}

/* ---- cases ------------------------------------------------------------------------ */

/* A connection socket bound to the wildcard and connected to addr. */
static BOOLEAN KtConnectTo(PKT_CASE c, int line, PKT_REQ r, KT_ADDR* addr, PVOID ctx,
                           const WSK_CLIENT_CONNECTION_DISPATCH* dispatch, PWSK_SOCKET* out) {
  KT_ADDR any;
  NTSTATUS st;
  if (!KtOpen(c, line, r, addr->Sa.sa_family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,
              ctx, dispatch, out)) {
    return FALSE;
  }
  KtWildcard(&any, addr->Sa.sa_family);
  if (!KtBind(c, line, r, *out, &any.Sa)) {
    return FALSE;
  }
  KtArm(r);
  st = KT_CONN(*out)->WskConnect(*out, &addr->Sa, 0, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskConnect IoStatus.Status", r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  return TRUE;
}

/* Accept through WskAcceptEvent; the accepted socket inherits the receive and
 * disconnect events enabled on the listener, so data arrives through WskReceiveEvent
 * without any call on the accepted socket. Then the events are disabled. */
int KtAcceptAndReceiveEvents(char* msg, unsigned int cap) {
  static const char text[] = "hello through WskReceiveEvent";
  KT_CASE c;
  KT_LISTEN_CTX* l = (KT_LISTEN_CTX*)KtAlloc(sizeof(KT_LISTEN_CTX));
  KT_CONN_CTX* k = (KT_CONN_CTX*)KtAlloc(sizeof(KT_CONN_CTX));
  PKT_REQ r;
  PKT_BUF b;
  PWSK_SOCKET listener = NULL, client = NULL, accepted = NULL;
  KT_ADDR addr, client_local;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, sizeof(text));
  KT_CHECK(&c, l != NULL && k != NULL && r != NULL && b != NULL);
  KtConnCtxInit(k);
  KtListenCtxInit(l, STATUS_SUCCESS, k, &KtConnEvents);
  KT_LISTEN(&c, r, AF_INET, l, &KtListenEvents, &listener, &addr.Sa);
  /* Enabling takes no IRP (listen sockets: after bind). */
  KT_CHECK_STATUS(
      &c, KtSetEvents(listener, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT),
      STATUS_SUCCESS);
  KT_OK(&c, KtConnectTo(&c, __LINE__, r, &addr, NULL, NULL, &client));
  KT_CHECK_STATUS(&c, KtWaitEvent(&l->Accepted, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&l->Calls), 1);
  accepted = l->Socket;
  KT_CHECK(&c, accepted != NULL);
  KtAdopt(&c, accepted);
  KT_LOCAL(&c, r, client, WSK_FLAG_CONNECTION_SOCKET, &client_local.Sa);
  KT_CHECK_EQ(&c, KtPort(&l->Remote), KtPort(&client_local));
  KT_CHECK_EQ(&c, KtPort(&l->Local), KtPort(&addr));
  KT_CHECK(&c, KtIsLoopback(&l->Remote) && KtIsLoopback(&l->Local));

  RtlCopyMemory(b->Va, text, sizeof(text));
  KT_SEND(&c, r, client, b, 0, sizeof(text), 0);
  KT_CHECK(&c, KtConnWaitData(k, sizeof(text)));
  KT_CHECK_EQ(&c, KtConnLength(k), sizeof(text));
  KT_CHECK(&c, RtlCompareMemory(k->Data, text, sizeof(text)) == sizeof(text));
  KT_CHECK_EQ(&c, KtRead(&k->CountMismatches), 0);
  KT_CHECK_EQ(&c, KtRead(&k->NullIndications), 0);
  /* Graceful close by the peer: WskDisconnectEvent without WSK_FLAG_ABORTIVE. */
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskDisconnect(client, NULL, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Disconnected, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->DisconnectCalls), 1);
  KT_CHECK_EQ(&c, k->DisconnectFlags & WSK_FLAG_ABORTIVE, 0);
  /* Disabling is one event at a time. With an IRP it completes once no callback runs. */
  {
    WSK_EVENT_CALLBACK_CONTROL off;
    off.NpiId = &KtNpiWskInterfaceId;
    off.EventMask = WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE;
    KtArm(r);
    KT_DONE(
        &c, r,
        KT_BASIC(accepted)->WskControlSocket(accepted, WskSetOption, SO_WSK_EVENT_CALLBACK,
                                             SOL_SOCKET, sizeof(off), &off, 0, NULL, NULL, r->Irp));
    KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  }
  /* Without one: STATUS_EVENT_PENDING if a callback is running right now. */
  st = KtSetEvents(listener, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE);
  KT_CHECK(&c, st == STATUS_SUCCESS || st == STATUS_EVENT_PENDING);
Exit:
  /* Sockets close before the contexts their callbacks use are freed. */
  (void)KtCaseEnd(&c);
  KtFree(k);
  KtFree(l);
  return c.Result;
}

/* STATUS_PENDING keeps the indicated buffers until WskRelease. */
int KtReceiveEventRetention(char* msg, unsigned int cap) {
  static const char first[] = "retain-me";
  static const char second[] = "after release";
  KT_CASE c;
  KT_CONN_CTX* k = (KT_CONN_CTX*)KtAlloc(sizeof(KT_CONN_CTX));
  PKT_REQ r;
  PKT_BUF b;
  PWSK_SOCKET client = NULL, server = NULL;
  PWSK_DATA_INDICATION d;
  UCHAR copy[64];
  ULONG got = 0;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, 64);
  KT_CHECK(&c, k != NULL && r != NULL && b != NULL);
  KtConnCtxInit(k);
  KT_PAIR_EX(&c, r, AF_INET, NULL, NULL, k, &KtConnEvents, &client, &server);
  KT_CHECK_STATUS(&c, KtSetEvents(server, WSK_EVENT_RECEIVE), STATUS_SUCCESS);
  KtConnSetVerdict(k, STATUS_PENDING);
  RtlCopyMemory(b->Va, first, sizeof(first));
  KT_SEND(&c, r, client, b, 0, sizeof(first), 0);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK(&c, k->Retained != NULL);
  /* The retained buffers stay valid after the callback returned. */
  for (d = k->Retained; d != NULL; d = d->Next) {
    got += KtCopyWskBuf(&d->Buffer, copy + got, sizeof(copy) - got);
  }
  KT_CHECK_EQ(&c, got, sizeof(first));
  KT_CHECK(&c, RtlCompareMemory(copy, first, sizeof(first)) == sizeof(first));
  KT_CHECK_EQ(&c, KtConnLength(k), 0);
  KT_CHECK_STATUS(&c, KT_CONN(server)->WskRelease(server, k->Retained), STATUS_SUCCESS);
  k->Retained = NULL;
  /* Indications go on after a release. */
  RtlCopyMemory(b->Va, second, sizeof(second));
  KT_SEND(&c, r, client, b, 0, sizeof(second), 0);
  KT_CHECK(&c, KtConnWaitData(k, sizeof(second)));
  KT_CHECK(&c, RtlCompareMemory(k->Data, second, sizeof(second)) == sizeof(second));
  KT_CHECK_EQ(&c, KtRead(&k->ReceiveCalls), 2);
Exit:
  if (k != NULL && k->Retained != NULL && server != NULL) {
    /* WskCloseSocket does not release retained lists. */
    (void)KT_CONN(server)->WskRelease(server, k->Retained);
  }
  (void)KtCaseEnd(&c);
  KtFree(k);
  return c.Result;
}

/* STATUS_DATA_NOT_ACCEPTED: the data stays in the transport and indications stop until
 * a WskReceive is posted (a real one takes the data; a zero-length one re-arms). */
int KtReceiveEventNotAccepted(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_CONN_CTX* k = (KT_CONN_CTX*)KtAlloc(sizeof(KT_CONN_CTX));
  PKT_REQ r;
  PKT_BUF b, in;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF wb;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, 16);
  in = KtBuf(&c, 100);
  KT_CHECK(&c, k != NULL && r != NULL && b != NULL && in != NULL);
  KtConnCtxInit(k);
  KT_PAIR_EX(&c, r, AF_INET, NULL, NULL, k, &KtConnEvents, &client, &server);
  KT_CHECK_STATUS(&c, KtSetEvents(server, WSK_EVENT_RECEIVE), STATUS_SUCCESS);

  KtConnSetVerdict(k, STATUS_DATA_NOT_ACCEPTED);
  RtlCopyMemory(b->Va, "AAAA", 4);
  KT_SEND(&c, r, client, b, 0, 4, 0);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->ReceiveCalls), 1);
  KT_CHECK_EQ(&c, KtConnLength(k), 0);
  /* Not indicated again on its own. */
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_QUIET_MS), STATUS_TIMEOUT);
  /* A WskReceive takes the refused bytes. */
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 100;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskReceive(server, &wb, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 4);
  KT_CHECK(&c, RtlCompareMemory(in->Va, "AAAA", 4) == 4);

  /* Refuse again, then re-arm with a zero-length receive. */
  KtConnSetVerdict(k, STATUS_DATA_NOT_ACCEPTED);
  RtlCopyMemory(b->Va, "CCCC", 4);
  KT_SEND(&c, r, client, b, 0, 4, 0);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->ReceiveCalls), 2);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_QUIET_MS), STATUS_TIMEOUT);
  KT_CHECK_EQ(&c, KtRead(&k->ReceiveCalls), 2);
  wb.Mdl = NULL;
  wb.Length = 0;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskReceive(server, &wb, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
  /* The same bytes are indicated again and this time consumed. */
  KT_CHECK(&c, KtConnWaitData(k, 4));
  KT_CHECK(&c, RtlCompareMemory(k->Data, "CCCC", 4) == 4);
  KT_CHECK_EQ(&c, KtRead(&k->ReceiveCalls), 3);
Exit:
  (void)KtCaseEnd(&c);
  KtFree(k);
  return c.Result;
}

int KtDisconnectEvents(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_CONN_CTX* k = (KT_CONN_CTX*)KtAlloc(sizeof(KT_CONN_CTX));
  PKT_REQ r;
  PWSK_SOCKET client = NULL, server = NULL;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, k != NULL && r != NULL);
  KtConnCtxInit(k);
  /* The client end carries the events this time (connection sockets: after connect). */
  KT_PAIR_EX(&c, r, AF_INET, k, &KtConnEvents, NULL, NULL, &client, &server);
  KT_CHECK_STATUS(&c, KtSetEvents(client, WSK_EVENT_DISCONNECT), STATUS_SUCCESS);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(server)->WskDisconnect(server, NULL, WSK_FLAG_ABORTIVE, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Disconnected, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->DisconnectCalls), 1);
  if ((KtQuirks & KM_TEST_QUIRK_RESET_SEEN_AS_GRACEFUL) == 0) {
    KT_CHECK_EQ(&c, k->DisconnectFlags & WSK_FLAG_ABORTIVE, WSK_FLAG_ABORTIVE);
  }
Exit:
  (void)KtCaseEnd(&c);
  KtFree(k);
  return c.Result;
}

/* STATUS_REQUEST_NOT_ACCEPTED from WskAcceptEvent: WSK closes the new connection. */
int KtAcceptEventRejects(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_LISTEN_CTX* l = (KT_LISTEN_CTX*)KtAlloc(sizeof(KT_LISTEN_CTX));
  PKT_REQ r;
  PKT_BUF in;
  PWSK_SOCKET listener = NULL, client = NULL;
  KT_ADDR addr, any;
  WSK_BUF wb;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, l != NULL && r != NULL && in != NULL);
  KtListenCtxInit(l, STATUS_REQUEST_NOT_ACCEPTED, NULL, NULL);
  KT_LISTEN(&c, r, AF_INET, l, &KtListenEvents, &listener, &addr.Sa);
  KT_CHECK_STATUS(&c, KtSetEvents(listener, WSK_EVENT_ACCEPT), STATUS_SUCCESS);
  /* The transport completes the handshake before WSK offers the connection, so the
   * connect succeeds, unless the rejection's reset overtakes its report. */
  KT_OPEN(&c, r, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
          &client);
  KtWildcard(&any, AF_INET);
  KT_BIND(&c, r, client, &any.Sa);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskConnect(client, &addr.Sa, 0, r->Irp));
  st = r->Irp->IoStatus.Status;
  KT_CHECK(&c, st == STATUS_SUCCESS || st == STATUS_CONNECTION_RESET);
  KT_CHECK_STATUS(&c, KtWaitEvent(&l->Accepted, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&l->Calls), 1);
  KT_CHECK(&c, l->Socket == NULL);
  if (st != STATUS_SUCCESS) {
    goto Exit;
  }
  /* The peer sees the end of the connection: EOF or a reset. */
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 16;
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(client)->WskReceive(client, &wb, 0, r->Irp));
  st = r->Irp->IoStatus.Status;
  KT_CHECK(&c, (st == STATUS_SUCCESS && r->Irp->IoStatus.Information == 0) ||
                   st == STATUS_CONNECTION_RESET || st == STATUS_CONNECTION_ABORTED);
Exit:
  (void)KtCaseEnd(&c);
  KtFree(l);
  return c.Result;
}

int KtSendBacklogEvent(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_CONN_CTX* k = (KT_CONN_CTX*)KtAlloc(sizeof(KT_CONN_CTX));
  PKT_REQ r;
  PKT_BUF b;
  PWSK_SOCKET client = NULL, server = NULL;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, 4096);
  KT_CHECK(&c, k != NULL && r != NULL && b != NULL);
  KtConnCtxInit(k);
  KT_PAIR_EX(&c, r, AF_INET, k, &KtConnEvents, NULL, NULL, &client, &server);
  KT_CHECK_STATUS(&c, KtSetEvents(client, WSK_EVENT_SEND_BACKLOG), STATUS_SUCCESS);
  KtFill(b, 3);
  KT_SEND(&c, r, client, b, 0, 4096, 0);
  /* The provider tells the ideal backlog once it knows it. */
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Backlog, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK(&c, KtRead(&k->BacklogCalls) >= 1);
  KT_CHECK(&c, k->IdealBacklog > 0);
Exit:
  (void)KtCaseEnd(&c);
  KtFree(k);
  return c.Result;
}
