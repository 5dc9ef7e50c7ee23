// SPDX-License-Identifier: MIT
// Winsock / Win32 error -> NTSTATUS for the Windows backend.
//
// Read it beside posix/status_map.cpp: the rows follow
// ../shared/reference/wsk_semantics.md section 5, and wherever a Winsock code and an
// errno name the same condition they map to the same status (a unit test pairs
// them). Codes with no POSIX twin (the overlapped-I/O Win32 errors, the resolver's
// WSAHOST_* family) say here what the backend does with them.
//
// No platform header: the codes are the numeric constants of status_map_wsa.hpp, so
// this file also compiles, and is tested, on Linux.
#include "wsk_shim/status_map_wsa.hpp"

#include <array>
#include <cstddef>
#include <span>

namespace wskport::detail::wsa {
namespace {

// The macro keeps each row's printed name equal to the constant it describes: the
// constant is the lower-case spelling, the printed name the Windows one.
#define WSKPORT_WSA_ROW(value, name, s, condition) \
  WsaRow { value, status::s, name, condition }

constexpr std::array kWsaTable{
    // --- bind, the conditions of the bind(2) seed page ---
    WSKPORT_WSA_ROW(wsaebadf, "WSAEBADF", invalid_handle,
                    "the handle is not open: a closed or never-valid socket handle"),
    WSKPORT_WSA_ROW(wsa_invalid_handle, "WSA_INVALID_HANDLE", invalid_handle,
                    "an overlapped call was given a handle that is not open"),
    WSKPORT_WSA_ROW(wsaenotsock, "WSAENOTSOCK", object_type_mismatch,
                    "the handle is open but is not a socket"),
    WSKPORT_WSA_ROW(wsaeaddrnotavail, "WSAEADDRNOTAVAIL", invalid_address_component,
                    "the address is not one of this machine's, so nothing can be bound to "
                    "or sent from it (also: no ephemeral port left for connect)"),
    WSKPORT_WSA_ROW(error_invalid_netname, "ERROR_INVALID_NETNAME", invalid_address_component,
                    "the address is not usable here, as ConnectEx reports it through the "
                    "completion (STATUS_INVALID_ADDRESS_COMPONENT)"),
    WSKPORT_WSA_ROW(wsaeaddrinuse, "WSAEADDRINUSE", address_already_associated,
                    "the local address and port are in use by another socket"),
    WSKPORT_WSA_ROW(wsaeinval, "WSAEINVAL", invalid_parameter,
                    "an argument is invalid; for bind, the socket is already bound, which "
                    "the front end reports itself as address_already_associated"),
    WSKPORT_WSA_ROW(wsa_invalid_parameter, "WSA_INVALID_PARAMETER", invalid_parameter,
                    "an overlapped call was given an invalid argument"),
    WSKPORT_WSA_ROW(wsaeacces, "WSAEACCES", access_denied,
                    "permission denied: an address held for exclusive use, a broadcast "
                    "address without SO_BROADCAST, or a port excluded by the system"),
    WSKPORT_WSA_ROW(wsaefault, "WSAEFAULT", access_violation,
                    "an address or buffer argument lies outside the process's memory (Winsock "
                    "also says this for an address length too short, which the front end "
                    "rejects before the call)"),

    // --- socket, connect, accept, send, recv, shutdown ---
    WSKPORT_WSA_ROW(wsaeconnrefused, "WSAECONNREFUSED", connection_refused,
                    "connection refused: nothing listens at the remote address"),
    WSKPORT_WSA_ROW(error_connection_refused, "ERROR_CONNECTION_REFUSED", connection_refused,
                    "connection refused, as ConnectEx reports it through the completion"),
    WSKPORT_WSA_ROW(error_port_unreachable, "ERROR_PORT_UNREACHABLE", connection_refused,
                    "an ICMP port unreachable answered a connect or a datagram: nothing "
                    "listens there (Asio maps it the same way)"),
    WSKPORT_WSA_ROW(wsaetimedout, "WSAETIMEDOUT", io_timeout,
                    "the connection attempt or an established connection timed out"),
    WSKPORT_WSA_ROW(error_sem_timeout, "ERROR_SEM_TIMEOUT", io_timeout,
                    "a connection attempt timed out, as an overlapped completion reports it"),
    WSKPORT_WSA_ROW(wsaeconnreset, "WSAECONNRESET", connection_reset,
                    "the peer reset the connection"),
    WSKPORT_WSA_ROW(error_netname_deleted, "ERROR_NETNAME_DELETED", connection_reset,
                    "the connection was reset, as an overlapped completion reports it; when "
                    "the backend closed the socket itself it reports cancelled instead (Asio's "
                    "cancel-token rule: a close of ours is not the peer's reset)"),
    WSKPORT_WSA_ROW(wsaenetreset, "WSAENETRESET", connection_reset,
                    "the network dropped the connection (keep-alive failure)"),
    WSKPORT_WSA_ROW(wsaeconnaborted, "WSAECONNABORTED", connection_aborted,
                    "the connection was aborted on this side (timeout or protocol error)"),
    WSKPORT_WSA_ROW(error_connection_aborted, "ERROR_CONNECTION_ABORTED", connection_aborted,
                    "the connection was aborted on this side, as a completion reports it"),
    WSKPORT_WSA_ROW(wsaenotconn, "WSAENOTCONN", invalid_connection,
                    "the operating system reports the socket is not connected"),
    WSKPORT_WSA_ROW(error_unexp_net_err, "ERROR_UNEXP_NET_ERR", invalid_connection,
                    "the connection is not usable (STATUS_INVALID_CONNECTION), as a completion "
                    "reports it; an accept retries it, as a connection gone before AcceptEx "
                    "took it (Wine's report of a reset one)"),
    WSKPORT_WSA_ROW(wsaeisconn, "WSAEISCONN", connection_active, "the socket is already connected"),
    WSKPORT_WSA_ROW(wsaealready, "WSAEALREADY", network_busy,
                    "a connect is already in progress on this socket"),
    WSKPORT_WSA_ROW(wsaewouldblock, "WSAEWOULDBLOCK", device_not_ready,
                    "would block: never surfaces, the operation waits and its IRP stays "
                    "pending"),
    WSKPORT_WSA_ROW(wsaeinprogress, "WSAEINPROGRESS", device_not_ready,
                    "an operation is in progress: never surfaces, the IRP stays pending"),
    WSKPORT_WSA_ROW(wsa_io_pending, "WSA_IO_PENDING", pending,
                    "the overlapped operation started: never surfaces as a failure, the IRP "
                    "stays pending and the completion carries the real status"),
    WSKPORT_WSA_ROW(wsaenetunreach, "WSAENETUNREACH", network_unreachable,
                    "no route to the remote network"),
    WSKPORT_WSA_ROW(error_network_unreachable, "ERROR_NETWORK_UNREACHABLE", network_unreachable,
                    "no route to the remote network, as ConnectEx reports it"),
    WSKPORT_WSA_ROW(wsaehostunreach, "WSAEHOSTUNREACH", host_unreachable,
                    "no route to the remote host"),
    WSKPORT_WSA_ROW(error_host_unreachable, "ERROR_HOST_UNREACHABLE", host_unreachable,
                    "no route to the remote host, as ConnectEx reports it"),
    WSKPORT_WSA_ROW(wsaehostdown, "WSAEHOSTDOWN", host_down, "the remote host is down"),
    WSKPORT_WSA_ROW(wsaenetdown, "WSAENETDOWN", network_busy,
                    "the local network subsystem or interface is down"),
    WSKPORT_WSA_ROW(wsaeshutdown, "WSAESHUTDOWN", pipe_disconnected,
                    "the socket's sending side was shut down before this send"),
    WSKPORT_WSA_ROW(wsaediscon, "WSAEDISCON", graceful_disconnect,
                    "the peer began a graceful disconnect (message-oriented sockets); a "
                    "receive reports a stream's end as success with 0 bytes instead"),
    WSKPORT_WSA_ROW(wsaemsgsize, "WSAEMSGSIZE", invalid_buffer_size,
                    "a datagram too large to send in one piece (a truncated receive is "
                    "reported by the backend as buffer_overflow with the partial data)"),
    WSKPORT_WSA_ROW(error_more_data, "ERROR_MORE_DATA", buffer_overflow,
                    "a received datagram was truncated to the buffer: the partial data is "
                    "delivered with the warning status"),
    WSKPORT_WSA_ROW(wsaenoprotoopt, "WSAENOPROTOOPT", invalid_parameter,
                    "the option is unknown at that level"),
    WSKPORT_WSA_ROW(wsaedestaddrreq, "WSAEDESTADDRREQ", invalid_parameter,
                    "no destination: a send on an unconnected datagram socket without one"),
    WSKPORT_WSA_ROW(wsaeopnotsupp, "WSAEOPNOTSUPP", not_supported,
                    "the operation or flag is not supported by this kind of socket"),
    WSKPORT_WSA_ROW(wsaeafnosupport, "WSAEAFNOSUPPORT", not_supported,
                    "the address family is not supported (or does not match the socket)"),
    WSKPORT_WSA_ROW(wsaepfnosupport, "WSAEPFNOSUPPORT", not_supported,
                    "the protocol family is not supported"),
    WSKPORT_WSA_ROW(wsaeprotonosupport, "WSAEPROTONOSUPPORT", not_supported,
                    "the protocol is not supported in this address family"),
    WSKPORT_WSA_ROW(wsaesocktnosupport, "WSAESOCKTNOSUPPORT", not_supported,
                    "the socket type is not supported in this address family"),
    WSKPORT_WSA_ROW(wsaeprototype, "WSAEPROTOTYPE", not_supported,
                    "the protocol does not fit the socket type"),
    WSKPORT_WSA_ROW(wsaemfile, "WSAEMFILE", too_many_opened_files,
                    "the process has no socket handle left"),
    WSKPORT_WSA_ROW(wsaenobufs, "WSAENOBUFS", insufficient_resources,
                    "the system is out of socket buffers"),
    WSKPORT_WSA_ROW(wsa_not_enough_memory, "WSA_NOT_ENOUGH_MEMORY", insufficient_resources,
                    "out of memory"),
    WSKPORT_WSA_ROW(error_no_system_resources, "ERROR_NO_SYSTEM_RESOURCES", insufficient_resources,
                    "the system is out of resources for the operation, as a completion "
                    "reports it (STATUS_INSUFFICIENT_RESOURCES)"),
    WSKPORT_WSA_ROW(wsa_operation_aborted, "WSA_OPERATION_ABORTED", cancelled,
                    "the overlapped operation was cancelled (CancelIoEx or the socket closed)"),
    WSKPORT_WSA_ROW(error_request_aborted, "ERROR_REQUEST_ABORTED", cancelled,
                    "the request was aborted before it finished (STATUS_REQUEST_ABORTED)"),
    WSKPORT_WSA_ROW(error_handles_closed, "ERROR_HANDLES_CLOSED", file_forced_closed,
                    "the socket handle was closed while the overlapped operation waited "
                    "(Wine reports a closesocket this way): the handle went bad underneath "
                    "the library; when the backend closed it itself, the close's status is "
                    "reported instead"),
    WSKPORT_WSA_ROW(wsaecancelled, "WSAECANCELLED", cancelled,
                    "the operation was cancelled before it finished"),
    WSKPORT_WSA_ROW(wsaeintr, "WSAEINTR", cancelled,
                    "a blocking call was cut short by closesocket or WSACancelBlockingCall: "
                    "cancelled (unlike POSIX EINTR, a signal that callers retry)"),
    WSKPORT_WSA_ROW(wsanotinitialised, "WSANOTINITIALISED", invalid_device_state,
                    "WSAStartup has not run: the provider is not initialised"),

    // --- AF_UNIX paths (Windows 10 1803 and later) ---
    WSKPORT_WSA_ROW(wsaenametoolong, "WSAENAMETOOLONG", name_too_long,
                    "the AF_UNIX path is too long"),
    WSKPORT_WSA_ROW(wsaeloop, "WSAELOOP", object_path_not_found,
                    "too many symbolic links while resolving the AF_UNIX path"),

    // --- name resolution (GetAddrInfoW) ---
    WSKPORT_WSA_ROW(wsahost_not_found, "WSAHOST_NOT_FOUND", not_found,
                    "the name is not known (no such host)"),
    WSKPORT_WSA_ROW(wsano_data, "WSANO_DATA", not_found,
                    "the host exists but has no address of the requested kind"),
    WSKPORT_WSA_ROW(wsatry_again, "WSATRY_AGAIN", io_timeout,
                    "the name server did not answer in time; a later try may work"),
    WSKPORT_WSA_ROW(wsano_recovery, "WSANO_RECOVERY", unsuccessful,
                    "the name server failed for good"),
    // ws2tcpip.h defines EAI_SERVICE as this code, so it takes EAI_SERVICE's status.
    WSKPORT_WSA_ROW(wsatype_not_found, "WSATYPE_NOT_FOUND", invalid_parameter,
                    "the service is not available for the requested socket type"),
};

#undef WSKPORT_WSA_ROW

// Two rows for one value would make the second unreachable; 0 is success.
constexpr bool values_unique() noexcept {
  for (std::size_t i = 0; i < kWsaTable.size(); ++i) {
    if (kWsaTable[i].wsa_value == 0) {
      return false;
    }
    for (std::size_t j = i + 1; j < kWsaTable.size(); ++j) {
      if (kWsaTable[i].wsa_value == kWsaTable[j].wsa_value) {
        return false;
      }
    }
  }
  return true;
}
static_assert(values_unique(), "a WSA error value appears twice (or is 0)");

}  // namespace

NTSTATUS status_from_wsa(int error) noexcept {
  // Linear: about sixty rows, and only failures get here.
  for (const auto& row : kWsaTable) {
    if (row.wsa_value == error) {
      return row.status;
    }
  }
  return status::unsuccessful;
}

std::span<const WsaRow> wsa_table() noexcept { return kWsaTable; }

}  // namespace wskport::detail::wsa
