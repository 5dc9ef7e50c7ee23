// SPDX-License-Identifier: MIT
/// @file fault_injection.hpp
/// @brief Deterministic, scriptable faults at the backend boundary.
///
/// Ported code has error paths that a healthy loopback never takes. A fault script
/// makes the backend (POSIX or Winsock) misbehave on purpose, at the call the script
/// names, so those paths run in tests. The front end still validates every call; a
/// fault replaces what the native backend would have done.
///
/// A script is a list of rules separated by `;`:
///
///     rule   := op [ '#' N [ '+' | '-' M ] ] '=' action
///     op     := create | bind | listen | accept | connect | send | receive | send_to
///             | receive_from | disconnect | set_option | get_option | local_address
///             | remote_address | '*'  (any of them)
///     action := CODE            fail with the platform error CODE: a name (ECONNRESET,
///                               WSAECONNRESET; either spelling on either platform) or a
///                               number, mapped to NTSTATUS by the platform's own table
///             | short:BYTES     send/receive: move at most BYTES bytes (short transfer)
///             | wouldblock:N    waiting ops: the transport says "would block" N times
///                               (the IRP pends, then proceeds)
///             | delay:MS        waiting ops: start (hence complete) MS milliseconds late
///             | reset           send/receive: the peer resets the connection now (the
///                               call and every later transfer on the socket complete
///                               with the status mapped from ECONNRESET)
///             | forced_close    the library tears the socket down under the caller:
///                               this and every later call complete with
///                               STATUS_FILE_FORCED_CLOSED, except close
///
/// `op` alone matches every call of that operation; `op#N` only the Nth call (1-based,
/// counted per rule since the script was installed, over the calls that reach the
/// backend, i.e. that passed the front end's checks); `op#N+` the Nth and later;
/// `op#N-M` calls N to M. The first rule that matches a call decides its fault.
///
/// Example: `WSKPORT_FAULTS="connect#1=ECONNREFUSED; send#2=short:100; receive=delay:20"`.
///
/// A provider is wrapped by the injector when it is created while a script is
/// installed (by `set_script` or by the environment variable `WSKPORT_FAULTS`, read
/// once at start-up); a provider created without one pays nothing. A wrapped provider
/// follows later `set_script`/`clear` calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wskport/status.hpp"

namespace wskport::faults {

/// Parses @p script and installs it, replacing the previous one and resetting every
/// call counter. Returns `status::success`, or `status::invalid_parameter` (the old
/// script stays, and @p error, if given, says which rule is wrong and why). An empty
/// script is the same as `clear()`. Synchronous; safe from any thread.
NTSTATUS set_script(std::string_view script, std::string* error = nullptr);

/// Removes the script: wrapped providers pass every call through unchanged.
void clear() noexcept;

/// True while a script is installed.
[[nodiscard]] bool enabled() noexcept;

/// Faults injected since the script was installed (each matched call counts once).
[[nodiscard]] std::uint64_t injected() noexcept;

/// The status the platform's error table gives @p code ("ECONNRESET", "WSAEMFILE" or
/// a number), as a fault with that code would complete with; `status::unsuccessful`
/// with @p known false for a name this platform's table does not list.
[[nodiscard]] NTSTATUS status_for_code(std::string_view code, bool* known = nullptr) noexcept;

}  // namespace wskport::faults
