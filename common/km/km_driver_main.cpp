// SPDX-License-Identifier: MIT
// WskportDriverHostMain (wskport_driver.h): the main() of the program that
// wskport_add_driver() makes for a driver image. Part of the shared runtime only
// (wskport::km_runtime): a program that links the static runtime has no images to load.
#include <cstdio>
#include <cstring>
#include <string>

#include <wskport_driver.h>

#include "common/km/km_image_host.hpp"
#include "common/km/km_runtime.hpp"

namespace host = wskport::km::host;

extern "C" int WskportDriverHostMain(int argc, char** argv, PCSTR ImagePath) {
  const std::string program = host::service_name(argc > 0 ? argv[0] : nullptr);
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf(
        "usage: %s [RegistryPath]\n"
        "Runs the driver image %s: DriverEntry, then waits for Ctrl+C (SIGINT) or SIGTERM,\n"
        "then DriverUnload, and reports what the driver leaked.\n"
        "RegistryPath defaults to "
        "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\<image name>.\n"
        "Exit status: 0 clean unload, 2 bad arguments, 3 the driver leaked, 4 the image\n"
        "could not be loaded, else DriverEntry's failure status.\n",
        program.c_str(), ImagePath != nullptr ? ImagePath : "(none)");
    return 0;
  }
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [RegistryPath] (--help for more)\n", program.c_str());
    return 2;
  }
  PWSKPORT_DRIVER_IMAGE image = nullptr;
  host::install_stop_signals();
  const NTSTATUS status = WskportLoadDriver(ImagePath, argc > 1 ? argv[1] : nullptr, &image);
  if (status == STATUS_DLL_NOT_FOUND || status == STATUS_PROCEDURE_NOT_FOUND ||
      status == STATUS_INVALID_PARAMETER || status == STATUS_IMAGE_ALREADY_LOADED ||
      status == STATUS_TOO_MANY_SESSIONS) {
    std::fprintf(stderr, "%s: cannot load the driver image (0x%08X)\n", program.c_str(),
                 static_cast<unsigned>(status));
    return 4;
  }
  if (!NT_SUCCESS(status)) {
    std::fprintf(stderr, "%s: DriverEntry failed with 0x%08X\n", program.c_str(),
                 static_cast<unsigned>(status));
    std::fflush(stderr);
    wskport::km::detail::stop_timers_at_exit();
    return host::exit_status_of(status);
  }
  host::wait_for_stop_signal();
  WSKPORT_LEAK_REPORT report;
  const int code = WskportUnloadDriver(image, &report) == STATUS_SUCCESS ? 0 : 3;
  // Before exit, while the runtime's timer threads still run (see km_timer.cpp).
  wskport::km::detail::stop_timers_at_exit();
  return code;
}
