/* SPDX-License-Identifier: MIT */
/* ntddk.h: everything of wdm.h (wskport's kernel runtime), and the generic tables
 * (RTL_AVL_TABLE, RTL_GENERIC_TABLE, splay links), which the WDK declares here. */
#pragma once
#ifndef _NTDDK_
#define _NTDDK_

#include <wdm.h>

#include "wskport_km_gentable.h"

#endif /* _NTDDK_ */
