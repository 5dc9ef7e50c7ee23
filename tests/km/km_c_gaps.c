/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_gaps.c
 * @brief The C driver's cases for the gaps of Wine's user-mode WSK that the reference
 * lists and the other families do not already cover: several WskAccept IRPs pending on
 * one listener, WskCloseSocket on a connected socket being abortive, and completion
 * routines that call back into WSK (re-issuing the same IRP with IoReuseIrp from inside
 * the routine) without deadlock.
 */
#include "km_c_support.h"

static const WSK_CLIENT_LISTEN_DISPATCH KtGapListen = {NULL, NULL, NULL};

#define KT_ACCEPTS 3

/* Three WskAccept IRPs pending at once; three clients; three distinct sockets. */
_Use_decl_annotations_ int KtMultipleAccepts(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r, accept[KT_ACCEPTS];
  PWSK_SOCKET listener = NULL, client[KT_ACCEPTS];
  NTSTATUS st[KT_ACCEPTS];
  KT_ADDR addr, any;
  ULONG i, j;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL);
  for (i = 0; i < KT_ACCEPTS; ++i) {
    accept[i] = KtReq(&c);
    client[i] = NULL;
    KT_CHECK(&c, accept[i] != NULL);
  }
  KT_LISTEN(&c, r, AF_INET, NULL, &KtGapListen, &listener, &addr.Sa);
  for (i = 0; i < KT_ACCEPTS; ++i) {
    KtArm(accept[i]);
    st[i] = KT_LISTENER(listener)->WskAccept(listener, 0, NULL, NULL, NULL, NULL, accept[i]->Irp);
    KT_CHECK_STATUS(&c, st[i], STATUS_PENDING);
  }
  KtWildcard(&any, AF_INET);
  for (i = 0; i < KT_ACCEPTS; ++i) {
    KT_OPEN(&c, r, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
            &client[i]);
    KT_BIND(&c, r, client[i], &any.Sa);
    KtArm(r);
    KT_DONE(&c, r, KT_CONN(client[i])->WskConnect(client[i], &addr.Sa, 0, r->Irp));
    KT_CHECK_STATUS(&c, r->Irp->IoStatus.Status, STATUS_SUCCESS);
  }
  for (i = 0; i < KT_ACCEPTS; ++i) {
    KT_DONE(&c, accept[i], st[i]);
    KT_CHECK_STATUS(&c, accept[i]->Irp->IoStatus.Status, STATUS_SUCCESS);
    KT_CHECK(&c, accept[i]->Irp->IoStatus.Information != 0);
    KtAdopt(&c, (PWSK_SOCKET)accept[i]->Irp->IoStatus.Information);
    for (j = 0; j < i; ++j) {
      KT_CHECK(&c, accept[j]->Irp->IoStatus.Information != accept[i]->Irp->IoStatus.Information);
    }
  }
Exit:
  return KtCaseEnd(&c);
}

/* WskCloseSocket on a connected socket that was not disconnected is abortive: the peer's
 * pending receive ends with STATUS_CONNECTION_RESET, not with a graceful 0 bytes. */
_Use_decl_annotations_ int KtCloseIsAbortive(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r, recv;
  PKT_BUF in;
  PWSK_SOCKET client = NULL, server = NULL;
  WSK_BUF wb;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  recv = KtReq(&c);
  in = KtBuf(&c, 16);
  KT_CHECK(&c, r != NULL && recv != NULL && in != NULL);
  KT_PAIR(&c, r, AF_INET, &client, &server);
  wb.Mdl = in->Mdl;
  wb.Offset = 0;
  wb.Length = 16;
  KtArm(recv);
  st = KT_CONN(server)->WskReceive(server, &wb, 0, recv->Irp);
  KT_CHECK(&c, !KtCompletedWithin(recv, KT_QUIET_MS));
  KT_CLOSE(&c, r, client);
  KT_DONE(&c, recv, st);
  KT_CHECK_STATUS(&c, recv->Irp->IoStatus.Status, STATUS_CONNECTION_RESET);
  KT_CHECK_EQ(&c, recv->Irp->IoStatus.Information, 0);
Exit:
  return KtCaseEnd(&c);
}

/* A receive whose completion routine re-issues itself on the same IRP (IoReuseIrp and
 * WskReceive from inside the routine, as a streaming driver does) until it has seen
 * three messages; each re-issue may complete inline, on the completing thread. */
typedef struct _KT_LOOP {
  PWSK_SOCKET Socket;
  PIRP Irp;
  PKT_BUF Buf;
  KEVENT Done;
  volatile LONG Received; /* completions with data */
  volatile LONG Bytes;
  volatile LONG Failed; /* a non-success completion */
  volatile LONG Depth;  /* routines on the stack right now */
  volatile LONG MaxDepth;
  NTSTATUS LastStatus;
} KT_LOOP;

static IO_COMPLETION_ROUTINE KtLoopComplete;

static VOID KtLoopIssue(KT_LOOP* l) {
  WSK_BUF wb;
  wb.Mdl = l->Buf->Mdl;
  wb.Offset = 0;
  wb.Length = l->Buf->Size;
  IoReuseIrp(l->Irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(l->Irp, KtLoopComplete, l, TRUE, TRUE, TRUE);
  (void)KT_CONN(l->Socket)->WskReceive(l->Socket, &wb, 0, l->Irp);
}

_Use_decl_annotations_ static NTSTATUS KtLoopComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                      PVOID Context) {
  KT_LOOP* l = (KT_LOOP*)Context;
  LONG depth = InterlockedIncrement(&l->Depth);
  UNREFERENCED_PARAMETER(DeviceObject);
  if (depth > KtRead(&l->MaxDepth)) {
    InterlockedExchange(&l->MaxDepth, depth);
  }
  l->LastStatus = Irp->IoStatus.Status;
  if (Irp->IoStatus.Status != STATUS_SUCCESS || Irp->IoStatus.Information == 0) {
    InterlockedIncrement(&l->Failed);
    KeSetEvent(&l->Done, IO_NO_INCREMENT, FALSE);
  } else {
    InterlockedExchangeAdd(&l->Bytes, (LONG)Irp->IoStatus.Information);
    if (InterlockedIncrement(&l->Received) < 3 && KtRead(&l->Bytes) < 3 * 4) {
      KtLoopIssue(l); /* the IRP is ours again: re-issue it from inside the routine */
    } else {
      KeSetEvent(&l->Done, IO_NO_INCREMENT, FALSE);
    }
  }
  InterlockedDecrement(&l->Depth);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

_Use_decl_annotations_ int KtReentrantCompletion(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r, loop_req;
  PKT_BUF out, in;
  PWSK_SOCKET client = NULL, server = NULL;
  KT_LOOP* l = (KT_LOOP*)KtAlloc(sizeof(KT_LOOP));
  ULONG i;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  loop_req = KtReq(&c);
  out = KtBuf(&c, 4);
  in = KtBuf(&c, 4);
  KT_CHECK(&c, l != NULL && r != NULL && loop_req != NULL && out != NULL && in != NULL);
  KT_PAIR(&c, r, AF_INET, &client, &server);
  l->Socket = server;
  l->Irp = loop_req->Irp;
  l->Buf = in;
  KeInitializeEvent(&l->Done, NotificationEvent, FALSE);
  KtLoopIssue(l);
  /* Each message waits for the previous one to be taken, so each completes on its own. */
  for (i = 0; i < 3; ++i) {
    LONG before = KtRead(&l->Bytes);
    ULONG waited;
    RtlCopyMemory(out->Va, "ping", 4);
    KT_SEND(&c, r, client, out, 0, 4, 0);
    for (waited = 0;
         KtRead(&l->Bytes) < before + 4 && KtRead(&l->Failed) == 0 && waited < KT_WAIT_MS;
         waited += 10) {
      LARGE_INTEGER tick;
      tick.QuadPart = -10000LL * 10;
      KeDelayExecutionThread(KernelMode, FALSE, &tick);
    }
    KT_CHECK_EQ(&c, KtRead(&l->Failed), 0);
    KT_CHECK_EQ(&c, KtRead(&l->Bytes), before + 4);
  }
  KT_CHECK_STATUS(&c, KtWaitEvent(&l->Done, KT_WAIT_MS), STATUS_SUCCESS);
  KT_CHECK_EQ(&c, KtRead(&l->Received), 3);
  KT_CHECK_EQ(&c, KtRead(&l->Failed), 0);
  KT_CHECK(&c, KtRead(&l->MaxDepth) >= 1);
Exit:
  /* The loop's IRP is not tracked by KtDone; closing the server ends a pending receive,
   * whose routine then stops the loop. */
  (void)KtCaseEnd(&c);
  if (l != NULL && KtRead(&l->Received) < 3 && KtRead(&l->Failed) == 0 && l->Irp != NULL) {
    (void)KtWaitEvent(&l->Done, KT_WAIT_MS);
  }
  KtFree(l);
  return c.Result;
}
