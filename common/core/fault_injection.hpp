// SPDX-License-Identifier: MIT
// Fault injection, internal half: the installed script (fault_injection.cpp), the
// decorating backend that applies it (fault_backend.cpp), and the two functions each
// platform provides so that a script can name its error codes (posix/fault_codes.cpp,
// wsk_shim/fault_codes.cpp; resolved at link time, so common/ never
// includes a platform header).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/core/backend.hpp"
#include "wskport/status.hpp"

namespace boost::asio {
class io_context;
}

namespace wskport::detail {

/// The native error code named @p name ("ECONNRESET", "WSAECONNRESET", "EMFILE"); the
/// other platform's spelling is accepted for the same condition. False if the
/// platform's table has no such row.
bool native_error_code(std::string_view name, int& code) noexcept;

/// What the platform's table gives for native error @p code (errno or WSA code).
NTSTATUS status_from_native_error(int code) noexcept;

namespace faults {

/// The operations a rule can name: the operation table's rows with a fault name.
using Op = OpKind;

enum class Action : std::uint8_t { fail, short_transfer, would_block, delay, reset, forced_close };

/// One injected fault: what to do, and its parameter (the status for fail, bytes for
/// short_transfer, repetitions for would_block, milliseconds for delay).
struct Fault {
  Action action = Action::fail;
  NTSTATUS status = status::unsuccessful;
  std::uint64_t amount = 0;
};

/// True while a script is installed (one relaxed load; reads WSKPORT_FAULTS the first
/// time it is asked).
bool active() noexcept;

/// Counts a call of @p op against every rule and returns the fault of the first rule
/// whose range holds it, if any.
std::optional<Fault> match(Op op) noexcept;

/// The status a reset completes with: the platform table's ECONNRESET.
NTSTATUS reset_status() noexcept;

}  // namespace faults

/// Wraps @p inner in the fault injector.
std::unique_ptr<Backend> make_fault_backend(std::unique_ptr<Backend> inner,
                                            boost::asio::io_context& io);

}  // namespace wskport::detail
