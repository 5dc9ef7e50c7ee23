// SPDX-License-Identifier: MIT
// The operation table: every operation the core knows, written once. Each row says
// what the rest of the library would otherwise list again: the operation's names (the
// verifier's and the contract's, the fault scripts'), the direction its IRPs queue in (ordered
// delivery and the engines' per-direction queues), the WSK socket categories that
// have it (the dispatch tables), whether it can wait in an engine, whether a fault
// script can name it, and which public function's "Completes with" list is its
// contract (common/core/contract.cpp, rows under the same name).
//
// Adding an operation: a row here (and its OpKind), the public call (socket.hpp,
// socket_api.cpp) with its front-end checks (frontend_*.cpp), its contract list
// (contract.cpp), and each engine's code for it in that engine's submit switch.
// docs/architecture.md walks through it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wskport/socket.hpp"

namespace wskport::detail {

/// What kind of operation an IRP carries while it is pending: the row of `operations`.
enum class OpKind : std::uint8_t {
  none,
  create,
  bind,
  listen,
  accept,
  connect,
  send,
  receive,
  send_to,
  receive_from,
  disconnect,
  close,
  /// The km layer's own control calls (WskControlSocket, event control): IRPs the
  /// core carries but no core function issues, so no engine sees them.
  control,
  local_address,
  remote_address,
  set_option,
  get_option,
  resolve,
  lookup_name,
  start_timer,
  post,
};

/// The number of rows (OpKind values).
inline constexpr std::size_t op_count = static_cast<std::size_t>(OpKind::post) + 1;

/// The direction an operation's IRPs queue in. read and write index the engines'
/// per-direction queues and ordered delivery; none never queues.
enum class Direction : std::uint8_t { read = 0, write = 1, none = 2 };

/// One row of the table.
struct OpInfo {
  OpKind kind;
  /// The name the verifier's reports and the contract use: the public function's
  /// ("create_socket", "send", "set_option").
  std::string_view name;
  /// The name a fault script uses ("create", "send"); empty: scripts cannot name it.
  std::string_view fault;
  Direction direction;
  /// The categories that have the operation: a bit per Category (see category_bit).
  std::uint8_t categories;
  /// May wait in the engine (holds a socket reference and the rundown count while it
  /// does); false: the engine answers it at once (Start::done) or no engine sees it.
  bool waits;
  /// Has a "Completes with" list in socket.hpp / provider.hpp (contract.cpp holds it,
  /// under `name`); false: the verifier's contract group does not check it.
  bool contract;
};

/// The bit of @p category in OpInfo::categories (basic is 0 in the public enum).
constexpr std::uint8_t category_bit(Category category) noexcept {
  switch (category) {
    case Category::basic:
      return 1U;
    case Category::listen:
      return 2U;
    case Category::connection:
      return 4U;
    case Category::datagram:
      return 8U;
    case Category::stream:
      return 16U;
  }
  return 0U;
}

namespace op_table {
inline constexpr std::uint8_t any = 31U;
inline constexpr std::uint8_t bound = 30U;                 // every category but basic
inline constexpr std::uint8_t connection_like = 4U | 16U;  // connection, stream
inline constexpr std::uint8_t listening = 2U | 16U;        // listen, stream
inline constexpr std::uint8_t stream = 16U;
inline constexpr std::uint8_t datagram = 8U;
constexpr auto r = Direction::read;
constexpr auto w = Direction::write;
constexpr auto n = Direction::none;
}  // namespace op_table

// clang-format off
/// The table, indexed by OpKind.
inline constexpr std::array<OpInfo, op_count> operations{{
  // kind                   name              fault             dir          categories                waits  contract
  {OpKind::none,           "none",           "",               op_table::n, op_table::any,             false, false},
  {OpKind::create,         "create_socket",  "create",         op_table::n, op_table::any,             false, true},
  {OpKind::bind,           "bind",           "bind",           op_table::n, op_table::bound,           false, true},
  {OpKind::listen,         "listen",         "listen",         op_table::n, op_table::stream,          false, true},
  {OpKind::accept,         "accept",         "accept",         op_table::r, op_table::listening,       true,  true},
  {OpKind::connect,        "connect",        "connect",        op_table::w, op_table::connection_like, true,  true},
  {OpKind::send,           "send",           "send",           op_table::w, op_table::connection_like, true,  true},
  {OpKind::receive,        "receive",        "receive",        op_table::r, op_table::connection_like, true,  true},
  {OpKind::send_to,        "send_to",        "send_to",        op_table::w, op_table::datagram,        true,  true},
  {OpKind::receive_from,   "receive_from",   "receive_from",   op_table::r, op_table::datagram,        true,  true},
  {OpKind::disconnect,     "disconnect",     "disconnect",     op_table::w, op_table::connection_like, true,  true},
  {OpKind::close,          "close",          "",               op_table::n, op_table::any,             false, true},
  {OpKind::control,        "control",        "",               op_table::n, op_table::any,             false, false},
  {OpKind::local_address,  "local_address",  "local_address",  op_table::n, op_table::bound,           false, true},
  {OpKind::remote_address, "remote_address", "remote_address", op_table::n, op_table::connection_like, false, true},
  {OpKind::set_option,     "set_option",     "set_option",     op_table::n, op_table::any,             false, true},
  {OpKind::get_option,     "get_option",     "get_option",     op_table::n, op_table::any,             false, true},
  {OpKind::resolve,        "resolve",        "",               op_table::n, op_table::any,             false, true},
  {OpKind::lookup_name,    "lookup_name",    "",               op_table::n, op_table::any,             false, true},
  {OpKind::start_timer,    "start_timer",    "",               op_table::n, op_table::any,             false, true},
  {OpKind::post,           "post",           "",               op_table::n, op_table::any,             false, true},
}};
// clang-format on

/// The row of @p kind (none's row for a value outside the table).
constexpr const OpInfo& op_info(OpKind kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return operations[i < op_count ? i : 0];
}

constexpr bool table_in_order() noexcept {
  for (std::size_t i = 0; i < op_count; ++i) {
    if (static_cast<std::size_t>(operations[i].kind) != i) return false;
  }
  return true;
}
static_assert(table_in_order(), "operations[] must be indexed by OpKind");

/// Whether a socket of @p category has operation @p kind (the WSK dispatch tables).
constexpr bool category_has(Category category, OpKind kind) noexcept {
  return (op_info(kind).categories & category_bit(category)) != 0;
}

}  // namespace wskport::detail
