// SPDX-License-Identifier: MIT
// What the two generic tables of ntddk.h share (km_gentable_avl.cpp, the AVL table;
// km_gentable_splay.cpp, the splay table): both are binary search trees ordered by the
// caller's CompareRoutine over the data that follows each node.
#pragma once

#include <ntddk.h>

namespace wskport::km::detail {

/// Descends from @p root comparing @p key with each node's data (@p data_of) through the
/// table's CompareRoutine. Returns TableFoundNode with *where the match, TableInsertAsLeft
/// or TableInsertAsRight with *where the parent a new node goes under, or TableEmptyTree
/// (*where untouched).
template <class Table, class Node, class DataOf>
TABLE_SEARCH_RESULT search_tree(Table* t, Node* root, PVOID key, Node** where, DataOf data_of) {
  Node* n = root;
  if (n == nullptr) return TableEmptyTree;
  for (;;) {
    const RTL_GENERIC_COMPARE_RESULTS r = t->CompareRoutine(t, key, data_of(n));
    if (r == GenericLessThan) {
      if (n->LeftChild == nullptr) {
        *where = n;
        return TableInsertAsLeft;
      }
      n = n->LeftChild;
    } else if (r == GenericGreaterThan) {
      if (n->RightChild == nullptr) {
        *where = n;
        return TableInsertAsRight;
      }
      n = n->RightChild;
    } else {
      *where = n;
      return TableFoundNode;
    }
  }
}

}  // namespace wskport::km::detail
