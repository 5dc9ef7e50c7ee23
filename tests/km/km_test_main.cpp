// SPDX-License-Identifier: MIT
// The gtest harness of the kernel-style test drivers. It sees the drivers only through
// km_test_cases.h (plain C types): this TU is compiled with the host's wchar_t and
// GoogleTest, the drivers with -fshort-wchar and the kernel headers.
//
// Each driver is loaded once per process (DriverEntry) by a gtest Environment and
// unloaded at the end (DriverUnload + the driver's own books: IRPs, MDLs, pool,
// sockets). Every case is registered as its own test, KmDriverC.<Case> or
// KmDriverCpp.<Case>, and asserts the result and message the case reports.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <string>
#include <vector>

#include "km_test_cases.h"
#include "support/platform.hpp"

namespace {

constexpr unsigned int kMessageCap = 1024;

struct LoadedDriver {
  const KM_TEST_DRIVER* driver = nullptr;
  int load_result = KM_TEST_FAILED;
  std::string load_message = "not loaded";
};

std::vector<LoadedDriver>& drivers() {
  static std::vector<LoadedDriver> all;
  return all;
}

// DriverEntry before the first test, DriverUnload (and the books) after the last.
class DriverEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    for (LoadedDriver& d : drivers()) {
      std::array<char, kMessageCap> msg{};
      d.load_result = d.driver->load(msg.data(), kMessageCap);
      d.load_message = msg.data();
    }
  }
  void TearDown() override {
    for (LoadedDriver& d : drivers()) {
      if (d.load_result != KM_TEST_PASSED) continue;
      std::array<char, kMessageCap> msg{};
      const int result = d.driver->unload(msg.data(), kMessageCap);
      EXPECT_EQ(result, KM_TEST_PASSED) << d.driver->name << " DriverUnload: " << msg.data();
    }
  }
};

class DriverCaseTest : public testing::Test {
 public:
  DriverCaseTest(const LoadedDriver* driver, const KM_TEST_CASE* test_case)
      : driver_(driver), case_(test_case) {}

  void TestBody() override {
    ASSERT_EQ(driver_->load_result, KM_TEST_PASSED)
        << driver_->driver->name << " DriverEntry: " << driver_->load_message;
    std::array<char, kMessageCap> msg{};
    const int result = case_->run(msg.data(), kMessageCap);
    if (result == KM_TEST_SKIPPED) {
      GTEST_SKIP() << msg.data();
    }
    EXPECT_EQ(result, KM_TEST_PASSED) << msg.data();
  }

 private:
  const LoadedDriver* driver_;
  const KM_TEST_CASE* case_;
};

void register_driver(const KM_TEST_DRIVER* driver) {
  drivers().push_back(LoadedDriver{driver, KM_TEST_FAILED, "not loaded"});
}

void register_cases() {
  for (const LoadedDriver& d : drivers()) {
    for (unsigned int i = 0; i < d.driver->case_count; ++i) {
      const KM_TEST_CASE* test_case = &d.driver->cases[i];
      const LoadedDriver* owner = &d;
      testing::RegisterTest(
          d.driver->name, test_case->name, nullptr, nullptr, __FILE__, __LINE__,
          [owner, test_case]() -> testing::Test* { return new DriverCaseTest(owner, test_case); });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  unsigned int quirks = 0;
  if (wskport::test::platform::running_under_wine()) {
    quirks |= KM_TEST_QUIRK_RESET_SEEN_AS_GRACEFUL | KM_TEST_QUIRK_NAMES_THROUGH_ANSI;
  }
  // Set by tests/km/private_names.sh once its files are in place.
  if (std::getenv("WSKPORT_TEST_PRIVATE_NAMES") != nullptr) quirks |= KM_TEST_QUIRK_PRIVATE_NAMES;
  wskport_km_test_set_quirks(quirks);
  register_driver(wskport_km_test_driver_c());
  register_driver(wskport_km_test_driver_cpp());
  register_cases();  // after the vector is complete: the tests keep pointers into it
  testing::AddGlobalTestEnvironment(new DriverEnvironment);
  return RUN_ALL_TESTS();
}
