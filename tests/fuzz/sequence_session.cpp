// SPDX-License-Identifier: MIT
// The sequence fuzzer's session: provider life cycle, the IRP pool, completion
// accounting and the end-of-input checks (sequence_session.hpp lists them).
#include "sequence_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace wskport::fuzz {

namespace {

// WSKPORT_FUZZ_TRACE=1 prints every completion as the script reaps it: for reading
// what a corpus file does (replay it with the plain build), not for fuzzing.
bool trace() {
  static const bool on = [] {
    const char* v = std::getenv("WSKPORT_FUZZ_TRACE");
    return v != nullptr && *v != '\0' && *v != '0';
  }();
  return on;
}

const char* op_name(Op op) { return detail::op_info(op).name.data(); }

// Long enough for any loopback operation on a loaded CI machine; reaching it means
// something will never complete.
constexpr auto kDrainLimit = std::chrono::seconds(20);

}  // namespace

bool Session::start(unsigned threads) {
  for (auto& t : irps_) {
    t = std::make_unique<TrackedIrp>();
    t->session = this;
    t->irp.set_completion(&Session::on_complete, t.get());
  }
  ProviderOptions options;
  options.threads = threads;
  NTSTATUS st = status::success;
  provider_ = Provider::create(options, &st);
  if (provider_ == nullptr) {
    WSKPORT_FUZZ_CHECK(!nt_success(st) && named(st), "Provider::create failed without a status",
                       st);
    return false;
  }
  return true;
}

void Session::on_complete(Irp& irp, void* context) {
  auto& t = *static_cast<TrackedIrp*>(context);
  WSKPORT_FUZZ_CHECK(&t.irp == &irp, "completion routine got another IRP", 0);
  Session& s = *t.session;
  {
    std::lock_guard lock(s.mutex_);
    ++t.done;
    WSKPORT_FUZZ_CHECK(t.done <= t.issued, "an IRP completed more often than it was issued",
                       t.done);
    t.status = irp.IoStatus.Status;
    t.information = irp.IoStatus.Information;
    t.completion_seq = ++s.completion_seq_;
    s.log_.push_back({t.op, t.serial, t.issue_seq, t.completion_seq, t.status});
  }
  s.cv_.notify_all();
}

void Session::check_inline(TrackedIrp& t, NTSTATUS returned, std::uint64_t completions_before) {
  std::lock_guard lock(mutex_);
  WSKPORT_FUZZ_CHECK(t.done == t.issued, "a call returned a final status before completing",
                     returned);
  WSKPORT_FUZZ_CHECK(t.irp.completion_count() == completions_before + 1,
                     "completion_count() did not grow by one", t.irp.completion_count());
  WSKPORT_FUZZ_CHECK(t.status == returned, "returned status differs from IoStatus.Status",
                     returned);
}

void Session::check_completion(const TrackedIrp& t) const {
  WSKPORT_FUZZ_CHECK(t.status != status::pending, "completed with STATUS_PENDING",
                     static_cast<int>(t.op));
  WSKPORT_FUZZ_CHECK(named(t.status), "completed with a status that has no name", t.status);
  if (shut_down_ && t.op != Op::close && t.op != Op::create) {
    // After shutdown only close still works; anything else either completed before it
    // or is forced closed (or was already cancelled, or found a stale handle).
  }
  if (t.status == status::success) {
    switch (t.op) {
      case Op::send:
        WSKPORT_FUZZ_CHECK(t.information == t.expect_len, "a send succeeded short", t.information);
        break;
      case Op::receive:
      case Op::receive_from:
        WSKPORT_FUZZ_CHECK(t.information <= t.expect_len, "received more than the buffer holds",
                           t.information);
        break;
      case Op::accept:
      case Op::create:
        WSKPORT_FUZZ_CHECK(t.information != 0, "a new socket with id 0", 0);
        break;
      default:
        break;
    }
  }
}

TrackedIrp* Session::free_irp(std::size_t hint, const TrackedIrp* reserved) {
  std::lock_guard lock(mutex_);
  for (std::size_t k = 0; k < irp_count; ++k) {
    TrackedIrp& t = *irps_[(hint + k) % irp_count];
    if (&t != reserved && t.done == t.issued && t.reaped == t.done) return &t;
  }
  return nullptr;
}

bool Session::wait(const TrackedIrp& t, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, limit, [&] { return t.done == t.issued; });
}

Session::Slot* Session::adopt(Socket s, AddressFamily family, Category category) {
  for (auto& slot : slots_) {
    if (slot.serial == 0) {
      slot = {s, ++next_serial_, family, category};
      return &slot;
    }
  }
  return nullptr;
}

void Session::close_slot(std::size_t i) {
  Slot& slot = slots_[i % slot_count];
  if (slot.serial == 0) return;
  TrackedIrp* t = free_irp(i);
  std::unique_ptr<TrackedIrp> extra;
  if (t == nullptr) {
    // Every pool IRP is busy: close still has to happen, with an IRP of its own.
    extra = std::make_unique<TrackedIrp>();
    extra->session = this;
    extra->irp.set_completion(&Session::on_complete, extra.get());
    t = extra.get();
  }
  t->op = Op::close;
  t->serial = slot.serial;
  const Socket s = slot.socket;
  slot = {};
  const NTSTATUS st = issue(*t, [&](Irp* irp) { return s.close(irp); });
  WSKPORT_FUZZ_CHECK(st == status::success || st == status::pending, "close failed", st);
  if (extra) overflow_closes_.push_back(std::move(extra));
}

void Session::reap() {
  std::vector<TrackedIrp*> fresh;
  {
    std::lock_guard lock(mutex_);
    for (auto& t : irps_) {
      if (t->reaped != t->done && t->done == t->issued) fresh.push_back(t.get());
    }
    for (auto& t : overflow_closes_) {
      if (t->reaped != t->done && t->done == t->issued) fresh.push_back(t.get());
    }
  }
  for (TrackedIrp* t : fresh) {
    check_completion(*t);
    if (trace()) {
      std::array<char, 64> text{};
      format_status(t->status, text.data(), text.size());
      std::fprintf(stderr, "  #%-3llu %-12s socket %llu: %s, information %llu\n",
                   static_cast<unsigned long long>(t->issue_seq), op_name(t->op),
                   static_cast<unsigned long long>(t->serial), text.data(),
                   static_cast<unsigned long long>(t->information));
    }
    t->reaped = t->done;
    if (t->op == Op::accept && t->status == status::success) {
      const Socket accepted = provider_->socket_from(t->information);
      if (adopt(accepted, t->address_a.family(), Category::connection) == nullptr) {
        // No free slot: the socket is still owed a close.
        auto extra = std::make_unique<TrackedIrp>();
        extra->session = this;
        extra->irp.set_completion(&Session::on_complete, extra.get());
        extra->op = Op::close;
        extra->serial = ++next_serial_;
        issue(*extra, [&](Irp* irp) { return accepted.close(irp); });
        overflow_closes_.push_back(std::move(extra));
      }
    }
  }
}

void Session::shutdown_provider() {
  provider_->shutdown();
  shut_down_ = true;
}

bool Session::issued_all_done() const {
  const auto done = [](const std::unique_ptr<TrackedIrp>& t) { return t->done == t->issued; };
  return std::all_of(irps_.begin(), irps_.end(), done) &&
         std::all_of(overflow_closes_.begin(), overflow_closes_.end(), done);
}

bool Session::all_done() {
  std::lock_guard lock(mutex_);
  const auto done = [](const std::unique_ptr<TrackedIrp>& t) {
    return t->done == t->issued && t->reaped == t->done;
  };
  return std::all_of(irps_.begin(), irps_.end(), done) &&
         std::all_of(overflow_closes_.begin(), overflow_closes_.end(), done);
}

void Session::check_close_ordering() const {
  std::lock_guard lock(mutex_);
  for (const auto& close : log_) {
    if (close.op != Op::close) continue;
    for (const auto& c : log_) {
      if (c.serial != close.serial || c.op == Op::close || c.issue_seq > close.issue_seq) continue;
      if (c.completion_seq > close.completion_seq) {
        std::fprintf(stderr, "op %d issued #%llu completed #%llu after close #%llu\n",
                     static_cast<int>(c.op), static_cast<unsigned long long>(c.issue_seq),
                     static_cast<unsigned long long>(c.completion_seq),
                     static_cast<unsigned long long>(close.completion_seq));
      }
      WSKPORT_FUZZ_CHECK(c.completion_seq < close.completion_seq,
                         "an IRP of a socket completed after its close", c.status);
    }
  }
}

void Session::finish() {
  const auto deadline = std::chrono::steady_clock::now() + kDrainLimit;
  // Close everything, then keep reaping: accepts that completed before their listener's
  // close hand over sockets that need closing too.
  for (;;) {
    reap();
    for (std::size_t i = 0; i < slot_count; ++i) close_slot(i);
    if (all_done()) break;
    {
      // Until the IRPs issued so far have completed (then reap, which may close
      // accepted sockets), or a while: the loop re-checks the deadline.
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return issued_all_done(); });
    }
    WSKPORT_FUZZ_CHECK(std::chrono::steady_clock::now() < deadline,
                       "IRPs still pending long after every socket was closed (hang)", 0);
  }
  reap();
  WSKPORT_FUZZ_CHECK(all_done(), "an IRP completed during the final reap", 0);
  check_close_ordering();

  // The provider counts an IRP until the rundown after its routine returned, which may
  // still be running on a provider thread: wait for the counts, bounded.
  while (provider_->outstanding_irps() != 0 || provider_->open_sockets() != 0) {
    WSKPORT_FUZZ_CHECK(std::chrono::steady_clock::now() < deadline,
                       "outstanding IRPs or open sockets after everything completed",
                       provider_->outstanding_irps() * 1000 + provider_->open_sockets());
    std::this_thread::yield();
  }

  std::uint64_t total = 0;
  {
    std::lock_guard lock(mutex_);
    total = log_.size();
  }
  provider_.reset();
  std::lock_guard lock(mutex_);
  WSKPORT_FUZZ_CHECK(log_.size() == total, "a completion arrived after the provider was destroyed",
                     log_.size() - total);
  for (const auto& t : irps_) {
    WSKPORT_FUZZ_CHECK(t->irp.completion_count() == t->issued,
                       "completion_count() differs from the calls issued", t->issued);
  }
}

}  // namespace wskport::fuzz
