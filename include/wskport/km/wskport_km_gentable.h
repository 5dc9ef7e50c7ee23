/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_gentable.h: the generic tables of ntddk.h: the AVL table (RTL_AVL_TABLE,
 * Rtl...GenericTableAvl), the splay-tree table (RTL_GENERIC_TABLE, Rtl...GenericTable)
 * and the splay-link primitives (RTL_SPLAY_LINKS, RtlSplay, RtlDelete, ...).
 *
 * As in Windows, the table owns no memory: each element is one block from the caller's
 * AllocateRoutine, of the table's node header followed by the caller's data, and the
 * routines return pointers to the data. The header is sizeof(RTL_BALANCED_LINKS) for
 * the AVL table and sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY) for the splay table,
 * the sizes Microsoft documents, so drivers that size a lookaside list from them work.
 * The caller serialises access to a table (a fast mutex, say), as in Windows.
 * Defining RTL_USE_AVL_TABLES before including ntddk.h maps the splay names onto the
 * AVL ones, as the WDK does. Implemented in common/km/km_gentable_avl.cpp and
 * km_gentable_splay.cpp.
 */
#pragma once
#ifndef WSKPORT_KM_GENTABLE_H
#define WSKPORT_KM_GENTABLE_H

#include "wskport_km_base.h"

WSKPORT_KM_BEGIN_DECLS

typedef enum _TABLE_SEARCH_RESULT {
  TableEmptyTree,
  TableFoundNode,
  TableInsertAsLeft,
  TableInsertAsRight
} TABLE_SEARCH_RESULT;

typedef enum _RTL_GENERIC_COMPARE_RESULTS {
  GenericLessThan,
  GenericGreaterThan,
  GenericEqual
} RTL_GENERIC_COMPARE_RESULTS;

/* ---------------------------------------------------------------- AVL table ----- */

struct _RTL_AVL_TABLE;

typedef RTL_GENERIC_COMPARE_RESULTS NTAPI RTL_AVL_COMPARE_ROUTINE(_In_ struct _RTL_AVL_TABLE* Table,
                                                                  _In_ PVOID FirstStruct,
                                                                  _In_ PVOID SecondStruct);
typedef RTL_AVL_COMPARE_ROUTINE* PRTL_AVL_COMPARE_ROUTINE;
typedef PVOID NTAPI RTL_AVL_ALLOCATE_ROUTINE(_In_ struct _RTL_AVL_TABLE* Table,
                                             _In_ CLONG ByteSize);
typedef RTL_AVL_ALLOCATE_ROUTINE* PRTL_AVL_ALLOCATE_ROUTINE;
typedef VOID NTAPI RTL_AVL_FREE_ROUTINE(_In_ struct _RTL_AVL_TABLE* Table,
                                        _In_ __drv_freesMem(Mem) _Post_invalid_ PVOID Buffer);
typedef RTL_AVL_FREE_ROUTINE* PRTL_AVL_FREE_ROUTINE;
typedef NTSTATUS NTAPI RTL_AVL_MATCH_FUNCTION(_In_ struct _RTL_AVL_TABLE* Table,
                                              _In_ PVOID UserData, _In_ PVOID MatchData);
typedef RTL_AVL_MATCH_FUNCTION* PRTL_AVL_MATCH_FUNCTION;

/* Balance: -1 left subtree higher, 0 even, +1 right subtree higher. */
typedef struct _RTL_BALANCED_LINKS {
  struct _RTL_BALANCED_LINKS* Parent;
  struct _RTL_BALANCED_LINKS* LeftChild;
  struct _RTL_BALANCED_LINKS* RightChild;
  CHAR Balance;
  UCHAR Reserved[3];
} RTL_BALANCED_LINKS, *PRTL_BALANCED_LINKS;

/* BalancedRoot is a sentinel (its Parent is itself); the tree's root is its RightChild.
 * DepthOfTree is the tree's height, DeleteCount counts deletions (for
 * RtlEnumerateGenericTableLikeADirectory). */
typedef struct _RTL_AVL_TABLE {
  RTL_BALANCED_LINKS BalancedRoot;
  PVOID OrderedPointer;
  ULONG WhichOrderedElement;
  ULONG NumberGenericTableElements;
  ULONG DepthOfTree;
  PRTL_BALANCED_LINKS RestartKey;
  ULONG DeleteCount;
  PRTL_AVL_COMPARE_ROUTINE CompareRoutine;
  PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine;
  PRTL_AVL_FREE_ROUTINE FreeRoutine;
  PVOID TableContext;
} RTL_AVL_TABLE, *PRTL_AVL_TABLE;

/** Initialises an empty table with the caller's routines and context. */
NTSYSAPI VOID NTAPI RtlInitializeGenericTableAvl(_Out_ PRTL_AVL_TABLE Table,
                                                 _In_ PRTL_AVL_COMPARE_ROUTINE CompareRoutine,
                                                 _In_ PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine,
                                                 _In_ PRTL_AVL_FREE_ROUTINE FreeRoutine,
                                                 _In_opt_ PVOID TableContext);
/** Copies @p BufferSize bytes of @p Buffer into a new element (allocated with
 *  sizeof(RTL_BALANCED_LINKS) + BufferSize bytes) unless an equal one exists, and
 *  rebalances. Returns the element's data (the existing one's if equal), or NULL if the
 *  allocation failed; @p NewElement tells whether it inserted. */
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTableAvl(_In_ PRTL_AVL_TABLE Table,
                                                     _In_reads_bytes_(BufferSize) PVOID Buffer,
                                                     _In_ CLONG BufferSize,
                                                     _Out_opt_ PBOOLEAN NewElement);
/** As RtlInsertElementGenericTableAvl with the position found by
 *  RtlLookupElementGenericTableFullAvl (the table unchanged since). */
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTableFullAvl(
    _In_ PRTL_AVL_TABLE Table, _In_reads_bytes_(BufferSize) PVOID Buffer, _In_ CLONG BufferSize,
    _Out_opt_ PBOOLEAN NewElement, _In_ PVOID NodeOrParent, _In_ TABLE_SEARCH_RESULT SearchResult);
/** Deletes the element equal to @p Buffer (FreeRoutine gets its block): TRUE, or FALSE
 *  if none. Deleting the element an RtlEnumerateGenericTableAvl walk stands on is
 *  allowed: the walk goes on with the next one. */
NTSYSAPI BOOLEAN NTAPI RtlDeleteElementGenericTableAvl(_In_ PRTL_AVL_TABLE Table,
                                                       _In_ PVOID Buffer);
/** Deletes the element whose node RtlLookupElementGenericTableFullAvl returned in
 *  NodeOrParent (with TableFoundNode). */
NTSYSAPI VOID NTAPI RtlDeleteElementGenericTableAvlEx(_In_ PRTL_AVL_TABLE Table,
                                                      _In_ PVOID NodeOrParent);
/** The data of the element equal to @p Buffer, or NULL. */
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTableAvl(_In_ PRTL_AVL_TABLE Table, _In_ PVOID Buffer);
/** As RtlLookupElementGenericTableAvl; also returns where @p Buffer is or would go:
 *  @p SearchResult TableEmptyTree, TableFoundNode (@p NodeOrParent: its node), or
 *  TableInsertAsLeft/Right (@p NodeOrParent: the parent to be). */
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTableFullAvl(_In_ PRTL_AVL_TABLE Table,
                                                         _In_ PVOID Buffer,
                                                         _Out_ PVOID* NodeOrParent,
                                                         _Out_ TABLE_SEARCH_RESULT* SearchResult);
/** The first element, in collation order, that compares equal to @p Buffer (a compare
 *  routine may treat several elements as equal to a key), or NULL. @p RestartKey is set
 *  for RtlEnumerateGenericTableWithoutSplayingAvl to go on from it. */
NTSYSAPI PVOID NTAPI RtlLookupFirstMatchingElementGenericTableAvl(_In_ PRTL_AVL_TABLE Table,
                                                                  _In_ PVOID Buffer,
                                                                  _Out_ PVOID* RestartKey);
/** The elements in collation order: @p Restart TRUE gives the first, FALSE the one after
 *  the last returned (the position is kept in Table->RestartKey). NULL at the end. */
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableAvl(_In_ PRTL_AVL_TABLE Table, _In_ BOOLEAN Restart);
/** The elements in collation order, the position in the caller's @p RestartKey (NULL to
 *  start). NULL at the end. */
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableWithoutSplayingAvl(_In_ PRTL_AVL_TABLE Table,
                                                                _Inout_ PVOID* RestartKey);
/** Directory-style enumeration: from *@p RestartKey if it is set and no element was
 *  deleted since (*@p DeleteCount matches), else from the element equal to @p Buffer or
 *  the first after it; @p NextFlag skips the element started from. Elements for which
 *  @p MatchFunction fails are skipped; STATUS_NO_MORE_MATCHES ends the walk. Updates
 *  *@p RestartKey and *@p DeleteCount; returns the data or NULL. */
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableLikeADirectory(
    _In_ PRTL_AVL_TABLE Table, _In_opt_ PRTL_AVL_MATCH_FUNCTION MatchFunction,
    _In_opt_ PVOID MatchData, _In_ ULONG NextFlag, _Inout_ PVOID* RestartKey,
    _Inout_ PULONG DeleteCount, _In_ PVOID Buffer);
/** The @p I-th element (from 0) in collation order, or NULL if @p I is out of range.
 *  Consecutive indexes are cheap (the last position is kept). */
NTSYSAPI PVOID NTAPI RtlGetElementGenericTableAvl(_In_ PRTL_AVL_TABLE Table, _In_ ULONG I);
NTSYSAPI ULONG NTAPI RtlNumberGenericTableElementsAvl(_In_ PRTL_AVL_TABLE Table);
NTSYSAPI BOOLEAN NTAPI RtlIsGenericTableEmptyAvl(_In_ PRTL_AVL_TABLE Table);

/* ------------------------------------------------------------- splay links ------ */

/* A splay tree's root is its own parent. */
typedef struct _RTL_SPLAY_LINKS {
  struct _RTL_SPLAY_LINKS* Parent;
  struct _RTL_SPLAY_LINKS* LeftChild;
  struct _RTL_SPLAY_LINKS* RightChild;
} RTL_SPLAY_LINKS, *PRTL_SPLAY_LINKS;

#define RtlInitializeSplayLinks(Links)                               \
  do {                                                               \
    PRTL_SPLAY_LINKS WskportSplayLinks_ = (PRTL_SPLAY_LINKS)(Links); \
    WskportSplayLinks_->Parent = WskportSplayLinks_;                 \
    WskportSplayLinks_->LeftChild = NULL;                            \
    WskportSplayLinks_->RightChild = NULL;                           \
  } while (0)
#define RtlParent(Links) ((PRTL_SPLAY_LINKS)(Links)->Parent)
#define RtlLeftChild(Links) ((PRTL_SPLAY_LINKS)(Links)->LeftChild)
#define RtlRightChild(Links) ((PRTL_SPLAY_LINKS)(Links)->RightChild)
#define RtlIsRoot(Links) (RtlParent(Links) == (PRTL_SPLAY_LINKS)(Links))
#define RtlIsLeftChild(Links) (RtlLeftChild(RtlParent(Links)) == (PRTL_SPLAY_LINKS)(Links))
#define RtlIsRightChild(Links) (RtlRightChild(RtlParent(Links)) == (PRTL_SPLAY_LINKS)(Links))
#define RtlInsertAsLeftChild(ParentLinks, ChildLinks)                       \
  do {                                                                      \
    PRTL_SPLAY_LINKS WskportSplayParent_ = (PRTL_SPLAY_LINKS)(ParentLinks); \
    PRTL_SPLAY_LINKS WskportSplayChild_ = (PRTL_SPLAY_LINKS)(ChildLinks);   \
    WskportSplayParent_->LeftChild = WskportSplayChild_;                    \
    WskportSplayChild_->Parent = WskportSplayParent_;                       \
  } while (0)
#define RtlInsertAsRightChild(ParentLinks, ChildLinks)                      \
  do {                                                                      \
    PRTL_SPLAY_LINKS WskportSplayParent_ = (PRTL_SPLAY_LINKS)(ParentLinks); \
    PRTL_SPLAY_LINKS WskportSplayChild_ = (PRTL_SPLAY_LINKS)(ChildLinks);   \
    WskportSplayParent_->RightChild = WskportSplayChild_;                   \
    WskportSplayChild_->Parent = WskportSplayParent_;                       \
  } while (0)

/** Splays @p Links to the root of its tree (rotations that keep the order and roughly
 *  halve the depth of the path) and returns it, the new root. */
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlSplay(_Inout_ PRTL_SPLAY_LINKS Links);
/** Unlinks @p Links from its tree, splays its parent to the root and returns the new
 *  root (NULL if the tree is now empty). */
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlDelete(_In_ PRTL_SPLAY_LINKS Links);
/** Unlinks @p Links without splaying; *@p Root is updated if the root changes. */
NTSYSAPI VOID NTAPI RtlDeleteNoSplay(_In_ PRTL_SPLAY_LINKS Links, _Inout_ PRTL_SPLAY_LINKS* Root);
/** The next (previous) node in order within @p Links' right (left) subtree, or NULL. */
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlSubtreeSuccessor(_In_ PRTL_SPLAY_LINKS Links);
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlSubtreePredecessor(_In_ PRTL_SPLAY_LINKS Links);
/** The next (previous) node in order in the whole tree, or NULL. */
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlRealSuccessor(_In_ PRTL_SPLAY_LINKS Links);
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlRealPredecessor(_In_ PRTL_SPLAY_LINKS Links);

/* ------------------------------------------------------------- splay table ------ */

#ifndef RTL_USE_AVL_TABLES

struct _RTL_GENERIC_TABLE;

typedef RTL_GENERIC_COMPARE_RESULTS NTAPI RTL_GENERIC_COMPARE_ROUTINE(
    _In_ struct _RTL_GENERIC_TABLE* Table, _In_ PVOID FirstStruct, _In_ PVOID SecondStruct);
typedef RTL_GENERIC_COMPARE_ROUTINE* PRTL_GENERIC_COMPARE_ROUTINE;
typedef PVOID NTAPI RTL_GENERIC_ALLOCATE_ROUTINE(_In_ struct _RTL_GENERIC_TABLE* Table,
                                                 _In_ CLONG ByteSize);
typedef RTL_GENERIC_ALLOCATE_ROUTINE* PRTL_GENERIC_ALLOCATE_ROUTINE;
typedef VOID NTAPI RTL_GENERIC_FREE_ROUTINE(_In_ struct _RTL_GENERIC_TABLE* Table,
                                            _In_ __drv_freesMem(Mem) _Post_invalid_ PVOID Buffer);
typedef RTL_GENERIC_FREE_ROUTINE* PRTL_GENERIC_FREE_ROUTINE;

/* TableRoot is the splay tree; InsertOrderList links the elements in insertion order
 * (RtlGetElementGenericTable's order). */
typedef struct _RTL_GENERIC_TABLE {
  PRTL_SPLAY_LINKS TableRoot;
  LIST_ENTRY InsertOrderList;
  PLIST_ENTRY OrderedPointer;
  ULONG WhichOrderedElement;
  ULONG NumberGenericTableElements;
  PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine;
  PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine;
  PRTL_GENERIC_FREE_ROUTINE FreeRoutine;
  PVOID TableContext;
} RTL_GENERIC_TABLE, *PRTL_GENERIC_TABLE;

/** The splay-tree forms of the AVL routines above, with the same contracts except:
 *  elements are allocated with sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY) +
 *  BufferSize bytes; a successful lookup, an insert and a delete splay the tree;
 *  RtlGetElementGenericTable counts in insertion order (Microsoft documents it so);
 *  RtlEnumerateGenericTable splays each element it returns to the root and goes on from
 *  the root's successor, as Windows does (a lookup in between moves the walk). */
NTSYSAPI VOID NTAPI RtlInitializeGenericTable(_Out_ PRTL_GENERIC_TABLE Table,
                                              _In_ PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine,
                                              _In_ PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine,
                                              _In_ PRTL_GENERIC_FREE_ROUTINE FreeRoutine,
                                              _In_opt_ PVOID TableContext);
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTable(_In_ PRTL_GENERIC_TABLE Table,
                                                  _In_reads_bytes_(BufferSize) PVOID Buffer,
                                                  _In_ CLONG BufferSize,
                                                  _Out_opt_ PBOOLEAN NewElement);
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTableFull(
    _In_ PRTL_GENERIC_TABLE Table, _In_reads_bytes_(BufferSize) PVOID Buffer, _In_ CLONG BufferSize,
    _Out_opt_ PBOOLEAN NewElement, _In_ PVOID NodeOrParent, _In_ TABLE_SEARCH_RESULT SearchResult);
NTSYSAPI BOOLEAN NTAPI RtlDeleteElementGenericTable(_In_ PRTL_GENERIC_TABLE Table,
                                                    _In_ PVOID Buffer);
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTable(_In_ PRTL_GENERIC_TABLE Table, _In_ PVOID Buffer);
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTableFull(_In_ PRTL_GENERIC_TABLE Table,
                                                      _In_ PVOID Buffer, _Out_ PVOID* NodeOrParent,
                                                      _Out_ TABLE_SEARCH_RESULT* SearchResult);
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTable(_In_ PRTL_GENERIC_TABLE Table, _In_ BOOLEAN Restart);
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableWithoutSplaying(_In_ PRTL_GENERIC_TABLE Table,
                                                             _Inout_ PVOID* RestartKey);
NTSYSAPI PVOID NTAPI RtlGetElementGenericTable(_In_ PRTL_GENERIC_TABLE Table, _In_ ULONG I);
NTSYSAPI ULONG NTAPI RtlNumberGenericTableElements(_In_ PRTL_GENERIC_TABLE Table);
NTSYSAPI BOOLEAN NTAPI RtlIsGenericTableEmpty(_In_ PRTL_GENERIC_TABLE Table);

#else /* RTL_USE_AVL_TABLES: the generic names are the AVL table's, as in the WDK */

#define RTL_GENERIC_COMPARE_ROUTINE RTL_AVL_COMPARE_ROUTINE
#define PRTL_GENERIC_COMPARE_ROUTINE PRTL_AVL_COMPARE_ROUTINE
#define RTL_GENERIC_ALLOCATE_ROUTINE RTL_AVL_ALLOCATE_ROUTINE
#define PRTL_GENERIC_ALLOCATE_ROUTINE PRTL_AVL_ALLOCATE_ROUTINE
#define RTL_GENERIC_FREE_ROUTINE RTL_AVL_FREE_ROUTINE
#define PRTL_GENERIC_FREE_ROUTINE PRTL_AVL_FREE_ROUTINE
#define RTL_GENERIC_TABLE RTL_AVL_TABLE
#define PRTL_GENERIC_TABLE PRTL_AVL_TABLE
#define RtlInitializeGenericTable RtlInitializeGenericTableAvl
#define RtlInsertElementGenericTable RtlInsertElementGenericTableAvl
#define RtlInsertElementGenericTableFull RtlInsertElementGenericTableFullAvl
#define RtlDeleteElementGenericTable RtlDeleteElementGenericTableAvl
#define RtlLookupElementGenericTable RtlLookupElementGenericTableAvl
#define RtlLookupElementGenericTableFull RtlLookupElementGenericTableFullAvl
#define RtlEnumerateGenericTable RtlEnumerateGenericTableAvl
#define RtlEnumerateGenericTableWithoutSplaying RtlEnumerateGenericTableWithoutSplayingAvl
#define RtlGetElementGenericTable RtlGetElementGenericTableAvl
#define RtlNumberGenericTableElements RtlNumberGenericTableElementsAvl
#define RtlIsGenericTableEmpty RtlIsGenericTableEmptyAvl

#endif /* RTL_USE_AVL_TABLES */

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_GENTABLE_H */
