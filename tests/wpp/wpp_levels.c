/* SPDX-License-Identifier: MIT */
/*
 * A driver-style source whose traces have levels as well as flags: TraceEvents (a FUNC
 * option of the build), and the functions of its trace header's begin_wpp config block.
 * Each trace sits on one line with the statement that records its line number.
 */
#include <ntddk.h>

#include "wpp_cases.h"
#include "wpp_levels_trace.h"

#include "wpp_levels.tmh"

void wpp_levels_trace(int* lines) {
  int n = 0;
  // clang-format off
  lines[n++] = __LINE__; TraceEvents(TRACE_LEVEL_ERROR, LVL_SOCKET, "connect failed %!STATUS!", STATUS_IO_TIMEOUT);
  lines[n++] = __LINE__; TraceEvents(TRACE_LEVEL_INFORMATION, LVL_SOCKET, "connected at %!LEVEL!");
  lines[n++] = __LINE__; TraceEvents(TRACE_LEVEL_VERBOSE, LVL_SOCKET, "received %Iu", (SIZE_T)512);
  lines[n++] = __LINE__; Trace(TRACE_LEVEL_WARNING, "driver %s", "warns");
  lines[n++] = __LINE__; LogSocket("closing %p", (PVOID)(ULONG_PTR)0xABC);
  lines[n++] = __LINE__; TraceFailure(STATUS_SUCCESS);
  lines[n++] = __LINE__; TraceFailure(STATUS_CANCELLED);
  lines[n++] = __LINE__; DbgPrintLegacy(("legacy %d", 7));
  lines[n++] = __LINE__; TraceEvents(TRACE_LEVEL_INFORMATION, LVL_QUEUE, "queue %!QSTATE! flags %!QFLAGS!", 1, 5);
  lines[n++] = __LINE__; LogAux(TRACE_LEVEL_ERROR, "aux %!FLAGS! of %!COMPNAME!");
  lines[n++] = __LINE__; DoTraceMessage(LVL_DRIVER, "plain");
  // clang-format on
}
