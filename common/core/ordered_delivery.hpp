// SPDX-License-Identifier: MIT
// Ordered delivery: the completion routines of a socket's operations of one direction
// run one at a time, in the order the operations finished.
//
// Why: a client may keep several receives in flight on one stream socket and act on
// each from its routine (Microsoft's echosrv sample queues each one's echo there). The
// engine takes the data in order, but finished IRPs used to be completed by whichever
// thread finished them, after it dropped the socket's lock: two provider threads could
// run two routines at once, or a call that finished at once could run its routine inline
// before an earlier IRP's routine had started, and the client saw its data reordered.
// The kernel's TCP completes a connection's receives in order; so does this.
//
// How: finished IRPs join the socket's delivery list of their direction under the
// socket's lock. The thread that finds no delivery under way becomes the deliverer and
// runs the list, one routine at a time, until it is empty; others leave theirs to it. A
// call that finishes at once while a delivery of its direction is under way (typically
// issued from one of those routines) joins the list instead of completing inline, so it
// returns STATUS_PENDING and its routine runs after the earlier ones, on the deliverer.
#pragma once

#include <cstdint>

#include "common/core/backend.hpp"
#include "common/core/socket_impl.hpp"

namespace wskport::detail {

struct OrderedDelivery {
  IrpList list[2];                  ///< finished, routine not run yet; per direction
  bool active[2] = {false, false};  ///< a thread is running that list
};

/// Moves @p done to the end of the delivery list of direction @p dir (socket's mutex
/// held). True when the caller must now call deliver_in_order() (no other thread will).
bool hand_over(OrderedDelivery& d, int dir, IrpList& done) noexcept;

/// Runs the routines of direction @p dir's list one at a time until it is empty (no lock
/// held; after hand_over() returned true). Holds a reference to @p s meanwhile.
void deliver_in_order(SocketImpl& s, OrderedDelivery& d, int dir) noexcept;

/// What an operation that finished at once returns (socket's mutex held): done, or,
/// while a delivery of @p dir is under way, queued behind it.
Start finished_at_once(OrderedDelivery& d, int dir, Irp& irp, NTSTATUS status,
                       std::uintptr_t information) noexcept;

}  // namespace wskport::detail
