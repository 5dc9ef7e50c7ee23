// SPDX-License-Identifier: MIT
// The name of every NTSTATUS the km headers define (wskport_km_status.h and
// wskport_km_status_net.h). The table is generated from those headers at configure
// time (common/km/CMakeLists.txt), so a status added there is named here too.
#include <wdm.h>

namespace {

struct StatusName {
  NTSTATUS value;
  const char* name;
};

// In header order; the first name of a value wins (STATUS_SUCCESS before STATUS_WAIT_0).
constexpr StatusName kNames[] = {
#include "km_status_names.inc"
};

}  // namespace

PCSTR WskportNtStatusName(NTSTATUS Status) {
  for (const auto& row : kNames) {
    if (row.value == Status) return row.name;
  }
  return nullptr;
}
