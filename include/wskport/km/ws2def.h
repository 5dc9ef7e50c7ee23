/* SPDX-License-Identifier: MIT */
/*
 * ws2def.h: the parts of Microsoft's ws2def.h that WSK client code uses: address
 * families, socket types, protocols, SOCKADDR and its storage, option levels and
 * names, IOCTL code builders, control-message headers, ADDRINFOEXW and the
 * getaddrinfo/getnameinfo flags. Values are Windows' (AF_INET6 is 23 here on every
 * host); the WSK layer converts to the library's portable Address. No platform header
 * is included, so this never collides with <sys/socket.h> in the same program as long
 * as a translation unit includes only one of the two.
 */
#pragma once
#ifndef WSKPORT_KM_WS2DEF_H
#define WSKPORT_KM_WS2DEF_H

#include <wdm.h>

#include <inaddr.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef USHORT ADDRESS_FAMILY;

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_IPX 6
#define AF_APPLETALK 16
#define AF_NETBIOS 17
#define AF_INET6 23
#define AF_IRDA 26
#define AF_BTH 32
#define AF_MAX 38

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5

typedef enum {
  IPPROTO_HOPOPTS = 0,
  IPPROTO_ICMP = 1,
  IPPROTO_IGMP = 2,
  IPPROTO_GGP = 3,
  IPPROTO_IPV4 = 4,
  IPPROTO_ST = 5,
  IPPROTO_TCP = 6,
  IPPROTO_CBT = 7,
  IPPROTO_EGP = 8,
  IPPROTO_IGP = 9,
  IPPROTO_PUP = 12,
  IPPROTO_UDP = 17,
  IPPROTO_IDP = 22,
  IPPROTO_RDP = 27,
  IPPROTO_IPV6 = 41,
  IPPROTO_ROUTING = 43,
  IPPROTO_FRAGMENT = 44,
  IPPROTO_ESP = 50,
  IPPROTO_AH = 51,
  IPPROTO_ICMPV6 = 58,
  IPPROTO_NONE = 59,
  IPPROTO_DSTOPTS = 60,
  IPPROTO_ND = 77,
  IPPROTO_ICLFXBM = 78,
  IPPROTO_PIM = 103,
  IPPROTO_PGM = 113,
  IPPROTO_L2TP = 115,
  IPPROTO_SCTP = 132,
  IPPROTO_RAW = 255,
  IPPROTO_MAX = 256,
  IPPROTO_RESERVED_RAW = 257,
  IPPROTO_RESERVED_IPSEC = 258,
  IPPROTO_RESERVED_IPSECOFFLOAD = 259,
  IPPROTO_RESERVED_WNV = 260,
  IPPROTO_RESERVED_MAX = 261
} IPPROTO,
    *PIPROTO;

#define IPPROTO_IP 0

/* The generic socket address; real ones are SOCKADDR_IN / SOCKADDR_IN6. */
typedef struct sockaddr {
  ADDRESS_FAMILY sa_family;
  CHAR sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

#define SS_PAD1SIZE 6
#define SS_PAD2SIZE 112
/* 128 bytes, 8-byte aligned: holds any address the WSK layer returns. */
typedef struct sockaddr_storage {
  ADDRESS_FAMILY ss_family;
  CHAR __ss_pad1[SS_PAD1SIZE];
  LONGLONG __ss_align;
  CHAR __ss_pad2[SS_PAD2SIZE];
} SOCKADDR_STORAGE, *PSOCKADDR_STORAGE, *LPSOCKADDR_STORAGE;

typedef struct sockaddr_in {
  ADDRESS_FAMILY sin_family;
  USHORT sin_port; /* network order */
  IN_ADDR sin_addr;
  CHAR sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;

typedef enum {
  ScopeLevelInterface = 1,
  ScopeLevelLink = 2,
  ScopeLevelSubnet = 3,
  ScopeLevelAdmin = 4,
  ScopeLevelSite = 5,
  ScopeLevelOrganization = 8,
  ScopeLevelGlobal = 14,
  ScopeLevelCount = 16
} SCOPE_LEVEL;

typedef struct {
  union {
    struct {
      ULONG Zone : 28;
      ULONG Level : 4;
    };
    ULONG Value;
  };
} SCOPE_ID, *PSCOPE_ID;

#define INADDR_ANY ((ULONG)0x00000000)
#define INADDR_LOOPBACK 0x7f000001
#define INADDR_BROADCAST ((ULONG)0xffffffff)
#define INADDR_NONE 0xffffffff

/* Option levels and SOL_SOCKET options (Windows values). */
#define SOL_SOCKET 0xffff
#define SO_DEBUG 0x0001
#define SO_ACCEPTCONN 0x0002
#define SO_REUSEADDR 0x0004
#define SO_KEEPALIVE 0x0008
#define SO_DONTROUTE 0x0010
#define SO_BROADCAST 0x0020
#define SO_USELOOPBACK 0x0040
#define SO_LINGER 0x0080
#define SO_OOBINLINE 0x0100
#define SO_DONTLINGER ((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
#define SO_SNDBUF 0x1001
#define SO_RCVBUF 0x1002
#define SO_SNDLOWAT 0x1003
#define SO_RCVLOWAT 0x1004
#define SO_SNDTIMEO 0x1005
#define SO_RCVTIMEO 0x1006
#define SO_ERROR 0x1007
#define SO_TYPE 0x1008
#define SO_BSP_STATE 0x1009
#define SO_CONDITIONAL_ACCEPT 0x3002
#define SO_PAUSE_ACCEPT 0x3003
#define SO_COMPARTMENT_ID 0x3004
#define SO_RANDOMIZE_PORT 0x3005
#define SO_PORT_SCALABILITY 0x3006
#define SO_REUSE_UNICASTPORT 0x3007
#define SO_REUSE_MULTICASTPORT 0x3008

/* WSK socket options start here (SO_WSK_SECURITY, SO_WSK_EVENT_CALLBACK in wsk.h). */
#define WSK_SO_BASE 0x4000

#define TCP_NODELAY 0x0001

/* IOCTL code builders. */
#define IOCPARM_MASK 0x7f
#define IOC_VOID 0x20000000
#define IOC_OUT 0x40000000
#define IOC_IN 0x80000000
#define IOC_INOUT (IOC_IN | IOC_OUT)
#define IOC_UNIX 0x00000000
#define IOC_WS2 0x08000000
#define IOC_PROTOCOL 0x10000000
#define IOC_VENDOR 0x18000000
#define IOC_WSK (IOC_WS2 | 0x07000000)
#define _WSAIO(x, y) (IOC_VOID | (x) | (y))
#define _WSAIOR(x, y) (IOC_OUT | (x) | (y))
#define _WSAIOW(x, y) (IOC_IN | (x) | (y))
#define _WSAIORW(x, y) (IOC_INOUT | (x) | (y))

/* Message flags (also the ControlFlags of WskReceiveFrom). */
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_WAITALL 0x8
#define MSG_INTERRUPT 0x10
#define MSG_PUSH_IMMEDIATE 0x20
#define MSG_PARTIAL 0x8000
#define MSG_TRUNC 0x0100
#define MSG_CTRUNC 0x0200
#define MSG_BCAST 0x0400
#define MSG_MCAST 0x0800
#define MSG_ERRQUEUE 0x1000

/* Ancillary data header (WSACMSGHDR). */
typedef struct _WSACMSGHDR {
  SIZE_T cmsg_len;
  INT cmsg_level;
  INT cmsg_type;
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;
typedef WSACMSGHDR CMSGHDR, *PCMSGHDR;

#define WSA_CMSGHDR_ALIGN(length) \
  (((length) + TYPE_ALIGNMENT(WSACMSGHDR) - 1) & (~(TYPE_ALIGNMENT(WSACMSGHDR) - 1)))
#define WSA_CMSGDATA_ALIGN(length) \
  (((length) + MAX_NATURAL_ALIGNMENT - 1) & (~(MAX_NATURAL_ALIGNMENT - 1)))
#define CMSGHDR_ALIGN WSA_CMSGHDR_ALIGN
#define CMSGDATA_ALIGN WSA_CMSGDATA_ALIGN
#define WSA_CMSG_DATA(cmsg) ((PUCHAR)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)))
#define WSA_CMSG_SPACE(length) (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length)))
#define WSA_CMSG_LEN(length) (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + (length))
#define CMSG_DATA WSA_CMSG_DATA
#define CMSG_SPACE WSA_CMSG_SPACE
#define CMSG_LEN WSA_CMSG_LEN

/* getaddrinfo flags (ADDRINFO*::ai_flags), name spaces, getnameinfo flags. */
#define AI_PASSIVE 0x00000001
#define AI_CANONNAME 0x00000002
#define AI_NUMERICHOST 0x00000004
#define AI_NUMERICSERV 0x00000008
#define AI_DNS_ONLY 0x00000010
#define AI_FORCE_CLEAR_TEXT 0x00000020
#define AI_BYPASS_DNS_CACHE 0x00000040
#define AI_RETURN_TTL 0x00000080
#define AI_ALL 0x00000100
#define AI_ADDRCONFIG 0x00000400
#define AI_V4MAPPED 0x00000800
#define AI_NON_AUTHORITATIVE 0x00004000
#define AI_SECURE 0x00008000
#define AI_RETURN_PREFERRED_NAMES 0x00010000
#define AI_FQDN 0x00020000
#define AI_FILESERVER 0x00040000
#define AI_DISABLE_IDN_ENCODING 0x00080000
#define AI_SECURE_WITH_FALLBACK 0x00100000
#define AI_EXCLUSIVE_CUSTOM_SERVERS 0x00200000
#define AI_RETURN_RESPONSE_FLAGS 0x10000000
#define AI_REQUIRE_SECURE 0x20000000
#define AI_RESOLUTION_HANDLE 0x40000000
#define AI_EXTENDED 0x80000000

#define ADDRINFOEX_VERSION_2 2
#define ADDRINFOEX_VERSION_3 3
#define ADDRINFOEX_VERSION_4 4
#define ADDRINFOEX_VERSION_5 5
#define ADDRINFOEX_VERSION_6 6

#define NS_ALL 0
#define NS_SAP 1
#define NS_NDS 2
#define NS_PEER_BROWSE 3
#define NS_SLP 5
#define NS_DHCP 6
#define NS_TCPIP_LOCAL 10
#define NS_TCPIP_HOSTS 11
#define NS_DNS 12
#define NS_NETBT 13
#define NS_WINS 14
#define NS_NLA 15
#define NS_BTH 16
#define NS_EMAIL 37
#define NS_PNRPNAME 38
#define NS_PNRPCLOUD 39

#define NI_NOFQDN 0x01
#define NI_NUMERICHOST 0x02
#define NI_NAMEREQD 0x04
#define NI_NUMERICSERV 0x08
#define NI_DGRAM 0x10
#define NI_MAXHOST 1025
#define NI_MAXSERV 32

#define NS_NBP 20
#define NS_MS 30
#define NS_STDA 31
#define NS_NTDS 32
#define NS_X500 40
#define NS_NIS 41
#define NS_NISPLUS 42
#define NS_WRQ 50
#define NS_NETDES 60

/* The addrinfo family in Windows' layout (the data model is Windows x64 on every host:
 * ai_addrlen is a size_t, ai_canonname comes before ai_addr). struct addrinfo is
 * ADDRINFOA, as in ws2def.h; no C-library header is included, so it does not meet
 * <netdb.h>'s (a translation unit includes one of the two). */
typedef struct addrinfo {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  char* ai_canonname;
  struct sockaddr* ai_addr;
  struct addrinfo* ai_next;
} ADDRINFOA, *PADDRINFOA;

typedef struct addrinfoW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct sockaddr* ai_addr;
  struct addrinfoW* ai_next;
} ADDRINFOW, *PADDRINFOW;

/* ai_bloblen is today's SDK name of the blob size, ai_bufferlength the older one. */
#define WSKPORT_KM_ADDRINFOEX_BODY(name_type, next_type) \
  int ai_flags;                                          \
  int ai_family;                                         \
  int ai_socktype;                                       \
  int ai_protocol;                                       \
  size_t ai_addrlen;                                     \
  name_type ai_canonname;                                \
  struct sockaddr* ai_addr;                              \
  void* ai_blob;                                         \
  union {                                                \
    size_t ai_bloblen;                                   \
    size_t ai_bufferlength;                              \
  };                                                     \
  LPGUID ai_provider;                                    \
  next_type* ai_next

typedef struct addrinfoexA {
  WSKPORT_KM_ADDRINFOEX_BODY(char*, struct addrinfoexA);
} ADDRINFOEXA, *PADDRINFOEXA, *LPADDRINFOEXA;

typedef struct addrinfoexW {
  WSKPORT_KM_ADDRINFOEX_BODY(PWSTR, struct addrinfoexW);
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;

typedef struct addrinfoex2A {
  WSKPORT_KM_ADDRINFOEX_BODY(char*, struct addrinfoex2A);
  int ai_version;
  char* ai_fqdn;
} ADDRINFOEX2A, *PADDRINFOEX2A, *LPADDRINFOEX2A;

typedef struct addrinfoex2W {
  WSKPORT_KM_ADDRINFOEX_BODY(PWSTR, struct addrinfoex2W);
  int ai_version;
  PWSTR ai_fqdn;
} ADDRINFOEX2W, *PADDRINFOEX2W, *LPADDRINFOEX2W;

typedef ADDRINFOA ADDRINFO, *LPADDRINFO;
typedef ADDRINFOEXA ADDRINFOEX, *PADDRINFOEX;
typedef ADDRINFOEX2A ADDRINFOEX2, *PADDRINFOEX2;

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_KM_WS2DEF_H */
