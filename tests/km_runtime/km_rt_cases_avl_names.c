/* SPDX-License-Identifier: MIT */
/* RTL_USE_AVL_TABLES: a driver that defines it before ntddk.h writes the generic-table
 * names and gets the AVL table, as with the WDK. */
#define RTL_USE_AVL_TABLES 0
#include "km_rt_check.h"

typedef struct _PAIR {
  ULONG Key;
  ULONG Value;
} PAIR;

static RTL_GENERIC_COMPARE_ROUTINE PairCompare;
static RTL_GENERIC_COMPARE_RESULTS NTAPI PairCompare(PRTL_GENERIC_TABLE Table, PVOID First,
                                                     PVOID Second) {
  ULONG a = ((PAIR*)First)->Key, b = ((PAIR*)Second)->Key;
  UNREFERENCED_PARAMETER(Table);
  return a < b ? GenericLessThan : a > b ? GenericGreaterThan : GenericEqual;
}

static RTL_GENERIC_ALLOCATE_ROUTINE PairAllocate;
static PVOID NTAPI PairAllocate(PRTL_GENERIC_TABLE Table, CLONG ByteSize) {
  UNREFERENCED_PARAMETER(Table);
  return ExAllocatePoolWithTag(NonPagedPoolNx, ByteSize, 'riaP');
}

static RTL_GENERIC_FREE_ROUTINE PairFree;
static VOID NTAPI PairFree(PRTL_GENERIC_TABLE Table, PVOID Buffer) {
  UNREFERENCED_PARAMETER(Table);
  ExFreePoolWithTag(Buffer, 'riaP');
}

int km_rt_avl_table_generic_names(void) {
  RTL_GENERIC_TABLE table;
  PAIR pair;
  PAIR* found;
  ULONG i;
  C_ASSERT(sizeof(RTL_GENERIC_TABLE) == sizeof(RTL_AVL_TABLE));
  RtlInitializeGenericTable(&table, PairCompare, PairAllocate, PairFree, NULL);
  for (i = 0; i < 100; ++i) {
    pair.Key = (i * 37) % 100;
    pair.Value = pair.Key + 1000;
    CHECK(RtlInsertElementGenericTable(&table, &pair, sizeof pair, NULL) != NULL);
  }
  CHECK_EQ(100, RtlNumberGenericTableElements(&table));
  CHECK(table.DepthOfTree <= 8); /* an AVL field: balanced (100 nodes) */
  pair.Key = 42;
  found = (PAIR*)RtlLookupElementGenericTable(&table, &pair);
  CHECK(found != NULL && found->Value == 1042);
  /* Collation order. */
  i = 0;
  for (found = (PAIR*)RtlEnumerateGenericTable(&table, TRUE); found != NULL;
       found = (PAIR*)RtlEnumerateGenericTable(&table, FALSE)) {
    CHECK_EQ(i, found->Key);
    ++i;
  }
  CHECK_EQ(100, i);
  while ((found = (PAIR*)RtlGetElementGenericTable(&table, 0)) != NULL) {
    CHECK_EQ(TRUE, RtlDeleteElementGenericTable(&table, found));
  }
  CHECK_EQ(TRUE, RtlIsGenericTableEmpty(&table));
  return 0;
}
