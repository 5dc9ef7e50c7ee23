// SPDX-License-Identifier: MIT
// The Winsock / Win32 error -> NTSTATUS table (wsk_shim/status_map_wsa.hpp), walked
// row by row on every platform, and compared with the errno table wherever both
// name the same condition (POSIX builds, where both tables are compiled).
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <set>
#include <string>

#include "wsk_shim/status_map_wsa.hpp"
#include "wskport/status.hpp"

#if defined(WSKPORT_TEST_HAVE_ERRNO_TABLE)
#include <netdb.h>

#include <cerrno>

#include "posix/status_map.hpp"
#endif

namespace {

using wskport::NTSTATUS;
namespace status = wskport::status;
namespace wsa = wskport::detail::wsa;

const wsa::WsaRow* find_row(int code) {
  for (const auto& row : wsa::wsa_table()) {
    if (row.wsa_value == code) {
      return &row;
    }
  }
  return nullptr;
}

std::string status_text(NTSTATUS s) {
  char buffer[96];
  wskport::format_status(s, buffer, sizeof(buffer));
  return buffer;
}

TEST(WsaTable, IsNotEmpty) { EXPECT_GE(wsa::wsa_table().size(), 40U); }

TEST(WsaTable, EveryRowMapsToItsStatus) {
  for (const auto& row : wsa::wsa_table()) {
    SCOPED_TRACE(row.wsa_name);
    EXPECT_EQ(wsa::status_from_wsa(row.wsa_value), row.status)
        << status_text(wsa::status_from_wsa(row.wsa_value)) << " vs " << status_text(row.status);
  }
}

TEST(WsaTable, EveryRowNamesItsCodeAndCondition) {
  for (const auto& row : wsa::wsa_table()) {
    ASSERT_NE(row.wsa_name, nullptr);
    SCOPED_TRACE(row.wsa_name);
    const std::string name = row.wsa_name;
    EXPECT_TRUE(name.rfind("WSA", 0) == 0 || name.rfind("ERROR_", 0) == 0) << name;
    ASSERT_NE(row.condition, nullptr);
    EXPECT_GT(std::strlen(row.condition), 8U) << "a condition in plain words";
    EXPECT_FALSE(wskport::status_name(row.status).empty()) << status_text(row.status);
  }
}

TEST(WsaTable, NoValueOrNameAppearsTwice) {
  std::set<int> values;
  std::set<std::string> names;
  for (const auto& row : wsa::wsa_table()) {
    EXPECT_NE(row.wsa_value, 0) << row.wsa_name;
    EXPECT_TRUE(values.insert(row.wsa_value).second) << row.wsa_name << " value twice";
    EXPECT_TRUE(names.insert(row.wsa_name).second) << row.wsa_name << " name twice";
  }
}

// Only the overlapped "started" code may be non-failure: it means the IRP is pending.
TEST(WsaTable, EveryRowButIoPendingIsAFailure) {
  for (const auto& row : wsa::wsa_table()) {
    SCOPED_TRACE(row.wsa_name);
    if (row.wsa_value == wsa::wsa_io_pending) {
      EXPECT_EQ(row.status, status::pending);
    } else if (row.wsa_value == wsa::error_more_data) {
      EXPECT_EQ(row.status, status::buffer_overflow);  // warning: data delivered
    } else {
      EXPECT_TRUE(wskport::nt_error(row.status)) << status_text(row.status);
    }
  }
}

// The constants are winsock2.h's and winerror.h's; a typo here would map the wrong
// condition on Windows, so freeze the documented numbers.
TEST(WsaTable, ConstantsHaveTheWindowsValues) {
  EXPECT_EQ(wsa::wsaeintr, 10004);
  EXPECT_EQ(wsa::wsaebadf, 10009);
  EXPECT_EQ(wsa::wsaeacces, 10013);
  EXPECT_EQ(wsa::wsaefault, 10014);
  EXPECT_EQ(wsa::wsaeinval, 10022);
  EXPECT_EQ(wsa::wsaemfile, 10024);
  EXPECT_EQ(wsa::wsaewouldblock, 10035);
  EXPECT_EQ(wsa::wsaeinprogress, 10036);
  EXPECT_EQ(wsa::wsaealready, 10037);
  EXPECT_EQ(wsa::wsaenotsock, 10038);
  EXPECT_EQ(wsa::wsaedestaddrreq, 10039);
  EXPECT_EQ(wsa::wsaemsgsize, 10040);
  EXPECT_EQ(wsa::wsaeprototype, 10041);
  EXPECT_EQ(wsa::wsaenoprotoopt, 10042);
  EXPECT_EQ(wsa::wsaeprotonosupport, 10043);
  EXPECT_EQ(wsa::wsaesocktnosupport, 10044);
  EXPECT_EQ(wsa::wsaeopnotsupp, 10045);
  EXPECT_EQ(wsa::wsaepfnosupport, 10046);
  EXPECT_EQ(wsa::wsaeafnosupport, 10047);
  EXPECT_EQ(wsa::wsaeaddrinuse, 10048);
  EXPECT_EQ(wsa::wsaeaddrnotavail, 10049);
  EXPECT_EQ(wsa::wsaenetdown, 10050);
  EXPECT_EQ(wsa::wsaenetunreach, 10051);
  EXPECT_EQ(wsa::wsaenetreset, 10052);
  EXPECT_EQ(wsa::wsaeconnaborted, 10053);
  EXPECT_EQ(wsa::wsaeconnreset, 10054);
  EXPECT_EQ(wsa::wsaenobufs, 10055);
  EXPECT_EQ(wsa::wsaeisconn, 10056);
  EXPECT_EQ(wsa::wsaenotconn, 10057);
  EXPECT_EQ(wsa::wsaeshutdown, 10058);
  EXPECT_EQ(wsa::wsaetimedout, 10060);
  EXPECT_EQ(wsa::wsaeconnrefused, 10061);
  EXPECT_EQ(wsa::wsaehostdown, 10064);
  EXPECT_EQ(wsa::wsaehostunreach, 10065);
  EXPECT_EQ(wsa::wsaediscon, 10101);
  EXPECT_EQ(wsa::wsa_io_pending, 997);
  EXPECT_EQ(wsa::wsa_operation_aborted, 995);
  EXPECT_EQ(wsa::error_netname_deleted, 64);
  EXPECT_EQ(wsa::error_port_unreachable, 1234);
  EXPECT_EQ(wsa::error_connection_refused, 1225);
  EXPECT_EQ(wsa::error_connection_aborted, 1236);
  EXPECT_EQ(wsa::error_sem_timeout, 121);
  EXPECT_EQ(wsa::wsahost_not_found, 11001);
  EXPECT_EQ(wsa::wsatry_again, 11002);
  EXPECT_EQ(wsa::wsano_recovery, 11003);
  EXPECT_EQ(wsa::wsano_data, 11004);
  EXPECT_EQ(wsa::wsa_not_enough_memory, 8);
  EXPECT_EQ(wsa::wsatype_not_found, 10109);
}

struct Expected {
  int code;
  const char* name;
  NTSTATUS status;
};

void expect_rows(std::initializer_list<Expected> rows) {
  for (const Expected& e : rows) {
    SCOPED_TRACE(e.name);
    const wsa::WsaRow* row = find_row(e.code);
    ASSERT_NE(row, nullptr) << e.name << " has no row";
    EXPECT_STREQ(row->wsa_name, e.name);
    EXPECT_EQ(row->status, e.status) << status_text(row->status);
    EXPECT_EQ(wsa::status_from_wsa(e.code), e.status);
  }
}

TEST(WsaTable, BindConditions) {
  expect_rows({
      {wsa::wsaebadf, "WSAEBADF", status::invalid_handle},
      {wsa::wsaenotsock, "WSAENOTSOCK", status::object_type_mismatch},
      {wsa::wsaeaddrnotavail, "WSAEADDRNOTAVAIL", status::invalid_address_component},
      {wsa::wsaeaddrinuse, "WSAEADDRINUSE", status::address_already_associated},
      {wsa::wsaeinval, "WSAEINVAL", status::invalid_parameter},
      {wsa::wsaeacces, "WSAEACCES", status::access_denied},
      {wsa::wsaefault, "WSAEFAULT", status::access_violation},
  });
}

TEST(WsaTable, OverlappedAndResolverCodes) {
  expect_rows({
      {wsa::wsa_io_pending, "WSA_IO_PENDING", status::pending},
      {wsa::wsa_operation_aborted, "WSA_OPERATION_ABORTED", status::cancelled},
      {wsa::error_netname_deleted, "ERROR_NETNAME_DELETED", status::connection_reset},
      {wsa::error_port_unreachable, "ERROR_PORT_UNREACHABLE", status::connection_refused},
      {wsa::error_connection_refused, "ERROR_CONNECTION_REFUSED", status::connection_refused},
      {wsa::error_connection_aborted, "ERROR_CONNECTION_ABORTED", status::connection_aborted},
      {wsa::error_sem_timeout, "ERROR_SEM_TIMEOUT", status::io_timeout},
      {wsa::wsahost_not_found, "WSAHOST_NOT_FOUND", status::not_found},
      {wsa::wsatry_again, "WSATRY_AGAIN", status::io_timeout},
      {wsa::wsano_recovery, "WSANO_RECOVERY", status::unsuccessful},
      {wsa::wsano_data, "WSANO_DATA", status::not_found},
      {wsa::wsa_not_enough_memory, "WSA_NOT_ENOUGH_MEMORY", status::insufficient_resources},
      {wsa::wsaediscon, "WSAEDISCON", status::graceful_disconnect},
  });
}

// The backend rewrites a reset it caused itself into cancelled; the row must say so.
TEST(WsaTable, NetnameDeletedExplainsTheCancelTokenRule) {
  const wsa::WsaRow* row = find_row(wsa::error_netname_deleted);
  ASSERT_NE(row, nullptr);
  EXPECT_NE(std::string(row->condition).find("cancelled"), std::string::npos);
}

TEST(WsaTable, UnknownCodeIsUnsuccessful) {
  EXPECT_EQ(wsa::status_from_wsa(0), status::unsuccessful);
  EXPECT_EQ(wsa::status_from_wsa(-1), status::unsuccessful);
  EXPECT_EQ(wsa::status_from_wsa(10000), status::unsuccessful);
  EXPECT_EQ(wsa::status_from_wsa(99999), status::unsuccessful);
}

#if defined(WSKPORT_TEST_HAVE_ERRNO_TABLE)
namespace posix = wskport::detail::posix;

struct Pair {
  int errno_value;
  int wsa_value;
  const char* condition;
};

// Each pair names one condition in both vocabularies. Left out on purpose:
// EINTR/WSAEINTR (a signal to retry vs. a blocking call cut short by closesocket) and
// EINPROGRESS/WSA_IO_PENDING (a connect under way vs. an overlapped call accepted).
const Pair kPairs[] = {
    {EBADF, wsa::wsaebadf, "bad handle"},
    {ENOTSOCK, wsa::wsaenotsock, "handle is not a socket"},
    {EADDRNOTAVAIL, wsa::wsaeaddrnotavail, "address not available"},
    {EADDRINUSE, wsa::wsaeaddrinuse, "address in use"},
    {EINVAL, wsa::wsaeinval, "invalid argument"},
    {EACCES, wsa::wsaeacces, "permission denied"},
    {EFAULT, wsa::wsaefault, "bad pointer"},
    {ECONNREFUSED, wsa::wsaeconnrefused, "connection refused"},
    {ECONNREFUSED, wsa::error_connection_refused, "connection refused (completion)"},
    {ETIMEDOUT, wsa::wsaetimedout, "timed out"},
    {ETIMEDOUT, wsa::error_sem_timeout, "timed out (completion)"},
    {ECONNRESET, wsa::wsaeconnreset, "reset by peer"},
    {ECONNRESET, wsa::error_netname_deleted, "reset by peer (completion)"},
    {ENETRESET, wsa::wsaenetreset, "dropped by the network"},
    {ECONNABORTED, wsa::wsaeconnaborted, "aborted locally"},
    {ECONNABORTED, wsa::error_connection_aborted, "aborted locally (completion)"},
    {ENOTCONN, wsa::wsaenotconn, "not connected"},
    {EISCONN, wsa::wsaeisconn, "already connected"},
    {EALREADY, wsa::wsaealready, "connect already in progress"},
    {EWOULDBLOCK, wsa::wsaewouldblock, "would block"},
    {EINPROGRESS, wsa::wsaeinprogress, "in progress"},
    {ENETUNREACH, wsa::wsaenetunreach, "network unreachable"},
    {ENETUNREACH, wsa::error_network_unreachable, "network unreachable (completion)"},
    {EHOSTUNREACH, wsa::wsaehostunreach, "host unreachable"},
    {EHOSTUNREACH, wsa::error_host_unreachable, "host unreachable (completion)"},
    {EHOSTDOWN, wsa::wsaehostdown, "host down"},
    {ENETDOWN, wsa::wsaenetdown, "network down"},
    {ESHUTDOWN, wsa::wsaeshutdown, "send after shutdown"},
    {EMSGSIZE, wsa::wsaemsgsize, "datagram too large"},
    {ENOPROTOOPT, wsa::wsaenoprotoopt, "no such option"},
    {EDESTADDRREQ, wsa::wsaedestaddrreq, "destination required"},
    {EOPNOTSUPP, wsa::wsaeopnotsupp, "operation not supported"},
    {EAFNOSUPPORT, wsa::wsaeafnosupport, "family not supported"},
    {EPFNOSUPPORT, wsa::wsaepfnosupport, "protocol family not supported"},
    {EPROTONOSUPPORT, wsa::wsaeprotonosupport, "protocol not supported"},
    {ESOCKTNOSUPPORT, wsa::wsaesocktnosupport, "socket type not supported"},
    {EPROTOTYPE, wsa::wsaeprototype, "wrong protocol for socket type"},
    {EMFILE, wsa::wsaemfile, "out of descriptors"},
    {ENOBUFS, wsa::wsaenobufs, "out of buffers"},
    {ENOMEM, wsa::wsa_not_enough_memory, "out of memory"},
    {ECANCELED, wsa::wsaecancelled, "cancelled"},
    {ECANCELED, wsa::wsa_operation_aborted, "cancelled (completion)"},
    {ENAMETOOLONG, wsa::wsaenametoolong, "AF_UNIX path too long"},
    {ELOOP, wsa::wsaeloop, "symbolic link loop"},
};

TEST(ErrnoAndWsaTables, AgreeOnEverySharedCondition) {
  for (const Pair& p : kPairs) {
    SCOPED_TRACE(p.condition);
    // Both codes must have a row, or the pair would compare two "unsuccessful" defaults.
    bool in_errno = false;
    for (const auto& row : posix::errno_table()) {
      in_errno = in_errno || row.errno_value == p.errno_value;
    }
    EXPECT_TRUE(in_errno) << "errno " << p.errno_value << " has no row";
    EXPECT_NE(find_row(p.wsa_value), nullptr) << "WSA " << p.wsa_value << " has no row";
    EXPECT_EQ(posix::status_from_errno(p.errno_value), wsa::status_from_wsa(p.wsa_value))
        << status_text(posix::status_from_errno(p.errno_value)) << " vs "
        << status_text(wsa::status_from_wsa(p.wsa_value));
  }
}

// ws2tcpip.h defines the EAI_* names as these WSA codes, so each pair is one condition.
const Pair kGaiPairs[] = {
    {EAI_NONAME, wsa::wsahost_not_found, "EAI_NONAME = WSAHOST_NOT_FOUND"},
    {EAI_AGAIN, wsa::wsatry_again, "EAI_AGAIN = WSATRY_AGAIN"},
    {EAI_FAIL, wsa::wsano_recovery, "EAI_FAIL = WSANO_RECOVERY"},
    {EAI_MEMORY, wsa::wsa_not_enough_memory, "EAI_MEMORY = WSA_NOT_ENOUGH_MEMORY"},
    {EAI_FAMILY, wsa::wsaeafnosupport, "EAI_FAMILY = WSAEAFNOSUPPORT"},
    {EAI_SOCKTYPE, wsa::wsaesocktnosupport, "EAI_SOCKTYPE = WSAESOCKTNOSUPPORT"},
    {EAI_SERVICE, wsa::wsatype_not_found, "EAI_SERVICE = WSATYPE_NOT_FOUND"},
    {EAI_BADFLAGS, wsa::wsaeinval, "EAI_BADFLAGS = WSAEINVAL"},
#if defined(EAI_NODATA)
    {EAI_NODATA, wsa::wsano_data, "EAI_NODATA = WSANO_DATA"},
#endif
};

TEST(GaiAndWsaTables, AgreeOnEverySharedCondition) {
  for (const Pair& p : kGaiPairs) {
    SCOPED_TRACE(p.condition);
    EXPECT_NE(find_row(p.wsa_value), nullptr);
    EXPECT_EQ(posix::status_from_gai(p.errno_value), wsa::status_from_wsa(p.wsa_value))
        << status_text(posix::status_from_gai(p.errno_value)) << " vs "
        << status_text(wsa::status_from_wsa(p.wsa_value));
  }
}
#endif  // WSKPORT_TEST_HAVE_ERRNO_TABLE

}  // namespace
