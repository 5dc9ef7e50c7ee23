// SPDX-License-Identifier: MIT
// The IRP life cycle and the completion funnel.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/post.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "common/core/completion.hpp"
#include "common/core/provider_core.hpp"
#include "common/core/socket_impl.hpp"
#include "common/core/verifier.hpp"

namespace wskport {

namespace {

// A contract violation by the caller or a library bug that cannot be answered with a
// status without corrupting memory later: report it where it happened and stop, as
// Driver Verifier does.
[[noreturn]] void fatal_violation(const char* what, const Irp* irp) noexcept {
  std::fprintf(stderr, "wskport: fatal IRP violation: %s (irp %p)\n", what,
               static_cast<const void*>(irp));
  std::fflush(stderr);
  std::abort();
}

}  // namespace

Irp::~Irp() {
  const auto s = state_.load(std::memory_order_acquire);
  if (s == pending_state || s == completing || s == accepting) {
    if (detail::verifier::on(verifier::irp)) {
      detail::verifier::report(
          verifier::irp, this,
          detail::IrpAccess::op(*this).socket != nullptr ? detail::IrpAccess::op(*this).socket->id
                                                         : 0,
          detail::IrpAccess::op(*this).kind, "IRP destroyed while a call still owns it (freed)");
    }
    fatal_violation("IRP destroyed while a call still owns it", this);
  }
  if (detail::verifier::on(verifier::irp)) detail::verifier::forget(this);
}

void Irp::reuse(NTSTATUS initial) noexcept {
  if (is_pending()) {
    if (detail::verifier::on(verifier::irp)) {
      detail::verifier::report(
          verifier::irp, this,
          detail::IrpAccess::op(*this).socket != nullptr ? detail::IrpAccess::op(*this).socket->id
                                                         : 0,
          detail::IrpAccess::op(*this).kind, "IRP reused while pending (Irp::reuse / IoReuseIrp)");
    }
    fatal_violation("IRP reused while pending", this);
  }
  if (detail::verifier::on(verifier::irp)) {
    detail::verifier::record(this, detail::verifier::Event::reused);
  }
  IoStatus = {initial, 0};
  cancel_.store(false, std::memory_order_release);
  state_.store(idle, std::memory_order_release);
}

bool Irp::cancel() noexcept {
  // A call that has claimed the IRP (accepting) clears the flag before it publishes the
  // pending state; is_pending() already answers true then. Wait out those few stores,
  // so that the flag set below is this call's and not wiped: a cancel that sees the IRP
  // pending, or being accepted, is honoured.
  for (unsigned spins = 0; state_.load(std::memory_order_acquire) == accepting; ++spins) {
    if (spins >= 64) std::this_thread::yield();  // the accepting thread was preempted
  }
  // Flag first, then claim: a backend arming its cancel routine does the opposite
  // (store routine, then read the flag), so with sequential consistency one of the
  // two always sees the other and the cancellation cannot fall between them.
  cancel_.store(true, std::memory_order_seq_cst);
  if (detail::verifier::on(verifier::irp)) {
    // No op kind: a cancel may race with the next call resetting the op block.
    detail::verifier::record(this, detail::verifier::Event::cancel);
  }
  if (auto routine = cancel_routine_.exchange(nullptr, std::memory_order_seq_cst)) {
    routine(*this);
    return true;
  }
  return false;
}

bool Irp::is_pending() const noexcept {
  const auto s = state_.load(std::memory_order_acquire);
  return s == pending_state || s == completing || s == accepting;
}

namespace detail {

bool IrpAccess::accept(Irp& irp, OpKind kind) noexcept {
  auto s = irp.state_.load(std::memory_order_acquire);
  do {
    if (s != Irp::idle && s != Irp::completed) return false;
  } while (!irp.state_.compare_exchange_weak(s, Irp::accepting, std::memory_order_acq_rel));
  // The IRP is ours (accepting) but not yet visibly pending: the previous operation's
  // cancel flag is cleared here, before the pending state is published below. Clearing
  // it after the publication, as this once did, lost a cancel() that came in between:
  // its flag was wiped and the IRP waited for its operation. Now a cancel() that sees
  // the IRP pending stores its flag after this reset (the release store of the state
  // orders the reset before it), so arm_cancel, or the backend's later check, sees it.
  // Plain stores, not seq_cst (an xchg on x86, one per call): the reset is not part of
  // the flag/routine handshake, whose two sides (cancel() and arm_cancel) stay seq_cst.
  irp.cancel_.store(false, std::memory_order_relaxed);
  irp.cancel_routine_.store(nullptr, std::memory_order_relaxed);
  // Reset only the bookkeeping; the native scratch area is the backend's to set.
  auto& op = IrpAccess::op(irp);
  op.next = op.prev = nullptr;
  op.provider = nullptr;
  op.socket = nullptr;
  op.buffers.send = nullptr;
  op.buffer_count = op.total = op.done = op.seg_index = op.seg_offset = 0;
  op.flags = 0;
  op.kind = kind;
  op.queued = false;
  op.option = SocketOption::reuse_address;
  op.out1 = op.out2 = nullptr;
  op.in1 = nullptr;
  op.final_status = status::pending;
  op.final_information = 0;
  irp.IoStatus = {status::pending, 0};
  if (verifier::on(verifier::check::irp)) {
    verifier::record(&irp, verifier::Event::accepted, kind);
  }
  irp.state_.store(Irp::pending_state, std::memory_order_release);
  return true;
}

bool IrpAccess::arm_cancel(Irp& irp, CancelRoutine routine) noexcept {
  irp.cancel_routine_.store(routine, std::memory_order_seq_cst);
  if (irp.cancel_.load(std::memory_order_seq_cst)) {
    // Cancel came first. Whoever gets the routine back owns the completion.
    return irp.cancel_routine_.exchange(nullptr, std::memory_order_seq_cst) == nullptr;
  }
  return true;
}

bool IrpAccess::disarm_cancel(Irp& irp) noexcept {
  return irp.cancel_routine_.exchange(nullptr, std::memory_order_seq_cst) != nullptr;
}

unsigned& completion_depth() noexcept {
  thread_local unsigned depth = 0;
  return depth;
}

void complete_irp(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept {
  IrpAccess::complete(irp, status, information);
}

// The routine under the verifier: a routine that throws is reported here, where the
// IRP is known, instead of as a bare std::terminate. @p kind and @p id were read
// before the completion was published (the IRP's owner may reuse it from then on).
void IrpAccess::run_routine_verified(Irp& irp, CompletionRoutine routine, void* context,
                                     OpKind kind, std::uintptr_t id) noexcept {
  if (routine == nullptr) return;
  try {
    routine(irp, context);
  } catch (...) {
    verifier::report(verifier::check::irp, &irp, id, kind,
                     "completion routine threw an exception (routines must not throw)");
    std::terminate();
  }
}

void IrpAccess::complete(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept {
  std::uint32_t expected = Irp::pending_state;
  if (!irp.state_.compare_exchange_strong(expected, Irp::completing, std::memory_order_acq_rel)) {
    if (verifier::on(verifier::check::irp)) {
      verifier::report(verifier::check::irp, &irp, 0, IrpAccess::op(irp).kind,
                       "IRP completed twice (a second completion of one call)");
    }
    fatal_violation("IRP completed twice (library bug)", &irp);
  }
  irp.cancel_routine_.store(nullptr, std::memory_order_relaxed);
  auto& op = IrpAccess::op(irp);
  ProviderCore* provider = std::exchange(op.provider, nullptr);
  SocketImpl* socket = std::exchange(op.socket, nullptr);
  // Read the routine before publishing completion: from then on the owner may reuse
  // or free the IRP, and nothing below touches it again.
  const CompletionRoutine routine = irp.routine_;
  void* const context = irp.context_;
  const bool verify = verifier::on(verifier::check::irp);
  OpKind kind = OpKind::none;
  std::uintptr_t id = 0;
  if (verify) {
    kind = op.kind;
    id = socket != nullptr ? socket->id : 0;
    verifier::record(&irp, verifier::Event::completed, kind, status, information, id);
  }
  if (verifier::on(verifier::check::contract)) {
    verifier::check_contract(irp, op.kind, status, socket != nullptr ? socket->id : 0);
  }
  irp.IoStatus.Status = status;
  irp.IoStatus.Information = information;
  // Load and store, not fetch_add: only the thread that won the CAS above writes the
  // count, and the previous completer's store happens before it (its release of the
  // state, read by the accept that started this call).
  irp.completions_.store(irp.completions_.load(std::memory_order_relaxed) + 1,
                         std::memory_order_release);
  irp.state_.store(Irp::completed, std::memory_order_release);

  auto& depth = completion_depth();
  ++depth;
  if (verify) {
    run_routine_verified(irp, routine, context, kind, id);
  } else if (routine != nullptr) {
    routine(irp, context);
  }
  --depth;

  // Rundown after the routine returned: a close waiting on this socket may now
  // complete, and "no completion after close" holds because this one is over.
  if (socket != nullptr) {
    socket->op_finished();
    socket->release();
  }
  if (provider != nullptr) provider->irp_finished();
}

void IrpList::push(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept {
  auto& op = IrpAccess::op(irp);
  op.final_status = status;
  op.final_information = information;
  op.next = nullptr;
  if (tail != nullptr) {
    IrpAccess::op(*tail).next = &irp;
  } else {
    head = &irp;
  }
  tail = &irp;
}

Irp* IrpList::pop() noexcept {
  Irp* irp = head;
  if (irp != nullptr) {
    head = IrpAccess::op(*irp).next;
    if (head == nullptr) tail = nullptr;
    IrpAccess::op(*irp).next = nullptr;
  }
  return irp;
}

void IrpList::complete_all() noexcept {
  while (Irp* irp = pop()) {
    const auto& op = IrpAccess::op(*irp);
    complete_irp(*irp, op.final_status, op.final_information);
  }
}

Call::Call(ProviderCore& core, Irp* irp, OpKind kind) noexcept : core_(core), irp_(irp) {
  if (irp_ == nullptr || !IrpAccess::accept(*irp_, kind)) {
    if (verifier::on(verifier::check::usage)) {
      if (irp_ == nullptr) {
        verifier::report(verifier::check::usage, nullptr, 0, kind,
                         "call issued with a null IRP (refused: STATUS_INVALID_PARAMETER)");
      } else {
        verifier::record(irp_, verifier::Event::refused_pending, kind);
        verifier::report(verifier::check::usage, irp_, 0, kind,
                         "IRP handed to a new call while still pending from an earlier one "
                         "(refused: STATUS_INVALID_PARAMETER)");
      }
    }
    irp_ = nullptr;
    return;
  }
  IrpAccess::op(*irp_).provider = &core_;
  core_.irp_accepted();
}

NTSTATUS Call::complete(NTSTATUS status, std::uintptr_t information) noexcept {
  if (completion_depth() >= core_.max_inline_depth()) {
    core_.post_completion(*irp_, status, information);
    return status::pending;
  }
  complete_irp(*irp_, status, information);
  return status;
}

NTSTATUS Call::finish(const Start& start) noexcept {
  if (start.pending) return status::pending;
  return complete(start.status, start.information);
}

void ProviderCore::post_completion(Irp& irp, NTSTATUS status, std::uintptr_t information) noexcept {
  boost::asio::post(io_, [&irp, status, information] { complete_irp(irp, status, information); });
}

}  // namespace detail
}  // namespace wskport
