/* SPDX-License-Identifier: MIT */
/* The kernel-style WPP test sources (wpp_flags.c, wpp_levels.c), called from the
 * GoogleTest driver (wpp_test.cpp) through plain C: each traces and reports the source
 * line of every trace call, so the test can build the exact lines it expects. */
#pragma once
#ifndef WPP_CASES_H
#define WPP_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

/** WskportWppSetFilter(spec) (NULL: the environment's setting); 0, or -1 if refused. */
int wpp_test_set_filter(const char* spec);

/* wpp_flags.c: DoTraceMessage with the flags of one control, as echosrv does. */
#define WPP_FLAGS_TRACES 11
/** DriverEntry's part: WPP_INIT_TRACING and a "LOADED" trace; returns that trace's line. */
int wpp_flags_driver_entry(void);
/** DriverUnload's part: an "UNLOAD" trace and WPP_CLEANUP; returns the trace's line. */
int wpp_flags_unload(void);
/** WPP_FLAGS_TRACES traces with every format kind; @p lines receives their lines. */
void wpp_flags_formats(int* lines);
/** DoTraceMessage(FLG_DATA, "count %d", ++*counter); returns its line. */
int wpp_flags_side_effects(int* counter);
/** A %s message of @p length 'x's (the runtime's long-line path); returns its line. */
int wpp_flags_long(unsigned length);
/** A trace whose format names a type nobody defines, then %d; returns its line. */
int wpp_flags_unknown_type(void);
/** WPP_CONTROL(WPP_BIT_FLG_INFO).Flags[WPP_FLAG_NO(...)] and .Level, as trace.h reads them. */
unsigned long wpp_flags_control_flags(void);
unsigned wpp_flags_control_level(void);

/* wpp_levels.c: begin_wpp config FUNCs with levels and flags (wpp_levels_trace.h),
 * TraceEvents from a FUNC option, a CUSTOM_TYPE set from a scanned .ini file. */
#define WPP_LEVELS_TRACES 11
void wpp_levels_trace(int* lines);

#ifdef __cplusplus
}
#endif

#endif /* WPP_CASES_H */
