/* SPDX-License-Identifier: MIT */
/* The kernel-runtime test cases, written as kernel code (C, compiled with the km flags)
 * and called from the GoogleTest driver (km_runtime_test.cpp, compiled without them).
 * Only plain C types cross: each case returns 0 on success or the source line of the
 * first failed check, whose text km_rt_failure() returns. */
#ifndef KM_RT_CASES_H
#define KM_RT_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

const char* km_rt_failure(void);
long long km_rt_pool_outstanding(void);
/* Timers still set plus DPCs still queued or running. */
long km_rt_deferred_outstanding(void);

/* km_rt_cases_irp.c */
int km_rt_irp_more_processing_required(void);
int km_rt_irp_invoke_flags(void);
int km_rt_irp_two_locations(void);
int km_rt_irp_reuse(void);
int km_rt_irp_cancel_routine(void);
int km_rt_irp_routine_returns_success(void);
int km_rt_mdl(void);
int km_rt_work_item(void);

/* km_rt_cases_sync.c */
int km_rt_event_timeouts(void);
int km_rt_event_cross_thread(void);
int km_rt_wait_multiple(void);
int km_rt_thread_object_wait(void);
int km_rt_thread_terminate(void);
int km_rt_locks_under_contention(void);
int km_rt_semaphore_mutex(void);
int km_rt_time(void);
int km_rt_spin_lock_recursion(void);

/* km_rt_cases_timer.c */
int km_rt_timer_relative(void);
int km_rt_timer_absolute(void);
int km_rt_timer_synchronization_wait(void);
int km_rt_timer_many_waiters(void);
int km_rt_timer_periodic_dpc(void);
int km_rt_timer_cancel_while_dpc_runs(void);
int km_rt_timer_reset_while_set(void);
int km_rt_dpc_queue(void);
int km_rt_dpc_not_reentered(void);
int km_rt_dpc_flush_from_dpc(void);
int km_rt_ex_work_item(void);

/* km_rt_cases_table.c, km_rt_cases_avl_names.c */
int km_rt_avl_table_random(void);
int km_rt_avl_table_full_forms(void);
int km_rt_avl_table_generic_names(void);
int km_rt_splay_table_random(void);
int km_rt_splay_links(void);

/* km_rt_cases_data.c */
int km_rt_lists(void);
int km_rt_slist(void);
int km_rt_lookaside(void);
int km_rt_pool(void);
int km_rt_pool_tag_mismatch(void);
int km_rt_unicode_string(void);
int km_rt_strsafe(void);
int km_rt_printf_semantics(void);
int km_rt_printf_wide(void);
int km_rt_dbgprint(void);

/* km_rt_cases_ip.c (<ip2string.h>) */
int km_rt_ip4_strings(void);
int km_rt_ip6_strings(void);
int km_rt_ip_strings_null_arguments(void);
int km_rt_ip_strings_round_trip(void);

#ifdef __cplusplus
}
#endif

#endif /* KM_RT_CASES_H */
