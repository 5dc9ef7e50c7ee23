// SPDX-License-Identifier: MIT
// The one place the Winsock backend includes Windows headers, in the order they need:
// <winsock2.h> before <windows.h> (which would otherwise pull in the old winsock.h),
// lean and without the min/max macros. Also checks the numeric error codes of
// status_map_wsa.hpp, written there as plain numbers so that table builds everywhere,
// against the real macros.
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif

// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
// clang-format on

#include "wsk_shim/status_map_wsa.hpp"

namespace wskport::detail::wsa {

// SIO_UDP_CONNRESET is in <mstcpip.h> in recent SDKs and in <mswsock.h> in MinGW-w64;
// its value is fixed: _WSAIOW(IOC_VENDOR, 12).
inline constexpr DWORD sio_udp_connreset = 0x9800000CUL;
#ifdef SIO_UDP_CONNRESET
static_assert(sio_udp_connreset == SIO_UDP_CONNRESET);
#endif

static_assert(wsa_invalid_handle == ERROR_INVALID_HANDLE);
static_assert(wsa_not_enough_memory == ERROR_NOT_ENOUGH_MEMORY);
static_assert(error_unexp_net_err == ERROR_UNEXP_NET_ERR);
static_assert(error_netname_deleted == ERROR_NETNAME_DELETED);
static_assert(wsa_invalid_parameter == ERROR_INVALID_PARAMETER);
static_assert(error_sem_timeout == ERROR_SEM_TIMEOUT);
static_assert(error_more_data == ERROR_MORE_DATA);
// ERROR_HANDLES_CLOSED (676) is missing from MinGW-w64's winerror.h.
static_assert(wsa_operation_aborted == ERROR_OPERATION_ABORTED);
static_assert(wsa_io_pending == ERROR_IO_PENDING);
static_assert(error_invalid_netname == ERROR_INVALID_NETNAME);
static_assert(error_connection_refused == ERROR_CONNECTION_REFUSED);
static_assert(error_network_unreachable == ERROR_NETWORK_UNREACHABLE);
static_assert(error_host_unreachable == ERROR_HOST_UNREACHABLE);
static_assert(error_port_unreachable == ERROR_PORT_UNREACHABLE);
static_assert(error_request_aborted == ERROR_REQUEST_ABORTED);
static_assert(error_connection_aborted == ERROR_CONNECTION_ABORTED);
static_assert(error_no_system_resources == ERROR_NO_SYSTEM_RESOURCES);
static_assert(wsaeintr == WSAEINTR);
static_assert(wsaebadf == WSAEBADF);
static_assert(wsaeacces == WSAEACCES);
static_assert(wsaefault == WSAEFAULT);
static_assert(wsaeinval == WSAEINVAL);
static_assert(wsaemfile == WSAEMFILE);
static_assert(wsaewouldblock == WSAEWOULDBLOCK);
static_assert(wsaeinprogress == WSAEINPROGRESS);
static_assert(wsaealready == WSAEALREADY);
static_assert(wsaenotsock == WSAENOTSOCK);
static_assert(wsaedestaddrreq == WSAEDESTADDRREQ);
static_assert(wsaemsgsize == WSAEMSGSIZE);
static_assert(wsaeprototype == WSAEPROTOTYPE);
static_assert(wsaenoprotoopt == WSAENOPROTOOPT);
static_assert(wsaeprotonosupport == WSAEPROTONOSUPPORT);
static_assert(wsaesocktnosupport == WSAESOCKTNOSUPPORT);
static_assert(wsaeopnotsupp == WSAEOPNOTSUPP);
static_assert(wsaepfnosupport == WSAEPFNOSUPPORT);
static_assert(wsaeafnosupport == WSAEAFNOSUPPORT);
static_assert(wsaeaddrinuse == WSAEADDRINUSE);
static_assert(wsaeaddrnotavail == WSAEADDRNOTAVAIL);
static_assert(wsaenetdown == WSAENETDOWN);
static_assert(wsaenetunreach == WSAENETUNREACH);
static_assert(wsaenetreset == WSAENETRESET);
static_assert(wsaeconnaborted == WSAECONNABORTED);
static_assert(wsaeconnreset == WSAECONNRESET);
static_assert(wsaenobufs == WSAENOBUFS);
static_assert(wsaeisconn == WSAEISCONN);
static_assert(wsaenotconn == WSAENOTCONN);
static_assert(wsaeshutdown == WSAESHUTDOWN);
static_assert(wsaetimedout == WSAETIMEDOUT);
static_assert(wsaeconnrefused == WSAECONNREFUSED);
static_assert(wsaeloop == WSAELOOP);
static_assert(wsaenametoolong == WSAENAMETOOLONG);
static_assert(wsaehostdown == WSAEHOSTDOWN);
static_assert(wsaehostunreach == WSAEHOSTUNREACH);
static_assert(wsanotinitialised == WSANOTINITIALISED);
static_assert(wsaediscon == WSAEDISCON);
static_assert(wsaecancelled == WSAECANCELLED);
static_assert(wsatype_not_found == WSATYPE_NOT_FOUND);
static_assert(wsahost_not_found == WSAHOST_NOT_FOUND);
static_assert(wsatry_again == WSATRY_AGAIN);
static_assert(wsano_recovery == WSANO_RECOVERY);
static_assert(wsano_data == WSANO_DATA);

}  // namespace wskport::detail::wsa
