// SPDX-License-Identifier: MIT
// errno -> NTSTATUS, the POSIX backend's one error table.
//
// Every native failure the backend sees goes through status_from_errno(), so the
// mapping is a table a reader can check row by row against
// ../shared/reference/wsk_semantics.md section 5, and against the Winsock table
// beside it (wsk_shim/status_map_wsa.hpp), which names the same conditions with the
// same statuses. State errors the library detects itself (connect before bind, a
// second bind) never reach this table: the front end reports them before any native
// call.
#pragma once

#include <span>

#include "wskport/status.hpp"

namespace wskport::detail::posix {

/// One errno value and what it means for a WSK caller.
struct ErrnoRow {
  int errno_value;
  NTSTATUS status;
  const char* errno_name;  ///< "EADDRINUSE"
  const char* condition;   ///< the condition in plain words, for readers and logs
};

/// The status for @p e; `status::unsuccessful` for an errno the table does not list.
[[nodiscard]] NTSTATUS status_from_errno(int e) noexcept;

/// Every row, one per distinct errno value (EWOULDBLOCK and ENOTSUP appear only where
/// they differ from EAGAIN and EOPNOTSUPP).
[[nodiscard]] std::span<const ErrnoRow> errno_table() noexcept;

/// One getaddrinfo/getnameinfo error (EAI_*).
struct GaiRow {
  int eai_value;
  NTSTATUS status;
  const char* eai_name;
  const char* condition;
};

/// The status for a getaddrinfo() result. `EAI_SYSTEM` is not in the table: its
/// status is status_from_errno(errno), so call this before anything can change errno.
/// An unlisted value gives `status::unsuccessful`.
[[nodiscard]] NTSTATUS status_from_gai(int eai) noexcept;

/// Every fixed EAI_* row (all but `EAI_SYSTEM`).
[[nodiscard]] std::span<const GaiRow> gai_table() noexcept;

}  // namespace wskport::detail::posix
