// SPDX-License-Identifier: MIT
// What the two driver hosts share (km_image_host.cpp): wskport::km_host's main() for a
// driver linked into the program (km_host.cpp) and WskportDriverHostMain for a driver
// image (wskport_add_driver).
#pragma once

#include <string>
#include <vector>

#include <wdm.h>

namespace wskport::km::host {

/// UTF-8 to UTF-16 code units (NUL-terminated), through the runtime's own conversion.
std::vector<WCHAR> widen(const std::string& text);

/// A counted string over @p text (which keeps its storage).
UNICODE_STRING counted(std::vector<WCHAR>& text) noexcept;

/// The service name a program or image path stands for: no directory, no extension.
std::string service_name(const char* path);

/// Installs the SIGINT/SIGTERM handlers. Before DriverEntry: a driver may ask to stop
/// from DriverEntry itself.
void install_stop_signals();
/// Blocks until one of those handlers has run.
void wait_for_stop_signal();

/// A failing DriverEntry's status as a process exit status: POSIX shells keep only the
/// low byte, so a status whose low byte is 0 gets 1 ORed in to still read as failure.
int exit_status_of(NTSTATUS status) noexcept;

}  // namespace wskport::km::host
