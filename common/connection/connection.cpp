// SPDX-License-Identifier: MIT
// A connection's life after its plan: the one callback, the user's close (cancel the
// attempt or close the socket), shutdown's forced close; the public views
// (Connection, ConnectionHandle); and the names and classes of the result codes.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/connection/state.hpp"
#include "wskport/connection/manager.hpp"

namespace wskport::connection {
namespace detail {

void ConnectionState::deliver() {
  {
    std::lock_guard lock(mutex_);
    if (initiating_) {
      // initiate has not returned the handle yet: it posts the callback when it does.
      deferred_ = true;
      return;
    }
    if (closed_) {
      delivered_ = true;
      cv_.notify_all();
      return;
    }
  }
  manager_->post([self = shared_from_this()] { self->invoke_callback(); });
}

void ConnectionState::invoke_callback() {
  const std::function<void(Connection)>* callback = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || delivered_) {
      delivered_ = true;
      cv_.notify_all();
      return;
    }
    const bool timed_out = phase_ == Phase::failed && error_of(code_) == Error::connect_timeout;
    callback = timed_out ? &callbacks_.timeout : &callbacks_.finish;
    callback_running_ = true;
    callback_thread_ = std::this_thread::get_id();
  }
  if (*callback) {
    try {
      (*callback)(Connection(this));
    } catch (...) {
      // Callbacks must not throw; there is nobody to report it to on the strand.
    }
  }
  std::lock_guard lock(mutex_);
  callback_running_ = false;
  delivered_ = true;
  cv_.notify_all();
}

void ConnectionState::close() {
  {
    std::unique_lock lock(mutex_);
    if (closed_) return;
    closed_ = true;
    // The place in the limits goes at once: a caller that closes and initiates again
    // gets it, although the socket's close completes a little later.
    release_limits();
    // From that very callback: it is our caller, do not wait for it.
    if (callback_running_ && callback_thread_ != std::this_thread::get_id()) {
      cv_.wait(lock, [&] { return !callback_running_; });
    }
  }
  // After shutdown the forced close already tore everything down.
  (void)manager_->try_post([self = shared_from_this()] { self->teardown(); });
}

void ConnectionState::force_close() {
  const auto hold = drop_c_hold();
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  manager_->post([self = shared_from_this()] { self->teardown(); });
}

void ConnectionState::teardown() {
  std::unique_lock lock(mutex_);
  if (phase_ == Phase::established) {
    close_then(After::closed);
    lock.unlock();
    run(false);
    return;
  }
  // A pending connect is cancelled; its continuation sees closed_ and closes the
  // socket. Other steps complete on their own and reach the same check.
  const bool cancel = phase_ == Phase::connect && pending_.has_value() && !op_done_;
  lock.unlock();
  if (cancel) op_irp_.cancel();
}

bool ConnectionState::wait(std::chrono::milliseconds bound) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, bound, [&] { return delivered_ && !callback_running_; });
}

int ConnectionState::code() const {
  std::lock_guard lock(mutex_);
  return code_;
}

bool ConnectionState::connected() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::established;
}

bool ConnectionState::finished() const {
  std::lock_guard lock(mutex_);
  return closed_ || phase_ == Phase::established || phase_ == Phase::failed ||
         phase_ == Phase::closed;
}

Socket ConnectionState::socket() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::established ? socket_ : Socket{};
}

Address ConnectionState::local_address() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::established && !attempts_.empty() ? attempts_.back().source : Address{};
}

Address ConnectionState::remote_address() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::established ? remote_ : Address{};
}

std::vector<AttemptRecord> ConnectionState::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

void ConnectionState::hold_for_c(std::shared_ptr<ConnectionState> self) {
  std::lock_guard lock(mutex_);
  c_hold_ = std::move(self);
}

std::shared_ptr<ConnectionState> ConnectionState::drop_c_hold() noexcept {
  std::lock_guard lock(mutex_);
  return std::exchange(c_hold_, nullptr);
}

}  // namespace detail

int Connection::code() const { return state_->code(); }
bool Connection::connected() const { return state_->connected(); }
bool Connection::finished() const { return state_->finished(); }
Socket Connection::socket() const { return state_->socket(); }
Address Connection::local_address() const { return state_->local_address(); }
Address Connection::remote_address() const { return state_->remote_address(); }
int Connection::binding_slot() const { return state_->binding_slot(); }
Domain Connection::domain() const { return Domain::from(state_->domain().get()); }
void* Connection::user_data() const { return state_->user_data(); }
std::vector<AttemptRecord> Connection::attempts() const { return state_->attempts(); }
::connection_handle* Connection::c_handle() const { return state_->c_handle(); }

ConnectionHandle::ConnectionHandle(std::shared_ptr<detail::ConnectionState> state) noexcept
    : state_(std::move(state)), view_(state_.get()) {}

ConnectionHandle::ConnectionHandle(ConnectionHandle&& other) noexcept
    : state_(std::move(other.state_)), view_(std::exchange(other.view_, Connection{})) {}

ConnectionHandle& ConnectionHandle::operator=(ConnectionHandle&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
    view_ = std::exchange(other.view_, Connection{});
  }
  return *this;
}

ConnectionHandle::~ConnectionHandle() { close(); }

bool ConnectionHandle::wait(std::chrono::milliseconds bound) const {
  return state_ == nullptr || state_->wait(bound);
}

void ConnectionHandle::close() {
  if (!state_) return;
  state_->close();
  state_.reset();
  view_ = Connection{};
}

::connection_handle* ConnectionHandle::release_to_c() noexcept {
  if (!state_) return nullptr;
  ::connection_handle* h = state_->c_handle();
  state_->hold_for_c(std::move(state_));
  view_ = Connection{};
  return h;
}

ConnectionHandle ConnectionHandle::adopt(::connection_handle* handle) noexcept {
  auto* state = detail::ConnectionState::from_c(handle);
  if (state == nullptr) return {};
  return ConnectionHandle(state->drop_c_hold());
}

std::string_view error_name(int code) noexcept {
  switch (error_of(code)) {
    case Error::none:
      return "CONN_ERR_NONE";
    case Error::mx_lookup_failed:
      return "CONN_ERR_MX_LOOKUP_FAILED";
    case Error::mx_lookup_pending:
      return "CONN_ERR_MX_LOOKUP_PENDING";
    case Error::smtp_null_mx:
      return "CONN_ERR_SMTP_NULL_MX";
    case Error::no_mxs_reachable:
      return "CONN_ERR_NO_MXS_REACHABLE";
    case Error::prohibited_ip:
      return "CONN_ERR_PROHIBITED_IP";
    case Error::host_max_reached:
      return "CONN_ERR_HOST_MAX_REACHED";
    case Error::socket:
      return "CONN_ERR_SOCKET";
    case Error::ioctl:
      return "CONN_ERR_IOCTL";
    case Error::bind:
      return "CONN_ERR_BIND";
    case Error::connect:
      return "CONN_ERR_CONNECT";
    case Error::connect_network:
      return "CONN_ERR_CONNECT_NETWORK";
    case Error::connect_timeout:
      return "CONN_ERR_CONNECT_TIMEOUT";
    case Error::hook_abort:
      return "CONN_ERR_HOOK_ABORT";
    case Error::invalid:
      return "CONN_ERR_INVALID";
  }
  return "CONN_ERR_UNKNOWN";
}

Error classify_connect_status(NTSTATUS s) noexcept {
  if (s == status::success) return Error::none;
  if (s == status::io_timeout) return Error::connect_timeout;
  if (s == status::network_unreachable || s == status::host_unreachable ||
      s == status::protocol_unreachable || s == status::port_unreachable) {
    return Error::connect_network;
  }
  return Error::connect;
}

}  // namespace wskport::connection

extern "C" const char* conn_error_name(int code) {
  // Every name is a string literal, so data() is NUL-terminated.
  return wskport::connection::error_name(code).data();
}
