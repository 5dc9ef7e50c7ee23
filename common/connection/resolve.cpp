// SPDX-License-Identifier: MIT
// Route resolution: the MX lookup (a pluggable MxResolver), then every MX host's
// addresses through Provider::resolve, which runs getaddrinfo off the event loop. Also
// the static MX table.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/connection/state.hpp"
#include "wskport/address.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/irp.hpp"
#include "wskport/provider.hpp"

namespace wskport::connection {

std::string lower_case(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void StaticMxResolver::add(std::string_view domain, MxHost host) {
  std::lock_guard lock(mutex_);
  auto& answer = table_[lower_case(domain)];
  answer.status = MxStatus::ok;
  answer.hosts.push_back(std::move(host));
}

void StaticMxResolver::set(std::string_view domain, MxAnswer answer) {
  std::lock_guard lock(mutex_);
  table_[lower_case(domain)] = std::move(answer);
}

void StaticMxResolver::remove(std::string_view domain) {
  std::lock_guard lock(mutex_);
  table_.erase(lower_case(domain));
}

void StaticMxResolver::lookup(const std::string& domain, Done done) {
  MxAnswer answer;
  {
    std::lock_guard lock(mutex_);
    const auto it = table_.find(domain);
    if (it != table_.end()) answer = it->second;
  }
  done(std::move(answer));
}

namespace detail {
namespace {

using MxRecord = ::domain_record::MxRecord;

/// The address lookups of one MX answer, alive until the last one completed.
class ResolveJob final : public std::enable_shared_from_this<ResolveJob> {
 public:
  ResolveJob(std::shared_ptr<ManagerState> manager, std::shared_ptr<::domain_record> domain,
             std::vector<MxHost> hosts)
      : manager_(std::move(manager)), domain_(std::move(domain)), hosts_(std::move(hosts)) {
    // Stable: equal preferences keep the resolver's order.
    std::stable_sort(hosts_.begin(), hosts_.end(),
                     [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      lookups_.push_back(std::make_unique<Lookup>(this));
    }
  }

  void start() {
    keep_.emplace(shared_from_this(), manager_);
    remaining_ = hosts_.size();
    // Copy: the last completion may destroy the job while this loop still runs.
    const auto count = hosts_.size();
    std::vector<Lookup*> lookups;
    std::vector<std::pair<std::string, std::uint16_t>> names;
    for (std::size_t i = 0; i < count; ++i) {
      lookups.push_back(lookups_[i].get());
      const auto& h = hosts_[i];
      names.emplace_back(h.name, h.port != 0 ? h.port : manager_->options.default_port);
    }
    Provider& provider = manager_->provider;
    for (std::size_t i = 0; i < count; ++i) {
      Lookup& l = *lookups[i];
      Address numeric;
      if (Address::parse(names[i].first, numeric) == status::success) {
        // A literal needs no resolver round trip.
        const bool ip =
            numeric.family() == AddressFamily::ipv4 || numeric.family() == AddressFamily::ipv6;
        numeric.set_port(names[i].second);
        if (ip) l.out.push_back(numeric);
        l.done(ip ? status::success : status::invalid_parameter);
        continue;
      }
      (void)provider.resolve(names[i].first, names[i].second, AddressFamily::unspecified, &l.out,
                             &l.irp);
    }
  }

 private:
  struct Lookup {
    explicit Lookup(ResolveJob* job) : irp(&Lookup::on_complete, this), owner(job) {}
    static void on_complete(Irp& irp, void* context) noexcept {
      static_cast<Lookup*>(context)->done(irp.IoStatus.Status);
    }
    void done(NTSTATUS s) noexcept { owner->lookup_done(*this, s); }

    Irp irp;
    ResolveJob* owner;
    std::vector<Address> out;
    NTSTATUS status = status::pending;
  };

  void lookup_done(Lookup& l, NTSTATUS s) noexcept {
    std::optional<Keep<ResolveJob>> last;
    {
      std::lock_guard lock(mutex_);
      l.status = s;
      if (--remaining_ == 0) {
        last.emplace(std::move(*keep_));
        keep_.reset();
      }
    }
    if (last) finish();
    // `last` goes out of scope here: the job, and with it this IRP, may be destroyed,
    // which a completion routine is allowed to do.
  }

  void finish() noexcept {
    std::vector<MxRecord> mx;
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      const Lookup& l = *lookups_[i];
      if (l.status != status::success || l.out.empty()) continue;
      MxRecord r;
      r.name = hosts_[i].name;
      r.preference = hosts_[i].preference;
      r.port = hosts_[i].port != 0 ? hosts_[i].port : manager_->options.default_port;
      for (const auto& a : l.out) {
        const bool seen = std::any_of(r.addresses.begin(), r.addresses.end(),
                                      [&](const auto& x) { return x.address == a; });
        if (!seen) r.addresses.push_back({a, {}});
      }
      mx.push_back(std::move(r));
    }
    const int result =
        mx.empty() ? static_cast<int>(Error::mx_lookup_failed) | action::requeue1 : 0;
    complete(manager_, domain_, std::move(mx), result);
  }

 public:
  /// Installs a result and posts the waiting callbacks to the strand.
  static void complete(const std::shared_ptr<ManagerState>& manager,
                       const std::shared_ptr<::domain_record>& domain, std::vector<MxRecord> mx,
                       int result) noexcept {
    auto waiters = domain->end_resolve(std::move(mx), result);
    if (waiters.empty()) return;
    try {
      manager->post([ws = std::move(waiters), result] {
        for (const auto& w : ws) w(result);
      });
    } catch (...) {
      // Out of memory while posting: the waiters are lost, the routes are installed.
    }
  }

 private:
  const std::shared_ptr<ManagerState> manager_;
  const std::shared_ptr<::domain_record> domain_;
  std::vector<MxHost> hosts_;
  std::vector<std::unique_ptr<Lookup>> lookups_;
  std::mutex mutex_;
  std::size_t remaining_ = 0;
  std::optional<Keep<ResolveJob>> keep_;
};

int answer_failure_code(MxStatus s) noexcept {
  switch (s) {
    case MxStatus::not_found:
      return static_cast<int>(Error::mx_lookup_failed) | action::purge_domain;
    case MxStatus::null_mx:
      return static_cast<int>(Error::smtp_null_mx) | action::purge_domain;
    default:
      return static_cast<int>(Error::mx_lookup_failed) | action::requeue1;
  }
}

}  // namespace

void resolve_domain(const std::shared_ptr<ManagerState>& manager,
                    const std::shared_ptr<::domain_record>& domain, std::function<void(int)> done) {
  if (!manager->try_work_started()) return;
  // The count taken above covers the lookup until the job holds its own.
  struct Guard {
    ManagerState& m;
    ~Guard() { m.work_finished(); }
  } guard{*manager};
  if (!domain->begin_resolve(std::move(done))) return;
  std::weak_ptr<ManagerState> weak_manager = manager;
  std::weak_ptr<::domain_record> weak_domain = domain;
  manager->work_started();  // released when the MX answer has been handled
  manager->resolver->lookup(domain->name, [weak_manager, weak_domain](MxAnswer answer) {
    const auto m = weak_manager.lock();
    const auto d = weak_domain.lock();
    if (!m) return;
    struct Done {
      ManagerState& m;
      ~Done() { m.work_finished(); }
    } finished{*m};
    if (!d) return;
    if (answer.status == MxStatus::no_records) {
      answer.status = MxStatus::ok;
      answer.hosts = {MxHost{d->name, 0, 0}};
    }
    if (answer.status != MxStatus::ok || answer.hosts.empty()) {
      const MxStatus s = answer.status == MxStatus::ok ? MxStatus::not_found : answer.status;
      ResolveJob::complete(m, d, {}, answer_failure_code(s));
      return;
    }
    try {
      std::make_shared<ResolveJob>(m, d, std::move(answer.hosts))->start();
    } catch (...) {
      ResolveJob::complete(m, d, {}, static_cast<int>(Error::mx_lookup_failed) | action::requeue1);
    }
  });
}

}  // namespace detail

void Domain::resolve(std::function<void(int code)> done) const {
  const auto manager = record_->manager.lock();
  if (!manager) return;
  detail::resolve_domain(manager, record_, std::move(done));
}

}  // namespace wskport::connection
