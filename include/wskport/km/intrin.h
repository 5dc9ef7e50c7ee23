/* SPDX-License-Identifier: MIT */
/*
 * intrin.h: the MSVC compiler intrinsics kernel code calls (bit scans, compiler and
 * memory barriers, the _Interlocked* family, bit tests, byte swaps, rotates, population
 * counts, __nop, _ReturnAddress; __debugbreak is in every km header), for GCC and Clang, in
 * Windows' types.
 *
 * Each name is a macro for a Wskport-prefixed inline function (or an existing kernel
 * routine), never a definition under the MSVC name itself: Clang with -fms-extensions
 * declares several of these names as builtins with LP64 types, and MinGW's own headers
 * declare some of them. x86 targets also get the compiler's <x86intrin.h> (_mm_pause,
 * __rdtsc, _rotl...), as MSVC's intrin.h brings the SSE intrinsics. Processor-register
 * intrinsics (__readmsr, __readcr3, __readgsqword, __cpuid...) are not provided: user
 * mode cannot execute them.
 */
#pragma once
#ifndef WSKPORT_KM_INTRIN_H
#define WSKPORT_KM_INTRIN_H

#include <wdm.h>

#if defined(_MSC_VER) && !defined(__clang__)
/* MSVC: the intrinsics are the compiler's; declare the ones drivers use. */
unsigned char _BitScanForward(unsigned long* Index, unsigned long Mask);
unsigned char _BitScanReverse(unsigned long* Index, unsigned long Mask);
unsigned char _BitScanForward64(unsigned long* Index, unsigned __int64 Mask);
unsigned char _BitScanReverse64(unsigned long* Index, unsigned __int64 Mask);
void _ReadWriteBarrier(void);
#pragma intrinsic(_BitScanForward, _BitScanReverse, _BitScanForward64, _BitScanReverse64)
#pragma intrinsic(_ReadWriteBarrier)
#else

#if defined(__i386__) || defined(__x86_64__)
#include <x86intrin.h>
#endif

WSKPORT_KM_BEGIN_DECLS

/* ------------------------------------------------------------- bit scans ------- */

/* Index of the lowest (highest) set bit of Mask into *Index; returns 0 (and leaves
 * *Index unspecified, here unchanged) when Mask is 0. */
WSKPORT_KM_INLINE BOOLEAN WskportBitScanForward(ULONG* Index, ULONG Mask) {
  if (Mask == 0) return 0;
  *Index = (ULONG)__builtin_ctz(Mask);
  return 1;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitScanReverse(ULONG* Index, ULONG Mask) {
  if (Mask == 0) return 0;
  *Index = (ULONG)(31 - __builtin_clz(Mask));
  return 1;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitScanForward64(ULONG* Index, ULONG64 Mask) {
  if (Mask == 0) return 0;
  *Index = (ULONG)__builtin_ctzll(Mask);
  return 1;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitScanReverse64(ULONG* Index, ULONG64 Mask) {
  if (Mask == 0) return 0;
  *Index = (ULONG)(63 - __builtin_clzll(Mask));
  return 1;
}
#define _BitScanForward WskportBitScanForward
#define _BitScanReverse WskportBitScanReverse
#define _BitScanForward64 WskportBitScanForward64
#define _BitScanReverse64 WskportBitScanReverse64
#define BitScanForward WskportBitScanForward
#define BitScanReverse WskportBitScanReverse
#define BitScanForward64 WskportBitScanForward64
#define BitScanReverse64 WskportBitScanReverse64

/* ------------------------------------------------------------- bit tests ------- */

/* Bit b of the bit string at a (b may exceed 31: it indexes into following LONGs). */
WSKPORT_KM_INLINE BOOLEAN WskportBitTest(const LONG* a, LONG b) {
  return (BOOLEAN)((((const ULONG*)a)[b >> 5] >> (b & 31)) & 1);
}
WSKPORT_KM_INLINE BOOLEAN WskportBitTestAndSet(LONG* a, LONG b) {
  const BOOLEAN old = WskportBitTest(a, b);
  ((ULONG*)a)[b >> 5] |= 1u << (b & 31);
  return old;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitTestAndReset(LONG* a, LONG b) {
  const BOOLEAN old = WskportBitTest(a, b);
  ((ULONG*)a)[b >> 5] &= ~(1u << (b & 31));
  return old;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitTestAndComplement(LONG* a, LONG b) {
  const BOOLEAN old = WskportBitTest(a, b);
  ((ULONG*)a)[b >> 5] ^= 1u << (b & 31);
  return old;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitTest64(const LONG64* a, LONG64 b) {
  return (BOOLEAN)((((const ULONG64*)a)[b >> 6] >> (b & 63)) & 1);
}
WSKPORT_KM_INLINE BOOLEAN WskportBitTestAndSet64(LONG64* a, LONG64 b) {
  const BOOLEAN old = WskportBitTest64(a, b);
  ((ULONG64*)a)[b >> 6] |= 1ull << (b & 63);
  return old;
}
WSKPORT_KM_INLINE BOOLEAN WskportBitTestAndReset64(LONG64* a, LONG64 b) {
  const BOOLEAN old = WskportBitTest64(a, b);
  ((ULONG64*)a)[b >> 6] &= ~(1ull << (b & 63));
  return old;
}
#define _bittest WskportBitTest
#define _bittestandset WskportBitTestAndSet
#define _bittestandreset WskportBitTestAndReset
#define _bittestandcomplement WskportBitTestAndComplement
#define _bittest64 WskportBitTest64
#define _bittestandset64 WskportBitTestAndSet64
#define _bittestandreset64 WskportBitTestAndReset64
#define BitTest WskportBitTest
#define BitTestAndSet WskportBitTestAndSet
#define BitTestAndReset WskportBitTestAndReset
#define BitTestAndComplement WskportBitTestAndComplement
#define BitTest64 WskportBitTest64
#define BitTestAndSet64 WskportBitTestAndSet64
#define BitTestAndReset64 WskportBitTestAndReset64
#define _interlockedbittestandset InterlockedBitTestAndSet
#define _interlockedbittestandreset InterlockedBitTestAndReset
#define _interlockedbittestandset64 InterlockedBitTestAndSet64
#define _interlockedbittestandreset64 InterlockedBitTestAndReset64

/* ------------------------------------------------------------- barriers -------- */

/* Compiler-only barriers (MSVC's are too); the processor fence is KeMemoryBarrier. */
#define _ReadWriteBarrier() __asm__ __volatile__("" ::: "memory")
#define _ReadBarrier() _ReadWriteBarrier()
#define _WriteBarrier() _ReadWriteBarrier()
#define __faststorefence() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* ------------------------------------------------------------ interlocked ------ */

/* The compiler-intrinsic spellings of the kernel's Interlocked routines (the same
 * functions, in Windows' LONG = 32-bit types; see wskport_km_ke.h). */
#define _InterlockedIncrement InterlockedIncrement
#define _InterlockedDecrement InterlockedDecrement
#define _InterlockedExchange InterlockedExchange
#define _InterlockedCompareExchange InterlockedCompareExchange
#define _InterlockedExchangeAdd InterlockedExchangeAdd
#define _InterlockedOr InterlockedOr
#define _InterlockedAnd InterlockedAnd
#define _InterlockedXor InterlockedXor
#define _InterlockedIncrement64 InterlockedIncrement64
#define _InterlockedDecrement64 InterlockedDecrement64
#define _InterlockedExchange64 InterlockedExchange64
#define _InterlockedCompareExchange64 InterlockedCompareExchange64
#define _InterlockedExchangeAdd64 InterlockedExchangeAdd64
#define _InterlockedOr64 InterlockedOr64
#define _InterlockedAnd64 InterlockedAnd64
#define _InterlockedXor64 InterlockedXor64
#define _InterlockedExchangePointer InterlockedExchangePointer
#define _InterlockedCompareExchangePointer InterlockedCompareExchangePointer
#define _InterlockedExchange8 InterlockedExchange8
#define _InterlockedCompareExchange8 InterlockedCompareExchange8
#define _InterlockedExchangeAdd8 InterlockedExchangeAdd8
#define _InterlockedAnd8 InterlockedAnd8
#define _InterlockedOr8 InterlockedOr8
#define _InterlockedXor8 InterlockedXor8
#define _InterlockedIncrement16 InterlockedIncrement16
#define _InterlockedDecrement16 InterlockedDecrement16
#define _InterlockedExchange16 InterlockedExchange16
#define _InterlockedCompareExchange16 InterlockedCompareExchange16
#define _InterlockedExchangeAdd16 InterlockedExchangeAdd16
#define _InterlockedAnd16 InterlockedAnd16
#define _InterlockedOr16 InterlockedOr16
#define _InterlockedXor16 InterlockedXor16

/* ------------------------------------------------------ byte swaps, rotates ----- */

#define _byteswap_ushort(x) ((USHORT)__builtin_bswap16((USHORT)(x)))
#define _byteswap_ulong(x) ((ULONG)__builtin_bswap32((ULONG)(x)))
#define _byteswap_uint64(x) ((ULONG64)__builtin_bswap64((ULONG64)(x)))
WSKPORT_KM_INLINE UINT WskportRotl(UINT v, int s) {
  s &= 31;
  return s == 0 ? v : (v << s) | (v >> (32 - s));
}
WSKPORT_KM_INLINE UINT WskportRotr(UINT v, int s) {
  s &= 31;
  return s == 0 ? v : (v >> s) | (v << (32 - s));
}
WSKPORT_KM_INLINE ULONG64 WskportRotl64(ULONG64 v, int s) {
  s &= 63;
  return s == 0 ? v : (v << s) | (v >> (64 - s));
}
WSKPORT_KM_INLINE ULONG64 WskportRotr64(ULONG64 v, int s) {
  s &= 63;
  return s == 0 ? v : (v >> s) | (v << (64 - s));
}
/* x86intrin.h (or MinGW's stdlib.h) may already define the 32-bit ones. */
#ifndef _rotl
#define _rotl WskportRotl
#endif
#ifndef _rotr
#define _rotr WskportRotr
#endif
#ifndef _rotl64
#define _rotl64 WskportRotl64
#endif
#ifndef _rotr64
#define _rotr64 WskportRotr64
#endif

/* ------------------------------------------------------------- bit counts ------ */

#define __popcnt16(x) ((USHORT)__builtin_popcount((USHORT)(x)))
#define __popcnt(x) ((UINT)__builtin_popcount((UINT)(x)))
#define __popcnt64(x) ((ULONG64)__builtin_popcountll((ULONG64)(x)))
/* Leading zeros, defined (as lzcnt) for 0. */
#define __lzcnt16(x) ((USHORT)((USHORT)(x) == 0 ? 16 : __builtin_clz((UINT)(USHORT)(x)) - 16))
#define __lzcnt(x) ((UINT)((UINT)(x) == 0 ? 32 : __builtin_clz((UINT)(x))))
#define __lzcnt64(x) ((ULONG64)((ULONG64)(x) == 0 ? 64 : __builtin_clzll((ULONG64)(x))))

/* ------------------------------------------------------------------ misc ------- */

#define _ReturnAddress() __builtin_return_address(0)
#ifndef __nop
#define __nop() ((void)0)
#endif
#if !(defined(__i386__) || defined(__x86_64__))
#define _mm_pause() ((void)0)
#endif

WSKPORT_KM_END_DECLS

#endif /* !_MSC_VER */

#endif /* WSKPORT_KM_INTRIN_H */
