// SPDX-License-Identifier: MIT
// The dispatcher's private interface for the other runtime sources (thread objects,
// timers, fast mutexes, time conversion).
#pragma once

#include <wdm.h>

namespace wskport::km::detail {

/// Sets up a dispatcher header of @p type in @p state (the signal state).
void dispatcher_initialize(DISPATCHER_HEADER& h, UCHAR type, LONG state) noexcept;
/// Signals an object (state 1: a thread that ended, a timer that expired) and wakes its
/// waiters; a satisfied wait then consumes it as its type says.
void dispatcher_signal(DISPATCHER_HEADER& h) noexcept;
/// Resets an object to not signalled (a timer being set again).
void dispatcher_reset(DISPATCHER_HEADER& h) noexcept;
/// The signal state, read under the dispatcher lock.
bool dispatcher_signalled(DISPATCHER_HEADER& h) noexcept;

/// Joins the system threads that have finished (km_thread.cpp). Call holding no
/// runtime lock; a system thread never joins itself.
void reap_system_threads() noexcept;

/// The system time now: 100 ns units since 1601-01-01 UTC (km_time.cpp).
LONGLONG system_time_now() noexcept;

}  // namespace wskport::km::detail
