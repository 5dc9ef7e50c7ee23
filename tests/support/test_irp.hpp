// SPDX-License-Identifier: MIT
// A counting IRP for the conformance suite.
//
// TestIrp records every completion (status, information, and a process-wide sequence
// number that orders completions across IRPs), counts the calls it was given, and checks
// the completion contract on each call:
//   - a non-pending return means the IRP already completed, with that very status;
//   - an IRP completes exactly once per accepted call (never more).
// Violations are recorded, reported by the Outcome of the call and again at teardown.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/status_assert.hpp"
#include "wskport/irp.hpp"
#include "wskport/status.hpp"

namespace wskport::test {

using namespace std::chrono_literals;

/// Default bound for one operation. Never an assertion about speed: only a bound after
/// which the test stops waiting and reports the operation as not completed.
inline constexpr std::chrono::milliseconds default_bound = 5s;
/// Bound for bulk transfers (64 MiB).
inline constexpr std::chrono::milliseconds bulk_bound = 30s;

/// Orders completions across all IRPs of the process.
inline std::atomic<std::uint64_t>& completion_sequence() {
  static std::atomic<std::uint64_t> sequence{0};
  return sequence;
}

/// One completion as the completion routine saw it.
struct Completion {
  NTSTATUS status = status::unsuccessful;
  std::uintptr_t information = 0;
  std::uint64_t seq = 0;  ///< position in the process-wide completion order (1-based)
};

/// The result of one call: what it returned and how its IRP completed.
struct Outcome {
  bool completed = false;  ///< the IRP completed within the bound
  NTSTATUS returned = status::unsuccessful;
  NTSTATUS status = status::pending;  ///< IoStatus.Status at completion
  std::uintptr_t information = 0;     ///< IoStatus.Information at completion
  std::uint64_t seq = 0;
  std::string violation;  ///< contract violations seen for this call ("" if none)
  std::string what;       ///< which IRP / call, for messages
};

inline void PrintTo(const Outcome& o, std::ostream* os) {
  *os << (o.what.empty() ? std::string("call") : o.what) << ": returned "
      << status_string(o.returned);
  if (o.completed) {
    *os << ", completed with " << status_string(o.status) << ", Information " << o.information;
  } else {
    *os << ", did NOT complete within the bound";
  }
  if (!o.violation.empty()) *os << "; CONTRACT VIOLATION: " << o.violation;
}

inline std::string describe(const Outcome& o) {
  std::ostringstream s;
  PrintTo(o, &s);
  return s.str();
}

/// Predicate formatter: the call completed (within its bound), kept the contract, and
/// its IRP's final status is @p expected.
inline ::testing::AssertionResult CompletesWith(const char* outcome_expr, const char* expected_expr,
                                                const Outcome& o, NTSTATUS expected) {
  if (o.completed && o.violation.empty() && o.status == expected) {
    return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure();
  failure << outcome_expr << ": expected completion with " << expected_expr << " = "
          << status_string(expected) << "; got " << describe(o);
  return failure;
}

/// The contract alone (completed within the bound, return value consistent, not
/// completed twice), whatever the status.
inline ::testing::AssertionResult KeptContract(const char* outcome_expr, const Outcome& o) {
  if (o.completed && o.violation.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << outcome_expr << ": " << describe(o);
}

/// An IRP that records its completions and checks the completion contract.
class TestIrp : public Irp {
 public:
  /// Runs inside the completion routine, after the completion was recorded, outside
  /// any lock. May issue further calls (also on this IRP).
  using Hook = std::function<void(TestIrp&, const Completion&)>;

  explicit TestIrp(std::string name = {})
      : Irp(&TestIrp::routine, nullptr), name_(std::move(name)) {}
  TestIrp(const TestIrp&) = delete;
  TestIrp& operator=(const TestIrp&) = delete;
  ~TestIrp() = default;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// Sets the hook run at each completion. Not while pending.
  void set_hook(Hook hook) { hook_ = std::move(hook); }

  /// Issues one call: @p call receives this IRP as `Irp*` and returns the call's
  /// result. Records the call and checks the return-vs-IoStatus rule. Returns what the
  /// call returned.
  template <class F>
  NTSTATUS issue(F&& call) {
    std::uint64_t index = 0;
    {
      std::lock_guard lock(mutex_);
      index = ++calls_;
    }
    const NTSTATUS returned = std::forward<F>(call)(static_cast<Irp*>(this));
    std::lock_guard lock(mutex_);
    returns_.push_back(returned);
    if (returned != status::pending) {
      if (history_.size() < index) {
        add_violation_locked("call #" + std::to_string(index) + " returned " +
                             status_string(returned) +
                             " (not pending) but its IRP had not completed when it returned");
      } else if (history_[index - 1].status != returned) {
        add_violation_locked("call #" + std::to_string(index) + " returned " +
                             status_string(returned) + " but its IRP completed with " +
                             status_string(history_[index - 1].status));
      }
    }
    return returned;
  }

  /// Issues a call that must be refused without completing anything (a call given an
  /// IRP that is still pending): returns invalid_parameter and the IRP's completion
  /// count does not change. Not counted as a call.
  template <class F>
  ::testing::AssertionResult issue_refused(F&& call) {
    const std::uint64_t before = completion_count();
    const std::size_t before_recorded = completions();
    const NTSTATUS returned = std::forward<F>(call)(static_cast<Irp*>(this));
    if (returned != status::invalid_parameter) {
      return ::testing::AssertionFailure()
             << "a call given a still-pending IRP returned " << status_string(returned)
             << ", expected STATUS_INVALID_PARAMETER (refused)";
    }
    if (completion_count() != before || completions() != before_recorded) {
      return ::testing::AssertionFailure()
             << "a refused call (IRP still pending) completed the IRP";
    }
    return ::testing::AssertionSuccess();
  }

  /// Waits (bounded) for the latest call's completion and returns its Outcome.
  Outcome wait(std::chrono::milliseconds bound = default_bound) {
    std::unique_lock lock(mutex_);
    const std::uint64_t index = calls_;
    cv_.wait_for(lock, bound, [&] { return history_.size() >= index; });
    return outcome_locked(index);
  }

  /// Waits (bounded) until the IRP completed at least @p n times in total.
  bool wait_completions(std::uint64_t n, std::chrono::milliseconds bound = default_bound) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return history_.size() >= n; });
  }

  /// Outcome of call number @p index (1-based) as known now (no waiting).
  Outcome outcome(std::uint64_t index) {
    std::lock_guard lock(mutex_);
    return outcome_locked(index);
  }
  /// Outcome of the latest call as known now (no waiting).
  Outcome latest() {
    std::lock_guard lock(mutex_);
    return outcome_locked(calls_);
  }

  [[nodiscard]] std::uint64_t calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  /// Completions seen by the routine (compare the library's own `completion_count()`).
  [[nodiscard]] std::size_t completions() const {
    std::lock_guard lock(mutex_);
    return history_.size();
  }
  [[nodiscard]] std::vector<Completion> history() const {
    std::lock_guard lock(mutex_);
    return history_;
  }
  [[nodiscard]] std::vector<std::string> violations() const {
    std::lock_guard lock(mutex_);
    return violations_;
  }
  /// True when every call given so far has completed.
  [[nodiscard]] bool settled() const {
    std::lock_guard lock(mutex_);
    return history_.size() >= calls_;
  }

 private:
  static void routine(Irp& irp, void* /*context*/) {
    auto& self = static_cast<TestIrp&>(irp);
    const Completion c{irp.IoStatus.Status, irp.IoStatus.Information,
                       completion_sequence().fetch_add(1, std::memory_order_acq_rel) + 1};
    {
      std::lock_guard lock(self.mutex_);
      self.history_.push_back(c);
      if (self.history_.size() > self.calls_) {
        self.add_violation_locked("completed " + std::to_string(self.history_.size()) +
                                  " times for " + std::to_string(self.calls_) +
                                  " call(s): completion with " + status_string(c.status) +
                                  " is one too many");
      }
      if (c.status == status::pending) {
        self.add_violation_locked("completed with STATUS_PENDING as its final status");
      }
    }
    if (self.hook_) self.hook_(self, c);
    {
      // Notify under the lock: once a waiter sees the count, the routine no longer
      // touches the IRP after this block.
      std::lock_guard lock(self.mutex_);
      self.cv_.notify_all();
    }
  }

  void add_violation_locked(std::string text) {
    violations_.push_back((name_.empty() ? std::string("IRP") : name_) + ": " + std::move(text));
  }

  Outcome outcome_locked(std::uint64_t index) const {
    Outcome o;
    o.what = name_.empty() ? std::string("IRP") : name_;
    if (index == 0) {
      o.violation = "no call was issued on this IRP";
      return o;
    }
    o.returned = index <= returns_.size() ? returns_[index - 1] : status::pending;
    if (history_.size() >= index) {
      const Completion& c = history_[index - 1];
      o.completed = true;
      o.status = c.status;
      o.information = c.information;
      o.seq = c.seq;
    }
    for (const auto& v : violations_) {
      if (!o.violation.empty()) o.violation += "; ";
      o.violation += v;
    }
    return o;
  }

  std::string name_;
  Hook hook_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t calls_ = 0;
  std::vector<NTSTATUS> returns_;
  std::vector<Completion> history_;
  std::vector<std::string> violations_;
};

}  // namespace wskport::test

#define EXPECT_COMPLETES_WITH(outcome, expected) \
  EXPECT_PRED_FORMAT2(::wskport::test::CompletesWith, outcome, expected)
#define ASSERT_COMPLETES_WITH(outcome, expected) \
  ASSERT_PRED_FORMAT2(::wskport::test::CompletesWith, outcome, expected)
#define EXPECT_OK(outcome) EXPECT_COMPLETES_WITH(outcome, ::wskport::status::success)
#define ASSERT_OK(outcome) ASSERT_COMPLETES_WITH(outcome, ::wskport::status::success)
#define EXPECT_KEPT_CONTRACT(outcome) EXPECT_PRED_FORMAT1(::wskport::test::KeptContract, outcome)
#define ASSERT_KEPT_CONTRACT(outcome) ASSERT_PRED_FORMAT1(::wskport::test::KeptContract, outcome)
