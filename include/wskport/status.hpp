// SPDX-License-Identifier: MIT
/// @file status.hpp
/// @brief NTSTATUS: the one status vocabulary of wskport, on every platform.
///
/// Values are the Windows ntstatus.h values, so a status read in a Linux debugger
/// means the same as one read in WinDbg. The constants live in `wskport::status`
/// with lower-case names instead of the `STATUS_*` macros, because Windows headers
/// (winnt.h) define some of those names as macros of another type; the
/// kernel-compatible headers (`wskport/km/`) provide the macro spellings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wskport {

/// The NT status type: 32 bits, signed, as in the Windows kernel. Severity is in the
/// top two bits: success (00), informational (01), warning (10), error (11).
using NTSTATUS = std::int32_t;

/// True for success and informational statuses (severity 00 or 01), as the kernel's
/// `NT_SUCCESS` macro. `status::pending` counts as success; warnings such as
/// `status::buffer_overflow` do not.
[[nodiscard]] constexpr bool nt_success(NTSTATUS s) noexcept { return s >= 0; }

/// True for error-severity statuses (top two bits 11).
[[nodiscard]] constexpr bool nt_error(NTSTATUS s) noexcept {
  return (static_cast<std::uint32_t>(s) >> 30) == 3U;
}

namespace status {
// The literal is written as the unsigned hex of ntstatus.h; the cast keeps the bit
// pattern, which is what NTSTATUS comparisons mean.
constexpr NTSTATUS make(std::uint32_t v) noexcept { return static_cast<NTSTATUS>(v); }

inline constexpr NTSTATUS success = make(0x00000000);
inline constexpr NTSTATUS timeout = make(0x00000102);
inline constexpr NTSTATUS pending = make(0x00000103);
inline constexpr NTSTATUS buffer_overflow = make(0x80000005);  ///< warning: datagram truncated
inline constexpr NTSTATUS device_busy = make(0x80000011);      ///< warning
inline constexpr NTSTATUS unsuccessful = make(0xC0000001);
inline constexpr NTSTATUS not_implemented = make(0xC0000002);
inline constexpr NTSTATUS access_violation = make(0xC0000005);
inline constexpr NTSTATUS invalid_handle = make(0xC0000008);
inline constexpr NTSTATUS invalid_parameter = make(0xC000000D);
inline constexpr NTSTATUS invalid_device_request = make(0xC0000010);
inline constexpr NTSTATUS more_processing_required = make(0xC0000016);
inline constexpr NTSTATUS no_memory = make(0xC0000017);
inline constexpr NTSTATUS access_denied = make(0xC0000022);
inline constexpr NTSTATUS buffer_too_small = make(0xC0000023);
inline constexpr NTSTATUS object_type_mismatch = make(0xC0000024);
inline constexpr NTSTATUS object_name_not_found = make(0xC0000034);
inline constexpr NTSTATUS object_name_collision = make(0xC0000035);
inline constexpr NTSTATUS object_path_not_found = make(0xC000003A);
inline constexpr NTSTATUS sharing_violation = make(0xC0000043);
inline constexpr NTSTATUS insufficient_resources = make(0xC000009A);
inline constexpr NTSTATUS media_write_protected = make(0xC00000A2);
inline constexpr NTSTATUS device_not_ready = make(0xC00000A3);
inline constexpr NTSTATUS pipe_disconnected = make(0xC00000B0);
inline constexpr NTSTATUS io_timeout = make(0xC00000B5);
inline constexpr NTSTATUS file_forced_closed = make(0xC00000B6);
inline constexpr NTSTATUS not_supported = make(0xC00000BB);
inline constexpr NTSTATUS network_busy = make(0xC00000BF);
inline constexpr NTSTATUS request_not_accepted = make(0xC00000D0);
inline constexpr NTSTATUS cant_wait = make(0xC00000D8);
inline constexpr NTSTATUS internal_error = make(0xC00000E5);
inline constexpr NTSTATUS not_a_directory = make(0xC0000103);
inline constexpr NTSTATUS name_too_long = make(0xC0000106);
inline constexpr NTSTATUS too_many_opened_files = make(0xC000011F);
inline constexpr NTSTATUS cancelled = make(0xC0000120);
inline constexpr NTSTATUS invalid_connection = make(0xC0000140);
inline constexpr NTSTATUS invalid_address = make(0xC0000141);
inline constexpr NTSTATUS invalid_device_state = make(0xC0000184);
inline constexpr NTSTATUS invalid_buffer_size = make(0xC0000206);
inline constexpr NTSTATUS invalid_address_component = make(0xC0000207);
inline constexpr NTSTATUS address_already_exists = make(0xC000020A);
inline constexpr NTSTATUS connection_disconnected = make(0xC000020C);
inline constexpr NTSTATUS connection_reset = make(0xC000020D);
inline constexpr NTSTATUS data_not_accepted = make(0xC000021B);
inline constexpr NTSTATUS not_found = make(0xC0000225);
inline constexpr NTSTATUS connection_refused = make(0xC0000236);
inline constexpr NTSTATUS graceful_disconnect = make(0xC0000237);
inline constexpr NTSTATUS address_already_associated = make(0xC0000238);
inline constexpr NTSTATUS connection_active = make(0xC000023B);
inline constexpr NTSTATUS network_unreachable = make(0xC000023C);
inline constexpr NTSTATUS host_unreachable = make(0xC000023D);
inline constexpr NTSTATUS protocol_unreachable = make(0xC000023E);
inline constexpr NTSTATUS port_unreachable = make(0xC000023F);
inline constexpr NTSTATUS connection_aborted = make(0xC0000241);
inline constexpr NTSTATUS no_match = make(0xC0000272);
inline constexpr NTSTATUS nointerface = make(0xC00002B9);
inline constexpr NTSTATUS host_down = make(0xC0000350);
}  // namespace status

/// The ntstatus.h name of @p s ("STATUS_CONNECTION_REFUSED"), or "" for a value the
/// library does not name. Never allocates; safe in completion routines.
[[nodiscard]] std::string_view status_name(NTSTATUS s) noexcept;

/// A printable form for diagnostics: the name when known, always followed by the hex
/// value, e.g. "STATUS_CANCELLED (0xC0000120)". Written into @p out (NUL-terminated,
/// truncated to fit); returns the characters written, excluding the NUL.
std::size_t format_status(NTSTATUS s, char* out, std::size_t out_size) noexcept;

}  // namespace wskport
