/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_base.h: the basic kernel types of ntdef.h in the Windows data model
 * (ULONG and LONG are 32 bits everywhere, ULONG_PTR and SIZE_T pointer-sized, WCHAR 16
 * bits), the NTSTATUS values, LIST_ENTRY, LARGE_INTEGER, UNICODE_STRING / ANSI_STRING,
 * GUID and the common helper macros. Compiles as C11 and as C++20; besides the
 * freestanding C headers it includes <string.h>, <errno.h> and <wchar.h> (<cwchar>). Reached
 * through <wdm.h>, <ntddk.h>, <ntifs.h> or <ntdef.h>.
 */
#pragma once
#ifndef WSKPORT_KM_BASE_H
#define WSKPORT_KM_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* memcpy and friends: RtlCopyMemory and kernel code use them */
/* The C library's wide-string declarations are read before wskport_km_wcs.h maps their
 * names to 16-bit routines, and in C++ <cwchar> (whose <bits/c++config.h> #undefs min
 * and max) is read before min and max are defined below. */
#include <errno.h>
#ifdef __cplusplus
#include <cwchar>
#else
#include <wchar.h>
#endif

#include "wskport_km_compat.h"
#include "wskport_km_sal.h"

/* Defined by wskport's kernel headers and never by the WDK's: code that must do
 * something else when it runs as a process (read a setting from the environment, say)
 * can test it and stay a valid WDK source. */
#define WSKPORT_KM_USER_MODE 1

/* Inline helpers in these headers: static in C (no external definition to collide),
 * plain inline in C++. */
#ifdef __cplusplus
#define WSKPORT_KM_INLINE inline
#define WSKPORT_KM_EXTERN_C extern "C"
#define WSKPORT_KM_BEGIN_DECLS extern "C" {
#define WSKPORT_KM_END_DECLS }
#else
#define WSKPORT_KM_INLINE static inline
#define WSKPORT_KM_EXTERN_C extern
#define WSKPORT_KM_BEGIN_DECLS
#define WSKPORT_KM_END_DECLS
#endif

/* FORCEINLINE as kernel code uses it on its own helpers. In C it is `static inline`, so
 * `static FORCEINLINE` (legal with MSVC's __forceinline) must be written FORCEINLINE. */
#ifndef FORCEINLINE
#ifdef __cplusplus
#define FORCEINLINE inline
#else
#define FORCEINLINE static inline
#endif
#endif
#ifndef __inline
#if !defined(_MSC_VER) && !defined(__GNUC__)
#define __inline inline
#endif
#endif
#ifndef __forceinline
#if !defined(_MSC_VER) && !defined(__MINGW32__)
#define __forceinline inline
#endif
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define DECLSPEC_ALIGN(x) __declspec(align(x))
#define DECLSPEC_NOINITALL
#define WSKPORT_KM_NORETURN __declspec(noreturn)
#else
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define WSKPORT_KM_NORETURN __attribute__((noreturn))
#endif
#ifndef MEMORY_ALLOCATION_ALIGNMENT
#define MEMORY_ALLOCATION_ALIGNMENT 16
#endif

/* ---------------------------------------------------------------- basic types ---- */

typedef void VOID, *PVOID, **PPVOID;
typedef const void* PCVOID;
typedef char CHAR, *PCHAR, *PSTR, *LPSTR, *PSZ;
typedef const char *PCSTR, *LPCSTR, *PCSZ, *PCCH;
typedef char CCHAR, *PCCHAR;
typedef CHAR* PCH;
typedef unsigned char UCHAR, *PUCHAR;
typedef unsigned char BYTE, *PBYTE;
typedef short SHORT, *PSHORT;
typedef short CSHORT, *PCSHORT;
typedef unsigned short USHORT, *PUSHORT;
typedef unsigned short WORD, *PWORD;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
/* Windows is LLP64: LONG is 32 bits. On an LP64 host that is int; on Windows hosts it is
 * long, as in the SDK, so kernel code that mixes `long*` and `LONG*` still compiles. */
#if defined(__SIZEOF_LONG__) && __SIZEOF_LONG__ == 8
typedef int LONG, *PLONG;
typedef unsigned int ULONG, *PULONG;
typedef unsigned int DWORD, *PDWORD;
#else
typedef long LONG, *PLONG;
typedef unsigned long ULONG, *PULONG;
typedef unsigned long DWORD, *PDWORD;
#endif
typedef const ULONG* PCULONG;
typedef long long LONGLONG, *PLONGLONG;
typedef unsigned long long ULONGLONG, *PULONGLONG;
typedef long long LONG64, *PLONG64;
typedef unsigned long long ULONG64, *PULONG64;
typedef unsigned long long DWORD64, *PDWORD64;
typedef int LONG32, *PLONG32;
typedef unsigned int ULONG32, *PULONG32;
typedef unsigned int DWORD32, *PDWORD32;
typedef signed char INT8, *PINT8;
typedef unsigned char UINT8, *PUINT8;
typedef short INT16, *PINT16;
typedef unsigned short UINT16, *PUINT16;
typedef int INT32, *PINT32;
typedef unsigned int UINT32, *PUINT32;
typedef long long INT64, *PINT64;
typedef unsigned long long UINT64, *PUINT64;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, UINT_PTR, *PUINT_PTR, DWORD_PTR, *PDWORD_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef LONG_PTR SSIZE_T, *PSSIZE_T;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef int BOOL, *PBOOL;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef LONG KPRIORITY;
typedef ULONG LOGICAL, *PLOGICAL;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef PVOID HANDLE, *PHANDLE;
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;
typedef LONG_PTR SPFN_NUMBER;
typedef UCHAR KIRQL, *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG DEVICE_TYPE;
typedef ULONG SECURITY_INFORMATION, *PSECURITY_INFORMATION;
typedef ULONG CLONG;
typedef ULONG EXECUTION_STATE;
typedef unsigned short RTL_ATOM;

/* WCHAR is wchar_t, as kernel code writes L"..." literals into it. */
typedef wchar_t WCHAR, *PWCHAR, *PWCH, *PWSTR, *LPWSTR, *NWPSTR;
typedef const wchar_t *PCWSTR, *LPCWSTR, *PCWCH;
typedef PWSTR* PZPWSTR;
#ifdef __cplusplus
static_assert(sizeof(wchar_t) == 2,
              "kernel code needs a 16-bit wchar_t: link wskport::km (it adds -fshort-wchar)");
#else
_Static_assert(sizeof(wchar_t) == 2,
               "kernel code needs a 16-bit wchar_t: link wskport::km (it adds -fshort-wchar)");
#endif

#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef NULL
#ifdef __cplusplus
#define NULL 0
#else
#define NULL ((void*)0)
#endif
#endif

#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffffUL
#define MAXLONG 0x7fffffffL
#define MINLONG (-MAXLONG - 1)
#define MAXLONGLONG 0x7fffffffffffffffLL
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MAXSIZE_T ((SIZE_T) ~((SIZE_T)0))
#define MAXCHAR 0x7f
#define MINCHAR 0x80
#define MAXSHORT 0x7fff
#define MINSHORT 0x8000

/* -------------------------------------------------------------- NTSTATUS -------- */

#include "wskport_km_status.h"

#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

/* ------------------------------------------------------------- helper macros ----- */

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type*)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) \
  (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field) \
  ((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <= (((PCHAR)(Struct)) + (Size)))
#define RTL_NUMBER_OF(A) (sizeof(A) / sizeof((A)[0]))
#define RTL_NUMBER_OF_V1(A) RTL_NUMBER_OF(A)
#define RTL_NUMBER_OF_V2(A) RTL_NUMBER_OF(A)
#define ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define _ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define RTL_NUMBER_OF_FIELD(type, field) (RTL_NUMBER_OF(RTL_FIELD_TYPE(type, field)))
/* offsetof, not the classic null-pointer member access, so UBSan stays quiet. */
#define CONTAINING_RECORD(address, type, field) ((type*)((PCHAR)(address)-offsetof(type, field)))
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#ifdef __cplusplus
#define C_ASSERT(e) static_assert(e, #e)
#else
#define C_ASSERT(e) _Static_assert(e, #e)
#endif
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment)-1))
#define ALIGN_UP_BY(length, alignment) \
  (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment)-1), alignment))
#define ALIGN_DOWN_POINTER_BY(address, alignment) \
  ((PVOID)((ULONG_PTR)(address) & ~((ULONG_PTR)(alignment)-1)))
#define ALIGN_UP_POINTER_BY(address, alignment) \
  (ALIGN_DOWN_POINTER_BY(((ULONG_PTR)(address) + (alignment)-1), alignment))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
/* As ntdef.h: min and max are macros unless NOMINMAX is defined (C++ code that also
 * includes standard headers defines NOMINMAX; wskport's own sources do). */
#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))
#define Add2Ptr(P, I) ((PVOID)((PUCHAR)(P) + (I)))
#define PtrOffset(B, O) ((ULONG)((ULONG_PTR)(O) - (ULONG_PTR)(B)))
#define PtrToUlong(p) ((ULONG)(ULONG_PTR)(p))
#define PtrToLong(p) ((LONG)(LONG_PTR)(p))
#define PtrToUint(p) ((UINT)(UINT_PTR)(p))
#define PtrToInt(p) ((INT)(INT_PTR)(p))
#define PtrToUshort(p) ((unsigned short)(ULONG_PTR)(p))
#define UlongToPtr(ul) ((PVOID)(ULONG_PTR)(ul))
#define LongToPtr(l) ((PVOID)(LONG_PTR)(l))
#define UintToPtr(ui) ((PVOID)(UINT_PTR)(ui))
#define IntToPtr(i) ((PVOID)(INT_PTR)(i))
#define ULongToPtr(ul) UlongToPtr(ul)
#define HandleToUlong(h) ((ULONG)(ULONG_PTR)(h))
#define HandleToLong(h) ((LONG)(LONG_PTR)(h))
#define UlongToHandle(ul) ((HANDLE)(ULONG_PTR)(ul))
#define LongToHandle(h) ((HANDLE)(LONG_PTR)(h))
#define MAKELONG(a, b)                                                                           \
  ((LONG)(((USHORT)(((ULONG_PTR)(a)) & 0xffff)) | ((ULONG)((USHORT)(((ULONG_PTR)(b)) & 0xffff))) \
                                                      << 16))
#define LOWORD(l) ((USHORT)(((ULONG_PTR)(l)) & 0xffff))
#define HIWORD(l) ((USHORT)((((ULONG_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w) ((UCHAR)(((ULONG_PTR)(w)) & 0xff))
#define HIBYTE(w) ((UCHAR)((((ULONG_PTR)(w)) >> 8) & 0xff))
#define ANYSIZE_ARRAY 1
#define ALLOC_PRAGMA 1
#define ALLOC_DATA_PRAGMA 1

/* Kernel code marks pageable functions with `#pragma alloc_text(PAGE, f)`; the
 * compilers ignore that pragma (wskport::km adds -Wno-unknown-pragmas). A process has
 * no pageable code sections, so PAGED_CODE checks nothing. */
#define PAGED_CODE() ((void)0)
#define PAGED_CODE_LOCKED() ((void)0)
#define NO_PAGED_CODE() ((void)0)
#define PAGED_ASSERT(exp) ((void)0)
#define CODE_SEG(seg)

/* ---------------------------------------------------------- LARGE_INTEGER ------- */

typedef union _LARGE_INTEGER {
  struct {
    ULONG LowPart;
    LONG HighPart;
  };
  struct {
    ULONG LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
  struct {
    ULONG LowPart;
    ULONG HighPart;
  };
  struct {
    ULONG LowPart;
    ULONG HighPart;
  } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef struct _LUID {
  ULONG LowPart;
  LONG HighPart;
} LUID, *PLUID;

/* ------------------------------------------------------------------ GUID -------- */

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
  ULONG Data1;
  USHORT Data2;
  USHORT Data3;
  UCHAR Data4[8];
} GUID;
#endif
typedef GUID *LPGUID, *PGUID;
typedef const GUID* LPCGUID;
typedef const GUID* PCGUID;
#ifdef __cplusplus
#define REFGUID const GUID&
#else
#define REFGUID const GUID*
#endif
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  WSKPORT_KM_EXTERN_C const GUID name
#define DEFINE_GUID_VALUE(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  const GUID name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}

/* ---------------------------------------------------------------- lists -------- */

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY* Flink;
  struct _LIST_ENTRY* Blink;
} LIST_ENTRY, *PLIST_ENTRY, *PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
  struct _SINGLE_LIST_ENTRY* Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* ------------------------------------------------------------- strings --------- */

typedef struct _UNICODE_STRING {
  USHORT Length;        /* bytes, without a terminator */
  USHORT MaximumLength; /* bytes of Buffer */
  PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING* PCUNICODE_STRING;

typedef struct _STRING {
  USHORT Length;
  USHORT MaximumLength;
  PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING, *PCOEM_STRING;

#define UNICODE_NULL ((WCHAR)0)
#define ANSI_NULL ((CHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)

#ifdef __cplusplus
/* C++ may not initialise a PWCH from a string literal: strip the const in one place. */
template <class T, size_t N>
inline T* WskportRtlConstantStringBuffer(const T (&s)[N]) noexcept {
  return const_cast<T*>(s);
}
#define RTL_CONSTANT_STRING(s) \
  { sizeof(s) - sizeof((s)[0]), sizeof(s), WskportRtlConstantStringBuffer(s) }
#define DECLARE_CONST_UNICODE_STRING(_var, _string)                              \
  const WCHAR _var##_buffer[] = _string;                                         \
  const UNICODE_STRING _var = {sizeof(_string) - sizeof(WCHAR), sizeof(_string), \
                               const_cast<PWCH>(_var##_buffer)}
#else
#define RTL_CONSTANT_STRING(s) \
  { sizeof(s) - sizeof((s)[0]), sizeof(s), (s) }
#define DECLARE_CONST_UNICODE_STRING(_var, _string)                              \
  const WCHAR _var##_buffer[] = _string;                                         \
  const UNICODE_STRING _var = {sizeof(_string) - sizeof(WCHAR), sizeof(_string), \
                               (PWCH)_var##_buffer}
#endif
#define DECLARE_GLOBAL_CONST_UNICODE_STRING(_var, _str) \
  WSKPORT_KM_EXTERN_C const UNICODE_STRING _var = RTL_CONSTANT_STRING(_str)
#define DECLARE_UNICODE_STRING_SIZE(_var, _size) \
  WCHAR _var##_buffer[_size];                    \
  UNICODE_STRING _var = {0, (_size) * sizeof(WCHAR), _var##_buffer}

/* ------------------------------------------------------ object attributes ------- */

typedef struct _OBJECT_ATTRIBUTES {
  ULONG Length;
  HANDLE RootDirectory;
  PUNICODE_STRING ObjectName;
  ULONG Attributes;
  PVOID SecurityDescriptor;
  PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES* PCOBJECT_ATTRIBUTES;

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L
#define OBJ_VALID_ATTRIBUTES 0x000007F2L

#define InitializeObjectAttributes(p, n, a, r, s) \
  do {                                            \
    (p)->Length = sizeof(OBJECT_ATTRIBUTES);      \
    (p)->RootDirectory = (r);                     \
    (p)->Attributes = (a);                        \
    (p)->ObjectName = (n);                        \
    (p)->SecurityDescriptor = (s);                \
    (p)->SecurityQualityOfService = NULL;         \
  } while (0)

/* Access rights, as kernel code passes them (nothing checks them in a process). */
#define DELETE 0x00010000L
#define READ_CONTROL 0x00020000L
#define WRITE_DAC 0x00040000L
#define WRITE_OWNER 0x00080000L
#define SYNCHRONIZE 0x00100000L
#define STANDARD_RIGHTS_REQUIRED 0x000F0000L
#define STANDARD_RIGHTS_ALL 0x001F0000L
#define GENERIC_READ 0x80000000L
#define GENERIC_WRITE 0x40000000L
#define GENERIC_EXECUTE 0x20000000L
#define GENERIC_ALL 0x10000000L
#define THREAD_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)
#define PROCESS_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)
#define EVENT_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3)

/* Processor modes and the IRQL values of x64. */
typedef enum _MODE { KernelMode, UserMode, MaximumMode } MODE;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define DRS_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15

#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12L

/* __try/__except/__finally/__leave and the routines that raise. */
#include "wskport_km_seh.h"

#endif /* WSKPORT_KM_BASE_H */
