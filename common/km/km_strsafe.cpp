// SPDX-License-Identifier: MIT
// ntstrsafe.h: bounded copy, concatenation, length and printf, narrow (A) and wide (W),
// with the WDK's statuses: STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW (truncated, the
// destination holds what fits and is NUL-terminated), STATUS_INVALID_PARAMETER (a zero
// or over-large size, a NULL pointer, an unterminated string).
#include <cstring>

#include "common/km/km_runtime.hpp"
#include "common/km/km_text.hpp"

#include <ntstrsafe.h>

namespace wskport::km::detail {

namespace {

namespace text = wskport::km::text;

template <class C>
std::size_t length_of(const C* s, std::size_t max) noexcept {
  if constexpr (sizeof(C) == 1) {
    return text::narrow_length(s, max);
  } else {
    return text::wide_length(s, max);
  }
}

template <class C>
bool valid_size(std::size_t cch) noexcept {
  return cch != 0 && cch <= NTSTRSAFE_MAX_CCH;
}

// Copies at most @p limit characters of @p src; returns the WDK status.
template <class C>
NTSTATUS copy(C* dest, std::size_t cch, const C* src, std::size_t limit) noexcept {
  if (dest == nullptr || !valid_size<C>(cch)) return STATUS_INVALID_PARAMETER;
  if (src == nullptr) {
    dest[0] = 0;
    return STATUS_INVALID_PARAMETER;
  }
  std::size_t i = 0;
  while (i < limit && src[i] != 0) {
    if (i == cch - 1) {
      dest[i] = 0;
      return STATUS_BUFFER_OVERFLOW;
    }
    dest[i] = src[i];
    ++i;
  }
  dest[i] = 0;
  return STATUS_SUCCESS;
}

template <class C>
NTSTATUS cat(C* dest, std::size_t cch, const C* src) noexcept {
  if (dest == nullptr || !valid_size<C>(cch)) return STATUS_INVALID_PARAMETER;
  const std::size_t used = length_of(dest, cch);
  if (used == cch) return STATUS_INVALID_PARAMETER;  // the destination is not terminated
  if (src == nullptr) return STATUS_INVALID_PARAMETER;
  return copy(dest + used, cch - used, src, SIZE_MAX);
}

template <class C>
NTSTATUS length(const C* s, std::size_t cch_max, std::size_t* cch_length) noexcept {
  if (s == nullptr || cch_max > NTSTRSAFE_MAX_CCH) {
    if (cch_length != nullptr) *cch_length = 0;
    return STATUS_INVALID_PARAMETER;
  }
  const std::size_t n = length_of(s, cch_max);
  if (n == cch_max) {
    if (cch_length != nullptr) *cch_length = 0;
    return STATUS_INVALID_PARAMETER;
  }
  if (cch_length != nullptr) *cch_length = n;
  return STATUS_SUCCESS;
}

template <class C>
NTSTATUS vprint(C* dest, std::size_t cch, const C* format, va_list args) noexcept {
  if (dest == nullptr || !valid_size<C>(cch)) return STATUS_INVALID_PARAMETER;
  if (format == nullptr) {
    dest[0] = 0;
    return STATUS_INVALID_PARAMETER;
  }
  text::Output out(dest, cch - 1);
  const bool ok = text::vformat(out, format, args);
  dest[out.stored()] = 0;
  if (!ok) {
    dest[0] = 0;
    return STATUS_INVALID_PARAMETER;
  }
  return out.produced() > cch - 1 ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

// UNICODE_STRING destinations: no terminator, Length in bytes.
NTSTATUS unicode_vprint(PUNICODE_STRING dest, PCWSTR format, va_list args) noexcept {
  if (dest == nullptr || format == nullptr ||
      (dest->Buffer == nullptr && dest->MaximumLength != 0)) {
    return STATUS_INVALID_PARAMETER;
  }
  const std::size_t cch = dest->MaximumLength / sizeof(WCHAR);
  text::Output out(dest->Buffer, cch);
  if (!text::vformat(out, format, args)) {
    dest->Length = 0;
    return STATUS_INVALID_PARAMETER;
  }
  dest->Length = static_cast<USHORT>(out.stored() * sizeof(WCHAR));
  return out.produced() > cch ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS unicode_copy(PUNICODE_STRING dest, const WCHAR* src, std::size_t units,
                      bool append) noexcept {
  if (dest == nullptr || (src == nullptr && units != 0)) return STATUS_INVALID_PARAMETER;
  const std::size_t cch = dest->MaximumLength / sizeof(WCHAR);
  std::size_t used = append ? dest->Length / sizeof(WCHAR) : 0;
  if (used > cch) return STATUS_INVALID_PARAMETER;
  const std::size_t room = cch - used;
  const std::size_t n = units < room ? units : room;
  if (n != 0) std::memmove(dest->Buffer + used, src, n * sizeof(WCHAR));
  dest->Length = static_cast<USHORT>((used + n) * sizeof(WCHAR));
  return n < units ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat,
                             va_list argList) {
  return vprint(pszDest, cbDest, pszFormat, argList);
}
NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat,
                             va_list argList) {
  return vprint(pszDest, cbDest / sizeof(WCHAR), pszFormat, argList);
}
NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat,
                              va_list argList) {
  return vprint(pszDest, cchDest, pszFormat, argList);
}
NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat,
                              va_list argList) {
  return vprint(pszDest, cchDest, pszFormat, argList);
}

#define WSKPORT_STRSAFE_VARIADIC(name, vname, type, ftype)         \
  NTSTATUS name(type pszDest, size_t size, ftype pszFormat, ...) { \
    va_list args;                                                  \
    va_start(args, pszFormat);                                     \
    const NTSTATUS status = vname(pszDest, size, pszFormat, args); \
    va_end(args);                                                  \
    return status;                                                 \
  }
WSKPORT_STRSAFE_VARIADIC(RtlStringCbPrintfA, RtlStringCbVPrintfA, NTSTRSAFE_PSTR, NTSTRSAFE_PCSTR)
WSKPORT_STRSAFE_VARIADIC(RtlStringCbPrintfW, RtlStringCbVPrintfW, NTSTRSAFE_PWSTR, NTSTRSAFE_PCWSTR)
WSKPORT_STRSAFE_VARIADIC(RtlStringCchPrintfA, RtlStringCchVPrintfA, NTSTRSAFE_PSTR, NTSTRSAFE_PCSTR)
WSKPORT_STRSAFE_VARIADIC(RtlStringCchPrintfW, RtlStringCchVPrintfW, NTSTRSAFE_PWSTR,
                         NTSTRSAFE_PCWSTR)
#undef WSKPORT_STRSAFE_VARIADIC

NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc) {
  return copy(pszDest, cbDest, pszSrc, SIZE_MAX);
}
NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc) {
  return copy(pszDest, cbDest / sizeof(WCHAR), pszSrc, SIZE_MAX);
}
NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc) {
  return copy(pszDest, cchDest, pszSrc, SIZE_MAX);
}
NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc) {
  return copy(pszDest, cchDest, pszSrc, SIZE_MAX);
}
NTSTATUS RtlStringCbCopyNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                           size_t cbToCopy) {
  return copy(pszDest, cbDest, pszSrc, cbToCopy);
}
NTSTATUS RtlStringCbCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                           size_t cbToCopy) {
  return copy(pszDest, cbDest / sizeof(WCHAR), pszSrc, cbToCopy / sizeof(WCHAR));
}
NTSTATUS RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                            size_t cchToCopy) {
  return copy(pszDest, cchDest, pszSrc, cchToCopy);
}
NTSTATUS RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                            size_t cchToCopy) {
  return copy(pszDest, cchDest, pszSrc, cchToCopy);
}
NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc) {
  return cat(pszDest, cbDest, pszSrc);
}
NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc) {
  return cat(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}
NTSTATUS RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc) {
  return cat(pszDest, cchDest, pszSrc);
}
NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc) {
  return cat(pszDest, cchDest, pszSrc);
}
NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t* pcchLength) {
  return length(psz, cchMax, pcchLength);
}
NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t* pcchLength) {
  return length(psz, cchMax, pcchLength);
}
NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t* pcbLength) {
  return length(psz, cbMax, pcbLength);
}
NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t* pcbLength) {
  std::size_t cch = 0;
  const NTSTATUS status = length(psz, cbMax / sizeof(WCHAR), &cch);
  if (pcbLength != nullptr) *pcbLength = cch * sizeof(WCHAR);
  return status;
}

NTSTATUS RtlUnicodeStringInit(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc) {
  if (DestinationString == nullptr) return STATUS_INVALID_PARAMETER;
  return RtlInitUnicodeStringEx(DestinationString, pszSrc) == STATUS_SUCCESS
             ? STATUS_SUCCESS
             : STATUS_INVALID_PARAMETER;
}
NTSTATUS RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat,
                                 va_list argList) {
  return unicode_vprint(DestinationString, pszFormat, argList);
}
NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat,
                                ...) {
  va_list args;
  va_start(args, pszFormat);
  const NTSTATUS status = unicode_vprint(DestinationString, pszFormat, args);
  va_end(args);
  return status;
}
NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString) {
  if (SourceString == nullptr) return STATUS_INVALID_PARAMETER;
  return unicode_copy(DestinationString, SourceString->Buffer, SourceString->Length / 2, false);
}
NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc) {
  if (pszSrc == nullptr) return STATUS_INVALID_PARAMETER;
  return unicode_copy(DestinationString, pszSrc,
                      wskport::km::text::wide_length(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH),
                      false);
}
NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString) {
  if (SourceString == nullptr) return STATUS_INVALID_PARAMETER;
  return unicode_copy(DestinationString, SourceString->Buffer, SourceString->Length / 2, true);
}
NTSTATUS RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc) {
  if (pszSrc == nullptr) return STATUS_INVALID_PARAMETER;
  return unicode_copy(DestinationString, pszSrc,
                      wskport::km::text::wide_length(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH),
                      true);
}

}  // extern "C"
