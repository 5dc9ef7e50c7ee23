// SPDX-License-Identifier: MIT
// NTSTATUS names, printable forms and severity helpers (wskport/status.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

#include "wskport/status.hpp"

namespace {

using wskport::NTSTATUS;
namespace status = wskport::status;

struct Named {
  NTSTATUS value;
  std::uint32_t ntstatus_h;  // the value as ntstatus.h writes it, checked independently
  const char* name;
};

// Written out here rather than taken from the library, so a slip in either place shows.
#define ROW(constant, hex, text) \
  Named { status::constant, hex, text }
const std::array kAll{
    ROW(success, 0x00000000U, "STATUS_SUCCESS"),
    ROW(timeout, 0x00000102U, "STATUS_TIMEOUT"),
    ROW(pending, 0x00000103U, "STATUS_PENDING"),
    ROW(buffer_overflow, 0x80000005U, "STATUS_BUFFER_OVERFLOW"),
    ROW(device_busy, 0x80000011U, "STATUS_DEVICE_BUSY"),
    ROW(unsuccessful, 0xC0000001U, "STATUS_UNSUCCESSFUL"),
    ROW(not_implemented, 0xC0000002U, "STATUS_NOT_IMPLEMENTED"),
    ROW(access_violation, 0xC0000005U, "STATUS_ACCESS_VIOLATION"),
    ROW(invalid_handle, 0xC0000008U, "STATUS_INVALID_HANDLE"),
    ROW(invalid_parameter, 0xC000000DU, "STATUS_INVALID_PARAMETER"),
    ROW(invalid_device_request, 0xC0000010U, "STATUS_INVALID_DEVICE_REQUEST"),
    ROW(more_processing_required, 0xC0000016U, "STATUS_MORE_PROCESSING_REQUIRED"),
    ROW(no_memory, 0xC0000017U, "STATUS_NO_MEMORY"),
    ROW(access_denied, 0xC0000022U, "STATUS_ACCESS_DENIED"),
    ROW(buffer_too_small, 0xC0000023U, "STATUS_BUFFER_TOO_SMALL"),
    ROW(object_type_mismatch, 0xC0000024U, "STATUS_OBJECT_TYPE_MISMATCH"),
    ROW(object_name_not_found, 0xC0000034U, "STATUS_OBJECT_NAME_NOT_FOUND"),
    ROW(object_name_collision, 0xC0000035U, "STATUS_OBJECT_NAME_COLLISION"),
    ROW(object_path_not_found, 0xC000003AU, "STATUS_OBJECT_PATH_NOT_FOUND"),
    ROW(sharing_violation, 0xC0000043U, "STATUS_SHARING_VIOLATION"),
    ROW(insufficient_resources, 0xC000009AU, "STATUS_INSUFFICIENT_RESOURCES"),
    ROW(media_write_protected, 0xC00000A2U, "STATUS_MEDIA_WRITE_PROTECTED"),
    ROW(device_not_ready, 0xC00000A3U, "STATUS_DEVICE_NOT_READY"),
    ROW(pipe_disconnected, 0xC00000B0U, "STATUS_PIPE_DISCONNECTED"),
    ROW(io_timeout, 0xC00000B5U, "STATUS_IO_TIMEOUT"),
    ROW(file_forced_closed, 0xC00000B6U, "STATUS_FILE_FORCED_CLOSED"),
    ROW(not_supported, 0xC00000BBU, "STATUS_NOT_SUPPORTED"),
    ROW(network_busy, 0xC00000BFU, "STATUS_NETWORK_BUSY"),
    ROW(request_not_accepted, 0xC00000D0U, "STATUS_REQUEST_NOT_ACCEPTED"),
    ROW(cant_wait, 0xC00000D8U, "STATUS_CANT_WAIT"),
    ROW(internal_error, 0xC00000E5U, "STATUS_INTERNAL_ERROR"),
    ROW(not_a_directory, 0xC0000103U, "STATUS_NOT_A_DIRECTORY"),
    ROW(name_too_long, 0xC0000106U, "STATUS_NAME_TOO_LONG"),
    ROW(too_many_opened_files, 0xC000011FU, "STATUS_TOO_MANY_OPENED_FILES"),
    ROW(cancelled, 0xC0000120U, "STATUS_CANCELLED"),
    ROW(invalid_connection, 0xC0000140U, "STATUS_INVALID_CONNECTION"),
    ROW(invalid_address, 0xC0000141U, "STATUS_INVALID_ADDRESS"),
    ROW(invalid_device_state, 0xC0000184U, "STATUS_INVALID_DEVICE_STATE"),
    ROW(invalid_buffer_size, 0xC0000206U, "STATUS_INVALID_BUFFER_SIZE"),
    ROW(invalid_address_component, 0xC0000207U, "STATUS_INVALID_ADDRESS_COMPONENT"),
    ROW(address_already_exists, 0xC000020AU, "STATUS_ADDRESS_ALREADY_EXISTS"),
    ROW(connection_disconnected, 0xC000020CU, "STATUS_CONNECTION_DISCONNECTED"),
    ROW(connection_reset, 0xC000020DU, "STATUS_CONNECTION_RESET"),
    ROW(data_not_accepted, 0xC000021BU, "STATUS_DATA_NOT_ACCEPTED"),
    ROW(not_found, 0xC0000225U, "STATUS_NOT_FOUND"),
    ROW(connection_refused, 0xC0000236U, "STATUS_CONNECTION_REFUSED"),
    ROW(graceful_disconnect, 0xC0000237U, "STATUS_GRACEFUL_DISCONNECT"),
    ROW(address_already_associated, 0xC0000238U, "STATUS_ADDRESS_ALREADY_ASSOCIATED"),
    ROW(connection_active, 0xC000023BU, "STATUS_CONNECTION_ACTIVE"),
    ROW(network_unreachable, 0xC000023CU, "STATUS_NETWORK_UNREACHABLE"),
    ROW(host_unreachable, 0xC000023DU, "STATUS_HOST_UNREACHABLE"),
    ROW(protocol_unreachable, 0xC000023EU, "STATUS_PROTOCOL_UNREACHABLE"),
    ROW(port_unreachable, 0xC000023FU, "STATUS_PORT_UNREACHABLE"),
    ROW(connection_aborted, 0xC0000241U, "STATUS_CONNECTION_ABORTED"),
    ROW(no_match, 0xC0000272U, "STATUS_NO_MATCH"),
    ROW(nointerface, 0xC00002B9U, "STATUS_NOINTERFACE"),
    ROW(host_down, 0xC0000350U, "STATUS_HOST_DOWN"),
};
#undef ROW

std::string format(NTSTATUS s) {
  std::array<char, 96> buffer{};
  const std::size_t n = wskport::format_status(s, buffer.data(), buffer.size());
  EXPECT_EQ(n, std::strlen(buffer.data()));
  return std::string(buffer.data(), n);
}

std::string hex(std::uint32_t v) {
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%08X", static_cast<unsigned>(v));
  return buffer.data();
}

class EveryStatus : public ::testing::TestWithParam<Named> {};

TEST_P(EveryStatus, HasTheNtstatusHValue) {
  EXPECT_EQ(static_cast<std::uint32_t>(GetParam().value), GetParam().ntstatus_h);
}

TEST_P(EveryStatus, HasItsName) {
  EXPECT_EQ(wskport::status_name(GetParam().value), GetParam().name);
}

TEST_P(EveryStatus, RoundTripsThroughFormatStatus) {
  const Named& row = GetParam();
  const std::string text = format(row.value);
  EXPECT_EQ(text, std::string(row.name) + " (" + hex(row.ntstatus_h) + ")");

  // Read the text back: the name part names the status and the hex part is its value.
  const std::size_t open = text.find(" (0x");
  ASSERT_NE(open, std::string::npos);
  EXPECT_EQ(wskport::status_name(row.value), text.substr(0, open));
  const unsigned long parsed = std::strtoul(text.c_str() + open + 2, nullptr, 16);
  EXPECT_EQ(static_cast<NTSTATUS>(static_cast<std::uint32_t>(parsed)), row.value);
}

INSTANTIATE_TEST_SUITE_P(StatusTable, EveryStatus, ::testing::ValuesIn(kAll),
                         [](const ::testing::TestParamInfo<Named>& row_info) {
                           return std::string(row_info.param.name).substr(7);  // drop STATUS_
                         });

TEST(StatusName, ValuesAndNamesAreDistinct) {
  std::set<NTSTATUS> values;
  std::set<std::string> names;
  for (const Named& row : kAll) {
    EXPECT_TRUE(values.insert(row.value).second) << row.name;
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
  }
}

TEST(StatusName, UnknownValueHasNoName) {
  EXPECT_EQ(wskport::status_name(status::make(0xC0001234U)), "");
  EXPECT_EQ(wskport::status_name(status::make(0x12345678U)), "");
  EXPECT_EQ(wskport::status_name(-1), "");
}

TEST(FormatStatus, KnownValueIsNameAndHex) {
  EXPECT_EQ(format(status::connection_refused), "STATUS_CONNECTION_REFUSED (0xC0000236)");
  EXPECT_EQ(format(status::cancelled), "STATUS_CANCELLED (0xC0000120)");
  EXPECT_EQ(format(status::success), "STATUS_SUCCESS (0x00000000)");
}

TEST(FormatStatus, UnknownValuePrintsHexOnly) {
  EXPECT_EQ(format(status::make(0xC0001234U)), "0xC0001234");
  EXPECT_EQ(format(status::make(0x12345678U)), "0x12345678");
  EXPECT_EQ(format(status::make(0xFFFFFFFFU)), "0xFFFFFFFF");
  EXPECT_EQ(format(status::make(0x00000001U)), "0x00000001");
}

TEST(FormatStatus, TruncatesSafelyAndStaysTerminated) {
  const std::string full = "STATUS_CONNECTION_REFUSED (0xC0000236)";
  for (std::size_t size = 1; size <= full.size() + 2; ++size) {
    SCOPED_TRACE(size);
    std::array<char, 64> buffer{};
    buffer.fill('#');
    const std::size_t n = wskport::format_status(status::connection_refused, buffer.data(), size);
    const std::size_t expected = std::min(size - 1, full.size());
    EXPECT_EQ(n, expected);
    EXPECT_EQ(std::string(buffer.data(), n), full.substr(0, expected));
    EXPECT_EQ(buffer[n], '\0');
    // Nothing past the space given may be touched.
    for (std::size_t i = size; i < buffer.size(); ++i) {
      ASSERT_EQ(buffer[i], '#') << "wrote at " << i;
    }
  }
}

TEST(FormatStatus, ZeroSizeOrNullBufferWritesNothing) {
  char c = '#';
  EXPECT_EQ(wskport::format_status(status::cancelled, &c, 0), 0U);
  EXPECT_EQ(c, '#');
  EXPECT_EQ(wskport::format_status(status::cancelled, nullptr, 0), 0U);
  EXPECT_EQ(wskport::format_status(status::cancelled, nullptr, 16), 0U);
}

TEST(Severity, SuccessAndInformationalAreSuccess) {
  EXPECT_TRUE(wskport::nt_success(status::success));
  EXPECT_FALSE(wskport::nt_error(status::success));
  // STATUS_PENDING is not a failure: NT_SUCCESS(STATUS_PENDING) holds in the kernel.
  EXPECT_TRUE(wskport::nt_success(status::pending));
  EXPECT_FALSE(wskport::nt_error(status::pending));
  EXPECT_TRUE(wskport::nt_success(status::timeout));
}

TEST(Severity, WarningsAreNeitherSuccessNorError) {
  // A truncated datagram still delivers data, yet NT_SUCCESS is false for it.
  EXPECT_FALSE(wskport::nt_success(status::buffer_overflow));
  EXPECT_FALSE(wskport::nt_error(status::buffer_overflow));
  EXPECT_FALSE(wskport::nt_success(status::device_busy));
  EXPECT_FALSE(wskport::nt_error(status::device_busy));
}

TEST(Severity, ErrorsAreErrors) {
  EXPECT_FALSE(wskport::nt_success(status::cancelled));
  EXPECT_TRUE(wskport::nt_error(status::cancelled));
  EXPECT_TRUE(wskport::nt_error(status::file_forced_closed));
  // Informational severity (01) is success, not error.
  EXPECT_TRUE(wskport::nt_success(status::make(0x40000000U)));
  EXPECT_FALSE(wskport::nt_error(status::make(0x40000000U)));
}

TEST(Severity, EveryNamedStatusHasAConsistentSeverity) {
  for (const Named& row : kAll) {
    SCOPED_TRACE(row.name);
    const std::uint32_t severity = row.ntstatus_h >> 30;
    EXPECT_EQ(wskport::nt_success(row.value), severity <= 1U);
    EXPECT_EQ(wskport::nt_error(row.value), severity == 3U);
  }
}

}  // namespace
