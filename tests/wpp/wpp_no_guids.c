/* SPDX-License-Identifier: MIT */
/* Must not compile: it includes its .tmh without defining WPP_CONTROL_GUIDS, which
 * tracewpp's .tmh needs too. The test (wpp.no_control_guids) checks the error says so. */
#include <ntddk.h>

#include "wpp_no_guids.tmh"

void wpp_no_guids(void) { DoTraceMessage(NO_SUCH_FLAG, "never built"); }
