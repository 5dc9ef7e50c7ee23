// SPDX-License-Identifier: MIT
// A FIFO of waiting IRPs, linked through their op blocks (op.next / op.prev), so that
// queueing never allocates. Each backend keeps its per-socket queues with it (posix/:
// one per readiness direction; wsk_shim/: one per channel); the socket's lock guards
// them. op.queued tells a cancel routine whether the IRP is still on a queue.
#pragma once

#include "common/core/completion.hpp"
#include "wskport/irp.hpp"

namespace wskport::detail {

class IrpQueue {
 public:
  [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
  [[nodiscard]] Irp* front() const noexcept { return head_; }

  void push_back(Irp& irp) noexcept {
    auto& op = IrpAccess::op(irp);
    op.next = nullptr;
    op.prev = tail_;
    if (tail_ != nullptr) {
      IrpAccess::op(*tail_).next = &irp;
    } else {
      head_ = &irp;
    }
    tail_ = &irp;
    op.queued = true;
  }

  void remove(Irp& irp) noexcept {
    auto& op = IrpAccess::op(irp);
    if (op.prev != nullptr) {
      IrpAccess::op(*op.prev).next = op.next;
    } else {
      head_ = op.next;
    }
    if (op.next != nullptr) {
      IrpAccess::op(*op.next).prev = op.prev;
    } else {
      tail_ = op.prev;
    }
    op.next = op.prev = nullptr;
    op.queued = false;
  }

 private:
  Irp* head_ = nullptr;
  Irp* tail_ = nullptr;
};

}  // namespace wskport::detail
