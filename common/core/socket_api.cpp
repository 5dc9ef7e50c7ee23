// SPDX-License-Identifier: MIT
// The public Socket handle: each call forwards to its provider's front end. A handle
// with no provider still answers by contract (invalid_handle on the IRP).
#include "common/core/completion.hpp"
#include "common/core/provider_core.hpp"

namespace wskport {

namespace {

// A default-constructed handle has no provider to count the IRP against; it is still
// accepted and completed exactly once.
NTSTATUS no_provider(Irp* irp, detail::OpKind kind) noexcept {
  if (irp == nullptr || !detail::IrpAccess::accept(*irp, kind)) return status::invalid_parameter;
  detail::complete_irp(*irp, status::invalid_handle, 0);
  return status::invalid_handle;
}

// Converting a native sockaddr is part of the call: its failure completes the IRP
// (after the handle check), like any other bad argument.
NTSTATUS convert(const void* sa, std::size_t length, Address& out) noexcept {
  return Address::from_native(sa, length, out);
}

}  // namespace

using detail::BufferArgs;
using detail::OpKind;

NTSTATUS Socket::bind(const Address& local, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::bind);
  return provider_->core().bind(id_, &local, status::success, irp);
}

NTSTATUS Socket::bind(const void* native_sockaddr, std::size_t length, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::bind);
  Address local;
  const auto st = convert(native_sockaddr, length, local);
  return provider_->core().bind(id_, &local, st, irp);
}

NTSTATUS Socket::listen(Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::listen);
  return provider_->core().listen(id_, irp);
}

NTSTATUS Socket::accept(Address* local_out, Address* remote_out, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::accept);
  return provider_->core().accept(id_, local_out, remote_out, irp);
}

NTSTATUS Socket::connect(const Address& remote, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::connect);
  return provider_->core().connect(id_, &remote, status::success, irp);
}

NTSTATUS Socket::connect(const void* native_sockaddr, std::size_t length, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::connect);
  Address remote;
  const auto st = convert(native_sockaddr, length, remote);
  // The address is only read while the call starts (the backend hands the OS its own
  // copy), so a local is enough here.
  return provider_->core().connect(id_, &remote, st, irp);
}

NTSTATUS Socket::send(std::span<const ConstBuffer> buffers, unsigned flags,
                      Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::send);
  return provider_->core().send(id_, BufferArgs<ConstBuffer>{buffers.data(), buffers.size()}, flags,
                                irp);
}

NTSTATUS Socket::send(const void* data, std::size_t size, unsigned flags, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::send);
  const ConstBuffer one{data, size};
  return provider_->core().send(id_, BufferArgs<ConstBuffer>{nullptr, 0, &one}, flags, irp);
}

NTSTATUS Socket::receive(std::span<const MutableBuffer> buffers, unsigned flags,
                         Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::receive);
  return provider_->core().receive(id_, BufferArgs<MutableBuffer>{buffers.data(), buffers.size()},
                                   flags, irp);
}

NTSTATUS Socket::receive(void* data, std::size_t size, unsigned flags, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::receive);
  const MutableBuffer one{data, size};
  return provider_->core().receive(id_, BufferArgs<MutableBuffer>{nullptr, 0, &one}, flags, irp);
}

NTSTATUS Socket::send_to(std::span<const ConstBuffer> buffers, const Address* remote,
                         Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::send_to);
  return provider_->core().send_to(id_, BufferArgs<ConstBuffer>{buffers.data(), buffers.size()},
                                   remote, irp);
}

NTSTATUS Socket::send_to(const void* data, std::size_t size, const Address* remote,
                         Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::send_to);
  const ConstBuffer one{data, size};
  return provider_->core().send_to(id_, BufferArgs<ConstBuffer>{nullptr, 0, &one}, remote, irp);
}

NTSTATUS Socket::receive_from(std::span<const MutableBuffer> buffers, Address* remote_out,
                              unsigned* control_flags_out, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::receive_from);
  return provider_->core().receive_from(id_,
                                        BufferArgs<MutableBuffer>{buffers.data(), buffers.size()},
                                        remote_out, control_flags_out, irp);
}

NTSTATUS Socket::receive_from(void* data, std::size_t size, Address* remote_out,
                              unsigned* control_flags_out, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::receive_from);
  const MutableBuffer one{data, size};
  return provider_->core().receive_from(id_, BufferArgs<MutableBuffer>{nullptr, 0, &one},
                                        remote_out, control_flags_out, irp);
}

NTSTATUS Socket::disconnect(std::span<const ConstBuffer> final_data, unsigned flags,
                            Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::disconnect);
  return provider_->core().disconnect(
      id_, BufferArgs<ConstBuffer>{final_data.data(), final_data.size()}, flags, irp);
}

NTSTATUS Socket::close(Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::close);
  return provider_->core().close(id_, irp);
}

NTSTATUS Socket::local_address(Address* out, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::local_address);
  return provider_->core().local_address(id_, out, irp);
}

NTSTATUS Socket::remote_address(Address* out, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::remote_address);
  return provider_->core().remote_address(id_, out, irp);
}

NTSTATUS Socket::set_option(SocketOption option, std::uint32_t value, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::set_option);
  return provider_->core().set_option(id_, option, value, irp);
}

NTSTATUS Socket::get_option(SocketOption option, Irp* irp) const noexcept {
  if (provider_ == nullptr) return no_provider(irp, OpKind::get_option);
  return provider_->core().get_option(id_, option, irp);
}

NTSTATUS Socket::native_handle(native_handle_t* out) const noexcept {
  if (provider_ == nullptr) return status::invalid_handle;
  return provider_->core().native_handle(id_, out);
}

}  // namespace wskport
