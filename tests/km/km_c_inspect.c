/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_inspect.c
 * @brief The C driver's conditional-accept family: SO_CONDITIONAL_ACCEPT,
 * WskInspectEvent (accept, reject, pend), WskInspectComplete, WskAbortEvent,
 * SIO_WSK_QUERY_INSPECT_ID, over IPv4 and IPv6.
 *
 * wskport inspects a request once the transport has completed the handshake (a process
 * cannot hold a SYN), so the peer's connect succeeds before the verdict; a rejected peer
 * then reads a reset. These cases assert that behaviour (docs/porting.md).
 */
#include "km_c_support.h"

/* A conditional-accept listener's context. Callbacks copy, count and signal. */
typedef struct _KT_INSPECT_CTX {
  KEVENT Inspected; /* set on every WskInspectEvent */
  KEVENT Aborted;   /* set on every WskAbortEvent */
  KEVENT Accepted;  /* set on every WskAcceptEvent */
  volatile LONG InspectCalls;
  volatile LONG NullInspects; /* InspectID NULL: the listener is dead */
  volatile LONG AbortCalls;
  volatile LONG AcceptCalls;
  volatile LONG Verdict; /* the WSK_INSPECT_ACTION WskInspectEvent returns (changed between
                          * requests while callbacks may run: interlocked) */
  WSK_INSPECT_ID Id;     /* of the last WskInspectEvent */
  WSK_INSPECT_ID AbortedId;
  KT_ADDR Local; /* addresses of the last WskInspectEvent */
  KT_ADDR Remote;
  PWSK_SOCKET Socket; /* the last socket WskAcceptEvent gave */
} KT_INSPECT_CTX;

static void KtInspectCopy(KT_ADDR* to, PSOCKADDR from) {
  RtlZeroMemory(to, sizeof(*to));
  if (from != NULL) {
    RtlCopyMemory(to, from,
                  from->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
  }
}

static WSK_INSPECT_ACTION WSKAPI KtOnInspect(PVOID SocketContext, PSOCKADDR LocalAddress,
                                             PSOCKADDR RemoteAddress, PWSK_INSPECT_ID InspectID) {
  KT_INSPECT_CTX* x = (KT_INSPECT_CTX*)SocketContext;
  if (InspectID == NULL) {
    InterlockedIncrement(&x->NullInspects);
    KeSetEvent(&x->Inspected, IO_NO_INCREMENT, FALSE);
    return WskInspectReject;
  }
  /* The id and the addresses are valid only during the call: copied, as the docs say. */
  x->Id = *InspectID;
  KtInspectCopy(&x->Local, LocalAddress);
  KtInspectCopy(&x->Remote, RemoteAddress);
  InterlockedIncrement(&x->InspectCalls);
  KeSetEvent(&x->Inspected, IO_NO_INCREMENT, FALSE);
  return (WSK_INSPECT_ACTION)KtRead(&x->Verdict);
}

static NTSTATUS WSKAPI KtOnAbort(PVOID SocketContext, PWSK_INSPECT_ID InspectID) {
  KT_INSPECT_CTX* x = (KT_INSPECT_CTX*)SocketContext;
  x->AbortedId = *InspectID;
  InterlockedIncrement(&x->AbortCalls);
  KeSetEvent(&x->Aborted, IO_NO_INCREMENT, FALSE);
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI KtOnInspectedAccept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                           PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                           PVOID* AcceptSocketContext,
                                           const WSK_CLIENT_CONNECTION_DISPATCH** Dispatch) {
  KT_INSPECT_CTX* x = (KT_INSPECT_CTX*)SocketContext;
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);
  UNREFERENCED_PARAMETER(RemoteAddress);
  if (AcceptSocket == NULL) {
    return STATUS_REQUEST_NOT_ACCEPTED;
  }
  x->Socket = AcceptSocket;
  *AcceptSocketContext = NULL;
  *Dispatch = NULL;
  InterlockedIncrement(&x->AcceptCalls);
  KeSetEvent(&x->Accepted, IO_NO_INCREMENT, FALSE);
  return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH KtInspectEvents = {KtOnInspectedAccept, KtOnInspect,
                                                           KtOnAbort};
static const WSK_CLIENT_STREAM_DISPATCH KtInspectStreamEvents = {
    KtOnInspectedAccept, KtOnInspect, KtOnAbort, NULL, NULL, NULL};

static void KtInspectCtxInit(KT_INSPECT_CTX* x, WSK_INSPECT_ACTION verdict) {
  RtlZeroMemory(x, sizeof(*x));
  KeInitializeEvent(&x->Inspected, SynchronizationEvent, FALSE);
  KeInitializeEvent(&x->Aborted, SynchronizationEvent, FALSE);
  KeInitializeEvent(&x->Accepted, SynchronizationEvent, FALSE);
  x->Verdict = (LONG)verdict;
}

/* Waits (bounded) until *count reaches n; each increment signals e. */
static BOOLEAN KtWaitCount(volatile LONG* count, LONG n, PKEVENT e) {
  while (KtRead(count) < n) {
    if (KtWaitEvent(e, KT_WAIT_MS) != STATUS_SUCCESS) {
      return KtRead(count) >= n;
    }
  }
  return TRUE;
}

static BOOLEAN KtSameId(const WSK_INSPECT_ID* a, const WSK_INSPECT_ID* b) {
  return a->Key == b->Key && a->SerialNumber == b->SerialNumber;
}

/* A listen socket with conditional accept on (set before WskBind, as required), bound
 * to loopback:0; *addr receives its address. */
static BOOLEAN KtConditionalListener(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family,
                                     KT_INSPECT_CTX* x, PWSK_SOCKET* out, KT_ADDR* addr) {
  KT_ADDR any;
  ULONG value = 0;
  if (!KtOpen(c, line, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, x,
              &KtInspectEvents, out) ||
      !KtSetOpt(c, line, r, *out, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1, STATUS_SUCCESS) ||
      !KtGetOpt(c, line, r, *out, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, &value)) {
    return FALSE;
  }
  if (value != 1) {
    KtFailEq(c, line, "SO_CONDITIONAL_ACCEPT read back", value, 1);
    return FALSE;
  }
  KtLoopback(&any, family, 0);
  return KtBind(c, line, r, *out, &any.Sa) &&
         KtLocal(c, line, r, *out, WSK_FLAG_LISTEN_SOCKET, &addr->Sa);
}

/* A connection socket bound to the wildcard, connected to addr; its local address in
 * *local. The connect succeeds: the handshake is over before any inspection. With
 * `rejected`, the connect may also report the reset of a rejection that overtook it
 * (*rejected is then TRUE and *local is not written). */
static BOOLEAN KtPeerEx(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, KT_ADDR* addr,
                        PWSK_SOCKET* out, KT_ADDR* local, BOOLEAN* rejected) {
  KT_ADDR any;
  NTSTATUS st;
  if (!KtOpen(c, line, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
              out)) {
    return FALSE;
  }
  KtWildcard(&any, family);
  if (!KtBind(c, line, r, *out, &any.Sa)) {
    return FALSE;
  }
  KtArm(r);
  st = KT_CONN(*out)->WskConnect(*out, &addr->Sa, 0, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (rejected != NULL) {
    *rejected = r->Irp->IoStatus.Status == STATUS_CONNECTION_RESET;
    if (*rejected) {
      return TRUE;
    }
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskConnect IoStatus.Status", r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  return KtLocal(c, line, r, *out, WSK_FLAG_CONNECTION_SOCKET, &local->Sa);
}

static BOOLEAN KtPeer(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, KT_ADDR* addr,
                      PWSK_SOCKET* out, KT_ADDR* local) {
  return KtPeerEx(c, line, r, family, addr, out, local, NULL);
}

/* Starts a receive of up to b->Size bytes on s (completes later). */
static NTSTATUS KtStartReceive(PKT_REQ r, PWSK_SOCKET s, PKT_BUF b) {
  WSK_BUF wb;
  wb.Mdl = b->Mdl;
  wb.Offset = 0;
  wb.Length = b->Size;
  KtArm(r);
  return KT_CONN(s)->WskReceive(s, &wb, 0, r->Irp);
}

static NTSTATUS KtInspectComplete(PKT_REQ r, PWSK_SOCKET listener, PWSK_INSPECT_ID id,
                                  WSK_INSPECT_ACTION action) {
  KtArm(r);
  return KT_LISTENER(listener)->WskInspectComplete(listener, id, action, r->Irp);
}

/* Inspect, accept and reject straight from WskInspectEvent; WskAcceptEvent takes the
 * accepted request. The option's rules, and a stream socket in conditional mode. */
static int KtConditionalAccept(ADDRESS_FAMILY family, char* msg, unsigned int cap) {
  KT_CASE c;
  KT_INSPECT_CTX* x = (KT_INSPECT_CTX*)KtAlloc(sizeof(KT_INSPECT_CTX));
  PKT_REQ r, recv;
  PKT_BUF out, in;
  PKT_REQ accept;
  PWSK_SOCKET listener = NULL, peer = NULL, peer2 = NULL, server = NULL, other = NULL;
  PWSK_SOCKET stream = NULL, peer3 = NULL;
  KT_ADDR addr, local, local2, saddr, local3;
  NTSTATUS accept_st;
  WSK_INSPECT_ID first, queried;
  SIZE_T returned = 0;
  BOOLEAN rejected = FALSE;
  NTSTATUS st;
  static const UCHAR hello[8] = {'i', 'n', 's', 'p', 'e', 'c', 't', '!'};
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  recv = KtReq(&c);
  accept = KtReq(&c);
  out = KtBuf(&c, 8);
  in = KtBuf(&c, 16);
  KT_CHECK(&c,
           x != NULL && r != NULL && recv != NULL && accept != NULL && out != NULL && in != NULL);
  if (!KtFamilyAvailable(&c, family)) {
    goto Exit;
  }
  KtInspectCtxInit(x, WskInspectAccept);
  KT_OK(&c, KtConditionalListener(&c, __LINE__, r, family, x, &listener, &addr));
  /* The option must precede WskBind, and belongs to listening sockets only. */
  KT_OK(&c, KtSetOpt(&c, __LINE__, r, listener, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 0,
                     STATUS_INVALID_DEVICE_STATE));
  KT_OPEN(&c, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, &other);
  KT_OK(&c, KtSetOpt(&c, __LINE__, r, other, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1,
                     STATUS_INVALID_DEVICE_STATE));
  KT_CHECK_STATUS(&c, KtSetEvents(listener, WSK_EVENT_ACCEPT), STATUS_SUCCESS);

  /* Accept: WskInspectEvent sees the request's addresses, then WskAcceptEvent gets it. */
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 1, &x->Inspected));
  KT_CHECK(&c, KtWaitCount(&x->AcceptCalls, 1, &x->Accepted));
  server = x->Socket;
  KT_CHECK(&c, server != NULL);
  KtAdopt(&c, server);
  KT_CHECK_EQ(&c, x->Local.Sa.sa_family, family);
  KT_CHECK_EQ(&c, KtPort(&x->Local), KtPort(&addr));
  KT_CHECK(&c, KtIsLoopback(&x->Local));
  KT_CHECK_EQ(&c, x->Remote.Sa.sa_family, family);
  KT_CHECK_EQ(&c, KtPort(&x->Remote), KtPort(&local));
  first = x->Id;
  /* The accepted socket knows the id it was inspected under (no IRP needed). */
  RtlZeroMemory(&queried, sizeof(queried));
  st = KT_BASIC(server)->WskControlSocket(server, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL,
                                          sizeof(queried), &queried, &returned, NULL);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, returned, sizeof(WSK_INSPECT_ID));
  KT_CHECK(&c, KtSameId(&queried, &first));
  st = KT_BASIC(peer)->WskControlSocket(peer, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL,
                                        sizeof(queried), &queried, &returned, NULL);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_DEVICE_REQUEST);
  RtlCopyMemory(out->Va, hello, sizeof(hello));
  KT_SEND(&c, r, peer, out, 0, sizeof(hello), 0);
  KT_RECV_EXACT(&c, r, server, in, hello, sizeof(hello));

  /* Reject: the handshake was over before the verdict, so the peer's connect succeeds
   * and the rejection resets the connection; the reset may also overtake the report of
   * the connect, which then fails with it. WskAcceptEvent never hears of it. */
  InterlockedExchange(&x->Verdict, WskInspectReject);
  KT_OK(&c, KtPeerEx(&c, __LINE__, r, family, &addr, &peer2, &local2, &rejected));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 2, &x->Inspected));
  KT_CHECK(&c, !KtSameId(&x->Id, &first));
  if (!rejected) {
    KT_CHECK_EQ(&c, KtPort(&x->Remote), KtPort(&local2));
    KT_DONE(&c, recv, KtStartReceive(recv, peer2, in));
    st = recv->Irp->IoStatus.Status;
    if ((KtQuirks & KM_TEST_QUIRK_RESET_SEEN_AS_GRACEFUL) != 0 && st == STATUS_SUCCESS) {
      /* Wine: the reset arrived before the receive was posted and reads as an end. */
      KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, 0);
    } else {
      KT_CHECK_STATUS(&c, st, STATUS_CONNECTION_RESET);
    }
  }
  KT_CHECK_EQ(&c, KtRead(&x->AcceptCalls), 1);

  /* A stream socket inspects the same way once WskListen made it a listener; WskAccept
   * takes the accepted request. */
  InterlockedExchange(&x->Verdict, WskInspectAccept);
  KT_OPEN(&c, r, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_STREAM_SOCKET, x,
          &KtInspectStreamEvents, &stream);
  KT_OK(&c,
        KtSetOpt(&c, __LINE__, r, stream, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1, STATUS_SUCCESS));
  KtLoopback(&saddr, family, 0);
  KT_BIND(&c, r, stream, &saddr.Sa);
  KtArm(r);
  KT_DONE(&c, r, KT_STREAM(stream)->WskListen(stream, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_LOCAL(&c, r, stream, WSK_FLAG_STREAM_SOCKET, &saddr.Sa);
  KtArm(accept);
  accept_st = KT_STREAM(stream)->WskAccept(stream, 0, NULL, NULL, NULL, NULL, accept->Irp);
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &saddr, &peer3, &local3));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 3, &x->Inspected));
  KT_CHECK_EQ(&c, KtPort(&x->Remote), KtPort(&local3));
  KT_DONE(&c, accept, accept_st);
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK(&c, accept->Irp->IoStatus.Information != 0);
  KtAdopt(&c, (PWSK_SOCKET)accept->Irp->IoStatus.Information);
  KT_CHECK_EQ(&c, KtRead(&x->AcceptCalls), 1);
  KT_CHECK_EQ(&c, KtRead(&x->AbortCalls), 0);
  KT_CHECK_EQ(&c, KtRead(&x->NullInspects), 0);
Exit:
  (void)KtCaseEnd(&c);
  if (x != NULL) {
    KtFree(x);
  }
  return c.Result;
}

int KtConditionalAcceptIpv4(char* msg, unsigned int cap) {
  return KtConditionalAccept(AF_INET, msg, cap);
}

int KtConditionalAcceptIpv6(char* msg, unsigned int cap) {
  return KtConditionalAccept(AF_INET6, msg, cap);
}

/* Pend, then WskInspectComplete: accept (a pending WskAccept gets the request with what
 * the peer sent meanwhile), reject (the peer reads a reset); a peer that goes away while
 * pended is reported by WskAbortEvent and its id is spent; ids WskInspectComplete does
 * not know; a listener closed with a request pended resets it. */
static int KtInspectPend(ADDRESS_FAMILY family, char* msg, unsigned int cap) {
  KT_CASE c;
  KT_INSPECT_CTX* x = (KT_INSPECT_CTX*)KtAlloc(sizeof(KT_INSPECT_CTX));
  PKT_REQ r, accept, recv, done;
  PKT_BUF out, in;
  PWSK_SOCKET listener = NULL, peer = NULL, peer2 = NULL, server = NULL, plain = NULL;
  KT_ADDR addr, local, local2, remote, plain_addr;
  WSK_INSPECT_ID id, made_up;
  NTSTATUS accept_st = STATUS_PENDING, recv_st;
  static const UCHAR early[5] = {'e', 'a', 'r', 'l', 'y'};
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  accept = KtReq(&c);
  recv = KtReq(&c);
  done = KtReq(&c);
  out = KtBuf(&c, 8);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, x != NULL && r != NULL && accept != NULL && recv != NULL && done != NULL &&
                   out != NULL && in != NULL);
  if (!KtFamilyAvailable(&c, family)) {
    goto Exit;
  }
  KtInspectCtxInit(x, WskInspectAccept);
  KT_OK(&c, KtConditionalListener(&c, __LINE__, r, family, x, &listener, &addr));

  /* 0. Accepted requests wait for a WskAccept, in order, and do not hold up the
   * inspection of the next ones. */
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer2, &local2));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 2, &x->Inspected));
  KtArm(accept);
  KT_DONE(&c, accept,
          KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, &remote.Sa, accept->Irp));
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_SUCCESS);
  server = (PWSK_SOCKET)accept->Irp->IoStatus.Information;
  KT_CHECK(&c, server != NULL);
  KtAdopt(&c, server);
  KT_CHECK_EQ(&c, KtPort(&remote), KtPort(&local));
  KT_CLOSE(&c, r, server);
  KtArm(accept);
  KT_DONE(&c, accept,
          KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, &remote.Sa, accept->Irp));
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_SUCCESS);
  server = (PWSK_SOCKET)accept->Irp->IoStatus.Information;
  KT_CHECK(&c, server != NULL);
  KtAdopt(&c, server);
  KT_CHECK_EQ(&c, KtPort(&remote), KtPort(&local2));
  KT_CLOSE(&c, r, server);
  KT_CLOSE(&c, r, peer);
  KT_CLOSE(&c, r, peer2);
  InterlockedExchange(&x->Verdict, WskInspectPend);
  KtArm(accept);
  accept_st =
      KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, &remote.Sa, accept->Irp);

  /* 1. Pend, the peer sends, then accept: the WskAccept waits for the verdict. */
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 1 + 2, &x->Inspected));
  id = x->Id;
  RtlCopyMemory(out->Va, early, sizeof(early));
  KT_SEND(&c, r, peer, out, 0, sizeof(early), 0);
  KT_CHECK(&c, !KtCompletedWithin(accept, KT_QUIET_MS));
  KT_DONE(&c, done, KtInspectComplete(done, listener, &id, WskInspectAccept));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK_EQ(&c, done->Irp->IoStatus.Information, 0);
  KT_DONE(&c, accept, accept_st);
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_SUCCESS);
  server = (PWSK_SOCKET)accept->Irp->IoStatus.Information;
  KT_CHECK(&c, server != NULL);
  KtAdopt(&c, server);
  KT_CHECK_EQ(&c, KtPort(&remote), KtPort(&local));
  KT_RECV_EXACT(&c, r, server, in, early, sizeof(early));
  /* The id is spent: completing it again finds nothing. */
  KT_DONE(&c, done, KtInspectComplete(done, listener, &id, WskInspectAccept));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_PARAMETER);
  KT_CLOSE(&c, r, server);
  KT_CLOSE(&c, r, peer);

  /* 2. Pend, then reject: the peer, its receive already posted, reads a reset; the
   * WskAccept stays pending. */
  KtArm(accept);
  accept_st =
      KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, &remote.Sa, accept->Irp);
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 2 + 2, &x->Inspected));
  id = x->Id;
  recv_st = KtStartReceive(recv, peer, in);
  KT_CHECK(&c, !KtCompletedWithin(recv, KT_QUIET_MS));
  KT_DONE(&c, done, KtInspectComplete(done, listener, &id, WskInspectReject));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_DONE(&c, recv, recv_st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_CONNECTION_RESET);
  KT_CHECK(&c, !KtCompletedWithin(accept, KT_QUIET_MS));
  KT_CLOSE(&c, r, peer);

  /* 3. Pend, then the peer goes away (graceful disconnect, then an abortive close):
   * WskAbortEvent with the request's id; completing that id finds nothing, and the
   * WskAccept still waits. */
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 3 + 2, &x->Inspected));
  id = x->Id;
  KT_CHECK_EQ(&c, KtRead(&x->AbortCalls), 0);
  KtArm(r);
  KT_DONE(&c, r, KT_CONN(peer)->WskDisconnect(peer, NULL, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_CHECK(&c, KtWaitCount(&x->AbortCalls, 1, &x->Aborted));
  KT_CHECK(&c, KtSameId(&x->AbortedId, &id));
  KT_DONE(&c, done, KtInspectComplete(done, listener, &id, WskInspectAccept));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_PARAMETER);
  KT_CLOSE(&c, r, peer);
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 4 + 2, &x->Inspected));
  id = x->Id;
  KT_CLOSE(&c, r, peer); /* WskCloseSocket is abortive: the request sees a reset */
  KT_CHECK(&c, KtWaitCount(&x->AbortCalls, 2, &x->Aborted));
  KT_CHECK(&c, KtSameId(&x->AbortedId, &id));
  KT_CHECK(&c, !KtCompletedWithin(accept, KT_QUIET_MS));

  /* 4. WskInspectComplete refuses ids it does not know, a null id, and actions other
   * than accept and reject (the request stays pended). */
  KT_OK(&c, KtPeer(&c, __LINE__, r, family, &addr, &peer, &local));
  KT_CHECK(&c, KtWaitCount(&x->InspectCalls, 5 + 2, &x->Inspected));
  id = x->Id;
  made_up = id;
  made_up.SerialNumber += 1000;
  KT_DONE(&c, done, KtInspectComplete(done, listener, &made_up, WskInspectAccept));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_PARAMETER);
  KT_DONE(&c, done, KtInspectComplete(done, listener, NULL, WskInspectAccept));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_PARAMETER);
  KT_DONE(&c, done, KtInspectComplete(done, listener, &id, WskInspectPend));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_PARAMETER);
  KT_DONE(&c, done, KtInspectComplete(done, listener, &id, WskInspectMax));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_PARAMETER);
  KT_CHECK(&c, !KtCompletedWithin(accept, KT_QUIET_MS));

  /* 5. Closing the listener cancels the WskAccept and resets the pended request. */
  recv_st = KtStartReceive(recv, peer, in);
  KT_CHECK(&c, !KtCompletedWithin(recv, KT_QUIET_MS));
  KT_CLOSE(&c, r, listener);
  KT_DONE(&c, accept, accept_st);
  KT_CHECK_STATUS(&c, accept->Irp->IoStatus.Status, STATUS_CANCELLED);
  KT_DONE(&c, recv, recv_st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_CONNECTION_RESET);
  KT_CHECK_EQ(&c, KtRead(&x->AbortCalls), 2);
  KT_CHECK_EQ(&c, KtRead(&x->NullInspects), 0);

  /* 6. Without conditional accept there is nothing to complete. */
  KT_LISTEN(&c, r, family, NULL, &KtInspectEvents, &plain, &plain_addr.Sa);
  KT_DONE(&c, done, KtInspectComplete(done, plain, &id, WskInspectAccept));
  KT_CHECK_STATUS(&c, done->Irp->IoStatus.Status, STATUS_INVALID_DEVICE_STATE);
Exit:
  (void)KtCaseEnd(&c);
  if (x != NULL) {
    KtFree(x);
  }
  return c.Result;
}

int KtInspectPendIpv4(char* msg, unsigned int cap) { return KtInspectPend(AF_INET, msg, cap); }

int KtInspectPendIpv6(char* msg, unsigned int cap) { return KtInspectPend(AF_INET6, msg, cap); }
