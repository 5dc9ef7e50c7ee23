// SPDX-License-Identifier: MIT
// Provider life cycle: backend selection, threads, registration, forced shutdown.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <new>
#include <string>
#include <thread>

#include "common/core/completion.hpp"
#include "common/core/fault_injection.hpp"
#include "common/core/provider_core.hpp"
#include "common/core/verifier.hpp"

namespace wskport {
namespace detail {

// One provider thread: tell Asio, so that completions a handler queues go on the running
// thread's private queue instead of taking the scheduler's mutex and waking no one. The
// hint still locks (callers on other threads may post and start waits); it only promises
// that one thread runs the loop, which holds: the provider's threads are the only ones.
ProviderCore::ProviderCore(const ProviderOptions& options)
    : io_(options.threads == 1 ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT),
      work_(boost::asio::make_work_guard(io_)),
      max_inline_depth_(options.max_inline_depth) {
  if (options.threads == 0) {
    init_status_ = status::invalid_parameter;
    return;
  }
  try {
    backend_ = make_backend(options.backend, io_);
    if (!backend_) {
      init_status_ = status::not_supported;
      return;
    }
    // Only a provider created while a fault script is installed pays for the wrapper.
    if (faults::active()) backend_ = make_fault_backend(std::move(backend_), io_);
    threads_.reserve(options.threads);
    for (unsigned i = 0; i < options.threads; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
  } catch (...) {
    init_status_ = status::insufficient_resources;
  }
}

ProviderCore::~ProviderCore() {
  if (verifier::on(verifier::check::leaks)) check_leaks();
  shutdown();
  // Lookups cannot be interrupted; their completions still go through the funnel.
  // Not joined under the mutex: a lookup's routine may call resolve(), which takes it
  // (and then answers file_forced_closed).
  boost::asio::thread_pool* blocking = nullptr;
  {
    std::lock_guard lock(blocking_mutex_);
    blocking = blocking_.get();
  }
  if (blocking != nullptr) blocking->join();
  // Teardown cancelled every reactor wait, so once the work guard is gone run()
  // returns after the last cancelled handler has released its socket.
  work_.reset();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  // Sockets the caller never closed: drop the table's references while the event
  // loop (and its reactor registrations) still exists.
  table_.clear();
}

// WskDeregister's rule in user mode: every socket closed and every IRP completed
// before the provider goes. Checked before the forced teardown, which would otherwise
// complete what is pending and hide it.
void ProviderCore::check_leaks() noexcept {
  if (!nt_success(init_status_)) return;
  std::vector<std::uintptr_t> ids;
  try {
    for (const auto& s : table_.snapshot()) ids.push_back(s->id);
  } catch (...) {
    ids.clear();  // out of memory: the counts below still tell
  }
  // Completions run on provider threads just after a routine returns: let the last
  // ones through before judging (bounded, as the harness waits).
  for (int i = 0; i < 200 && ids.empty() && outstanding_irps() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  verifier::check_teardown(ids.data(), ids.size(), outstanding_irps(), "provider");
}

std::uintptr_t ProviderCore::register_socket(SocketImpl* s) noexcept {
  const auto id = table_.insert(s);
  if (id != 0) {
    s->id = id;
    socket_opened();
  }
  return id;
}

void ProviderCore::shutdown() noexcept {
  // The flag alone decides who tears down: completion routines run below and must not
  // run under a library lock.
  if (shut_down_.exchange(true, std::memory_order_acq_rel)) return;
  std::vector<SocketRef> sockets;
  try {
    sockets = table_.snapshot();
  } catch (...) {
    // Out of memory while taking the snapshot: nothing can be torn down safely; the
    // sockets stay usable and are closed when the provider is destroyed.
    return;
  }
  // Two passes. First every socket is forced and its pending IRPs are claimed with
  // file_forced_closed, handles still open; only then is any handle closed. Closing one
  // by one instead let the first socket's RST reach its loopback peer's pending receive
  // (or send) as STATUS_CONNECTION_RESET before the teardown reached that peer.
  std::vector<SocketImpl*> forced;
  try {
    forced.reserve(sockets.size());
  } catch (...) {
    return;  // as above: nothing torn down
  }
  for (auto& s : sockets) {
    IrpList done;
    {
      std::lock_guard lock(s->mutex);
      if (s->forced || s->closing) continue;
      s->forced = true;
      backend_->quiesce(*s, status::file_forced_closed, done);
      forced.push_back(s.get());
    }
    done.complete_all();
  }
  for (SocketImpl* s : forced) {
    IrpList done;
    {
      std::lock_guard lock(s->mutex);
      // Closed by its owner since the first pass: that close ended the handle.
      if (s->closing) continue;
      backend_->teardown(*s, status::file_forced_closed, done);
    }
    done.complete_all();
  }
  // "Blocks until the completions have run": a backend whose native calls are still
  // owned by the OS at teardown (Winsock overlapped I/O) completes them on a provider
  // thread when their aborted results arrive, not through `done`. Wait for those; they
  // come promptly, the native handles being closed. The references in `sockets` keep
  // every socket alive meanwhile; a socket its owner is closing drains the same way.
  for (auto& s : sockets) {
    for (;;) {
      {
        std::lock_guard lock(s->mutex);
        if (s->pending == 0) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

NTSTATUS ProviderCore::resolve(std::string_view node, std::uint16_t port, AddressFamily family,
                               std::vector<Address>* out, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::control);
  if (call.refused()) return status::invalid_parameter;
  if (is_shut_down()) return call.complete(status::file_forced_closed);
  if (out == nullptr || node.empty() || node.find('\0') != std::string_view::npos) {
    return call.complete(status::invalid_parameter);
  }
  if (family != AddressFamily::unspecified && family != AddressFamily::ipv4 &&
      family != AddressFamily::ipv6) {
    return call.complete(status::not_supported);
  }
  try {
    Irp* target = &call.irp();
    post_blocking([this, target, name = std::string(node), port, family, out] {
      std::vector<Address> found;
      const NTSTATUS st = backend_->resolve(name, port, family, found);
      const std::size_t count = found.size();
      if (nt_success(st)) *out = std::move(found);
      complete_irp(*target, st, nt_success(st) ? count : 0);
    });
  } catch (...) {
    return call.complete(status::insufficient_resources);
  }
  return status::pending;
}

NTSTATUS ProviderCore::lookup_name(const Address& address, unsigned flags, std::string* host,
                                   std::string* service, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::control);
  if (call.refused()) return status::invalid_parameter;
  if (is_shut_down()) return call.complete(status::file_forced_closed);
  if ((host == nullptr && service == nullptr) || (flags & ~name_flags::all) != 0) {
    return call.complete(status::invalid_parameter);
  }
  if (address.family() != AddressFamily::ipv4 && address.family() != AddressFamily::ipv6) {
    return call.complete(status::invalid_address);
  }
  try {
    Irp* target = &call.irp();
    post_blocking([this, target, address, flags, host, service] {
      std::string h;
      std::string s;
      const NTSTATUS st = backend_->lookup_name(address, flags, host != nullptr ? &h : nullptr,
                                                service != nullptr ? &s : nullptr);
      if (nt_success(st)) {
        if (host != nullptr) *host = std::move(h);
        if (service != nullptr) *service = std::move(s);
      }
      complete_irp(*target, st, 0);
    });
  } catch (...) {
    return call.complete(status::insufficient_resources);
  }
  return status::pending;
}

// The pool is made on first use: most providers never resolve a name. Throws what
// allocation throws.
void ProviderCore::post_blocking(std::function<void()> job) {
  std::lock_guard lock(blocking_mutex_);
  if (!blocking_) blocking_ = std::make_unique<boost::asio::thread_pool>(2);
  boost::asio::post(*blocking_, std::move(job));
}

}  // namespace detail

std::vector<std::string_view> available_backends() { return detail::host_backend_names(); }

std::unique_ptr<Provider> Provider::create(const ProviderOptions& options, NTSTATUS* error) {
  NTSTATUS st = status::success;
  std::unique_ptr<Provider> provider;
  try {
    auto core = std::make_unique<detail::ProviderCore>(options);
    st = core->status();
    if (nt_success(st)) provider.reset(new Provider(std::move(core)));
  } catch (const std::bad_alloc&) {
    st = status::insufficient_resources;
  } catch (...) {
    st = status::unsuccessful;
  }
  if (error != nullptr) *error = st;
  return provider;
}

Provider::Provider(std::unique_ptr<detail::ProviderCore> core) noexcept : core_(std::move(core)) {}

Provider::~Provider() = default;

NTSTATUS Provider::create_socket(AddressFamily family, SocketType type, Protocol protocol,
                                 Category category, Irp* irp) noexcept {
  return core_->create_socket({family, type, protocol, category}, irp);
}

NTSTATUS Provider::resolve(std::string_view node, std::uint16_t port, AddressFamily family,
                           std::vector<Address>* out, Irp* irp) noexcept {
  return core_->resolve(node, port, family, out, irp);
}

NTSTATUS Provider::lookup_name(const Address& address, unsigned flags, std::string* host,
                               std::string* service, Irp* irp) noexcept {
  return core_->lookup_name(address, flags, host, service, irp);
}

void Provider::shutdown() noexcept { core_->shutdown(); }
std::size_t Provider::open_sockets() const noexcept { return core_->open_sockets(); }
std::size_t Provider::outstanding_irps() const noexcept { return core_->outstanding_irps(); }
std::string_view Provider::backend_name() const noexcept { return core_->backend().name(); }
boost::asio::io_context& Provider::io_context() noexcept { return core_->io(); }

}  // namespace wskport
