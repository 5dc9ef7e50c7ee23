// SPDX-License-Identifier: MIT
// Fault scripts name errors by their errno names; this is the POSIX side of that
// lookup (the Winsock side is wsk_shim/fault_codes.cpp). The codes and statuses come
// from the backend's one error table, so an injected fault completes with exactly
// the status the real error would.
#include <string_view>

#include "common/core/fault_injection.hpp"
#include "posix/status_map.hpp"

namespace wskport::detail {

bool native_error_code(std::string_view name, int& code) noexcept {
  // The Winsock spelling of the same condition: WSAECONNRESET -> ECONNRESET.
  if (name.size() > 4 && name.substr(0, 4) == "WSAE") name.remove_prefix(3);
  for (const auto& row : posix::errno_table()) {
    if (name == row.errno_name) {
      code = row.errno_value;
      return true;
    }
  }
  return false;
}

NTSTATUS status_from_native_error(int code) noexcept { return posix::status_from_errno(code); }

}  // namespace wskport::detail
