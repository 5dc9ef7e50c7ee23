// SPDX-License-Identifier: MIT
// Splay links (RTL_SPLAY_LINKS, RtlSplay, RtlDelete, ...) and the splay-tree generic
// table (RTL_GENERIC_TABLE, Rtl...GenericTable).
//
// A splay tree's root is its own parent (RtlInitializeSplayLinks makes every node a
// root), so "is root" is a pointer comparison and no tree object is needed. Splaying is
// bottom-up (zig, zig-zig, zig-zag rotations through the parent links): amortised
// O(log n) per operation. Each table element is one block from the caller's
// AllocateRoutine: RTL_SPLAY_LINKS, a LIST_ENTRY in the table's InsertOrderList, then
// the caller's data (the offsets Microsoft documents).
#include <cstring>

#include <ntddk.h>

#include "common/km/km_gentable.hpp"

namespace wskport::km::detail {

namespace {

using Node = RTL_SPLAY_LINKS;

constexpr std::size_t kOrderOffset = sizeof(RTL_SPLAY_LINKS);
constexpr std::size_t kDataOffset = sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY);

bool is_root(const Node* n) noexcept { return n->Parent == n; }
PLIST_ENTRY order_of(Node* n) noexcept {
  return reinterpret_cast<PLIST_ENTRY>(reinterpret_cast<PUCHAR>(n) + kOrderOffset);
}
Node* node_of_order(PLIST_ENTRY e) noexcept {
  return reinterpret_cast<Node*>(reinterpret_cast<PUCHAR>(e) - kOrderOffset);
}
PVOID data_of(Node* n) noexcept { return reinterpret_cast<PUCHAR>(n) + kDataOffset; }

Node* leftmost(Node* n) noexcept {
  while (n->LeftChild != nullptr) n = n->LeftChild;
  return n;
}

Node* rightmost(Node* n) noexcept {
  while (n->RightChild != nullptr) n = n->RightChild;
  return n;
}

// Rotates @p x above its parent, keeping the in-order sequence.
void rotate_up(Node* x) noexcept {
  Node* p = x->Parent;
  Node* g = p->Parent;
  const bool p_was_root = is_root(p);
  if (p->LeftChild == x) {
    p->LeftChild = x->RightChild;
    if (x->RightChild != nullptr) x->RightChild->Parent = p;
    x->RightChild = p;
  } else {
    p->RightChild = x->LeftChild;
    if (x->LeftChild != nullptr) x->LeftChild->Parent = p;
    x->LeftChild = p;
  }
  p->Parent = x;
  if (p_was_root) {
    x->Parent = x;
  } else {
    x->Parent = g;
    if (g->LeftChild == p) {
      g->LeftChild = x;
    } else {
      g->RightChild = x;
    }
  }
}

// Exchanges the tree positions of @p x, which has two children, and its in-order
// predecessor. Returns the predecessor (now where @p x was).
Node* swap_with_predecessor(Node* x) noexcept {
  Node* s = rightmost(x->LeftChild);
  const bool x_was_root = is_root(x);
  Node* xp = x->Parent;
  Node* xl = x->LeftChild;
  Node* xr = x->RightChild;
  Node* sp = s->Parent;
  Node* sl = s->LeftChild;
  if (x_was_root) {
    s->Parent = s;
  } else {
    s->Parent = xp;
    if (xp->LeftChild == x) {
      xp->LeftChild = s;
    } else {
      xp->RightChild = s;
    }
  }
  s->RightChild = xr;
  xr->Parent = s;
  if (s == xl) {
    s->LeftChild = x;
    x->Parent = s;
  } else {
    s->LeftChild = xl;
    xl->Parent = s;
    sp->RightChild = x;
    x->Parent = sp;
  }
  x->LeftChild = sl;
  x->RightChild = nullptr;
  if (sl != nullptr) sl->Parent = x;
  return s;
}

// Unlinks @p x. Returns the node that was its parent (nullptr if it was the root) and
// stores the tree's root in @p root when it changes.
Node* unlink(Node* x, Node** root) noexcept {
  if (x->LeftChild != nullptr && x->RightChild != nullptr) {
    Node* s = swap_with_predecessor(x);
    if (is_root(s)) *root = s;
  }
  Node* child = x->LeftChild != nullptr ? x->LeftChild : x->RightChild;
  if (is_root(x)) {
    if (child != nullptr) child->Parent = child;
    *root = child;
    return nullptr;
  }
  Node* p = x->Parent;
  if (p->LeftChild == x) {
    p->LeftChild = child;
  } else {
    p->RightChild = child;
  }
  if (child != nullptr) child->Parent = p;
  return p;
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

PRTL_SPLAY_LINKS RtlSplay(PRTL_SPLAY_LINKS Links) {
  Node* x = Links;
  while (!is_root(x)) {
    Node* p = x->Parent;
    if (is_root(p)) {
      rotate_up(x);  // zig
    } else if ((p->LeftChild == x) == (p->Parent->LeftChild == p)) {
      rotate_up(p);  // zig-zig: the parent first
      rotate_up(x);
    } else {
      rotate_up(x);  // zig-zag
      rotate_up(x);
    }
  }
  return x;
}

PRTL_SPLAY_LINKS RtlDelete(PRTL_SPLAY_LINKS Links) {
  Node* root = nullptr;
  Node* parent = unlink(Links, &root);
  return parent != nullptr ? RtlSplay(parent) : root;
}

VOID RtlDeleteNoSplay(PRTL_SPLAY_LINKS Links, PRTL_SPLAY_LINKS* Root) {
  Node* root = *Root;
  (void)unlink(Links, &root);
  *Root = root;
}

PRTL_SPLAY_LINKS RtlSubtreeSuccessor(PRTL_SPLAY_LINKS Links) {
  return Links->RightChild != nullptr ? leftmost(Links->RightChild) : nullptr;
}

PRTL_SPLAY_LINKS RtlSubtreePredecessor(PRTL_SPLAY_LINKS Links) {
  return Links->LeftChild != nullptr ? rightmost(Links->LeftChild) : nullptr;
}

PRTL_SPLAY_LINKS RtlRealSuccessor(PRTL_SPLAY_LINKS Links) {
  if (Links->RightChild != nullptr) return leftmost(Links->RightChild);
  Node* n = Links;
  while (!is_root(n) && n->Parent->RightChild == n) n = n->Parent;
  return is_root(n) ? nullptr : n->Parent;
}

PRTL_SPLAY_LINKS RtlRealPredecessor(PRTL_SPLAY_LINKS Links) {
  if (Links->LeftChild != nullptr) return rightmost(Links->LeftChild);
  Node* n = Links;
  while (!is_root(n) && n->Parent->LeftChild == n) n = n->Parent;
  return is_root(n) ? nullptr : n->Parent;
}

}  // extern "C"

namespace wskport::km::detail {

namespace {

TABLE_SEARCH_RESULT find(PRTL_GENERIC_TABLE t, PVOID key, Node** where) {
  return search_tree(t, t->TableRoot, key, where, data_of);
}

PVOID insert_at(PRTL_GENERIC_TABLE t, PVOID buffer, CLONG size, PBOOLEAN new_element, Node* parent,
                TABLE_SEARCH_RESULT where) {
  if (new_element != nullptr) *new_element = FALSE;
  if (where == TableEmptyTree && t->TableRoot != nullptr) where = find(t, buffer, &parent);
  if (where == TableFoundNode) {
    t->TableRoot = RtlSplay(parent);
    return data_of(parent);
  }
  if (size > MAXULONG - kDataOffset) return nullptr;
  auto* n = static_cast<Node*>(t->AllocateRoutine(t, static_cast<CLONG>(kDataOffset + size)));
  if (n == nullptr) return nullptr;
  RtlInitializeSplayLinks(n);
  if (size != 0) std::memcpy(data_of(n), buffer, size);
  if (where == TableInsertAsLeft) {
    RtlInsertAsLeftChild(parent, n);
  } else if (where == TableInsertAsRight) {
    RtlInsertAsRightChild(parent, n);
  }
  InsertTailList(&t->InsertOrderList, order_of(n));  // cached positions stay valid
  ++t->NumberGenericTableElements;
  t->TableRoot = RtlSplay(n);
  if (new_element != nullptr) *new_element = TRUE;
  return data_of(n);
}

}  // namespace

}  // namespace wskport::km::detail

extern "C" {

VOID RtlInitializeGenericTable(PRTL_GENERIC_TABLE Table,
                               PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine,
                               PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine,
                               PRTL_GENERIC_FREE_ROUTINE FreeRoutine, PVOID TableContext) {
  Table->TableRoot = nullptr;
  InitializeListHead(&Table->InsertOrderList);
  Table->OrderedPointer = &Table->InsertOrderList;
  Table->WhichOrderedElement = 0;
  Table->NumberGenericTableElements = 0;
  Table->CompareRoutine = CompareRoutine;
  Table->AllocateRoutine = AllocateRoutine;
  Table->FreeRoutine = FreeRoutine;
  Table->TableContext = TableContext;
}

PVOID RtlInsertElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                   PBOOLEAN NewElement) {
  Node* where = nullptr;
  const TABLE_SEARCH_RESULT r = find(Table, Buffer, &where);
  return insert_at(Table, Buffer, BufferSize, NewElement, where, r);
}

PVOID RtlInsertElementGenericTableFull(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                       PBOOLEAN NewElement, PVOID NodeOrParent,
                                       TABLE_SEARCH_RESULT SearchResult) {
  return insert_at(Table, Buffer, BufferSize, NewElement, static_cast<Node*>(NodeOrParent),
                   SearchResult);
}

BOOLEAN RtlDeleteElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer) {
  Node* n = nullptr;
  if (find(Table, Buffer, &n) != TableFoundNode) return FALSE;
  Table->TableRoot = RtlDelete(n);
  RemoveEntryList(order_of(n));
  --Table->NumberGenericTableElements;
  Table->WhichOrderedElement = 0;
  Table->OrderedPointer = &Table->InsertOrderList;
  Table->FreeRoutine(Table, n);
  return TRUE;
}

PVOID RtlLookupElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer) {
  Node* n = nullptr;
  if (find(Table, Buffer, &n) != TableFoundNode) return nullptr;
  Table->TableRoot = RtlSplay(n);
  return data_of(n);
}

PVOID RtlLookupElementGenericTableFull(PRTL_GENERIC_TABLE Table, PVOID Buffer, PVOID* NodeOrParent,
                                       TABLE_SEARCH_RESULT* SearchResult) {
  Node* n = nullptr;
  *SearchResult = find(Table, Buffer, &n);
  if (*SearchResult == TableEmptyTree) return nullptr;  // NodeOrParent left as it was
  *NodeOrParent = n;
  if (*SearchResult != TableFoundNode) return nullptr;
  Table->TableRoot = RtlSplay(n);
  return data_of(n);
}

PVOID RtlEnumerateGenericTable(PRTL_GENERIC_TABLE Table, BOOLEAN Restart) {
  if (Table->TableRoot == nullptr) return nullptr;
  Node* n = Restart ? leftmost(Table->TableRoot) : RtlRealSuccessor(Table->TableRoot);
  if (n == nullptr) return nullptr;
  Table->TableRoot = RtlSplay(n);
  return data_of(n);
}

PVOID RtlEnumerateGenericTableWithoutSplaying(PRTL_GENERIC_TABLE Table, PVOID* RestartKey) {
  Node* n = nullptr;
  if (*RestartKey == nullptr) {
    if (Table->TableRoot != nullptr) n = leftmost(Table->TableRoot);
  } else {
    n = RtlRealSuccessor(static_cast<Node*>(*RestartKey));
  }
  if (n == nullptr) return nullptr;  // at the end the key stays on the last element
  *RestartKey = n;
  return data_of(n);
}

PVOID RtlGetElementGenericTable(PRTL_GENERIC_TABLE Table, ULONG I) {
  const ULONG count = Table->NumberGenericTableElements;
  if (I >= count) return nullptr;
  // Positions are 1-based, as WhichOrderedElement counts them (0: the list head).
  const ULONG want = I + 1;
  const ULONG cached = Table->WhichOrderedElement;
  PLIST_ENTRY e = nullptr;
  ULONG at = 0;
  const ULONG from_cache = cached == 0 ? MAXULONG : (want > cached ? want - cached : cached - want);
  if (from_cache <= want && from_cache <= count + 1 - want) {
    e = Table->OrderedPointer;
    at = cached;
  } else if (want <= count + 1 - want) {
    e = &Table->InsertOrderList;
    at = 0;
  } else {
    e = &Table->InsertOrderList;
    at = count + 1;
  }
  for (; at < want; ++at) e = e->Flink;
  for (; at > want; --at) e = e->Blink;
  Table->OrderedPointer = e;
  Table->WhichOrderedElement = want;
  return data_of(node_of_order(e));
}

ULONG RtlNumberGenericTableElements(PRTL_GENERIC_TABLE Table) {
  return Table->NumberGenericTableElements;
}

BOOLEAN RtlIsGenericTableEmpty(PRTL_GENERIC_TABLE Table) {
  return Table->TableRoot == nullptr ? TRUE : FALSE;
}

}  // extern "C"
