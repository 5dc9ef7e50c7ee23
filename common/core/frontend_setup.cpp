// SPDX-License-Identifier: MIT
// Front end, synchronous family: create, bind, listen, addresses, options, native
// handle. Each call fills the IRP's op block and takes the one path
// (ProviderCore::issue, frontend.hpp); the engine answers these at once.
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

// The two address queries: the same checks, on a bound (local) or connected (remote)
// socket of a category that has the query.
auto check_address(Address* out, OpKind kind) noexcept {
  return [out, kind](SocketImpl& s, IrpOp& op) -> NTSTATUS {
    if (out == nullptr) return status::invalid_parameter;
    const bool ready = kind == OpKind::local_address ? s.bound : s.connected;
    if (!category_has(s.params().category, kind) || !ready) return status::invalid_device_state;
    op.out1 = out;
    return status::success;
  };
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
  return issue<OpKind::bind>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        const auto& p = s.params();
        if (!nt_success(address_status)) return address_status;
        if (!category_has(p.category, OpKind::bind)) return status::invalid_device_state;
        if (p.category == Category::listen && p.type == SocketType::datagram) {
          return status::not_implemented;
        }
        if (s.bound) return status::address_already_associated;
        if (local == nullptr || local->family() != p.family) return status::invalid_address;
        op.in1 = local;
        return status::success;
      },
      [this, irp](SocketImpl& s, IrpOp& op, Start& start) {
        if (!nt_success(start.status)) return;
        s.bound = true;
        // WSK: binding a listen socket also starts listening. The engine sees a listen;
        // the IRP stays a bind for the verifier and the contract.
        if (s.params().category == Category::listen) {
          IrpList none;
          op.kind = OpKind::listen;
          start = backend_->submit(s, *irp, none);
          op.kind = OpKind::bind;
          s.listening = nt_success(start.status);
        }
      });
}

NTSTATUS ProviderCore::listen(std::uintptr_t id, Irp* irp) noexcept {
  return issue<OpKind::listen>(
      id, irp,
      [&](SocketImpl& s, IrpOp& /*op*/) -> Gate {
        if (!category_has(s.params().category, OpKind::listen)) {
          return status::invalid_device_state;
        }
        if (!s.bound || s.connected || s.connecting) return status::invalid_device_state;
        if (s.listening) return Gate::finish(status::success);
        return status::success;
      },
      [](SocketImpl& s, IrpOp& /*op*/, Start& start) { s.listening = nt_success(start.status); });
}

NTSTATUS ProviderCore::local_address(std::uintptr_t id, Address* out, Irp* irp) noexcept {
  return issue<OpKind::local_address>(id, irp, check_address(out, OpKind::local_address),
                                      NoAfter{});
}

NTSTATUS ProviderCore::remote_address(std::uintptr_t id, Address* out, Irp* irp) noexcept {
  return issue<OpKind::remote_address>(id, irp, check_address(out, OpKind::remote_address),
                                       NoAfter{});
}

NTSTATUS ProviderCore::set_option(std::uintptr_t id, SocketOption option, std::uint32_t value,
                                  Irp* irp) noexcept {
  return issue<OpKind::set_option>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        op.option = option;
        op.flags = value;
        return check_option(s, option, value);
      },
      [&](SocketImpl& s, IrpOp& /*op*/, Start& start) {
        if (!nt_success(start.status)) return;
        if (option == SocketOption::reuse_address) s.reuse_address = value != 0;
        if (option == SocketOption::exclusive_address_use) s.exclusive_address = value != 0;
      });
}

NTSTATUS ProviderCore::get_option(std::uintptr_t id, SocketOption option, Irp* irp) noexcept {
  return issue<OpKind::get_option>(
      id, irp,
      [&](SocketImpl& s, IrpOp& op) -> NTSTATUS {
        op.option = option;
        // The socket's state does not matter for reads, only whether the option applies.
        const NTSTATUS st = check_option(s, option, 0);
        return st == status::invalid_parameter ? st : status::success;
      },
      [](SocketImpl& /*s*/, IrpOp& /*op*/, Start& start) {
        if (!nt_success(start.status)) start.information = 0;
      });
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
