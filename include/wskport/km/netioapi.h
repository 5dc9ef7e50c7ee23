/* SPDX-License-Identifier: MIT */
/*
 * netioapi.h: the interface identifiers WSK code passes around (NET_IFINDEX,
 * NET_LUID). The IP Helper routines themselves (GetIpInterfaceEntry, ...) are not
 * provided: a user-mode process asks its own OS for interface data.
 */
#pragma once
#ifndef WSKPORT_KM_NETIOAPI_H
#define WSKPORT_KM_NETIOAPI_H

#include <ws2ipdef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef ULONG NET_IFINDEX, *PNET_IFINDEX;
typedef ULONG IF_INDEX, *PIF_INDEX;
#define NET_IFINDEX_UNSPECIFIED ((NET_IFINDEX)0)
#define IFI_UNSPECIFIED NET_IFINDEX_UNSPECIFIED

typedef union _NET_LUID_LH {
  ULONG64 Value;
  struct {
    ULONG64 Reserved : 24;
    ULONG64 NetLuidIndex : 24;
    ULONG64 IfType : 16;
  } Info;
} NET_LUID_LH, *PNET_LUID_LH, NET_LUID, *PNET_LUID, IF_LUID, *PIF_LUID;

typedef ULONG NET_IF_COMPARTMENT_ID, *PNET_IF_COMPARTMENT_ID;
#define NET_IF_COMPARTMENT_ID_UNSPECIFIED ((NET_IF_COMPARTMENT_ID)0)
#define NET_IF_COMPARTMENT_ID_PRIMARY ((NET_IF_COMPARTMENT_ID)1)

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_KM_NETIOAPI_H */
