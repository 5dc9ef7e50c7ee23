/* SPDX-License-Identifier: MIT */
/* image_cases.c: the loader's API in plain C types, for image_loader_test.cpp. */
#ifndef WSKPORT_TEST_IMAGE_CASES_H
#define WSKPORT_TEST_IMAGE_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

struct image_leaks {
  unsigned long pool_blocks, irps, mdls, registrations, sockets, threads, timers_and_dpcs;
  int unmapped;
};

/* WskportLoadDriver / WskportUnloadDriver; the NTSTATUS as an int. */
int image_load(const char* file, const char* registry, void** image);
int image_unload(void* image, struct image_leaks* leaks);

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_TEST_IMAGE_CASES_H */
