// SPDX-License-Identifier: MIT
// The C surface of connection.h: a thin layer over the C++ API. Nothing here may let a
// C++ exception reach a C caller, hence the catch-alls that turn them into codes.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <utility>

#include "common/connection/state.hpp"
#include "wskport/address.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/momentum/connection.h"
#include "wskport/provider.hpp"

struct connection_manager {
  std::unique_ptr<wskport::Provider> provider;
  std::shared_ptr<wskport::connection::StaticMxResolver> mx;
  std::unique_ptr<wskport::connection::ConnectionManager> manager;
};

namespace {

namespace conn = wskport::connection;
using conn::detail::ConnectionState;

void set_error(int* error, int code) noexcept {
  if (error != nullptr) *error = code;
}

bool usable(const char* s) noexcept { return s != nullptr && *s != '\0'; }

conn::Domain domain_of(const domain_record* dr) {
  return conn::Domain::from(const_cast<domain_record*>(dr));
}

}  // namespace

extern "C" {

void connection_manager_options_init(connection_manager_options* o) {
  if (o == nullptr) return;
  const conn::ManagerOptions d;
  o->threads = 1;
  o->connect_timeout_ms = static_cast<unsigned>(d.connect_timeout.count());
  o->overall_timeout_ms = static_cast<unsigned>(d.overall_timeout.count());
  o->host_failure_retry_ms = static_cast<unsigned>(d.host_failure_retry.count());
  o->next_address_on_timeout = d.next_address_on_timeout ? 1 : 0;
  o->max_outbound_connections = static_cast<unsigned>(d.max_outbound_connections);
  o->max_outbound_connections_per_binding =
      static_cast<unsigned>(d.max_outbound_connections_per_binding);
  o->default_port = d.default_port;
}

connection_manager* connection_manager_create(const connection_manager_options* options,
                                              int* error) {
  connection_manager_options o;
  connection_manager_options_init(&o);
  if (options != nullptr) o = *options;
  if (o.threads == 0 || o.connect_timeout_ms == 0) {
    set_error(error, CONN_ERR_INVALID);
    return nullptr;
  }
  try {
    auto m = std::make_unique<connection_manager>();
    wskport::ProviderOptions po;
    po.threads = o.threads;
    m->provider = wskport::Provider::create(po);
    if (!m->provider) {
      set_error(error, CONN_ERR_SOCKET);
      return nullptr;
    }
    conn::ManagerOptions mo;
    mo.connect_timeout = std::chrono::milliseconds(o.connect_timeout_ms);
    mo.overall_timeout = std::chrono::milliseconds(o.overall_timeout_ms);
    mo.host_failure_retry = std::chrono::milliseconds(o.host_failure_retry_ms);
    mo.next_address_on_timeout = o.next_address_on_timeout != 0;
    mo.max_outbound_connections = o.max_outbound_connections;
    mo.max_outbound_connections_per_binding = o.max_outbound_connections_per_binding;
    mo.default_port = o.default_port;
    m->mx = std::make_shared<conn::StaticMxResolver>();
    m->manager = std::make_unique<conn::ConnectionManager>(*m->provider, m->mx, std::move(mo));
    set_error(error, CONN_ERR_NONE);
    return m.release();
  } catch (const std::bad_alloc&) {
    set_error(error, CONN_ERR_SOCKET);
    return nullptr;
  }
}

void connection_manager_destroy(connection_manager* m) {
  if (m == nullptr) return;
  m->manager.reset();  // closes what is open and waits for it
  m->provider.reset();
  delete m;
}

int connection_manager_add_mx(connection_manager* m, const char* domain, const char* host,
                              int preference, int port) {
  if (m == nullptr || !usable(domain) || !usable(host) || preference < 0 || preference > 65535 ||
      port < 0 || port > 65535) {
    return CONN_ERR_INVALID;
  }
  try {
    m->mx->add(domain, conn::MxHost{host, static_cast<std::uint16_t>(preference),
                                    static_cast<std::uint16_t>(port)});
  } catch (const std::bad_alloc&) {
    return CONN_ERR_INVALID;
  }
  return CONN_ERR_NONE;
}

unsigned long connection_manager_open_sockets(const connection_manager* m) {
  return m == nullptr ? 0UL : static_cast<unsigned long>(m->provider->open_sockets());
}

unsigned long connection_manager_live_connections(const connection_manager* m) {
  return m == nullptr ? 0UL : static_cast<unsigned long>(m->manager->live_connections());
}

int binding_add(connection_manager* m, const char* binding, const char* source,
                unsigned max_connections) {
  if (m == nullptr || !usable(binding) || !usable(source)) return -1;
  wskport::Address address;
  if (std::string_view(source) != "*" &&
      wskport::Address::parse(source, address) != wskport::status::success) {
    return -1;
  }
  try {
    return m->manager->add_binding(binding, address, max_connections);
  } catch (const std::bad_alloc&) {
    return -1;
  }
}

int binding_find(const connection_manager* m, const char* binding, int family) {
  if (m == nullptr || !usable(binding)) return -1;
  const auto f = family == 4   ? wskport::AddressFamily::ipv4
                 : family == 6 ? wskport::AddressFamily::ipv6
                               : wskport::AddressFamily::unix_domain;
  if (f == wskport::AddressFamily::unix_domain) return -1;
  return m->manager->find_binding_slot(binding, f);
}

int binding_is_plumbed(const connection_manager* m, int binding_slot) {
  if (m == nullptr) return -1;
  try {
    const auto info = m->manager->binding_slot(binding_slot);
    if (!info) return -1;
    return info->plumbed ? 1 : 0;
  } catch (const std::bad_alloc&) {
    return -1;
  }
}

domain_record* domain_record_get(connection_manager* m, const char* domain) {
  if (m == nullptr || !usable(domain)) return nullptr;
  try {
    return m->manager->domain(domain).c_record();
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

int domain_record_resolve(domain_record* dr, domain_resolve_func done, void* closure) {
  if (dr == nullptr) return CONN_ERR_INVALID;
  try {
    std::function<void(int)> f;
    if (done != nullptr) f = [dr, done, closure](int code) { done(dr, code, closure); };
    domain_of(dr).resolve(std::move(f));
  } catch (const std::bad_alloc&) {
    return CONN_ERR_INVALID;
  }
  return CONN_ERR_NONE;
}

int domain_record_resolve_wait(domain_record* dr, unsigned timeout_ms) {
  if (dr == nullptr) return CONN_ERR_INVALID;
  // Shared with the callback, which may run after this gave up waiting.
  struct Waiter {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    int code = 0;
  };
  try {
    auto w = std::make_shared<Waiter>();
    domain_of(dr).resolve([w](int code) {
      std::lock_guard lock(w->mutex);
      w->done = true;
      w->code = code;
      w->cv.notify_all();
    });
    std::unique_lock lock(w->mutex);
    if (!w->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return w->done; })) {
      return CONN_ERR_MX_LOOKUP_PENDING;
    }
    return w->code;
  } catch (const std::bad_alloc&) {
    return CONN_ERR_INVALID;
  }
}

void domain_record_set_limits(domain_record* dr, unsigned max_connections,
                              unsigned max_per_binding) {
  if (dr == nullptr) return;
  domain_of(dr).set_limits(max_connections, max_per_binding);
}

unsigned domain_record_open_connections(const domain_record* dr) {
  return dr == nullptr ? 0U : static_cast<unsigned>(domain_of(dr).open_connections());
}

int domain_record_mx_count(const domain_record* dr) {
  if (dr == nullptr) return 0;
  std::lock_guard lock(dr->mutex);
  return static_cast<int>(dr->mx.size());
}

unsigned long domain_record_mx_failures(const domain_record* dr, int mx_index) {
  if (dr == nullptr || mx_index < 0) return 0;
  std::lock_guard lock(dr->mutex);
  const auto i = static_cast<std::size_t>(mx_index);
  return i < dr->mx.size() ? static_cast<unsigned long>(dr->mx[i].consecutive_failures) : 0UL;
}

int domain_record_mx_failures_exceeded(const domain_record* dr, unsigned threshold) {
  return dr != nullptr && domain_of(dr).mx_failures_exceeded(threshold) ? 1 : 0;
}

void domain_record_delay(domain_record* dr, unsigned long delay_ms) {
  if (dr == nullptr) return;
  domain_of(dr).delay_until(delay_ms == 0
                                ? conn::Clock::time_point{}
                                : conn::Clock::now() + std::chrono::milliseconds(delay_ms));
}

unsigned long domain_record_delayed_ms(const domain_record* dr) {
  if (dr == nullptr) return 0;
  const auto left = domain_of(dr).delayed_until() - conn::Clock::now();
  if (left <= conn::Clock::duration::zero()) return 0;
  // Rounded up: a delay still running never reads as 0.
  return static_cast<unsigned long>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

connection_handle* initiate_connection(domain_record* dr, int binding, struct timeval* /*now*/,
                                       EventFunc finish_connect_func, EventFunc timeout_func,
                                       void* user_data, int* error) {
  const auto manager = dr != nullptr ? dr->manager.lock() : nullptr;
  if (!manager) {
    set_error(error, CONN_ERR_INVALID);
    return nullptr;
  }
  try {
    conn::ConnectCallbacks callbacks;
    if (finish_connect_func != nullptr) {
      callbacks.finish = [finish_connect_func](conn::Connection c) {
        (void)finish_connect_func(nullptr, c.connected() ? E_WRITE : E_EXCEPTION, c.c_handle(),
                                  nullptr);
      };
    }
    if (timeout_func != nullptr) {
      callbacks.timeout = [timeout_func](conn::Connection c) {
        (void)timeout_func(nullptr, E_TIMEOUT, c.c_handle(), nullptr);
      };
    }
    std::shared_ptr<ConnectionState> state;
    const int code = conn::detail::initiate(manager, *dr, binding, std::move(callbacks), user_data,
                                            /*for_c=*/true, state);
    set_error(error, code);
    return code == 0 ? state->c_handle() : nullptr;
  } catch (const std::bad_alloc&) {
    set_error(error, CONN_ERR_SOCKET);
    return nullptr;
  }
}

int connection_handle_error(const connection_handle* h) {
  const auto* s = ConnectionState::from_c(h);
  return s == nullptr ? CONN_ERR_INVALID : s->code();
}

int connection_handle_connected(const connection_handle* h) {
  const auto* s = ConnectionState::from_c(h);
  return s != nullptr && s->connected() ? 1 : 0;
}

int connection_handle_fd(const connection_handle* h) {
  const auto* s = ConnectionState::from_c(h);
  if (s == nullptr) return -1;
  wskport::native_handle_t handle = -1;
  if (s->socket().native_handle(&handle) != wskport::status::success) return -1;
  if (handle < 0 || handle > INT_MAX) return -1;
  return static_cast<int>(handle);
}

int connection_handle_wait(connection_handle* h, unsigned timeout_ms) {
  auto* s = ConnectionState::from_c(h);
  return s != nullptr && s->wait(std::chrono::milliseconds(timeout_ms)) ? 1 : 0;
}

void connection_handle_close(connection_handle* h) { conn::ConnectionHandle::adopt(h).close(); }

}  // extern "C"
