// SPDX-License-Identifier: MIT
// The errno -> NTSTATUS table of the POSIX backend (posix/status_map.hpp), walked row
// by row, and the getaddrinfo table beside it.
#include <gtest/gtest.h>
#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <set>
#include <string>

#include "posix/status_map.hpp"
#include "wskport/status.hpp"

namespace {

using wskport::NTSTATUS;
namespace status = wskport::status;
namespace posix = wskport::detail::posix;

const posix::ErrnoRow* find_row(int e) {
  for (const auto& row : posix::errno_table()) {
    if (row.errno_value == e) {
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

TEST(ErrnoTable, IsNotEmpty) { EXPECT_GE(posix::errno_table().size(), 40U); }

TEST(ErrnoTable, EveryRowMapsToItsStatus) {
  for (const auto& row : posix::errno_table()) {
    SCOPED_TRACE(row.errno_name);
    EXPECT_EQ(posix::status_from_errno(row.errno_value), row.status)
        << status_text(posix::status_from_errno(row.errno_value)) << " vs "
        << status_text(row.status);
  }
}

TEST(ErrnoTable, EveryRowNamesItsErrnoAndCondition) {
  for (const auto& row : posix::errno_table()) {
    ASSERT_NE(row.errno_name, nullptr);
    SCOPED_TRACE(row.errno_name);
    EXPECT_EQ(row.errno_name[0], 'E');
    ASSERT_NE(row.condition, nullptr);
    EXPECT_GT(std::strlen(row.condition), 8U) << "a condition in plain words";
  }
}

// No errno may read as success. All are error severity except EBUSY, whose
// STATUS_DEVICE_BUSY is a warning in ntstatus.h.
TEST(ErrnoTable, EveryRowIsAFailureWithAKnownName) {
  for (const auto& row : posix::errno_table()) {
    SCOPED_TRACE(row.errno_name);
    EXPECT_NE(row.errno_value, 0);
    EXPECT_FALSE(wskport::nt_success(row.status)) << status_text(row.status);
    if (row.errno_value != EBUSY) {
      EXPECT_TRUE(wskport::nt_error(row.status)) << status_text(row.status);
    }
    EXPECT_FALSE(wskport::status_name(row.status).empty()) << status_text(row.status);
  }
}

TEST(ErrnoTable, NoErrnoValueAppearsTwice) {
  std::set<int> seen;
  for (const auto& row : posix::errno_table()) {
    EXPECT_TRUE(seen.insert(row.errno_value).second)
        << row.errno_name << " = " << row.errno_value << " is listed twice";
  }
}

TEST(ErrnoTable, NoErrnoNameAppearsTwice) {
  std::set<std::string> seen;
  for (const auto& row : posix::errno_table()) {
    EXPECT_TRUE(seen.insert(row.errno_name).second) << row.errno_name;
  }
}

struct Expected {
  int errno_value;
  const char* name;
  NTSTATUS status;
};

void expect_rows(std::initializer_list<Expected> rows) {
  for (const Expected& e : rows) {
    SCOPED_TRACE(e.name);
    const posix::ErrnoRow* row = find_row(e.errno_value);
    ASSERT_NE(row, nullptr) << e.name << " has no row";
    EXPECT_EQ(row->status, e.status) << status_text(row->status);
    EXPECT_EQ(posix::status_from_errno(e.errno_value), e.status);
  }
}

// Every errno the bind(2) seed page lists.
TEST(ErrnoTable, CoversEveryBindSeedErrno) {
  expect_rows({
      {EBADF, "EBADF", status::invalid_handle},
      {ENOTSOCK, "ENOTSOCK", status::object_type_mismatch},
      {EADDRNOTAVAIL, "EADDRNOTAVAIL", status::invalid_address_component},
      {EADDRINUSE, "EADDRINUSE", status::address_already_associated},
      {EINVAL, "EINVAL", status::invalid_parameter},
      {EACCES, "EACCES", status::access_denied},
      {EFAULT, "EFAULT", status::access_violation},
  });
}

// The two the issue names, on their own so a regression reads plainly.
TEST(ErrnoTable, AddressInUseIsAddressAlreadyAssociated) {
  EXPECT_EQ(posix::status_from_errno(EADDRINUSE), status::address_already_associated);
}

TEST(ErrnoTable, AddressNotAvailableIsInvalidAddressComponent) {
  EXPECT_EQ(posix::status_from_errno(EADDRNOTAVAIL), status::invalid_address_component);
}

// A bad descriptor and a descriptor that is not a socket stay distinguishable.
TEST(ErrnoTable, NotASocketIsDistinctFromBadHandle) {
  EXPECT_NE(posix::status_from_errno(ENOTSOCK), posix::status_from_errno(EBADF));
}

// wsk_semantics.md section 5, for socket/connect/accept/send/recv/shutdown.
TEST(ErrnoTable, CoversTheSocketCallErrnos) {
  expect_rows({
      {EPERM, "EPERM", status::access_denied},
      {ECONNREFUSED, "ECONNREFUSED", status::connection_refused},
      {ETIMEDOUT, "ETIMEDOUT", status::io_timeout},
      {ECONNRESET, "ECONNRESET", status::connection_reset},
      {EPIPE, "EPIPE", status::connection_reset},
      {ECONNABORTED, "ECONNABORTED", status::connection_aborted},
      {ENOTCONN, "ENOTCONN", status::invalid_connection},
      {EISCONN, "EISCONN", status::connection_active},
      {EALREADY, "EALREADY", status::network_busy},
      {EAGAIN, "EAGAIN", status::device_not_ready},
      {EWOULDBLOCK, "EWOULDBLOCK", status::device_not_ready},
      {EINPROGRESS, "EINPROGRESS", status::device_not_ready},
      {ENETUNREACH, "ENETUNREACH", status::network_unreachable},
      {EHOSTUNREACH, "EHOSTUNREACH", status::host_unreachable},
      {EHOSTDOWN, "EHOSTDOWN", status::host_down},
      {ENETDOWN, "ENETDOWN", status::network_busy},
      {ESHUTDOWN, "ESHUTDOWN", status::pipe_disconnected},
      {EMSGSIZE, "EMSGSIZE", status::invalid_buffer_size},
      {ENOPROTOOPT, "ENOPROTOOPT", status::invalid_parameter},
      {EDESTADDRREQ, "EDESTADDRREQ", status::invalid_parameter},
      {EOPNOTSUPP, "EOPNOTSUPP", status::not_supported},
      {ENOTSUP, "ENOTSUP", status::not_supported},
      {EAFNOSUPPORT, "EAFNOSUPPORT", status::not_supported},
      {EPFNOSUPPORT, "EPFNOSUPPORT", status::not_supported},
      {EPROTONOSUPPORT, "EPROTONOSUPPORT", status::not_supported},
      {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", status::not_supported},
      {EPROTOTYPE, "EPROTOTYPE", status::not_supported},
      {EMFILE, "EMFILE", status::too_many_opened_files},
      {ENFILE, "ENFILE", status::too_many_opened_files},
      {ENOMEM, "ENOMEM", status::insufficient_resources},
      {ENOBUFS, "ENOBUFS", status::insufficient_resources},
      {EBUSY, "EBUSY", status::device_busy},
      {ECANCELED, "ECANCELED", status::cancelled},
      {EINTR, "EINTR", status::unsuccessful},
  });
}

TEST(ErrnoTable, CoversTheUnixDomainBindErrnos) {
  expect_rows({
      {ENOENT, "ENOENT", status::object_path_not_found},
      {ENOTDIR, "ENOTDIR", status::not_a_directory},
      {ENAMETOOLONG, "ENAMETOOLONG", status::name_too_long},
      {EROFS, "EROFS", status::media_write_protected},
      {ELOOP, "ELOOP", status::object_path_not_found},
      {EEXIST, "EEXIST", status::object_name_collision},
  });
}

// The rows for conditions that only mean "wait" say so, so nobody completes an IRP
// with them.
TEST(ErrnoTable, WouldBlockRowsSayTheyNeverSurface) {
  for (const int e : {EAGAIN, EINPROGRESS, EINTR}) {
    const posix::ErrnoRow* row = find_row(e);
    ASSERT_NE(row, nullptr);
    EXPECT_NE(std::string(row->condition).find("never surfaces"), std::string::npos)
        << row->errno_name << ": " << row->condition;
  }
}

TEST(ErrnoTable, UnknownErrnoIsUnsuccessful) {
  EXPECT_EQ(posix::status_from_errno(0), status::unsuccessful);
  EXPECT_EQ(posix::status_from_errno(-1), status::unsuccessful);
  EXPECT_EQ(posix::status_from_errno(100000), status::unsuccessful);
  EXPECT_EQ(posix::status_from_errno(EIO), status::unsuccessful);
}

// --- getaddrinfo ---

TEST(GaiTable, EveryRowMapsToItsStatus) {
  ASSERT_FALSE(posix::gai_table().empty());
  std::set<int> seen;
  for (const auto& row : posix::gai_table()) {
    ASSERT_NE(row.eai_name, nullptr);
    SCOPED_TRACE(row.eai_name);
    EXPECT_EQ(posix::status_from_gai(row.eai_value), row.status);
    ASSERT_NE(row.condition, nullptr);
    EXPECT_GT(std::strlen(row.condition), 8U);
    EXPECT_TRUE(wskport::nt_error(row.status));
    EXPECT_NE(row.eai_value, EAI_SYSTEM) << "EAI_SYSTEM takes errno's status";
    EXPECT_TRUE(seen.insert(row.eai_value).second) << "listed twice";
  }
}

TEST(GaiTable, NamedMappings) {
  EXPECT_EQ(posix::status_from_gai(EAI_NONAME), status::not_found);
  EXPECT_EQ(posix::status_from_gai(EAI_AGAIN), status::io_timeout);
  EXPECT_EQ(posix::status_from_gai(EAI_MEMORY), status::insufficient_resources);
  EXPECT_EQ(posix::status_from_gai(EAI_FAMILY), status::not_supported);
  EXPECT_EQ(posix::status_from_gai(EAI_SOCKTYPE), status::not_supported);
  EXPECT_EQ(posix::status_from_gai(EAI_SERVICE), status::invalid_parameter);
  EXPECT_EQ(posix::status_from_gai(EAI_BADFLAGS), status::invalid_parameter);
  EXPECT_EQ(posix::status_from_gai(EAI_FAIL), status::unsuccessful);
}

TEST(GaiTable, SystemErrorTakesErrnosStatus) {
  errno = ECONNREFUSED;
  EXPECT_EQ(posix::status_from_gai(EAI_SYSTEM), status::connection_refused);
  errno = ENOMEM;
  EXPECT_EQ(posix::status_from_gai(EAI_SYSTEM), status::insufficient_resources);
  errno = 0;
  EXPECT_EQ(posix::status_from_gai(EAI_SYSTEM), status::unsuccessful);
}

TEST(GaiTable, UnknownValueIsUnsuccessful) {
  EXPECT_EQ(posix::status_from_gai(0), status::unsuccessful);
  EXPECT_EQ(posix::status_from_gai(-9999), status::unsuccessful);
}

}  // namespace
