/* SPDX-License-Identifier: MIT */
/* Generator input: a trace format that names a type no configuration defines. */
#define WPP_CONTROL_GUIDS WPP_DEFINE_CONTROL_GUID(Ctl, (1, 2, 3, 4, 5), WPP_DEFINE_BIT(F))
#include "unknown_type.tmh"
void f(void) { DoTraceMessage(F, "value %!NOSUCHTYPE!", 1); }
