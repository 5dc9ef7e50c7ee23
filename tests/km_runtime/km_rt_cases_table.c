/* SPDX-License-Identifier: MIT */
/* The AVL and splay generic tables and the splay-link primitives: randomised inserts,
 * deletes and lookups checked against a reference set, with the tree's shape (links,
 * order, AVL balance and height bound) checked as it goes; enumeration, restart,
 * indexing and the Full / FirstMatching / LikeADirectory forms. */
#include "km_rt_check.h"

typedef struct _ELEMENT {
  ULONG Key;
  ULONG Payload; /* Key * 7 + 1 in the table; BUCKET_QUERY in a query */
} ELEMENT;

/* A query element with this payload compares Key / 10 only, so that several elements
 * match it (RtlLookupFirstMatchingElementGenericTableAvl). */
#define BUCKET_QUERY 0xFFFFFFFFu
#define KEYS 2048
#define OPS 20000
#define TABLE_TAG 'lbaT'
#define STATS_MAGIC 0x5AB1E5u

#define AVL_HEADER sizeof(RTL_BALANCED_LINKS)
#define SPLAY_HEADER (sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY))

typedef struct _TABLE_STATS {
  ULONG Magic;
  LONG Allocations;
  LONG Frees;
  ULONG LastSize;
  PVOID LastBlock;
  LONG FailNext;
  LONG Compares;
} TABLE_STATS;

static ULONG g_random;
static ULONG Next(void) {
  g_random ^= g_random << 13;
  g_random ^= g_random >> 17;
  g_random ^= g_random << 5;
  return g_random;
}

static ELEMENT Element(ULONG key) {
  ELEMENT e;
  e.Key = key;
  e.Payload = key * 7 + 1;
  return e;
}

static RTL_GENERIC_COMPARE_RESULTS CompareElements(const ELEMENT* a, const ELEMENT* b) {
  ULONG x = a->Key, y = b->Key;
  if (a->Payload == BUCKET_QUERY || b->Payload == BUCKET_QUERY) {
    x /= 10;
    y /= 10;
  }
  return x < y ? GenericLessThan : x > y ? GenericGreaterThan : GenericEqual;
}

static PVOID Allocate(TABLE_STATS* s, CLONG ByteSize) {
  PVOID block;
  if (s->Magic != STATS_MAGIC) return NULL;
  if (s->FailNext) {
    s->FailNext = 0;
    return NULL;
  }
  block = ExAllocatePoolWithTag(NonPagedPoolNx, ByteSize, TABLE_TAG);
  s->Allocations++;
  s->LastSize = ByteSize;
  s->LastBlock = block;
  return block;
}

static RTL_AVL_COMPARE_ROUTINE AvlCompare;
static RTL_GENERIC_COMPARE_RESULTS NTAPI AvlCompare(PRTL_AVL_TABLE Table, PVOID First,
                                                    PVOID Second) {
  ((TABLE_STATS*)Table->TableContext)->Compares++;
  return CompareElements((const ELEMENT*)First, (const ELEMENT*)Second);
}

static RTL_AVL_ALLOCATE_ROUTINE AvlAllocate;
static PVOID NTAPI AvlAllocate(PRTL_AVL_TABLE Table, CLONG ByteSize) {
  return Allocate((TABLE_STATS*)Table->TableContext, ByteSize);
}

static RTL_AVL_FREE_ROUTINE AvlFree;
static VOID NTAPI AvlFree(PRTL_AVL_TABLE Table, PVOID Buffer) {
  ((TABLE_STATS*)Table->TableContext)->Frees++;
  ExFreePoolWithTag(Buffer, TABLE_TAG);
}

static RTL_GENERIC_COMPARE_ROUTINE SplayCompare;
static RTL_GENERIC_COMPARE_RESULTS NTAPI SplayCompare(PRTL_GENERIC_TABLE Table, PVOID First,
                                                      PVOID Second) {
  ((TABLE_STATS*)Table->TableContext)->Compares++;
  return CompareElements((const ELEMENT*)First, (const ELEMENT*)Second);
}

static RTL_GENERIC_ALLOCATE_ROUTINE SplayAllocate;
static PVOID NTAPI SplayAllocate(PRTL_GENERIC_TABLE Table, CLONG ByteSize) {
  return Allocate((TABLE_STATS*)Table->TableContext, ByteSize);
}

static RTL_GENERIC_FREE_ROUTINE SplayFree;
static VOID NTAPI SplayFree(PRTL_GENERIC_TABLE Table, PVOID Buffer) {
  ((TABLE_STATS*)Table->TableContext)->Frees++;
  ExFreePoolWithTag(Buffer, TABLE_TAG);
}

static TABLE_STATS NewStats(void) {
  TABLE_STATS s;
  RtlZeroMemory(&s, sizeof s);
  s.Magic = STATS_MAGIC;
  return s;
}

/* ------------------------------------------------------------------ AVL ------ */

static ELEMENT* AvlData(PRTL_BALANCED_LINKS n) { return (ELEMENT*)((PUCHAR)n + AVL_HEADER); }

/* The subtree's height, or -1 if a link, the order, the data or a balance is wrong. */
static LONG AvlSubtree(PRTL_BALANCED_LINKS n, PRTL_BALANCED_LINKS parent, const UCHAR* present,
                       ULONG* count, LONG* last) {
  LONG left, right;
  ELEMENT* e;
  if (n == NULL) return 0;
  if (n->Parent != parent) return -1;
  left = AvlSubtree(n->LeftChild, n, present, count, last);
  if (left < 0) return -1;
  e = AvlData(n);
  if ((LONG)e->Key <= *last || e->Key >= KEYS || !present[e->Key] || e->Payload != e->Key * 7 + 1)
    return -1;
  *last = (LONG)e->Key;
  ++*count;
  right = AvlSubtree(n->RightChild, n, present, count, last);
  if (right < 0) return -1;
  if (n->Balance != right - left || n->Balance < -1 || n->Balance > 1) return -1;
  return 1 + (left > right ? left : right);
}

static int ValidateAvl(PRTL_AVL_TABLE t, const UCHAR* present, ULONG expected) {
  ULONG count = 0, i = 0;
  LONG last = -1, height;
  ULONG fewest[3] = {0, 1, 0}; /* nodes of the sparsest AVL tree of height h, h-1 */
  LONG h;
  PVOID p, key = NULL;
  CHECK(t->BalancedRoot.Parent == &t->BalancedRoot && t->BalancedRoot.LeftChild == NULL);
  height = AvlSubtree(t->BalancedRoot.RightChild, &t->BalancedRoot, present, &count, &last);
  CHECK(height >= 0);
  CHECK_EQ(expected, count);
  CHECK_EQ(expected, RtlNumberGenericTableElementsAvl(t));
  CHECK_EQ(expected == 0, RtlIsGenericTableEmptyAvl(t));
  CHECK_EQ(height, t->DepthOfTree);
  /* An AVL tree of height h has at least N(h) = N(h-1) + N(h-2) + 1 nodes. */
  for (h = 2; h <= height; ++h) {
    fewest[2] = fewest[1] + fewest[0] + 1;
    fewest[0] = fewest[1];
    fewest[1] = fewest[2];
  }
  if (height >= 1) CHECK(count >= fewest[1]);
  /* The three walks and indexing agree, in increasing order. */
  last = -1;
  for (p = RtlEnumerateGenericTableAvl(t, TRUE); p != NULL;
       p = RtlEnumerateGenericTableAvl(t, FALSE)) {
    CHECK((LONG)((ELEMENT*)p)->Key > last);
    last = (LONG)((ELEMENT*)p)->Key;
    CHECK(RtlGetElementGenericTableAvl(t, i) == p);
    CHECK(RtlEnumerateGenericTableWithoutSplayingAvl(t, &key) == p);
    ++i;
  }
  CHECK_EQ(expected, i);
  CHECK(RtlEnumerateGenericTableWithoutSplayingAvl(t, &key) == NULL);
  CHECK(RtlGetElementGenericTableAvl(t, i) == NULL);
  CHECK(RtlGetElementGenericTableAvl(t, MAXULONG) == NULL);
  return 0;
}

int km_rt_avl_table_random(void) {
  RTL_AVL_TABLE t;
  TABLE_STATS s = NewStats();
  static UCHAR present[KEYS];
  ULONG count = 0, op;
  ELEMENT e;
  PVOID p;
  BOOLEAN isNew;
  int failed;
  RtlZeroMemory(present, sizeof present);
  g_random = 0x2545F491u;
  RtlInitializeGenericTableAvl(&t, AvlCompare, AvlAllocate, AvlFree, &s);
  CHECK(t.TableContext == &s && t.CompareRoutine == AvlCompare);
  failed = ValidateAvl(&t, present, 0);
  if (failed) return failed;
  CHECK(RtlEnumerateGenericTableAvl(&t, TRUE) == NULL);
  for (op = 0; op < OPS; ++op) {
    ULONG key = Next() % KEYS;
    BOOLEAN before = present[key];
    e = Element(key);
    switch (Next() % 3) {
      case 0:
        isNew = 2;
        p = RtlInsertElementGenericTableAvl(&t, &e, sizeof e, &isNew);
        CHECK(p != NULL && p != &e && ((ELEMENT*)p)->Key == key);
        CHECK_EQ(!before, isNew);
        if (isNew) {
          CHECK_EQ(AVL_HEADER + sizeof e, s.LastSize);
          CHECK((PUCHAR)p - AVL_HEADER == (PUCHAR)s.LastBlock);
          present[key] = 1;
          ++count;
        }
        break;
      case 1:
        CHECK_EQ(before, RtlDeleteElementGenericTableAvl(&t, &e));
        if (before) {
          present[key] = 0;
          --count;
        }
        break;
      default:
        p = RtlLookupElementGenericTableAvl(&t, &e);
        CHECK_EQ(before, p != NULL);
        if (p != NULL) CHECK_EQ(key * 7 + 1, ((ELEMENT*)p)->Payload);
        if (count != 0) CHECK(RtlGetElementGenericTableAvl(&t, Next() % count) != NULL);
        CHECK(RtlGetElementGenericTableAvl(&t, count) == NULL);
        break;
    }
    if (op % 2500 == 0) {
      failed = ValidateAvl(&t, present, count);
      if (failed) return failed;
    }
  }
  failed = ValidateAvl(&t, present, count);
  if (failed) return failed;
  CHECK(count > 100);

  /* A failed allocation inserts nothing. */
  for (op = 0; op < KEYS && present[op]; ++op) {
  }
  CHECK(op < KEYS);
  e = Element(op);
  s.FailNext = 1;
  isNew = TRUE;
  CHECK(RtlInsertElementGenericTableAvl(&t, &e, sizeof e, &isNew) == NULL);
  CHECK_EQ(FALSE, isNew);
  CHECK(RtlLookupElementGenericTableAvl(&t, &e) == NULL);

  /* Restart: a new walk starts at the first element again. */
  p = RtlEnumerateGenericTableAvl(&t, TRUE);
  CHECK(RtlEnumerateGenericTableAvl(&t, FALSE) != p);
  CHECK(RtlEnumerateGenericTableAvl(&t, TRUE) == p);
  CHECK(RtlGetElementGenericTableAvl(&t, 0) == p);

  /* Deleting the element a walk stands on: the walk goes on with the next one. */
  for (p = RtlEnumerateGenericTableAvl(&t, TRUE); p != NULL;
       p = RtlEnumerateGenericTableAvl(&t, FALSE)) {
    ULONG key = ((ELEMENT*)p)->Key;
    if (key % 2 == 1) {
      CHECK_EQ(TRUE, RtlDeleteElementGenericTableAvl(&t, p));
      present[key] = 0;
      --count;
    }
  }
  failed = ValidateAvl(&t, present, count);
  if (failed) return failed;
  for (op = 1; op < KEYS; op += 2) CHECK(!present[op]);

  /* Emptied the way libwsk does at unload: element 0, delete, repeat. */
  while ((p = RtlGetElementGenericTableAvl(&t, 0)) != NULL) {
    CHECK_EQ(TRUE, RtlDeleteElementGenericTableAvl(&t, p));
  }
  RtlZeroMemory(present, sizeof present);
  failed = ValidateAvl(&t, present, 0);
  if (failed) return failed;
  CHECK_EQ(s.Allocations, s.Frees);
  CHECK(s.Compares > 0);
  return 0;
}

static RTL_AVL_MATCH_FUNCTION MultipleOfThree;

int km_rt_avl_table_full_forms(void) {
  RTL_AVL_TABLE t;
  TABLE_STATS s = NewStats();
  ELEMENT e, query;
  PVOID node = (PVOID)&t, key = NULL, p;
  TABLE_SEARCH_RESULT where = TableFoundNode;
  BOOLEAN isNew = FALSE;
  ULONG i, deleteCount = 0;
  static const ULONG expected[] = {12, 15, 21, 24, 27, 30, 33, 36, 39, 42, 45, 48, 54, 57, 60};
  RtlInitializeGenericTableAvl(&t, AvlCompare, AvlAllocate, AvlFree, &s);

  /* Lookup then insert, from the empty table on. */
  e = Element(40);
  CHECK(RtlLookupElementGenericTableFullAvl(&t, &e, &node, &where) == NULL);
  CHECK_EQ(TableEmptyTree, where);
  CHECK(node == (PVOID)&t); /* left as it was */
  p = RtlInsertElementGenericTableFullAvl(&t, &e, sizeof e, &isNew, node, where);
  CHECK(p != NULL && isNew);
  e = Element(70);
  CHECK(RtlLookupElementGenericTableFullAvl(&t, &e, &node, &where) == NULL);
  CHECK_EQ(TableInsertAsRight, where);
  CHECK((PUCHAR)node + AVL_HEADER == (PUCHAR)p);
  CHECK(RtlInsertElementGenericTableFullAvl(&t, &e, sizeof e, &isNew, node, where) != NULL);
  CHECK(isNew);
  e = Element(10);
  CHECK(RtlLookupElementGenericTableFullAvl(&t, &e, &node, &where) == NULL);
  CHECK_EQ(TableInsertAsLeft, where);
  CHECK(RtlInsertElementGenericTableFullAvl(&t, &e, sizeof e, &isNew, node, where) != NULL);
  e = Element(40);
  p = RtlLookupElementGenericTableFullAvl(&t, &e, &node, &where);
  CHECK_EQ(TableFoundNode, where);
  CHECK(p != NULL && (PUCHAR)node + AVL_HEADER == (PUCHAR)p);
  CHECK(RtlInsertElementGenericTableFullAvl(&t, &e, sizeof e, &isNew, node, where) == p);
  CHECK_EQ(FALSE, isNew);
  RtlDeleteElementGenericTableAvlEx(&t, node);
  CHECK_EQ(2, RtlNumberGenericTableElementsAvl(&t));
  CHECK(RtlLookupElementGenericTableAvl(&t, &e) == NULL);
  CHECK_EQ(FALSE, RtlDeleteElementGenericTableAvl(&t, &e));

  /* Keys 0..99 but 50 and 51. */
  for (i = 0; i < 100; ++i) {
    e = Element(i);
    if (i != 50 && i != 51) RtlInsertElementGenericTableAvl(&t, &e, sizeof e, NULL);
  }
  CHECK_EQ(98, RtlNumberGenericTableElementsAvl(&t));

  /* The first of the elements a key matches, then on from there. */
  query.Key = 55;
  query.Payload = BUCKET_QUERY;
  p = RtlLookupFirstMatchingElementGenericTableAvl(&t, &query, &key);
  CHECK(p != NULL && ((ELEMENT*)p)->Key == 52);
  CHECK((PUCHAR)key + AVL_HEADER == (PUCHAR)p);
  for (i = 53; i < 60; ++i) {
    p = RtlEnumerateGenericTableWithoutSplayingAvl(&t, &key);
    CHECK(p != NULL && ((ELEMENT*)p)->Key == i);
  }
  query.Key = 1000;
  CHECK(RtlLookupFirstMatchingElementGenericTableAvl(&t, &query, &key) == NULL);
  CHECK(key == NULL);

  /* Directory-style. Without a match function: everything from Buffer's place. */
  {
    PVOID restart = NULL;
    ELEMENT from = Element(10);
    p = RtlEnumerateGenericTableLikeADirectory(&t, NULL, NULL, FALSE, &restart, &deleteCount,
                                               &from);
    CHECK(p != NULL && ((ELEMENT*)p)->Key == 10);
    p = RtlEnumerateGenericTableLikeADirectory(&t, NULL, NULL, TRUE, &restart, &deleteCount, &from);
    CHECK(p != NULL && ((ELEMENT*)p)->Key == 11);
  }
  /* Multiples of 3 from 10 up to 60, with a deletion in between. */
  {
    PVOID restart = NULL;
    ELEMENT from = Element(10);
    deleteCount = 0;
    for (i = 0; i < RTL_NUMBER_OF(expected); ++i) {
      p = RtlEnumerateGenericTableLikeADirectory(&t, MultipleOfThree, (PVOID)(ULONG_PTR)60, i != 0,
                                                 &restart, &deleteCount, &from);
      CHECK(p != NULL);
      CHECK_EQ(expected[i], ((ELEMENT*)p)->Key);
      CHECK_EQ(t.DeleteCount, deleteCount);
      from = *(ELEMENT*)p;
      if (expected[i] == 15) {
        e = Element(18); /* deleted: the stale key is ignored, the walk goes on from 15 */
        CHECK_EQ(TRUE, RtlDeleteElementGenericTableAvl(&t, &e));
      }
    }
    CHECK(RtlEnumerateGenericTableLikeADirectory(&t, MultipleOfThree, (PVOID)(ULONG_PTR)60, TRUE,
                                                 &restart, &deleteCount, &from) == NULL);
  }

  while ((p = RtlGetElementGenericTableAvl(&t, 0)) != NULL) RtlDeleteElementGenericTableAvl(&t, p);
  CHECK_EQ(s.Allocations, s.Frees);
  return 0;
}

/* STATUS_SUCCESS for multiples of 3, STATUS_NO_MORE_MATCHES past the limit in MatchData. */
static NTSTATUS NTAPI MultipleOfThree(PRTL_AVL_TABLE Table, PVOID UserData, PVOID MatchData) {
  ULONG key = ((ELEMENT*)UserData)->Key;
  UNREFERENCED_PARAMETER(Table);
  if (key > (ULONG)(ULONG_PTR)MatchData) return STATUS_NO_MORE_MATCHES;
  return key % 3 == 0 ? STATUS_SUCCESS : STATUS_NO_MATCH;
}

/* ----------------------------------------------------------------- splay ----- */

static ELEMENT* SplayData(PRTL_SPLAY_LINKS n) { return (ELEMENT*)((PUCHAR)n + SPLAY_HEADER); }
static PRTL_SPLAY_LINKS SplayNode(PVOID data) {
  return (PRTL_SPLAY_LINKS)((PUCHAR)data - SPLAY_HEADER);
}

static PRTL_SPLAY_LINKS g_stack[KEYS + 1];

/* Links, order and contents by an in-order walk of its own (an explicit stack: a splay
 * tree can be as deep as it has nodes); insertion order through InsertOrderList. */
static int ValidateSplay(PRTL_GENERIC_TABLE t, const UCHAR* present, const ULONG* order,
                         ULONG expected) {
  PRTL_SPLAY_LINKS n = t->TableRoot;
  PLIST_ENTRY link;
  ULONG depth = 0, count = 0, i = 0;
  LONG last = -1;
  PVOID p, key = NULL;
  CHECK(n == NULL || n->Parent == n);
  while (n != NULL || depth != 0) {
    while (n != NULL) {
      CHECK(depth <= KEYS);
      g_stack[depth++] = n;
      if (n->LeftChild != NULL) CHECK(n->LeftChild->Parent == n);
      n = n->LeftChild;
    }
    n = g_stack[--depth];
    CHECK((LONG)SplayData(n)->Key > last);
    last = (LONG)SplayData(n)->Key;
    CHECK(last < KEYS && present[last]);
    ++count;
    if (n->RightChild != NULL) CHECK(n->RightChild->Parent == n);
    n = n->RightChild;
  }
  CHECK_EQ(expected, count);
  CHECK_EQ(expected, RtlNumberGenericTableElements(t));
  CHECK_EQ(expected == 0, RtlIsGenericTableEmpty(t));
  for (link = t->InsertOrderList.Flink; link != &t->InsertOrderList; link = link->Flink) {
    CHECK(i < expected);
    CHECK_EQ(order[i], ((ELEMENT*)((PUCHAR)link + sizeof(LIST_ENTRY)))->Key);
    CHECK(RtlGetElementGenericTable(t, i) == (PUCHAR)link + sizeof(LIST_ENTRY));
    ++i;
  }
  CHECK_EQ(expected, i);
  CHECK(RtlGetElementGenericTable(t, i) == NULL);
  /* Walks in order: without splaying the root stays; with, each element becomes it. */
  last = -1;
  i = 0;
  n = t->TableRoot;
  for (p = RtlEnumerateGenericTableWithoutSplaying(t, &key); p != NULL;
       p = RtlEnumerateGenericTableWithoutSplaying(t, &key)) {
    CHECK((LONG)((ELEMENT*)p)->Key > last);
    last = (LONG)((ELEMENT*)p)->Key;
    ++i;
  }
  CHECK_EQ(expected, i);
  CHECK(t->TableRoot == n);
  last = -1;
  i = 0;
  for (p = RtlEnumerateGenericTable(t, TRUE); p != NULL; p = RtlEnumerateGenericTable(t, FALSE)) {
    CHECK((LONG)((ELEMENT*)p)->Key > last);
    last = (LONG)((ELEMENT*)p)->Key;
    CHECK(t->TableRoot == SplayNode(p));
    ++i;
  }
  CHECK_EQ(expected, i);
  return 0;
}

int km_rt_splay_table_random(void) {
  RTL_GENERIC_TABLE t;
  TABLE_STATS s = NewStats();
  static UCHAR present[KEYS];
  static ULONG order[KEYS];
  ULONG count = 0, op, i;
  ELEMENT e;
  PVOID p;
  BOOLEAN isNew;
  int failed;
  RtlZeroMemory(present, sizeof present);
  g_random = 0x9E3779B9u;
  RtlInitializeGenericTable(&t, SplayCompare, SplayAllocate, SplayFree, &s);
  CHECK(t.TableContext == &s);
  failed = ValidateSplay(&t, present, order, 0);
  if (failed) return failed;
  for (op = 0; op < OPS; ++op) {
    ULONG key = Next() % KEYS;
    BOOLEAN before = present[key];
    e = Element(key);
    switch (Next() % 3) {
      case 0:
        isNew = 2;
        p = RtlInsertElementGenericTable(&t, &e, sizeof e, &isNew);
        CHECK(p != NULL && p != &e && ((ELEMENT*)p)->Key == key);
        CHECK_EQ(!before, isNew);
        if (isNew) {
          CHECK_EQ(SPLAY_HEADER + sizeof e, s.LastSize);
          CHECK((PUCHAR)p - SPLAY_HEADER == (PUCHAR)s.LastBlock);
          CHECK(t.TableRoot == SplayNode(p)); /* splayed */
          present[key] = 1;
          order[count++] = key;
        }
        break;
      case 1:
        CHECK_EQ(before, RtlDeleteElementGenericTable(&t, &e));
        if (before) {
          present[key] = 0;
          for (i = 0; order[i] != key; ++i) {
          }
          RtlMoveMemory(&order[i], &order[i + 1], (count - i - 1) * sizeof order[0]);
          --count;
        }
        break;
      default:
        p = RtlLookupElementGenericTable(&t, &e);
        CHECK_EQ(before, p != NULL);
        if (p != NULL) {
          CHECK_EQ(key * 7 + 1, ((ELEMENT*)p)->Payload);
          CHECK(t.TableRoot == SplayNode(p)); /* splayed */
        }
        if (count != 0) {
          i = Next() % count;
          p = RtlGetElementGenericTable(&t, i);
          CHECK(p != NULL && ((ELEMENT*)p)->Key == order[i]);
        }
        break;
    }
    if (op % 2500 == 0) {
      failed = ValidateSplay(&t, present, order, count);
      if (failed) return failed;
    }
  }
  failed = ValidateSplay(&t, present, order, count);
  if (failed) return failed;
  CHECK(count > 100);

  /* Full forms. */
  {
    PVOID node = NULL;
    TABLE_SEARCH_RESULT where;
    for (op = 0; op < KEYS && present[op]; ++op) {
    }
    CHECK(op < KEYS);
    e = Element(op);
    CHECK(RtlLookupElementGenericTableFull(&t, &e, &node, &where) == NULL);
    CHECK(where == TableInsertAsLeft || where == TableInsertAsRight);
    p = RtlInsertElementGenericTableFull(&t, &e, sizeof e, &isNew, node, where);
    CHECK(p != NULL && isNew);
    present[op] = 1;
    order[count++] = op;
    CHECK(RtlLookupElementGenericTableFull(&t, &e, &node, &where) == p);
    CHECK_EQ(TableFoundNode, where);
    CHECK(SplayNode(p) == node);
    s.FailNext = 1;
    e = Element(KEYS + 1);
    CHECK(RtlInsertElementGenericTable(&t, &e, sizeof e, &isNew) == NULL);
    CHECK_EQ(FALSE, isNew);
  }
  failed = ValidateSplay(&t, present, order, count);
  if (failed) return failed;

  /* Restart. */
  p = RtlEnumerateGenericTable(&t, TRUE);
  CHECK(RtlEnumerateGenericTable(&t, FALSE) != p);
  CHECK(RtlEnumerateGenericTable(&t, TRUE) == p);

  while ((p = RtlGetElementGenericTable(&t, 0)) != NULL) {
    CHECK_EQ(TRUE, RtlDeleteElementGenericTable(&t, p));
  }
  RtlZeroMemory(present, sizeof present);
  failed = ValidateSplay(&t, present, order, 0);
  if (failed) return failed;
  CHECK(t.TableRoot == NULL);
  CHECK_EQ(s.Allocations, s.Frees);
  return 0;
}

/* In-order keys (indexes into base) from the root, through RtlRealSuccessor. */
static ULONG InOrder(PRTL_SPLAY_LINKS root, PRTL_SPLAY_LINKS base, ULONG* out) {
  ULONG n = 0;
  PRTL_SPLAY_LINKS x = root;
  if (x == NULL) return 0;
  while (RtlLeftChild(x) != NULL) x = RtlLeftChild(x);
  for (; x != NULL; x = RtlRealSuccessor(x)) out[n++] = (ULONG)(x - base);
  return n;
}

int km_rt_splay_links(void) {
  RTL_SPLAY_LINKS n[7];
  PRTL_SPLAY_LINKS root;
  ULONG keys[8], count, i;
  for (i = 0; i < 7; ++i) RtlInitializeSplayLinks(&n[i]);
  CHECK(RtlIsRoot(&n[0]));
  /*        3
   *      1   5
   *     0 2 4 6   */
  RtlInsertAsLeftChild(&n[3], &n[1]);
  RtlInsertAsRightChild(&n[3], &n[5]);
  RtlInsertAsLeftChild(&n[1], &n[0]);
  RtlInsertAsRightChild(&n[1], &n[2]);
  RtlInsertAsLeftChild(&n[5], &n[4]);
  RtlInsertAsRightChild(&n[5], &n[6]);
  CHECK(RtlIsRoot(&n[3]) && !RtlIsRoot(&n[1]));
  CHECK(RtlIsLeftChild(&n[1]) && RtlIsRightChild(&n[5]) && !RtlIsLeftChild(&n[5]));
  CHECK(RtlParent(&n[4]) == &n[5] && RtlLeftChild(&n[3]) == &n[1] && RtlRightChild(&n[3]) == &n[5]);
  for (i = 0; i < 6; ++i) CHECK(RtlRealSuccessor(&n[i]) == &n[i + 1]);
  CHECK(RtlRealSuccessor(&n[6]) == NULL);
  for (i = 1; i < 7; ++i) CHECK(RtlRealPredecessor(&n[i]) == &n[i - 1]);
  CHECK(RtlRealPredecessor(&n[0]) == NULL);
  CHECK(RtlSubtreeSuccessor(&n[3]) == &n[4] && RtlSubtreePredecessor(&n[3]) == &n[2]);
  CHECK(RtlSubtreeSuccessor(&n[0]) == NULL && RtlSubtreePredecessor(&n[2]) == NULL);

  root = RtlSplay(&n[0]);
  CHECK(root == &n[0] && RtlIsRoot(&n[0]) && RtlLeftChild(&n[0]) == NULL);
  count = InOrder(root, n, keys);
  CHECK_EQ(7, count);
  for (i = 0; i < 7; ++i) CHECK_EQ(i, keys[i]);
  root = RtlSplay(&n[4]);
  CHECK(root == &n[4]);
  count = InOrder(root, n, keys);
  CHECK_EQ(7, count);
  for (i = 0; i < 7; ++i) CHECK_EQ(i, keys[i]);

  /* RtlDelete of the root (two children): the rest, in order, under a new root. */
  root = RtlDelete(&n[4]);
  CHECK(root != NULL && RtlIsRoot(root));
  count = InOrder(root, n, keys);
  CHECK_EQ(6, count);
  CHECK(keys[0] == 0 && keys[3] == 3 && keys[4] == 5 && keys[5] == 6);
  /* RtlDeleteNoSplay of a leaf or inner node, then of the root itself. */
  RtlDeleteNoSplay(&n[0], &root);
  count = InOrder(root, n, keys);
  CHECK_EQ(5, count);
  CHECK(keys[0] == 1 && keys[4] == 6);
  RtlDeleteNoSplay(root, &root);
  CHECK(root != NULL && RtlIsRoot(root));
  CHECK_EQ(4, InOrder(root, n, keys));
  while (root != NULL) root = RtlDelete(root);
  return 0;
}
