/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_support.h
 * @brief Shared pieces of the kernel-style C test driver: the driver's books
 * (counted IRPs, MDLs, pool, sockets), the IRP-with-event pattern every WSK client
 * writes, the checks, and the per-case cleanup.
 *
 * This is kernel code: it includes only the WDK-named headers of wskport::km, calls
 * only kernel routines, and formats messages with ntstrsafe.
 */
#ifndef WSKPORT_TESTS_KM_C_SUPPORT_H
#define WSKPORT_TESTS_KM_C_SUPPORT_H

#include <mstcpip.h>
#include <ntddk.h>
#include <ntstrsafe.h>
#include <wsk.h>

#include "km_test_cases.h"

#define KT_TAG 'tCkW'

/* Every wait in the driver is bounded by one of these (milliseconds). */
#define KT_WAIT_MS 5000
/* A negative check ("this IRP did NOT complete yet") looks this long. */
#define KT_QUIET_MS 100

/* The driver's books, checked by DriverUnload. Updated with Interlocked* because
 * completion routines and event callbacks run on provider threads. */
typedef struct _KT_BOOKS {
  volatile LONG IrpsAllocated;
  volatile LONG IrpsFreed;
  volatile LONG MdlsAllocated;
  volatile LONG MdlsFreed;
  volatile LONG PoolAllocated;
  volatile LONG PoolFreed;
  volatile LONG SocketsOpened;
  volatile LONG SocketsClosed;
  volatile LONG Completions; /* global completion sequence (orders completions) */
} KT_BOOKS;

typedef struct _KT_DRIVER {
  WSK_CLIENT_DISPATCH ClientDispatch;
  WSK_CLIENT_NPI ClientNpi;
  WSK_REGISTRATION Registration;
  WSK_PROVIDER_NPI Npi;
  BOOLEAN Registered;
  BOOLEAN Captured;
  BOOLEAN Ipv6Loopback; /* probed in DriverEntry: can a socket bind ::1? */
  KT_BOOKS Books;
} KT_DRIVER;

extern KT_DRIVER KtDriver;
/* NPI_WSK_INTERFACE_ID, copied in DriverEntry (see KtSetEvents). */
extern NPIID KtNpiWskInterfaceId;
/* The host quirks the harness reported (KM_TEST_QUIRK_*). */
extern unsigned int KtQuirks;

/* ---- one IRP with its completion event ---------------------------------------- */

typedef struct _KT_REQ {
  PIRP Irp;
  KEVENT Event;
  volatile LONG Completions; /* how many times the completion routine ran */
  LONG Expected;             /* how many calls were issued on this IRP */
  volatile LONG Sequence;    /* KtDriver.Books.Completions value at the last completion */
} KT_REQ, *PKT_REQ;

/* ---- a buffer in non-paged pool with its MDL ------------------------------------ */

typedef struct _KT_BUF {
  PUCHAR Va;
  ULONG Size;
  PMDL Mdl;
} KT_BUF, *PKT_BUF;

/* ---- a case: its message and what it must release -------------------------------- */

#define KT_MAX_SOCKETS 16
#define KT_MAX_REQS 16
#define KT_MAX_BUFS 16

typedef struct _KT_CASE {
  char* Msg;
  ULONG Cap;
  int Result; /* KM_TEST_* */
  PWSK_SOCKET Sockets[KT_MAX_SOCKETS];
  PKT_REQ Reqs[KT_MAX_REQS];
  PKT_BUF Bufs[KT_MAX_BUFS];
} KT_CASE, *PKT_CASE;

void KtCaseBegin(PKT_CASE c, char* msg, unsigned int cap);
/* Closes what is still open, waits (bounded) for every issued IRP, frees IRPs, MDLs and
 * pool, and returns the case's KM_TEST_* result. */
int KtCaseEnd(PKT_CASE c);
void KtSkip(PKT_CASE c, const char* reason);

/* Records the first failure; later ones are dropped (the first is the cause). */
void KtFailText(PKT_CASE c, int line, const char* text);
void KtFailEq(PKT_CASE c, int line, const char* expr, LONGLONG actual, LONGLONG expected);
void KtFailStatus(PKT_CASE c, int line, const char* expr, NTSTATUS actual, NTSTATUS expected);

#define KT_CHECK(c, cond)               \
  do {                                  \
    if (!(cond)) {                      \
      KtFailText((c), __LINE__, #cond); \
      goto Exit;                        \
    }                                   \
  } while (0)

#define KT_CHECK_EQ(c, actual, expected)                               \
  do {                                                                 \
    LONGLONG kt_a_ = (LONGLONG)(actual), kt_e_ = (LONGLONG)(expected); \
    if (kt_a_ != kt_e_) {                                              \
      KtFailEq((c), __LINE__, #actual, kt_a_, kt_e_);                  \
      goto Exit;                                                       \
    }                                                                  \
  } while (0)

#define KT_CHECK_STATUS(c, actual, expected)              \
  do {                                                    \
    NTSTATUS kt_a_ = (actual), kt_e_ = (expected);        \
    if (kt_a_ != kt_e_) {                                 \
      KtFailStatus((c), __LINE__, #actual, kt_a_, kt_e_); \
      goto Exit;                                          \
    }                                                     \
  } while (0)

/* Asserts a helper that reports its own failure (returns FALSE after KtFail*). */
#define KT_OK(c, call) \
  do {                 \
    if (!(call)) {     \
      goto Exit;       \
    }                  \
  } while (0)

/* Reads a LONG that other threads change with Interlocked* (an atomic read). */
#define KtRead(p) InterlockedCompareExchange((LONG volatile*)(p), 0, 0)

/* ---- counted allocations --------------------------------------------------------- */

PVOID KtAlloc(SIZE_T size); /* ExAllocatePool2(POOL_FLAG_NON_PAGED), zeroed */
void KtFree(PVOID p);
PKT_REQ KtReq(PKT_CASE c); /* IoAllocateIrp(1, FALSE) + event; NULL on failure */
PKT_BUF KtBuf(PKT_CASE c, ULONG size);
/* A counted MDL for [va, va+len) of an existing buffer; the caller frees it with
 * KtFreeMdl (KtBuf's MDLs are freed by KtCaseEnd). */
PMDL KtMdl(PVOID va, ULONG len);
void KtFreeMdl(PMDL mdl);

/* ---- the IRP pattern ------------------------------------------------------------- */

/* IoReuseIrp + KeClearEvent + IoSetCompletionRoutine(TRUE, TRUE, TRUE), and poisons
 * IoStatus so that an untouched IRP is recognisable. Call before every WSK call. */
void KtArm(PKT_REQ r);
/* Waits (bounded) for the call issued on r; checks it completed exactly once and that
 * the return value follows the rule (STATUS_PENDING, or an error equal to
 * IoStatus.Status). Returns FALSE after recording a failure. */
BOOLEAN KtDone(PKT_CASE c, int line, PKT_REQ r, NTSTATUS returned);
/* TRUE if r completed within ms (a negative check passes when it returns FALSE). */
BOOLEAN KtCompletedWithin(PKT_REQ r, ULONG ms);
NTSTATUS KtWaitEvent(PKEVENT e, ULONG ms);

/* For calls that must be refused without completing: returned STATUS_INVALID_PARAMETER,
 * no completion within KT_QUIET_MS, IoStatus still poisoned. */
BOOLEAN KtRefused(PKT_CASE c, int line, PKT_REQ r, NTSTATUS returned);

/* An argument error: either refused as KtRefused describes, or accepted and completed
 * once with `expected` and Information 0 (the contract: an accepted IRP completes). */
BOOLEAN KtRejected(PKT_CASE c, int line, PKT_REQ r, NTSTATUS returned, NTSTATUS expected);

#define KT_REJECTED(c, r, returned, expected) \
  KT_OK(c, KtRejected((c), __LINE__, (r), (returned), (expected)))
#define KT_REFUSED(c, r, returned) KT_OK(c, KtRefused((c), __LINE__, (r), (returned)))
#define KT_DONE(c, r, returned) KT_OK(c, KtDone((c), __LINE__, (r), (returned)))

/* ---- socket helpers (each checks SUCCESS and records its caller's line) ---------- */

/* WskSocket on a given provider NPI (another registration's). */
BOOLEAN KtOpenOn(PKT_CASE c, int line, PKT_REQ r, const WSK_PROVIDER_NPI* npi,
                 ADDRESS_FAMILY family, USHORT type, ULONG protocol, ULONG flags, PVOID context,
                 const VOID* dispatch, PWSK_SOCKET* out);
BOOLEAN KtOpen(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, USHORT type, ULONG protocol,
               ULONG flags, PVOID context, const VOID* dispatch, PWSK_SOCKET* out);
BOOLEAN KtBind(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PSOCKADDR addr);
/* WskGetLocalAddress sits at a different place in each category's table. */
BOOLEAN KtLocal(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, ULONG category, PSOCKADDR out);
BOOLEAN KtClose(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s);
/* Adopts a socket the provider created (accept, WskSocketConnect, an accept event). */
void KtAdopt(PKT_CASE c, PWSK_SOCKET s);
/* Listener on loopback:0 (bind starts listening) + its address. */
BOOLEAN KtListen(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PVOID context,
                 const WSK_CLIENT_LISTEN_DISPATCH* dispatch, PWSK_SOCKET* out, PSOCKADDR addr);
/* A connected pair: client (connection socket bound to the wildcard, connected to a
 * fresh listener) and the server side from WskAccept. The listener is closed. */
BOOLEAN KtPair(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PWSK_SOCKET* client,
               PWSK_SOCKET* server);
/* The same with socket contexts and client event tables for both ends. */
BOOLEAN KtPairEx(PKT_CASE c, int line, PKT_REQ r, ADDRESS_FAMILY family, PVOID client_ctx,
                 const WSK_CLIENT_CONNECTION_DISPATCH* client_dispatch, PVOID server_ctx,
                 const WSK_CLIENT_CONNECTION_DISPATCH* server_dispatch, PWSK_SOCKET* client,
                 PWSK_SOCKET* server);
BOOLEAN KtSend(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PKT_BUF b, ULONG offset,
               ULONG length, ULONG flags);
/* Receives until exactly `length` bytes arrived (WAITALL) and compares them. */
BOOLEAN KtRecvExact(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, PKT_BUF b,
                    const UCHAR* expected, ULONG length);

#define KT_OPEN(c, r, fam, type, proto, flags, ctx, disp, out) \
  KT_OK(c, KtOpen((c), __LINE__, (r), (fam), (type), (proto), (flags), (ctx), (disp), (out)))
#define KT_BIND(c, r, s, addr) KT_OK(c, KtBind((c), __LINE__, (r), (s), (addr)))
#define KT_LOCAL(c, r, s, cat, out) KT_OK(c, KtLocal((c), __LINE__, (r), (s), (cat), (out)))
#define KT_CLOSE(c, r, s) KT_OK(c, KtClose((c), __LINE__, (r), (s)))
#define KT_LISTEN(c, r, fam, ctx, disp, out, addr) \
  KT_OK(c, KtListen((c), __LINE__, (r), (fam), (ctx), (disp), (out), (addr)))
#define KT_PAIR(c, r, fam, cl, sv) KT_OK(c, KtPair((c), __LINE__, (r), (fam), (cl), (sv)))
#define KT_PAIR_EX(c, r, fam, cctx, cdisp, sctx, sdisp, cl, sv) \
  KT_OK(c, KtPairEx((c), __LINE__, (r), (fam), (cctx), (cdisp), (sctx), (sdisp), (cl), (sv)))
#define KT_SEND(c, r, s, b, off, len, fl) \
  KT_OK(c, KtSend((c), __LINE__, (r), (s), (b), (off), (len), (fl)))
#define KT_RECV_EXACT(c, r, s, b, exp, len) \
  KT_OK(c, KtRecvExact((c), __LINE__, (r), (s), (b), (exp), (len)))

/* Dispatch tables by category (C sees the Basic members anonymously). */
#define KT_CONN(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH*)(s)->Dispatch)
#define KT_LISTENER(s) ((const WSK_PROVIDER_LISTEN_DISPATCH*)(s)->Dispatch)
#define KT_DGRAM(s) ((const WSK_PROVIDER_DATAGRAM_DISPATCH*)(s)->Dispatch)
#define KT_STREAM(s) ((const WSK_PROVIDER_STREAM_DISPATCH*)(s)->Dispatch)
#define KT_BASIC(s) ((const WSK_PROVIDER_BASIC_DISPATCH*)(s)->Dispatch)

/* ---- addresses ------------------------------------------------------------------- */

typedef union _KT_ADDR {
  SOCKADDR Sa;
  SOCKADDR_IN V4;
  SOCKADDR_IN6 V6;
} KT_ADDR;

void KtLoopback(KT_ADDR* a, ADDRESS_FAMILY family, USHORT port_host_order);
void KtWildcard(KT_ADDR* a, ADDRESS_FAMILY family);
USHORT KtPort(const KT_ADDR* a); /* host order */
BOOLEAN KtIsLoopback(const KT_ADDR* a);
void KtFill(PKT_BUF b, UCHAR seed);
/* Skips the case (FALSE) when family is IPv6 and the host has no ::1. */
BOOLEAN KtFamilyAvailable(PKT_CASE c, ADDRESS_FAMILY family);

/* Enables (or with WSK_EVENT_DISABLE, disables) events without an IRP. */
NTSTATUS KtSetEvents(PWSK_SOCKET s, ULONG mask);
/* WskControlSocket set/get of a ULONG option with an IRP. */
BOOLEAN KtSetOpt(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, ULONG level, ULONG option,
                 ULONG value, NTSTATUS expected);
BOOLEAN KtGetOpt(PKT_CASE c, int line, PKT_REQ r, PWSK_SOCKET s, ULONG level, ULONG option,
                 ULONG* value);

/* ---- event contexts (km_c_events.c) ---------------------------------------------- */

/* A listening socket's context for WskAcceptEvent. */
typedef struct _KT_LISTEN_CTX {
  KEVENT Accepted;         /* set on every call */
  volatile LONG Calls;     /* calls with a socket */
  volatile LONG NullCalls; /* calls with AcceptSocket == NULL */
  PWSK_SOCKET Socket;      /* the last accepted socket */
  KT_ADDR Local;
  KT_ADDR Remote;
  NTSTATUS Verdict;    /* what the callback returns */
  PVOID AcceptContext; /* given back for the accepted socket */
  const WSK_CLIENT_CONNECTION_DISPATCH* AcceptDispatch;
} KT_LISTEN_CTX;

/* A connection socket's context for the receive / disconnect / backlog events. */
#define KT_CONN_DATA 8192
typedef struct _KT_CONN_CTX {
  KSPIN_LOCK Lock;
  KEVENT Received; /* set on every WskReceiveEvent */
  KEVENT Disconnected;
  KEVENT Backlog;
  volatile LONG ReceiveCalls;
  volatile LONG DisconnectCalls;
  volatile LONG BacklogCalls;
  volatile LONG NullIndications;
  volatile LONG CountMismatches; /* BytesIndicated != the sum of the chain */
  ULONG DisconnectFlags;
  SIZE_T IdealBacklog;
  NTSTATUS Verdict; /* next WskReceiveEvent returns this, then STATUS_SUCCESS again */
  PWSK_DATA_INDICATION Retained;
  ULONG DataLength; /* bytes consumed so far, copied into Data */
  UCHAR Data[KT_CONN_DATA];
} KT_CONN_CTX;

void KtConnCtxInit(KT_CONN_CTX* k);
/* The verdict for the next indication and the bytes consumed so far, under k->Lock:
 * the callbacks run on provider threads. */
void KtConnSetVerdict(KT_CONN_CTX* k, NTSTATUS verdict);
ULONG KtConnLength(KT_CONN_CTX* k);
/* Waits (bounded) until the context consumed at least `length` bytes. */
BOOLEAN KtConnWaitData(KT_CONN_CTX* k, ULONG length);
extern const WSK_CLIENT_CONNECTION_DISPATCH KtConnEvents;
/* Copies a WSK_BUF's bytes (across its MDL chain) into dest; returns the count. */
ULONG KtCopyWskBuf(const WSK_BUF* b, PUCHAR dest, ULONG cap);

void KtListenCtxInit(KT_LISTEN_CTX* l, NTSTATUS verdict, PVOID accept_context,
                     const WSK_CLIENT_CONNECTION_DISPATCH* accept_dispatch);
extern const WSK_CLIENT_LISTEN_DISPATCH KtListenEvents;

/* ---- the case families ----------------------------------------------------------- */

/* km_c_runtime.c */
int KtRuntimeEvents(char* msg, unsigned int cap);
int KtRuntimeLists(char* msg, unsigned int cap);
int KtRuntimeLocks(char* msg, unsigned int cap);
int KtRuntimePoolAndLookaside(char* msg, unsigned int cap);
int KtRuntimeThreads(char* msg, unsigned int cap);
int KtRuntimeTime(char* msg, unsigned int cap);
int KtRuntimeStrings(char* msg, unsigned int cap);
int KtRuntimeIpStrings(char* msg, unsigned int cap);
int KtRuntimeStrSafe(char* msg, unsigned int cap);
int KtRuntimeDebugPrint(char* msg, unsigned int cap);
int KtRuntimeIrp(char* msg, unsigned int cap);
int KtRuntimeMdl(char* msg, unsigned int cap);
/* km_c_registration.c */
int KtRegistration(char* msg, unsigned int cap);
int KtDeregisterWaits(char* msg, unsigned int cap);
int KtStaticEventCallbacks(char* msg, unsigned int cap);
int KtNullArguments(char* msg, unsigned int cap);
int KtSocketCategories(char* msg, unsigned int cap);
int KtAddressInfo(char* msg, unsigned int cap);
int KtNameInfo(char* msg, unsigned int cap);
/* km_c_stream.c */
int KtConnectUnbound(char* msg, unsigned int cap);
int KtStreamIpv4(char* msg, unsigned int cap);
int KtStreamIpv6(char* msg, unsigned int cap);
int KtCloseCancelsAccept(char* msg, unsigned int cap);
int KtGracefulDisconnect(char* msg, unsigned int cap);
int KtAbortiveDisconnect(char* msg, unsigned int cap);
int KtWaitAll(char* msg, unsigned int cap);
int KtDrain(char* msg, unsigned int cap);
int KtMdlChains(char* msg, unsigned int cap);
int KtCancelPending(char* msg, unsigned int cap);
int KtSocketOptions(char* msg, unsigned int cap);
int KtBindErrors(char* msg, unsigned int cap);
int KtSocketConnect(char* msg, unsigned int cap);
int KtConnectEx(char* msg, unsigned int cap);
int KtStreamSocket(char* msg, unsigned int cap);
/* km_c_events.c */
int KtAcceptAndReceiveEvents(char* msg, unsigned int cap);
int KtReceiveEventRetention(char* msg, unsigned int cap);
int KtReceiveEventNotAccepted(char* msg, unsigned int cap);
int KtDisconnectEvents(char* msg, unsigned int cap);
int KtAcceptEventRejects(char* msg, unsigned int cap);
int KtSendBacklogEvent(char* msg, unsigned int cap);
/* km_c_datagram.c */
int KtDatagramIpv4(char* msg, unsigned int cap);
int KtDatagramIpv6(char* msg, unsigned int cap);
int KtDatagramRemoteAddress(char* msg, unsigned int cap);
int KtDatagramSendMessages(char* msg, unsigned int cap);
int KtReceiveFromEvent(char* msg, unsigned int cap);
int KtDatagramListenBind(char* msg, unsigned int cap);

/* km_c_nameinfo.c */
int KtNameInfoNames(char* msg, unsigned int cap);
int KtNameInfoHostsFile(char* msg, unsigned int cap);
/* km_c_inspect.c */
int KtConditionalAcceptIpv4(char* msg, unsigned int cap);
int KtConditionalAcceptIpv6(char* msg, unsigned int cap);
int KtInspectPendIpv4(char* msg, unsigned int cap);
int KtInspectPendIpv6(char* msg, unsigned int cap);

/* km_c_gaps.c */
_IRQL_requires_max_(PASSIVE_LEVEL) int KtMultipleAccepts(_Out_writes_z_(cap) char* msg,
                                                         _In_ unsigned int cap);
_IRQL_requires_max_(PASSIVE_LEVEL) int KtCloseIsAbortive(_Out_writes_z_(cap) char* msg,
                                                         _In_ unsigned int cap);
_IRQL_requires_max_(PASSIVE_LEVEL) int KtReentrantCompletion(_Out_writes_z_(cap) char* msg,
                                                             _In_ unsigned int cap);

#endif
