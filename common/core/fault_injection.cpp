// SPDX-License-Identifier: MIT
// Fault scripts: the parser, the installed plan, and the per-rule call counters that
// make "the Nth call" deterministic. The decorating backend (fault_backend.cpp) asks
// match() once per call while a script is installed.
#include "common/core/fault_injection.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wskport/fault_injection.hpp"

namespace wskport {
namespace detail::faults {

namespace {

constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();

bool waits(Op op) noexcept { return op_info(op).waits; }

// Which actions make sense for which operation: a synchronous call cannot pend, a
// short transfer and a reset need a stream transfer, and create has no socket yet.
bool applicable(Op op, Action action) noexcept {
  switch (action) {
    case Action::fail:
      return true;
    case Action::short_transfer:
    case Action::reset:
      return op == Op::send || op == Op::receive;
    case Action::would_block:
    case Action::delay:
      return waits(op);
    case Action::forced_close:
      return op != Op::create;
  }
  return false;
}

struct Rule {
  bool any_op = false;
  Op op = Op::create;
  std::uint64_t first = 1;
  std::uint64_t last = no_limit;
  Fault fault;
  std::atomic<std::uint64_t> calls{0};
};

struct Plan {
  std::vector<std::unique_ptr<Rule>> rules;
};

struct State {
  std::mutex mutex;
  std::shared_ptr<Plan> plan;
  std::atomic<bool> active{false};
  std::atomic<std::uint64_t> injected{0};
  std::once_flag environment_read;
};

State& state() noexcept {
  static State s;
  return s;
}

// Joins the pieces of a parse error. Appending, not operator+: GCC 12 at -O3 reports a
// false -Wrestrict inside std::string's operator+ (GCC bug 105329).
std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto part : parts) out.append(part);
  return out;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool parse_number(std::string_view text, std::uint64_t& out) noexcept {
  text = trim(text);
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

// "op", "op#N", "op#N+", "op#N-M".
bool parse_target(std::string_view text, Rule& rule, std::string& error) {
  const auto hash = text.find('#');
  const std::string_view name = trim(text.substr(0, hash));
  if (name == "*") {
    rule.any_op = true;
  } else {
    bool found = false;
    for (const auto& row : operations) {
      if (!row.fault.empty() && row.fault == name) {
        rule.op = row.kind;
        found = true;
      }
    }
    if (!found) {
      error = join({"unknown operation \"", name, "\""});
      return false;
    }
  }
  if (hash == std::string_view::npos) return true;
  std::string_view range = trim(text.substr(hash + 1));
  if (!range.empty() && range.back() == '+') {
    range.remove_suffix(1);
    if (!parse_number(range, rule.first) || rule.first == 0) {
      error = join({"bad call number in \"", text, "\""});
      return false;
    }
    rule.last = no_limit;
    return true;
  }
  const auto dash = range.find('-');
  if (!parse_number(range.substr(0, dash), rule.first) || rule.first == 0) {
    error = join({"bad call number in \"", text, "\""});
    return false;
  }
  rule.last = rule.first;
  if (dash != std::string_view::npos &&
      (!parse_number(range.substr(dash + 1), rule.last) || rule.last < rule.first)) {
    error = join({"bad call range in \"", text, "\""});
    return false;
  }
  return true;
}

bool parse_action(std::string_view text, Rule& rule, std::string& error) {
  text = trim(text);
  const auto colon = text.find(':');
  const std::string_view word = trim(text.substr(0, colon));
  const std::string_view arg = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  auto& f = rule.fault;
  auto need_amount = [&](Action a, std::string_view unit_suffix) {
    std::string_view a_text = trim(arg);
    if (!unit_suffix.empty() && a_text.size() > unit_suffix.size() &&
        a_text.substr(a_text.size() - unit_suffix.size()) == unit_suffix) {
      a_text.remove_suffix(unit_suffix.size());
    }
    f.action = a;
    if (!parse_number(a_text, f.amount) || (a != Action::delay && f.amount == 0)) {
      error = join({"\"", word, "\" needs a positive number, as in \"", word, ":10\""});
      return false;
    }
    return true;
  };
  if (word == "short") return need_amount(Action::short_transfer, "");
  if (word == "wouldblock") return need_amount(Action::would_block, "");
  if (word == "delay") return need_amount(Action::delay, "ms");
  if (colon != std::string_view::npos) {
    error = join({"unknown action \"", word, "\""});
    return false;
  }
  if (word == "reset") {
    f.action = Action::reset;
    f.status = reset_status();
    return true;
  }
  if (word == "forced_close") {
    f.action = Action::forced_close;
    f.status = status::file_forced_closed;
    return true;
  }
  // An error code: a number is taken as a native code, a name goes through the table.
  int code = 0;
  std::uint64_t number = 0;
  if (parse_number(word, number) &&
      number <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    code = static_cast<int>(number);
  } else if (!native_error_code(word, code)) {
    error = join({"\"", word,
                  "\" is neither an action (short, wouldblock, delay, reset, forced_close) nor "
                  "an error code this platform's table lists"});
    return false;
  }
  f.action = Action::fail;
  f.status = status_from_native_error(code);
  return true;
}

std::shared_ptr<Plan> parse(std::string_view script, std::string& error) {
  auto plan = std::make_shared<Plan>();
  std::size_t index = 0;
  while (!script.empty()) {
    const auto semi = script.find(';');
    const std::string_view text = trim(script.substr(0, semi));
    script = semi == std::string_view::npos ? std::string_view{} : script.substr(semi + 1);
    if (text.empty()) continue;
    ++index;
    auto rule = std::make_unique<Rule>();
    const auto eq = text.find('=');
    std::string why;
    if (eq == std::string_view::npos) {
      why = "no '=' (rules read op[#N]=action)";
    } else if (parse_target(text.substr(0, eq), *rule, why) &&
               parse_action(text.substr(eq + 1), *rule, why)) {
      if (!rule->any_op && !applicable(rule->op, rule->fault.action)) {
        why = "this action does not apply to this operation";
      }
    }
    if (!why.empty()) {
      error = join({"rule ", std::to_string(index), " (\"", text, "\"): ", why});
      return nullptr;
    }
    plan->rules.push_back(std::move(rule));
  }
  return plan;
}

void install(std::shared_ptr<Plan> plan) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  const bool on = plan != nullptr && !plan->rules.empty();
  s.plan = on ? std::move(plan) : nullptr;
  s.injected.store(0, std::memory_order_relaxed);
  s.active.store(on, std::memory_order_release);
}

void read_environment() {
  const char* text = std::getenv("WSKPORT_FAULTS");  // NOLINT(concurrency-mt-unsafe)
  if (text == nullptr || *text == '\0') return;
  std::string error;
  try {
    auto plan = parse(text, error);
    if (plan) {
      install(std::move(plan));
      return;
    }
  } catch (...) {
    error = "out of memory";
  }
  std::fprintf(stderr, "wskport: WSKPORT_FAULTS ignored: %s\n", error.c_str());
}

void ensure_environment_read() noexcept {
  try {
    std::call_once(state().environment_read, read_environment);
  } catch (...) {
    // An exception escaping call_once leaves the flag unset; faults stay off.
  }
}

}  // namespace

bool active() noexcept {
  ensure_environment_read();
  return state().active.load(std::memory_order_relaxed);
}

std::optional<Fault> match(Op op) noexcept {
  auto& s = state();
  std::shared_ptr<Plan> plan;
  {
    std::lock_guard lock(s.mutex);
    plan = s.plan;
  }
  if (!plan) return std::nullopt;
  std::optional<Fault> chosen;
  for (auto& rule : plan->rules) {
    if (!rule->any_op && rule->op != op) continue;
    if (!applicable(op, rule->fault.action)) continue;
    const std::uint64_t n = rule->calls.fetch_add(1, std::memory_order_relaxed) + 1;
    if (!chosen && n >= rule->first && n <= rule->last) chosen = rule->fault;
  }
  if (chosen) s.injected.fetch_add(1, std::memory_order_relaxed);
  return chosen;
}

NTSTATUS reset_status() noexcept {
  int code = 0;
  return native_error_code("ECONNRESET", code) ? status_from_native_error(code)
                                               : status::connection_reset;
}

}  // namespace detail::faults

namespace faults {

NTSTATUS set_script(std::string_view script, std::string* error) {
  detail::faults::ensure_environment_read();
  std::string why;
  auto plan = detail::faults::parse(script, why);
  if (!plan) {
    if (error != nullptr) *error = why;
    return status::invalid_parameter;
  }
  detail::faults::install(std::move(plan));
  if (error != nullptr) error->clear();
  return status::success;
}

void clear() noexcept {
  detail::faults::ensure_environment_read();
  detail::faults::install(nullptr);
}

bool enabled() noexcept { return detail::faults::active(); }

std::uint64_t injected() noexcept {
  return detail::faults::state().injected.load(std::memory_order_relaxed);
}

NTSTATUS status_for_code(std::string_view code, bool* known) noexcept {
  int native = 0;
  std::uint64_t number = 0;
  bool ok = false;
  if (detail::faults::parse_number(code, number) &&
      number <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    native = static_cast<int>(number);
    ok = true;
  } else {
    ok = detail::native_error_code(detail::faults::trim(code), native);
  }
  if (known != nullptr) *known = ok;
  return ok ? detail::status_from_native_error(native) : status::unsuccessful;
}

}  // namespace faults
}  // namespace wskport
