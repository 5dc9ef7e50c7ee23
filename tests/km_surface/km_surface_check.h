/* SPDX-License-Identifier: MIT */
/* CHECK for the kernel-surface cases: records the first failure's text and line. */
#ifndef KM_SURFACE_CHECK_H
#define KM_SURFACE_CHECK_H

#include <ntddk.h>

#include "km_surface_cases.h"

void km_surface_record(int line, const char* text, LONGLONG a, LONGLONG b);

#define CHECK(cond)                             \
  do {                                          \
    if (!(cond)) {                              \
      km_surface_record(__LINE__, #cond, 0, 0); \
      return __LINE__;                          \
    }                                           \
  } while (0)

/* Compares two integers and records both values on failure. */
#define CHECK_EQ(expected, actual)                                           \
  do {                                                                       \
    LONGLONG km_s_e = (LONGLONG)(expected), km_s_a = (LONGLONG)(actual);     \
    if (km_s_e != km_s_a) {                                                  \
      km_surface_record(__LINE__, #expected " == " #actual, km_s_e, km_s_a); \
      return __LINE__;                                                       \
    }                                                                        \
  } while (0)

/* Two 16-bit strings are equal (compared unit by unit, not with the C library). */
#define CHECK_WSTR(expected, actual)                                              \
  do {                                                                            \
    if (WskportWcscmp((expected), (actual)) != 0) {                               \
      km_surface_record(__LINE__, #actual " is not " #expected, 0, 0);            \
      DbgPrint("  expected \"%ws\"\n  actual   \"%ws\"\n", (expected), (actual)); \
      return __LINE__;                                                            \
    }                                                                             \
  } while (0)

#endif /* KM_SURFACE_CHECK_H */
