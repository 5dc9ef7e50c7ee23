/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_rtl.h: counted strings (UNICODE_STRING / ANSI_STRING), debug output
 * (DbgPrint, DbgPrintEx, KdPrint), assertions and bug checks.
 *
 * Strings: UTF-16 is handled by the runtime's own code (never the C library's wchar_t
 * functions). "ANSI" is UTF-8 here (Windows uses the system code page); a byte that is
 * not valid UTF-8 converts as Latin-1, so any byte string survives a round trip.
 *
 * Debug output goes to stderr, one write per message. DbgPrint is always shown.
 * DbgPrintEx shows DPFLTR_ERROR_LEVEL by default, as Windows does; set
 * WSKPORT_DBGPRINT_LEVEL=<n> to show levels 0..n too (3 shows INFO) or a mask
 * (0x...) for levels above 31. KdPrint/KdPrintEx compile to nothing unless DBG is
 * nonzero (wskport::km defines DBG=1 in Debug builds, as a WDK checked build does).
 * Implemented in common/km/km_string.cpp, km_debug.cpp and km_format.cpp.
 */
#pragma once
#ifndef WSKPORT_KM_RTL_H
#define WSKPORT_KM_RTL_H

#include "wskport_km_base.h"

#ifndef DBG
#define DBG 0
#endif

WSKPORT_KM_BEGIN_DECLS

/* ------------------------------------------------------------- strings ---------- */

/** Points @p DestinationString at the NUL-terminated @p SourceString (not copied);
 *  Length = its bytes, MaximumLength = Length + 2. NULL gives an empty string. */
NTSYSAPI VOID RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                                   _In_opt_z_ PCWSTR SourceString);
/** As RtlInitUnicodeString; STATUS_NAME_TOO_LONG beyond 32766 characters. */
NTSYSAPI NTSTATUS RtlInitUnicodeStringEx(_Out_ PUNICODE_STRING DestinationString,
                                         _In_opt_z_ PCWSTR SourceString);
NTSYSAPI VOID RtlInitAnsiString(_Out_ PANSI_STRING DestinationString, _In_opt_z_ PCSZ SourceString);
NTSYSAPI VOID RtlInitString(_Out_ PSTRING DestinationString, _In_opt_z_ PCSZ SourceString);
NTSYSAPI NTSTATUS RtlInitAnsiStringEx(_Out_ PANSI_STRING DestinationString,
                                      _In_opt_z_ PCSZ SourceString);
#define RtlInitEmptyUnicodeString(_ucStr, _buf, _bufSize) \
  ((_ucStr)->Buffer = (_buf), (_ucStr)->Length = 0, (_ucStr)->MaximumLength = (USHORT)(_bufSize))
#define RtlInitEmptyAnsiString(_asStr, _buf, _bufSize) \
  ((_asStr)->Buffer = (_buf), (_asStr)->Length = 0, (_asStr)->MaximumLength = (USHORT)(_bufSize))
/** Copies as much of @p SourceString as fits into @p DestinationString's buffer (adds a
 *  terminator if room remains); a NULL source gives Length 0. */
NTSYSAPI VOID RtlCopyUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                   _In_opt_ PCUNICODE_STRING SourceString);
NTSYSAPI VOID RtlCopyString(_Out_ PSTRING DestinationString, _In_opt_ const STRING* SourceString);
/** Appends; STATUS_SUCCESS or STATUS_BUFFER_TOO_SMALL (destination unchanged). */
NTSYSAPI NTSTATUS RtlAppendUnicodeStringToString(_Inout_ PUNICODE_STRING Destination,
                                                 _In_ PCUNICODE_STRING Source);
NTSYSAPI NTSTATUS RtlAppendUnicodeToString(_Inout_ PUNICODE_STRING Destination,
                                           _In_opt_z_ PCWSTR Source);
/** Comparison; case-insensitive folds A-Z and the Latin-1/Latin Extended-A letters. */
NTSYSAPI BOOLEAN RtlEqualUnicodeString(_In_ PCUNICODE_STRING String1, _In_ PCUNICODE_STRING String2,
                                       _In_ BOOLEAN CaseInSensitive);
/** < 0, 0 or > 0 as String1 sorts before, equal to or after String2 (by code unit, after
 *  upcasing if @p CaseInSensitive; a prefix sorts first). */
NTSYSAPI LONG RtlCompareUnicodeString(_In_ PCUNICODE_STRING String1, _In_ PCUNICODE_STRING String2,
                                      _In_ BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN RtlPrefixUnicodeString(_In_ PCUNICODE_STRING String1,
                                        _In_ PCUNICODE_STRING String2,
                                        _In_ BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN RtlEqualString(_In_ const STRING* String1, _In_ const STRING* String2,
                                _In_ BOOLEAN CaseInSensitive);
NTSYSAPI LONG RtlCompareString(_In_ const STRING* String1, _In_ const STRING* String2,
                               _In_ BOOLEAN CaseInSensitive);
/** Converts to UTF-8. With @p AllocateDestinationString the buffer comes from the pool
 *  (free with RtlFreeAnsiString). STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW (the
 *  destination holds what fits), STATUS_INVALID_PARAMETER_2 (result over 65535 bytes)
 *  or STATUS_NO_MEMORY. */
NTSYSAPI NTSTATUS RtlUnicodeStringToAnsiString(_Inout_ PANSI_STRING DestinationString,
                                               _In_ PCUNICODE_STRING SourceString,
                                               _In_ BOOLEAN AllocateDestinationString);
/** Converts UTF-8 (Latin-1 for invalid bytes) to UTF-16, as above. */
NTSYSAPI NTSTATUS RtlAnsiStringToUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                               _In_ PCANSI_STRING SourceString,
                                               _In_ BOOLEAN AllocateDestinationString);
#define RtlUnicodeStringToOemString RtlUnicodeStringToAnsiString
#define RtlOemStringToUnicodeString RtlAnsiStringToUnicodeString
NTSYSAPI ULONG RtlxUnicodeStringToAnsiSize(_In_ PCUNICODE_STRING UnicodeString);
NTSYSAPI ULONG RtlxAnsiStringToUnicodeSize(_In_ PCANSI_STRING AnsiString);
#define RtlUnicodeStringToAnsiSize(s) RtlxUnicodeStringToAnsiSize(s)
#define RtlAnsiStringToUnicodeSize(s) RtlxAnsiStringToUnicodeSize(s)
/** Frees a buffer allocated by a conversion (Buffer set to NULL). */
NTSYSAPI VOID RtlFreeUnicodeString(_Inout_ PUNICODE_STRING UnicodeString);
NTSYSAPI VOID RtlFreeAnsiString(_Inout_ PANSI_STRING AnsiString);
/** Pool copy of a UTF-16 string (NUL-terminated). TRUE on success. */
NTSYSAPI BOOLEAN RtlCreateUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                                        _In_z_ PCWSTR SourceString);
#define RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE 1
#define RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING 2
NTSYSAPI NTSTATUS RtlDuplicateUnicodeString(_In_ ULONG Flags, _In_ PCUNICODE_STRING StringIn,
                                            _Out_ PUNICODE_STRING StringOut);
/** Upcases (the same folding as the comparisons). */
NTSYSAPI NTSTATUS RtlUpcaseUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                         _In_ PCUNICODE_STRING SourceString,
                                         _In_ BOOLEAN AllocateDestinationString);
NTSYSAPI WCHAR RtlUpcaseUnicodeChar(_In_ WCHAR SourceCharacter);
NTSYSAPI WCHAR RtlDowncaseUnicodeChar(_In_ WCHAR SourceCharacter);
/** Integer <-> string: base 2, 8, 10, 16 (0 = 10, or a 0x/0o/0b prefix when parsing).
 *  STATUS_SUCCESS, STATUS_INVALID_PARAMETER or STATUS_BUFFER_OVERFLOW. */
NTSYSAPI NTSTATUS RtlUnicodeStringToInteger(_In_ PCUNICODE_STRING String, _In_opt_ ULONG Base,
                                            _Out_ PULONG Value);
NTSYSAPI NTSTATUS RtlIntegerToUnicodeString(_In_ ULONG Value, _In_opt_ ULONG Base,
                                            _Inout_ PUNICODE_STRING String);
NTSYSAPI NTSTATUS RtlCharToInteger(_In_z_ PCSZ String, _In_opt_ ULONG Base, _Out_ PULONG Value);

/* ---------------------------------------------------------- debug output -------- */

typedef enum _DPFLTR_TYPE {
  DPFLTR_SYSTEM_ID = 0,
  DPFLTR_SMSS_ID = 1,
  DPFLTR_SETUP_ID = 2,
  DPFLTR_NTFS_ID = 3,
  DPFLTR_TCPIP_ID = 30,
  DPFLTR_WSOCKTRANSPORT_ID = 70,
  DPFLTR_IHVDRIVER_ID = 77,
  DPFLTR_IHVVIDEO_ID = 78,
  DPFLTR_IHVAUDIO_ID = 79,
  DPFLTR_IHVNETWORK_ID = 80,
  DPFLTR_IHVSTREAMING_ID = 81,
  DPFLTR_IHVBUS_ID = 82,
  DPFLTR_TCPIP6_ID = 86,
  DPFLTR_VERIFIER_ID = 93,
  DPFLTR_DEFAULT_ID = 101
} DPFLTR_TYPE;
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000

/** Formats with Windows printf semantics (see ntstrsafe.h: `l` is 32-bit, %ws/%S/%ls
 *  wide strings, %wZ/%Z counted strings, %p 16 upper-case hex digits) and writes the
 *  message to stderr. Returns STATUS_SUCCESS. */
NTSYSAPI ULONG __cdecl DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...);
/** As DbgPrint, shown only if @p Level passes the filter (module comment). */
NTSYSAPI ULONG __cdecl DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
                                  _In_z_ _Printf_format_string_ PCSTR Format, ...);
NTSYSAPI ULONG vDbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level, _In_z_ PCCH Format,
                           _In_ va_list arglist);
NTSYSAPI ULONG vDbgPrintExWithPrefix(_In_z_ PCCH Prefix, _In_ ULONG ComponentId, _In_ ULONG Level,
                                     _In_z_ PCCH Format, _In_ va_list arglist);
NTSYSAPI ULONG __cdecl DbgPrintReturnControlC(_In_z_ _Printf_format_string_ PCCH Format, ...);
/** TRUE if a DbgPrintEx with these arguments would be shown. */
NTSYSAPI NTSTATUS DbgQueryDebugFilterState(_In_ ULONG ComponentId, _In_ ULONG Level);
NTSYSAPI NTSTATUS DbgSetDebugFilterState(_In_ ULONG ComponentId, _In_ ULONG Level,
                                         _In_ BOOLEAN State);
/** A breakpoint: stops the process (std::abort) so a debugger or core dump sees it. */
NTSYSAPI VOID DbgBreakPoint(VOID);
#define KdBreakPoint() DbgBreakPoint()
#define DbgBreakPointWithStatus(s) DbgBreakPoint()
#define KdRefreshDebuggerNotPresent() TRUE
#define KD_DEBUGGER_ENABLED FALSE
#define KD_DEBUGGER_NOT_PRESENT TRUE
extern BOOLEAN KdDebuggerEnabled;
extern BOOLEAN KdDebuggerNotPresent;

#if DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define vKdPrintEx(_x_) vDbgPrintEx _x_
#define vKdPrintExWithPrefix(_x_) vDbgPrintExWithPrefix _x_
#define KdBreakPointWithStatus(s) DbgBreakPoint()
#else
#define KdPrint(_x_) ((void)0)
#define KdPrintEx(_x_) ((void)0)
#define vKdPrintEx(_x_) ((void)0)
#define vKdPrintExWithPrefix(_x_) ((void)0)
#define KdBreakPointWithStatus(s) ((void)0)
#endif

/** The ntstatus.h name of @p Status ("STATUS_CONNECTION_REFUSED"), for every value the
 *  km headers define, or NULL for one they do not name. A wskport extension (trace and
 *  log helpers print statuses with it); never allocates. */
PCSTR WskportNtStatusName(_In_ NTSTATUS Status);

/* ------------------------------------------------------- assertions, bug checks -- */

/** Prints "*** Assertion failed: ..." with file and line and stops the process. */
WSKPORT_KM_NORETURN NTSYSAPI VOID RtlAssert(_In_ PVOID VoidFailedAssertion, _In_ PVOID VoidFileName,
                                            _In_ ULONG LineNumber, _In_opt_ PSTR MutableMessage);
/** Prints the bug check code and parameters and stops the process (std::abort). */
WSKPORT_KM_NORETURN NTKERNELAPI VOID KeBugCheckEx(_In_ ULONG BugCheckCode,
                                                  _In_ ULONG_PTR BugCheckParameter1,
                                                  _In_ ULONG_PTR BugCheckParameter2,
                                                  _In_ ULONG_PTR BugCheckParameter3,
                                                  _In_ ULONG_PTR BugCheckParameter4);
WSKPORT_KM_NORETURN NTKERNELAPI VOID KeBugCheck(_In_ ULONG BugCheckCode);
WSKPORT_KM_NORETURN VOID WskportFailFast(_In_ ULONG Code);
#define __fastfail(code) WskportFailFast(code)
#define RtlFailFast(code) WskportFailFast(code)

#if DBG
#define ASSERT(exp) \
  ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) \
  ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, (PSTR)(msg)), FALSE) : TRUE)
#define RTL_SOFT_ASSERT(exp)                                                                      \
  ((!(exp)) ? (DbgPrint("%s(%d): Soft assertion failed\n   Expression: %s\n", __FILE__, __LINE__, \
                        #exp),                                                                    \
               FALSE)                                                                             \
            : TRUE)
#define NT_ASSERT(exp) ASSERT(exp)
#define NT_ASSERTMSG(msg, exp) ASSERTMSG(msg, exp)
#define NT_ASSERTMSGW(msg, exp) ASSERT(exp)
#define NT_VERIFY(exp) ASSERT(exp)
#define NT_VERIFYMSG(msg, exp) ASSERTMSG(msg, exp)
#define NT_FRE_ASSERT(exp) ASSERT(exp)
#else
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#define RTL_SOFT_ASSERT(exp) ((void)0)
#define NT_ASSERT(exp) ((void)0)
#define NT_ASSERTMSG(msg, exp) ((void)0)
#define NT_ASSERTMSGW(msg, exp) ((void)0)
#define NT_VERIFY(exp) ((exp) ? TRUE : FALSE)
#define NT_VERIFYMSG(msg, exp) ((exp) ? TRUE : FALSE)
#define NT_FRE_ASSERT(exp) \
  ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#endif
#define NT_ANALYSIS_ASSUME(exp) ((void)0)
#define NT_ASSERT_ACTION(exp) NT_ASSERT(exp)
#define NT_ASSERT_ASSUME(exp) NT_ASSERT(exp)
#define RTL_VERIFY(exp) NT_VERIFY(exp)

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_RTL_H */
