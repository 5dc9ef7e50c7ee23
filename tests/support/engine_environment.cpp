// SPDX-License-Identifier: MIT
// Compiled into every test program that ctest runs once per engine
// (wskport_add_test_per_engine): when WSKPORT_ENGINE names an engine this host cannot
// run, the whole program is skipped with the reason (ctest shows the entry as skipped),
// instead of every test failing at Provider::create; a name that is not compiled in at
// all is a failure (a mistake in the test registration, not a property of the host).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/engines.hpp"
#include "wskport/provider.hpp"

namespace {

class EngineEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const std::string name = wskport::test::engine_from_environment();
    if (name.empty()) return;
    std::string reason;
    if (wskport::engine_status(name, &reason) == wskport::status::success) return;
    bool compiled_in = false;
    for (const auto& e : wskport::compiled_engines()) compiled_in = compiled_in || e.name == name;
    if (!compiled_in) {
      FAIL() << "WSKPORT_ENGINE=" << name << " is not an engine of this build: " << reason;
    }
    // The marker line is what ctest's SKIP_REGULAR_EXPRESSION looks for.
    std::printf("wskport: engine %s cannot run on this host, all tests skipped: %s\n", name.c_str(),
                reason.c_str());
    std::fflush(stdout);
    GTEST_SKIP() << "WSKPORT_ENGINE=" << name << ": " << reason;
  }
};

// Registered before main runs (gtest owns the environment).
[[maybe_unused]] ::testing::Environment* const registered =
    ::testing::AddGlobalTestEnvironment(new EngineEnvironment);

}  // namespace
