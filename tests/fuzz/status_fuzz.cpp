// SPDX-License-Identifier: MIT
// Fuzz target: the status tables.
//
// The input is read as a sequence of 32-bit values (little-endian; a short tail is
// zero-padded). Each value is tried as an NTSTATUS (status_name, format_status into
// buffers of every size), as an errno and an EAI_* code (POSIX builds), and as a
// Winsock/Win32 error (every build: the WSA table is plain numbers). Invariants:
//   - every status a table maps to has a name, and is never a success status: a
//     native failure must never read as success to a WSK caller;
//   - a listed value maps to its row, an unlisted one to STATUS_UNSUCCESSFUL;
//   - EAI_SYSTEM maps to errno's status;
//   - status_name is either empty or an upper-case STATUS_ identifier;
//   - format_status is "<name> (0xXXXXXXXX)" or "0xXXXXXXXX", never writes past the
//     size it is given, always terminates, and truncates to exactly size - 1.
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "wsk_shim/status_map_wsa.hpp"
#include "wskport/status.hpp"

#ifndef _WIN32
#include <netdb.h>

#include "posix/status_map.hpp"
#endif

namespace wskport::fuzz {
namespace {

bool identifier(std::string_view name) {
  if (name.substr(0, 7) != "STATUS_" || name.size() == 7) return false;
  for (const char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// A mapped status: what a WSK caller receives for a native failure. The one row that
// is not a failure is WSA_IO_PENDING -> STATUS_PENDING, documented in the table: the
// overlapped call started and the completion carries the real status.
void check_mapped(NTSTATUS s, const char* what, long long native_value) {
  if (native_value == detail::wsa::wsa_io_pending && s == status::pending &&
      std::string_view(what).find("WSA") != std::string_view::npos) {
    return;
  }
  if (nt_success(s) || !named(s)) {
    std::fprintf(stderr, "%s: native value %lld maps to 0x%08X\n", what, native_value,
                 static_cast<unsigned>(s));
  }
  WSKPORT_FUZZ_CHECK(!nt_success(s), "a native error maps to a success status", s);
  WSKPORT_FUZZ_CHECK(named(s), "a native error maps to a status with no name", s);
}

// Every row of every table, once per process.
bool check_tables() {
  for (const auto& row : detail::wsa::wsa_table()) {
    check_mapped(row.status, row.wsa_name, row.wsa_value);
    WSKPORT_FUZZ_CHECK(detail::wsa::status_from_wsa(row.wsa_value) == row.status,
                       "a WSA row is shadowed by an earlier one", row.wsa_value);
  }
#ifndef _WIN32
  for (const auto& row : detail::posix::errno_table()) {
    check_mapped(row.status, row.errno_name, row.errno_value);
    WSKPORT_FUZZ_CHECK(detail::posix::status_from_errno(row.errno_value) == row.status,
                       "an errno row is shadowed by an earlier one", row.errno_value);
  }
  for (const auto& row : detail::posix::gai_table()) {
    check_mapped(row.status, row.eai_name, row.eai_value);
    WSKPORT_FUZZ_CHECK(detail::posix::status_from_gai(row.eai_value) == row.status,
                       "an EAI row is shadowed by an earlier one", row.eai_value);
  }
#endif
  return true;
}

std::string expected_text(NTSTATUS s) {
  std::array<char, 16> hex{};
  std::snprintf(hex.data(), hex.size(), "0x%08X", static_cast<unsigned>(s));
  const std::string_view name = status_name(s);
  if (name.empty()) return hex.data();
  return std::string(name) + " (" + hex.data() + ")";
}

void check_status(NTSTATUS s) {
  const std::string_view name = status_name(s);
  WSKPORT_FUZZ_CHECK(name.empty() || identifier(name), "status_name is not a STATUS_ identifier",
                     s);
  WSKPORT_FUZZ_CHECK(!(nt_error(s) && nt_success(s)), "an error status counts as success", s);

  const std::string full = expected_text(s);
  WSKPORT_FUZZ_CHECK(format_status(s, nullptr, 0) == 0, "format_status wrote to a null buffer", s);
  for (std::size_t size = 1; size <= full.size() + 1; ++size) {
    auto buffer = std::make_unique<char[]>(size);  // exact size: ASan sees an overrun
    const std::size_t n = format_status(s, buffer.get(), size);
    const std::size_t want = size - 1 < full.size() ? size - 1 : full.size();
    WSKPORT_FUZZ_CHECK(n == want, "format_status returned the wrong length", n);
    WSKPORT_FUZZ_CHECK(buffer[n] == '\0', "format_status left its output unterminated", n);
    WSKPORT_FUZZ_CHECK(std::string_view(buffer.get(), n) == std::string_view(full).substr(0, n),
                       "format_status text differs from name + hex", s);
  }
}

void check_wsa(int value) {
  const NTSTATUS s = detail::wsa::status_from_wsa(value);
  check_mapped(s, "WSA status_from_wsa", value);
  bool listed = false;
  for (const auto& row : detail::wsa::wsa_table()) listed = listed || row.wsa_value == value;
  if (!listed) {
    WSKPORT_FUZZ_CHECK(s == status::unsuccessful, "an unlisted WSA code has a status", value);
  }
}

#ifndef _WIN32
void check_errno(int value, int saved_errno) {
  const NTSTATUS s = detail::posix::status_from_errno(value);
  check_mapped(s, "status_from_errno", value);
  bool listed = false;
  for (const auto& row : detail::posix::errno_table()) listed = listed || row.errno_value == value;
  if (!listed) {
    WSKPORT_FUZZ_CHECK(s == status::unsuccessful, "an unlisted errno has a status", value);
  }

  // status_from_gai reads errno for EAI_SYSTEM, so give it a fuzzed errno.
  errno = saved_errno;
  const NTSTATUS g = detail::posix::status_from_gai(value);
  check_mapped(g, "status_from_gai", value);
  if (value == EAI_SYSTEM) {
    WSKPORT_FUZZ_CHECK(g == detail::posix::status_from_errno(saved_errno),
                       "EAI_SYSTEM does not map to errno's status", saved_errno);
  }
}
#endif

}  // namespace
}  // namespace wskport::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wskport::fuzz;
  static const bool tables_ok = check_tables();
  (void)tables_ok;

  Bytes in(data, size);
  int previous = 0;
  do {
    const auto raw = in.u32();
    const auto value = static_cast<wskport::NTSTATUS>(raw);
    check_status(value);
    check_wsa(static_cast<int>(raw));
    // Small values too: errno, EAI_* and Win32 codes are small (EAI_* negative), and
    // a fuzzer mutates low bytes more easily through the 16-bit view.
    check_wsa(static_cast<std::int16_t>(raw & 0xFFFFU));
#ifndef _WIN32
    check_errno(static_cast<int>(raw), previous);
    check_errno(static_cast<std::int16_t>(raw & 0xFFFFU), static_cast<int>(raw >> 16U));
#endif
    previous = static_cast<int>(raw);
  } while (!in.empty());
  (void)previous;
  return 0;
}
