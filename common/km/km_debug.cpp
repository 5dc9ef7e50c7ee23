// SPDX-License-Identifier: MIT
// Debug output (DbgPrint family), assertions, bug checks and the runtime's own reports.
// Every message is formatted first and written to stderr in one call, so messages from
// several threads do not interleave.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/km/km_runtime.hpp"
#include "common/km/km_text.hpp"

namespace wskport::km::detail {

namespace {

// Formats into a stack buffer, or a heap one when the message is longer, and writes it.
void write_message(const char* prefix, const char* format, std::va_list args) noexcept {
  char small[1024];
  std::size_t prefix_length = prefix != nullptr ? std::strlen(prefix) : 0;
  if (prefix_length > 256) prefix_length = 256;
  std::memcpy(small, prefix, prefix_length);
  std::va_list copy;
  va_copy(copy, args);
  text::Output out(small + prefix_length, sizeof small - prefix_length);
  (void)text::vformat(out, format, copy);
  va_end(copy);
  if (out.produced() <= sizeof small - prefix_length) {
    std::fwrite(small, 1, prefix_length + out.produced(), stderr);
  } else {
    try {
      std::vector<char> big(prefix_length + out.produced());
      std::memcpy(big.data(), prefix, prefix_length);
      text::Output again(big.data() + prefix_length, out.produced());
      (void)text::vformat(again, format, args);
      std::fwrite(big.data(), 1, big.size(), stderr);
    } catch (...) {
      std::fwrite(small, 1, sizeof small, stderr);  // no memory: the truncated text
    }
  }
  std::fflush(stderr);
}

// The DbgPrintEx filter: bit n shows level n. Windows shows DPFLTR_ERROR_LEVEL by
// default; WSKPORT_DBGPRINT_LEVEL widens it ("3": levels 0-3, "0x...": a mask, "all").
std::uint32_t initial_mask() noexcept {
  const char* env = std::getenv("WSKPORT_DBGPRINT_LEVEL");
  if (env == nullptr || *env == 0) return 1U << DPFLTR_ERROR_LEVEL;
  if (std::strcmp(env, "all") == 0) return 0xFFFFFFFFU;
  char* end = nullptr;
  const unsigned long v = std::strtoul(env, &end, 0);
  if (end == env) return 1U << DPFLTR_ERROR_LEVEL;
  if (env[0] == '0' && (env[1] == 'x' || env[1] == 'X')) return static_cast<std::uint32_t>(v);
  if (v >= 31) return 0xFFFFFFFFU;
  return (2U << v) - 1U;
}

std::atomic<std::uint32_t>& filter_mask() noexcept {
  static std::atomic<std::uint32_t> mask{initial_mask()};
  return mask;
}

std::uint32_t level_bit(ULONG level) noexcept {
  return level <= 31 ? (1U << level) : (static_cast<std::uint32_t>(level) & ~DPFLTR_MASK);
}

}  // namespace

void debug_write(const char* text, std::size_t length) noexcept {
  std::fwrite(text, 1, length, stderr);
  std::fflush(stderr);
}

void vreport(const char* format, std::va_list args) noexcept {
  write_message("wskport km: ", format, args);
}

void report(const char* format, ...) noexcept {
  std::va_list args;
  va_start(args, format);
  vreport(format, args);
  va_end(args);
}

void fatal(const char* format, ...) noexcept {
  std::va_list args;
  va_start(args, format);
  write_message("wskport km: fatal: ", format, args);
  va_end(args);
  std::abort();
}

bool first_time(const void* key) noexcept {
  static std::mutex lock;
  static std::unordered_set<const void*> seen;
  try {
    std::lock_guard<std::mutex> guard(lock);
    return seen.insert(key).second;
  } catch (...) {
    return true;
  }
}

bool debug_filter_passes(ULONG level) noexcept {
  return (filter_mask().load(std::memory_order_relaxed) & level_bit(level)) != 0;
}

}  // namespace wskport::km::detail

using wskport::km::detail::debug_filter_passes;

extern "C" {

BOOLEAN KdDebuggerEnabled = FALSE;
BOOLEAN KdDebuggerNotPresent = TRUE;

ULONG vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format,
                            va_list arglist) {
  UNREFERENCED_PARAMETER(ComponentId);
  if (!debug_filter_passes(Level)) return STATUS_SUCCESS;
  wskport::km::detail::write_message(Prefix, Format, arglist);
  return STATUS_SUCCESS;
}

ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist) {
  return vDbgPrintExWithPrefix("", ComponentId, Level, Format, arglist);
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...) {
  va_list args;
  va_start(args, Format);
  const ULONG status = vDbgPrintEx(ComponentId, Level, Format, args);
  va_end(args);
  return status;
}

// Windows (Vista and later) files DbgPrint under DPFLTR_DEFAULT_ID at INFO level and
// hides it by default; a process's stderr is its debugger, so it is always shown here.
ULONG DbgPrint(PCSTR Format, ...) {
  va_list args;
  va_start(args, Format);
  wskport::km::detail::write_message("", Format, args);
  va_end(args);
  return STATUS_SUCCESS;
}

ULONG DbgPrintReturnControlC(PCCH Format, ...) {
  va_list args;
  va_start(args, Format);
  wskport::km::detail::write_message("", Format, args);
  va_end(args);
  return STATUS_SUCCESS;
}

NTSTATUS DbgQueryDebugFilterState(ULONG ComponentId, ULONG Level) {
  UNREFERENCED_PARAMETER(ComponentId);
  return debug_filter_passes(Level) ? TRUE : FALSE;
}

NTSTATUS DbgSetDebugFilterState(ULONG ComponentId, ULONG Level, BOOLEAN State) {
  UNREFERENCED_PARAMETER(ComponentId);  // one filter for every component in a process
  auto& mask = wskport::km::detail::filter_mask();
  const std::uint32_t bit = wskport::km::detail::level_bit(Level);
  if (State) {
    mask.fetch_or(bit);
  } else {
    mask.fetch_and(~bit);
  }
  return STATUS_SUCCESS;
}

VOID DbgBreakPoint(VOID) {
  std::fputs("wskport km: DbgBreakPoint\n", stderr);
  std::fflush(stderr);
  std::abort();
}

VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber,
               PSTR MutableMessage) {
  std::fprintf(stderr, "\n*** Assertion failed: %s%s\n***   Source File: %s, line %lu\n\n",
               MutableMessage != nullptr ? MutableMessage : "",
               static_cast<const char*>(VoidFailedAssertion),
               static_cast<const char*>(VoidFileName), static_cast<unsigned long>(LineNumber));
  std::fflush(stderr);
  std::abort();
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                  ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4) {
  std::fprintf(stderr, "*** STOP: 0x%08lX (0x%llX, 0x%llX, 0x%llX, 0x%llX)\n",
               static_cast<unsigned long>(BugCheckCode),
               static_cast<unsigned long long>(BugCheckParameter1),
               static_cast<unsigned long long>(BugCheckParameter2),
               static_cast<unsigned long long>(BugCheckParameter3),
               static_cast<unsigned long long>(BugCheckParameter4));
  std::fflush(stderr);
  std::abort();
}

VOID KeBugCheck(ULONG BugCheckCode) { KeBugCheckEx(BugCheckCode, 0, 0, 0, 0); }

VOID WskportFailFast(ULONG Code) {
  std::fprintf(stderr, "wskport km: __fastfail(%lu)\n", static_cast<unsigned long>(Code));
  std::fflush(stderr);
  std::abort();
}

VOID WskportFatalListEntryError(PVOID Entry) {
  wskport::km::detail::fatal(
      "LIST_ENTRY corruption at %p (a neighbour does not point back): KERNEL_SECURITY_CHECK_"
      "FAILURE / FatalListEntryError\n",
      Entry);
}

}  // extern "C"
