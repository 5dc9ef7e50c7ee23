// SPDX-License-Identifier: MIT
// The attempt state machine of one initiate call (see state.hpp for who
// drives it when). One address at a time: create, options, bind, local address,
// post-bind hooks, connect under a timer; close; then the next address or the end.
#include <utility>  // before any Boost header

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>

#include "common/connection/state.hpp"
#include "wskport/connection/hooks.hpp"
#include "wskport/connection/manager.hpp"

namespace wskport::connection::detail {

ConnectionState::ConnectionState(std::shared_ptr<ManagerState> manager,
                                 std::shared_ptr<::domain_record> domain, int slot, Address source,
                                 std::vector<PlanEntry> plan, ConnectCallbacks callbacks,
                                 void* user_data)
    : manager_(std::move(manager)),
      domain_(std::move(domain)),
      slot_(slot),
      source_(source),
      plan_(std::move(plan)),
      callbacks_(std::move(callbacks)),
      user_data_(user_data),
      deadline_(Clock::now() + manager_->options.overall_timeout),
      op_irp_(&ConnectionState::on_op_complete, this),
      timer_(manager_->provider.core().io()) {
  c_handle_.binding_slot = slot;
  c_handle_.user_data = user_data;
  c_handle_.impl = this;
  manager_->connection_born(this);
}

ConnectionState::~ConnectionState() {
  release_limits();
  manager_->connection_died(this);
}

int ConnectionState::start() {
  {
    std::lock_guard lock(mutex_);
    initiating_ = true;
  }
  run(false);
  std::unique_lock lock(mutex_);
  initiating_ = false;
  if (!went_async_ && phase_ == Phase::failed) {
    // Ended before anything went pending: the caller gets the code, not a callback.
    delivered_ = true;
    deferred_ = false;
    return code_ != 0 ? code_ : make_code(Error::connect);
  }
  if (std::exchange(deferred_, false)) {
    lock.unlock();
    manager_->post([self = shared_from_this()] { self->invoke_callback(); });
  }
  return 0;
}

void ConnectionState::run(bool have_result) {
  for (;;) {
    if (have_result) {
      handle_result();
      have_result = false;
    }
    Phase phase;
    {
      std::lock_guard lock(mutex_);
      phase = phase_;
    }
    // Members handed to a call (current_, local_, bind_address_) are not touched
    // again until its completion: the machine has one owner at a time.
    switch (phase) {
      case Phase::next:
        choose_next();
        break;
      case Phase::create: {
        const AddressFamily family = current_.destination.family();
        have_result = issue(
            [&](Irp* irp) {
              return manager_->provider.create_socket(family, SocketType::stream, Protocol::tcp,
                                                      Category::connection, irp);
            },
            false);
        if (!have_result) return;
        break;
      }
      case Phase::option: {
        // Not a structured binding: clang 14 cannot capture one in a lambda.
        const auto& option = manager_->options.socket_options[option_index_];
        have_result = issue(
            [&](Irp* irp) { return socket_.set_option(option.first, option.second, irp); }, false);
        if (!have_result) return;
        break;
      }
      case Phase::bind: {
        if (source_.family() == AddressFamily::unspecified) {
          bind_address_ = current_.destination.family() == AddressFamily::ipv6
                              ? Address::ipv6_any()
                              : Address::ipv4_any();
        } else {
          bind_address_ = source_;
        }
        have_result = issue([&](Irp* irp) { return socket_.bind(bind_address_, irp); }, false);
        if (!have_result) return;
        break;
      }
      case Phase::local:
        have_result = issue([&](Irp* irp) { return socket_.local_address(&local_, irp); }, false);
        if (!have_result) return;
        break;
      case Phase::hook:
        run_hooks();
        break;
      case Phase::connect:
        have_result =
            issue([&](Irp* irp) { return socket_.connect(current_.destination, irp); }, true);
        if (!have_result) return;
        break;
      case Phase::close_socket:
        have_result = issue([&](Irp* irp) { return socket_.close(irp); }, false);
        if (!have_result) return;
        break;
      case Phase::established:
        deliver();
        return;
      case Phase::failed: {
        std::lock_guard lock(mutex_);
        // Before the callback, so that it may initiate again within the limits.
        release_limits();
      }
        deliver();
        return;
      case Phase::closed: {
        std::lock_guard lock(mutex_);
        release_limits();
        delivered_ = true;
        cv_.notify_all();
        return;
      }
    }
  }
}

template <class Call>
bool ConnectionState::issue(Call&& call, bool arm_timer) {
  {
    std::lock_guard lock(mutex_);
    issuing_ = true;
    op_done_ = false;
    pending_.emplace(shared_from_this(), manager_);
  }
  (void)call(&op_irp_);
  std::lock_guard lock(mutex_);
  issuing_ = false;
  if (op_done_) {
    pending_.reset();
    return true;
  }
  went_async_ = true;
  if (arm_timer) {
    // Armed under the lock the completion takes, so the completion's continuation,
    // which cancels the timer, cannot run before it is armed.
    timer_.expires_at(std::min(Clock::now() + manager_->options.connect_timeout, deadline_));
    timer_.async_wait(boost::asio::bind_executor(
        manager_->strand, [keep = Keep<ConnectionState>(shared_from_this(), manager_),
                           generation = generation_](const boost::system::error_code& ec) {
          if (!ec) keep->on_timer(generation);
        }));
  }
  return false;
}

void ConnectionState::on_op_complete(Irp& irp, void* context) noexcept {
  auto* self = static_cast<ConnectionState*>(context);
  std::optional<Keep<ConnectionState>> keep;
  {
    std::lock_guard lock(self->mutex_);
    self->op_status_ = irp.IoStatus.Status;
    self->op_info_ = irp.IoStatus.Information;
    self->op_done_ = true;
    if (self->issuing_) return;  // the issuer picks the result up when the call returns
    keep.emplace(std::move(*self->pending_));
    self->pending_.reset();
  }
  // Never continue inline: this may run inside Irp::cancel() on the timer's strand, or
  // deep in another completion. The strand serialises the machine with its timer.
  // (Out of memory for the handler ends the process: noexcept. The machine cannot be
  // resumed safely from here.)
  const Strand strand = self->manager_->strand;
  boost::asio::post(strand, [k = std::move(*keep)]() mutable { k->run(true); });
}

void ConnectionState::on_timer(std::uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    if (generation != generation_ || phase_ != Phase::connect || op_done_ || !pending_) return;
    timed_out_ = true;
  }
  // No new call can be issued on op_irp_ before this returns: continuations run on this
  // strand. A connect completing meanwhile makes the cancel a no-op.
  op_irp_.cancel();
}

void ConnectionState::choose_next() {
  std::lock_guard lock(mutex_);
  if (closed_) {
    phase_ = Phase::closed;
    return;
  }
  if (next_index_ >= plan_.size()) {
    phase_ = Phase::failed;
    if (code_ == 0) code_ = make_code(Error::no_mxs_reachable);
    return;
  }
  if (next_index_ > 0 && Clock::now() >= deadline_) {
    code_ = make_code(Error::connect_timeout);
    phase_ = Phase::failed;
    return;
  }
  current_ = plan_[next_index_++];
  AttemptRecord r;
  r.mx = current_.mx;
  r.preference = current_.preference;
  r.destination = current_.destination;
  attempts_.push_back(std::move(r));
  ++generation_;
  timed_out_ = false;
  option_index_ = 0;
  phase_ = Phase::create;
}

void ConnectionState::run_hooks() {
  Socket socket;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      close_then(After::closed);
      return;
    }
    socket = socket_;
  }
  auto& chain = hooks::connection_post_bind();
  int result = 0;
  NTSTATUS failure = status::success;
  if (!chain.empty()) {
    native_handle_t handle = -1;
    failure = socket.native_handle(&handle);
    // The seed's hook takes `int fd`; a SOCKET wider than that cannot be handed over.
    if (failure == status::success && (handle < INT_MIN || handle > INT_MAX)) {
      failure = status::invalid_handle;
    }
    if (failure == status::success) {
      alignas(std::max_align_t) unsigned char native[Address::max_native_size];
      const std::size_t length = current_.destination.to_native(native, sizeof native);
      hooks::PostBindContext context;
      context.domain = domain_.get();
      context.binding_slot = slot_;
      context.handle = handle;
      context.fd = static_cast<int>(handle);
      context.socket = &socket;
      context.destination = current_.destination;
      context.native_address = reinterpret_cast<::sockaddr*>(native);
      context.native_length = static_cast<int>(length);
      try {
        result = chain.call(context);
      } catch (...) {
        result = -1;  // a throwing provider vetoes, like a non-zero return
      }
    }
  }
  std::lock_guard lock(mutex_);
  attempts_.back().hook_result = result;
  if (failure != status::success) {
    fail_attempt(Stage::socket, failure, Error::socket);
    close_then(After::fail);
  } else if (result != 0) {
    // A local policy decision: not an MX failure, and no other address is tried.
    fail_attempt(Stage::hook, status::success, Error::hook_abort);
    close_then(After::fail);
  } else if (closed_) {
    close_then(After::closed);
  } else {
    phase_ = Phase::connect;
  }
}

void ConnectionState::handle_result() {
  std::lock_guard lock(mutex_);
  const NTSTATUS s = op_status_;
  switch (phase_) {
    case Phase::create:
      if (s != status::success) {
        fail_attempt(Stage::socket, s, Error::socket);
        close_then(After::fail);
        return;
      }
      socket_ = manager_->provider.socket_from(op_info_);
      if (closed_) {
        close_then(After::closed);
      } else {
        phase_ = manager_->options.socket_options.empty() ? Phase::bind : Phase::option;
      }
      return;
    case Phase::option:
      if (s != status::success) {
        fail_attempt(Stage::options, s, Error::ioctl);
        close_then(After::fail);
      } else if (closed_) {
        close_then(After::closed);
      } else if (++option_index_ >= manager_->options.socket_options.size()) {
        phase_ = Phase::bind;
      }
      return;
    case Phase::bind:
      if (s != status::success) {
        // EADDRNOTAVAIL: the slot's address is not on this host (unplumbed).
        if (s == status::invalid_address_component) manager_->set_plumbed(slot_, false);
        fail_attempt(Stage::bind, s, Error::bind);
        close_then(After::fail);
        return;
      }
      manager_->set_plumbed(slot_, true);
      if (closed_) {
        close_then(After::closed);
      } else {
        phase_ = Phase::local;
      }
      return;
    case Phase::local:
      if (s == status::success) attempts_.back().source = local_;
      if (closed_) {
        close_then(After::closed);
      } else {
        phase_ = Phase::hook;
      }
      return;
    case Phase::connect: {
      timer_.cancel();
      auto& record = attempts_.back();
      if (closed_) {
        record.stage = Stage::cancelled;
        record.status = s;
        close_then(After::closed);
        return;
      }
      if (s == status::success) {
        record.stage = Stage::connected;
        code_ = 0;  // earlier addresses' failures do not describe the connection
        remote_ = current_.destination;
        domain_->record_success(current_);
        phase_ = Phase::established;
        return;
      }
      const bool timed_out = (s == status::cancelled && timed_out_) || s == status::io_timeout;
      const Error e = timed_out ? Error::connect_timeout : classify_connect_status(s);
      // Momentum: refused or unreachable marks the MX bad and moves on at once. Other
      // failures (the provider shut down...) say nothing about the host: stop there.
      const bool remote = timed_out || e == Error::connect_network ||
                          s == status::connection_refused || s == status::connection_reset ||
                          s == status::connection_aborted;
      fail_attempt(Stage::connect, s, e);
      if (remote) {
        domain_->record_failure(current_, Clock::now() + manager_->options.host_failure_retry);
      }
      const bool go_on = remote && (!timed_out || manager_->options.next_address_on_timeout);
      close_then(go_on ? After::next : After::fail);
      return;
    }
    case Phase::close_socket:
      socket_ = Socket{};
      close_then(after_);
      return;
    default:
      return;
  }
}

void ConnectionState::close_then(After after) {
  if (closed_) after = After::closed;
  if (socket_) {
    after_ = after;
    phase_ = Phase::close_socket;
    return;
  }
  phase_ = after == After::next   ? Phase::next
           : after == After::fail ? Phase::failed
                                  : Phase::closed;
}

void ConnectionState::fail_attempt(Stage stage, NTSTATUS status, Error error) {
  auto& record = attempts_.back();
  record.stage = stage;
  record.status = status;
  record.code = make_code(error);
  code_ = record.code;
}

void ConnectionState::release_limits() noexcept {
  if (!reserved_) return;
  reserved_ = false;
  domain_->release(slot_);
  manager_->release_slot(slot_);
}

}  // namespace wskport::connection::detail
