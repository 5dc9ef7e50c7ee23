// SPDX-License-Identifier: MIT
// The verifier's internal interface: the switch the hot paths test, the IRP history
// kept while it is on, and report(), which any layer (the core, common/km) calls to
// report a violation. The cost when off is one relaxed atomic load per check, so the
// hooks stay in the completion funnel and the front end.
#pragma once

#include <atomic>
#include <cstdint>

#include "common/core/operations.hpp"
#include "wskport/irp.hpp"
#include "wskport/status.hpp"
#include "wskport/verifier.hpp"

namespace wskport::detail {
class SocketImpl;
}

namespace wskport::detail::verifier {

using wskport::verifier::check;

/// The checks now on. Read with a relaxed load on every hook.
extern std::atomic<unsigned> g_checks;

/// True when the group @p c is on.
inline bool on(unsigned c) noexcept { return (g_checks.load(std::memory_order_relaxed) & c) != 0; }

/// What an IRP went through, for the history in a report.
enum class Event : std::uint8_t {
  accepted,         ///< a call took the IRP (op = its operation)
  refused_pending,  ///< a call was given the IRP while it was still pending
  pended,           ///< the call returned STATUS_PENDING
  cancel,           ///< IoCancelIrp / Irp::cancel
  completed,        ///< the funnel completed it (status, information)
  routine_done,     ///< its completion routine returned
  reused,           ///< Irp::reuse / IoReuseIrp
  note,             ///< a layer above the core recorded something (km: IoCallDriver...)
};

/// Records one transition of @p irp (only call when `on(check::irp)`; cheap otherwise
/// but never free). @p socket_id is 0 when not known.
void record(const void* irp, Event event, OpKind op = OpKind::none, NTSTATUS status = 0,
            std::uintptr_t information = 0, std::uintptr_t socket_id = 0) noexcept;

/// Drops @p irp's history (the IRP is being destroyed).
void forget(const void* irp) noexcept;

/// Reports a violation of group @p kind: @p text says what, @p irp (may be null),
/// @p socket_id (0 if none) and @p op say where; the report adds @p irp's history.
/// Prints and aborts, unless a report handler is installed and returns.
void report(check kind, const void* irp, std::uintptr_t socket_id, OpKind op,
            const char* text) noexcept;

/// The same with an operation named by the caller (for layers whose operations are
/// not OpKinds, such as the km dispatch routines: "WskDeregister", "IoCompleteRequest").
void report(check kind, const void* irp, std::uintptr_t socket_id, const char* op,
            const char* text) noexcept;

/// Front-end check (group usage) of a call on socket @p id that took @p irp: reports a
/// stale or unknown id (@p socket null: used after close) and an operation the
/// socket's category does not have.
void check_socket_call(const Irp& irp, std::uintptr_t id, const SocketImpl* socket) noexcept;

/// Contract check (group contract) of a completion: reports @p status if no public
/// function of kind @p op lists it (common/core/contract.hpp), and notes the pair for
/// the coverage record.
void check_contract(const Irp& irp, OpKind op, NTSTATUS status, std::uintptr_t socket_id) noexcept;

/// The name of @p op ("send", "accept", ...).
const char* op_name(OpKind op) noexcept;

/// Teardown check for a provider being destroyed: @p open_socket_ids lists the sockets
/// its caller never closed (count @p sockets), @p outstanding_irps the IRPs accepted
/// and never completed. Reports (group leaks) if either is non-zero, naming the
/// sockets and every IRP the history table still shows pending.
void check_teardown(const std::uintptr_t* open_socket_ids, std::size_t sockets,
                    std::size_t outstanding_irps, const char* who) noexcept;

}  // namespace wskport::detail::verifier
