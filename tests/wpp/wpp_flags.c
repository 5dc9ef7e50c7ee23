/* SPDX-License-Identifier: MIT */
/*
 * A driver-style source that traces the way WDK drivers with WPP do: its own
 * WPP_CONTROL_GUIDS with several bits, "#include "<file>.tmh"" after it,
 * WPP_INIT_TRACING / WPP_CLEANUP around DoTraceMessage calls, and a HEXDUMP type it
 * declares itself (DEFINE_CPLX_TYPE in a begin_wpp config block). Built through
 * wskport_target_wpp (tests/wpp/CMakeLists.txt).
 *
 * Each trace sits on one line with the statement that records its line number, which is
 * why clang-format is off around them.
 */
#include <inaddr.h>
#include <ntddk.h>

#include "wpp_cases.h"

/* Length first: the reverse of the documentation's xstr_t, so the reader must follow
 * WPP_LOGHEXDUMP rather than assume a layout. */
typedef struct _WPP_TEST_BLOB {
  USHORT Length;
  const VOID* Buffer;
} WPP_TEST_BLOB;

static WPP_TEST_BLOB WppTestBlob(const VOID* Buffer, SIZE_T Length) {
  WPP_TEST_BLOB blob;
  blob.Length = (USHORT)Length;
  blob.Buffer = Buffer;
  return blob;
}

#define WPP_LOGHEXDUMP(x) \
  WPP_LOGPAIR(sizeof(USHORT), &(x).Length) WPP_LOGPAIR((x).Length, (x).Buffer)

// begin_wpp config
// DEFINE_CPLX_TYPE(HEXDUMP, WPP_LOGHEXDUMP, WPP_TEST_BLOB, ItemHEXDump, "s", _HEX_, 0, 2);
// WPP_FLAGS(-DLOG_BLOB(len,buf)=WppTestBlob(buf,len));
// end_wpp

#define WPP_CONTROL_GUIDS                                                          \
  WPP_DEFINE_CONTROL_GUID(WppFlagsCtl, (3a9d5e21, 7c4b, 4f10, 8a6e, 19b2c4d6e8f0), \
                          WPP_DEFINE_BIT(FLG_ERROR) /* 0x1 */                      \
                          WPP_DEFINE_BIT(FLG_INFO)  /* 0x2 */                      \
                          WPP_DEFINE_BIT(FLG_DATA)  /* 0x4 */                      \
  )

#include "wpp_flags.tmh"

int wpp_flags_driver_entry(void) {
  PDRIVER_OBJECT DriverObject = NULL;
  PUNICODE_STRING RegistryPath = NULL;
  int line;
  WPP_INIT_TRACING(DriverObject, RegistryPath);
  // clang-format off
  line = __LINE__; DoTraceMessage(FLG_INFO, "LOADED");
  // clang-format on
  return line;
}

int wpp_flags_unload(void) {
  PDRIVER_OBJECT DriverObject = NULL;
  int line;
  // clang-format off
  line = __LINE__; DoTraceMessage(FLG_INFO, "UNLOAD");
  // clang-format on
  WPP_CLEANUP(DriverObject);
  return line;
}

void wpp_flags_formats(int* lines) {
  static const UCHAR payload[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
  static const GUID guid = {
      0x998bdf51, 0x0349, 0x4fbc, {0x87, 0x0c, 0xd6, 0x13, 0x0a, 0x95, 0x5a, 0x5f}};
  static const struct {
    UCHAR Revision, SubAuthorityCount, IdentifierAuthority[6];
    ULONG SubAuthority[1];
  } local_system = {1, 1, {0, 0, 0, 0, 0, 5}, {18}};
  IN_ADDR peer;
  UCHAR port_bytes[2] = {0x1f, 0x90}; /* 8080 in network order */
  USHORT port;
  UNICODE_STRING name;
  ANSI_STRING aname;
  int n = 0;
  peer.S_un.S_un_b.s_b1 = 192;
  peer.S_un.S_un_b.s_b2 = 0;
  peer.S_un.S_un_b.s_b3 = 2;
  peer.S_un.S_un_b.s_b4 = 33;
  RtlCopyMemory(&port, port_bytes, sizeof port);
  RtlInitUnicodeString(&name, L"echo\x00e9");
  RtlInitAnsiString(&aname, "counted");
  // clang-format off
  lines[n++] = __LINE__; DoTraceMessage(FLG_ERROR, "connect: %!STATUS!, then %!STATUS!", STATUS_CONNECTION_REFUSED, (NTSTATUS)0xC0DE0001);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "peer %!IPADDR!:%!PORT!", peer.S_un.S_addr, port);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "%!FUNC! line %!LINE! of %!FILE!, flag %!FLAGS! of %!COMPNAME!, %!LEVEL!");
  lines[n++] = __LINE__; DoTraceMessage(FLG_DATA, "payload %!HEXDUMP! (%Iu bytes)", LOG_BLOB(sizeof payload, payload), sizeof payload);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "ctx %p name %s wide %ws %S counted %wZ %Z", (PVOID)(ULONG_PTR)0x1234, "sock", L"w1", L"w2", &name, &aname);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "n=%d u=%u x=%08lx big=%I64x size=%Iu c=%c pct=%%", -5, 7u, 0xBEEFUL, 0x123456789ABCULL, (SIZE_T)65536, 'q');
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "guid %!GUID! ok %!bool! %!BOOLEAN! err %!WINERROR! hr %!HRESULT!", &guid, TRUE, (BOOLEAN)FALSE, 2UL, 0x80004005UL);
  lines[n++] = __LINE__; DoTraceMessage(FLG_ERROR, "at %!TIMESTAMP! irql %!irql! waited %!delta!", 133486382456780000LL, (KIRQL)DISPATCH_LEVEL, 93784005LL);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "sid %!sid! strings %!ASTR! %!USTR! %!ANSTR!", &local_system, "a", &name, &aname);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "ints %!SBYTE! %!XBYTE! %!USHORT! %!XINT! %!SINT64! %!ULONGPTR! %!DOUBLE!", -3, 0xAB, 65535, 0x1F, -9000000000LL, (ULONG_PTR)42, 2.5);
  lines[n++] = __LINE__; DoTraceMessage(FLG_INFO, "ends with a newline\n");
  // clang-format on
}

int wpp_flags_side_effects(int* counter) {
  int line;
  // clang-format off
  line = __LINE__; DoTraceMessage(FLG_DATA, "count %d", ++*counter);
  // clang-format on
  return line;
}

int wpp_flags_long(unsigned length) {
  static char text[3000];
  int line;
  if (length >= sizeof text) length = sizeof text - 1;
  RtlFillMemory(text, length, 'x');
  text[length] = 0;
  // clang-format off
  line = __LINE__; DoTraceMessage(FLG_INFO, "long %s end", text);
  // clang-format on
  return line;
}

int wpp_flags_unknown_type(void) {
  int line;
  /* Split so that the generator's check of the source's "%!NAME!"s does not see it. */
  // clang-format off
  line = __LINE__; DoTraceMessage(FLG_INFO, "before %!" "NOPE" "! after %d", 1, 2);
  // clang-format on
  return line;
}

/* The other WPP_CLEANUP forms drivers write: user mode's (), NULL, a WDF-style handle
 * to an incomplete type. Compiled, not called. */
typedef struct WPP_TEST_HANDLE__* WPP_TEST_HANDLE;
void wpp_flags_cleanup_forms(WPP_TEST_HANDLE Handle);
void wpp_flags_cleanup_forms(WPP_TEST_HANDLE Handle) {
  WPP_CLEANUP();
  WPP_CLEANUP(NULL);
  WPP_CLEANUP((PDRIVER_OBJECT)NULL);
  WPP_CLEANUP(Handle);
}

unsigned long wpp_flags_control_flags(void) {
  return WPP_CONTROL(WPP_BIT_FLG_INFO).Flags[WPP_FLAG_NO(WPP_BIT_FLG_INFO)];
}

unsigned wpp_flags_control_level(void) { return WPP_CONTROL(WPP_BIT_FLG_INFO).Level; }

int wpp_test_set_filter(const char* spec) { return NT_SUCCESS(WskportWppSetFilter(spec)) ? 0 : -1; }
