/* SPDX-License-Identifier: MIT */
/*
 * evntrace.h: the trace levels of the WDK/SDK header of that name, which WPP drivers
 * include for TRACE_LEVEL_* (their trace.h compares WPP_CONTROL(...).Level with them).
 * Only the levels: there is no ETW session in a process, so the rest of the header
 * (EVENT_TRACE_PROPERTIES, TraceMessage, ...) is not provided. WPP tracing itself is
 * wskport_wpp.h, reached through the generated .tmh files.
 */
#pragma once
#ifndef WSKPORT_KM_EVNTRACE_H
#define WSKPORT_KM_EVNTRACE_H

/* Each guarded: a driver header may define some of them itself for a user-mode build. */
#ifndef TRACE_LEVEL_NONE
#define TRACE_LEVEL_NONE 0 /* tracing is not on */
#endif
#ifndef TRACE_LEVEL_CRITICAL
#define TRACE_LEVEL_CRITICAL 1 /* abnormal exit or termination */
#endif
#ifndef TRACE_LEVEL_FATAL
#define TRACE_LEVEL_FATAL 1 /* the older name of TRACE_LEVEL_CRITICAL */
#endif
#ifndef TRACE_LEVEL_ERROR
#define TRACE_LEVEL_ERROR 2 /* severe errors that need logging */
#endif
#ifndef TRACE_LEVEL_WARNING
#define TRACE_LEVEL_WARNING 3 /* warnings such as allocation failures */
#endif
#ifndef TRACE_LEVEL_INFORMATION
#define TRACE_LEVEL_INFORMATION 4 /* non-error cases such as entry and exit */
#endif
#ifndef TRACE_LEVEL_VERBOSE
#define TRACE_LEVEL_VERBOSE 5 /* detailed traces from intermediate steps */
#endif
#ifndef TRACE_LEVEL_RESERVED6
#define TRACE_LEVEL_RESERVED6 6
#define TRACE_LEVEL_RESERVED7 7
#define TRACE_LEVEL_RESERVED8 8
#define TRACE_LEVEL_RESERVED9 9
#endif

#endif /* WSKPORT_KM_EVNTRACE_H */
