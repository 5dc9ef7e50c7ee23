// SPDX-License-Identifier: MIT
// Fault scripts name errors by their Winsock names; this is the Windows side of that
// lookup (the POSIX side is posix/fault_codes.cpp). The codes and statuses come from
// the backend's one error table, so an injected fault completes with exactly the
// status the real error would.
#include <string_view>

#include "common/core/fault_injection.hpp"
#include "wsk_shim/status_map_wsa.hpp"

namespace wskport::detail {

namespace {

bool find(std::string_view name, int& code) noexcept {
  for (const auto& row : wsa::wsa_table()) {
    if (name == row.wsa_name) {
      code = row.wsa_value;
      return true;
    }
  }
  return false;
}

}  // namespace

bool native_error_code(std::string_view name, int& code) noexcept {
  if (find(name, code)) return true;
  // The errno spelling of the same condition: ECONNRESET -> WSAECONNRESET.
  if (name.size() > 1 && name.front() == 'E' && name.substr(0, 6) != "ERROR_" && name.size() < 60) {
    char buffer[64] = "WSA";
    name.copy(buffer + 3, name.size());
    return find(std::string_view(buffer, name.size() + 3), code);
  }
  return false;
}

NTSTATUS status_from_native_error(int code) noexcept { return wsa::status_from_wsa(code); }

}  // namespace wskport::detail
