// SPDX-License-Identifier: MIT
// Header rot check (C++20): every km header compiles as C++, and the IRP layout the
// runtime relies on holds. Built by the km_headers_compile target; not linked.
// As ntdef.h on Windows, the km headers define min and max macros unless NOMINMAX is
// set; a C++ file that includes standard headers after them sets it (as it would with
// the WDK).
#define NOMINMAX
#include "km_all_headers.h"

// Standard headers after the km ones: <cwchar> must keep the 16-bit routing (it was read
// first, by wskport_km_base.h), and libstdc++'s own __try/__catch (used inside <vector>
// and <string>) must still compile with the km SEH definitions in place.
#include <cwchar>
#include <string>
#include <vector>

static_assert(sizeof(WCHAR) == 2 && sizeof(wchar_t) == 2);
static_assert(sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(NTSTATUS) == 4);
static_assert(sizeof(ULONG_PTR) == sizeof(void*));
static_assert(offsetof(IRP, IoStatus) == 0);
static_assert(alignof(IRP) >= 8);

namespace {
const UNICODE_STRING kName = RTL_CONSTANT_STRING(L"\\Device\\Check");
DECLARE_CONST_UNICODE_STRING(kConst, L"abc");
}  // namespace

// SEH as a C++ driver writes it; libwsk does `Status = GetExceptionCode();` in a handler.
static NTSTATUS wskport_check_seh(std::vector<int>& v) {
  NTSTATUS status = STATUS_SUCCESS;
  __try {
    v.push_back(1);
    if (v.size() > 1) __leave;
    v.push_back(2);
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    status = GetExceptionCode();
  }
  __try {
    v.push_back(3);
  } __finally {
    v.push_back(4);
  }
  return status;
}

extern "C" ULONG wskport_km_headers_check_cpp();
extern "C" ULONG wskport_km_headers_check_cpp() {
  LIST_ENTRY head;
  InitializeListHead(&head);
  ULONG tag = 'tseT';
  LARGE_INTEGER li;
  li.QuadPart = -10000;
  std::vector<int> v;
  const std::wstring text(L"abc");  // constructed, never used with the C++ wide library
  return static_cast<ULONG>(kName.Length + kConst.Length) + tag + li.LowPart +
         (IsListEmpty(&head) ? 1U : 0U) + static_cast<ULONG>(std::wcslen(L"abc")) +
         static_cast<ULONG>(wcsnlen(L"abcd", 2)) + static_cast<ULONG>(wskport_check_seh(v)) +
         static_cast<ULONG>(text.empty() ? 0 : 1);
}
