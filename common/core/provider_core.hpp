// SPDX-License-Identifier: MIT
// The provider's shared half: the event loop and its threads, the handle table, the
// accounting behind the teardown checks, and the front end that validates each call
// before the backend sees it (libuv's uv_tcp_bind -> uv__tcp_bind split).
#pragma once

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "common/core/backend.hpp"
#include "common/core/socket_impl.hpp"
#include "common/core/spin_lock.hpp"
#include "common/core/timer_queue.hpp"
#include "wskport/provider.hpp"

namespace wskport::detail {

/// The handle table's lock: every socket call takes it once for a lookup of a few loads.
using TableLock = SpinLock;

/// Socket ids: index + generation, so a stale or invented id is found out without
/// touching freed memory. Guarded by one lock; lookups take a reference.
class HandleTable {
 public:
  /// Registers @p s (adds a reference) and returns its id, or 0 when full.
  std::uintptr_t insert(SocketImpl* s) noexcept;
  /// A referenced socket for @p id, or null for a stale or invalid id.
  SocketRef find(std::uintptr_t id) noexcept;
  /// Removes @p id; returns the table's reference (null if absent).
  SocketRef remove(std::uintptr_t id) noexcept;
  /// Every registered socket, referenced.
  std::vector<SocketRef> snapshot();
  /// Drops every entry (provider destruction).
  std::vector<SocketRef> clear();

 private:
  struct Slot {
    SocketImpl* socket = nullptr;
    std::uint32_t generation = 1;
  };
  TableLock mutex_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
};

/// Buffers as a call received them: a caller-owned array, or (single-buffer
/// overloads) one descriptor the front end copies into the IRP.
template <class B>
struct BufferArgs {
  const B* array = nullptr;
  std::size_t count = 0;
  const B* single = nullptr;
};

/// An accepted call: owns the IRP's acceptance and its inline completion.
class Call {
 public:
  Call(ProviderCore& core, Irp* irp, OpKind kind) noexcept;
  /// True when the IRP was refused (null or still pending): nothing was completed.
  [[nodiscard]] bool refused() const noexcept { return irp_ == nullptr; }
  [[nodiscard]] Irp& irp() const noexcept { return *irp_; }
  /// Completes now (or, past the inline depth limit, from a provider thread) and
  /// returns what the caller should return.
  NTSTATUS complete(NTSTATUS status, std::uintptr_t information = 0) noexcept;
  /// Completes for Start::done, or returns pending for Start::queued.
  NTSTATUS finish(const Start& start) noexcept;

 private:
  ProviderCore& core_;
  Irp* irp_;
};

class ProviderCore {
 public:
  /// Builds the engine `choose_engine(options)` picks and starts the threads; check
  /// `status()`.
  explicit ProviderCore(const ProviderOptions& options);
  ~ProviderCore();
  [[nodiscard]] NTSTATUS status() const noexcept { return init_status_; }

  Backend& backend() noexcept { return *backend_; }
  /// The registry name of the engine ("epoll"), never an alias.
  [[nodiscard]] std::string_view engine_name() const noexcept { return engine_name_; }
  boost::asio::io_context& io() noexcept { return io_; }
  HandleTable& table() noexcept { return table_; }
  [[nodiscard]] unsigned max_inline_depth() const noexcept { return max_inline_depth_; }
  [[nodiscard]] bool is_shut_down() const noexcept {
    return shut_down_.load(std::memory_order_acquire);
  }

  /// Registers a socket made by the backend (create or accept). Returns its id, or 0.
  std::uintptr_t register_socket(SocketImpl* s) noexcept;

  void irp_accepted() noexcept { outstanding_irps_.fetch_add(1, std::memory_order_relaxed); }
  void irp_finished() noexcept { outstanding_irps_.fetch_sub(1, std::memory_order_acq_rel); }
  void socket_opened() noexcept { open_sockets_.fetch_add(1, std::memory_order_relaxed); }
  void socket_closed() noexcept { open_sockets_.fetch_sub(1, std::memory_order_acq_rel); }
  [[nodiscard]] std::size_t outstanding_irps() const noexcept { return outstanding_irps_.load(); }
  [[nodiscard]] std::size_t open_sockets() const noexcept { return open_sockets_.load(); }

  /// Posts @p irp's completion to a provider thread (inline depth exceeded).
  void post_completion(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept;

  // Front end (frontend_*.cpp). Each public call fills the IRP's op block and takes
  // the one path (issue, frontend.hpp): accept the IRP, look up the socket, check the
  // call under the socket's lock, submit to the engine, complete or pend.
  NTSTATUS create_socket(const SocketParams& params, Irp* irp) noexcept;
  NTSTATUS bind(std::uintptr_t id, const Address* local, NTSTATUS address_status,
                Irp* irp) noexcept;
  NTSTATUS listen(std::uintptr_t id, Irp* irp) noexcept;
  NTSTATUS accept(std::uintptr_t id, Address* local, Address* remote, Irp* irp) noexcept;
  NTSTATUS connect(std::uintptr_t id, const Address* remote, NTSTATUS address_status,
                   Irp* irp) noexcept;
  NTSTATUS send(std::uintptr_t id, BufferArgs<ConstBuffer> buffers, unsigned flags,
                Irp* irp) noexcept;
  NTSTATUS receive(std::uintptr_t id, BufferArgs<MutableBuffer> buffers, unsigned flags,
                   Irp* irp) noexcept;
  NTSTATUS send_to(std::uintptr_t id, BufferArgs<ConstBuffer> buffers, const Address* remote,
                   Irp* irp) noexcept;
  NTSTATUS receive_from(std::uintptr_t id, BufferArgs<MutableBuffer> buffers, Address* remote,
                        unsigned* control_flags, Irp* irp) noexcept;
  NTSTATUS disconnect(std::uintptr_t id, BufferArgs<ConstBuffer> buffers, unsigned flags,
                      Irp* irp) noexcept;
  NTSTATUS close(std::uintptr_t id, Irp* irp) noexcept;
  NTSTATUS local_address(std::uintptr_t id, Address* out, Irp* irp) noexcept;
  NTSTATUS remote_address(std::uintptr_t id, Address* out, Irp* irp) noexcept;
  NTSTATUS set_option(std::uintptr_t id, SocketOption option, std::uint32_t value,
                      Irp* irp) noexcept;
  NTSTATUS get_option(std::uintptr_t id, SocketOption option, Irp* irp) noexcept;
  NTSTATUS native_handle(std::uintptr_t id, native_handle_t* out) noexcept;

  NTSTATUS resolve(std::string_view node, std::uint16_t port, AddressFamily family,
                   std::vector<Address>* out, Irp* irp) noexcept;
  NTSTATUS lookup_name(const Address& address, unsigned flags, std::string* host,
                       std::string* service, Irp* irp) noexcept;

  // Provider::start_timer / Provider::post (provider_timers.cpp).
  NTSTATUS start_timer(std::chrono::nanoseconds delay, Irp* irp) noexcept;
  NTSTATUS post(Irp* irp) noexcept;

  /// Runs @p job on the blocking-work pool (throws on allocation failure).
  void post_blocking(std::function<void()> job);

  /// Forced teardown of every socket (Provider::shutdown).
  void shutdown() noexcept;

  /// Verifier (leaks): reports sockets never closed and IRPs never completed.
  void check_leaks() noexcept;

 private:
  template <OpKind Kind, class Check, class After>
  NTSTATUS issue(std::uintptr_t id, Irp* irp, Check&& check, After&& after) noexcept;

  // The event loop outlives the backend (whose sockets hold reactor registrations)
  // and the threads; members are destroyed in reverse order.
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  TimerQueue timers_{io_};
  std::unique_ptr<Backend> backend_;
  std::string_view engine_name_;  // the registry entry's, which lives as long as the program
  std::vector<std::thread> threads_;
  NTSTATUS init_status_ = status::success;
  // Blocking work (name resolution) runs here, never on the event loop. Made on first
  // use; joined before the event loop stops.
  std::mutex blocking_mutex_;
  std::unique_ptr<boost::asio::thread_pool> blocking_;
  HandleTable table_;
  unsigned max_inline_depth_;
  std::atomic<bool> shut_down_{false};
  std::atomic<std::size_t> outstanding_irps_{0};
  std::atomic<std::size_t> open_sockets_{0};
};

}  // namespace wskport::detail
