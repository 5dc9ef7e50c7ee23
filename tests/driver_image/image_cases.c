/* SPDX-License-Identifier: MIT */
/* The loader's C API (wskport_driver.h) seen through plain C types, for the GoogleTest
 * file: wskport_driver.h brings the kernel headers, which must be compiled with the km
 * flags (-fshort-wchar), and GoogleTest must not be. */
#include <wskport_driver.h>

#include "image_cases.h"

int image_load(const char* file, const char* registry, void** image) {
  PWSKPORT_DRIVER_IMAGE loaded = NULL;
  NTSTATUS status = WskportLoadDriver(file, registry, image != NULL ? &loaded : NULL);
  if (image != NULL) *image = loaded;
  return (int)status;
}

int image_unload(void* image, struct image_leaks* leaks) {
  WSKPORT_LEAK_REPORT report;
  NTSTATUS status;
  RtlZeroMemory(&report, sizeof report);
  status = WskportUnloadDriver((PWSKPORT_DRIVER_IMAGE)image, leaks != NULL ? &report : NULL);
  if (leaks != NULL) {
    leaks->pool_blocks = report.PoolBlocks;
    leaks->irps = report.Irps;
    leaks->mdls = report.Mdls;
    leaks->registrations = report.Registrations;
    leaks->sockets = report.Sockets;
    leaks->threads = report.Threads;
    leaks->timers_and_dpcs = report.TimersAndDpcs;
    leaks->unmapped = report.ImageUnmapped;
  }
  return (int)status;
}
