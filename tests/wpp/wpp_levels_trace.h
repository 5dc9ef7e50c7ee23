/* SPDX-License-Identifier: MIT */
/*
 * The trace header of wpp_levels.c, written the way KMDF drivers write trace.h: two
 * control GUIDs, the level-and-flag condition, and a "begin_wpp config" block of trace
 * functions (a fixed flag, a prefix, a suffix with PRE/POST, the old double-parenthesis
 * form, a custom type). TraceEvents comes from the build (a FUNC option), as a WDK
 * project's WppTraceFunction setting gives it.
 */
#pragma once
#ifndef WPP_LEVELS_TRACE_H
#define WPP_LEVELS_TRACE_H

#include <evntrace.h> /* TRACE_LEVEL_* */

#define WPP_CONTROL_GUIDS                                                              \
  WPP_DEFINE_CONTROL_GUID(WppLevelsCtl, (c41e8b07, 55d3, 4a2e, b7f9, 6d0e3a1c2b48),    \
                          WPP_DEFINE_BIT(LVL_DRIVER) WPP_DEFINE_BIT(LVL_SOCKET)        \
                              WPP_DEFINE_BIT(LVL_QUEUE))                               \
  WPP_DEFINE_CONTROL_GUID(WppLevelsAuxCtl, (0b7d2e94, 3f61, 48ac, 92d5, e8a4c6b1f037), \
                          WPP_DEFINE_BIT(AUX_PERF))

#define WPP_LEVEL_FLAGS_LOGGER(lvl, flags) WPP_LEVEL_LOGGER(flags)
#define WPP_LEVEL_FLAGS_ENABLED(lvl, flags) \
  (WPP_LEVEL_ENABLED(flags) && WPP_CONTROL(WPP_BIT_##flags).Level >= lvl)

/* TraceFailure logs only a failure: its PRE/POST pair wraps the trace in an if. */
#define WPP_FLAG_STATUS_PRE(FLAG, STATUS) if ((STATUS) != STATUS_SUCCESS) {
#define WPP_FLAG_STATUS_POST(FLAG, STATUS) \
  ;                                        \
  }
#define WPP_FLAG_STATUS_ENABLED(FLAG, STATUS) WPP_FLAG_ENABLED(FLAG)
#define WPP_FLAG_STATUS_LOGGER(FLAG, STATUS) WPP_FLAG_LOGGER(FLAG)

//
// begin_wpp config
// FUNC Trace{FLAGS=LVL_DRIVER}(LEVEL, MSG, ...);
// FUNC LogSocket{LEVEL=TRACE_LEVEL_WARNING, FLAGS=LVL_SOCKET}(MSG, ...);
// USEPREFIX (LogSocket, "%!STDPREFIX!sock: ");
// FUNC TraceFailure{FLAG=LVL_QUEUE}(STATUS);
// USESUFFIX (TraceFailure, "failed with %!STATUS!", STATUS);
// FUNC DbgPrintLegacy{LEVEL=TRACE_LEVEL_INFORMATION, FLAGS=LVL_DRIVER}((MSG, ...));
// WPP_FLAGS(-func:LogAux{FLAGS=AUX_PERF}(LEVEL, MSG, ...));
// CUSTOM_TYPE(QSTATE, ItemListLong(Idle, Running, Draining));
// end_wpp
//

#endif /* WPP_LEVELS_TRACE_H */
