// SPDX-License-Identifier: MIT
// The bridge between the kernel IRP (wdm.h) and the core's completion object
// (wskport::Irp), used by the WSK provider (common/km/wsk_*.cpp).
//
// One object: IoAllocateIrp / IoInitializeIrp construct a wskport::Irp at the IRP's
// address, so &irp->IoStatus is the core Irp's IoStatus and no call translates anything.
// The core Irp's completion routine is the runtime's trampoline: when the core completes
// a km IRP (on the completing thread, never under a library lock) it
//   1. if a provider hook is set, clears it and calls it; a hook that returns true took
//      the IRP back (the WSK layer re-issued it as the next step of a compound call, or
//      queued it) and nothing else happens now;
//   2. otherwise does what IoCompleteRequest does: steps the stack location back, sets
//      PendingReturned from SL_PENDING_RETURNED, calls the routine stored by
//      IoSetCompletionRoutine if its Invoke flags match (success / error / cancel), and
//      honours STATUS_MORE_PROCESSING_REQUIRED (the client owns the IRP again and may
//      IoFreeIrp or IoReuseIrp it inside the routine).
#pragma once

#include <cstddef>

#include "wskport/irp.hpp"  // before <wdm.h>: standard headers first, then kernel macros

#include <wdm.h>

namespace wskport::km {

/// The core completion object of @p irp (same address). @p irp must come from
/// IoAllocateIrp or IoInitializeIrp.
wskport::Irp& core_irp(PIRP irp) noexcept;

/// The kernel IRP whose completion object is @p core (same address). Only for core IRPs
/// made by IoAllocateIrp / IoInitializeIrp.
PIRP km_irp(wskport::Irp& core) noexcept;

/// True if @p irp was made by IoAllocateIrp / IoInitializeIrp (its core object exists).
bool is_km_irp(PIRP irp) noexcept;

/// Called by the trampoline before the IoCompleteRequest walk (see the file comment).
/// Runs on the completing thread; must not throw.
using ProviderHook = bool (*)(PIRP irp) noexcept;

/// Installs @p hook for the next completion of @p irp (nullptr removes it). The hook is
/// cleared before it is called, so a hook that re-issues the IRP sets it again if it
/// wants to see the next completion too.
void set_provider_hook(PIRP irp, ProviderHook hook) noexcept;

/// The WSK provider's scratch bytes of @p irp (WSKPORT_IRP_PROVIDER_WORDS pointer-sized
/// words, pointer-aligned), never touched by the runtime except zeroed by
/// IoAllocateIrp / IoInitializeIrp / IoReuseIrp.
void* provider_area(PIRP irp) noexcept;

/// Size of provider_area() in bytes.
inline constexpr std::size_t provider_area_size = sizeof(ULONG_PTR) * WSKPORT_IRP_PROVIDER_WORDS;

/// Takes @p irp for the provider as the WSK subsystem does: IoSetNextIrpStackLocation
/// (the location holding the client's completion routine becomes current). Returns
/// STATUS_SUCCESS, or STATUS_INVALID_PARAMETER if @p irp is null, was not made by
/// IoAllocateIrp / IoInitializeIrp, or has no free stack location (nothing completed).
NTSTATUS enter_provider(PIRP irp) noexcept;

/// IoMarkIrpPending on the provider's (current) location.
void mark_pending(PIRP irp) noexcept;

/// Completes an IRP the provider holds (not pending in a core call) with @p status and
/// @p information through the core's one funnel (detail::complete_irp), so the
/// trampoline runs as for a core completion. Used for state errors found up front and
/// by IoCompleteRequest. An IRP that is pending in a core call is reported (DbgPrint)
/// and left alone: the core will complete it.
void complete_now(PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept;

}  // namespace wskport::km
