/* SPDX-License-Identifier: MIT */
/* CHECK for the kernel-style test cases: records the first failure's text and line. */
#ifndef KM_RT_CHECK_H
#define KM_RT_CHECK_H

#include <ntddk.h>
#include <ntstrsafe.h>

#include "km_rt_cases.h"

void km_rt_record(int line, const char* text, LONGLONG a, LONGLONG b);

#define CHECK(cond)                        \
  do {                                     \
    if (!(cond)) {                         \
      km_rt_record(__LINE__, #cond, 0, 0); \
      return __LINE__;                     \
    }                                      \
  } while (0)

/* Compares two integers and records both values on failure. */
#define CHECK_EQ(expected, actual)                                         \
  do {                                                                     \
    LONGLONG km_rt_e = (LONGLONG)(expected), km_rt_a = (LONGLONG)(actual); \
    if (km_rt_e != km_rt_a) {                                              \
      km_rt_record(__LINE__, #expected " == " #actual, km_rt_e, km_rt_a);  \
      return __LINE__;                                                     \
    }                                                                      \
  } while (0)

#define CHECK_STR(expected, actual)                                             \
  do {                                                                          \
    if (strcmp((expected), (actual)) != 0) {                                    \
      km_rt_record(__LINE__, #actual " is not " #expected, 0, 0);               \
      DbgPrint("  expected \"%s\"\n  actual   \"%s\"\n", (expected), (actual)); \
      return __LINE__;                                                          \
    }                                                                           \
  } while (0)

/* A bounded wait for the tests: 10 s, far above any expected latency. */
#define KM_RT_WAIT_100NS (-10LL * 1000 * 1000 * 10)

#endif /* KM_RT_CHECK_H */
