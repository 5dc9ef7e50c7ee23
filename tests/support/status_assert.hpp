// SPDX-License-Identifier: MIT
// Status assertions that print NTSTATUS names, not bare numbers:
//   EXPECT_STATUS(actual, wskport::status::cancelled);
// prints "STATUS_CONNECTION_RESET (0xC000020D)" vs "STATUS_CANCELLED (0xC0000120)".
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "wskport/status.hpp"

namespace wskport::test {

/// "STATUS_CANCELLED (0xC0000120)", through the library's own formatter.
inline std::string status_string(NTSTATUS s) {
  std::array<char, 96> text{};
  const std::size_t n = wskport::format_status(s, text.data(), text.size());
  if (n == 0) {
    // The formatter always writes the hex value; an empty result is itself a finding,
    // but the test output must still say which value it was.
    return "NTSTATUS " + std::to_string(static_cast<unsigned long>(static_cast<std::uint32_t>(s)));
  }
  return std::string(text.data(), n);
}

/// Predicate formatter for two statuses.
inline ::testing::AssertionResult StatusEq(const char* actual_expr, const char* expected_expr,
                                           NTSTATUS actual, NTSTATUS expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << actual_expr << " is " << status_string(actual) << ", expected " << expected_expr
         << " = " << status_string(expected);
}

/// A status check usable as a plain boolean assertion.
inline ::testing::AssertionResult StatusIs(NTSTATUS actual, NTSTATUS expected) {
  return StatusEq("status", "expected", actual, expected);
}

}  // namespace wskport::test

#define EXPECT_STATUS(actual, expected) \
  EXPECT_PRED_FORMAT2(::wskport::test::StatusEq, actual, expected)
#define ASSERT_STATUS(actual, expected) \
  ASSERT_PRED_FORMAT2(::wskport::test::StatusEq, actual, expected)
