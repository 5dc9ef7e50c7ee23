// SPDX-License-Identifier: MIT
// The manager: binding slots (MultiVIP), the domain registry, the strand and the work
// count that shutdown waits for, and initiate (admission, then the attempt).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/connection/state.hpp"
#include "wskport/connection/manager.hpp"

namespace wskport::connection {
namespace detail {

ManagerState::ManagerState(Provider& p, std::shared_ptr<MxResolver> r, ManagerOptions o)
    : provider(p),
      options(std::move(o)),
      resolver(std::move(r)),
      strand(boost::asio::make_strand(p.core().io().get_executor())),
      rng_(std::random_device{}()) {}

int ManagerState::add_slot(std::string_view binding, const Address& source,
                           std::size_t max_connections) {
  if (binding.empty()) return -1;
  const auto family = source.family();
  if (family != AddressFamily::unspecified && family != AddressFamily::ipv4 &&
      family != AddressFamily::ipv6) {
    return -1;
  }
  SlotState s{std::string(binding), source, max_connections, 0, true};
  s.source.set_port(0);  // a fixed port would collide between concurrent connections
  std::lock_guard lock(mutex_);
  slots_.push_back(std::move(s));
  return static_cast<int>(slots_.size() - 1);
}

std::vector<int> ManagerState::slots_of(std::string_view binding) const {
  std::vector<int> out;
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].binding == binding) out.push_back(static_cast<int>(i));
  }
  return out;
}

int ManagerState::find_slot(std::string_view binding, AddressFamily family) const {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].binding == binding && slot_reaches(slots_[i].source, family)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool ManagerState::slot_info(int slot, BindingSlotInfo& out) const {
  std::lock_guard lock(mutex_);
  if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) return false;
  const auto& s = slots_[static_cast<std::size_t>(slot)];
  out = BindingSlotInfo{slot, s.binding, s.source, s.max_connections, s.open, s.plumbed};
  return true;
}

int ManagerState::reserve_slot(int slot, Address& source) {
  std::lock_guard lock(mutex_);
  if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) {
    return static_cast<int>(Error::bind);
  }
  auto& s = slots_[static_cast<std::size_t>(slot)];
  if (s.max_connections != 0 && s.open >= s.max_connections) {
    return static_cast<int>(Error::host_max_reached);
  }
  ++s.open;
  source = s.source;
  return 0;
}

void ManagerState::release_slot(int slot) noexcept {
  std::lock_guard lock(mutex_);
  if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) return;
  auto& s = slots_[static_cast<std::size_t>(slot)];
  if (s.open > 0) --s.open;
}

void ManagerState::set_plumbed(int slot, bool plumbed) noexcept {
  std::lock_guard lock(mutex_);
  if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) return;
  slots_[static_cast<std::size_t>(slot)].plumbed = plumbed;
}

std::shared_ptr<::domain_record> ManagerState::domain(std::string_view name) {
  if (name.empty()) return nullptr;
  const std::string key = lower_case(name);
  std::lock_guard lock(mutex_);
  if (stopped_) return nullptr;
  auto& slot = domains_[key];
  if (!slot) {
    slot =
        std::make_shared<::domain_record>(weak_from_this(), key, options.max_outbound_connections,
                                          options.max_outbound_connections_per_binding);
  }
  return slot;
}

void ManagerState::shuffle_levels(std::vector<PlanEntry>& plan) {
  std::lock_guard lock(mutex_);
  auto begin = plan.begin();
  while (begin != plan.end()) {
    const auto end = std::find_if(
        begin, plan.end(), [&](const PlanEntry& e) { return e.preference != begin->preference; });
    std::shuffle(begin, end, rng_);
    begin = end;
  }
}

void ManagerState::connection_born(ConnectionState* c) {
  std::lock_guard lock(mutex_);
  live_.insert(c);
}

void ManagerState::connection_died(ConnectionState* c) noexcept {
  std::lock_guard lock(mutex_);
  live_.erase(c);
  idle_.notify_all();
}

std::size_t ManagerState::live() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void ManagerState::work_started() noexcept {
  std::lock_guard lock(mutex_);
  ++work_;
}

bool ManagerState::try_work_started() noexcept {
  std::lock_guard lock(mutex_);
  if (stopped_) return false;
  ++work_;
  return true;
}

void ManagerState::work_finished() noexcept {
  std::lock_guard lock(mutex_);
  if (--work_ == 0) idle_.notify_all();
}

bool ManagerState::stopped() const noexcept {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void ManagerState::shutdown() {
  std::vector<std::shared_ptr<ConnectionState>> open;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto* c : live_) {
      // Null when the object is already being destroyed: nothing left to close.
      if (auto s = c->weak_from_this().lock()) open.push_back(std::move(s));
    }
  }
  for (auto& c : open) c->force_close();
  open.clear();
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return work_ == 0; });
  domains_.clear();
}

}  // namespace detail

ConnectionManager::ConnectionManager(Provider& provider, std::shared_ptr<MxResolver> resolver,
                                     ManagerOptions options)
    : state_(std::make_shared<detail::ManagerState>(provider, std::move(resolver),
                                                    std::move(options))) {}

ConnectionManager::~ConnectionManager() { shutdown(); }

int ConnectionManager::add_binding(std::string_view binding, const Address& source,
                                   std::size_t max_connections) {
  return state_->add_slot(binding, source, max_connections);
}

std::vector<int> ConnectionManager::binding_slots(std::string_view binding) const {
  return state_->slots_of(binding);
}

int ConnectionManager::find_binding_slot(std::string_view binding, AddressFamily family) const {
  return state_->find_slot(binding, family);
}

std::optional<BindingSlotInfo> ConnectionManager::binding_slot(int slot) const {
  BindingSlotInfo info;
  if (!state_->slot_info(slot, info)) return std::nullopt;
  return info;
}

Domain ConnectionManager::domain(std::string_view name) { return Domain(state_->domain(name)); }

namespace detail {

int initiate(const std::shared_ptr<ManagerState>& manager, ::domain_record& record, int slot,
             ConnectCallbacks callbacks, void* user_data, bool for_c,
             std::shared_ptr<ConnectionState>& out) {
  if (!manager->try_work_started()) return static_cast<int>(Error::invalid);
  struct Guard {
    ManagerState& m;
    ~Guard() { m.work_finished(); }
  } guard{*manager};

  Address source;
  if (const int c = manager->reserve_slot(slot, source); c != 0) return c;
  std::vector<PlanEntry> plan;
  bool resolve_needed = false;
  const int admitted =
      record.admit(slot, source, manager->options, Clock::now(), plan, resolve_needed);
  if (admitted != 0) {
    manager->release_slot(slot);
    if (resolve_needed) resolve_domain(manager, record.shared_from_this(), {});
    return admitted;
  }
  if (manager->options.shuffle_within_level) manager->shuffle_levels(plan);

  std::shared_ptr<ConnectionState> c;
  try {
    c = std::make_shared<ConnectionState>(manager, record.shared_from_this(), slot, source,
                                          std::move(plan), std::move(callbacks), user_data);
  } catch (const std::bad_alloc&) {
    record.release(slot);
    manager->release_slot(slot);
    return static_cast<int>(Error::socket);
  }
  // The C owner's reference exists before any callback can run (one may run as soon
  // as start() returns), so a callback may already close the handle.
  if (for_c) c->hold_for_c(c);
  if (const int code = c->start(); code != 0) {
    if (for_c) (void)c->drop_c_hold();
    return code;
  }
  out = std::move(c);
  return 0;
}

}  // namespace detail

Initiated initiate(const Domain& domain, int slot, ConnectCallbacks callbacks, void* user_data) {
  Initiated result;
  ::domain_record* record = domain.c_record();
  const auto manager = record != nullptr ? record->manager.lock() : nullptr;
  if (!manager) {
    result.code = static_cast<int>(Error::invalid);
    return result;
  }
  std::shared_ptr<detail::ConnectionState> c;
  result.code = detail::initiate(manager, *record, slot, std::move(callbacks), user_data, false, c);
  if (c) result.handle = ConnectionHandle(std::move(c));
  return result;
}

Initiated ConnectionManager::initiate(const Domain& domain, int slot, ConnectCallbacks callbacks,
                                      void* user_data) {
  ::domain_record* record = domain.c_record();
  if (record == nullptr || record->manager.lock() != state_) {
    Initiated result;
    result.code = static_cast<int>(Error::invalid);
    return result;
  }
  return connection::initiate(domain, slot, std::move(callbacks), user_data);
}

std::size_t ConnectionManager::live_connections() const { return state_->live(); }

void ConnectionManager::shutdown() { state_->shutdown(); }

Provider& ConnectionManager::provider() const noexcept { return state_->provider; }

const ManagerOptions& ConnectionManager::options() const noexcept { return state_->options; }

}  // namespace wskport::connection
