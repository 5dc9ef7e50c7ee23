// SPDX-License-Identifier: MIT
// Header rot check (C++20): every km header compiles as C++, and the IRP layout the
// runtime relies on holds. Built by the km_headers_compile target; not linked.
#include "km_all_headers.h"

static_assert(sizeof(WCHAR) == 2 && sizeof(wchar_t) == 2);
static_assert(sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(NTSTATUS) == 4);
static_assert(sizeof(ULONG_PTR) == sizeof(void*));
static_assert(offsetof(IRP, IoStatus) == 0);
static_assert(alignof(IRP) >= 8);

namespace {
const UNICODE_STRING kName = RTL_CONSTANT_STRING(L"\\Device\\Check");
DECLARE_CONST_UNICODE_STRING(kConst, L"abc");
}  // namespace

extern "C" ULONG wskport_km_headers_check_cpp();
extern "C" ULONG wskport_km_headers_check_cpp() {
  LIST_ENTRY head;
  InitializeListHead(&head);
  ULONG tag = 'tseT';
  LARGE_INTEGER li;
  li.QuadPart = -10000;
  return static_cast<ULONG>(kName.Length + kConst.Length) + tag + li.LowPart +
         (IsListEmpty(&head) ? 1U : 0U);
}
