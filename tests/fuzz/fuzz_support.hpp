// SPDX-License-Identifier: MIT
// Shared by the fuzz targets: a byte reader over the fuzzer's input and a check that
// reports and aborts. The targets must not depend on GoogleTest: under libFuzzer a
// failed invariant has to be a crash (abort) so that the input is saved as a reproducer,
// and in the replay build (replay_main.cpp) the same abort fails the ctest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "wskport/status.hpp"

namespace wskport::fuzz {

/// Reads the fuzzer's bytes front to back. Past the end every read yields zeros, so a
/// target never has to check lengths before it decides what to do, and a short input
/// is simply a short script.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

  [[nodiscard]] bool empty() const noexcept { return pos_ >= size_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return empty() ? 0 : size_ - pos_; }

  std::uint8_t u8() noexcept { return empty() ? 0 : data_[pos_++]; }
  std::uint16_t u16() noexcept {
    const auto lo = u8();
    return static_cast<std::uint16_t>(lo | (u8() << 8U));
  }
  std::uint32_t u32() noexcept {
    const std::uint32_t lo = u16();
    return lo | (static_cast<std::uint32_t>(u16()) << 16U);
  }
  /// Up to @p n bytes (fewer at the end of the input), as a view into the input.
  std::string_view take(std::size_t n) noexcept {
    const std::size_t k = n < remaining() ? n : remaining();
    const std::string_view out(reinterpret_cast<const char*>(data_ + pos_), k);
    pos_ += k;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

/// Reports a broken invariant and aborts: libFuzzer then saves the input as a crash
/// file, and the replay test fails with the message.
[[noreturn]] inline void fail(const char* file, int line, const char* condition, const char* detail,
                              long long value = 0) noexcept {
  std::fprintf(stderr, "\nfuzz check failed at %s:%d: %s\n  %s (value %lld, 0x%llX)\n", file, line,
               condition, detail, value, static_cast<unsigned long long>(value));
  std::fflush(stderr);
  std::abort();
}

/// The status vocabulary a caller can read: every status the library completes an IRP
/// with, or maps a native error to, must have a name (status_name is the table users
/// print). Returns false for an unnamed value.
[[nodiscard]] inline bool named(NTSTATUS s) noexcept { return !status_name(s).empty(); }

}  // namespace wskport::fuzz

/// Checks @p cond; on failure reports @p detail (a string literal) and @p value.
#define WSKPORT_FUZZ_CHECK(cond, detail, value) \
  ((cond)                                       \
       ? static_cast<void>(0)                   \
       : ::wskport::fuzz::fail(__FILE__, __LINE__, #cond, detail, static_cast<long long>(value)))
