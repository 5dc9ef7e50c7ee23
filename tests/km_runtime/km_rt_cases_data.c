/* SPDX-License-Identifier: MIT */
/* Lists, lookaside lists, pool, counted strings, ntstrsafe and the printf engine's
 * Windows semantics, as kernel code uses them. */
#include "km_rt_check.h"

typedef struct _ITEM {
  ULONG Value;
  LIST_ENTRY Link;
  SINGLE_LIST_ENTRY Single;
} ITEM;

int km_rt_lists(void) {
  LIST_ENTRY head;
  SINGLE_LIST_ENTRY single;
  KSPIN_LOCK lock;
  ITEM items[4];
  PLIST_ENTRY entry;
  ULONG i;
  for (i = 0; i < 4; ++i) items[i].Value = i;
  InitializeListHead(&head);
  KeInitializeSpinLock(&lock);
  CHECK(IsListEmpty(&head));
  InsertTailList(&head, &items[1].Link);
  InsertHeadList(&head, &items[0].Link);
  InsertTailList(&head, &items[2].Link);
  CHECK(!IsListEmpty(&head));
  CHECK_EQ(0, CONTAINING_RECORD(head.Flink, ITEM, Link)->Value);
  CHECK_EQ(2, CONTAINING_RECORD(head.Blink, ITEM, Link)->Value);
  CHECK_EQ(FALSE, RemoveEntryList(&items[1].Link));
  entry = RemoveTailList(&head);
  CHECK_EQ(2, CONTAINING_RECORD(entry, ITEM, Link)->Value);
  entry = RemoveHeadList(&head);
  CHECK_EQ(0, CONTAINING_RECORD(entry, ITEM, Link)->Value);
  CHECK(IsListEmpty(&head));
  /* Interlocked variants return the former first/last entry, NULL when empty. */
  CHECK(ExInterlockedInsertHeadList(&head, &items[0].Link, &lock) == NULL);
  CHECK(ExInterlockedInsertTailList(&head, &items[1].Link, &lock) == &items[0].Link);
  CHECK(ExInterlockedInsertHeadList(&head, &items[2].Link, &lock) == &items[0].Link);
  CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &items[2].Link);
  CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &items[0].Link);
  CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &items[1].Link);
  CHECK(ExInterlockedRemoveHeadList(&head, &lock) == NULL);
  /* Singly linked. */
  single.Next = NULL;
  PushEntryList(&single, &items[0].Single);
  PushEntryList(&single, &items[1].Single);
  CHECK(ExInterlockedPushEntryList(&single, &items[2].Single, &lock) == &items[1].Single);
  CHECK(PopEntryList(&single) == &items[2].Single);
  CHECK(ExInterlockedPopEntryList(&single, &lock) == &items[1].Single);
  CHECK(PopEntryList(&single) == &items[0].Single);
  CHECK(PopEntryList(&single) == NULL);
  return 0;
}

typedef struct DECLSPEC_ALIGN(16) _SITEM {
  SLIST_ENTRY Entry;
  ULONG Value;
} SITEM;

int km_rt_slist(void) {
  SLIST_HEADER head;
  SITEM items[3];
  PSLIST_ENTRY chain;
  InitializeSListHead(&head);
  CHECK_EQ(0, ExQueryDepthSList(&head));
  CHECK(InterlockedPopEntrySList(&head) == NULL);
  CHECK(InterlockedPushEntrySList(&head, &items[0].Entry) == NULL);
  CHECK(InterlockedPushEntrySList(&head, &items[1].Entry) == &items[0].Entry);
  CHECK(ExInterlockedPushEntrySList(&head, &items[2].Entry, NULL) == &items[1].Entry);
  CHECK_EQ(3, QueryDepthSList(&head));
  CHECK(FirstEntrySList(&head) == &items[2].Entry);
  CHECK(InterlockedPopEntrySList(&head) == &items[2].Entry);
  chain = InterlockedFlushSList(&head);
  CHECK(chain == &items[1].Entry && chain->Next == &items[0].Entry);
  CHECK_EQ(0, ExQueryDepthSList(&head));
  return 0;
}

static LONG g_allocs, g_frees;
static PVOID CountingAllocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  InterlockedIncrement(&g_allocs);
  return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}
static VOID CountingFree(PVOID Buffer) {
  InterlockedIncrement(&g_frees);
  ExFreePoolWithTag(Buffer, 'tsLL');
}

int km_rt_lookaside(void) {
  NPAGED_LOOKASIDE_LIST npaged;
  PAGED_LOOKASIDE_LIST paged;
  LOOKASIDE_LIST_EX ex;
  PVOID a, b, c;
  LONGLONG before = WskportPoolOutstanding();
  g_allocs = g_frees = 0;
  ExInitializeNPagedLookasideList(&npaged, CountingAllocate, CountingFree, 0, 48, 'tsLL', 0);
  a = ExAllocateFromNPagedLookasideList(&npaged);
  b = ExAllocateFromNPagedLookasideList(&npaged);
  CHECK(a != NULL && b != NULL && a != b);
  CHECK_EQ(2, g_allocs);
  RtlFillMemory(a, 48, 0xAB);
  ExFreeToNPagedLookasideList(&npaged, a);
  c = ExAllocateFromNPagedLookasideList(&npaged);
  CHECK(c == a); /* the cached block comes back */
  CHECK_EQ(2, g_allocs);
  ExFreeToNPagedLookasideList(&npaged, b);
  ExFreeToNPagedLookasideList(&npaged, c);
  CHECK_EQ(0, g_frees);
  ExDeleteNPagedLookasideList(&npaged);
  CHECK_EQ(2, g_frees);
  CHECK_EQ(before, WskportPoolOutstanding());

  ExInitializePagedLookasideList(&paged, NULL, NULL, 0, 100, 'gaPL', 0);
  a = ExAllocateFromPagedLookasideList(&paged);
  CHECK(a != NULL);
  ExFreeToPagedLookasideList(&paged, a);
  ExDeletePagedLookasideList(&paged);
  CHECK_EQ(before, WskportPoolOutstanding());

  CHECK_EQ(STATUS_SUCCESS,
           ExInitializeLookasideListEx(&ex, NULL, NULL, NonPagedPoolNx, 0, 24, 'xELL', 0));
  a = ExAllocateFromLookasideListEx(&ex);
  CHECK(a != NULL);
  ExFreeToLookasideListEx(&ex, a);
  ExDeleteLookasideListEx(&ex);
  CHECK_EQ(before, WskportPoolOutstanding());
  CHECK_EQ(STATUS_INVALID_PARAMETER_5,
           ExInitializeLookasideListEx(&ex, NULL, NULL, NonPagedPoolNx, 0x100, 24, 'xELL', 0));
  return 0;
}

int km_rt_pool(void) {
  LONGLONG before = WskportPoolOutstanding();
  UCHAR* p;
  SIZE_T i;
  int zero = 1;
  p = (UCHAR*)ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, 'tseT');
  CHECK(p != NULL);
  CHECK(((ULONG_PTR)p & (MEMORY_ALLOCATION_ALIGNMENT - 1)) == 0);
  for (i = 0; i < 256; ++i) zero &= p[i] == 0;
  CHECK(zero);
  CHECK_EQ(before + 1, WskportPoolOutstanding());
  ExFreePoolWithTag(p, 'tseT');
  p = (UCHAR*)ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED, 16, 'tseT');
  CHECK(p != NULL);
  ExFreePool(p);
  p = (UCHAR*)ExAllocatePoolZero(NonPagedPoolNx, 64, 'tseT');
  CHECK(p != NULL && p[0] == 0 && p[63] == 0);
  ExFreePool(p);
  p = (UCHAR*)ExAllocatePool(NonPagedPool, 0);
  CHECK(p != NULL);
  ExFreePoolWithTag(p, 'enoN');
  CHECK(ExAllocatePool2(0, 16, 'tseT') == NULL); /* no pool kind */
  CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 16, 'tseT') == NULL);
  CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0) == NULL); /* tag 0 */
  CHECK_EQ(before, WskportPoolOutstanding());
  return 0;
}

int km_rt_pool_tag_mismatch(void) {
  PVOID p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'dooG');
  CHECK(p != NULL);
  ExFreePoolWithTag(p, 'daB_'); /* reported; the block is still freed */
  return 0;
}

int km_rt_unicode_string(void) {
  UNICODE_STRING a, b, copy;
  ANSI_STRING ansi;
  WCHAR buffer[8];
  CHAR small[4];
  const UNICODE_STRING constant = RTL_CONSTANT_STRING(L"Wsk\x00e9");
  DECLARE_CONST_UNICODE_STRING(declared, L"abc");
  DECLARE_UNICODE_STRING_SIZE(sized, 16);
  RtlInitUnicodeString(&a, L"Hello");
  CHECK_EQ(10, a.Length);
  CHECK_EQ(12, a.MaximumLength);
  RtlInitUnicodeString(&b, NULL);
  CHECK(b.Length == 0 && b.MaximumLength == 0 && b.Buffer == NULL);
  CHECK_EQ(8, constant.Length);
  CHECK_EQ(10, constant.MaximumLength);
  CHECK_EQ(6, declared.Length);
  CHECK_EQ(0, sized.Length);
  CHECK_EQ(32, sized.MaximumLength);
  RtlInitUnicodeString(&b, L"hELLO");
  CHECK(RtlEqualUnicodeString(&a, &b, TRUE));
  CHECK(!RtlEqualUnicodeString(&a, &b, FALSE));
  CHECK(RtlCompareUnicodeString(&a, &b, FALSE) < 0); /* 'H' < 'h' */
  CHECK_EQ(0, RtlCompareUnicodeString(&a, &b, TRUE));
  RtlInitUnicodeString(&b, L"Hell");
  CHECK(RtlCompareUnicodeString(&a, &b, FALSE) > 0); /* the prefix sorts first */
  CHECK(RtlPrefixUnicodeString(&b, &a, FALSE));
  /* Copy truncates to the destination and terminates when there is room. */
  copy.Buffer = buffer;
  copy.Length = 0;
  copy.MaximumLength = sizeof buffer;
  RtlCopyUnicodeString(&copy, &a);
  CHECK_EQ(10, copy.Length);
  CHECK(buffer[5] == 0);
  copy.MaximumLength = 6;
  RtlCopyUnicodeString(&copy, &a);
  CHECK_EQ(6, copy.Length);
  copy.MaximumLength = sizeof buffer;
  RtlCopyUnicodeString(&copy, &b);
  CHECK_EQ(STATUS_BUFFER_TOO_SMALL, RtlAppendUnicodeStringToString(&copy, &a));
  RtlInitUnicodeString(&b, L"!");
  CHECK_EQ(STATUS_SUCCESS, RtlAppendUnicodeStringToString(&copy, &b));
  CHECK_EQ(10, copy.Length);
  /* UTF-16 <-> UTF-8 ("ANSI"), allocating. */
  CHECK_EQ(STATUS_SUCCESS, RtlUnicodeStringToAnsiString(&ansi, &constant, TRUE));
  CHECK_EQ(5, ansi.Length);
  CHECK_STR("Wsk\xc3\xa9", ansi.Buffer);
  CHECK_EQ(STATUS_SUCCESS, RtlAnsiStringToUnicodeString(&copy, &ansi, TRUE));
  CHECK(RtlEqualUnicodeString(&copy, &constant, FALSE));
  RtlFreeUnicodeString(&copy);
  CHECK(copy.Buffer == NULL);
  RtlFreeAnsiString(&ansi);
  /* Not allocating: too small -> STATUS_BUFFER_OVERFLOW with what fits. */
  ansi.Buffer = small;
  ansi.Length = 0;
  ansi.MaximumLength = sizeof small;
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlUnicodeStringToAnsiString(&ansi, &a, FALSE));
  CHECK_EQ(3, ansi.Length);
  CHECK_STR("Hel", small);
  /* Latin-1 fallback for bytes that are not UTF-8. */
  RtlInitAnsiString(&ansi, "\xe9t\xe9");
  CHECK_EQ(STATUS_SUCCESS, RtlAnsiStringToUnicodeString(&copy, &ansi, TRUE));
  CHECK_EQ(6, copy.Length);
  CHECK(copy.Buffer[0] == 0xE9 && copy.Buffer[1] == L't');
  CHECK(RtlUpcaseUnicodeChar(copy.Buffer[0]) == 0xC9);
  RtlFreeUnicodeString(&copy);
  {
    ULONG value = 0;
    RtlInitUnicodeString(&a, L"  -0x1F");
    CHECK_EQ(STATUS_SUCCESS, RtlUnicodeStringToInteger(&a, 0, &value));
    CHECK_EQ(0xFFFFFFE1UL, value);
    copy.Buffer = buffer;
    copy.MaximumLength = sizeof buffer;
    CHECK_EQ(STATUS_SUCCESS, RtlIntegerToUnicodeString(1234, 10, &copy));
    CHECK_EQ(8, copy.Length);
    CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlIntegerToUnicodeString(0xFFFFFFFF, 2, &copy));
  }
  return 0;
}

int km_rt_strsafe(void) {
  char buf[8];
  WCHAR wbuf[4];
  size_t length = 99;
  static const char unterminated[4] = {'a', 'b', 'c', 'd'};
  CHECK_EQ(STATUS_SUCCESS, RtlStringCbPrintfA(buf, sizeof buf, "%d-%s", 12, "ab"));
  CHECK_STR("12-ab", buf);
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlStringCbPrintfA(buf, sizeof buf, "%s", "0123456789"));
  CHECK_STR("0123456", buf);
  CHECK_EQ(STATUS_INVALID_PARAMETER, RtlStringCbPrintfA(buf, 0, "x"));
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlStringCchCopyA(buf, 4, "abcdef"));
  CHECK_STR("abc", buf);
  CHECK_EQ(STATUS_SUCCESS, RtlStringCbCopyA(buf, sizeof buf, "abc"));
  CHECK_EQ(STATUS_SUCCESS, RtlStringCbCatA(buf, sizeof buf, "def"));
  CHECK_STR("abcdef", buf);
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlStringCbCatA(buf, sizeof buf, "ghi"));
  CHECK_STR("abcdefg", buf);
  CHECK_EQ(STATUS_SUCCESS, RtlStringCchCopyNA(buf, sizeof buf, "abcdef", 2));
  CHECK_STR("ab", buf);
  CHECK_EQ(STATUS_SUCCESS, RtlStringCchLengthA("hello", 10, &length));
  CHECK_EQ(5, length);
  CHECK_EQ(STATUS_INVALID_PARAMETER,
           RtlStringCchLengthA(unterminated, sizeof unterminated, &length));
  CHECK_EQ(0, length);
  CHECK_EQ(STATUS_SUCCESS, RtlStringCbLengthW(L"abc", 100, &length));
  CHECK_EQ(6, length);
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlStringCchCopyW(wbuf, 4, L"abcdef"));
  CHECK(wbuf[0] == L'a' && wbuf[2] == L'c' && wbuf[3] == 0);
  CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlStringCbPrintfW(wbuf, sizeof wbuf, L"%d", 12345));
  CHECK(wbuf[0] == L'1' && wbuf[2] == L'3' && wbuf[3] == 0);
  {
    UNICODE_STRING u;
    WCHAR storage[6];
    u.Buffer = storage;
    u.Length = 0;
    u.MaximumLength = sizeof storage;
    CHECK_EQ(STATUS_SUCCESS, RtlUnicodeStringPrintf(&u, L"%ws=%u", L"n", 42u));
    CHECK_EQ(8, u.Length);
    CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlUnicodeStringPrintf(&u, L"%d", 1234567));
    CHECK_EQ(12, u.Length);
    CHECK_EQ(STATUS_SUCCESS, RtlUnicodeStringCopyString(&u, L"ab"));
    CHECK_EQ(STATUS_SUCCESS, RtlUnicodeStringCatString(&u, L"cd"));
    CHECK_EQ(8, u.Length);
    CHECK_EQ(STATUS_BUFFER_OVERFLOW, RtlUnicodeStringCatString(&u, L"efg"));
    CHECK_EQ(12, u.Length);
  }
  return 0;
}

int km_rt_printf_semantics(void) {
  char buf[128];
  LONG negative = -5;
  ULONG big = 0xFFFFFFFFUL;
  LONGLONG huge = -1234567890123LL;
  SIZE_T size = 77;
  USHORT port = 0xFFFF;
  UNICODE_STRING name = RTL_CONSTANT_STRING(L"wide\x00e9");
  ANSI_STRING counted;
  RtlInitAnsiString(&counted, "counted");
  /* `l` is 32 bits (Windows long), `ll`/`I64` 64, `I`/`z` pointer-sized, `h` 16. */
  RtlStringCbPrintfA(buf, sizeof buf, "%ld %lu %lx %lld %I64d %Iu %zu %hu %hd", negative, big, big,
                     huge, huge, size, size, port, port);
  CHECK_STR("-5 4294967295 ffffffff -1234567890123 -1234567890123 77 77 65535 -1", buf);
  RtlStringCbPrintfA(buf, sizeof buf, "[%5d][%-5d][%05d][%+d][% d][%x][%X][%#x][%o]", 42, 42, 42,
                     42, 42, 255, 255, 255, 8);
  CHECK_STR("[   42][42   ][00042][+42][ 42][ff][FF][0xff][10]", buf);
  RtlStringCbPrintfA(buf, sizeof buf, "%p", (PVOID)(ULONG_PTR)0xABCDEF);
  CHECK_STR(sizeof(PVOID) == 8 ? "0000000000ABCDEF" : "00ABCDEF", buf);
  /* Wide strings in an A function: %ws, %ls, %S; counted strings %wZ and %Z. */
  RtlStringCbPrintfA(buf, sizeof buf, "%ws|%ls|%S|%wZ|%Z|%hs", L"a\x00e9", L"b", L"c", &name,
                     &counted, "d");
  CHECK_STR("a\xc3\xa9|b|c|wide\xc3\xa9|counted|d", buf);
  RtlStringCbPrintfA(buf, sizeof buf, "[%c%C%wc][%.2s][%6.2s][%-4s]", 'x', L'y', L'z', "abcdef",
                     "abcdef", "ab");
  CHECK_STR("[xyz][ab][    ab][ab  ]", buf);
  RtlStringCbPrintfA(buf, sizeof buf, "%s|%ws|%wZ|%%|%*d|%.*d", (char*)NULL, (WCHAR*)NULL,
                     (PUNICODE_STRING)NULL, 4, 7, 3, 7);
  CHECK_STR("(null)|(null)|(null)|%|   7|007", buf);
  RtlStringCbPrintfA(buf, sizeof buf, "%.3f %e", 3.14159, 1000.0);
  CHECK_STR("3.142 1.000000e+03", buf);
  CHECK_EQ(STATUS_INVALID_PARAMETER, RtlStringCbPrintfA(buf, sizeof buf, "a%nb", (int*)&negative));
  return 0;
}

int km_rt_printf_wide(void) {
  WCHAR buf[64];
  WCHAR expected[] = L"w\x00e9|n\x00e9|x|-3|y|z";
  size_t i;
  /* W functions: %s is a WCHAR string, %S / %hs a char string (UTF-8 decoded). */
  CHECK_EQ(STATUS_SUCCESS, RtlStringCbPrintfW(buf, sizeof buf, L"%s|%S|%hs|%ld|%c|%C", L"w\x00e9",
                                              "n\xc3\xa9", "x", -3L, L'y', 'z'));
  for (i = 0; i < sizeof expected / sizeof expected[0]; ++i) CHECK_EQ(expected[i], buf[i]);
  return 0;
}

int km_rt_dbgprint(void) {
  UNICODE_STRING name = RTL_CONSTANT_STRING(L"drv");
  DbgPrint("km_rt: DbgPrint %wZ %d\n", &name, 1);
  DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "km_rt: error level shown\n");
  DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "km_rt: info level hidden\n");
  KdPrint(("km_rt: KdPrint %s\n", DBG ? "active" : "compiled out"));
  return 0;
}
