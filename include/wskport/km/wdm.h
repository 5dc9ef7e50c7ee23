/* SPDX-License-Identifier: MIT */
/*
 * wdm.h: the kernel routines and types WSK client code uses, as Microsoft's WDK header
 * declares them (names, member order, values), provided by wskport's kernel runtime in
 * a user-mode process. Link wskport::km (it puts this folder first on the include path
 * and adds -fshort-wchar, -fms-extensions for C, -Wno-multichar, -Wno-unknown-pragmas).
 *
 * Map: wskport_km_sal.h (SAL, NTAPI), wskport_km_base.h (types, NTSTATUS, strings,
 * LIST_ENTRY, macros), wskport_km_ke.h (IRQL, locks, events, waits, time, threads,
 * objects), wskport_km_ex.h (lists, SLIST, pool, lookaside), wskport_km_io.h (IRP,
 * MDL, device/driver objects, work items), wskport_km_rtl.h (strings, DbgPrint,
 * asserts), wskport_km_wcs.h (the CRT's wide-string routines at 16 bits),
 * wskport_km_compat.h (EXTERN_C, DUMMYUNIONNAME, Int32x32To64, __debugbreak),
 * wskport_km_seh.h (__try/__except/__finally emulation, ExRaiseStatus) and
 * wskport_km_timer.h (KTIMER, KDPC, ExQueueWorkItem).
 */
#pragma once
#ifndef _WDMDDK_
#define _WDMDDK_
#define _WDM_INCLUDED_

#include "wskport_km_base.h"
#include "wskport_km_ke.h"

#include "wskport_km_ex.h"
#include "wskport_km_io.h"
#include "wskport_km_rtl.h"
#include "wskport_km_timer.h"
#include "wskport_km_wcs.h"

#endif /* _WDMDDK_ */
