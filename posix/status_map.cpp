// SPDX-License-Identifier: MIT
// errno -> NTSTATUS and EAI_* -> NTSTATUS for the POSIX backend.
//
// The choices follow ../shared/reference/wsk_semantics.md section 5 ("Recommended WSK
// status") and stay equal, condition for condition, to the Winsock table in
// wsk_shim/status_map_wsa.cpp, so a WSK client sees one status per condition
// whichever backend runs it. A test walks both tables and compares the pairs.
#include "posix/status_map.hpp"

#include <netdb.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <span>

namespace wskport::detail::posix {
namespace {

// The macro keeps each row's printed name equal to the constant it describes.
#define WSKPORT_ERRNO_ROW(e, s, condition) \
  ErrnoRow { e, status::s, #e, condition }

// One row per line reads better than bin-packed rows.
// clang-format off
constexpr std::array kErrnoTable{
    // --- bind(2), every errno of the seed page ---
    WSKPORT_ERRNO_ROW(EBADF, invalid_handle,
                      "the descriptor is not open: a closed or never-valid socket handle"),
    WSKPORT_ERRNO_ROW(ENOTSOCK, object_type_mismatch,
                      "the descriptor is open but names a file, not a socket"),
    WSKPORT_ERRNO_ROW(EADDRNOTAVAIL, invalid_address_component,
                      "the address is not one of this machine's, so nothing can be bound "
                      "to or sent from it (also: no ephemeral port left for connect)"),
    WSKPORT_ERRNO_ROW(EADDRINUSE, address_already_associated,
                      "the local address and port are in use by another socket"),
    WSKPORT_ERRNO_ROW(EINVAL, invalid_parameter,
                      "an argument is invalid; for bind, the socket is already bound, which "
                      "the front end reports itself as address_already_associated"),
    WSKPORT_ERRNO_ROW(EACCES, access_denied,
                      "permission denied: a privileged port, a broadcast address without "
                      "SO_BROADCAST, or no write permission on an AF_UNIX socket's directory"),
    WSKPORT_ERRNO_ROW(EFAULT, access_violation,
                      "an address or buffer argument lies outside the process's memory"),

    // --- socket, connect, accept, send, recv, shutdown ---
    WSKPORT_ERRNO_ROW(EPERM, access_denied,
                      "operation not permitted: a firewall rule refused it, or a raw socket "
                      "was asked for without the capability"),
    WSKPORT_ERRNO_ROW(ECONNREFUSED, connection_refused,
                      "connection refused: nothing listens at the remote address (or an ICMP "
                      "port unreachable arrived for a connected datagram socket)"),
    WSKPORT_ERRNO_ROW(ETIMEDOUT, io_timeout,
                      "the connection attempt or an established connection timed out"),
    WSKPORT_ERRNO_ROW(ECONNRESET, connection_reset, "the peer reset the connection"),
    WSKPORT_ERRNO_ROW(EPIPE, connection_reset,
                      "broken pipe: a send on a connection the peer reset or closed"),
    WSKPORT_ERRNO_ROW(ECONNABORTED, connection_aborted,
                      "the connection was aborted on this side before accept took it"),
    WSKPORT_ERRNO_ROW(ENETRESET, connection_reset,
                      "the network dropped the connection (keep-alive failure)"),
    WSKPORT_ERRNO_ROW(ENOTCONN, invalid_connection,
                      "the operating system reports the socket is not connected"),
    WSKPORT_ERRNO_ROW(EISCONN, connection_active, "the socket is already connected"),
    WSKPORT_ERRNO_ROW(EALREADY, network_busy, "a connect is already in progress on this socket"),
    WSKPORT_ERRNO_ROW(EAGAIN, device_not_ready,
                      "would block: never surfaces, the operation waits for readiness and "
                      "its IRP stays pending"),
#if EWOULDBLOCK != EAGAIN
    WSKPORT_ERRNO_ROW(EWOULDBLOCK, device_not_ready,
                      "would block: never surfaces, the operation waits for readiness and "
                      "its IRP stays pending"),
#endif
    WSKPORT_ERRNO_ROW(EINPROGRESS, device_not_ready,
                      "connect in progress: never surfaces, the IRP stays pending until the "
                      "connection is made or fails"),
    WSKPORT_ERRNO_ROW(ENETUNREACH, network_unreachable, "no route to the remote network"),
    WSKPORT_ERRNO_ROW(EHOSTUNREACH, host_unreachable, "no route to the remote host"),
    WSKPORT_ERRNO_ROW(EHOSTDOWN, host_down, "the remote host is down"),
    WSKPORT_ERRNO_ROW(ENETDOWN, network_busy, "the local network interface is down"),
#ifdef ENONET
    WSKPORT_ERRNO_ROW(ENONET, network_unreachable,
                      "this machine is not on the network (a pending error accept passes on)"),
#endif
    WSKPORT_ERRNO_ROW(EPROTO, connection_aborted,
                      "protocol error on a connection being accepted; it is gone"),
    WSKPORT_ERRNO_ROW(ESHUTDOWN, pipe_disconnected,
                      "the socket's sending side was shut down before this send"),
    WSKPORT_ERRNO_ROW(EMSGSIZE, invalid_buffer_size,
                      "a datagram too large to send in one piece (receive truncation is "
                      "reported from MSG_TRUNC as buffer_overflow, not from errno)"),
    WSKPORT_ERRNO_ROW(ENOPROTOOPT, invalid_parameter, "the option is unknown at that level"),
    WSKPORT_ERRNO_ROW(EDESTADDRREQ, invalid_parameter,
                      "no destination: a send on an unconnected datagram socket without one"),
    WSKPORT_ERRNO_ROW(EOPNOTSUPP, not_supported,
                      "the operation or flag is not supported by this kind of socket"),
#if ENOTSUP != EOPNOTSUPP
    WSKPORT_ERRNO_ROW(ENOTSUP, not_supported,
                      "the operation or flag is not supported by this kind of socket"),
#endif
    WSKPORT_ERRNO_ROW(EAFNOSUPPORT, not_supported,
                      "the address family is not supported (or does not match the socket)"),
    WSKPORT_ERRNO_ROW(EPFNOSUPPORT, not_supported, "the protocol family is not supported"),
    WSKPORT_ERRNO_ROW(EPROTONOSUPPORT, not_supported,
                      "the protocol is not supported in this address family"),
    WSKPORT_ERRNO_ROW(ESOCKTNOSUPPORT, not_supported,
                      "the socket type is not supported in this address family"),
    WSKPORT_ERRNO_ROW(EPROTOTYPE, not_supported, "the protocol does not fit the socket type"),
    WSKPORT_ERRNO_ROW(EMFILE, too_many_opened_files, "the process has no descriptor left"),
    WSKPORT_ERRNO_ROW(ENFILE, too_many_opened_files,
                      "the system has no file left for a new descriptor"),
    WSKPORT_ERRNO_ROW(ENOMEM, insufficient_resources, "the kernel is out of memory"),
    WSKPORT_ERRNO_ROW(ENOBUFS, insufficient_resources, "the kernel is out of socket buffers"),
    WSKPORT_ERRNO_ROW(EBUSY, device_busy, "the resource is busy"),
    WSKPORT_ERRNO_ROW(ECANCELED, cancelled, "the operation was cancelled before it finished"),
    WSKPORT_ERRNO_ROW(ENODEV, invalid_address_component,
                      "the IPv6 scope id names no interface, so the address is not usable"),

    // --- AF_UNIX bind and connect: the path is a file name ---
    WSKPORT_ERRNO_ROW(ENOENT, object_path_not_found,
                      "a directory on the AF_UNIX path does not exist (connect: no socket "
                      "file at the path)"),
    WSKPORT_ERRNO_ROW(ENOTDIR, not_a_directory,
                      "a component of the AF_UNIX path is not a directory"),
    WSKPORT_ERRNO_ROW(ENAMETOOLONG, name_too_long, "the AF_UNIX path is too long"),
    WSKPORT_ERRNO_ROW(EROFS, media_write_protected,
                      "the AF_UNIX socket file would be on a read-only file system"),
    WSKPORT_ERRNO_ROW(ELOOP, object_path_not_found,
                      "too many symbolic links while resolving the AF_UNIX path"),
    WSKPORT_ERRNO_ROW(EEXIST, object_name_collision,
                      "a file already exists where the AF_UNIX socket file would go"),

    // --- retried by the callers ---
    WSKPORT_ERRNO_ROW(EINTR, unsuccessful,
                      "interrupted by a signal (callers retry; never surfaces)"),
};

#undef WSKPORT_ERRNO_ROW
// clang-format on

// Two rows for one value would make the second unreachable and the table lie to its
// readers; the preprocessor guards above handle the aliases, this catches the rest.
// errno 0 is success and has no place here.
constexpr bool errno_values_unique() noexcept {
  for (std::size_t i = 0; i < kErrnoTable.size(); ++i) {
    if (kErrnoTable[i].errno_value == 0) {
      return false;
    }
    for (std::size_t j = i + 1; j < kErrnoTable.size(); ++j) {
      if (kErrnoTable[i].errno_value == kErrnoTable[j].errno_value) {
        return false;
      }
    }
  }
  return true;
}
static_assert(errno_values_unique(), "an errno value appears twice (or is 0)");

#define WSKPORT_GAI_ROW(e, s, condition) \
  GaiRow { e, status::s, #e, condition }

// One row per line reads better than bin-packed rows.
// clang-format off
constexpr std::array kGaiTable{
    WSKPORT_GAI_ROW(EAI_NONAME, not_found, "the name is not known (no such host or service)"),
    WSKPORT_GAI_ROW(EAI_AGAIN, io_timeout,
                    "the name server did not answer in time; a later try may work"),
    WSKPORT_GAI_ROW(EAI_FAIL, unsuccessful, "the name server failed for good"),
    WSKPORT_GAI_ROW(EAI_MEMORY, insufficient_resources, "out of memory while resolving"),
    WSKPORT_GAI_ROW(EAI_FAMILY, not_supported, "the requested address family is not supported"),
    WSKPORT_GAI_ROW(EAI_SOCKTYPE, not_supported, "the requested socket type is not supported"),
    WSKPORT_GAI_ROW(EAI_SERVICE, invalid_parameter,
                    "the service is not available for the requested socket type"),
    WSKPORT_GAI_ROW(EAI_BADFLAGS, invalid_parameter, "the hint flags are invalid"),
    WSKPORT_GAI_ROW(EAI_OVERFLOW, buffer_too_small,
                    "the caller's buffer is too small for the name (getnameinfo)"),
#if defined(EAI_NODATA) && EAI_NODATA != EAI_NONAME
    WSKPORT_GAI_ROW(EAI_NODATA, not_found, "the host exists but has no address"),
#endif
#ifdef EAI_ADDRFAMILY
    WSKPORT_GAI_ROW(EAI_ADDRFAMILY, not_found, "the host has no address in the requested family"),
#endif
#ifdef EAI_CANCELED
    WSKPORT_GAI_ROW(EAI_CANCELED, cancelled, "the lookup was cancelled"),
#endif
};

#undef WSKPORT_GAI_ROW
// clang-format on

constexpr bool gai_values_unique() noexcept {
  for (std::size_t i = 0; i < kGaiTable.size(); ++i) {
    if (kGaiTable[i].eai_value == EAI_SYSTEM) {
      return false;  // its status is errno's, which no fixed row can hold
    }
    for (std::size_t j = i + 1; j < kGaiTable.size(); ++j) {
      if (kGaiTable[i].eai_value == kGaiTable[j].eai_value) {
        return false;
      }
    }
  }
  return true;
}
static_assert(gai_values_unique(), "an EAI_* value appears twice, or EAI_SYSTEM is listed");

}  // namespace

NTSTATUS status_from_errno(int e) noexcept {
  // Linear: about fifty rows, and only failures get here.
  for (const auto& row : kErrnoTable) {
    if (row.errno_value == e) {
      return row.status;
    }
  }
  return status::unsuccessful;
}

std::span<const ErrnoRow> errno_table() noexcept { return kErrnoTable; }

NTSTATUS status_from_gai(int eai) noexcept {
  if (eai == EAI_SYSTEM) {
    return status_from_errno(errno);
  }
  for (const auto& row : kGaiTable) {
    if (row.eai_value == eai) {
      return row.status;
    }
  }
  return status::unsuccessful;
}

std::span<const GaiRow> gai_table() noexcept { return kGaiTable; }

}  // namespace wskport::detail::posix
