// SPDX-License-Identifier: MIT
// What the two driver hosts share (km_image_host.hpp): wskport::km_host's main() and
// WskportDriverHostMain (km_driver_main.cpp).
#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <wdm.h>

#include "common/km/km_image_host.hpp"

namespace wskport::km::host {
namespace {

// A lock-free atomic, not a volatile sig_atomic_t: the signal may be raised on another
// thread (a driver's system thread calling raise(), or the kernel picking any thread),
// and only a lock-free atomic is both signal-safe and race-free across threads.
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_stop{0};

extern "C" void wskport_km_host_on_signal(int /*signal*/) {
  g_stop.store(1, std::memory_order_relaxed);
}

}  // namespace

std::vector<WCHAR> widen(const std::string& text) {
  ANSI_STRING ansi;
  ansi.Buffer = const_cast<PCHAR>(text.c_str());
  ansi.Length = static_cast<USHORT>(text.size() > 65534 ? 65534 : text.size());
  ansi.MaximumLength = ansi.Length;
  std::vector<WCHAR> out(static_cast<std::size_t>(ansi.Length) + 1);
  UNICODE_STRING wide;
  wide.Buffer = out.data();
  wide.Length = 0;
  wide.MaximumLength =
      static_cast<USHORT>(out.size() * sizeof(WCHAR) > 65534 ? 65534 : out.size() * sizeof(WCHAR));
  (void)RtlAnsiStringToUnicodeString(&wide, &ansi, FALSE);
  out.resize(wide.Length / sizeof(WCHAR));
  out.push_back(UNICODE_NULL);
  return out;
}

UNICODE_STRING counted(std::vector<WCHAR>& text) noexcept {
  UNICODE_STRING s;
  s.Buffer = text.data();
  s.Length = static_cast<USHORT>((text.size() - 1) * sizeof(WCHAR));
  s.MaximumLength = static_cast<USHORT>(text.size() * sizeof(WCHAR));
  return s;
}

std::string service_name(const char* path) {
  std::string name = path != nullptr ? path : "driver";
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  const auto dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  return name.empty() ? std::string("driver") : name;
}

void install_stop_signals() {
  std::signal(SIGINT, wskport_km_host_on_signal);
  std::signal(SIGTERM, wskport_km_host_on_signal);
}

void wait_for_stop_signal() {
  while (g_stop.load(std::memory_order_relaxed) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

int exit_status_of(NTSTATUS status) noexcept {
  int code = static_cast<int>(status);
  if ((code & 0xFF) == 0) code |= 1;
  return code;
}

}  // namespace wskport::km::host
