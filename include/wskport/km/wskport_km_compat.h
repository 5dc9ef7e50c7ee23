/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_compat.h: the MSVC and winnt.h spellings that kernel sources take for
 * granted and that have no routine behind them: EXTERN_C and its block forms, the
 * DUMMYUNIONNAME / DUMMYSTRUCTNAME member names, the Int32x32To64 family of 64-bit
 * arithmetic helpers, _countof, __debugbreak and __nop. Reached through wskport_km_base.h.
 */
#pragma once
#ifndef WSKPORT_KM_COMPAT_H
#define WSKPORT_KM_COMPAT_H

/* ------------------------------------------------------------- linkage -------- */

#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#define EXTERN_C_START extern "C" {
#define EXTERN_C_END }
#else
#define EXTERN_C extern
#define EXTERN_C_START
#define EXTERN_C_END
#endif
#endif

/* ---------------------------------------------------- anonymous member names --- */

/* Windows' headers name a union or struct member DUMMYUNIONNAME and define it empty
 * unless NONAMELESSUNION is set, so the members are anonymous (the km target compiles C
 * with -fms-extensions; C11 and GNU C++ accept anonymous members). MinGW's _mingw.h
 * defines the same names the same way, hence each one is guarded on its own. */
#ifdef NONAMELESSUNION
#define WSKPORT_KM_DUMMY(name) name
#else
#define WSKPORT_KM_DUMMY(name)
#endif
#ifndef DUMMYUNIONNAME
#define DUMMYUNIONNAME WSKPORT_KM_DUMMY(u)
#endif
#ifndef DUMMYUNIONNAME1
#define DUMMYUNIONNAME1 WSKPORT_KM_DUMMY(u1)
#endif
#ifndef DUMMYUNIONNAME2
#define DUMMYUNIONNAME2 WSKPORT_KM_DUMMY(u2)
#endif
#ifndef DUMMYUNIONNAME3
#define DUMMYUNIONNAME3 WSKPORT_KM_DUMMY(u3)
#endif
#ifndef DUMMYUNIONNAME4
#define DUMMYUNIONNAME4 WSKPORT_KM_DUMMY(u4)
#endif
#ifndef DUMMYUNIONNAME5
#define DUMMYUNIONNAME5 WSKPORT_KM_DUMMY(u5)
#endif
#ifndef DUMMYUNIONNAME6
#define DUMMYUNIONNAME6 WSKPORT_KM_DUMMY(u6)
#endif
#ifndef DUMMYUNIONNAME7
#define DUMMYUNIONNAME7 WSKPORT_KM_DUMMY(u7)
#endif
#ifndef DUMMYUNIONNAME8
#define DUMMYUNIONNAME8 WSKPORT_KM_DUMMY(u8)
#endif
#ifndef DUMMYUNIONNAME9
#define DUMMYUNIONNAME9 WSKPORT_KM_DUMMY(u9)
#endif
#ifndef DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME WSKPORT_KM_DUMMY(s)
#endif
#ifndef DUMMYSTRUCTNAME1
#define DUMMYSTRUCTNAME1 WSKPORT_KM_DUMMY(s1)
#endif
#ifndef DUMMYSTRUCTNAME2
#define DUMMYSTRUCTNAME2 WSKPORT_KM_DUMMY(s2)
#endif
#ifndef DUMMYSTRUCTNAME3
#define DUMMYSTRUCTNAME3 WSKPORT_KM_DUMMY(s3)
#endif
#ifndef DUMMYSTRUCTNAME4
#define DUMMYSTRUCTNAME4 WSKPORT_KM_DUMMY(s4)
#endif
#ifndef DUMMYSTRUCTNAME5
#define DUMMYSTRUCTNAME5 WSKPORT_KM_DUMMY(s5)
#endif

/* --------------------------------------------------------- 64-bit helpers ------ */

/* winnt.h's multiplication and shift helpers. The operands are cast exactly as the SDK
 * does, so Int32x32To64(ms, -10000) sign-extends and UInt32x32To64 does not. */
#define Int32x32To64(a, b) (((long long)((int)(a))) * ((long long)((int)(b))))
#define UInt32x32To64(a, b) \
  (((unsigned long long)((unsigned int)(a))) * ((unsigned long long)((unsigned int)(b))))
#define Int64ShllMod32(a, b) (((unsigned long long)(a)) << ((b)&31))
#define Int64ShraMod32(a, b) (((long long)(a)) >> ((b)&31))
#define Int64ShrlMod32(a, b) (((unsigned long long)(a)) >> ((b)&31))

/* ------------------------------------------------------------- _countof ------- */

/* MinGW's stdlib.h has its own (a template in C++); both count array elements. */
#ifndef _countof
#define _countof(array) (sizeof(array) / sizeof((array)[0]))
#endif

/* --------------------------------------------------------- compiler idioms ----- */

/* __debugbreak stops in the debugger on Windows; here it is DbgBreakPoint (a message on
 * stderr, then the process stops), on every host, so a driver's "cannot happen" branch
 * behaves the same under GCC, Clang and MinGW. A macro, not a function: Clang with
 * -fms-extensions knows __debugbreak as a builtin that may not be redefined. */
#ifdef __debugbreak
#undef __debugbreak
#endif
#define __debugbreak() DbgBreakPoint()
#if !defined(_MSC_VER) || defined(__clang__)
#ifndef __nop
#define __nop() ((void)0)
#endif
#endif

/* MSVC's `__pragma(x)` is C99's _Pragma("x") with the argument unquoted. */
#if !defined(_MSC_VER) && !defined(__pragma)
#define WSKPORT_KM_PRAGMA_STRING(x) #x
#define __pragma(x) _Pragma(WSKPORT_KM_PRAGMA_STRING(x))
#endif

#endif /* WSKPORT_KM_COMPAT_H */
