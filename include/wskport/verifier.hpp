// SPDX-License-Identifier: MIT
/// @file verifier.hpp
/// @brief The IRP verifier: Driver Verifier's I/O verification for user mode.
///
/// Off by default. When on, the library checks how IRPs and sockets are used and, on
/// a violation, prints a report (what happened, the socket id and operation, and the
/// IRP's last state transitions) to stderr and aborts the process, so a test or a
/// debugger stops where the bug is. Switched on at run time by `enable()` or, for the
/// whole process, by the environment variable `WSKPORT_VERIFIER`:
///
///   WSKPORT_VERIFIER=1          every check (same as "all")
///   WSKPORT_VERIFIER=irp,leaks  the IRP life-cycle and teardown checks only
///   WSKPORT_VERIFIER=all,contract  every check plus the library's self-check
///   WSKPORT_VERIFIER=0          off (the default when unset)
///
/// When off, each check costs one relaxed atomic load; no history is kept.
#pragma once

#include <cstdint>
#include <string_view>

namespace wskport::verifier {

/// Groups of checks; combine with `|`.
enum check : unsigned {
  /// IRP life cycle: completed twice, destroyed or reinitialised (`Irp::reuse`)
  /// while pending, a completion routine that throws (the
  /// contract says it must not), and, for the kernel-compatible layer, a routine
  /// returning what the contract forbids. Without the verifier the first three abort
  /// too (without a history); the verifier adds the report.
  irp = 1U << 0U,
  /// Caller misuse that the library otherwise answers with a status: a socket used
  /// after close (a stale or unknown socket id, `invalid_handle`), a call the socket's
  /// category does not have (accept on a connection socket: `invalid_device_state`),
  /// a null IRP, and an IRP handed to a new call while still pending
  /// (`invalid_parameter`). Tests that check those statuses on purpose run without
  /// this group.
  usage = 1U << 1U,
  /// Teardown: sockets never closed, or IRPs never completed, when a provider is
  /// destroyed (or, in the kernel-compatible layer, when `WskDeregister` returns).
  leaks = 1U << 2U,
  /// The library checking itself: every completion's status must be one the
  /// completed function's comment lists (socket.hpp, provider.hpp). A report here is a
  /// wskport defect (or a comment to correct), never the caller's. Not part of `all`:
  /// fault injection can make the platform fail in ways its documentation does not
  /// list, and a program under test should not stop for the library's own audit.
  /// On in wskport's own test suites; worth turning on when porting an engine.
  contract = 1U << 3U,
  all = irp | usage | leaks,
};

/// Turns on the checks in @p checks (and off every other one). Clears the IRP
/// histories kept so far. Safe from any thread; calls already inside the library may
/// still run with the old setting.
void enable(unsigned checks = all) noexcept;

/// Turns every check off (histories are dropped).
void disable() noexcept;

/// The checks now on (0 when off).
[[nodiscard]] unsigned enabled_checks() noexcept;

/// Parses a `WSKPORT_VERIFIER` value ("1", "all", "0", "", or a comma-separated list of
/// "irp", "usage", "leaks", "contract", "all") into a mask. Returns false for anything else.
[[nodiscard]] bool parse_checks(std::string_view text, unsigned& checks) noexcept;

/// Called with each report's full text instead of the default action (print to
/// stderr, then abort). If the handler returns, the library goes on as it would
/// without the verifier (the misuse gets its usual status). For tests of the
/// verifier itself and for embedding programs with their own crash reporting; pass
/// null to restore the default.
using ReportHandler = void (*)(std::string_view report);
void set_report_handler(ReportHandler handler) noexcept;

}  // namespace wskport::verifier
