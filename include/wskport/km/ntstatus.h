/* SPDX-License-Identifier: MIT */
/* ntstatus.h: the NTSTATUS values (wskport; the list is in wskport_km_status.h). */
#pragma once
#ifndef _NTSTATUS_
#define _NTSTATUS_

#include "wskport_km_base.h"

#endif /* _NTSTATUS_ */
