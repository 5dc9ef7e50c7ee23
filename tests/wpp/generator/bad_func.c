/* SPDX-License-Identifier: MIT */
/* Generator input: a FUNC whose MSG is followed by another parameter. */
// begin_wpp config
// FUNC TraceBad(LEVEL, MSG, FLAGS);
// end_wpp
