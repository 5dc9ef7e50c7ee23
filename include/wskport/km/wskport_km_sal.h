/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_sal.h: the source annotation language (SAL 2 and the older __drv_ forms)
 * and the calling-convention decorations of kernel headers, all as empty macros.
 * Kernel code keeps its annotations unchanged; nothing here checks them (the WDK's
 * Code Analysis does that on Windows). Included by wdm.h through wskport_km_base.h.
 */
#pragma once
#ifndef WSKPORT_KM_SAL_H
#define WSKPORT_KM_SAL_H

/* Calling conventions: x64 and ARM64 have one, so NTAPI and friends are empty. */
#ifndef NTAPI
#define NTAPI
#endif
#ifndef NTAPI_INLINE
#define NTAPI_INLINE
#endif
#ifndef NTSYSAPI
#define NTSYSAPI
#endif
#ifndef NTSYSCALLAPI
#define NTSYSCALLAPI
#endif
#ifndef NTKERNELAPI
#define NTKERNELAPI
#endif
#ifndef NTHALAPI
#define NTHALAPI
#endif
#ifndef NTSTRSAFEAPI
#define NTSTRSAFEAPI
#endif
#ifndef NTSTRSAFEDDI
#define NTSTRSAFEDDI
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef FASTCALL
#define FASTCALL
#endif
#ifndef DECLSPEC_IMPORT
#define DECLSPEC_IMPORT
#endif
#ifndef DECLSPEC_EXPORT
#define DECLSPEC_EXPORT
#endif
#ifndef DECLSPEC_NORETURN
#define DECLSPEC_NORETURN
#endif
#ifndef DECLSPEC_NOINLINE
#define DECLSPEC_NOINLINE
#endif
/* One definition for the whole image, whichever translation units define it (a global
 * defined in a header): a COMDAT on PE, a weak definition on ELF. */
#ifndef DECLSPEC_SELECTANY
#if defined(_MSC_VER) || defined(__MINGW32__) || defined(__CYGWIN__)
#define DECLSPEC_SELECTANY __declspec(selectany)
#else
#define DECLSPEC_SELECTANY __attribute__((weak))
#endif
#endif
#ifndef DECLSPEC_CACHEALIGN
#define DECLSPEC_CACHEALIGN
#endif
#ifndef DECLSPEC_NOTHROW
#define DECLSPEC_NOTHROW
#endif
#ifndef DECLSPEC_DEPRECATED_DDK
#define DECLSPEC_DEPRECATED_DDK
#endif
#ifndef DECLSPEC_DEPRECATED_DDK_WIN10
#define DECLSPEC_DEPRECATED_DDK_WIN10
#endif
#ifndef DECLSPEC_RESTRICT
#define DECLSPEC_RESTRICT
#endif
#ifndef POINTER_ALIGNMENT
#define POINTER_ALIGNMENT
#endif
#ifndef __cdecl
#if !defined(_MSC_VER) && !defined(__MINGW32__)
#define __cdecl
#endif
#endif
#ifndef __stdcall
#if !defined(_MSC_VER) && !defined(__MINGW32__)
#define __stdcall
#endif
#endif
#ifndef __fastcall
#if !defined(_MSC_VER) && !defined(__MINGW32__)
#define __fastcall
#endif
#endif
#ifndef __restrict
#if !defined(_MSC_VER) && !defined(__GNUC__)
#define __restrict
#endif
#endif

/* Old-style parameter decorations. */
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef UNALIGNED
#define UNALIGNED
#endif
#ifndef RESTRICTED_POINTER
#define RESTRICTED_POINTER
#endif
#ifndef CONST
#define CONST const
#endif

/* SAL 2: parameters. */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(s)
#define _In_reads_opt_(s)
#define _In_reads_bytes_(s)
#define _In_reads_bytes_opt_(s)
#define _In_reads_z_(s)
#define _In_reads_or_z_(s)
#define _In_range_(l, h)
#define _In_NLS_string_(s)
#define _Out_
#define _Out_opt_
#define _Out_writes_(s)
#define _Out_writes_opt_(s)
#define _Out_writes_bytes_(s)
#define _Out_writes_bytes_opt_(s)
#define _Out_writes_to_(s, c)
#define _Out_writes_to_opt_(s, c)
#define _Out_writes_bytes_to_(s, c)
#define _Out_writes_bytes_to_opt_(s, c)
#define _Out_writes_all_(s)
#define _Out_writes_bytes_all_(s)
#define _Out_writes_z_(s)
#define _Out_writes_opt_z_(s)
#define _Out_range_(l, h)
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_opt_z_
#define _Inout_updates_(s)
#define _Inout_updates_opt_(s)
#define _Inout_updates_bytes_(s)
#define _Inout_updates_bytes_opt_(s)
#define _Inout_updates_z_(s)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_buffer_(s)
#define _Outptr_result_bytebuffer_(s)
#define _Outptr_result_nullonfailure_
#define _Outptr_opt_result_nullonfailure_
#define _Outptr_result_z_
#define _Deref_out_
#define _Deref_out_opt_
#define _Deref_out_range_(l, h)
#define _Deref_in_range_(l, h)
#define _Deref_inout_range_(l, h)
#define _Deref_post_maybenull_
#define _Deref_pre_maybenull_
#define _Pre_
#define _Post_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Pre_null_
#define _Pre_valid_
#define _Pre_z_
#define _Pre_writable_size_(s)
#define _Pre_readable_size_(s)
#define _Pre_satisfies_(e)
#define _Post_z_
#define _Post_valid_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Post_null_
#define _Post_notnull_
#define _Post_maybenull_
#define _Post_readable_size_(s)
#define _Post_writable_size_(s)
#define _Post_satisfies_(e)
#define _Post_equal_to_(e)
#define _Post_same_lock_(a, b)
#define _Post_defensive_
#define _Pre_defensive_
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Field_size_(s)
#define _Field_size_opt_(s)
#define _Field_size_bytes_(s)
#define _Field_size_bytes_opt_(s)
#define _Field_size_part_(s, c)
#define _Field_size_bytes_part_(s, c)
#define _Field_size_full_(s)
#define _Field_range_(l, h)
#define _Field_z_
#define _Struct_size_bytes_(s)
#define _Readable_bytes_(s)
#define _Writable_bytes_(s)
#define _Readable_elements_(s)
#define _Writable_elements_(s)
#define _Printf_format_string_
#define _Printf_format_string_params_(n)
#define _Scanf_format_string_
#define _Format_string_impl_(k, w)
#define _Literal_
#define _Const_
#define _Reserved_
#define _Unreferenced_parameter_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Points_to_data_
#define _Interlocked_operand_
#define _Inexpressible_(e)
#define _Analysis_assume_(e)
#define _Analysis_mode_(m)
#define _Analysis_noreturn_
#define _Analysis_assume_lock_held_(l)
#define _Analysis_assume_lock_not_held_(l)
#define _Analysis_assume_lock_acquired_(l)
#define _Analysis_assume_lock_released_(l)
#define _Analysis_suppress_lock_checking_(l)

/* SAL 2: results and function classes. */
#define _Check_return_
#define _Must_inspect_result_
#define _Success_(e)
#define _Return_type_success_(e)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Ret_
#define _Ret_z_
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_null_
#define _Ret_range_(l, h)
#define _Ret_writes_(s)
#define _Ret_writes_bytes_(s)
#define _Ret_writes_maybenull_(s)
#define _Ret_writes_bytes_maybenull_(s)
#define _Ret_maybenull_z_
#define _Use_decl_annotations_
#define _Function_class_(c)
#define _Dispatch_type_(t)
#define _Kernel_float_used_
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_clear_do_init_(y)
#define _Kernel_requires_resource_held_(r)
#define _Kernel_requires_resource_not_held_(r)
#define _Kernel_acquires_resource_(r)
#define _Kernel_releases_resource_(r)
#define _Callback_
#define _Always_(a)
#define _On_failure_(a)
#define _When_(...)
#define _At_(...)
#define _At_buffer_(...)
#define _Group_(...)
#define _Strict_type_match_
#define _Enum_is_bitflag_
#define _Flt_CompletionContext_Outptr_
#define _Guarded_by_(l)
#define _Write_guarded_by_(l)
#define _Interlocked_
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Requires_exclusive_lock_held_(l)
#define _Requires_shared_lock_held_(l)
#define _Requires_no_locks_held_
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Acquires_exclusive_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_shared_lock_(l)
#define _Acquires_nonreentrant_lock_(l)
#define _Releases_nonreentrant_lock_(l)
#define _Create_lock_level_(l)
#define _Has_lock_kind_(k)
#define _Has_lock_level_(l)
#define _Lock_level_order_(a, b)
#define _No_competing_thread_
#define _Benign_race_begin_
#define _Benign_race_end_
#define _Unchanged_(e)
#define _Old_(e) (e)
#define _Curr_
#define _Param_(n)
#define _Notliteral_
#define _Pre_notnull_
#define _Null_
#define _Notref_
#define _Deref_

/* IRQL annotations. */
#define _IRQL_requires_(i)
#define _IRQL_requires_max_(i)
#define _IRQL_requires_min_(i)
#define _IRQL_requires_same_
#define _IRQL_raises_(i)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(k, p)
#define _IRQL_restores_global_(k, p)
#define _IRQL_always_function_max_(i)
#define _IRQL_always_function_min_(i)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _IRQL_lowers_to_(i)
#define _IRQL_requires_lowered_(i)

/* The older driver annotations (__drv_*). */
#define __drv_aliasesMem
#define __drv_allocatesMem(k)
#define __drv_freesMem(k)
#define __drv_arg(e, a)
#define __drv_at(e, a)
#define __drv_when(c, a)
#define __drv_maxIRQL(i)
#define __drv_minIRQL(i)
#define __drv_setsIRQL(i)
#define __drv_raisesIRQL(i)
#define __drv_requiresIRQL(i)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(k, p)
#define __drv_restoresIRQLGlobal(k, p)
#define __drv_sameIRQL
#define __drv_useCancelIRQL
#define __drv_dispatchType(t)
#define __drv_dispatchType_other
#define __drv_functionClass(c)
#define __drv_completionType(t)
#define __drv_inTry
#define __drv_notInTry
#define __drv_in(a)
#define __drv_out(a)
#define __drv_deref(a)
#define __drv_valueIs(a)
#define __drv_strictType(t, m)
#define __drv_strictTypeMatch(m)
#define __drv_reportError(m)
#define __drv_preferredFunction(f, r)
#define __drv_isObjectPointer
#define __drv_acquiresResource(k)
#define __drv_releasesResource(k)
#define __drv_acquiresExclusiveResource(k)
#define __drv_releasesExclusiveResource(k)
#define __drv_mustHold(k)
#define __drv_neverHold(k)
#define __drv_innerMustHold(k)
#define __drv_innerNeverHold(k)
#define __drv_clearDoInit(y)
#define __drv_nonConstant
#define __drv_constant
#define __drv_formatString(k)
#define __drv_floatUsed
#define __drv_floatSaved
#define __drv_floatRestored
#define __drv_interlocked
#define __drv_isCancelIRQL
#define __drv_maxFunctionIRQL(i)
#define __drv_minFunctionIRQL(i)

#define __drv_acquiresResourceGlobal(k, g)
#define __drv_releasesResourceGlobal(k, g)
#define __drv_mustHoldGlobal(k, g)
#define __drv_neverHoldGlobal(k, g)
#define __drv_innerMustHoldGlobal(k, g)
#define __drv_innerNeverHoldGlobal(k, g)
#define __drv_acquiresCancelSpinLock
#define __drv_releasesCancelSpinLock
#define __drv_mustHoldCancelSpinLock
#define __drv_neverHoldCancelSpinLock
#define __drv_acquiresCriticalRegion
#define __drv_releasesCriticalRegion
#define __drv_mustHoldCriticalRegion
#define __drv_acquiresPriorityRegion
#define __drv_releasesPriorityRegion
#define __drv_setsCancelIRQL
#define __drv_declspec(x)
#define __drv_ret(a)
#define __drv_fun(a)
#define __drv_out_deref(a)
#define __drv_in_deref(a)

/* SAL 1 (the spellings of older WDK samples and libraries). __in and __out are C-only
 * by default: libstdc++ uses both as parameter and variable names in its headers, so a
 * C++ translation unit that includes a standard header after <wdm.h> would break. A C++
 * driver that uses them defines WSKPORT_KM_SAL1_IN_OUT before <wdm.h> and includes its
 * standard headers first. (__null, __pre, __post, __valid, __bound, __callback and __override are
 * never defined: the compiler, libstdc++ or glibc use those names.) */
#if !defined(__cplusplus) || defined(WSKPORT_KM_SAL1_IN_OUT)
#ifndef __in
#define __in
#endif
#ifndef __out
#define __out
#endif
#endif
#define __inout
#define __in_opt
#define __out_opt
#define __inout_opt
#define __in_z
#define __in_opt_z
#define __out_z
#define __out_z_opt
#define __inout_z
#define __inout_opt_z
#define __deref_in
#define __deref_out
#define __deref_out_opt
#define __deref_opt_out
#define __deref_opt_out_opt
#define __deref_inout
#define __deref_inout_opt
#define __deref_out_z
#define __deref_opt_in
#define __in_bcount(s)
#define __in_ecount(s)
#define __in_bcount_opt(s)
#define __in_ecount_opt(s)
#define __in_bcount_z(s)
#define __in_ecount_z(s)
#define __in_xcount(s)
#define __out_bcount(s)
#define __out_ecount(s)
#define __out_bcount_opt(s)
#define __out_ecount_opt(s)
#define __out_bcount_z(s)
#define __out_ecount_z(s)
#define __out_bcount_part(s, c)
#define __out_ecount_part(s, c)
#define __out_bcount_part_opt(s, c)
#define __out_ecount_part_opt(s, c)
#define __out_bcount_full(s)
#define __out_ecount_full(s)
#define __out_bcount_full_opt(s)
#define __out_ecount_full_opt(s)
#define __out_xcount(s)
#define __inout_bcount(s)
#define __inout_ecount(s)
#define __inout_bcount_opt(s)
#define __inout_ecount_opt(s)
#define __inout_bcount_part(s, c)
#define __inout_ecount_part(s, c)
#define __inout_ecount_z(s)
#define __deref_out_bcount(s)
#define __deref_out_ecount(s)
#define __deref_out_bcount_opt(s)
#define __deref_out_ecount_opt(s)
#define __deref_inout_bcount(s)
#define __deref_inout_ecount(s)
#define __field_bcount(s)
#define __field_ecount(s)
#define __field_bcount_opt(s)
#define __field_ecount_opt(s)
#define __field_bcount_part(s, c)
#define __field_ecount_part(s, c)
#define __field_range(l, h)
#define __field_z
#define __bcount(s)
#define __ecount(s)
#define __bcount_opt(s)
#define __ecount_opt(s)
#define __in_range(l, h)
#define __out_range(l, h)
#define __deref_out_range(l, h)
#define __range(l, h)
#define __out_data_source(src)
#define __in_data_source(src)
#define __field_data_source(src)
#define __success(e)
#define __checkReturn
#define __reserved
#define __nullterminated
#define __nullnullterminated
#define __notnull
#define __maybenull
#define __readonly
#define __format_string
#define __typefix(t)
#define __analysis_assume(e)
#define __assume_bound(e)
#define __control_entrypoint(c)
#define __data_entrypoint(c)
#define __allocator
#define __deallocate(k)
#define __post_invalid
#define __drv_Mode_impl(x)

#endif /* WSKPORT_KM_SAL_H */
