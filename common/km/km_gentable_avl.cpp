// SPDX-License-Identifier: MIT
// The AVL generic table (RTL_AVL_TABLE, Rtl...GenericTableAvl).
//
// Each element is one block from the caller's AllocateRoutine: an RTL_BALANCED_LINKS
// node header, then the caller's data (the layout Microsoft documents, which drivers
// size lookaside lists from). Balance is the right subtree's height minus the left's;
// insertions and deletions retrace from the changed node to the root, rotating where a
// balance reaches +-2, so the height stays under 1.44 log2(n + 2) and DepthOfTree is
// kept equal to it. BalancedRoot is a sentinel: its Parent is itself and its
// RightChild the tree's root, so a rotation at the root needs no special case.
#include <cstring>

#include <ntddk.h>

#include "common/km/km_gentable.hpp"

namespace wskport::km::detail {

namespace {

using Links = RTL_BALANCED_LINKS;

bool is_sentinel(const Links* n) noexcept { return n->Parent == n; }
Links* root_of(PRTL_AVL_TABLE t) noexcept { return t->BalancedRoot.RightChild; }
PVOID data_of(Links* n) noexcept { return reinterpret_cast<PUCHAR>(n) + sizeof(Links); }
void add_balance(Links* n, int delta) noexcept {
  n->Balance = static_cast<CHAR>(n->Balance + delta);
}

// Points @p parent's link to @p old at @p now (the sentinel's only child is RightChild).
void replace_child(Links* parent, Links* old, Links* now) noexcept {
  if (parent->LeftChild == old) {
    parent->LeftChild = now;
  } else {
    parent->RightChild = now;
  }
}

Links* leftmost(Links* n) noexcept {
  while (n->LeftChild != nullptr) n = n->LeftChild;
  return n;
}

Links* rightmost(Links* n) noexcept {
  while (n->RightChild != nullptr) n = n->RightChild;
  return n;
}

Links* successor(Links* n) noexcept {
  if (n->RightChild != nullptr) return leftmost(n->RightChild);
  Links* p = n->Parent;
  while (!is_sentinel(p) && p->RightChild == n) {
    n = p;
    p = p->Parent;
  }
  return is_sentinel(p) ? nullptr : p;
}

Links* predecessor(Links* n) noexcept {
  if (n->LeftChild != nullptr) return rightmost(n->LeftChild);
  Links* p = n->Parent;
  while (!is_sentinel(p) && p->LeftChild == n) {
    n = p;
    p = p->Parent;
  }
  return is_sentinel(p) ? nullptr : p;
}

void rotate_left(Links* x) noexcept {
  Links* y = x->RightChild;
  Links* p = x->Parent;
  x->RightChild = y->LeftChild;
  if (y->LeftChild != nullptr) y->LeftChild->Parent = x;
  y->LeftChild = x;
  x->Parent = y;
  y->Parent = p;
  replace_child(p, x, y);
}

void rotate_right(Links* x) noexcept {
  Links* y = x->LeftChild;
  Links* p = x->Parent;
  x->LeftChild = y->RightChild;
  if (y->RightChild != nullptr) y->RightChild->Parent = x;
  y->RightChild = x;
  x->Parent = y;
  y->Parent = p;
  replace_child(p, x, y);
}

// Restores the balance of @p x (+-2). Returns true if the subtree got one level lower
// than before the rotation (always, after an insertion had raised it).
bool rebalance(Links* x) noexcept {
  if (x->Balance > 0) {
    Links* y = x->RightChild;
    if (y->Balance < 0) {
      Links* z = y->LeftChild;
      rotate_right(y);
      rotate_left(x);
      x->Balance = static_cast<CHAR>(z->Balance > 0 ? -1 : 0);
      y->Balance = static_cast<CHAR>(z->Balance < 0 ? 1 : 0);
      z->Balance = 0;
      return true;
    }
    rotate_left(x);
    if (y->Balance == 0) {  // only after a deletion
      x->Balance = 1;
      y->Balance = -1;
      return false;
    }
    x->Balance = 0;
    y->Balance = 0;
    return true;
  }
  Links* y = x->LeftChild;
  if (y->Balance > 0) {
    Links* z = y->RightChild;
    rotate_left(y);
    rotate_right(x);
    x->Balance = static_cast<CHAR>(z->Balance < 0 ? 1 : 0);
    y->Balance = static_cast<CHAR>(z->Balance > 0 ? -1 : 0);
    z->Balance = 0;
    return true;
  }
  rotate_right(x);
  if (y->Balance == 0) {
    x->Balance = -1;
    y->Balance = 1;
    return false;
  }
  x->Balance = 0;
  y->Balance = 0;
  return true;
}

// After @p child was linked as a new leaf: up to the first node whose height is
// unchanged, or one rotation.
void retrace_insert(PRTL_AVL_TABLE t, Links* child) noexcept {
  for (Links* p = child->Parent; !is_sentinel(p); child = p, p = p->Parent) {
    add_balance(p, p->LeftChild == child ? -1 : 1);
    if (p->Balance == 0) return;
    if (p->Balance == 2 || p->Balance == -2) {
      (void)rebalance(p);
      return;
    }
  }
  ++t->DepthOfTree;
}

// After @p p lost one level on its left (@p left) or right side.
void retrace_delete(PRTL_AVL_TABLE t, Links* p, bool left) noexcept {
  while (!is_sentinel(p)) {
    add_balance(p, left ? 1 : -1);
    if (p->Balance == 1 || p->Balance == -1) return;
    Links* up = p->Parent;
    const bool up_left = up->LeftChild == p;
    if (p->Balance != 0 && !rebalance(p)) return;
    p = up;
    left = up_left;
  }
  --t->DepthOfTree;
}

// Exchanges the tree positions (links and balance) of @p x, which has two children, and
// its in-order successor, so that @p x can be unlinked with at most one child.
void swap_with_successor(Links* x) noexcept {
  Links* s = leftmost(x->RightChild);
  Links* xp = x->Parent;
  Links* xl = x->LeftChild;
  Links* xr = x->RightChild;
  Links* sp = s->Parent;
  Links* sr = s->RightChild;
  const CHAR balance = x->Balance;
  x->Balance = s->Balance;
  s->Balance = balance;
  replace_child(xp, x, s);
  s->Parent = xp;
  s->LeftChild = xl;
  xl->Parent = s;
  if (s == xr) {
    s->RightChild = x;
    x->Parent = s;
  } else {
    s->RightChild = xr;
    xr->Parent = s;
    sp->LeftChild = x;
    x->Parent = sp;
  }
  x->LeftChild = nullptr;
  x->RightChild = sr;
  if (sr != nullptr) sr->Parent = x;
}

TABLE_SEARCH_RESULT find(PRTL_AVL_TABLE t, PVOID key, Links** where) {
  return search_tree(t, root_of(t), key, where, data_of);
}

PVOID insert_at(PRTL_AVL_TABLE t, PVOID buffer, CLONG size, PBOOLEAN new_element, Links* parent,
                TABLE_SEARCH_RESULT where) {
  if (new_element != nullptr) *new_element = FALSE;
  // A search result from an empty table that has gained elements since: search again.
  if (where == TableEmptyTree && root_of(t) != nullptr) where = find(t, buffer, &parent);
  if (where == TableFoundNode) return data_of(parent);
  if (size > MAXULONG - sizeof(Links)) return nullptr;
  auto* n = static_cast<Links*>(t->AllocateRoutine(t, static_cast<CLONG>(sizeof(Links) + size)));
  if (n == nullptr) return nullptr;
  std::memset(n, 0, sizeof(Links));
  if (size != 0) std::memcpy(data_of(n), buffer, size);
  if (where == TableEmptyTree) {
    t->BalancedRoot.RightChild = n;
    n->Parent = &t->BalancedRoot;
    t->DepthOfTree = 1;
  } else {
    if (where == TableInsertAsLeft) {
      parent->LeftChild = n;
    } else {
      parent->RightChild = n;
    }
    n->Parent = parent;
    retrace_insert(t, n);
  }
  ++t->NumberGenericTableElements;
  t->WhichOrderedElement = 0;
  if (new_element != nullptr) *new_element = TRUE;
  return data_of(n);
}

void delete_node(PRTL_AVL_TABLE t, Links* x) {
  // An RtlEnumerateGenericTableAvl walk standing on x goes on with x's successor.
  if (t->RestartKey == x) t->RestartKey = predecessor(x);
  if (x->LeftChild != nullptr && x->RightChild != nullptr) swap_with_successor(x);
  Links* child = x->LeftChild != nullptr ? x->LeftChild : x->RightChild;
  Links* p = x->Parent;
  const bool left = p->LeftChild == x;
  replace_child(p, x, child);
  if (child != nullptr) child->Parent = p;
  retrace_delete(t, p, left);
  --t->NumberGenericTableElements;
  ++t->DeleteCount;
  t->WhichOrderedElement = 0;
  t->FreeRoutine(t, x);
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

VOID RtlInitializeGenericTableAvl(PRTL_AVL_TABLE Table, PRTL_AVL_COMPARE_ROUTINE CompareRoutine,
                                  PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine,
                                  PRTL_AVL_FREE_ROUTINE FreeRoutine, PVOID TableContext) {
  std::memset(Table, 0, sizeof(*Table));
  Table->BalancedRoot.Parent = &Table->BalancedRoot;
  Table->CompareRoutine = CompareRoutine;
  Table->AllocateRoutine = AllocateRoutine;
  Table->FreeRoutine = FreeRoutine;
  Table->TableContext = TableContext;
}

PVOID RtlInsertElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                      PBOOLEAN NewElement) {
  Links* where = nullptr;
  const TABLE_SEARCH_RESULT r = find(Table, Buffer, &where);
  return insert_at(Table, Buffer, BufferSize, NewElement, where, r);
}

PVOID RtlInsertElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                          PBOOLEAN NewElement, PVOID NodeOrParent,
                                          TABLE_SEARCH_RESULT SearchResult) {
  return insert_at(Table, Buffer, BufferSize, NewElement, static_cast<Links*>(NodeOrParent),
                   SearchResult);
}

BOOLEAN RtlDeleteElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer) {
  Links* where = nullptr;
  if (find(Table, Buffer, &where) != TableFoundNode) return FALSE;
  delete_node(Table, where);
  return TRUE;
}

VOID RtlDeleteElementGenericTableAvlEx(PRTL_AVL_TABLE Table, PVOID NodeOrParent) {
  delete_node(Table, static_cast<Links*>(NodeOrParent));
}

PVOID RtlLookupElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer) {
  Links* where = nullptr;
  return find(Table, Buffer, &where) == TableFoundNode ? data_of(where) : nullptr;
}

PVOID RtlLookupElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID* NodeOrParent,
                                          TABLE_SEARCH_RESULT* SearchResult) {
  Links* where = nullptr;
  *SearchResult = find(Table, Buffer, &where);
  if (*SearchResult != TableEmptyTree) *NodeOrParent = where;  // else left as it was
  return *SearchResult == TableFoundNode ? data_of(where) : nullptr;
}

PVOID RtlLookupFirstMatchingElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer,
                                                   PVOID* RestartKey) {
  Links* match = nullptr;
  for (Links* n = root_of(Table); n != nullptr;) {
    const RTL_GENERIC_COMPARE_RESULTS r = Table->CompareRoutine(Table, Buffer, data_of(n));
    if (r == GenericLessThan) {
      n = n->LeftChild;
    } else if (r == GenericGreaterThan) {
      n = n->RightChild;
    } else {
      match = n;  // an earlier one may match too
      n = n->LeftChild;
    }
  }
  *RestartKey = match;
  return match != nullptr ? data_of(match) : nullptr;
}

PVOID RtlEnumerateGenericTableWithoutSplayingAvl(PRTL_AVL_TABLE Table, PVOID* RestartKey) {
  Links* n = nullptr;
  if (*RestartKey == nullptr) {
    if (root_of(Table) != nullptr) n = leftmost(root_of(Table));
  } else {
    n = successor(static_cast<Links*>(*RestartKey));
  }
  if (n == nullptr) return nullptr;  // at the end the key stays on the last element
  *RestartKey = n;
  return data_of(n);
}

PVOID RtlEnumerateGenericTableAvl(PRTL_AVL_TABLE Table, BOOLEAN Restart) {
  if (Restart) Table->RestartKey = nullptr;
  PVOID key = Table->RestartKey;
  PVOID data = RtlEnumerateGenericTableWithoutSplayingAvl(Table, &key);
  Table->RestartKey = static_cast<Links*>(key);
  return data;
}

PVOID RtlEnumerateGenericTableLikeADirectory(PRTL_AVL_TABLE Table,
                                             PRTL_AVL_MATCH_FUNCTION MatchFunction, PVOID MatchData,
                                             ULONG NextFlag, PVOID* RestartKey, PULONG DeleteCount,
                                             PVOID Buffer) {
  Links* n = nullptr;
  if (root_of(Table) == nullptr) {
    *RestartKey = nullptr;
    return nullptr;
  }
  if (*RestartKey != nullptr && *DeleteCount == Table->DeleteCount) {
    n = static_cast<Links*>(*RestartKey);
    if (NextFlag) n = successor(n);
  } else {
    // The key was deleted (or none was given): start from Buffer's place.
    Links* where = nullptr;
    const TABLE_SEARCH_RESULT r = find(Table, Buffer, &where);
    n = where;
    if (r == TableInsertAsRight || (r == TableFoundNode && NextFlag)) n = successor(n);
  }
  *DeleteCount = Table->DeleteCount;
  for (; n != nullptr; n = successor(n)) {
    const NTSTATUS st =
        MatchFunction != nullptr ? MatchFunction(Table, data_of(n), MatchData) : STATUS_SUCCESS;
    if (st == STATUS_NO_MORE_MATCHES) {
      n = nullptr;
      break;
    }
    if (NT_SUCCESS(st)) break;
  }
  *RestartKey = n;
  return n != nullptr ? data_of(n) : nullptr;
}

PVOID RtlGetElementGenericTableAvl(PRTL_AVL_TABLE Table, ULONG I) {
  const ULONG count = Table->NumberGenericTableElements;
  if (I >= count) return nullptr;
  // Positions are 1-based, as WhichOrderedElement counts them (0: nothing cached).
  const ULONG want = I + 1;
  const ULONG cached = Table->WhichOrderedElement;
  Links* n = nullptr;
  ULONG at = 0;
  const ULONG from_cache = cached == 0 ? MAXULONG : (want > cached ? want - cached : cached - want);
  if (from_cache <= want - 1 && from_cache <= count - want) {
    n = static_cast<Links*>(Table->OrderedPointer);
    at = cached;
  } else if (want - 1 <= count - want) {
    n = leftmost(root_of(Table));
    at = 1;
  } else {
    n = rightmost(root_of(Table));
    at = count;
  }
  for (; at < want; ++at) n = successor(n);
  for (; at > want; --at) n = predecessor(n);
  Table->OrderedPointer = n;
  Table->WhichOrderedElement = want;
  return data_of(n);
}

ULONG RtlNumberGenericTableElementsAvl(PRTL_AVL_TABLE Table) {
  return Table->NumberGenericTableElements;
}

BOOLEAN RtlIsGenericTableEmptyAvl(PRTL_AVL_TABLE Table) {
  return root_of(Table) == nullptr ? TRUE : FALSE;
}

}  // extern "C"
