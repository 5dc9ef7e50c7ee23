/* SPDX-License-Identifier: MIT */
/* The kernel-surface test cases (issue 13): kernel-style C compiled with the km flags,
 * called from the GoogleTest driver (km_surface_test.cpp, compiled without them). Each
 * case returns 0 on success or the source line of the first failed check, whose text
 * km_surface_failure() returns. */
#ifndef KM_SURFACE_CASES_H
#define KM_SURFACE_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

const char* km_surface_failure(void);

/* km_surface_cases_wcs.c */
int km_surface_wcs_length_compare(void);
int km_surface_wcs_search(void);
int km_surface_wcs_copy_cat(void);
int km_surface_wcs_secure_copy(void);
int km_surface_wcs_secure_cat(void);
int km_surface_wcs_case(void);
int km_surface_wcs_memory(void);
int km_surface_wcs_printf(void);

/* km_surface_cases_misc.c */
int km_surface_seh_try_except(void);
int km_surface_seh_try_finally(void);
int km_surface_seh_nested(void);
int km_surface_addrinfo_layout(void);
int km_surface_address_constants(void);
int km_surface_interlocked_small(void);
int km_surface_interlocked_two_threads(void);
int km_surface_intrinsics(void);
int km_surface_compat_macros(void);
int km_surface_status_names(void);
int km_surface_driver_runtime(void);
void km_surface_raise_status(void);

/* km_surface_nx_optin.c (compiled with POOL_NX_OPTIN=1) */
int km_surface_driver_runtime_nx_optin(void);

#ifdef __cplusplus
}
#endif

#endif /* KM_SURFACE_CASES_H */
