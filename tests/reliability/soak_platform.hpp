// SPDX-License-Identifier: MIT
// The soak test's one platform fact beyond support/platform.hpp: the resident set
// size. Linux reads /proc/self/statm; Windows asks for the working set
// (GetProcessMemoryInfo, psapi); elsewhere it is not measured and the test says so.
#pragma once

#include <cstddef>
#include <optional>

#ifdef _WIN32
#include <windows.h>
// windows.h first: psapi.h needs its types.
#include <psapi.h>
#else
#include <unistd.h>

#include <fstream>
#endif

namespace wskport::test::soak {

/// Resident set size in KiB, or nullopt where it cannot be read.
inline std::optional<std::size_t> resident_kib() {
#ifdef _WIN32
  PROCESS_MEMORY_COUNTERS counters{};
  if (GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters) == 0) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(counters.WorkingSetSize / 1024U);
#else
  std::ifstream statm("/proc/self/statm");
  std::size_t size_pages = 0;
  std::size_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) return std::nullopt;
  return resident_pages * static_cast<std::size_t>(page) / 1024U;
#endif
}

/// Why resident_kib() gave nothing, for the test's message.
inline const char* rss_unavailable_reason() {
#ifdef _WIN32
  return "GetProcessMemoryInfo failed";
#else
  return "/proc/self/statm is not readable (not Linux?)";
#endif
}

}  // namespace wskport::test::soak
