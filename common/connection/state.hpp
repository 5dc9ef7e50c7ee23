// SPDX-License-Identifier: MIT
// The connection manager's internal state:
// - ManagerState: options, binding slots, the domain registry, the strand every
//   callback runs on, and the count of deferred work that shutdown waits for;
// - the definition of the C `domain_record`;
// - ConnectionState, described below.
//
// Lock order (never the reverse): a connection's mutex, then a domain's mutex or the
// manager's mutex. A domain and the manager are never locked together.
//
// ConnectionState: one initiate call. The plan of addresses and the state machine
// that walks it (socket, options, bind, local address, post-bind hooks, connect with a
// timer, close), then the one callback, then the established socket until the handle
// is closed.
//
// Ownership of the machine. Exactly one thread advances it at a time: the caller of
// initiate until the first step goes pending, then the manager's strand (a completion
// posts the continuation there; timers and teardown run there too). An IRP completion
// that arrives while its call is still being issued is picked up by the issuer (the
// `issuing_` handshake), so the machine never recurses into itself.
#pragma once

#include <utility>  // before any Boost header (Boost 1.74 with C++20)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "common/core/provider_core.hpp"
#include "wskport/address.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/irp.hpp"
#include "wskport/momentum/connection_types.h"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"

namespace wskport::connection::detail {

class ConnectionState;

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

struct SlotState {
  std::string binding;
  Address source;  // unspecified: any
  std::size_t max_connections = 0;
  std::size_t open = 0;
  bool plumbed = true;
};

/// One address of a connection plan.
struct PlanEntry {
  std::string mx;
  std::uint16_t preference = 0;
  Address destination;
};

/// True if @p a and @p b name the same host (family and address; port ignored).
bool same_host(const Address& a, const Address& b) noexcept;

/// True if a slot whose source is @p source can connect to @p family.
bool slot_reaches(const Address& source, AddressFamily family) noexcept;

class ManagerState : public std::enable_shared_from_this<ManagerState> {
 public:
  ManagerState(Provider& provider, std::shared_ptr<MxResolver> resolver, ManagerOptions options);
  ManagerState(const ManagerState&) = delete;
  ManagerState& operator=(const ManagerState&) = delete;
  ~ManagerState() = default;

  Provider& provider;
  const ManagerOptions options;
  const std::shared_ptr<MxResolver> resolver;
  Strand strand;

  // ---- binding slots ----
  int add_slot(std::string_view binding, const Address& source, std::size_t max_connections);
  [[nodiscard]] std::vector<int> slots_of(std::string_view binding) const;
  [[nodiscard]] int find_slot(std::string_view binding, AddressFamily family) const;
  [[nodiscard]] bool slot_info(int slot, BindingSlotInfo& out) const;
  /// Takes a place in the slot's limit. @return 0, CONN_ERR_BIND (unknown slot) or
  /// CONN_ERR_HOST_MAX_REACHED; @p source receives the slot's address.
  int reserve_slot(int slot, Address& source);
  void release_slot(int slot) noexcept;
  void set_plumbed(int slot, bool plumbed) noexcept;

  // ---- domains ----
  /// Get-or-create; null for an empty name or after shutdown.
  std::shared_ptr<::domain_record> domain(std::string_view name);

  // ---- randomness (shuffles within a preference level) ----
  void shuffle_levels(std::vector<PlanEntry>& plan);

  // ---- connections and deferred work ----
  void connection_born(ConnectionState* c);
  void connection_died(ConnectionState* c) noexcept;
  [[nodiscard]] std::size_t live() const;
  void work_started() noexcept;
  /// As work_started, for new top-level work (initiate, resolve): false after
  /// shutdown began, and nothing is counted then.
  [[nodiscard]] bool try_work_started() noexcept;
  void work_finished() noexcept;
  /// Runs @p f on the strand, counted as work until it returned. Only from inside
  /// work already counted (a completion, a callback, initiate).
  template <class F>
  void post(F&& f);
  /// As post, from outside counted work (a user's close): false, and nothing posted,
  /// once shutdown has begun.
  template <class F>
  bool try_post(F&& f);
  [[nodiscard]] bool stopped() const noexcept;
  /// Closes every live connection, waits for the deferred work, refuses new work.
  void shutdown();

 private:
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::vector<SlotState> slots_;
  std::map<std::string, std::shared_ptr<::domain_record>, std::less<>> domains_;
  std::unordered_set<ConnectionState*> live_;
  std::size_t work_ = 0;
  bool stopped_ = false;
  std::mt19937_64 rng_;

  template <class F>
  void post_counted(F&& f);
};

/// Keeps an object and its manager's work count alive while a callback is deferred
/// (a posted function, a timer, a pending IRP). Drops the object before the count,
/// so a shutdown that saw the count reach zero never races a destructor.
template <class T>
class Keep {
 public:
  Keep(std::shared_ptr<T> object, std::shared_ptr<ManagerState> manager) noexcept
      : object_(std::move(object)), manager_(std::move(manager)) {
    manager_->work_started();
  }
  Keep(Keep&& o) noexcept : object_(std::move(o.object_)), manager_(std::move(o.manager_)) {}
  Keep& operator=(Keep&&) = delete;
  Keep(const Keep&) = delete;
  Keep& operator=(const Keep&) = delete;
  ~Keep() {
    object_.reset();
    if (manager_) manager_->work_finished();
  }
  T* operator->() const noexcept { return object_.get(); }
  T& operator*() const noexcept { return *object_; }

 private:
  std::shared_ptr<T> object_;
  std::shared_ptr<ManagerState> manager_;
};

template <class F>
bool ManagerState::try_post(F&& f) {
  if (!try_work_started()) return false;
  post_counted(std::forward<F>(f));
  return true;
}

template <class F>
void ManagerState::post(F&& f) {
  work_started();
  post_counted(std::forward<F>(f));
}

template <class F>
void ManagerState::post_counted(F&& f) {
  // The function's own references are dropped before the work count, so a shutdown
  // that saw the count reach zero never races a destructor they trigger.
  boost::asio::post(strand, [self = shared_from_this(),
                             fn = std::optional<std::decay_t<F>>(std::forward<F>(f))]() mutable {
    (*fn)();
    fn.reset();
    self->work_finished();
  });
}

/// Initiates on @p manager (see connection::initiate). With @p for_c, the C API's
/// reference is taken before the attempt starts. @return 0 and @p out, or the code.
int initiate(const std::shared_ptr<ManagerState>& manager, ::domain_record& record, int slot,
             ConnectCallbacks callbacks, void* user_data, bool for_c,
             std::shared_ptr<ConnectionState>& out);

/// Starts (or joins) the resolution of @p domain's routes; @p done (optional) runs on
/// the strand with the result code. Does nothing after shutdown.
void resolve_domain(const std::shared_ptr<ManagerState>& manager,
                    const std::shared_ptr<::domain_record>& domain, std::function<void(int)> done);

}  // namespace wskport::connection::detail

/// The C domain record, defined here for the library only (opaque in C).
struct domain_record : public std::enable_shared_from_this<domain_record> {
  using Clock = wskport::connection::Clock;
  using PlanEntry = wskport::connection::detail::PlanEntry;

  struct AddressRecord {
    wskport::Address address;
    Clock::time_point bad_until{};
  };
  struct MxRecord {
    std::string name;
    std::uint16_t preference = 0;
    std::uint16_t port = 0;
    std::vector<AddressRecord> addresses;
    std::uint64_t consecutive_failures = 0;
  };

  domain_record(std::weak_ptr<wskport::connection::detail::ManagerState> manager, std::string name,
                std::size_t max_connections, std::size_t max_per_binding);

  const std::weak_ptr<wskport::connection::detail::ManagerState> manager;
  const std::string name;

  /// Checks routes, delay and limits, takes a place in the domain's limits and builds
  /// the plan (unshuffled, by preference). @return 0, or the failure code;
  /// @p resolve_needed is set when the caller must start a resolution.
  int admit(int slot, const wskport::Address& source,
            const wskport::connection::ManagerOptions& options, Clock::time_point now,
            std::vector<PlanEntry>& plan, bool& resolve_needed);
  void release(int slot) noexcept;
  void record_failure(const PlanEntry& entry, Clock::time_point retry_at) noexcept;
  void record_success(const PlanEntry& entry) noexcept;

  /// The MX an attempt went to (mutex held), or null if the routes changed.
  MxRecord* find_mx(const PlanEntry& entry) noexcept;

  /// Queues @p done; @return true if the caller must start the lookup (none running).
  bool begin_resolve(std::function<void(int)> done);
  /// Installs the result; @return the queued callbacks (the caller posts them).
  std::vector<std::function<void(int)>> end_resolve(std::vector<MxRecord> mx, int code);

  mutable std::mutex mutex;
  wskport::connection::RouteState state = wskport::connection::RouteState::unresolved;
  bool resolving = false;
  int lookup_code = 0;
  std::vector<MxRecord> mx;
  std::vector<std::function<void(int)>> waiters;
  std::size_t open = 0;
  std::map<int, std::size_t> open_per_slot;
  std::size_t max_connections = 0;
  std::size_t max_per_binding = 0;
  std::uint64_t consecutive_failures = 0;
  Clock::time_point delayed_until{};
};

namespace wskport::connection::detail {

class ConnectionState final : public std::enable_shared_from_this<ConnectionState> {
 public:
  ConnectionState(std::shared_ptr<ManagerState> manager, std::shared_ptr<::domain_record> domain,
                  int slot, Address source, std::vector<PlanEntry> plan, ConnectCallbacks callbacks,
                  void* user_data);
  ConnectionState(const ConnectionState&) = delete;
  ConnectionState& operator=(const ConnectionState&) = delete;
  ~ConnectionState();

  /// Runs the machine on the calling thread until a step goes pending or it ends.
  /// @return 0 if the caller gets the handle (one callback will follow), else the
  ///         failure code (no callback will run; the limits are already released).
  int start();
  /// The user's close (see ConnectionHandle::close).
  void close();
  /// Closes without waiting for a callback (manager shutdown). Called outside any lock.
  void force_close();
  bool wait(std::chrono::milliseconds bound);

  // Views (each takes the mutex).
  int code() const;
  bool connected() const;
  bool finished() const;
  Socket socket() const;
  Address local_address() const;
  Address remote_address() const;
  std::vector<AttemptRecord> attempts() const;
  int binding_slot() const noexcept { return slot_; }
  void* user_data() const noexcept { return user_data_; }
  std::shared_ptr<::domain_record> domain() const noexcept { return domain_; }
  ::connection_handle* c_handle() noexcept { return &c_handle_; }

  /// The C API's ownership: a reference held until connection_handle_close.
  void hold_for_c(std::shared_ptr<ConnectionState> self);
  std::shared_ptr<ConnectionState> drop_c_hold() noexcept;

  static ConnectionState* from_c(const ::connection_handle* h) noexcept {
    return h == nullptr ? nullptr : static_cast<ConnectionState*>(h->impl);
  }

 private:
  enum class Phase {
    next,          // pick the next address of the plan
    create,        // create_socket
    option,        // set_option (options_[option_index_])
    bind,          // bind to the slot's address
    local,         // local_address (for the record and the hook's benefit)
    hook,          // post-bind chain
    connect,       // connect, timer armed while pending
    close_socket,  // close, then `after_`
    established,   // connected; waits for the user's close
    failed,        // ended; the callback reports it
    closed,        // the user closed it
  };
  enum class After { next, fail, closed };

  void run(bool have_result);
  void handle_result();
  void choose_next();
  void run_hooks();
  template <class Call>
  bool issue(Call&& call, bool arm_timer);
  static void on_op_complete(Irp& irp, void* context) noexcept;
  void on_timer(std::uint64_t generation);
  void teardown();
  void deliver();
  void invoke_callback();
  void release_limits() noexcept;

  // Locked helpers.
  void close_then(After after);
  void fail_attempt(Stage stage, NTSTATUS status, Error error);

  const std::shared_ptr<ManagerState> manager_;
  const std::shared_ptr<::domain_record> domain_;
  const int slot_;
  const Address source_;
  const std::vector<PlanEntry> plan_;
  const ConnectCallbacks callbacks_;
  void* const user_data_;
  ::connection_handle c_handle_{};
  Clock::time_point deadline_;

  Irp op_irp_;  // one operation at a time
  boost::asio::steady_timer timer_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  Phase phase_ = Phase::next;
  After after_ = After::next;
  std::size_t next_index_ = 0;
  std::size_t option_index_ = 0;
  PlanEntry current_;
  Socket socket_;
  Address bind_address_;  // input of bind while that call runs
  Address local_;         // output of local_address while that call runs
  Address remote_;        // the destination of the connected socket
  std::vector<AttemptRecord> attempts_;
  int code_ = 0;
  NTSTATUS op_status_ = status::success;
  std::uintptr_t op_info_ = 0;
  bool issuing_ = false;
  bool op_done_ = false;
  std::optional<Keep<ConnectionState>> pending_;  // while an IRP is pending
  bool went_async_ = false;
  bool initiating_ = false;
  bool deferred_ = false;
  bool closed_ = false;
  bool timed_out_ = false;
  std::uint64_t generation_ = 0;
  bool reserved_ = true;
  bool delivered_ = false;
  bool callback_running_ = false;
  std::thread::id callback_thread_{};
  std::shared_ptr<ConnectionState> c_hold_;
};

}  // namespace wskport::connection::detail
