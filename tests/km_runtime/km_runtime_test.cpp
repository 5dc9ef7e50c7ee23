// SPDX-License-Identifier: MIT
// GoogleTest driver for the kernel runtime's own cases (IRP completion semantics, MDLs,
// events and waits, threads, locks, time, timers and DPCs, work items, generic tables,
// lists, lookaside, pool, counted strings,
// ntstrsafe, the printf engine, DbgPrint). The cases are kernel-style C compiled with
// the km flags (-fshort-wchar) in their own library; this file is compiled without them
// (GoogleTest uses wchar_t) and sees only plain C functions.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "km_rt_cases.h"

namespace {

// Every case must leave the pool as it found it, and no timer set or DPC queued.
class KmRuntime : public ::testing::Test {
 protected:
  void SetUp() override { pool_before_ = km_rt_pool_outstanding(); }
  void TearDown() override {
    EXPECT_EQ(pool_before_, km_rt_pool_outstanding()) << "pool leak";
    EXPECT_EQ(0, km_rt_deferred_outstanding()) << "timers set or DPCs queued";
  }

 private:
  long long pool_before_ = 0;
};

#define KM_RT_CASE(name) \
  TEST_F(KmRuntime, name) { EXPECT_EQ(0, km_rt_##name()) << km_rt_failure(); }

KM_RT_CASE(irp_more_processing_required)
KM_RT_CASE(irp_invoke_flags)
KM_RT_CASE(irp_two_locations)
KM_RT_CASE(irp_reuse)
KM_RT_CASE(irp_cancel_routine)
KM_RT_CASE(mdl)
KM_RT_CASE(work_item)
KM_RT_CASE(event_timeouts)
KM_RT_CASE(event_cross_thread)
KM_RT_CASE(wait_multiple)
KM_RT_CASE(thread_object_wait)
KM_RT_CASE(thread_terminate)
KM_RT_CASE(locks_under_contention)
KM_RT_CASE(semaphore_mutex)
KM_RT_CASE(time)
KM_RT_CASE(lists)
KM_RT_CASE(slist)
KM_RT_CASE(lookaside)
KM_RT_CASE(pool)
KM_RT_CASE(unicode_string)
KM_RT_CASE(strsafe)
KM_RT_CASE(printf_semantics)
KM_RT_CASE(printf_wide)
KM_RT_CASE(ip4_strings)
KM_RT_CASE(ip6_strings)
KM_RT_CASE(ip_strings_null_arguments)
KM_RT_CASE(ip_strings_round_trip)
KM_RT_CASE(timer_relative)
KM_RT_CASE(timer_absolute)
KM_RT_CASE(timer_synchronization_wait)
KM_RT_CASE(timer_many_waiters)
KM_RT_CASE(timer_periodic_dpc)
KM_RT_CASE(timer_cancel_while_dpc_runs)
KM_RT_CASE(timer_reset_while_set)
KM_RT_CASE(dpc_queue)
KM_RT_CASE(dpc_not_reentered)
KM_RT_CASE(ex_work_item)
KM_RT_CASE(avl_table_random)
KM_RT_CASE(avl_table_full_forms)
KM_RT_CASE(avl_table_generic_names)
KM_RT_CASE(splay_table_random)
KM_RT_CASE(splay_links)

TEST_F(KmRuntime, dpc_flush_from_dpc_is_reported_once) {
  ::testing::internal::CaptureStderr();
  const int first = km_rt_dpc_flush_from_dpc();
  const int second = km_rt_dpc_flush_from_dpc();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(0, first) << km_rt_failure();
  EXPECT_EQ(0, second) << km_rt_failure();
  const std::string report = "KeFlushQueuedDpcs from a DPC routine";
  const auto at = err.find(report);
  ASSERT_NE(std::string::npos, at) << err;
  EXPECT_EQ(std::string::npos, err.find(report, at + 1)) << err;
}

TEST_F(KmRuntime, irp_routine_returns_success_is_reported_once) {
  ::testing::internal::CaptureStderr();
  const int result = km_rt_irp_routine_returns_success();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(0, result) << km_rt_failure();
  const std::string report = "returned a status other than STATUS_MORE_PROCESSING_REQUIRED";
  const auto first = err.find(report);
  ASSERT_NE(std::string::npos, first) << err;
  EXPECT_EQ(std::string::npos, err.find(report, first + 1)) << err;
}

TEST_F(KmRuntime, pool_tag_mismatch_is_reported) {
  ::testing::internal::CaptureStderr();
  const int result = km_rt_pool_tag_mismatch();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(0, result) << km_rt_failure();
  EXPECT_NE(std::string::npos, err.find("'_Bad'")) << err;
  EXPECT_NE(std::string::npos, err.find("allocated with tag 'Good'")) << err;
}

TEST(KmRuntimeDeathTest, spin_lock_recursion_is_stopped) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(km_rt_spin_lock_recursion(), "acquired again by the thread that holds it");
}

TEST_F(KmRuntime, dbgprint_filters_as_windows) {
  if (std::getenv("WSKPORT_DBGPRINT_LEVEL") != nullptr) {
    GTEST_SKIP() << "WSKPORT_DBGPRINT_LEVEL is set: the default filter is not in effect";
  }
  ::testing::internal::CaptureStderr();
  const int result = km_rt_dbgprint();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(0, result) << km_rt_failure();
  EXPECT_NE(std::string::npos, err.find("km_rt: DbgPrint drv 1\n")) << err;
  EXPECT_NE(std::string::npos, err.find("km_rt: error level shown\n")) << err;
  EXPECT_EQ(std::string::npos, err.find("info level hidden")) << err;
}

}  // namespace
