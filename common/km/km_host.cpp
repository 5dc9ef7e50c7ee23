// SPDX-License-Identifier: MIT
// The driver host (wskport::km_host): a library-provided main() that loads a ported
// driver as a process. It builds a DRIVER_OBJECT and the registry-path string, calls the
// driver's DriverEntry, runs until SIGINT or SIGTERM (Ctrl+C on Windows), calls the
// driver's DriverUnload if it set one, and exits 0. A failing DriverEntry ends the
// process with its status as the exit code (a status whose low byte is 0 exits with 1
// there, so POSIX shells, which keep only the low byte, still see a failure).
//
//   <program> [registry-path]
// The registry path defaults to
//   \Registry\Machine\System\CurrentControlSet\Services\<program name without extension>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <wdm.h>

#include "common/km/km_runtime.hpp"

extern "C" DRIVER_INITIALIZE DriverEntry;

namespace {

// A lock-free atomic, not a volatile sig_atomic_t: the signal may be raised on another
// thread (a driver's system thread calling raise(), or the kernel picking any thread),
// and only a lock-free atomic is both signal-safe and race-free across threads.
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_stop{0};

extern "C" void wskport_km_host_on_signal(int /*signal*/) {
  g_stop.store(1, std::memory_order_relaxed);
}

// The service name: argv[0] without its directory and extension.
std::string service_name(const char* argv0) {
  std::string name = argv0 != nullptr ? argv0 : "driver";
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  const auto dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  return name.empty() ? std::string("driver") : name;
}

// UTF-8 to UTF-16 code units through the runtime's own conversion.
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

UNICODE_STRING counted(std::vector<WCHAR>& text) {
  UNICODE_STRING s;
  s.Buffer = text.data();
  s.Length = static_cast<USHORT>((text.size() - 1) * sizeof(WCHAR));
  s.MaximumLength = static_cast<USHORT>(text.size() * sizeof(WCHAR));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string name = service_name(argc > 0 ? argv[0] : nullptr);
  const std::string path =
      argc > 1 ? std::string(argv[1])
               : "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + name;
  std::vector<WCHAR> registry_text = widen(path);
  std::vector<WCHAR> driver_text = widen("\\Driver\\" + name);
  std::vector<WCHAR> service_text = widen(name);
  UNICODE_STRING registry_path = counted(registry_text);

  DRIVER_EXTENSION extension{};
  DRIVER_OBJECT driver{};
  driver.Type = IO_TYPE_DRIVER;
  driver.Size = static_cast<CSHORT>(sizeof(DRIVER_OBJECT));
  driver.DriverExtension = &extension;
  driver.DriverName = counted(driver_text);
  driver.DriverInit = &DriverEntry;
  extension.DriverObject = &driver;
  extension.ServiceKeyName = counted(service_text);

  std::signal(SIGINT, wskport_km_host_on_signal);
  std::signal(SIGTERM, wskport_km_host_on_signal);

  const NTSTATUS status = DriverEntry(&driver, &registry_path);
  if (!NT_SUCCESS(status)) {
    std::fprintf(stderr, "wskport km host: DriverEntry failed with 0x%08X\n",
                 static_cast<unsigned>(status));
    std::fflush(stderr);
    int code = static_cast<int>(status);
    if ((code & 0xFF) == 0) code |= 1;
    return code;
  }

  while (g_stop.load(std::memory_order_relaxed) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));

  if (driver.DriverUnload != nullptr) driver.DriverUnload(&driver);

  const auto leaked = wskport::km::detail::pool_outstanding();
  if (leaked != 0) {
    std::fprintf(stderr, "wskport km host: %lld pool allocation(s) not freed at unload\n",
                 static_cast<long long>(leaked));
  }
  return 0;
}
