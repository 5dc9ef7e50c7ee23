// SPDX-License-Identifier: MIT
// Ordered delivery of a socket's completions (ordered_delivery.hpp).
#include "common/core/ordered_delivery.hpp"

#include <mutex>

#include "common/core/completion.hpp"

namespace wskport::detail {

bool hand_over(OrderedDelivery& d, int dir, IrpList& done) noexcept {
  while (Irp* irp = done.pop()) {
    const auto& op = IrpAccess::op(*irp);
    d.list[dir].push(*irp, op.final_status, op.final_information);
  }
  if (d.active[dir] || d.list[dir].empty()) return false;
  d.active[dir] = true;
  return true;
}

void deliver_in_order(SocketImpl& s, OrderedDelivery& d, int dir) noexcept {
  s.add_ref();  // the last routine may drop the socket's last other reference
  for (;;) {
    IrpList one;
    {
      std::lock_guard lock(s.mutex);
      Irp* irp = d.list[dir].pop();
      if (irp == nullptr) {
        d.active[dir] = false;
        break;
      }
      const auto& op = IrpAccess::op(*irp);
      one.push(*irp, op.final_status, op.final_information);
    }
    one.complete_all();
  }
  s.release();
}

Start finished_at_once(OrderedDelivery& d, int dir, Irp& irp, NTSTATUS status,
                       std::uintptr_t information) noexcept {
  if (!d.active[dir]) return Start::done(status, information);
  d.list[dir].push(irp, status, information);
  return Start::queued();
}

}  // namespace wskport::detail
