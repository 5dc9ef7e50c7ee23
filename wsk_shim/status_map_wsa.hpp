// SPDX-License-Identifier: MIT
// Winsock / Win32 error -> NTSTATUS, the Windows backend's one error table.
//
// It stands beside the errno table (posix/status_map.hpp): one row per condition,
// the same status wherever the two tables name the same condition. The codes are
// written as plain numbers so that this file (and its unit test) builds on every
// platform, without winsock2.h or windows.h.
//
// The values below are those of winsock2.h and winerror.h and must stay equal to
// them; the Windows backend, which includes the real headers, static_asserts each
// one against its macro (wsk_shim/winsock.hpp). The names are the Windows spellings
// in lower case, because the upper-case spellings are macros wherever winsock2.h has
// been included.
#pragma once

#include <span>

#include "wskport/status.hpp"

namespace wskport::detail::wsa {

// Win32 errors that overlapped socket I/O reports through GetOverlappedResult or the
// completion port (winerror.h). Some have a WSA_ alias with the same value.
inline constexpr int wsa_invalid_handle = 6;     // ERROR_INVALID_HANDLE
inline constexpr int wsa_not_enough_memory = 8;  // ERROR_NOT_ENOUGH_MEMORY
inline constexpr int error_unexp_net_err = 59;
inline constexpr int error_netname_deleted = 64;
inline constexpr int wsa_invalid_parameter = 87;  // ERROR_INVALID_PARAMETER
inline constexpr int error_sem_timeout = 121;
inline constexpr int error_more_data = 234;
inline constexpr int error_handles_closed = 676;
inline constexpr int wsa_operation_aborted = 995;  // ERROR_OPERATION_ABORTED
inline constexpr int wsa_io_pending = 997;         // ERROR_IO_PENDING
inline constexpr int error_invalid_netname = 1214;
inline constexpr int error_connection_refused = 1225;
inline constexpr int error_network_unreachable = 1231;
inline constexpr int error_host_unreachable = 1232;
inline constexpr int error_port_unreachable = 1234;
inline constexpr int error_request_aborted = 1235;
inline constexpr int error_connection_aborted = 1236;
inline constexpr int error_no_system_resources = 1450;

// Winsock errors (winsock2.h).
inline constexpr int wsaeintr = 10004;
inline constexpr int wsaebadf = 10009;
inline constexpr int wsaeacces = 10013;
inline constexpr int wsaefault = 10014;
inline constexpr int wsaeinval = 10022;
inline constexpr int wsaemfile = 10024;
inline constexpr int wsaewouldblock = 10035;
inline constexpr int wsaeinprogress = 10036;
inline constexpr int wsaealready = 10037;
inline constexpr int wsaenotsock = 10038;
inline constexpr int wsaedestaddrreq = 10039;
inline constexpr int wsaemsgsize = 10040;
inline constexpr int wsaeprototype = 10041;
inline constexpr int wsaenoprotoopt = 10042;
inline constexpr int wsaeprotonosupport = 10043;
inline constexpr int wsaesocktnosupport = 10044;
inline constexpr int wsaeopnotsupp = 10045;
inline constexpr int wsaepfnosupport = 10046;
inline constexpr int wsaeafnosupport = 10047;
inline constexpr int wsaeaddrinuse = 10048;
inline constexpr int wsaeaddrnotavail = 10049;
inline constexpr int wsaenetdown = 10050;
inline constexpr int wsaenetunreach = 10051;
inline constexpr int wsaenetreset = 10052;
inline constexpr int wsaeconnaborted = 10053;
inline constexpr int wsaeconnreset = 10054;
inline constexpr int wsaenobufs = 10055;
inline constexpr int wsaeisconn = 10056;
inline constexpr int wsaenotconn = 10057;
inline constexpr int wsaeshutdown = 10058;
inline constexpr int wsaetimedout = 10060;
inline constexpr int wsaeconnrefused = 10061;
inline constexpr int wsaeloop = 10062;
inline constexpr int wsaenametoolong = 10063;
inline constexpr int wsaehostdown = 10064;
inline constexpr int wsaehostunreach = 10065;
inline constexpr int wsanotinitialised = 10093;
inline constexpr int wsaediscon = 10101;
inline constexpr int wsaecancelled = 10103;
inline constexpr int wsatype_not_found = 10109;
inline constexpr int wsahost_not_found = 11001;
inline constexpr int wsatry_again = 11002;
inline constexpr int wsano_recovery = 11003;
inline constexpr int wsano_data = 11004;

/// One Winsock or Win32 error and what it means for a WSK caller. The same shape as
/// posix::ErrnoRow.
struct WsaRow {
  int wsa_value;
  NTSTATUS status;
  const char* wsa_name;   ///< "WSAEADDRINUSE"
  const char* condition;  ///< the condition in plain words, for readers and logs
};

/// The status for @p error; `status::unsuccessful` for a code the table does not list.
[[nodiscard]] NTSTATUS status_from_wsa(int error) noexcept;

/// Every row, one per distinct value.
[[nodiscard]] std::span<const WsaRow> wsa_table() noexcept;

}  // namespace wskport::detail::wsa
