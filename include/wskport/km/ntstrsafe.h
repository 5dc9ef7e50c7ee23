/* SPDX-License-Identifier: MIT */
/*
 * ntstrsafe.h: bounded string copy, concatenation, length and printf routines of the
 * WDK (RtlString*), provided by wskport's kernel runtime (common/km/km_strsafe.cpp,
 * km_format.cpp). Every routine returns STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW (the
 * result was truncated: the destination holds what fits, NUL-terminated) or
 * STATUS_INVALID_PARAMETER (a zero or over-large destination size, a NULL pointer, or
 * an unterminated source/destination; the destination becomes "" when it has room).
 *
 * The printf routines use Windows format semantics, the same engine as DbgPrint:
 *   %d %i %u %x %X %o %c %s %p %n(refused) %% %e %f %g %a, flags - + 0 space #, width
 *   and precision (also *); size prefixes h (16-bit), hh (8), l (32-bit: Windows long),
 *   ll / I64 (64), I32 (32), I / z / t (pointer-sized), j (64);
 *   in the A functions %s is a char string and %S / %ls / %ws a WCHAR string, in the W
 *   functions %s is a WCHAR string and %S / %hs a char string; %c / %C likewise;
 *   %wZ prints a PUNICODE_STRING and %Z a PANSI_STRING; %p is 16 upper-case hex digits.
 *   WCHAR text written to an A buffer is UTF-8; char text written to a W buffer is read
 *   as UTF-8 (invalid bytes as Latin-1).
 */
#pragma once
#ifndef _NTSTRSAFE_H_INCLUDED_
#define _NTSTRSAFE_H_INCLUDED_

#include "wskport_km_base.h"

WSKPORT_KM_BEGIN_DECLS

typedef char* NTSTRSAFE_PSTR;
typedef const char* NTSTRSAFE_PCSTR;
typedef wchar_t* NTSTRSAFE_PWSTR;
typedef const wchar_t* NTSTRSAFE_PCWSTR;
typedef const wchar_t* NTSTRSAFE_PCUWSTR;

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_MAX_LENGTH (NTSTRSAFE_MAX_CCH - 1)
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH 32767
#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000

/* printf: @p cbDest / @p cchDest is the destination's size in bytes / characters. */
NTSTRSAFEDDI NTSTATUS RtlStringCbPrintfA(_Out_writes_bytes_(cbDest) NTSTRSAFE_PSTR pszDest,
                                         _In_ size_t cbDest,
                                         _In_ _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                         ...);
NTSTRSAFEDDI NTSTATUS RtlStringCbPrintfW(_Out_writes_bytes_(cbDest) NTSTRSAFE_PWSTR pszDest,
                                         _In_ size_t cbDest,
                                         _In_ _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                         ...);
NTSTRSAFEDDI NTSTATUS RtlStringCchPrintfA(_Out_writes_(cchDest) NTSTRSAFE_PSTR pszDest,
                                          _In_ size_t cchDest,
                                          _In_ _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                          ...);
NTSTRSAFEDDI NTSTATUS RtlStringCchPrintfW(_Out_writes_(cchDest) NTSTRSAFE_PWSTR pszDest,
                                          _In_ size_t cchDest,
                                          _In_ _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                          ...);
NTSTRSAFEDDI NTSTATUS RtlStringCbVPrintfA(_Out_writes_bytes_(cbDest) NTSTRSAFE_PSTR pszDest,
                                          _In_ size_t cbDest,
                                          _In_ _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                          _In_ va_list argList);
NTSTRSAFEDDI NTSTATUS RtlStringCbVPrintfW(_Out_writes_bytes_(cbDest) NTSTRSAFE_PWSTR pszDest,
                                          _In_ size_t cbDest,
                                          _In_ _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                          _In_ va_list argList);
NTSTRSAFEDDI NTSTATUS RtlStringCchVPrintfA(_Out_writes_(cchDest) NTSTRSAFE_PSTR pszDest,
                                           _In_ size_t cchDest,
                                           _In_ _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                           _In_ va_list argList);
NTSTRSAFEDDI NTSTATUS RtlStringCchVPrintfW(_Out_writes_(cchDest) NTSTRSAFE_PWSTR pszDest,
                                           _In_ size_t cchDest,
                                           _In_ _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                           _In_ va_list argList);

/* copy, bounded copy, concatenation. */
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyA(_Out_writes_bytes_(cbDest) NTSTRSAFE_PSTR pszDest,
                                       _In_ size_t cbDest, _In_ NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyW(_Out_writes_bytes_(cbDest) NTSTRSAFE_PWSTR pszDest,
                                       _In_ size_t cbDest, _In_ NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyA(_Out_writes_(cchDest) NTSTRSAFE_PSTR pszDest,
                                        _In_ size_t cchDest, _In_ NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyW(_Out_writes_(cchDest) NTSTRSAFE_PWSTR pszDest,
                                        _In_ size_t cchDest, _In_ NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyNA(_Out_writes_bytes_(cbDest) NTSTRSAFE_PSTR pszDest,
                                        _In_ size_t cbDest, _In_ NTSTRSAFE_PCSTR pszSrc,
                                        _In_ size_t cbToCopy);
NTSTRSAFEDDI NTSTATUS RtlStringCbCopyNW(_Out_writes_bytes_(cbDest) NTSTRSAFE_PWSTR pszDest,
                                        _In_ size_t cbDest, _In_ NTSTRSAFE_PCWSTR pszSrc,
                                        _In_ size_t cbToCopy);
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyNA(_Out_writes_(cchDest) NTSTRSAFE_PSTR pszDest,
                                         _In_ size_t cchDest, _In_ NTSTRSAFE_PCSTR pszSrc,
                                         _In_ size_t cchToCopy);
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyNW(_Out_writes_(cchDest) NTSTRSAFE_PWSTR pszDest,
                                         _In_ size_t cchDest, _In_ NTSTRSAFE_PCWSTR pszSrc,
                                         _In_ size_t cchToCopy);
NTSTRSAFEDDI NTSTATUS RtlStringCbCatA(_Inout_updates_bytes_(cbDest) NTSTRSAFE_PSTR pszDest,
                                      _In_ size_t cbDest, _In_ NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCbCatW(_Inout_updates_bytes_(cbDest) NTSTRSAFE_PWSTR pszDest,
                                      _In_ size_t cbDest, _In_ NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCchCatA(_Inout_updates_(cchDest) NTSTRSAFE_PSTR pszDest,
                                       _In_ size_t cchDest, _In_ NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlStringCchCatW(_Inout_updates_(cchDest) NTSTRSAFE_PWSTR pszDest,
                                       _In_ size_t cchDest, _In_ NTSTRSAFE_PCWSTR pszSrc);

/* length: STATUS_INVALID_PARAMETER (and *pcchLength = 0) if no terminator within the
 * maximum. */
NTSTRSAFEDDI NTSTATUS RtlStringCchLengthA(_In_reads_or_z_(cchMax) NTSTRSAFE_PCSTR psz,
                                          _In_ size_t cchMax, _Out_opt_ size_t* pcchLength);
NTSTRSAFEDDI NTSTATUS RtlStringCchLengthW(_In_reads_or_z_(cchMax) NTSTRSAFE_PCWSTR psz,
                                          _In_ size_t cchMax, _Out_opt_ size_t* pcchLength);
NTSTRSAFEDDI NTSTATUS RtlStringCbLengthA(_In_reads_or_z_(cbMax) NTSTRSAFE_PCSTR psz,
                                         _In_ size_t cbMax, _Out_opt_ size_t* pcbLength);
NTSTRSAFEDDI NTSTATUS RtlStringCbLengthW(_In_reads_or_z_(cbMax) NTSTRSAFE_PCWSTR psz,
                                         _In_ size_t cbMax, _Out_opt_ size_t* pcbLength);

/* UNICODE_STRING destinations: no terminator is written; Length is set. */
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringInit(_Out_ PUNICODE_STRING DestinationString,
                                           _In_opt_ NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringPrintf(_Inout_ PUNICODE_STRING DestinationString,
                                             _In_ _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                             ...);
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringVPrintf(
    _Inout_ PUNICODE_STRING DestinationString,
    _In_ _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat, _In_ va_list argList);
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCopy(_Inout_ PUNICODE_STRING DestinationString,
                                           _In_ PCUNICODE_STRING SourceString);
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCopyString(_Inout_ PUNICODE_STRING DestinationString,
                                                 _In_ NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCat(_Inout_ PUNICODE_STRING DestinationString,
                                          _In_ PCUNICODE_STRING SourceString);
NTSTRSAFEDDI NTSTATUS RtlUnicodeStringCatString(_Inout_ PUNICODE_STRING DestinationString,
                                                _In_ NTSTRSAFE_PCWSTR pszSrc);

WSKPORT_KM_END_DECLS

#endif /* _NTSTRSAFE_H_INCLUDED_ */
