// SPDX-License-Identifier: MIT
// WPP software tracing: the .tmh generated for the driver-style sources wpp_flags.c and
// wpp_levels.c, and the runtime behind it. The traces are captured from stderr (the
// DbgPrint sink) and compared line by line.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "wpp_cases.h"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The standard prefix: "[<level>|<flag>] <file>:<line> <function>: ".
std::string at(const std::string& tag, const char* file, int line, const char* function) {
  return "[" + tag + "] " + file + ":" + std::to_string(line) + " " + function + ": ";
}

std::string pointer(std::uintptr_t value) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string s(2 * sizeof(void*), '0');
  for (std::size_t i = 0; i < s.size(); ++i) {
    s[s.size() - 1 - i] = kDigits[(value >> (4 * i)) & 0xF];
  }
  return s;
}

class Wpp : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(0, wpp_test_set_filter("")); }  // the default
  void TearDown() override { EXPECT_EQ(0, wpp_test_set_filter(nullptr)); }

  template <class F>
  static std::vector<std::string> capture(F&& traces) {
    ::testing::internal::CaptureStderr();
    traces();
    return lines_of(::testing::internal::GetCapturedStderr());
  }
};

TEST_F(Wpp, driver_entry_and_unload_trace_as_echosrv_does) {
  int entry = 0;
  int unload = 0;
  const auto out = capture([&] {
    entry = wpp_flags_driver_entry();
    unload = wpp_flags_unload();
  });
  const std::vector<std::string> expected{
      at("FLG_INFO", "wpp_flags.c", entry, "wpp_flags_driver_entry") + "LOADED",
      at("FLG_INFO", "wpp_flags.c", unload, "wpp_flags_unload") + "UNLOAD"};
  EXPECT_EQ(expected, out);
}

TEST_F(Wpp, formats_print_readably) {
  int l[WPP_FLAGS_TRACES] = {};
  const auto out = capture([&] { wpp_flags_formats(l); });
  const char* f = "wpp_flags_formats";
  const std::vector<std::string> expected{
      at("FLG_ERROR", "wpp_flags.c", l[0], f) +
          "connect: STATUS_CONNECTION_REFUSED (0xC0000236), then 0xC0DE0001",
      at("FLG_INFO", "wpp_flags.c", l[1], f) + "peer 192.0.2.33:8080",
      at("FLG_INFO", "wpp_flags.c", l[2], f) + "wpp_flags_formats line " + std::to_string(l[2]) +
          " of wpp_flags.c, flag FLG_INFO of WppFlagsCtl, TRACE_LEVEL_NONE",
      at("FLG_DATA", "wpp_flags.c", l[3], f) + "payload 00 01 7f 80 fe ff (6 bytes)",
      at("FLG_INFO", "wpp_flags.c", l[4], f) + "ctx " + pointer(0x1234) +
          " name sock wide w1 w2 counted echo\xc3\xa9 counted",
      at("FLG_INFO", "wpp_flags.c", l[5], f) +
          "n=-5 u=7 x=0000beef big=123456789abc size=65536 c=q pct=%",
      at("FLG_INFO", "wpp_flags.c", l[6], f) +
          "guid {998bdf51-0349-4fbc-870c-d6130a955a5f} ok TRUE FALSE err ERROR_FILE_NOT_FOUND "
          "(2) hr E_FAIL (0x80004005)",
      at("FLG_ERROR", "wpp_flags.c", l[7], f) +
          "at 2024-01-02T03:04:05.678Z irql DISPATCH_LEVEL waited 1~02:03:04.005",
      at("FLG_INFO", "wpp_flags.c", l[8], f) + "sid S-1-5-18 strings a echo\xc3\xa9 counted",
      at("FLG_INFO", "wpp_flags.c", l[9], f) + "ints -3 0xAB 65535 0x0000001F -9000000000 42 2.5",
      at("FLG_INFO", "wpp_flags.c", l[10], f) + "ends with a newline",
  };
  EXPECT_EQ(expected, out);
}

TEST_F(Wpp, flags_filter_at_run_time) {
  ASSERT_EQ(0, wpp_test_set_filter("flags:FLG_ERROR|FLG_DATA"));
  EXPECT_EQ(0x5UL, wpp_flags_control_flags());
  int l[WPP_FLAGS_TRACES] = {};
  const auto out = capture([&] { wpp_flags_formats(l); });
  ASSERT_EQ(3U, out.size());
  EXPECT_EQ(0U, out[0].find(at("FLG_ERROR", "wpp_flags.c", l[0], "wpp_flags_formats")));
  EXPECT_EQ(0U, out[1].find(at("FLG_DATA", "wpp_flags.c", l[3], "wpp_flags_formats")));
  EXPECT_EQ(0U, out[2].find(at("FLG_ERROR", "wpp_flags.c", l[7], "wpp_flags_formats")));

  ASSERT_EQ(0, wpp_test_set_filter("WppFlagsCtl.flags:0x2"));
  EXPECT_EQ(0x2UL, wpp_flags_control_flags());
  ASSERT_EQ(0, wpp_test_set_filter("off"));
  EXPECT_EQ(0UL, wpp_flags_control_flags());
  EXPECT_EQ(0U, wpp_flags_control_level());
  EXPECT_TRUE(capture([&] { wpp_flags_formats(l); }).empty());
  // A rule for another control leaves this one alone.
  ASSERT_EQ(0, wpp_test_set_filter("SomeOtherCtl.off"));
  EXPECT_EQ(0xFFFFFFFFUL, wpp_flags_control_flags());
  EXPECT_EQ(4U, wpp_flags_control_level());
}

TEST_F(Wpp, disabled_trace_does_not_evaluate_its_arguments) {
  int counter = 0;
  ASSERT_EQ(0, wpp_test_set_filter("flags:FLG_ERROR"));
  EXPECT_TRUE(capture([&] { wpp_flags_side_effects(&counter); }).empty());
  EXPECT_EQ(0, counter);
  ASSERT_EQ(0, wpp_test_set_filter("flags:FLG_DATA"));
  int line = 0;
  const auto out = capture([&] { line = wpp_flags_side_effects(&counter); });
  EXPECT_EQ(1, counter);  // evaluated once
  ASSERT_EQ(1U, out.size());
  EXPECT_EQ(at("FLG_DATA", "wpp_flags.c", line, "wpp_flags_side_effects") + "count 1", out[0]);
}

TEST_F(Wpp, long_line_is_whole) {
  int line = 0;
  const auto out = capture([&] { line = wpp_flags_long(2500); });
  ASSERT_EQ(1U, out.size());
  EXPECT_EQ(at("FLG_INFO", "wpp_flags.c", line, "wpp_flags_long") + "long " +
                std::string(2500, 'x') + " end",
            out[0]);
}

TEST_F(Wpp, unknown_type_stops_the_line_with_a_marker) {
  int line = 0;
  const auto out = capture([&] { line = wpp_flags_unknown_type(); });
  ASSERT_EQ(1U, out.size());
  EXPECT_EQ(at("FLG_INFO", "wpp_flags.c", line, "wpp_flags_unknown_type") +
                "before %!NOPE! [wskport: unknown WPP type; the rest of the trace is not shown]",
            out[0]);
}

TEST_F(Wpp, filter_that_does_not_parse_is_refused) {
  EXPECT_EQ(-1, wpp_test_set_filter("level:loud"));
  EXPECT_EQ(-1, wpp_test_set_filter("flags:"));
  EXPECT_EQ(-1, wpp_test_set_filter("colour:red"));
  EXPECT_EQ(-1, wpp_test_set_filter("Bad-Name.off"));
  EXPECT_EQ(0xFFFFFFFFUL, wpp_flags_control_flags());  // unchanged
  EXPECT_EQ(0, wpp_test_set_filter(" level : error ; flags : 3 "));
  EXPECT_EQ(3UL, wpp_flags_control_flags());
  EXPECT_EQ(2U, wpp_flags_control_level());
}

struct Levels {
  int l[WPP_LEVELS_TRACES] = {};
  std::vector<std::string> out;
  std::string line(int i, const std::string& tag) const {
    return at(tag, "wpp_levels.c", l[i], "wpp_levels_trace");
  }
};

Levels run_levels() {
  Levels r;
  ::testing::internal::CaptureStderr();
  wpp_levels_trace(r.l);
  r.out = lines_of(::testing::internal::GetCapturedStderr());
  return r;
}

TEST_F(Wpp, levels_and_flags_by_default) {
  const Levels r = run_levels();
  const std::vector<std::string> expected{
      r.line(0, "ERROR|LVL_SOCKET") + "connect failed STATUS_IO_TIMEOUT (0xC00000B5)",
      r.line(1, "INFO|LVL_SOCKET") + "connected at TRACE_LEVEL_INFORMATION",
      // [2] is TRACE_LEVEL_VERBOSE: hidden by default.
      r.line(3, "WARNING|LVL_DRIVER") + "driver warns",
      r.line(4, "WARNING|LVL_SOCKET") + "sock: closing " + pointer(0xABC),
      // [5] traces only a failure (its PRE/POST).
      r.line(6, "LVL_QUEUE") + "failed with STATUS_CANCELLED (0xC0000120)",
      r.line(7, "INFO|LVL_DRIVER") + "legacy 7",
      r.line(8, "INFO|LVL_QUEUE") + "queue Running flags Paused|Closing",
      r.line(9, "ERROR|AUX_PERF") + "aux AUX_PERF of WppLevelsAuxCtl",
      r.line(10, "LVL_DRIVER") + "plain",
  };
  EXPECT_EQ(expected, r.out);
}

TEST_F(Wpp, levels_filter_at_run_time) {
  ASSERT_EQ(0, wpp_test_set_filter("level:warning"));
  Levels r = run_levels();
  std::vector<std::string> expected{
      r.line(0, "ERROR|LVL_SOCKET") + "connect failed STATUS_IO_TIMEOUT (0xC00000B5)",
      r.line(3, "WARNING|LVL_DRIVER") + "driver warns",
      r.line(4, "WARNING|LVL_SOCKET") + "sock: closing " + pointer(0xABC),
      r.line(6, "LVL_QUEUE") + "failed with STATUS_CANCELLED (0xC0000120)",
      r.line(9, "ERROR|AUX_PERF") + "aux AUX_PERF of WppLevelsAuxCtl",
      r.line(10, "LVL_DRIVER") + "plain",
  };
  EXPECT_EQ(expected, r.out);

  // Per control: one flag at every level here, nothing from the other control.
  ASSERT_EQ(0, wpp_test_set_filter("WppLevelsCtl.flags:LVL_SOCKET,WppLevelsCtl.level:verbose,"
                                   "WppLevelsAuxCtl.off"));
  r = run_levels();
  expected = {
      r.line(0, "ERROR|LVL_SOCKET") + "connect failed STATUS_IO_TIMEOUT (0xC00000B5)",
      r.line(1, "INFO|LVL_SOCKET") + "connected at TRACE_LEVEL_INFORMATION",
      r.line(2, "VERBOSE|LVL_SOCKET") + "received 512",
      r.line(4, "WARNING|LVL_SOCKET") + "sock: closing " + pointer(0xABC),
  };
  EXPECT_EQ(expected, r.out);
}

// Run by ctest with WSKPORT_WPP set (tests/wpp/CMakeLists.txt): the environment is the
// filter of a control's first use, and of WskportWppSetFilter(NULL).
TEST(WppEnvironment, filter_comes_from_WSKPORT_WPP) {
  const char* env = std::getenv("WSKPORT_WPP");
  if (env == nullptr || std::string(env) != "level:error,WppFlagsCtl.flags:FLG_ERROR") {
    GTEST_SKIP() << "run by the wpp.environment test, with its WSKPORT_WPP";
  }
  EXPECT_EQ(0x1UL, wpp_flags_control_flags());
  EXPECT_EQ(2U, wpp_flags_control_level());
  int l[WPP_FLAGS_TRACES] = {};
  ::testing::internal::CaptureStderr();
  wpp_flags_formats(l);
  const auto out = lines_of(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(2U, out.size());
  EXPECT_EQ(0U, out[0].find(at("FLG_ERROR", "wpp_flags.c", l[0], "wpp_flags_formats")));
  EXPECT_EQ(0U, out[1].find(at("FLG_ERROR", "wpp_flags.c", l[7], "wpp_flags_formats")));
}

}  // namespace
