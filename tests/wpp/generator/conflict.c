/* SPDX-License-Identifier: MIT */
/* Generator input: TraceEvents here, and differently in the FUNC option of the test. */
// begin_wpp config
// FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
// end_wpp
