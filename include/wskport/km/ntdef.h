/* SPDX-License-Identifier: MIT */
/* ntdef.h: the basic types, NTSTATUS, counted strings and helper macros (wskport). */
#pragma once
#ifndef _NTDEF_
#define _NTDEF_

#include "wskport_km_base.h"

#endif /* _NTDEF_ */
