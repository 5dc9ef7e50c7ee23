// SPDX-License-Identifier: MIT
// See wsk_core_bridge.hpp. No kernel header here: this file sees the core's private
// headers (and through them Boost.Asio) only.
#include "common/km/wsk_core_bridge.hpp"

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/post.hpp>

#include "common/core/completion.hpp"
#include "common/core/provider_core.hpp"

namespace wskport::km::bridge {

using detail::IrpAccess;

bool begin(Provider& provider, Irp& irp, detail::OpKind kind) noexcept {
  if (!IrpAccess::accept(irp, kind)) return false;
  IrpAccess::op(irp).provider = &provider.core();
  provider.core().irp_accepted();
  return true;
}

void complete(Provider& provider, Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept {
  auto& core = provider.core();
  if (detail::completion_depth() >= core.max_inline_depth()) {
    core.post_completion(irp, status, information);
    return;
  }
  detail::complete_irp(irp, status, information);
}

void complete_inline(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept {
  detail::complete_irp(irp, status, information);
}

void post(Provider& provider, void (*fn)(void*), void* arg) noexcept {
  boost::asio::post(provider.core().io(), [fn, arg] { fn(arg); });
}

bool arm_cancel(Irp& irp, detail::CancelRoutine routine) noexcept {
  return IrpAccess::arm_cancel(irp, routine);
}

bool disarm_cancel(Irp& irp) noexcept { return IrpAccess::disarm_cancel(irp); }

void*& slot(Irp& irp, int index) noexcept {
  auto& op = IrpAccess::op(irp);
  switch (index) {
    case 0:
      return op.out1;
    case 1:
      return op.out2;
    default:
      return *const_cast<void**>(&op.in1);
  }
}

InlineScope::InlineScope() noexcept : saved_(std::exchange(detail::completion_depth(), 0U)) {}
InlineScope::~InlineScope() { detail::completion_depth() = saved_; }

}  // namespace wskport::km::bridge
