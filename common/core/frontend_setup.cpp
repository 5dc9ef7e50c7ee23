// SPDX-License-Identifier: MIT
// Front end, synchronous family: create, bind, listen, addresses, options, native
// handle. Each call validates, checks the WSK state machine under the socket's lock,
// calls the backend, and completes the IRP inline.
#include <climits>

#include "common/core/frontend.hpp"

namespace wskport::detail {

namespace {

bool valid_family(AddressFamily f) noexcept {
  return f == AddressFamily::ipv4 || f == AddressFamily::ipv6 || f == AddressFamily::unix_domain;
}

bool valid_category(Category c) noexcept {
  return c == Category::basic || c == Category::listen || c == Category::connection ||
         c == Category::datagram || c == Category::stream;
}

// WSK ties categories to socket types: connection-oriented categories need a stream
// socket and the datagram category a datagram socket. A datagram socket with the
// listen category is created and refused at bind (not_implemented), as Windows does.
NTSTATUS check_create(const SocketParams& p) noexcept {
  if (!valid_family(p.family) || !valid_category(p.category)) return status::invalid_parameter;
  if (p.type != SocketType::stream && p.type != SocketType::datagram) {
    return status::invalid_parameter;
  }
  if ((p.category == Category::connection || p.category == Category::stream) &&
      p.type != SocketType::stream) {
    return status::invalid_parameter;
  }
  if (p.category == Category::datagram && p.type != SocketType::datagram) {
    return status::invalid_parameter;
  }
  return status::success;
}

// Option rules that do not need the platform: which sockets an option applies to and
// which must be set before bind.
NTSTATUS check_option(const SocketImpl& s, SocketOption option, std::uint32_t value) noexcept {
  const auto& p = s.params();
  switch (option) {
    case SocketOption::reuse_address:
    case SocketOption::exclusive_address_use:
      if (p.family == AddressFamily::unix_domain) return status::invalid_parameter;
      if (s.bound) return status::invalid_device_state;
      if (value != 0 &&
          (option == SocketOption::reuse_address ? s.exclusive_address : s.reuse_address)) {
        return status::invalid_parameter;
      }
      return status::success;
    case SocketOption::ipv6_only:
      if (p.family != AddressFamily::ipv6) return status::invalid_parameter;
      return s.bound ? status::invalid_device_state : status::success;
    case SocketOption::no_delay:
      if (p.type != SocketType::stream || p.family == AddressFamily::unix_domain) {
        return status::invalid_parameter;
      }
      return status::success;
    case SocketOption::keep_alive:
      return p.type == SocketType::stream ? status::success : status::invalid_parameter;
    case SocketOption::broadcast:
      return p.type == SocketType::datagram && p.family != AddressFamily::unix_domain
                 ? status::success
                 : status::invalid_parameter;
    case SocketOption::receive_buffer:
    case SocketOption::send_buffer:
      return value > static_cast<std::uint32_t>(INT_MAX) ? status::invalid_parameter
                                                         : status::success;
    case SocketOption::listen_backlog:
      if (p.type != SocketType::stream) return status::invalid_parameter;
      if (value > static_cast<std::uint32_t>(INT_MAX)) return status::invalid_parameter;
      return s.listening ? status::invalid_device_state : status::success;
  }
  return status::invalid_parameter;
}

}  // namespace

NTSTATUS ProviderCore::create_socket(const SocketParams& params, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::create);
  if (call.refused()) return status::invalid_parameter;
  if (is_shut_down()) return call.complete(status::file_forced_closed);
  if (const auto st = check_create(params); !nt_success(st)) return call.complete(st);
  NTSTATUS st = status::success;
  SocketImpl* raw = backend_->create(*this, params, st);
  if (raw == nullptr) return call.complete(nt_success(st) ? status::unsuccessful : st);
  SocketRef s(raw, /*add=*/false);
  const auto id = register_socket(s.get());
  if (id == 0) return call.complete(status::insufficient_resources);
  return call.complete(status::success, id);
}

NTSTATUS ProviderCore::bind(std::uintptr_t id, const Address* local, NTSTATUS address_status,
                            Irp* irp) noexcept {
  Call call(*this, irp, OpKind::bind);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  NTSTATUS st = status::success;
  {
    std::lock_guard lock(s->mutex);
    const auto& p = s->params();
    if (st = usable(*s); !nt_success(st)) {
    } else if (!nt_success(address_status)) {
      st = address_status;
    } else if (!category_has(p.category, OpKind::bind)) {
      st = status::invalid_device_state;
    } else if (p.category == Category::listen && p.type == SocketType::datagram) {
      st = status::not_implemented;
    } else if (s->bound) {
      st = status::address_already_associated;
    } else if (local == nullptr || local->family() != p.family) {
      st = status::invalid_address;
    } else {
      st = backend_->bind(*s, *local);
      if (nt_success(st)) {
        s->bound = true;
        // WSK: binding a listen socket also starts listening.
        if (p.category == Category::listen) {
          st = backend_->listen(*s);
          s->listening = nt_success(st);
        }
      }
    }
  }
  return call.complete(st);
}

NTSTATUS ProviderCore::listen(std::uintptr_t id, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::listen);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  NTSTATUS st = status::success;
  {
    std::lock_guard lock(s->mutex);
    if (st = usable(*s); !nt_success(st)) {
    } else if (!category_has(s->params().category, OpKind::listen)) {
      st = status::invalid_device_state;
    } else if (!s->bound || s->connected || s->connecting) {
      st = status::invalid_device_state;
    } else if (!s->listening) {
      st = backend_->listen(*s);
      s->listening = nt_success(st);
    }
  }
  return call.complete(st);
}

NTSTATUS ProviderCore::local_address(std::uintptr_t id, Address* out, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::query_address);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  NTSTATUS st = status::success;
  {
    std::lock_guard lock(s->mutex);
    if (st = usable(*s); !nt_success(st)) {
    } else if (out == nullptr) {
      st = status::invalid_parameter;
    } else if (!category_has(s->params().category, OpKind::query_address) || !s->bound) {
      st = status::invalid_device_state;
    } else {
      st = backend_->local_address(*s, *out);
    }
  }
  return call.complete(st);
}

NTSTATUS ProviderCore::remote_address(std::uintptr_t id, Address* out, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::query_address);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  NTSTATUS st = status::success;
  {
    std::lock_guard lock(s->mutex);
    if (st = usable(*s); !nt_success(st)) {
    } else if (out == nullptr) {
      st = status::invalid_parameter;
    } else if (!category_has(s->params().category, OpKind::connect) || !s->connected) {
      st = status::invalid_device_state;
    } else {
      st = backend_->remote_address(*s, *out);
    }
  }
  return call.complete(st);
}

NTSTATUS ProviderCore::set_option(std::uintptr_t id, SocketOption option, std::uint32_t value,
                                  Irp* irp) noexcept {
  Call call(*this, irp, OpKind::control);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  NTSTATUS st = status::success;
  {
    std::lock_guard lock(s->mutex);
    if (st = usable(*s); !nt_success(st)) {
    } else if (st = check_option(*s, option, value); nt_success(st)) {
      st = backend_->set_option(*s, option, value);
      if (nt_success(st) && option == SocketOption::reuse_address) s->reuse_address = value != 0;
      if (nt_success(st) && option == SocketOption::exclusive_address_use) {
        s->exclusive_address = value != 0;
      }
    }
  }
  return call.complete(st);
}

NTSTATUS ProviderCore::get_option(std::uintptr_t id, SocketOption option, Irp* irp) noexcept {
  Call call(*this, irp, OpKind::control);
  if (call.refused()) return status::invalid_parameter;
  NTSTATUS result = status::success;
  SocketRef s = find_or_fail(*this, call, id, result);
  if (!s) return result;
  NTSTATUS st = status::success;
  std::uint32_t value = 0;
  {
    std::lock_guard lock(s->mutex);
    if (st = usable(*s); !nt_success(st)) {
    } else if (st = check_option(*s, option, 0);
               st == status::invalid_parameter) {  // state does not matter for reads
    } else {
      st = backend_->get_option(*s, option, value);
    }
  }
  return call.complete(st, nt_success(st) ? value : 0);
}

NTSTATUS ProviderCore::native_handle(std::uintptr_t id, native_handle_t* out) noexcept {
  if (out == nullptr) return status::invalid_parameter;
  SocketRef s = table_.find(id);
  if (!s) return status::invalid_handle;
  std::lock_guard lock(s->mutex);
  if (const auto st = usable(*s); !nt_success(st)) return st;
  *out = backend_->native_handle(*s);
  return status::success;
}

}  // namespace wskport::detail
