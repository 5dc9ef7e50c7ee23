// SPDX-License-Identifier: MIT
// The completion contract as data: for each public operation, the statuses its
// comment in socket.hpp / provider.hpp says it can complete with. The verifier's
// `contract` group checks every completion against it (a status outside the list is a
// library defect, or a comment to correct), and records which (operation, status)
// pairs the run produced, so the test suites can show that each listed status is
// provoked somewhere (docs/reliability.md, "The completion contract").
// tests/unit/contract_table_test.cpp reads the headers and checks this table matches.
#pragma once

#include <cstddef>
#include <span>

#include "common/core/operations.hpp"
#include "wskport/status.hpp"

namespace wskport::detail::contract {

/// One public function: its name as in the header, the operation kind its IRP
/// carries, and the statuses its "Completes with" list names.
struct Row {
  const char* function;
  OpKind op;
  std::span<const NTSTATUS> statuses;
};

/// Every documented function, in header order.
std::span<const Row> rows() noexcept;

/// A public function that completes no IRP but reports a status (Provider::create's
/// error, engine_status's result): its name as in the header and the statuses its
/// "Reports:" list names. Not checked at run time (no completion carries them); the
/// unit test ties the list to the comment and the engine tests provoke each.
struct ReportRow {
  const char* function;
  std::span<const NTSTATUS> statuses;
};

/// Every such function of provider.hpp, in header order.
std::span<const ReportRow> report_rows() noexcept;

/// The statuses socket.hpp lists once for every operation (bad handle, forced close,
/// cancel, a category without the operation).
std::span<const NTSTATUS> common_statuses() noexcept;

/// True when the function of kind @p op documents @p status (or it is common). Each
/// kind with a contract (op_info(op).contract) has one row, under its table name.
bool documented(OpKind op, NTSTATUS status) noexcept;

/// Counts one completion of kind @p op with @p status for the coverage record.
/// Lock-free; called from the completion funnel while the group is on.
void note(OpKind op, NTSTATUS status) noexcept;

/// Calls @p fn for each (op, status) pair noted since the last call, then forgets
/// them. Not thread-safe against itself (one reader: the test listener).
void take_noted(void (*fn)(OpKind op, NTSTATUS status, void* context), void* context) noexcept;

}  // namespace wskport::detail::contract
