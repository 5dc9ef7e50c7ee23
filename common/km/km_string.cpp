// SPDX-License-Identifier: MIT
// Counted strings (UNICODE_STRING, ANSI_STRING): init, copy, append, compare, case
// mapping, UTF-16 <-> "ANSI" (UTF-8) conversion and integer conversion. UTF-16 is handled
// here, never by the C library's wchar_t functions (WCHAR is 16 bits, the host's wchar_t
// may be 32). Case mapping covers ASCII, Latin-1 and Latin Extended-A.
#include <cstring>

#include "common/km/km_runtime.hpp"
#include "common/km/km_text.hpp"

namespace wskport::km::detail {

namespace {

constexpr ULONG kStringTag = tag('g', 'n', 'r', 'S');  // reads "Srng"
constexpr std::size_t kMaxUnicodeBytes = 0xFFFC;       // even, and room for a terminator

std::uint16_t upcase(std::uint16_t c) noexcept {
  if (c >= 'a' && c <= 'z') return static_cast<std::uint16_t>(c - 0x20);
  if (c < 0xE0) return c;
  if (c <= 0xFE) return c == 0xF7 ? c : static_cast<std::uint16_t>(c - 0x20);
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x137 && c != 0x131 && (c & 1) != 0)
    return static_cast<std::uint16_t>(c - 1);
  if (c >= 0x139 && c <= 0x148 && (c & 1) == 0) return static_cast<std::uint16_t>(c - 1);
  if (c >= 0x14A && c <= 0x177 && (c & 1) != 0) return static_cast<std::uint16_t>(c - 1);
  if (c >= 0x179 && c <= 0x17E && (c & 1) == 0) return static_cast<std::uint16_t>(c - 1);
  return c;
}

std::uint16_t downcase(std::uint16_t c) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<std::uint16_t>(c + 0x20);
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : static_cast<std::uint16_t>(c + 0x20);
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x137 && c != 0x130 && (c & 1) == 0)
    return static_cast<std::uint16_t>(c + 1);
  if (c >= 0x139 && c <= 0x148 && (c & 1) != 0) return static_cast<std::uint16_t>(c + 1);
  if (c >= 0x14A && c <= 0x177 && (c & 1) == 0) return static_cast<std::uint16_t>(c + 1);
  if (c >= 0x179 && c <= 0x17E && (c & 1) != 0) return static_cast<std::uint16_t>(c + 1);
  return c;
}

unsigned char upcase_byte(unsigned char c) noexcept {
  return c >= 'a' && c <= 'z' ? static_cast<unsigned char>(c - 0x20) : c;
}

LONG compare_units(const WCHAR* a, std::size_t na, const WCHAR* b, std::size_t nb,
                   bool ci) noexcept {
  const std::size_t n = na < nb ? na : nb;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t x = static_cast<std::uint16_t>(a[i]);
    std::uint16_t y = static_cast<std::uint16_t>(b[i]);
    if (ci) x = upcase(x), y = upcase(y);
    if (x != y) return static_cast<LONG>(x) - static_cast<LONG>(y);
  }
  return static_cast<LONG>(na) - static_cast<LONG>(nb);
}

LONG compare_bytes(const char* a, std::size_t na, const char* b, std::size_t nb, bool ci) noexcept {
  const std::size_t n = na < nb ? na : nb;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (ci) x = upcase_byte(x), y = upcase_byte(y);
    if (x != y) return static_cast<LONG>(x) - static_cast<LONG>(y);
  }
  return static_cast<LONG>(na) - static_cast<LONG>(nb);
}

void terminate_if_room(PUNICODE_STRING s) noexcept {
  if (static_cast<std::size_t>(s->Length) + sizeof(WCHAR) <= s->MaximumLength) {
    s->Buffer[s->Length / sizeof(WCHAR)] = UNICODE_NULL;
  }
}

int digit_value(std::uint32_t c) noexcept {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'z') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'Z') return static_cast<int>(c - 'A' + 10);
  return 99;
}

// Windows' RtlCharToInteger rules: leading white space, a sign, a 0x/0o/0b prefix when
// the base is 0; conversion stops at the first character that is not a digit.
template <class GetUnit>
NTSTATUS parse_integer(std::size_t n, GetUnit unit, ULONG base, PULONG value) noexcept {
  if (base != 0 && base != 2 && base != 8 && base != 10 && base != 16)
    return STATUS_INVALID_PARAMETER;
  if (value == nullptr) return STATUS_ACCESS_VIOLATION;
  std::size_t i = 0;
  while (i < n && unit(i) <= ' ' && unit(i) != 0) ++i;
  bool negative = false;
  if (i < n && (unit(i) == '+' || unit(i) == '-')) negative = unit(i++) == '-';
  if (base == 0) {
    base = 10;
    if (i + 1 < n && unit(i) == '0') {
      const std::uint32_t p = unit(i + 1);
      if (p == 'x' || p == 'X')
        base = 16, i += 2;
      else if (p == 'o' || p == 'O')
        base = 8, i += 2;
      else if (p == 'b' || p == 'B')
        base = 2, i += 2;
    }
  }
  ULONG result = 0;
  for (; i < n; ++i) {
    const int d = digit_value(unit(i));
    if (d >= static_cast<int>(base)) break;
    result = result * base + static_cast<ULONG>(d);
  }
  *value = negative ? static_cast<ULONG>(0U - result) : result;
  return STATUS_SUCCESS;
}

PWCH allocate_units(std::size_t bytes) noexcept {
  return static_cast<PWCH>(ExAllocatePoolWithTag(PagedPool, bytes, kStringTag));
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;
namespace text = wskport::km::text;

extern "C" {

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
  if (SourceString == nullptr) {
    DestinationString->Length = DestinationString->MaximumLength = 0;
    DestinationString->Buffer = nullptr;
    return;
  }
  std::size_t bytes = text::wide_length(SourceString, kMaxUnicodeBytes / 2) * sizeof(WCHAR);
  DestinationString->Length = static_cast<USHORT>(bytes);
  DestinationString->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
  DestinationString->Buffer = const_cast<PWCH>(SourceString);
}

NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
  if (SourceString != nullptr &&
      text::wide_length(SourceString, kMaxUnicodeBytes / 2 + 1) > kMaxUnicodeBytes / 2) {
    return STATUS_NAME_TOO_LONG;
  }
  RtlInitUnicodeString(DestinationString, SourceString);
  return STATUS_SUCCESS;
}

VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString) {
  if (SourceString == nullptr) {
    DestinationString->Length = DestinationString->MaximumLength = 0;
    DestinationString->Buffer = nullptr;
    return;
  }
  const std::size_t n = text::narrow_length(SourceString, 0xFFFE);
  DestinationString->Length = static_cast<USHORT>(n);
  DestinationString->MaximumLength = static_cast<USHORT>(n + 1);
  DestinationString->Buffer = const_cast<PCHAR>(SourceString);
}

VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString) {
  RtlInitAnsiString(DestinationString, SourceString);
}

NTSTATUS RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString) {
  if (SourceString != nullptr && text::narrow_length(SourceString, 0xFFFF) > 0xFFFE) {
    return STATUS_NAME_TOO_LONG;
  }
  RtlInitAnsiString(DestinationString, SourceString);
  return STATUS_SUCCESS;
}

VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString) {
  if (SourceString == nullptr) {
    DestinationString->Length = 0;
    return;
  }
  USHORT n = SourceString->Length < DestinationString->MaximumLength
                 ? SourceString->Length
                 : DestinationString->MaximumLength;
  n = static_cast<USHORT>(n & ~1U);
  std::memmove(DestinationString->Buffer, SourceString->Buffer, n);
  DestinationString->Length = n;
  terminate_if_room(DestinationString);
}

VOID RtlCopyString(PSTRING DestinationString, const STRING* SourceString) {
  if (SourceString == nullptr) {
    DestinationString->Length = 0;
    return;
  }
  const USHORT n = SourceString->Length < DestinationString->MaximumLength
                       ? SourceString->Length
                       : DestinationString->MaximumLength;
  std::memmove(DestinationString->Buffer, SourceString->Buffer, n);
  DestinationString->Length = n;
  if (n < DestinationString->MaximumLength) DestinationString->Buffer[n] = 0;
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source) {
  if (Source == nullptr || Source->Length == 0) return STATUS_SUCCESS;
  const std::size_t total = static_cast<std::size_t>(Destination->Length) + Source->Length;
  if (total > Destination->MaximumLength) return STATUS_BUFFER_TOO_SMALL;
  std::memmove(reinterpret_cast<char*>(Destination->Buffer) + Destination->Length, Source->Buffer,
               Source->Length);
  Destination->Length = static_cast<USHORT>(total);
  terminate_if_room(Destination);
  return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source) {
  if (Source == nullptr) return STATUS_SUCCESS;
  UNICODE_STRING s;
  RtlInitUnicodeString(&s, Source);
  return RtlAppendUnicodeStringToString(Destination, &s);
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                             BOOLEAN CaseInSensitive) {
  return compare_units(String1->Buffer, String1->Length / sizeof(WCHAR), String2->Buffer,
                       String2->Length / sizeof(WCHAR), CaseInSensitive != FALSE);
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                              BOOLEAN CaseInSensitive) {
  return String1->Length == String2->Length &&
                 RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0
             ? TRUE
             : FALSE;
}

BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                               BOOLEAN CaseInSensitive) {
  if (String1->Length > String2->Length) return FALSE;
  const std::size_t n = String1->Length / sizeof(WCHAR);
  return compare_units(String1->Buffer, n, String2->Buffer, n, CaseInSensitive != FALSE) == 0
             ? TRUE
             : FALSE;
}

LONG RtlCompareString(const STRING* String1, const STRING* String2, BOOLEAN CaseInSensitive) {
  return compare_bytes(String1->Buffer, String1->Length, String2->Buffer, String2->Length,
                       CaseInSensitive != FALSE);
}

BOOLEAN RtlEqualString(const STRING* String1, const STRING* String2, BOOLEAN CaseInSensitive) {
  return String1->Length == String2->Length &&
                 RtlCompareString(String1, String2, CaseInSensitive) == 0
             ? TRUE
             : FALSE;
}

ULONG RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString) {
  return static_cast<ULONG>(text::utf8_size(UnicodeString->Buffer, UnicodeString->Length / 2) + 1);
}

ULONG RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString) {
  return static_cast<ULONG>((text::utf16_size(AnsiString->Buffer, AnsiString->Length) + 1) *
                            sizeof(WCHAR));
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString) {
  const std::size_t units = SourceString->Length / sizeof(WCHAR);
  const std::size_t needed = text::utf8_size(SourceString->Buffer, units) + 1;  // with NUL
  if (needed > 0xFFFF) return STATUS_INVALID_PARAMETER_2;
  NTSTATUS status = STATUS_SUCCESS;
  std::size_t room = needed;
  if (AllocateDestinationString) {
    DestinationString->Buffer =
        static_cast<PCHAR>(ExAllocatePoolWithTag(PagedPool, needed, kStringTag));
    if (DestinationString->Buffer == nullptr) return STATUS_NO_MEMORY;
    DestinationString->MaximumLength = static_cast<USHORT>(needed);
  } else if (needed > DestinationString->MaximumLength) {
    if (DestinationString->MaximumLength == 0) return STATUS_BUFFER_OVERFLOW;
    status = STATUS_BUFFER_OVERFLOW;
    room = DestinationString->MaximumLength;
  }
  text::Output out(DestinationString->Buffer, room - 1);
  out.utf16(SourceString->Buffer, units);
  DestinationString->Length = static_cast<USHORT>(out.stored());
  DestinationString->Buffer[out.stored()] = 0;
  return status;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                      BOOLEAN AllocateDestinationString) {
  const std::size_t units = text::utf16_size(SourceString->Buffer, SourceString->Length);
  const std::size_t needed = (units + 1) * sizeof(WCHAR);
  if (needed > 0xFFFE) return STATUS_INVALID_PARAMETER_2;
  if (AllocateDestinationString) {
    DestinationString->Buffer = allocate_units(needed);
    if (DestinationString->Buffer == nullptr) return STATUS_NO_MEMORY;
    DestinationString->MaximumLength = static_cast<USHORT>(needed);
  } else if (needed > DestinationString->MaximumLength) {
    return STATUS_BUFFER_OVERFLOW;
  }
  text::Output out(DestinationString->Buffer, units);
  out.bytes(SourceString->Buffer, SourceString->Length);
  DestinationString->Length = static_cast<USHORT>(units * sizeof(WCHAR));
  DestinationString->Buffer[units] = UNICODE_NULL;
  return STATUS_SUCCESS;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString) {
  if (UnicodeString->Buffer != nullptr) ExFreePool(UnicodeString->Buffer);
  UnicodeString->Buffer = nullptr;
  UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID RtlFreeAnsiString(PANSI_STRING AnsiString) {
  if (AnsiString->Buffer != nullptr) ExFreePool(AnsiString->Buffer);
  AnsiString->Buffer = nullptr;
  AnsiString->Length = AnsiString->MaximumLength = 0;
}

BOOLEAN RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
  const std::size_t units = text::wide_length(SourceString, kMaxUnicodeBytes / 2 + 1);
  if (units > kMaxUnicodeBytes / 2) return FALSE;
  const std::size_t bytes = (units + 1) * sizeof(WCHAR);
  DestinationString->Buffer = allocate_units(bytes);
  if (DestinationString->Buffer == nullptr) return FALSE;
  std::memcpy(DestinationString->Buffer, SourceString, bytes);
  DestinationString->Length = static_cast<USHORT>(units * sizeof(WCHAR));
  DestinationString->MaximumLength = static_cast<USHORT>(bytes);
  return TRUE;
}

NTSTATUS RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn,
                                   PUNICODE_STRING StringOut) {
  if (StringIn == nullptr || StringOut == nullptr ||
      (Flags & ~ULONG{RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE |
                      RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING}) != 0 ||
      (StringIn->Length & 1) != 0) {
    return STATUS_INVALID_PARAMETER;
  }
  const bool terminate = (Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE) != 0;
  if (StringIn->Length == 0 && (Flags & RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING) == 0) {
    StringOut->Length = StringOut->MaximumLength = 0;
    StringOut->Buffer = nullptr;
    return STATUS_SUCCESS;
  }
  const std::size_t bytes = StringIn->Length + (terminate ? sizeof(WCHAR) : 0);
  if (bytes > 0xFFFE) return STATUS_NAME_TOO_LONG;
  StringOut->Buffer = allocate_units(bytes == 0 ? sizeof(WCHAR) : bytes);
  if (StringOut->Buffer == nullptr) return STATUS_NO_MEMORY;
  std::memcpy(StringOut->Buffer, StringIn->Buffer, StringIn->Length);
  StringOut->Length = StringIn->Length;
  StringOut->MaximumLength = static_cast<USHORT>(bytes);
  if (terminate) StringOut->Buffer[StringIn->Length / sizeof(WCHAR)] = UNICODE_NULL;
  return STATUS_SUCCESS;
}

WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter) {
  return static_cast<WCHAR>(upcase(static_cast<std::uint16_t>(SourceCharacter)));
}

WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter) {
  return static_cast<WCHAR>(downcase(static_cast<std::uint16_t>(SourceCharacter)));
}

NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                BOOLEAN AllocateDestinationString) {
  if (AllocateDestinationString) {
    DestinationString->Buffer =
        allocate_units(SourceString->Length == 0 ? 2 : SourceString->Length);
    if (DestinationString->Buffer == nullptr) return STATUS_NO_MEMORY;
    DestinationString->MaximumLength = SourceString->Length;
  } else if (SourceString->Length > DestinationString->MaximumLength) {
    return STATUS_BUFFER_OVERFLOW;
  }
  const std::size_t n = SourceString->Length / sizeof(WCHAR);
  for (std::size_t i = 0; i < n; ++i) {
    DestinationString->Buffer[i] = RtlUpcaseUnicodeChar(SourceString->Buffer[i]);
  }
  DestinationString->Length = static_cast<USHORT>(n * sizeof(WCHAR));
  return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value) {
  const WCHAR* s = String->Buffer;
  return parse_integer(
      String->Length / sizeof(WCHAR),
      [s](std::size_t i) { return static_cast<std::uint32_t>(static_cast<std::uint16_t>(s[i])); },
      Base, Value);
}

NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value) {
  return parse_integer(
      text::narrow_length(String, SIZE_MAX),
      [String](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(String[i]));
      },
      Base, Value);
}

NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String) {
  if (Base == 0) Base = 10;
  if (Base != 2 && Base != 8 && Base != 10 && Base != 16) return STATUS_INVALID_PARAMETER;
  char digits[33];
  std::size_t n = 0;
  do {
    digits[n++] = "0123456789ABCDEF"[Value % Base];
    Value /= Base;
  } while (Value != 0);
  if ((n + 1) * sizeof(WCHAR) > String->MaximumLength) return STATUS_BUFFER_OVERFLOW;
  for (std::size_t i = 0; i < n; ++i) String->Buffer[i] = static_cast<WCHAR>(digits[n - 1 - i]);
  String->Buffer[n] = UNICODE_NULL;
  String->Length = static_cast<USHORT>(n * sizeof(WCHAR));
  return STATUS_SUCCESS;
}

SIZE_T RtlCompareMemory(const VOID* Source1, const VOID* Source2, SIZE_T Length) {
  const auto* a = static_cast<const unsigned char*>(Source1);
  const auto* b = static_cast<const unsigned char*>(Source2);
  SIZE_T i = 0;
  while (i < Length && a[i] == b[i]) ++i;
  return i;
}

PVOID WskportSecureZeroMemory(PVOID Destination, SIZE_T Length) {
  volatile unsigned char* p = static_cast<volatile unsigned char*>(Destination);
  for (SIZE_T i = 0; i < Length; ++i) p[i] = 0;
  return Destination;
}

}  // extern "C"
