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
#include <cstdio>
#include <string>
#include <vector>

#include <wdm.h>

#include "common/km/km_image_host.hpp"
#include "common/km/km_runtime.hpp"

extern "C" DRIVER_INITIALIZE DriverEntry;

namespace host = wskport::km::host;

int main(int argc, char** argv) {
  const std::string name = host::service_name(argc > 0 ? argv[0] : nullptr);
  const std::string path =
      argc > 1 ? std::string(argv[1])
               : "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + name;
  std::vector<WCHAR> registry_text = host::widen(path);
  std::vector<WCHAR> driver_text = host::widen("\\Driver\\" + name);
  std::vector<WCHAR> service_text = host::widen(name);
  UNICODE_STRING registry_path = host::counted(registry_text);

  DRIVER_EXTENSION extension{};
  DRIVER_OBJECT driver{};
  driver.Type = IO_TYPE_DRIVER;
  driver.Size = static_cast<CSHORT>(sizeof(DRIVER_OBJECT));
  driver.DriverExtension = &extension;
  driver.DriverName = host::counted(driver_text);
  driver.DriverInit = &DriverEntry;
  extension.DriverObject = &driver;
  extension.ServiceKeyName = host::counted(service_text);

  host::install_stop_signals();
  const NTSTATUS status = DriverEntry(&driver, &registry_path);
  if (!NT_SUCCESS(status)) {
    std::fprintf(stderr, "wskport km host: DriverEntry failed with 0x%08X\n",
                 static_cast<unsigned>(status));
    std::fflush(stderr);
    return host::exit_status_of(status);
  }

  host::wait_for_stop_signal();

  if (driver.DriverUnload != nullptr) driver.DriverUnload(&driver);

  const auto leaked = wskport::km::detail::pool_outstanding();
  if (leaked != 0) {
    std::fprintf(stderr, "wskport km host: %lld pool allocation(s) not freed at unload\n",
                 static_cast<long long>(leaked));
  }
  return 0;
}
