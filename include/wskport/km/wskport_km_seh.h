/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_seh.h: structured exception handling as kernel code writes it (__try,
 * __except, __finally, __leave, GetExceptionCode, EXCEPTION_EXECUTE_HANDLER) on
 * compilers that have no SEH (GCC and Clang on Linux, MinGW GCC), and the routines that
 * raise (ExRaiseStatus, ProbeForRead/ProbeForWrite).
 *
 * Nothing can be caught: no exception is ever raised into a __try body here (a fault
 * is a signal, ExRaiseStatus stops the process). So the emulation keeps the control flow
 * that does not involve an exception and nothing else:
 *   - the __try body runs; an __except filter and handler never run (the filter is
 *     type-checked, not evaluated);
 *   - __leave jumps to the end of the innermost __try body (also from inside a loop or
 *     switch in it); break, continue and goto keep their C meaning;
 *   - a __finally block runs after the body ends normally or by __leave. It does NOT run
 *     when the body leaves by return, goto, break/continue out of the __try, longjmp or a
 *     C++ exception (there, on Windows, it would, with AbnormalTermination() TRUE);
 *     AbnormalTermination() is always FALSE.
 * docs/porting.md ("Structured exception handling") states what this means for a driver.
 *
 * C: __try opens a block with a GNU local label (__label__) that __except/__finally
 * place after the body, so __leave is a goto. The construct is two statements, not one:
 * `if (x) __try {...} __except (...) {...}` needs braces around it.
 * C++: libstdc++ defines __try itself (bits/exception_defines.h: `try`, or `if (true)`
 * with -fno-exceptions) and uses it with __catch in its own headers, so C++ gets the
 * same definition and __except/__finally become catch clauses for a type nobody throws;
 * __leave throws a private type caught by the same clauses (so it works in noexcept
 * functions too). With -fno-exceptions, C++ has no __leave.
 * MSVC and clang-cl have real SEH: nothing here is defined for them.
 */
#pragma once
#ifndef WSKPORT_KM_SEH_H
#define WSKPORT_KM_SEH_H

#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

#define EXCEPTION_NONCONTINUABLE 0x1
#define EXCEPTION_UNWINDING 0x2
#define EXCEPTION_EXIT_UNWIND 0x4
#define EXCEPTION_MAXIMUM_PARAMETERS 15

typedef struct _EXCEPTION_RECORD {
  NTSTATUS ExceptionCode;
  ULONG ExceptionFlags;
  struct _EXCEPTION_RECORD* ExceptionRecord;
  PVOID ExceptionAddress;
  ULONG NumberParameters;
  ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

/* The register context is the processor's; no code here ever receives one. */
typedef struct _CONTEXT CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS {
  PEXCEPTION_RECORD ExceptionRecord;
  PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

#if !defined(_MSC_VER)

/* clang-format knows __except as a keyword and would write `__except (filter)`, which
 * is no longer a function-like macro: keep it away from these lines. */
/* clang-format off */

/* Only meaningful inside a filter or handler, which never run: any value type-checks. */
#define GetExceptionCode() ((NTSTATUS)STATUS_UNSUCCESSFUL)
#define GetExceptionInformation() ((PEXCEPTION_POINTERS)NULL)
#define _exception_code() GetExceptionCode()
#define _exception_info() ((PVOID)GetExceptionInformation())
#define AbnormalTermination() FALSE
#define _abnormal_termination() FALSE

#ifndef __cplusplus

#define __try                           \
  {                                     \
    __label__ wskport_seh_leave_target;
#define __leave goto wskport_seh_leave_target
#define WSKPORT_KM_SEH_END                                  \
  wskport_seh_leave_target: __attribute__((unused));        \
  }
#define __except(filter) WSKPORT_KM_SEH_END if (0 && (filter))
#define __finally WSKPORT_KM_SEH_END if (1)

#else /* __cplusplus */

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
struct WskportSehNeverRaised {};
struct WskportSehLeave {};
#define __try try
#define __leave throw WskportSehLeave()
#define __except(filter) \
  catch (const WskportSehLeave&) {} catch (const WskportSehNeverRaised&)
#define __finally                     \
  catch (const WskportSehLeave&) {} \
  if (true)
#else
#define __try if (true)
#define __except(filter) else if (false)
#define __finally if (true)
#endif

#endif /* __cplusplus */

/* clang-format on */

#endif /* !_MSC_VER */

WSKPORT_KM_BEGIN_DECLS

/** Raises @p Status as a kernel exception. No handler can catch it in a process, so
 *  this reports the status (as an unhandled exception, bug check 0x1E, would) and stops
 *  the process. */
WSKPORT_KM_NORETURN NTKERNELAPI VOID ExRaiseStatus(_In_ NTSTATUS Status);
#define ExRaiseAccessViolation() ExRaiseStatus(STATUS_ACCESS_VIOLATION)
#define ExRaiseDatatypeMisalignment() ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT)
/** Checks a caller's buffer as the kernel does for user-mode addresses: a zero
 *  @p Length passes; otherwise @p Address must be a multiple of @p Alignment (else
 *  ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT)) and the range must not wrap (else
 *  STATUS_ACCESS_VIOLATION). Every address of the process is accessible here. */
NTKERNELAPI VOID ProbeForRead(_In_reads_bytes_(Length) const volatile VOID* Address,
                              _In_ SIZE_T Length, _In_ ULONG Alignment);
NTKERNELAPI VOID ProbeForWrite(_Inout_updates_bytes_(Length) volatile VOID* Address,
                               _In_ SIZE_T Length, _In_ ULONG Alignment);

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_SEH_H */
