/* SPDX-License-Identifier: MIT */
/* Header rot check (C11): every km header compiles, the Windows data model holds, and
 * the kernel idioms that depend on compiler flags (anonymous members, L"" into WCHAR,
 * multichar pool tags) compile. Built by the km_headers_compile target; not linked. */
#include "km_all_headers.h"

C_ASSERT(sizeof(CHAR) == 1 && sizeof(UCHAR) == 1 && sizeof(BOOLEAN) == 1);
C_ASSERT(sizeof(SHORT) == 2 && sizeof(USHORT) == 2 && sizeof(WCHAR) == 2);
C_ASSERT(sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(NTSTATUS) == 4);
C_ASSERT(sizeof(LONGLONG) == 8 && sizeof(ULONGLONG) == 8 && sizeof(LARGE_INTEGER) == 8);
C_ASSERT(sizeof(ULONG_PTR) == sizeof(void*) && sizeof(SIZE_T) == sizeof(void*));
C_ASSERT(sizeof(L"ab") == 3 * sizeof(WCHAR));
C_ASSERT(FIELD_OFFSET(IRP, IoStatus) == 0);
C_ASSERT(FIELD_OFFSET(UNICODE_STRING, Buffer) == sizeof(void*));
C_ASSERT(STATUS_PENDING == 0x103 && STATUS_MORE_PROCESSING_REQUIRED == (NTSTATUS)0xC0000016L);

typedef struct _WSKPORT_CHECK_RECORD {
  ULONG Value;
  LIST_ENTRY Link;
} WSKPORT_CHECK_RECORD;

static const UNICODE_STRING wskport_check_name = RTL_CONSTANT_STRING(L"\\Device\\Check");
DECLARE_CONST_UNICODE_STRING(wskport_check_const, L"abc");

/* The echo server sample's listening address: IN6ADDR_ANY_INIT inside an initialiser. */
static SOCKADDR_IN6 wskport_check_listen = {AF_INET6, 0x479c, 0, IN6ADDR_ANY_INIT, {0}};

/* SEH as kernel code writes it. */
static NTSTATUS wskport_check_seh(PMDL mdl) {
  NTSTATUS status = STATUS_SUCCESS;
  __try {
    if (mdl == NULL) __leave;
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    status = GetExceptionCode();
  }
  __try {
    status = STATUS_PENDING;
  } __finally {
    if (AbnormalTermination()) status = STATUS_UNSUCCESSFUL;
  }
  return status;
}

ULONG wskport_km_headers_check_c(void);
ULONG wskport_km_headers_check_c(void) {
  LIST_ENTRY head;
  WSKPORT_CHECK_RECORD record;
  LARGE_INTEGER li;
  ULONG tag = 'tseT';
  IRP* irp = NULL;
  PAGED_CODE();
  InitializeListHead(&head);
  record.Value = wskport_check_name.Length + wskport_check_const.Length;
  InsertTailList(&head, &record.Link);
  li.QuadPart = -10000;
  li.LowPart += 1;
  UNREFERENCED_PARAMETER(irp);
  ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
  {
    ULONG index = 0;
    struct addrinfo hints = {0};
    hints.ai_flags = AI_PASSIVE;
    return CONTAINING_RECORD(head.Flink, WSKPORT_CHECK_RECORD, Link)->Value + tag + li.u.LowPart +
           (ULONG)wcslen(L"abc") + (ULONG)_BitScanForward(&index, 8) + index +
           (ULONG)wskport_check_seh(NULL) + wskport_check_listen.sin6_port + (ULONG)hints.ai_flags +
           (ULONG)Int32x32To64(2, 3) + (ULONG)_countof(hints.ai_addr->sa_data);
  }
}
