// SPDX-License-Identifier: MIT
// Which engines a test program covers. ctest runs each suite that is not parametrised
// over engines once per engine compiled in, with WSKPORT_ENGINE set
// (wskport_add_test_per_engine, tests/CMakeLists.txt); a program run that way covers that
// engine only, and engine_environment.cpp skips it whole, with the reason, where the host
// cannot run it. Without the variable a program covers every engine this host can run.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "wskport/provider.hpp"

namespace wskport::test {

/// WSKPORT_ENGINE's value, empty when unset.
inline std::string engine_from_environment() {
  const char* v = std::getenv("WSKPORT_ENGINE");  // NOLINT(concurrency-mt-unsafe)
  return v == nullptr ? std::string() : std::string(v);
}

/// The engines a parametrised suite instantiates: the one WSKPORT_ENGINE names, else every
/// engine this host can run, best first.
inline std::vector<std::string> engines_under_test() {
  std::vector<std::string> out;
  if (std::string e = engine_from_environment(); !e.empty()) {
    out.push_back(std::move(e));
    return out;
  }
  for (auto name : available_engines()) out.emplace_back(name);
  return out;
}

/// The engine a suite that is not parametrised runs on: the one WSKPORT_ENGINE names,
/// else the best available (what an empty ProviderOptions::engine gets).
inline std::string engine_under_test() {
  const auto all = engines_under_test();
  return all.empty() ? std::string() : all.front();
}

}  // namespace wskport::test
