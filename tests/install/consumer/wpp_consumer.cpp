// SPDX-License-Identifier: MIT
// A C++ driver-style source with WPP tracing, built against the installed package
// through its wskport_target_wpp() (the install test runs it and reads its trace).
#include <ntddk.h>

#define WPP_CONTROL_GUIDS                                                          \
  WPP_DEFINE_CONTROL_GUID(ConsumerCtl, (8d1f0c2a, 6b3e, 4a5d, 9c7f, 2e4b6a8c0d1e), \
                          WPP_DEFINE_BIT(CONSUMER_INFO))

#include "wpp_consumer.tmh"

int main() {
  const PDRIVER_OBJECT driver = nullptr;
  const PUNICODE_STRING registry_path = nullptr;
  WPP_INIT_TRACING(driver, registry_path);
  TraceEvents(TRACE_LEVEL_INFORMATION, CONSUMER_INFO, "consumer %!STATUS!", STATUS_SUCCESS);
  WPP_CLEANUP(driver);
  return 0;
}
