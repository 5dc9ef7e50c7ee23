/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_datagram.c
 * @brief The C driver's datagram family: WskSendTo / WskReceiveFrom on IPv4 and IPv6
 * (addresses, message boundaries, empty datagrams), SIO_WSK_SET_REMOTE_ADDRESS,
 * WskSendMessages, WskReceiveFromEvent (consume, retain + WskRelease,
 * STATUS_DATA_NOT_ACCEPTED disabling the event), and a UDP listen socket's bind.
 */
#include "km_c_support.h"

/* Sends `length` bytes of b to `to` (NULL: the fixed remote address). */
static BOOLEAN KtSendTo(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PKT_BUF b, ULONG length,
                        KT_ADDR* to) {
  WSK_BUF wb;
  NTSTATUS st;
  wb.Mdl = length == 0 ? NULL : b->Mdl;
  wb.Offset = 0;
  wb.Length = length;
  KtArm(r);
  st = KT_DGRAM(s)->WskSendTo(s, &wb, 0, to == NULL ? NULL : &to->Sa, 0, NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskSendTo IoStatus.Status", r->Irp->IoStatus.Status, STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != length) {
    KtFailEq(c, line, "WskSendTo Information", (LONGLONG)r->Irp->IoStatus.Information, length);
    return FALSE;
  }
  return TRUE;
}

/* Receives one datagram and checks its bytes and (if given) its sender's port. */
static BOOLEAN KtRecvFrom(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PKT_BUF b,
                          const char* expected, ULONG length, const KT_ADDR* from) {
  WSK_BUF wb;
  KT_ADDR remote;
  ULONG control_flags = 0xFFFFFFFFu;
  NTSTATUS st;
  wb.Mdl = b->Mdl;
  wb.Offset = 0;
  wb.Length = b->Size;
  RtlZeroMemory(&remote, sizeof(remote));
  KtArm(r);
  st = KT_DGRAM(s)->WskReceiveFrom(s, &wb, 0, &remote.Sa, NULL, NULL, &control_flags, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "WskReceiveFrom IoStatus.Status", r->Irp->IoStatus.Status,
                 STATUS_SUCCESS);
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != length) {
    KtFailEq(c, line, "WskReceiveFrom Information", (LONGLONG)r->Irp->IoStatus.Information, length);
    return FALSE;
  }
  if (length != 0 && RtlCompareMemory(b->Va, expected, length) != length) {
    KtFailText(c, line, "the datagram's bytes differ from what was sent");
    return FALSE;
  }
  if (from != NULL && (remote.Sa.sa_family != from->Sa.sa_family ||
                       KtPort(&remote) != KtPort(from) || !KtIsLoopback(&remote))) {
    KtFailEq(c, line, "sender port reported by WskReceiveFrom", KtPort(&remote), KtPort(from));
    return FALSE;
  }
  if (control_flags != 0) {
    KtFailEq(c, line, "WskReceiveFrom ControlFlags", control_flags, 0);
    return FALSE;
  }
  return TRUE;
}

#define KT_SEND_TO(c, r, s, b, len, to) \
  KT_OK(c, KtSendTo((c), __LINE__, (r), (s), (b), (len), (to)))
#define KT_RECV_FROM(c, r, s, b, exp, len, from) \
  KT_OK(c, KtRecvFrom((c), __LINE__, (r), (s), (b), (exp), (len), (from)))

/* A datagram socket bound to loopback:0, with its address. */
static BOOLEAN KtUdp(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PVOID ctx,
                     const WSK_CLIENT_DATAGRAM_DISPATCH* dispatch, PWSK_SOCKET* s, KT_ADDR* addr) {
  KT_ADDR any;
  KtLoopback(&any, family, 0);
  return KtOpen(c, line, r, family, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, ctx,
                dispatch, s) &&
         KtBind(c, line, r, *s, &any.Sa) &&
         KtLocal(c, line, r, *s, WSK_FLAG_DATAGRAM_SOCKET, &addr->Sa);
}

#define KT_UDP(c, r, fam, ctx, disp, s, addr) \
  KT_OK(c, KtUdp((c), __LINE__, (r), (fam), (ctx), (disp), (s), (addr)))

static int KtDatagram(char* msg, unsigned int cap, ADDRESS_FAMILY family) {
  KT_CASE c;
  PKT_REQ r, recv;
  PKT_BUF b, in;
  PWSK_SOCKET a = NULL, s = NULL;
  KT_ADDR aa, sa;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  if (!KtFamilyAvailable(&c, family)) {
    return KtCaseEnd(&c);
  }
  r = KtReq(&c);
  recv = KtReq(&c);
  b = KtBuf(&c, 64);
  in = KtBuf(&c, 64);
  KT_CHECK(&c, r != NULL && recv != NULL && b != NULL && in != NULL);
  KT_UDP(&c, r, family, NULL, NULL, &a, &aa);
  KT_UDP(&c, r, family, NULL, NULL, &s, &sa);
  KT_CHECK(&c, KtPort(&aa) != 0 && KtPort(&sa) != 0 && KtPort(&aa) != KtPort(&sa));
  /* A receive posted first waits for the datagram. */
  {
    WSK_BUF wb;
    KT_ADDR remote;
    wb.Mdl = in->Mdl;
    wb.Offset = 0;
    wb.Length = 64;
    KtArm(recv);
    st = KT_DGRAM(s)->WskReceiveFrom(s, &wb, 0, &remote.Sa, NULL, NULL, NULL, recv->Irp);
    KT_CHECK(&c, !KtCompletedWithin(recv, KT_QUIET_MS));
    RtlCopyMemory(b->Va, "PING", 4);
    KT_SEND_TO(&c, r, a, b, 4, &sa);
    KT_DONE(&c, recv, st);
    KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_SUCCESS);
    KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, 4);
    KT_CHECK(&c, RtlCompareMemory(in->Va, "PING", 4) == 4);
    KT_CHECK_EQ(&c, KtPort(&remote), KtPort(&aa));
    /* The sender's address is good for the reply. */
    RtlCopyMemory(b->Va, "PONG", 4);
    KT_SEND_TO(&c, r, s, b, 4, &remote);
    KT_RECV_FROM(&c, r, a, in, "PONG", 4, &sa);
  }
  /* Boundaries are kept; an empty datagram arrives as SUCCESS/0 with its sender. */
  RtlCopyMemory(b->Va, "122", 3);
  KT_SEND_TO(&c, r, a, b, 1, &sa);
  RtlCopyMemory(b->Va, "22", 2);
  KT_SEND_TO(&c, r, a, b, 2, &sa);
  KT_SEND_TO(&c, r, a, b, 0, &sa);
  KT_RECV_FROM(&c, r, s, in, "1", 1, &aa);
  KT_RECV_FROM(&c, r, s, in, "22", 2, &aa);
  KT_RECV_FROM(&c, r, s, in, "", 0, &aa);
Exit:
  return KtCaseEnd(&c);
}

int KtDatagramIpv4(char* msg, unsigned int cap) { return KtDatagram(msg, cap, AF_INET); }

int KtDatagramIpv6(char* msg, unsigned int cap) { return KtDatagram(msg, cap, AF_INET6); }

static BOOLEAN KtSetRemote(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, KT_ADDR* to) {
  NTSTATUS st;
  KtArm(r);
  st = KT_BASIC(s)->WskControlSocket(s, WskIoctl, SIO_WSK_SET_REMOTE_ADDRESS, 0,
                                     to == NULL ? 0 : sizeof(SOCKADDR_IN),
                                     to == NULL ? NULL : &to->Sa, 0, NULL, NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Status != STATUS_SUCCESS) {
    KtFailStatus(c, line, "SIO_WSK_SET_REMOTE_ADDRESS IoStatus.Status", r->Irp->IoStatus.Status,
                 STATUS_SUCCESS);
    return FALSE;
  }
  return TRUE;
}

/* SIO_WSK_SET_REMOTE_ADDRESS: sends need no address, and datagrams from anyone else
 * are dropped. Clearing it makes an address necessary again. */
int KtDatagramRemoteAddress(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  PKT_BUF b, in;
  PWSK_SOCKET a = NULL, s = NULL, x = NULL;
  KT_ADDR aa, sa, xa;
  WSK_BUF wb;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, 16);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, r != NULL && b != NULL && in != NULL);
  KT_UDP(&c, r, AF_INET, NULL, NULL, &a, &aa);
  KT_UDP(&c, r, AF_INET, NULL, NULL, &s, &sa);
  KT_UDP(&c, r, AF_INET, NULL, NULL, &x, &xa);
  KT_OK(&c, KtSetRemote(&c, __LINE__, r, a, &sa));
  KT_OK(&c, KtSetRemote(&c, __LINE__, r, s, &aa));
  RtlCopyMemory(b->Va, "X", 1);
  KT_SEND_TO(&c, r, x, b, 1, &sa); /* from a stranger: dropped */
  RtlCopyMemory(b->Va, "Y", 1);
  KT_SEND_TO(&c, r, a, b, 1, NULL); /* no address: goes to the fixed remote */
  KT_RECV_FROM(&c, r, s, in, "Y", 1, &aa);
  /* Cleared: a send without an address fails. */
  KT_OK(&c, KtSetRemote(&c, __LINE__, r, a, NULL));
  wb.Mdl = b->Mdl;
  wb.Offset = 0;
  wb.Length = 1;
  KtArm(r);
  KT_DONE(&c, r, KT_DGRAM(a)->WskSendTo(a, &wb, 0, NULL, 0, NULL, r->Irp));
  KT_CHECK(&c, !NT_SUCCESS(r->Irp->IoStatus.Status));
Exit:
  return KtCaseEnd(&c);
}

int KtDatagramSendMessages(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  PKT_BUF b1, b2, in;
  PWSK_SOCKET a = NULL, s = NULL;
  KT_ADDR aa, sa;
  WSK_BUF_LIST l1, l2;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b1 = KtBuf(&c, 5);
  b2 = KtBuf(&c, 7);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, r != NULL && b1 != NULL && b2 != NULL && in != NULL);
  KT_UDP(&c, r, AF_INET, NULL, NULL, &a, &aa);
  KT_UDP(&c, r, AF_INET, NULL, NULL, &s, &sa);
  RtlCopyMemory(b1->Va, "first", 5);
  RtlCopyMemory(b2->Va, "second!", 7);
  l1.Next = &l2;
  l1.Buffer.Mdl = b1->Mdl;
  l1.Buffer.Offset = 0;
  l1.Buffer.Length = 5;
  l2.Next = NULL;
  l2.Buffer.Mdl = b2->Mdl;
  l2.Buffer.Offset = 0;
  l2.Buffer.Length = 7;
  KtArm(r);
  KT_DONE(&c, r, KT_DGRAM(a)->WskSendMessages(a, &l1, 0, &sa.Sa, 0, NULL, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  KT_RECV_FROM(&c, r, s, in, "first", 5, &aa);
  KT_RECV_FROM(&c, r, s, in, "second!", 7, &aa);
Exit:
  return KtCaseEnd(&c);
}

typedef struct _KT_DGRAM_CTX {
  KSPIN_LOCK Lock;
  KEVENT Received;
  volatile LONG Calls;
  volatile LONG Nulls;
  NTSTATUS Verdict; /* for the next call, then STATUS_SUCCESS */
  PWSK_DATAGRAM_INDICATION Retained;
  KT_ADDR From;
  ULONG DataLength;
  UCHAR Data[64];
} KT_DGRAM_CTX;

static NTSTATUS WSKAPI KtOnReceiveFrom(PVOID SocketContext, ULONG Flags,
                                       PWSK_DATAGRAM_INDICATION DataIndication) {
  KT_DGRAM_CTX* k = (KT_DGRAM_CTX*)SocketContext;
  NTSTATUS verdict;
  KIRQL irql;
  UNREFERENCED_PARAMETER(Flags);
  if (DataIndication == NULL) {
    InterlockedIncrement(&k->Nulls);
    KeSetEvent(&k->Received, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
  }
  KeAcquireSpinLock(&k->Lock, &irql);
  verdict = k->Verdict;
  k->Verdict = STATUS_SUCCESS;
  if (verdict == STATUS_PENDING) {
    k->Retained = DataIndication;
  } else if (verdict == STATUS_SUCCESS) {
    /* One datagram per indication here; keep the first of the list. */
    k->DataLength = KtCopyWskBuf(&DataIndication->Buffer, k->Data, sizeof(k->Data));
    RtlZeroMemory(&k->From, sizeof(k->From));
    if (DataIndication->RemoteAddress != NULL) {
      RtlCopyMemory(&k->From, DataIndication->RemoteAddress,
                    DataIndication->RemoteAddress->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6)
                                                                         : sizeof(SOCKADDR_IN));
    }
  }
  KeReleaseSpinLock(&k->Lock, irql);
  InterlockedIncrement(&k->Calls);
  KeSetEvent(&k->Received, IO_NO_INCREMENT, FALSE);
  return verdict;
}

static const WSK_CLIENT_DATAGRAM_DISPATCH KtDgramEvents = {KtOnReceiveFrom};

int KtReceiveFromEvent(char* msg, unsigned int cap) {
  KT_CASE c;
  KT_DGRAM_CTX* k = (KT_DGRAM_CTX*)KtAlloc(sizeof(KT_DGRAM_CTX));
  PKT_REQ r;
  PKT_BUF b, in;
  PWSK_SOCKET a = NULL, s = NULL;
  KT_ADDR aa, sa;
  UCHAR copy[16];
  ULONG got;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  b = KtBuf(&c, 16);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, k != NULL && r != NULL && b != NULL && in != NULL);
  KeInitializeSpinLock(&k->Lock);
  KeInitializeEvent(&k->Received, SynchronizationEvent, FALSE);
  k->Verdict = STATUS_SUCCESS;
  KT_UDP(&c, r, AF_INET, NULL, NULL, &a, &aa);
  KT_UDP(&c, r, AF_INET, k, &KtDgramEvents, &s, &sa);
  KT_CHECK_STATUS(&c, KtSetEvents(s, WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
  /* Consumed in the callback, with the sender's address. */
  RtlCopyMemory(b->Va, "ev1", 3);
  KT_SEND_TO(&c, r, a, b, 3, &sa);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->Calls), 1);
  KT_CHECK_EQ(&c, k->DataLength, 3);
  KT_CHECK(&c, RtlCompareMemory(k->Data, "ev1", 3) == 3);
  KT_CHECK_EQ(&c, KtPort(&k->From), KtPort(&aa));
  /* Retained with STATUS_PENDING, read after the callback, released. */
  {
    KIRQL irql;
    KeAcquireSpinLock(&k->Lock, &irql);
    k->Verdict = STATUS_PENDING;
    KeReleaseSpinLock(&k->Lock, irql);
  }
  RtlCopyMemory(b->Va, "ev2", 3);
  KT_SEND_TO(&c, r, a, b, 3, &sa);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK(&c, k->Retained != NULL);
  got = KtCopyWskBuf(&k->Retained->Buffer, copy, sizeof(copy));
  KT_CHECK_EQ(&c, got, 3);
  KT_CHECK(&c, RtlCompareMemory(copy, "ev2", 3) == 3);
  KT_CHECK_STATUS(&c, KT_DGRAM(s)->WskRelease(s, k->Retained), STATUS_SUCCESS);
  k->Retained = NULL;
  /* Refused: with SO_WSK_EVENT_CALLBACK the event turns itself off, and the datagrams
   * wait for WskReceiveFrom. */
  {
    KIRQL irql;
    KeAcquireSpinLock(&k->Lock, &irql);
    k->Verdict = STATUS_DATA_NOT_ACCEPTED;
    KeReleaseSpinLock(&k->Lock, irql);
  }
  RtlCopyMemory(b->Va, "ev3", 3);
  KT_SEND_TO(&c, r, a, b, 3, &sa);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->Calls), 3);
  RtlCopyMemory(b->Va, "ev4", 3);
  KT_SEND_TO(&c, r, a, b, 3, &sa);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_QUIET_MS), STATUS_TIMEOUT);
  KT_CHECK_EQ(&c, KtRead(&k->Calls), 3);
  KT_RECV_FROM(&c, r, s, in, "ev3", 3, &aa);
  KT_RECV_FROM(&c, r, s, in, "ev4", 3, &aa);
  /* Enabled again, indications resume. */
  KT_CHECK_STATUS(&c, KtSetEvents(s, WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
  RtlCopyMemory(b->Va, "ev5", 3);
  KT_SEND_TO(&c, r, a, b, 3, &sa);
  KT_CHECK_STATUS(&c, KtWaitEvent(&k->Received, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&k->Calls), 4);
  KT_CHECK(&c, RtlCompareMemory(k->Data, "ev5", 3) == 3);
  KT_CHECK_EQ(&c, KtRead(&k->Nulls), 0);
Exit:
  if (k != NULL && k->Retained != NULL && s != NULL) {
    (void)KT_DGRAM(s)->WskRelease(s, k->Retained);
  }
  (void)KtCaseEnd(&c);
  KtFree(k);
  return c.Result;
}

/* A UDP socket in the listen category: created, but its bind is not implemented
 * (Windows-verified). */
int KtDatagramListenBind(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  PWSK_SOCKET s = NULL;
  KT_ADDR a;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL);
  KT_OPEN(&c, r, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &s);
  KtLoopback(&a, AF_INET, 0);
  KtArm(r);
  KT_DONE(&c, r, KT_LISTENER(s)->WskBind(s, &a.Sa, 0, r->Irp));
  KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_NOT_IMPLEMENTED);
  KT_CHECK_EQ(&c, r->Irp->IoStatus.Information, 0);
  KT_CLOSE(&c, r, s);
Exit:
  return KtCaseEnd(&c);
}
