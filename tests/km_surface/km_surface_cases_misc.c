/* SPDX-License-Identifier: MIT */
/* SEH emulation, the addrinfo family's layout, the address constants, the 8/16-bit
 * Interlocked forms, <intrin.h>, the compat macros, the status-name table and
 * ExInitializeDriverRuntime, written as driver code. */
#include <intrin.h>
#include <mstcpip.h>
#include <ntstrsafe.h>
#include <ws2def.h>
#include <ws2ipdef.h>

#include "km_surface_check.h"

static char g_failure[512];

void km_surface_record(int line, const char* text, LONGLONG a, LONGLONG b) {
  RtlStringCbPrintfA(g_failure, sizeof(g_failure), "line %d: %s (expected %lld, got %lld)", line,
                     text, a, b);
}

const char* km_surface_failure(void) { return g_failure; }

/* ------------------------------------------------------------------- SEH ------- */

static LONG filter_calls;
static LONG record_filter(void) {
  ++filter_calls;
  return EXCEPTION_EXECUTE_HANDLER;
}

int km_surface_seh_try_except(void) {
  int body = 0;
  int handler = 0;
  int after = 0;
  NTSTATUS status = STATUS_SUCCESS;
  __try {
    body = 1;
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    handler = 1;
    status = GetExceptionCode();
  }
  CHECK_EQ(1, body);
  CHECK_EQ(0, handler);
  CHECK_EQ(STATUS_SUCCESS, status);
  /* The filter is never evaluated: nothing is raised. */
  __try {
    body = 2;
  } __except (record_filter()) {
    handler = 2;
  }
  CHECK_EQ(2, body);
  CHECK_EQ(0, filter_calls);
  /* __leave ends the body, also from inside a loop; the code after the block runs. */
  __try {
    int i;
    for (i = 0; i < 10; ++i) {
      if (i == 3) __leave;
      body = 10 + i;
    }
    body = 99;
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    handler = 3;
  }
  after = 1;
  CHECK_EQ(12, body);
  CHECK_EQ(0, handler);
  CHECK_EQ(1, after);
  return 0;
}

/* break inside a __try keeps its C meaning: it leaves the enclosing loop. */
static int loop_with_break(int* finally_runs) {
  int i;
  for (i = 0; i < 5; ++i) {
    __try {
      if (i == 2) break;
    } __finally {
      ++*finally_runs;
    }
  }
  return i;
}

int km_surface_seh_try_finally(void) {
  int trace = 0;
  int finally_runs = 0;
  __try {
    trace = trace * 10 + 1;
  } __finally {
    trace = trace * 10 + 2;
    CHECK(!AbnormalTermination());
  }
  CHECK_EQ(12, trace);
  trace = 0;
  __try {
    trace = trace * 10 + 1;
    if (trace == 1) __leave;
    trace = trace * 10 + 9; /* skipped */
  } __finally {
    trace = trace * 10 + 2;
  }
  CHECK_EQ(12, trace);
  CHECK_EQ(2, loop_with_break(&finally_runs));
  /* Iterations 0 and 1 ended normally; iteration 2 left by break, which skips the
   * __finally here (Windows would run it): the documented limitation. */
  CHECK_EQ(2, finally_runs);
  return 0;
}

int km_surface_seh_nested(void) {
  int trace = 0;
  __try {
    trace = 1;
    __try {
      trace = trace * 10 + 2;
      __leave; /* leaves the inner __try only */
    } __finally {
      trace = trace * 10 + 3;
    }
    trace = trace * 10 + 4;
    __leave; /* leaves the outer one */
  } __finally {
    trace = trace * 10 + 5;
  }
  CHECK_EQ(12345, trace);
  trace = 0;
  __try {
    __try {
      trace = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
      trace = -1;
    }
    trace = trace * 10 + 2;
  } __finally {
    trace = trace * 10 + 3;
  }
  CHECK_EQ(123, trace);
  return 0;
}

/* ------------------------------------------------------------- addrinfo -------- */

int km_surface_addrinfo_layout(void) {
  /* Windows x64's layout: ai_addrlen is a size_t, ai_canonname precedes ai_addr. */
  CHECK_EQ(0, FIELD_OFFSET(ADDRINFOA, ai_flags));
  CHECK_EQ(12, FIELD_OFFSET(ADDRINFOA, ai_protocol));
  CHECK_EQ(16, FIELD_OFFSET(ADDRINFOA, ai_addrlen));
  CHECK_EQ(sizeof(size_t), RTL_FIELD_SIZE(ADDRINFOA, ai_addrlen));
  CHECK_EQ(16 + sizeof(size_t), FIELD_OFFSET(ADDRINFOA, ai_canonname));
  CHECK_EQ(16 + 2 * sizeof(void*), FIELD_OFFSET(ADDRINFOA, ai_addr));
  CHECK_EQ(16 + 3 * sizeof(void*), FIELD_OFFSET(ADDRINFOA, ai_next));
  CHECK_EQ(16 + 4 * sizeof(void*), sizeof(ADDRINFOA));
  CHECK_EQ(sizeof(ADDRINFOA), sizeof(struct addrinfo));
  CHECK_EQ(sizeof(ADDRINFOA), sizeof(ADDRINFOW));
  CHECK_EQ(FIELD_OFFSET(ADDRINFOA, ai_addr), FIELD_OFFSET(ADDRINFOW, ai_addr));
  CHECK_EQ(FIELD_OFFSET(ADDRINFOEXW, ai_blob) + sizeof(void*),
           FIELD_OFFSET(ADDRINFOEXW, ai_bloblen));
  CHECK_EQ(FIELD_OFFSET(ADDRINFOEXW, ai_bloblen), FIELD_OFFSET(ADDRINFOEXW, ai_bufferlength));
  CHECK_EQ(16 + 6 * sizeof(void*), FIELD_OFFSET(ADDRINFOEXW, ai_next));
  CHECK_EQ(FIELD_OFFSET(ADDRINFOEX2W, ai_next) + sizeof(void*),
           FIELD_OFFSET(ADDRINFOEX2W, ai_version));
  {
    /* The conversions KSOCKET-style code does between the two families. */
    SOCKADDR_IN sin = {AF_INET, 0x5000, {{{127, 0, 0, 1}}}, {0}};
    struct addrinfo a = {0};
    ADDRINFOEXW ex = {0};
    PADDRINFOA pa = &a;
    a.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    a.ai_family = AF_INET;
    a.ai_addrlen = sizeof(sin);
    a.ai_addr = (struct sockaddr*)&sin;
    ex.ai_flags = pa->ai_flags;
    ex.ai_family = pa->ai_family;
    ex.ai_addrlen = pa->ai_addrlen;
    ex.ai_addr = pa->ai_addr;
    CHECK_EQ(0x5, ex.ai_flags);
    CHECK_EQ(16, ex.ai_addrlen);
    CHECK(((PSOCKADDR_IN)ex.ai_addr)->sin_addr.s_addr == IN4ADDR_LOOPBACK);
  }
  /* Flag values as in ws2def.h. */
  CHECK_EQ(0x100, AI_ALL);
  CHECK_EQ(0x400, AI_ADDRCONFIG);
  CHECK_EQ(0x800, AI_V4MAPPED);
  CHECK_EQ(0x80000, AI_DISABLE_IDN_ENCODING);
  CHECK_EQ(0x80000000u, AI_EXTENDED);
  CHECK_EQ(0x08, NI_NUMERICSERV);
  CHECK_EQ(1025, NI_MAXHOST);
  return 0;
}

/* ---------------------------------------------------------- address constants -- */

static SOCKADDR_IN6 g_listen = {AF_INET6, 0x479c, 0, IN6ADDR_ANY_INIT, {0}};

int km_surface_address_constants(void) {
  IN6_ADDR loopback = IN6ADDR_LOOPBACK_INIT;
  IN6_ADDR mapped = IN6ADDR_V4MAPPEDPREFIX_INIT;
  IN_ADDR v4 = IN4ADDR_LOOPBACK_INIT;
  int i;
  for (i = 0; i < 16; ++i) CHECK_EQ(0, g_listen.sin6_addr.s6_bytes[i]);
  CHECK(IN6_IS_ADDR_UNSPECIFIED(&g_listen.sin6_addr));
  CHECK(IN6_IS_ADDR_LOOPBACK(&loopback));
  CHECK(IN6_ADDR_EQUAL(&loopback, &in6addr_loopback));
  CHECK(IN6_ADDR_EQUAL(&g_listen.sin6_addr, &in6addr_any));
  CHECK_EQ(0xff, mapped.s6_bytes[10]);
  CHECK_EQ(0xff, mapped.s6_bytes[11]);
  CHECK_EQ(0, mapped.s6_bytes[12]);
  CHECK_EQ(0xff, in6addr_allnodesonlink.s6_bytes[0]);
  CHECK_EQ(0x02, in6addr_allnodesonlink.s6_bytes[1]);
  CHECK_EQ(0x01, in6addr_allnodesonlink.s6_bytes[15]);
  CHECK_EQ(0xfe, in6addr_linklocalprefix.s6_bytes[0]);
  CHECK_EQ(0x80, in6addr_linklocalprefix.s6_bytes[1]);
  CHECK_EQ(IN4ADDR_LOOPBACK, v4.s_addr);
  CHECK(IN4_IS_ADDR_LOOPBACK(&v4));
  CHECK_EQ(IN4ADDR_LOOPBACK, in4addr_loopback.s_addr);
  CHECK_EQ(INADDR_BROADCAST, in4addr_broadcast.s_addr);
  CHECK_EQ(0, in4addr_any.s_addr);
  CHECK_EQ(0xe0, in4addr_allnodesonlink.S_un.S_un_b.s_b1);
  CHECK_EQ(0, scopeid_unspecified.Value);
  CHECK_EQ(64, IN6ADDR_LINKLOCALPREFIX_LENGTH);
  return 0;
}

/* ------------------------------------------------------------ interlocked ------ */

int km_surface_interlocked_small(void) {
  CHAR c = 5;
  SHORT s = 0x7ffe;
  LONG bits[2] = {0, 0};
  LONG64 wide = 0x0f;
  CHECK_EQ(5, InterlockedExchange8(&c, 9));
  CHECK_EQ(9, InterlockedCompareExchange8(&c, 1, 8)); /* no match: unchanged */
  CHECK_EQ(9, c);
  CHECK_EQ(9, InterlockedCompareExchange8(&c, 1, 9));
  CHECK_EQ(1, c);
  CHECK_EQ(1, InterlockedOr8(&c, 6));
  CHECK_EQ(7, InterlockedAnd8(&c, 3));
  CHECK_EQ(3, InterlockedXor8(&c, 1));
  CHECK_EQ(2, InterlockedExchangeAdd8(&c, 3));
  CHECK_EQ(5, c);
  CHECK_EQ(0x7fff, InterlockedIncrement16(&s));
  CHECK_EQ(-32768, InterlockedIncrement16(&s)); /* wraps as a 16-bit value */
  CHECK_EQ(0x7fff, InterlockedDecrement16(&s));
  CHECK_EQ(0x7fff, InterlockedCompareExchange16(&s, 7, 0x7fff));
  CHECK_EQ(7, s);
  CHECK_EQ(7, InterlockedExchange16(&s, 100));
  CHECK_EQ(100, InterlockedExchangeAdd16(&s, 5));
  CHECK_EQ(105, InterlockedAnd16(&s, 0xff));
  CHECK_EQ(105, InterlockedOr16(&s, 0x100));
  CHECK_EQ(0x169, InterlockedXor16(&s, 0x1));
  CHECK_EQ(0x168, s);
  CHECK_EQ(0x0f, InterlockedXor64(&wide, 0xff));
  CHECK_EQ(0xf0, wide);
  CHECK_EQ(0, InterlockedBitTestAndSet(bits, 33));
  CHECK_EQ(1, InterlockedBitTestAndSet(bits, 33));
  CHECK_EQ(2, bits[1]);
  CHECK_EQ(1, InterlockedBitTestAndReset(bits, 33));
  CHECK_EQ(0, bits[1]);
  CHECK_EQ(0, InterlockedBitTestAndSet64(&wide, 40));
  CHECK_EQ(1, InterlockedBitTestAndReset64(&wide, 40));
  CHECK_EQ(0xf0, wide);
  /* The compiler-intrinsic spellings are the same routines. */
  CHECK_EQ(0x168, _InterlockedCompareExchange16(&s, 1, 0x168));
  CHECK_EQ(1, s);
  return 0;
}

#define KM_SURFACE_ROUNDS 20000

typedef struct _KM_SURFACE_SHARED {
  SHORT volatile Counter16;
  CHAR volatile Flags8;
  SHORT volatile Lock16;
  LONG Unprotected;
} KM_SURFACE_SHARED;

static VOID hammer(PVOID Context) {
  KM_SURFACE_SHARED* shared = (KM_SURFACE_SHARED*)Context;
  int i;
  for (i = 0; i < KM_SURFACE_ROUNDS; ++i) {
    InterlockedIncrement16(&shared->Counter16);
    InterlockedOr8(&shared->Flags8, (CHAR)(1 << (i & 3)));
    /* A 16-bit compare-exchange lock around a plain increment. */
    while (InterlockedCompareExchange16(&shared->Lock16, 1, 0) != 0) YieldProcessor();
    shared->Unprotected++;
    InterlockedExchange16(&shared->Lock16, 0);
  }
  PsTerminateSystemThread(STATUS_SUCCESS);
}

int km_surface_interlocked_two_threads(void) {
  KM_SURFACE_SHARED shared = {0, 0, 0, 0};
  HANDLE handles[2];
  PVOID threads[2];
  LARGE_INTEGER timeout;
  int i;
  for (i = 0; i < 2; ++i) {
    CHECK_EQ(STATUS_SUCCESS, PsCreateSystemThread(&handles[i], THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                                  hammer, &shared));
    CHECK_EQ(STATUS_SUCCESS, ObReferenceObjectByHandle(handles[i], THREAD_ALL_ACCESS, NULL,
                                                       KernelMode, &threads[i], NULL));
    ZwClose(handles[i]);
  }
  timeout.QuadPart = -10LL * 1000 * 1000 * 30; /* 30 s, far above the expected time */
  CHECK_EQ(STATUS_SUCCESS, KeWaitForMultipleObjects(2, threads, WaitAll, Executive, KernelMode,
                                                    FALSE, &timeout, NULL));
  for (i = 0; i < 2; ++i) ObDereferenceObject(threads[i]);
  /* 2 x 20000 increments of a 16-bit counter: 40000 wraps to 40000 - 65536. */
  CHECK_EQ((SHORT)(2 * KM_SURFACE_ROUNDS), shared.Counter16);
  CHECK_EQ(0x0f, shared.Flags8);
  CHECK_EQ(2 * KM_SURFACE_ROUNDS, shared.Unprotected);
  CHECK_EQ(0, shared.Lock16);
  return 0;
}

/* ------------------------------------------------------------ intrinsics ------- */

int km_surface_intrinsics(void) {
  ULONG index = 77;
  LONG bits[2] = {0, 0};
  CHECK_EQ(0, _BitScanForward(&index, 0));
  CHECK_EQ(77, index);
  CHECK_EQ(1, _BitScanForward(&index, 0x50));
  CHECK_EQ(4, index);
  CHECK_EQ(1, _BitScanReverse(&index, 0x50));
  CHECK_EQ(6, index);
  CHECK_EQ(1, _BitScanForward64(&index, 1ULL << 40));
  CHECK_EQ(40, index);
  CHECK_EQ(1, _BitScanReverse64(&index, (1ULL << 63) | 1));
  CHECK_EQ(63, index);
  CHECK_EQ(0, _bittestandset(bits, 35));
  CHECK_EQ(1, _bittest(bits, 35));
  CHECK_EQ(8, bits[1]);
  CHECK_EQ(1, _bittestandreset(bits, 35));
  CHECK_EQ(0, _bittestandcomplement(bits, 0));
  CHECK_EQ(1, bits[0]);
  CHECK_EQ(0x3412, _byteswap_ushort(0x1234));
  CHECK_EQ(0x78563412u, _byteswap_ulong(0x12345678u));
  CHECK_EQ(0x0807060504030201ULL, _byteswap_uint64(0x0102030405060708ULL));
  CHECK_EQ(0x80000001u, _rotr(3u, 1));
  CHECK_EQ(6u, _rotl(3u, 1));
  CHECK_EQ(0x8000000000000001ULL, _rotr64(3ULL, 1));
  CHECK_EQ(3, __popcnt(0x13u));
  CHECK_EQ(64, __popcnt64(~0ULL));
  CHECK_EQ(32, __lzcnt(0u));
  CHECK_EQ(31, __lzcnt(1u));
  _ReadWriteBarrier();
  __nop();
  CHECK(_ReturnAddress() != NULL);
  return 0;
}

/* ------------------------------------------------------------ compat macros ---- */

typedef struct _KM_SURFACE_DUMMY {
  ULONG Kind;
  union {
    ULONG AsUlong;
    struct {
      USHORT Low;
      USHORT High;
    } DUMMYSTRUCTNAME;
  } DUMMYUNIONNAME;
} KM_SURFACE_DUMMY;

EXTERN_C_START
int km_surface_extern_c_probe(void);
EXTERN_C_END
EXTERN_C int km_surface_extern_c_probe(void);
int km_surface_extern_c_probe(void) { return 7; }

int km_surface_compat_macros(void) {
  KM_SURFACE_DUMMY d;
  ULONG array[5];
  d.AsUlong = 0x00020001u; /* anonymous members, as Windows' headers have them */
  CHECK_EQ(1, d.Low);
  CHECK_EQ(2, d.High);
  CHECK_EQ(-20000LL, Int32x32To64(2, -10000));
  CHECK_EQ(0xFFFFFFFE00000001ULL, UInt32x32To64(0xFFFFFFFFu, 0xFFFFFFFFu));
  CHECK_EQ(-10000LL * 1000, Int32x32To64(1000, -10000));
  CHECK_EQ(16, Int64ShllMod32(1, 32 + 4)); /* the shift count is taken mod 32 */
  CHECK_EQ(0x100000000LL, Int64ShllMod32(0x80000000u, 1));
  CHECK_EQ(-1, Int64ShraMod32(-2, 1));
  CHECK_EQ(0x7FFFFFFFFFFFFFFFULL, Int64ShrlMod32(~0ULL, 1));
  CHECK_EQ(5, _countof(array));
  CHECK_EQ(5, ARRAYSIZE(array));
  CHECK_EQ(5, RTL_NUMBER_OF(array));
  CHECK_EQ(7, km_surface_extern_c_probe());
  return 0;
}

static BOOLEAN named(NTSTATUS status, const char* expected) {
  PCSTR name = WskportNtStatusName(status);
  return (BOOLEAN)(name != NULL && strcmp(name, expected) == 0);
}

int km_surface_status_names(void) {
  CHECK(named(STATUS_NDIS_ADAPTER_NOT_READY, "STATUS_NDIS_ADAPTER_NOT_READY"));
  CHECK(named(STATUS_SUCCESS, "STATUS_SUCCESS"));
  CHECK(named(STATUS_CONNECTION_REFUSED, "STATUS_CONNECTION_REFUSED"));
  CHECK(named(STATUS_INVALID_PARAMETER_12, "STATUS_INVALID_PARAMETER_12"));
  CHECK(named(STATUS_FWP_CALLOUT_NOT_FOUND, "STATUS_FWP_CALLOUT_NOT_FOUND"));
  CHECK(WskportNtStatusName((NTSTATUS)0xC0FFEE01L) == NULL);
  /* Windows' values for a sample of the network families. */
  CHECK_EQ((NTSTATUS)0xC0230011L, STATUS_NDIS_ADAPTER_NOT_READY);
  CHECK_EQ((NTSTATUS)0xC023001FL, STATUS_NDIS_MEDIA_DISCONNECTED);
  CHECK_EQ((NTSTATUS)0xC00000C4L, STATUS_UNEXPECTED_NETWORK_ERROR);
  CHECK_EQ((NTSTATUS)0xC0000141L, STATUS_INVALID_ADDRESS);
  CHECK_EQ((NTSTATUS)0xC000023DL, STATUS_HOST_UNREACHABLE);
  CHECK_EQ((NTSTATUS)0xC00000F5L, STATUS_INVALID_PARAMETER_7);
  return 0;
}

int km_surface_driver_runtime(void) {
  PVOID p;
  /* Without POOL_NX_OPTIN, NonPagedPool stays the constant (a case label works). */
  switch ((int)NonPagedPool) {
    case NonPagedPool:
      break;
    default:
      CHECK(!"NonPagedPool is not a constant");
  }
  ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
  CHECK_EQ(0, NonPagedPool);
  p = ExAllocatePoolWithTag(NonPagedPool, 16, 'tsrS');
  CHECK(p != NULL);
  ExFreePoolWithTag(p, 'tsrS');
  return 0;
}

void km_surface_raise_status(void) { ExRaiseStatus(STATUS_NDIS_ADAPTER_NOT_READY); }
