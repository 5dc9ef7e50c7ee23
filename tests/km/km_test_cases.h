/* SPDX-License-Identifier: MIT */
/**
 * @file km_test_cases.h
 * @brief The plain C seam between the kernel-style test drivers and the gtest harness.
 *
 * The drivers are compiled as kernel code (wskport::km: -fshort-wchar, kernel headers
 * first on the include path); GoogleTest is compiled with the host's 32-bit wchar_t.
 * The two must never share a translation unit, so this header uses only built-in
 * types: no kernel header, no C library header, no gtest.
 */
#ifndef WSKPORT_TESTS_KM_TEST_CASES_H
#define WSKPORT_TESTS_KM_TEST_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

/** What a case reports. */
enum {
  KM_TEST_PASSED = 0,  /**< every check held */
  KM_TEST_FAILED = 1,  /**< msg names the first failed check (file:line, values) */
  KM_TEST_SKIPPED = 2, /**< msg gives the reason (e.g. the host has no ::1) */
};

/**
 * One test case of a driver. run() executes it to the end, releases everything it
 * opened (sockets closed, IRPs and MDLs freed, pool returned), and writes a
 * NUL-terminated message of at most @p cap bytes into @p msg. Returns KM_TEST_*.
 * Cases need the driver loaded (KM_TEST_DRIVER::load) and run one at a time.
 */
typedef struct KM_TEST_CASE {
  const char* name;
  int (*run)(char* msg, unsigned int cap);
} KM_TEST_CASE;

/**
 * A test driver as the harness sees it: load() runs DriverEntry (WskRegister,
 * WskCaptureProviderNPI), unload() runs DriverUnload (WskReleaseProviderNPI,
 * WskDeregister) and then checks the driver's own books: every IRP, MDL, pool block,
 * socket and thread it counted was returned. Both return KM_TEST_* with a message.
 */
typedef struct KM_TEST_DRIVER {
  const char* name;
  int (*load)(char* msg, unsigned int cap);
  int (*unload)(char* msg, unsigned int cap);
  const KM_TEST_CASE* cases;
  unsigned int case_count;
} KM_TEST_DRIVER;

/** Host behaviours that change what a case may expect (a bit mask). */
enum {
  /** The peer of a reset connection may see a graceful close: Wine reports an RST that
   *  arrives while no receive is pending as a graceful end (Windows reports a reset). */
  KM_TEST_QUIRK_RESET_SEEN_AS_GRACEFUL = 1,
  /** The hosts and services files, the resolver's sources and the host name are the
   *  tests' own (tests/km/private_names.sh), so name lookups have exact answers. */
  KM_TEST_QUIRK_PRIVATE_NAMES = 2,
  /** Host names reach GetNameInfoW through the ANSI code page: Wine converts the host
   *  resolver's bytes with code page 1252, so a UTF-8 name arrives as one WCHAR per byte
   *  (Windows reads its hosts file itself). */
  KM_TEST_QUIRK_NAMES_THROUGH_ANSI = 4,
};

/** Tells the drivers the host's quirks (before the first case runs). */
void wskport_km_test_set_quirks(unsigned int quirks);

/** The C driver (km_driver_c.c and the km_c_*.c families). */
const KM_TEST_DRIVER* wskport_km_test_driver_c(void);
/** The C++ driver (km_driver_cpp.cpp). */
const KM_TEST_DRIVER* wskport_km_test_driver_cpp(void);

#ifdef __cplusplus
}
#endif

#endif
