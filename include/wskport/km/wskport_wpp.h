/* SPDX-License-Identifier: MIT */
/*
 * wskport_wpp.h: WPP software tracing for drivers built with wskport, as the WDK's
 * tracewpp provides it. A driver source defines WPP_CONTROL_GUIDS and includes
 * "<source>.tmh"; the build (cmake/wskportWpp.cmake) generates that .tmh, which includes
 * this header and adds the source's trace macros (DoTraceMessage, the -func: and
 * "begin_wpp config" FUNCs, their PRE/POST and ENABLED defaults, custom types).
 *
 * How it differs from tracewpp: there is no per-call-site code and no ETW. A trace macro
 * tests its ENABLED condition (so a disabled trace does not evaluate its arguments, as
 * with WPP) and then passes its formats and C variadic arguments to WskportWppTrace,
 * which walks the formats (Windows printf semantics plus the WPP "%!NAME!" types) and
 * writes one line to the DbgPrint sink (stderr). WPP_CONTROL(bit).Level / .Flags are
 * the run-time filter, set from the WSKPORT_WPP environment variable (docs/porting.md).
 *
 * Two parts: the run-time interface (always), and the per-translation-unit tables and
 * macros that WPP_CONTROL_GUIDS drives (only where it is defined, i.e. from a .tmh).
 * Implemented in common/km/km_wpp.cpp and km_wpp_types.cpp.
 */
/* No #pragma once: the per-source part below is guarded on its own, so that it is
 * produced even if the run-time part was included before WPP_CONTROL_GUIDS existed. */
#ifndef WSKPORT_KM_WPP_H
#define WSKPORT_KM_WPP_H

#include "evntrace.h"
#include "wskport_km_base.h"

WSKPORT_KM_BEGIN_DECLS

/** What WPP_CONTROL(bit) designates: one control GUID's run-time state, owned by the
 *  runtime and shared by every source (and driver) that names the same GUID. Drivers
 *  read Level (a TRACE_LEVEL_*) and Flags[0] (bit n-1 enables WPP_DEFINE_BIT number n),
 *  as their WPP_LEVEL_FLAGS_ENABLED macros do with the WDK's control block. */
typedef struct _WSKPORT_WPP_CONTROL {
  UCHAR Level;
  UCHAR Reserved[3];
  ULONG Flags[1];
  ULONG64 Logger; /* never a session here: always 0 */
} WSKPORT_WPP_CONTROL, *PWSKPORT_WPP_CONTROL;

/** One WPP_DEFINE_CONTROL_GUID, as the .tmh describes it. */
typedef struct _WSKPORT_WPP_CONTROL_INFO {
  PCSTR Name;            /* the control's name ("WskSampleCtlGuid") */
  GUID Guid;             /* identifies the control across sources and drivers */
  const PCSTR* BitNames; /* the WPP_DEFINE_BIT names in order, NULL-terminated */
} WSKPORT_WPP_CONTROL_INFO;

/** Reads one argument of a DEFINE_CPLX_TYPE type from @p Args and reports its bytes
 *  through WPP_LOGPAIR (WskportWppPair). Generated into the .tmh. */
typedef VOID WSKPORT_WPP_READER(PVOID WskportWppSink, va_list* WskportWppArgs);

/** Kinds of custom types (WSKPORT_WPP_TYPE.Kind). */
#define WSKPORT_WPP_TYPE_COMPLEX 1 /* DEFINE_CPLX_TYPE: Reader; Item is the item type */
#define WSKPORT_WPP_TYPE_LIST 2    /* CUSTOM_TYPE ItemList*: a value names Items[value] */
#define WSKPORT_WPP_TYPE_SET 3     /* CUSTOM_TYPE ItemSet*: bit n names Items[n] */
#define WSKPORT_WPP_TYPE_NUMBER 4  /* CUSTOM_TYPE ItemEnum and others: a 32-bit value */

/** A custom "%!NAME!" type of one source ("begin_wpp config" CUSTOM_TYPE or
 *  DEFINE_CPLX_TYPE). Tables end with a NULL Name. */
typedef struct _WSKPORT_WPP_TYPE {
  PCSTR Name;
  ULONG Kind;
  PCSTR Item;         /* the WPP item type, such as "ItemHEXDump" */
  const PCSTR* Items; /* list or set names, NULL-terminated; NULL otherwise */
  WSKPORT_WPP_READER* Reader;
} WSKPORT_WPP_TYPE;

/** Everything the runtime needs about one source: generated into its .tmh. Cache is the
 *  source's own array of resolved controls (one per control, filled on first use). */
typedef struct _WSKPORT_WPP_FILE {
  PCSTR File; /* the source's file name, for %!FILE! */
  ULONG ControlCount;
  const WSKPORT_WPP_CONTROL_INFO* Controls;
  PWSKPORT_WPP_CONTROL* Cache;
  const WSKPORT_WPP_TYPE* Types;
} WSKPORT_WPP_FILE, *PWSKPORT_WPP_FILE;

/** The run-time state of control @p Index of @p File (registered on first use, with the
 *  filter of WSKPORT_WPP applied). An index out of range gives a block with every flag
 *  off. The block lives as long as the process. */
NTSYSAPI PWSKPORT_WPP_CONTROL WskportWppControl(_In_ PWSKPORT_WPP_FILE File, _In_ LONG Index);

/** WPP_INIT_TRACING: registers the source's controls. Optional here (a control registers
 *  on first use) and idempotent; a driver that calls it from DriverEntry, as WDK drivers
 *  do, gets its controls' filter settled before any trace. The variadic arguments are
 *  WPP_INIT_TRACING's own (DriverObject, RegistryPath, or a user-mode AppName), passed
 *  so that they are evaluated and used, as with the WDK; they are not read. */
NTSYSAPI VOID WskportWppInit(_In_ PWSKPORT_WPP_FILE File, ...);

/** WPP_CLEANUP: nothing to release (the control blocks are the process's, so a driver
 *  loaded again finds them as it left them). */
NTSYSAPI VOID WskportWppCleanup(_In_ PWSKPORT_WPP_FILE File);

/** Writes one trace line to the DbgPrint sink: "[LEVEL|FLAG] file:line function: "
 *  (the %!STDPREFIX!) and the @p Parts formats that follow, each a `PCSTR` followed by
 *  its own arguments (prefix, message, suffix). @p Level is the trace's TRACE_LEVEL_*
 *  (0 for a flag-only trace such as DoTraceMessage); @p Flag the name of its
 *  WPP_DEFINE_BIT ("" when it has none). Called by the .tmh macros only when the trace
 *  is enabled. */
NTSYSAPI VOID WskportWppTrace(_In_ PWSKPORT_WPP_FILE File, _In_ ULONG Level, _In_z_ PCSTR Flag,
                              _In_ ULONG Line, _In_z_ PCSTR Function, _In_ ULONG Parts, ...);

/** WPP_LOGPAIR inside a DEFINE_CPLX_TYPE helper macro: one length/address pair of the
 *  argument being read (@p Sink is the reader's WskportWppSink). */
NTSYSAPI VOID WskportWppPair(_In_ PVOID Sink, _In_ SIZE_T Size, _In_opt_ const void* Address);

/** Sets the run-time filter of every control, now and for controls registered later,
 *  from @p Spec in the syntax of WSKPORT_WPP (docs/porting.md); NULL goes back to the
 *  environment's setting. Returns STATUS_INVALID_PARAMETER, changing nothing, if @p Spec
 *  does not parse. The blocks are plain memory read by driver code without
 *  synchronisation: set the filter while no trace runs. */
NTSYSAPI NTSTATUS WskportWppSetFilter(_In_opt_z_ PCSTR Spec);

WSKPORT_KM_END_DECLS

/* Inside a DEFINE_CPLX_TYPE helper macro (such as WPP_LOGHEXDUMP), expanded only in
 * the readers the .tmh generates. */
#define WPP_LOGPAIR(Size, Address) \
  WskportWppPair(WskportWppSink, (SIZE_T)(Size), (const void*)(Address));

#if defined(__GNUC__) || defined(__clang__)
#define WSKPORT_WPP_UNUSED __attribute__((unused))
#else
#define WSKPORT_WPP_UNUSED
#endif

/* 1 if the macro argument list is empty, 0 if it is one argument (an expression,
 * which may start with a parenthesis or be a macro such as NULL): the usual C99 test,
 * whether a comma appears when the argument is followed or preceded by "()". The EXPAND
 * step lets MSVC's traditional preprocessor split __VA_ARGS__. */
#define WSKPORT_WPP_EXPAND(x) x
#define WSKPORT_WPP_ARG3(a, b, c, ...) c
#define WSKPORT_WPP_HAS_COMMA(...) WSKPORT_WPP_EXPAND(WSKPORT_WPP_ARG3(__VA_ARGS__, 1, 0, 0))
#define WSKPORT_WPP_TRIGGER(...) ,
#define WSKPORT_WPP_IS_EMPTY(...)                                               \
  WSKPORT_WPP_IS_EMPTY_(WSKPORT_WPP_HAS_COMMA(__VA_ARGS__),                     \
                        WSKPORT_WPP_HAS_COMMA(WSKPORT_WPP_TRIGGER __VA_ARGS__), \
                        WSKPORT_WPP_HAS_COMMA(__VA_ARGS__()),                   \
                        WSKPORT_WPP_HAS_COMMA(WSKPORT_WPP_TRIGGER __VA_ARGS__()))
#define WSKPORT_WPP_IS_EMPTY_(a, b, c, d) \
  WSKPORT_WPP_HAS_COMMA(WSKPORT_WPP_CAT5(WSKPORT_WPP_EMPTY_CASE_, a, b, c, d))
#define WSKPORT_WPP_EMPTY_CASE_0001 ,
#define WSKPORT_WPP_CAT5(p, a, b, c, d) WSKPORT_WPP_CAT5_(p, a, b, c, d)
#define WSKPORT_WPP_CAT5_(p, a, b, c, d) p##a##b##c##d
#define WSKPORT_WPP_CAT(a, b) WSKPORT_WPP_CAT_(a, b)
#define WSKPORT_WPP_CAT_(a, b) a##b

/* "(998bdf51,0349,4fbc,870c,d6130a955a5f)" as WPP_DEFINE_CONTROL_GUID writes it. */
#define WSKPORT_WPP_GUID(l, w1, w2, b2, b6)                                                       \
  {                                                                                               \
    0x##l##u, 0x##w1, 0x##w2, {                                                                   \
      (UCHAR)((0x##b2 >> 8) & 0xFF), (UCHAR)(0x##b2 & 0xFF), (UCHAR)((0x##b6##ull >> 40) & 0xFF), \
          (UCHAR)((0x##b6##ull >> 32) & 0xFF), (UCHAR)((0x##b6##ull >> 24) & 0xFF),               \
          (UCHAR)((0x##b6##ull >> 16) & 0xFF), (UCHAR)((0x##b6##ull >> 8) & 0xFF),                \
          (UCHAR)(0x##b6##ull & 0xFF)                                                             \
    }                                                                                             \
  }

#endif /* WSKPORT_KM_WPP_H */

/* ------------------------------------------- per source: from WPP_CONTROL_GUIDS ---- */
#if defined(WPP_CONTROL_GUIDS) && !defined(WSKPORT_WPP_SOURCE_TABLES)
#define WSKPORT_WPP_SOURCE_TABLES 1

/* The numbering tracewpp uses: WPP_CTL_<control> counts the controls, and WPP_BIT_<bit>
 * is 32 * control + bit number (from 1), so a bit tells its control and mask. */
#undef WPP_DEFINE_CONTROL_GUID
#undef WPP_DEFINE_BIT
#define WPP_DEFINE_CONTROL_GUID(Name, Guid, Bits) WPP_CTL_##Name,
#define WPP_DEFINE_BIT(Name)
enum WPP_CTL_NAMES { WPP_CONTROL_GUIDS WPP_LAST_CTL };
#undef WPP_DEFINE_CONTROL_GUID
#undef WPP_DEFINE_BIT

#define WPP_DEFINE_CONTROL_GUID(Name, Guid, Bits) WPP_XXX_##Name = WPP_CTL_##Name * 32, Bits
#define WPP_DEFINE_BIT(Name) WPP_BIT_##Name,
enum WPP_DEFINE_BIT_NAMES { WPP_CONTROL_GUIDS WskportWppBitsEnd };
#undef WPP_DEFINE_CONTROL_GUID
#undef WPP_DEFINE_BIT

#define WPP_DEFINE_CONTROL_GUID(Name, Guid, Bits) \
  static const PCSTR WskportWppBits_##Name[] = {Bits NULL};
#define WPP_DEFINE_BIT(Name) #Name,
WPP_CONTROL_GUIDS
#undef WPP_DEFINE_CONTROL_GUID
#undef WPP_DEFINE_BIT

#define WPP_DEFINE_CONTROL_GUID(Name, Guid, Bits) \
  {#Name, WSKPORT_WPP_GUID Guid, WskportWppBits_##Name},
#define WPP_DEFINE_BIT(Name)
static const WSKPORT_WPP_CONTROL_INFO WskportWppControls[WPP_LAST_CTL + 1] WSKPORT_WPP_UNUSED = {
    WPP_CONTROL_GUIDS{NULL, {0, 0, 0, {0, 0, 0, 0, 0, 0, 0, 0}}, NULL}};
#undef WPP_DEFINE_CONTROL_GUID
#undef WPP_DEFINE_BIT

static PWSKPORT_WPP_CONTROL WskportWppCache[WPP_LAST_CTL + 1] WSKPORT_WPP_UNUSED;

/* WPP_CONTROL(WPP_BIT_x) is x's control block; each block holds its control's flags in
 * Flags[0], so WPP_FLAG_NO is 0 (drivers write .Flags[WPP_FLAG_NO(WPP_BIT_x)]). */
#define WPP_FLAG_NO(CTL) 0
#define WPP_MASK(CTL) (1UL << ((ULONG)((CTL)-1) & 31))
#define WPP_CONTROL(CTL) (*WskportWppControl(&WskportWppFile, ((LONG)(CTL)-1) / 32))

/* The conditions tracewpp defines for DoTraceMessage(FLAG, ...) (LEVEL there is a flag
 * name, for historical reasons) and {FLAG=...} functions. */
#ifndef WPP_LEVEL_ENABLED
#define WPP_LEVEL_ENABLED(FLAG) \
  ((WPP_CONTROL(WPP_BIT_##FLAG).Flags[0] & WPP_MASK(WPP_BIT_##FLAG)) != 0)
#endif
#ifndef WPP_LEVEL_LOGGER
#define WPP_LEVEL_LOGGER(FLAG) (WPP_CONTROL(WPP_BIT_##FLAG).Logger),
#endif
#ifndef WPP_FLAG_ENABLED
#define WPP_FLAG_ENABLED(FLAG) WPP_LEVEL_ENABLED(FLAG)
#endif
#ifndef WPP_FLAG_LOGGER
#define WPP_FLAG_LOGGER(FLAG) WPP_LEVEL_LOGGER(FLAG)
#endif

/* Kernel mode (DriverObject, RegistryPath) and user mode (L"AppName") alike. The
 * arguments are evaluated, as the WDK's macros evaluate them, so a parameter used only
 * here is not "unused". WPP_CLEANUP takes one argument (kernel mode: a driver object,
 * NULL, a WDFDRIVER...) or none (user mode): WSKPORT_WPP_IS_EMPTY tells which. */
#define WPP_INIT_TRACING(...) WskportWppInit(&WskportWppFile, __VA_ARGS__)
#define WPP_CLEANUP(...) \
  WSKPORT_WPP_CAT(WSKPORT_WPP_CLEANUP_, WSKPORT_WPP_IS_EMPTY(__VA_ARGS__))(__VA_ARGS__)
#define WSKPORT_WPP_CLEANUP_0(DriverObject) \
  ((void)(DriverObject), WskportWppCleanup(&WskportWppFile))
#define WSKPORT_WPP_CLEANUP_1(...) WskportWppCleanup(&WskportWppFile)

#endif /* WPP_CONTROL_GUIDS */
