// SPDX-License-Identifier: MIT
// Driver images through the loader API (wskport_driver.h): each test driver is a real
// image built by wskport_add_driver(), loaded into this process beside the shared
// runtime. echo_a.sys and echo_b.sys define the C library's socket and heap names
// (bsd_layer.c): if those escaped their image, this process would deadlock or recurse
// in the runtime's own name resolution and heap, so every passing echo here also says
// the image kept its names to itself.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "image_cases.h"

// LeakSanitizer would report the blocks leaky.sys leaks on purpose (and the loader has
// reported already) as the program's own leaks at exit: allocations made while a
// LeaksOnPurpose exists on this thread are left out of its report.
#if defined(__SANITIZE_ADDRESS__)
#define WSKPORT_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WSKPORT_TEST_LSAN 1
#endif
#endif
#if defined(WSKPORT_TEST_LSAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace {

struct LeaksOnPurpose {
  LeaksOnPurpose() {
#if defined(WSKPORT_TEST_LSAN)
    __lsan_disable();
#endif
  }
  ~LeaksOnPurpose() {
#if defined(WSKPORT_TEST_LSAN)
    __lsan_enable();
#endif
  }
  LeaksOnPurpose(const LeaksOnPurpose&) = delete;
  LeaksOnPurpose& operator=(const LeaksOnPurpose&) = delete;
};

// NTSTATUS values the loader completes with (ntstatus.h).
constexpr int kSuccess = 0;
constexpr int kUnsuccessful = static_cast<int>(0xC0000001U);
constexpr int kInvalidParameter = static_cast<int>(0xC000000DU);
constexpr int kProcedureNotFound = static_cast<int>(0xC000007AU);
constexpr int kTooManySessions = static_cast<int>(0xC00000CEU);
constexpr int kDeviceNotReady = static_cast<int>(0xC00000A3U);
constexpr int kImageAlreadyLoaded = static_cast<int>(0xC000010EU);
constexpr int kDllNotFound = static_cast<int>(0xC0000135U);

std::string registry(const std::string& name, const std::string& options) {
  return "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + name + options;
}

// Loads, expects DriverEntry to succeed, unloads, expects nothing leaked.
void load_and_unload_clean(const char* file, const std::string& path) {
  void* image = nullptr;
  ASSERT_EQ(image_load(file, path.c_str(), &image), kSuccess) << file << " " << path;
  ASSERT_NE(image, nullptr);
  image_leaks leaks{};
  EXPECT_EQ(image_unload(image, &leaks), kSuccess);
  EXPECT_EQ(leaks.pool_blocks + leaks.irps + leaks.mdls, 0UL);
  EXPECT_EQ(leaks.registrations + leaks.sockets + leaks.threads + leaks.timers_and_dpcs, 0UL);
  EXPECT_EQ(leaks.unmapped, 1);
}

TEST(DriverImage, EchoesOverIpv4ThroughItsOwnGetaddrinfo) {
  load_and_unload_clean("echo_a.sys", registry("echo_a", ";Family=4"));
}

TEST(DriverImage, EchoesOverIpv6) {
  load_and_unload_clean("echo_a.sys", registry("echo_a", ";Family=6"));
}

TEST(DriverImage, EchoesOverADualStackListener) {
  load_and_unload_clean("echo_a.sys", registry("echo_a", ";Family=dual"));
}

TEST(DriverImage, DefaultRegistryPathNamesTheImage) {
  load_and_unload_clean("echo_b.sys", std::string());
}

TEST(DriverImage, TwoImagesLoadedAtOnceBothWork) {
  void* a = nullptr;
  void* b = nullptr;
  ASSERT_EQ(image_load("echo_a.sys", registry("echo_a", ";Family=6").c_str(), &a), kSuccess);
  // B runs its whole echo while A is loaded, with the same symbol names inside.
  ASSERT_EQ(image_load("echo_b.sys", registry("echo_b", ";Family=4").c_str(), &b), kSuccess);
  image_leaks leaks{};
  EXPECT_EQ(image_unload(a, &leaks), kSuccess);
  EXPECT_EQ(leaks.unmapped, 1);
  EXPECT_EQ(image_unload(b, &leaks), kSuccess);
  EXPECT_EQ(leaks.unmapped, 1);
}

TEST(DriverImage, LoadUnloadLoadAgainStartsFromFreshGlobals) {
  // echo_driver.c fails DriverEntry with STATUS_IMAGE_ALREADY_LOADED if its globals were
  // not zero: only an image that was really unmapped and mapped again passes twice.
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    load_and_unload_clean("echo_a.sys", registry("echo_a", ";Family=4"));
  }
}

TEST(DriverImage, UnloadReportsPoolIrpAndMdlLeaks) {
  void* image = nullptr;
  {
    const LeaksOnPurpose on_purpose;
    ASSERT_EQ(image_load("leaky.sys", registry("leaky", ";Leak=memory").c_str(), &image), kSuccess);
  }
  image_leaks leaks{};
  EXPECT_EQ(image_unload(image, &leaks), kUnsuccessful);
  EXPECT_EQ(leaks.pool_blocks, 1UL);
  EXPECT_EQ(leaks.irps, 1UL);
  EXPECT_EQ(leaks.mdls, 1UL);
  EXPECT_EQ(leaks.registrations + leaks.sockets + leaks.threads, 0UL);
  EXPECT_EQ(leaks.unmapped, 1);  // only memory leaked: nothing can run in the image
}

TEST(DriverImage, NoLeakNoReport) { load_and_unload_clean("leaky.sys", registry("leaky", "")); }

TEST(DriverImage, FailedDriverEntryUnloadsTheImage) {
  void* image = reinterpret_cast<void*>(std::uintptr_t{1});
  {
    const LeaksOnPurpose on_purpose;
    EXPECT_EQ(image_load("leaky.sys", registry("leaky", ";Leak=memory;Fail").c_str(), &image),
              kDeviceNotReady);
  }
  EXPECT_EQ(image, nullptr);
  // The image went: it loads again.
  load_and_unload_clean("leaky.sys", registry("leaky", ""));
}

TEST(DriverImage, BadArgumentsAndMissingImages) {
  void* image = reinterpret_cast<void*>(std::uintptr_t{1});
  EXPECT_EQ(image_load(nullptr, nullptr, &image), kInvalidParameter);
  EXPECT_EQ(image, nullptr);
  EXPECT_EQ(image_load("", nullptr, &image), kInvalidParameter);
  EXPECT_EQ(image_load("echo_a.sys", nullptr, nullptr), kInvalidParameter);
  EXPECT_EQ(image_load("no_such_image.sys", nullptr, &image), kDllNotFound);
  EXPECT_EQ(image_load("no_entry.sys", nullptr, &image), kProcedureNotFound);
  EXPECT_EQ(image, nullptr);
  EXPECT_EQ(image_unload(nullptr, nullptr), kInvalidParameter);
  int not_an_image = 0;
  EXPECT_EQ(image_unload(&not_an_image, nullptr), kInvalidParameter);
}

TEST(DriverImage, SameImageTwiceAndUnloadTwiceAreRefused) {
  void* image = nullptr;
  ASSERT_EQ(image_load("idle_1.sys", nullptr, &image), kSuccess);
  void* again = nullptr;
  EXPECT_EQ(image_load("idle_1.sys", nullptr, &again), kImageAlreadyLoaded);
  EXPECT_EQ(again, nullptr);
  EXPECT_EQ(image_unload(image, nullptr), kSuccess);
  EXPECT_EQ(image_unload(image, nullptr), kInvalidParameter);
}

TEST(DriverImage, SixteenImagesAtOnceAndNoMore) {
  std::vector<void*> images;
  for (int i = 1; i <= 16; ++i) {
    void* image = nullptr;
    const std::string file = "idle_" + std::to_string(i) + ".sys";
    ASSERT_EQ(image_load(file.c_str(), nullptr, &image), kSuccess) << file;
    images.push_back(image);
  }
  void* image = nullptr;
  EXPECT_EQ(image_load("idle_17.sys", nullptr, &image), kTooManySessions);
  for (void* i : images) EXPECT_EQ(image_unload(i, nullptr), kSuccess);
  ASSERT_EQ(image_load("idle_17.sys", nullptr, &image), kSuccess);
  EXPECT_EQ(image_unload(image, nullptr), kSuccess);
}

}  // namespace
