// SPDX-License-Identifier: MIT
// WPP software tracing at run time: the control blocks that WPP_CONTROL(bit) designates,
// their filter (the WSKPORT_WPP environment variable), and the trace entry point that
// the generated .tmh macros call once a trace is enabled.
//
// The filter: comma-separated items, each optionally "<ControlName>." qualified:
//   level:<n|none|critical|fatal|error|warning|information|info|verbose>
//   flags:<0xMASK|n|all|none|NAME|NAME|...>        (NAME: a WPP_DEFINE_BIT of the control)
//   off     (level none, no flags)      all     (every level and flag)
// applied in order over the default "level:information,flags:all". A control block is
// the process's for its lifetime (keyed by GUID), so sources and drivers that share a
// control share its state, and a driver loaded again finds it as it was.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/km/km_runtime.hpp"
#include "common/km/km_wpp.hpp"

namespace wskport::km::wpp {

namespace {

constexpr UCHAR kDefaultLevel = TRACE_LEVEL_INFORMATION;
constexpr ULONG kAllFlags = 0xFFFFFFFFU;

struct Rule {
  enum class What { level, flags, off, all };
  std::string control;  // empty: every control
  What what = What::all;
  ULONG value = 0;                      // the level, or the flags given as a number
  std::vector<std::string> flag_names;  // the flags given by name
};

struct Control {
  GUID guid{};
  std::string name;
  std::vector<std::string> bits;
  WSKPORT_WPP_CONTROL block{};
};

struct Registry {
  std::mutex lock;
  std::deque<Control> controls;  // a deque: blocks never move once handed out
  std::vector<Rule> rules;
  bool rules_loaded = false;
};

// Never destroyed: a driver thread may still trace while the process exits.
Registry& registry() noexcept {
  static Registry* r = new Registry;
  return *r;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c + 0; };
           return lower(x) == lower(y);
         });
}

std::optional<ULONG> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const std::string text(s);
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (end != text.c_str() + text.size() || v > 0xFFFFFFFFULL) return std::nullopt;
  return static_cast<ULONG>(v);
}

std::optional<ULONG> parse_level(std::string_view s) {
  static constexpr std::pair<std::string_view, ULONG> kNames[] = {
      {"none", TRACE_LEVEL_NONE},        {"critical", TRACE_LEVEL_CRITICAL},
      {"fatal", TRACE_LEVEL_FATAL},      {"error", TRACE_LEVEL_ERROR},
      {"warning", TRACE_LEVEL_WARNING},  {"information", TRACE_LEVEL_INFORMATION},
      {"info", TRACE_LEVEL_INFORMATION}, {"verbose", TRACE_LEVEL_VERBOSE}};
  for (const auto& [name, level] : kNames) {
    if (equal_ignoring_case(s, name)) return level;
  }
  const auto v = parse_number(s);
  if (!v || *v > 0xFF) return std::nullopt;
  return v;
}

bool is_name(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

std::optional<Rule> parse_item(std::string_view item) {
  Rule rule;
  std::string_view key = item;
  std::string_view value;
  if (const auto colon = item.find(':'); colon != std::string_view::npos) {
    key = trim(item.substr(0, colon));
    value = trim(item.substr(colon + 1));
  }
  if (const auto dot = key.rfind('.'); dot != std::string_view::npos) {
    rule.control = std::string(trim(key.substr(0, dot)));
    key = trim(key.substr(dot + 1));
    if (!is_name(rule.control)) return std::nullopt;
  }
  const bool has_value = item.find(':') != std::string_view::npos;
  if (equal_ignoring_case(key, "off") && !has_value) {
    rule.what = Rule::What::off;
  } else if (equal_ignoring_case(key, "all") && !has_value) {
    rule.what = Rule::What::all;
  } else if (equal_ignoring_case(key, "level")) {
    const auto level = parse_level(value);
    if (!level) return std::nullopt;
    rule.what = Rule::What::level;
    rule.value = *level;
  } else if (equal_ignoring_case(key, "flags")) {
    rule.what = Rule::What::flags;
    if (equal_ignoring_case(value, "all")) {
      rule.value = kAllFlags;
    } else if (equal_ignoring_case(value, "none")) {
      rule.value = 0;
    } else if (const auto v = parse_number(value)) {
      rule.value = *v;
    } else {
      while (!value.empty()) {
        const auto bar = value.find_first_of("|+");
        const std::string_view name = trim(value.substr(0, bar));
        if (!is_name(name)) return std::nullopt;
        rule.flag_names.emplace_back(name);
        value = bar == std::string_view::npos ? std::string_view() : value.substr(bar + 1);
      }
      if (rule.flag_names.empty()) return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  return rule;
}

std::optional<std::vector<Rule>> parse_rules(std::string_view spec) {
  std::vector<Rule> rules;
  while (!spec.empty()) {
    const auto comma = spec.find_first_of(",;");
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty()) continue;
    auto rule = parse_item(item);
    if (!rule) return std::nullopt;
    rules.push_back(std::move(*rule));
  }
  return rules;
}

// The environment's rules; a setting that does not parse is reported and ignored.
std::vector<Rule> environment_rules() {
  const char* env = std::getenv("WSKPORT_WPP");
  if (env == nullptr) return {};
  auto rules = parse_rules(env);
  if (rules) return std::move(*rules);
  detail::report(
      "WSKPORT_WPP='%s' does not parse (docs/porting.md); using the default, "
      "level:information,flags:all\n",
      env);
  return {};
}

void apply_rules(Control& c, const std::vector<Rule>& rules) noexcept {
  UCHAR level = kDefaultLevel;
  ULONG flags = kAllFlags;
  for (const Rule& r : rules) {
    if (!r.control.empty() && r.control != c.name) continue;
    switch (r.what) {
      case Rule::What::off:
        level = TRACE_LEVEL_NONE;
        flags = 0;
        break;
      case Rule::What::all:
        level = 0xFF;
        flags = kAllFlags;
        break;
      case Rule::What::level:
        level = static_cast<UCHAR>(r.value);
        break;
      case Rule::What::flags:
        flags = r.value;
        for (const std::string& name : r.flag_names) {
          const auto it = std::find(c.bits.begin(), c.bits.end(), name);
          if (it != c.bits.end() && it - c.bits.begin() < 32) {
            flags |= 1U << (it - c.bits.begin());
          }
        }
        break;
    }
  }
  c.block.Level = level;
  c.block.Flags[0] = flags;
}

// Call with the registry locked.
void load_rules(Registry& r) {
  if (r.rules_loaded) return;
  r.rules = environment_rules();
  r.rules_loaded = true;
}

WSKPORT_WPP_CONTROL& register_control(const WSKPORT_WPP_CONTROL_INFO& info) {
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  load_rules(r);
  for (Control& c : r.controls) {
    if (std::memcmp(&c.guid, &info.Guid, sizeof(GUID)) == 0) return c.block;
  }
  Control& c = r.controls.emplace_back();
  c.guid = info.Guid;
  c.name = info.Name != nullptr ? info.Name : "";
  for (const PCSTR* bit = info.BitNames; bit != nullptr && *bit != nullptr; ++bit) {
    c.bits.emplace_back(*bit);
  }
  apply_rules(c, r.rules);
  return c.block;
}

WSKPORT_WPP_CONTROL& disabled_control() noexcept {
  static WSKPORT_WPP_CONTROL block{};
  return block;
}

// Trace lines end with exactly one newline (a message's own "\n", which WPP formats
// often carry for tracefmt, is not doubled).
void write_line(char* text, std::size_t length) noexcept {
  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r')) --length;
  text[length] = '\n';
  detail::debug_write(text, length + 1);
}

}  // namespace

}  // namespace wskport::km::wpp

using namespace wskport::km;

extern "C" {

PWSKPORT_WPP_CONTROL WskportWppControl(PWSKPORT_WPP_FILE File, LONG Index) {
  if (File == nullptr || Index < 0 || static_cast<ULONG>(Index) >= File->ControlCount) {
    return &wpp::disabled_control();
  }
  // The source's cache is read and written by any thread that traces: atomically.
  const std::atomic_ref<PWSKPORT_WPP_CONTROL> cached(File->Cache[Index]);
  PWSKPORT_WPP_CONTROL block = cached.load(std::memory_order_acquire);
  if (block != nullptr) return block;
  try {
    block = &wpp::register_control(File->Controls[Index]);
  } catch (...) {
    return &wpp::disabled_control();  // no memory: this trace is off, a later one retries
  }
  cached.store(block, std::memory_order_release);
  return block;
}

VOID WskportWppInit(PWSKPORT_WPP_FILE File, ...) {
  if (File == nullptr) return;
  for (ULONG i = 0; i < File->ControlCount; ++i) {
    (void)WskportWppControl(File, static_cast<LONG>(i));
  }
}

VOID WskportWppCleanup(PWSKPORT_WPP_FILE File) { UNREFERENCED_PARAMETER(File); }

VOID WskportWppTrace(PWSKPORT_WPP_FILE File, ULONG Level, PCSTR Flag, ULONG Line, PCSTR Function,
                     ULONG Parts, ...) {
  wpp::Trace trace(File, Level, Flag, Line, Function);
  va_list args;
  va_start(args, Parts);
  char small[1024];
  text::Output out(small, sizeof small - 1);  // room for the newline
  (void)text::vformat_parts(out, Parts, args, trace);
  if (out.produced() <= sizeof small - 1) {
    wpp::write_line(small, out.produced());
  } else {
    try {
      std::vector<char> big(out.produced() + 1);
      text::Output again(big.data(), out.produced());
      (void)text::vformat_parts(again, Parts, args, trace);
      wpp::write_line(big.data(), out.produced());
    } catch (...) {
      wpp::write_line(small, sizeof small - 1);  // no memory: the truncated line
    }
  }
  va_end(args);
}

NTSTATUS WskportWppSetFilter(PCSTR Spec) {
  std::vector<wpp::Rule> rules;
  try {
    if (Spec != nullptr) {
      auto parsed = wpp::parse_rules(Spec);
      if (!parsed) return STATUS_INVALID_PARAMETER;
      rules = std::move(*parsed);
    } else {
      rules = wpp::environment_rules();
    }
    wpp::Registry& r = wpp::registry();
    std::lock_guard<std::mutex> guard(r.lock);
    r.rules = std::move(rules);
    r.rules_loaded = true;
    for (wpp::Control& c : r.controls) wpp::apply_rules(c, r.rules);
  } catch (...) {
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  return STATUS_SUCCESS;
}

}  // extern "C"
