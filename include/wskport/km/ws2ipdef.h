/* SPDX-License-Identifier: MIT */
/*
 * ws2ipdef.h: SOCKADDR_IN6, SOCKADDR_INET and the IP/IPv6 option names WSK code sets
 * through WskControlSocket. Windows values.
 */
#pragma once
#ifndef WSKPORT_KM_WS2IPDEF_H
#define WSKPORT_KM_WS2IPDEF_H

#include <ws2def.h>

#include <in6addr.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sockaddr_in6 {
  ADDRESS_FAMILY sin6_family;
  USHORT sin6_port;    /* network order */
  ULONG sin6_flowinfo; /* network order */
  IN6_ADDR sin6_addr;
  union {
    ULONG sin6_scope_id;
    SCOPE_ID sin6_scope_struct;
  };
} SOCKADDR_IN6_LH, *PSOCKADDR_IN6_LH, SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;

typedef struct _sockaddr_in6_pair {
  PSOCKADDR_IN6 SourceAddress;
  PSOCKADDR_IN6 DestinationAddress;
} SOCKADDR_IN6_PAIR, *PSOCKADDR_IN6_PAIR;

typedef union _SOCKADDR_INET {
  SOCKADDR_IN Ipv4;
  SOCKADDR_IN6 Ipv6;
  ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;

#define SS_PORT(ssp) (((PSOCKADDR_IN)(void*)(ssp))->sin_port)

/* Address initialisers (network byte order). Windows writes them with brace elision
 * ({ 0 }, { 0, ..., 1 }); these are the same values fully braced for IN6_ADDR's
 * struct/union/array nesting, so `IN6_ADDR a = IN6ADDR_LOOPBACK_INIT;` and a
 * SOCKADDR_IN6 initialiser that contains one compile without -Wmissing-braces. */
#define WSKPORT_KM_IN6ADDR(...) \
  {                             \
    {                           \
      { __VA_ARGS__ }           \
    }                           \
  }
#define IN6ADDR_ANY_INIT WSKPORT_KM_IN6ADDR(0)
#define IN6ADDR_LOOPBACK_INIT WSKPORT_KM_IN6ADDR(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
#define IN6ADDR_ALLNODESONNODE_INIT \
  WSKPORT_KM_IN6ADDR(0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01)
#define IN6ADDR_ALLNODESONLINK_INIT \
  WSKPORT_KM_IN6ADDR(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01)
#define IN6ADDR_ALLROUTERSONLINK_INIT \
  WSKPORT_KM_IN6ADDR(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02)
#define IN6ADDR_ALLMLDV2ROUTERSONLINK_INIT \
  WSKPORT_KM_IN6ADDR(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16)
#define IN6ADDR_TEREDOINITIALLINKLOCALADDRESS_INIT \
  WSKPORT_KM_IN6ADDR(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)
#define IN6ADDR_TEREDOOLDLINKLOCALADDRESSXP_INIT \
  WSKPORT_KM_IN6ADDR(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 'T', 'E', 'R', 'E', 'D', 'O')
#define IN6ADDR_TEREDOOLDLINKLOCALADDRESSVISTA_INIT \
  WSKPORT_KM_IN6ADDR(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
#define IN6ADDR_LINKLOCALPREFIX_INIT WSKPORT_KM_IN6ADDR(0xfe, 0x80)
#define IN6ADDR_MULTICASTPREFIX_INIT WSKPORT_KM_IN6ADDR(0xff, 0x00)
#define IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_INIT \
  WSKPORT_KM_IN6ADDR(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff)
#define IN6ADDR_V4MAPPEDPREFIX_INIT WSKPORT_KM_IN6ADDR(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff)
#define IN6ADDR_6TO4PREFIX_INIT WSKPORT_KM_IN6ADDR(0x20, 0x02)
#define IN6ADDR_TEREDOPREFIX_INIT WSKPORT_KM_IN6ADDR(0x20, 0x01, 0x00, 0x00)
#define IN6ADDR_TEREDOPREFIX_INIT_OLD WSKPORT_KM_IN6ADDR(0x3f, 0xfe, 0x83, 0x1f)
#define IN6ADDR_ULAPREFIX_INIT WSKPORT_KM_IN6ADDR(0xfc)
#define IN6ADDR_SITELOCALPREFIX_INIT WSKPORT_KM_IN6ADDR(0xfe, 0xc0)
#define IN6ADDR_6BONETESTPREFIX_INIT WSKPORT_KM_IN6ADDR(0x3f, 0xfe)

#define IN6ADDR_LINKLOCALPREFIX_LENGTH 64
#define IN6ADDR_MULTICASTPREFIX_LENGTH 8
#define IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH 104
#define IN6ADDR_V4MAPPEDPREFIX_LENGTH 96
#define IN6ADDR_6TO4PREFIX_LENGTH 16
#define IN6ADDR_TEREDOPREFIX_LENGTH 32

/* The address constants Windows exports (ws2ipdef.h declares them). glibc exports
 * in6addr_any and in6addr_loopback under the same names, and the runtime must not
 * define a C-library name, so every one is a macro for a Wskport-prefixed constant of
 * the runtime (same bytes; common/km/km_inaddr.cpp). */
#define scopeid_unspecified WskportScopeIdUnspecified
#define in4addr_any WskportIn4AddrAny
#define in4addr_loopback WskportIn4AddrLoopback
#define in4addr_broadcast WskportIn4AddrBroadcast
#define in4addr_allnodesonlink WskportIn4AddrAllNodesOnLink
#define in4addr_allroutersonlink WskportIn4AddrAllRoutersOnLink
#define in4addr_alligmpv3routersonlink WskportIn4AddrAllIgmpv3RoutersOnLink
#define in4addr_allteredohostsonlink WskportIn4AddrAllTeredoHostsOnLink
#define in4addr_linklocalprefix WskportIn4AddrLinkLocalPrefix
#define in4addr_multicastprefix WskportIn4AddrMulticastPrefix
#define in6addr_any WskportIn6AddrAny
#define in6addr_loopback WskportIn6AddrLoopback
#define in6addr_allnodesonnode WskportIn6AddrAllNodesOnNode
#define in6addr_allnodesonlink WskportIn6AddrAllNodesOnLink
#define in6addr_allroutersonlink WskportIn6AddrAllRoutersOnLink
#define in6addr_allmldv2routersonlink WskportIn6AddrAllMldv2RoutersOnLink
#define in6addr_teredoinitiallinklocaladdress WskportIn6AddrTeredoInitialLinkLocalAddress
#define in6addr_linklocalprefix WskportIn6AddrLinkLocalPrefix
#define in6addr_multicastprefix WskportIn6AddrMulticastPrefix
#define in6addr_solicitednodemulticastprefix WskportIn6AddrSolicitedNodeMulticastPrefix
#define in6addr_v4mappedprefix WskportIn6AddrV4MappedPrefix
#define in6addr_6to4prefix WskportIn6Addr6To4Prefix
#define in6addr_teredoprefix WskportIn6AddrTeredoPrefix
#define in6addr_teredoprefix_old WskportIn6AddrTeredoPrefixOld

extern const SCOPE_ID scopeid_unspecified;
extern const IN_ADDR in4addr_any;
extern const IN_ADDR in4addr_loopback;
extern const IN_ADDR in4addr_broadcast;
extern const IN_ADDR in4addr_allnodesonlink;
extern const IN_ADDR in4addr_allroutersonlink;
extern const IN_ADDR in4addr_alligmpv3routersonlink;
extern const IN_ADDR in4addr_allteredohostsonlink;
extern const IN_ADDR in4addr_linklocalprefix;
extern const IN_ADDR in4addr_multicastprefix;
extern const IN6_ADDR in6addr_any;
extern const IN6_ADDR in6addr_loopback;
extern const IN6_ADDR in6addr_allnodesonnode;
extern const IN6_ADDR in6addr_allnodesonlink;
extern const IN6_ADDR in6addr_allroutersonlink;
extern const IN6_ADDR in6addr_allmldv2routersonlink;
extern const IN6_ADDR in6addr_teredoinitiallinklocaladdress;
extern const IN6_ADDR in6addr_linklocalprefix;
extern const IN6_ADDR in6addr_multicastprefix;
extern const IN6_ADDR in6addr_solicitednodemulticastprefix;
extern const IN6_ADDR in6addr_v4mappedprefix;
extern const IN6_ADDR in6addr_6to4prefix;
extern const IN6_ADDR in6addr_teredoprefix;
extern const IN6_ADDR in6addr_teredoprefix_old;

/* IPPROTO_IP options. */
#define IP_OPTIONS 1
#define IP_HDRINCL 2
#define IP_TOS 3
#define IP_TTL 4
#define IP_MULTICAST_IF 9
#define IP_MULTICAST_TTL 10
#define IP_MULTICAST_LOOP 11
#define IP_ADD_MEMBERSHIP 12
#define IP_DROP_MEMBERSHIP 13
#define IP_DONTFRAGMENT 14
#define IP_PKTINFO 19
#define IP_RECVIF 24
#define IP_UNICAST_IF 31

/* IPPROTO_IPV6 options. */
#define IPV6_HOPOPTS 1
#define IPV6_HDRINCL 2
#define IPV6_UNICAST_HOPS 4
#define IPV6_MULTICAST_IF 9
#define IPV6_MULTICAST_HOPS 10
#define IPV6_MULTICAST_LOOP 11
#define IPV6_ADD_MEMBERSHIP 12
#define IPV6_JOIN_GROUP IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP 13
#define IPV6_LEAVE_GROUP IPV6_DROP_MEMBERSHIP
#define IPV6_DONTFRAG 14
#define IPV6_PKTINFO 19
#define IPV6_HOPLIMIT 21
#define IPV6_PROTECTION_LEVEL 23
#define IPV6_RECVIF 24
#define IPV6_V6ONLY 27
#define IPV6_UNICAST_IF 31

/* IPPROTO_TCP options beyond TCP_NODELAY (ws2def.h). */
#define TCP_EXPEDITED_1122 0x0002
#define TCP_KEEPALIVE 3
#define TCP_MAXSEG 4
#define TCP_MAXRT 5
#define TCP_STDURG 6
#define TCP_NOURG 7
#define TCP_ATMARK 8
#define TCP_NOSYNRETRIES 9
#define TCP_TIMESTAMPS 10
#define TCP_CONGESTION_ALGORITHM 12
#define TCP_DELAY_FIN_ACK 13
#define TCP_MAXRTMS 14
#define TCP_FASTOPEN 15
#define TCP_KEEPCNT 16
#define TCP_KEEPIDLE TCP_KEEPALIVE
#define TCP_KEEPINTVL 17

#define INET_ADDRSTRLEN 22
#define INET6_ADDRSTRLEN 65

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_KM_WS2IPDEF_H */
