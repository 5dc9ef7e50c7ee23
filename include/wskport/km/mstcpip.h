/* SPDX-License-Identifier: MIT */
/*
 * mstcpip.h: the address helpers WSK code uses to fill and test sockaddrs
 * (IN4ADDR_*, IN6ADDR_*, INETADDR_*, IN6_IS_ADDR_*), and the TCP keep-alive IOCTL
 * shape. Written without the C library (plain loops) so the header needs nothing but
 * the kernel base types.
 */
#pragma once
#ifndef WSKPORT_KM_MSTCPIP_H
#define WSKPORT_KM_MSTCPIP_H

#include <ws2ipdef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_MSC_VER) && !defined(__cplusplus)
#define WSKPORT_MSTCPIP_INLINE static __inline
#else
#define WSKPORT_MSTCPIP_INLINE static inline
#endif

struct tcp_keepalive {
  ULONG onoff;
  ULONG keepalivetime;
  ULONG keepaliveinterval;
};
#define SIO_RCVALL _WSAIOW(IOC_VENDOR, 1)
#define SIO_KEEPALIVE_VALS _WSAIOW(IOC_VENDOR, 4)
#define SIO_LOOPBACK_FAST_PATH _WSAIOW(IOC_VENDOR, 16)

/* Microsoft's IPv4 helpers. IN4ADDR_LOOPBACK is 127.0.0.1 as the ULONG s_addr reads it
 * on a little-endian machine, as in Windows; the _INIT forms are IN_ADDR initialisers
 * (fully braced, see ws2ipdef.h; every byte given, so Clang -Wextra has no missing
 * field to report). */
#define IN4_CLASSA(i) (((LONG)(i)&0x00000080) == 0)
#define IN4_CLASSB(i) (((LONG)(i)&0x000000c0) == 0x00000080)
#define IN4_CLASSC(i) (((LONG)(i)&0x000000e0) == 0x000000c0)
#define IN4_CLASSD(i) (((LONG)(i)&0x000000f0) == 0x000000e0)
#define IN4_MULTICAST(i) IN4_CLASSD(i)

#define IN4ADDR_ANY INADDR_ANY
#define IN4ADDR_LOOPBACK 0x0100007f
#define IN4ADDR_BROADCAST INADDR_BROADCAST
#define IN4ADDR_NONE INADDR_NONE
#define WSKPORT_KM_IN4ADDR(...) \
  {                             \
    {                           \
      { __VA_ARGS__ }           \
    }                           \
  }
#define IN4ADDR_ANY_INIT WSKPORT_KM_IN4ADDR(0, 0, 0, 0)
#define IN4ADDR_LOOPBACK_INIT WSKPORT_KM_IN4ADDR(0x7f, 0, 0, 1)
#define IN4ADDR_BROADCAST_INIT WSKPORT_KM_IN4ADDR(0xff, 0xff, 0xff, 0xff)
#define IN4ADDR_ALLNODESONLINK_INIT WSKPORT_KM_IN4ADDR(0xe0, 0, 0, 1)
#define IN4ADDR_ALLROUTERSONLINK_INIT WSKPORT_KM_IN4ADDR(0xe0, 0, 0, 2)
#define IN4ADDR_ALLIGMPV3ROUTERSONLINK_INIT WSKPORT_KM_IN4ADDR(0xe0, 0, 0, 0x16)
#define IN4ADDR_ALLTEREDONODESONLINK_INIT WSKPORT_KM_IN4ADDR(0xe0, 0, 0, 0xfd)
#define IN4ADDR_LINKLOCALPREFIX_INIT WSKPORT_KM_IN4ADDR(0xa9, 0xfe, 0, 0)
#define IN4ADDR_MULTICASTPREFIX_INIT WSKPORT_KM_IN4ADDR(0xe0, 0, 0, 0)
#define IN4ADDR_LOOPBACKPREFIX_LENGTH 8
#define IN4ADDR_LINKLOCALPREFIX_LENGTH 16
#define IN4ADDR_MULTICASTPREFIX_LENGTH 4

WSKPORT_MSTCPIP_INLINE BOOLEAN IN4_IS_ADDR_UNSPECIFIED(const IN_ADDR* a) {
  return (BOOLEAN)(a->s_addr == 0);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN4_IS_ADDR_LOOPBACK(const IN_ADDR* a) {
  return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 127);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN4_IS_ADDR_MULTICAST(const IN_ADDR* a) {
  return (BOOLEAN)((a->S_un.S_un_b.s_b1 & 0xf0) == 0xe0);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN4_IS_ADDR_BROADCAST(const IN_ADDR* a) {
  return (BOOLEAN)(a->s_addr == INADDR_BROADCAST);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN4ADDR_ISANY(const SOCKADDR_IN* a) {
  return IN4_IS_ADDR_UNSPECIFIED(&a->sin_addr);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN4ADDR_ISLOOPBACK(const SOCKADDR_IN* a) {
  return IN4_IS_ADDR_LOOPBACK(&a->sin_addr);
}
WSKPORT_MSTCPIP_INLINE void IN4ADDR_SETSOCKADDR(PSOCKADDR_IN a, const IN_ADDR* addr, USHORT port) {
  int i;
  a->sin_family = AF_INET;
  a->sin_port = port;
  a->sin_addr = *addr;
  for (i = 0; i < 8; ++i) a->sin_zero[i] = 0;
}
WSKPORT_MSTCPIP_INLINE void IN4ADDR_SETANY(PSOCKADDR_IN a) {
  IN_ADDR any;
  any.s_addr = INADDR_ANY;
  IN4ADDR_SETSOCKADDR(a, &any, 0);
}
WSKPORT_MSTCPIP_INLINE void IN4ADDR_SETLOOPBACK(PSOCKADDR_IN a) {
  IN_ADDR lo;
  lo.S_un.S_un_b.s_b1 = 127;
  lo.S_un.S_un_b.s_b2 = 0;
  lo.S_un.S_un_b.s_b3 = 0;
  lo.S_un.S_un_b.s_b4 = 1;
  IN4ADDR_SETSOCKADDR(a, &lo, 0);
}

WSKPORT_MSTCPIP_INLINE BOOLEAN IN6_ADDR_EQUAL(const IN6_ADDR* x, const IN6_ADDR* y) {
  int i;
  for (i = 0; i < 16; ++i) {
    if (x->u.Byte[i] != y->u.Byte[i]) return FALSE;
  }
  return TRUE;
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6_IS_ADDR_UNSPECIFIED(const IN6_ADDR* a) {
  int i;
  for (i = 0; i < 16; ++i) {
    if (a->u.Byte[i] != 0) return FALSE;
  }
  return TRUE;
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6_IS_ADDR_LOOPBACK(const IN6_ADDR* a) {
  int i;
  for (i = 0; i < 15; ++i) {
    if (a->u.Byte[i] != 0) return FALSE;
  }
  return (BOOLEAN)(a->u.Byte[15] == 1);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6_IS_ADDR_MULTICAST(const IN6_ADDR* a) {
  return (BOOLEAN)(a->u.Byte[0] == 0xff);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6_IS_ADDR_LINKLOCAL(const IN6_ADDR* a) {
  return (BOOLEAN)(a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0x80);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6_IS_ADDR_V4MAPPED(const IN6_ADDR* a) {
  int i;
  for (i = 0; i < 10; ++i) {
    if (a->u.Byte[i] != 0) return FALSE;
  }
  return (BOOLEAN)(a->u.Byte[10] == 0xff && a->u.Byte[11] == 0xff);
}
WSKPORT_MSTCPIP_INLINE void IN6_SET_ADDR_UNSPECIFIED(PIN6_ADDR a) {
  int i;
  for (i = 0; i < 16; ++i) a->u.Byte[i] = 0;
}
WSKPORT_MSTCPIP_INLINE void IN6_SET_ADDR_LOOPBACK(PIN6_ADDR a) {
  IN6_SET_ADDR_UNSPECIFIED(a);
  a->u.Byte[15] = 1;
}
WSKPORT_MSTCPIP_INLINE void IN6_SET_ADDR_V4MAPPED(PIN6_ADDR a6, const IN_ADDR* a4) {
  IN6_SET_ADDR_UNSPECIFIED(a6);
  a6->u.Byte[10] = 0xff;
  a6->u.Byte[11] = 0xff;
  a6->u.Byte[12] = a4->S_un.S_un_b.s_b1;
  a6->u.Byte[13] = a4->S_un.S_un_b.s_b2;
  a6->u.Byte[14] = a4->S_un.S_un_b.s_b3;
  a6->u.Byte[15] = a4->S_un.S_un_b.s_b4;
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6ADDR_ISANY(const SOCKADDR_IN6* a) {
  return IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN IN6ADDR_ISLOOPBACK(const SOCKADDR_IN6* a) {
  return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}
WSKPORT_MSTCPIP_INLINE void IN6ADDR_SETSOCKADDR(PSOCKADDR_IN6 a, const IN6_ADDR* addr,
                                                ULONG scope_id, USHORT port) {
  a->sin6_family = AF_INET6;
  a->sin6_port = port;
  a->sin6_flowinfo = 0;
  a->sin6_addr = *addr;
  a->sin6_scope_id = scope_id;
}
WSKPORT_MSTCPIP_INLINE void IN6ADDR_SETANY(PSOCKADDR_IN6 a) {
  IN6_ADDR any;
  IN6_SET_ADDR_UNSPECIFIED(&any);
  IN6ADDR_SETSOCKADDR(a, &any, 0, 0);
}
WSKPORT_MSTCPIP_INLINE void IN6ADDR_SETLOOPBACK(PSOCKADDR_IN6 a) {
  IN6_ADDR lo;
  IN6_SET_ADDR_LOOPBACK(&lo);
  IN6ADDR_SETSOCKADDR(a, &lo, 0, 0);
}

WSKPORT_MSTCPIP_INLINE BOOLEAN INETADDR_ISANY(const SOCKADDR* a) {
  if (a->sa_family == AF_INET6) return IN6ADDR_ISANY((const SOCKADDR_IN6*)(const void*)a);
  return IN4ADDR_ISANY((const SOCKADDR_IN*)(const void*)a);
}
WSKPORT_MSTCPIP_INLINE BOOLEAN INETADDR_ISLOOPBACK(const SOCKADDR* a) {
  if (a->sa_family == AF_INET6) return IN6ADDR_ISLOOPBACK((const SOCKADDR_IN6*)(const void*)a);
  return IN4ADDR_ISLOOPBACK((const SOCKADDR_IN*)(const void*)a);
}
WSKPORT_MSTCPIP_INLINE void INETADDR_SETANY(PSOCKADDR a) {
  if (a->sa_family == AF_INET6) {
    IN6ADDR_SETANY((PSOCKADDR_IN6)(void*)a);
  } else {
    IN4ADDR_SETANY((PSOCKADDR_IN)(void*)a);
  }
}
WSKPORT_MSTCPIP_INLINE void INETADDR_SETLOOPBACK(PSOCKADDR a) {
  if (a->sa_family == AF_INET6) {
    IN6ADDR_SETLOOPBACK((PSOCKADDR_IN6)(void*)a);
  } else {
    IN4ADDR_SETLOOPBACK((PSOCKADDR_IN)(void*)a);
  }
}
/* The port in network order, as stored in the sockaddr. */
WSKPORT_MSTCPIP_INLINE USHORT INETADDR_PORT(const SOCKADDR* a) {
  if (a->sa_family == AF_INET6) return ((const SOCKADDR_IN6*)(const void*)a)->sin6_port;
  return ((const SOCKADDR_IN*)(const void*)a)->sin_port;
}
WSKPORT_MSTCPIP_INLINE void SS_PORT_SET(PSOCKADDR a, USHORT network_order_port) {
  if (a->sa_family == AF_INET6) {
    ((PSOCKADDR_IN6)(void*)a)->sin6_port = network_order_port;
  } else {
    ((PSOCKADDR_IN)(void*)a)->sin_port = network_order_port;
  }
}
#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_KM_MSTCPIP_H */
