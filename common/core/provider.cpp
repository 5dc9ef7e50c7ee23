// SPDX-License-Identifier: MIT
// Provider life cycle: backend selection, threads, registration, forced shutdown.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <new>

#include "common/core/completion.hpp"
#include "common/core/provider_core.hpp"

namespace wskport {
namespace detail {

ProviderCore::ProviderCore(const ProviderOptions& options)
    : work_(boost::asio::make_work_guard(io_)),
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
    threads_.reserve(options.threads);
    for (unsigned i = 0; i < options.threads; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
  } catch (...) {
    init_status_ = status::insufficient_resources;
  }
}

ProviderCore::~ProviderCore() {
  shutdown();
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
  for (auto& s : sockets) {
    IrpList done;
    {
      std::lock_guard lock(s->mutex);
      if (s->forced || s->closing) continue;
      s->forced = true;
      backend_->teardown(*s, status::file_forced_closed, done);
    }
    done.complete_all();
  }
}

}  // namespace detail

std::vector<std::string_view> available_backends() {
  return {detail::native_backend_name()};
}

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

Provider::Provider(std::unique_ptr<detail::ProviderCore> core) noexcept
    : core_(std::move(core)) {}

Provider::~Provider() = default;

NTSTATUS Provider::create_socket(AddressFamily family, SocketType type, Protocol protocol,
                                 Category category, Irp* irp) noexcept {
  return core_->create_socket({family, type, protocol, category}, irp);
}

void Provider::shutdown() noexcept { core_->shutdown(); }
std::size_t Provider::open_sockets() const noexcept { return core_->open_sockets(); }
std::size_t Provider::outstanding_irps() const noexcept { return core_->outstanding_irps(); }
std::string_view Provider::backend_name() const noexcept { return core_->backend().name(); }
boost::asio::io_context& Provider::io_context() noexcept { return core_->io(); }

}  // namespace wskport
