// SPDX-License-Identifier: MIT
// Domain records: admission (routes, delay, limits, prohibited hosts), the plan of
// addresses, and the failure bookkeeping the caller reads to apply
// MX_Failures_To_Delay. Plus the C++ `Domain` view over a record.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/connection/state.hpp"
#include "wskport/connection/manager.hpp"

namespace wskport::connection::detail {

bool same_host(const Address& a, const Address& b) noexcept {
  if (a.family() != b.family()) return false;
  if (a.family() != AddressFamily::ipv4 && a.family() != AddressFamily::ipv6) return false;
  return a.ip_bytes() == b.ip_bytes();
}

bool slot_reaches(const Address& source, AddressFamily family) noexcept {
  return source.family() == AddressFamily::unspecified || source.family() == family;
}

}  // namespace wskport::connection::detail

namespace {

using wskport::Address;
using wskport::connection::Error;
using wskport::connection::ManagerOptions;
using wskport::connection::RouteState;
using wskport::connection::detail::same_host;
using wskport::connection::detail::slot_reaches;

bool listed(const std::vector<Address>& list, const Address& a) {
  return std::any_of(list.begin(), list.end(), [&](const Address& x) { return same_host(x, a); });
}

constexpr int code(Error e, int actions = 0) noexcept { return static_cast<int>(e) | actions; }

}  // namespace

domain_record::domain_record(std::weak_ptr<wskport::connection::detail::ManagerState> m,
                             std::string n, std::size_t max, std::size_t per_binding)
    : manager(std::move(m)),
      name(std::move(n)),
      max_connections(max),
      max_per_binding(per_binding) {}

int domain_record::admit(int slot, const Address& source, const ManagerOptions& options,
                         Clock::time_point now, std::vector<PlanEntry>& plan,
                         bool& resolve_needed) {
  namespace action = wskport::connection::action;
  plan.clear();
  resolve_needed = false;
  std::lock_guard lock(mutex);
  if (state == RouteState::unresolved) {
    resolve_needed = !resolving;
    return code(Error::mx_lookup_pending);
  }
  if (state == RouteState::failed) return lookup_code;
  // A delayed domain already had its messages swept by the caller: nothing to requeue.
  if (now < delayed_until) return code(Error::no_mxs_reachable);
  if (max_connections != 0 && open >= max_connections) return code(Error::host_max_reached);
  if (max_per_binding != 0) {
    const auto it = open_per_slot.find(slot);
    if (it != open_per_slot.end() && it->second >= max_per_binding) {
      return code(Error::host_max_reached);
    }
  }
  for (const auto& m : mx) {
    for (const auto& a : m.addresses) {
      if (listed(options.prohibited_hosts, a.address)) {
        return code(Error::prohibited_ip, action::purge_domain);
      }
    }
  }
  // mx is sorted by preference, so the plan comes out level by level.
  for (const auto& m : mx) {
    for (const auto& a : m.addresses) {
      if (!slot_reaches(source, a.address.family())) continue;
      if (listed(options.skip_hosts, a.address)) continue;
      if (now < a.bad_until) continue;
      plan.push_back(PlanEntry{m.name, m.preference, a.address});
    }
  }
  if (plan.empty()) return code(Error::no_mxs_reachable, action::requeue1);
  ++open;
  ++open_per_slot[slot];
  return 0;
}

void domain_record::release(int slot) noexcept {
  std::lock_guard lock(mutex);
  if (open > 0) --open;
  const auto it = open_per_slot.find(slot);
  if (it != open_per_slot.end() && --it->second == 0) open_per_slot.erase(it);
}

domain_record::MxRecord* domain_record::find_mx(const PlanEntry& entry) noexcept {
  // By name, preference and address, not index: a refresh may have replaced the routes
  // while the attempt ran, and two MX entries may name the same host.
  for (auto& m : mx) {
    if (m.name != entry.mx || m.preference != entry.preference) continue;
    for (const auto& a : m.addresses) {
      if (a.address == entry.destination) return &m;
    }
  }
  return nullptr;
}

void domain_record::record_failure(const PlanEntry& entry, Clock::time_point retry_at) noexcept {
  std::lock_guard lock(mutex);
  ++consecutive_failures;
  if (MxRecord* m = find_mx(entry)) {
    ++m->consecutive_failures;
    for (auto& a : m->addresses) {
      if (a.address == entry.destination) a.bad_until = retry_at;
    }
  }
}

void domain_record::record_success(const PlanEntry& entry) noexcept {
  std::lock_guard lock(mutex);
  consecutive_failures = 0;
  if (MxRecord* m = find_mx(entry)) {
    m->consecutive_failures = 0;
    for (auto& a : m->addresses) {
      if (a.address == entry.destination) a.bad_until = {};
    }
  }
}

bool domain_record::begin_resolve(std::function<void(int)> done) {
  std::lock_guard lock(mutex);
  if (done) waiters.push_back(std::move(done));
  if (resolving) return false;
  resolving = true;
  return true;
}

std::vector<std::function<void(int)>> domain_record::end_resolve(std::vector<MxRecord> fresh,
                                                                 int result) {
  std::lock_guard lock(mutex);
  resolving = false;
  lookup_code = result;
  if (result == 0) {
    // Keep the history of hosts that stay: a refresh must not reset MX_Failures_To_Delay.
    for (auto& m : fresh) {
      const auto old = std::find_if(mx.begin(), mx.end(), [&](const MxRecord& o) {
        return o.name == m.name && o.preference == m.preference && o.port == m.port;
      });
      if (old == mx.end()) continue;
      m.consecutive_failures = old->consecutive_failures;
      for (auto& a : m.addresses) {
        for (const auto& oa : old->addresses) {
          if (oa.address == a.address) a.bad_until = oa.bad_until;
        }
      }
    }
    mx = std::move(fresh);
    state = RouteState::resolved;
  } else if (state != RouteState::resolved || wskport::connection::actions_of(result) != 0) {
    // A failed refresh keeps usable routes, unless the domain is now known not to take
    // mail (PURGE_DOMAIN) or never had routes.
    state = RouteState::failed;
  }
  return std::exchange(waiters, {});
}

namespace wskport::connection {

Domain Domain::from(::domain_record* record) {
  if (record == nullptr) return {};
  return Domain(record->shared_from_this());
}

const std::string& Domain::name() const { return record_->name; }

RouteState Domain::route_state() const {
  std::lock_guard lock(record_->mutex);
  return record_->state;
}

int Domain::lookup_code() const {
  std::lock_guard lock(record_->mutex);
  return record_->lookup_code;
}

std::vector<MxView> Domain::mx() const {
  const auto now = Clock::now();
  std::lock_guard lock(record_->mutex);
  std::vector<MxView> out;
  out.reserve(record_->mx.size());
  for (const auto& m : record_->mx) {
    MxView v{m.name, m.preference, m.port, {}, 0, m.consecutive_failures};
    for (const auto& a : m.addresses) {
      v.addresses.push_back(a.address);
      if (now < a.bad_until) ++v.addresses_marked_bad;
    }
    out.push_back(std::move(v));
  }
  return out;
}

void Domain::set_limits(std::size_t max_connections, std::size_t max_per_binding) const {
  std::lock_guard lock(record_->mutex);
  record_->max_connections = max_connections;
  record_->max_per_binding = max_per_binding;
}

std::size_t Domain::open_connections() const {
  std::lock_guard lock(record_->mutex);
  return record_->open;
}

std::size_t Domain::open_connections(int slot) const {
  std::lock_guard lock(record_->mutex);
  const auto it = record_->open_per_slot.find(slot);
  return it == record_->open_per_slot.end() ? 0 : it->second;
}

std::uint64_t Domain::consecutive_failures() const {
  std::lock_guard lock(record_->mutex);
  return record_->consecutive_failures;
}

bool Domain::mx_failures_exceeded(unsigned threshold) const {
  if (threshold == 0) return false;
  std::lock_guard lock(record_->mutex);
  const auto& mx = record_->mx;
  return !mx.empty() && std::all_of(mx.begin(), mx.end(), [&](const auto& m) {
    return m.consecutive_failures >= threshold;
  });
}

void Domain::delay_until(Clock::time_point until) const {
  std::lock_guard lock(record_->mutex);
  record_->delayed_until = until;
}

Clock::time_point Domain::delayed_until() const {
  std::lock_guard lock(record_->mutex);
  return record_->delayed_until;
}

void Domain::clear_failures() const {
  std::lock_guard lock(record_->mutex);
  record_->consecutive_failures = 0;
  for (auto& m : record_->mx) {
    m.consecutive_failures = 0;
    for (auto& a : m.addresses) a.bad_until = {};
  }
}

}  // namespace wskport::connection
