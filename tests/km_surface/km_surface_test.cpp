// SPDX-License-Identifier: MIT
// GoogleTest driver for the kernel-surface cases (issue 13): the CRT's wide-string
// routines at 16 bits, the SEH emulation, the addrinfo family, the address constants,
// the 8/16-bit Interlocked forms, <intrin.h>, the compat macros, the status names and
// ExInitializeDriverRuntime. The cases are kernel-style C compiled with the km flags in
// their own library; this file is compiled without them and sees plain C functions.
#include <gtest/gtest.h>

#include "km_surface_cases.h"

namespace {

#define KM_SURFACE_CASE(name) \
  TEST(KmSurface, name) { EXPECT_EQ(0, km_surface_##name()) << km_surface_failure(); }

KM_SURFACE_CASE(wcs_length_compare)
KM_SURFACE_CASE(wcs_search)
KM_SURFACE_CASE(wcs_copy_cat)
KM_SURFACE_CASE(wcs_secure_copy)
KM_SURFACE_CASE(wcs_secure_cat)
KM_SURFACE_CASE(wcs_case)
KM_SURFACE_CASE(wcs_memory)
KM_SURFACE_CASE(wcs_printf)
KM_SURFACE_CASE(seh_try_except)
KM_SURFACE_CASE(seh_try_finally)
KM_SURFACE_CASE(seh_nested)
KM_SURFACE_CASE(addrinfo_layout)
KM_SURFACE_CASE(address_constants)
KM_SURFACE_CASE(interlocked_small)
KM_SURFACE_CASE(interlocked_two_threads)
KM_SURFACE_CASE(intrinsics)
KM_SURFACE_CASE(compat_macros)
KM_SURFACE_CASE(status_names)
KM_SURFACE_CASE(driver_runtime)
KM_SURFACE_CASE(driver_runtime_nx_optin)

TEST(KmSurfaceDeathTest, raised_status_stops_the_process_with_its_name) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(km_surface_raise_status(), "ExRaiseStatus\\(STATUS_NDIS_ADAPTER_NOT_READY");
}

}  // namespace
