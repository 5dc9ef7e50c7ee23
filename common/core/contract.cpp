// SPDX-License-Identifier: MIT
// The contract table (see contract.hpp). Written by hand from the headers' comments;
// tests/unit/contract_table_test.cpp parses the headers and fails when the two
// disagree, so a comment change without a table change (or the reverse) does not land.
#include "common/core/contract.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace wskport::detail::contract {

namespace {

namespace s = wskport::status;

constexpr std::array common_list{s::invalid_handle, s::file_forced_closed, s::cancelled,
                                 s::invalid_device_state};

constexpr std::array bind_list{s::success,
                               s::address_already_associated,
                               s::invalid_address_component,
                               s::access_denied,
                               s::invalid_address,
                               s::object_path_not_found,
                               s::not_a_directory,
                               s::name_too_long,
                               s::not_implemented,
                               s::invalid_parameter};
constexpr std::array listen_list{s::success, s::invalid_device_state,
                                 s::address_already_associated};
constexpr std::array accept_list{s::success, s::invalid_device_state, s::too_many_opened_files,
                                 s::insufficient_resources};
constexpr std::array connect_list{s::success,
                                  s::invalid_device_state,
                                  s::connection_active,
                                  s::network_busy,
                                  s::connection_refused,
                                  s::io_timeout,
                                  s::network_unreachable,
                                  s::host_unreachable,
                                  s::invalid_address,
                                  s::invalid_address_component,
                                  s::invalid_parameter};
constexpr std::array send_list{s::success,          s::invalid_device_state, s::not_supported,
                               s::connection_reset, s::connection_aborted,   s::io_timeout,
                               s::invalid_parameter};
constexpr std::array receive_list{
    s::success,          s::invalid_device_state, s::not_supported, s::invalid_parameter,
    s::connection_reset, s::connection_aborted,   s::io_timeout};
constexpr std::array send_to_list{s::success,
                                  s::invalid_device_state,
                                  s::invalid_address,
                                  s::invalid_buffer_size,
                                  s::network_unreachable,
                                  s::host_unreachable,
                                  s::invalid_parameter};
constexpr std::array receive_from_list{s::success, s::buffer_overflow, s::invalid_device_state,
                                       s::invalid_parameter};
constexpr std::array disconnect_list{
    s::success,          s::invalid_device_state, s::invalid_parameter, s::not_supported,
    s::connection_reset, s::connection_aborted,   s::io_timeout};
constexpr std::array close_list{s::success};
constexpr std::array address_list{s::success, s::invalid_device_state, s::invalid_parameter};
constexpr std::array set_option_list{s::success, s::invalid_parameter, s::invalid_device_state};
constexpr std::array get_option_list{s::success, s::invalid_parameter};
constexpr std::array create_list{s::success,
                                 s::invalid_parameter,
                                 s::not_supported,
                                 s::too_many_opened_files,
                                 s::insufficient_resources,
                                 s::file_forced_closed};
constexpr std::array resolve_list{s::success,           s::not_found,     s::io_timeout,
                                  s::invalid_parameter, s::not_supported, s::insufficient_resources,
                                  s::file_forced_closed};
constexpr std::array lookup_name_list{s::success,           s::not_found,
                                      s::io_timeout,        s::invalid_parameter,
                                      s::invalid_address,   s::insufficient_resources,
                                      s::file_forced_closed};
constexpr std::array start_timer_list{s::success, s::cancelled, s::invalid_parameter,
                                      s::insufficient_resources, s::file_forced_closed};
constexpr std::array post_list{s::success, s::file_forced_closed};

constexpr std::array engine_status_list{s::success, s::not_supported, s::insufficient_resources};
constexpr std::array choose_engine_list{s::success, s::not_supported, s::insufficient_resources};
constexpr std::array provider_create_list{s::success,
                                          s::not_supported,
                                          s::invalid_parameter,
                                          s::insufficient_resources,
                                          s::too_many_opened_files,
                                          s::unsuccessful};

const std::array<ReportRow, 3> report_table{{
    {"engine_status", engine_status_list},
    {"choose_engine", choose_engine_list},
    {"create", provider_create_list},
}};

const std::array<Row, 19> table{{
    {"create_socket", OpKind::create, create_list},
    {"resolve", OpKind::resolve, resolve_list},
    {"lookup_name", OpKind::lookup_name, lookup_name_list},
    {"start_timer", OpKind::start_timer, start_timer_list},
    {"post", OpKind::post, post_list},
    {"bind", OpKind::bind, bind_list},
    {"listen", OpKind::listen, listen_list},
    {"accept", OpKind::accept, accept_list},
    {"connect", OpKind::connect, connect_list},
    {"send", OpKind::send, send_list},
    {"receive", OpKind::receive, receive_list},
    {"send_to", OpKind::send_to, send_to_list},
    {"receive_from", OpKind::receive_from, receive_from_list},
    {"disconnect", OpKind::disconnect, disconnect_list},
    {"close", OpKind::close, close_list},
    {"local_address", OpKind::local_address, address_list},
    {"remote_address", OpKind::remote_address, address_list},
    {"set_option", OpKind::set_option, set_option_list},
    {"get_option", OpKind::get_option, get_option_list},
}};

// Coverage: one bit per (kind, status slot). The slots are the union of every list,
// found by a linear search over a few dozen values: this runs only with the group on.
constexpr std::size_t kinds = op_count;
constexpr std::size_t max_slots = 64;
std::array<NTSTATUS, max_slots> slot_status{};
std::atomic<std::size_t> slot_count{0};
std::array<std::atomic<std::uint64_t>, kinds> noted{};

std::size_t slot_of(NTSTATUS status) noexcept {
  const std::size_t n = slot_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) {
    if (slot_status[i] == status) return i;
  }
  return max_slots;
}

// Built once before any completion can be noted (first use of note()).
bool build_slots() noexcept {
  std::size_t n = 0;
  auto add = [&n](NTSTATUS st) {
    for (std::size_t i = 0; i < n; ++i) {
      if (slot_status[i] == st) return;
    }
    if (n < max_slots) slot_status[n++] = st;
  };
  for (NTSTATUS st : common_list) add(st);
  for (const Row& row : table) {
    for (NTSTATUS st : row.statuses) add(st);
  }
  slot_count.store(n, std::memory_order_release);
  return true;
}

}  // namespace

std::span<const Row> rows() noexcept { return table; }

std::span<const ReportRow> report_rows() noexcept { return report_table; }

std::span<const NTSTATUS> common_statuses() noexcept { return common_list; }

bool documented(OpKind op, NTSTATUS status) noexcept {
  for (NTSTATUS st : common_list) {
    if (st == status) return true;
  }
  for (const Row& row : table) {
    if (row.op != op) continue;
    for (NTSTATUS st : row.statuses) {
      if (st == status) return true;
    }
  }
  return false;
}

void note(OpKind op, NTSTATUS status) noexcept {
  static const bool built = build_slots();
  (void)built;
  const auto kind = static_cast<std::size_t>(op);
  const std::size_t slot = slot_of(status);
  if (kind >= kinds || slot >= max_slots) return;
  noted[kind].fetch_or(std::uint64_t{1} << slot, std::memory_order_relaxed);
}

void take_noted(void (*fn)(OpKind op, NTSTATUS status, void* context), void* context) noexcept {
  const std::size_t n = slot_count.load(std::memory_order_acquire);
  for (std::size_t kind = 0; kind < kinds; ++kind) {
    const std::uint64_t bits = noted[kind].exchange(0, std::memory_order_relaxed);
    for (std::size_t slot = 0; slot < n; ++slot) {
      if ((bits >> slot) & 1U) fn(static_cast<OpKind>(kind), slot_status[slot], context);
    }
  }
}

}  // namespace wskport::detail::contract
