/* SPDX-License-Identifier: MIT */
/* Generator input: a configuration block that never ends. */
// begin_wpp config
// FUNC TraceOpen(LEVEL, FLAGS, MSG, ...);
