// SPDX-License-Identifier: MIT
// GoogleTest harness of the WSK provider's own checks. This file is compiled without
// the kernel headers (and without -fshort-wchar, which GoogleTest cannot take); the
// kernel-style checks run through extern "C" and return their failure counts (each
// failure is printed with its file and line).
#include <gtest/gtest.h>

extern "C" int wskport_wsk_check_events(void);
extern "C" int wskport_wsk_check_stream(void);
extern "C" int wskport_wsk_check_datagram(void);
extern "C" int wskport_wsk_check_mdl_cycles(void);
extern "C" int wskport_wsk_check_mdl_counts(void);

TEST(KmWsk, EventCallbacks) { EXPECT_EQ(wskport_wsk_check_events(), 0); }
TEST(KmWsk, StreamOptionsAndTeardown) { EXPECT_EQ(wskport_wsk_check_stream(), 0); }
TEST(KmWsk, DatagramsAndProviderCalls) { EXPECT_EQ(wskport_wsk_check_datagram(), 0); }
// Issue 14, defect 4: a chain that comes back to an MDL, or ends before Offset + Length.
TEST(KmWsk, CyclicAndShortMdlChainsAreRefused) { EXPECT_EQ(wskport_wsk_check_mdl_cycles(), 0); }
// Issue 14, defect 3 and the scatter/gather limits: 1 to max_datagram_buffers + 1 MDLs.
TEST(KmWsk, MdlChainCounts) { EXPECT_EQ(wskport_wsk_check_mdl_counts(), 0); }
