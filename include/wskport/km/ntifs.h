/* SPDX-License-Identifier: MIT */
/* ntifs.h: everything of ntddk.h (wskport's kernel runtime). File-system interfaces are
 * not provided. */
#pragma once
#ifndef _NTIFS_
#define _NTIFS_

#include <ntddk.h>

#endif /* _NTIFS_ */
