/* SPDX-License-Identifier: MIT */
/* ntddk.h: everything of wdm.h (wskport's kernel runtime); nothing ntddk-only is needed
 * by WSK client code beyond it. */
#pragma once
#ifndef _NTDDK_
#define _NTDDK_

#include <wdm.h>

#endif /* _NTDDK_ */
