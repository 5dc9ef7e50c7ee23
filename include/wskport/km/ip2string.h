/* SPDX-License-Identifier: MIT */
/*
 * ip2string.h: the RtlIpv4 / RtlIpv6 address <-> string routines of the WDK header of
 * that name, narrow (A) and UTF-16 (W). Addresses and ports are in network byte order.
 * Compiles as C11 and as C++20 and includes no platform header. Synchronous; no IRQL
 * restriction. Implemented in common/km/km_ip2string.cpp.
 *
 * Status values: every routine that returns NTSTATUS completes with STATUS_SUCCESS or
 * STATUS_INVALID_PARAMETER (a NULL required pointer, text that is not an address, or an
 * output buffer that is too small) and nothing else.
 */
#pragma once
#ifndef WSKPORT_KM_IP2STRING_H
#define WSKPORT_KM_IP2STRING_H

#include "in6addr.h"
#include "inaddr.h"
#include "wskport_km_base.h"

WSKPORT_KM_BEGIN_DECLS

/* Buffer sizes (characters, terminator included) for the plain ToString forms: the
 * caller's buffer must hold at least this many. */
#define WSKPORT_IPV4_STRING_LENGTH 16
#define WSKPORT_IPV6_STRING_LENGTH 46

/* ------------------------------------------------------------ address -> text ----- */

/** Writes @p Addr as "a.b.c.d" (decimal, no leading zeros) and a terminator into @p S,
 *  which must hold 16 characters. Returns a pointer to the terminator. */
NTSYSAPI PSTR NTAPI RtlIpv4AddressToStringA(_In_ const struct in_addr* Addr,
                                            _Out_writes_(16) PSTR S);
NTSYSAPI PWSTR NTAPI RtlIpv4AddressToStringW(_In_ const struct in_addr* Addr,
                                             _Out_writes_(16) PWSTR S);

/** Writes @p Address, and ":port" when @p Port (network order) is nonzero.
 *  @p AddressStringLength: in, the buffer's size in characters; out, the characters
 *  written or needed, terminator included. STATUS_SUCCESS, or STATUS_INVALID_PARAMETER
 *  when a pointer is NULL or the buffer is too small (the needed length is written when
 *  @p AddressStringLength is not NULL, the buffer is untouched). */
NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExA(
    _In_ const struct in_addr* Address, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PSTR AddressString,
    _Inout_ PULONG AddressStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExW(
    _In_ const struct in_addr* Address, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PWSTR AddressString,
    _Inout_ PULONG AddressStringLength);

/** Writes @p Addr as RFC 5952 text with Windows' choices (lower-case hex, the longest
 *  run of two or more zero groups - the first on a tie - as "::"), with a dotted quad
 *  for the IPv4-compatible (::a.b.c.d, when the seventh group is nonzero), IPv4-mapped
 *  (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and ISATAP (...:5efe:a.b.c.d,
 *  ...:200:5efe:a.b.c.d) forms. @p S must hold 46 characters. Returns a pointer to the
 *  terminator. */
NTSYSAPI PSTR NTAPI RtlIpv6AddressToStringA(_In_ const struct in6_addr* Addr,
                                            _Out_writes_(46) PSTR S);
NTSYSAPI PWSTR NTAPI RtlIpv6AddressToStringW(_In_ const struct in6_addr* Addr,
                                             _Out_writes_(46) PWSTR S);

/** Writes "addr", "addr%scope" (nonzero @p ScopeId), "[addr]:port" or
 *  "[addr%scope]:port" (nonzero @p Port, network order); the length rules and statuses
 *  are RtlIpv4AddressToStringEx's. */
NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExA(
    _In_ const struct in6_addr* Address, _In_ ULONG ScopeId, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PSTR AddressString,
    _Inout_ PULONG AddressStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExW(
    _In_ const struct in6_addr* Address, _In_ ULONG ScopeId, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PWSTR AddressString,
    _Inout_ PULONG AddressStringLength);

/* ------------------------------------------------------------ text -> address ----- */

/** Parses an IPv4 address at the start of @p S. @p Strict: exactly four decimal parts of
 *  0..255. Otherwise inet_aton's forms: one to four parts, each decimal, octal (leading
 *  0) or hex (0x), the last part filling the remaining bytes ("10.1" is 10.0.0.1).
 *  Parsing stops at the first character that cannot continue the address; *Terminator
 *  points at it (also on failure, at the offending character). STATUS_SUCCESS (@p Addr
 *  written) or STATUS_INVALID_PARAMETER. */
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressA(_In_ PCSTR S, _In_ BOOLEAN Strict,
                                                _Out_ PCSTR* Terminator,
                                                _Out_ struct in_addr* Addr);
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressW(_In_ PCWSTR S, _In_ BOOLEAN Strict,
                                                _Out_ PCWSTR* Terminator,
                                                _Out_ struct in_addr* Addr);

/** Parses "addr" or "addr:port" (decimal port 0..65535); the whole string must be
 *  consumed. *Port is 0 without a port. STATUS_SUCCESS or STATUS_INVALID_PARAMETER
 *  (outputs untouched). */
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExA(_In_ PCSTR AddressString, _In_ BOOLEAN Strict,
                                                  _Out_ struct in_addr* Address,
                                                  _Out_ PUSHORT Port);
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExW(_In_ PCWSTR AddressString, _In_ BOOLEAN Strict,
                                                  _Out_ struct in_addr* Address,
                                                  _Out_ PUSHORT Port);

/** Parses an IPv6 address at the start of @p S: up to eight groups of 1-4 hex digits,
 *  one "::" standing for one or more zero groups, an optional dotted-quad tail in place
 *  of the last two groups. *Terminator points at the first character after the address
 *  (also on failure, at the offending character). STATUS_SUCCESS or
 *  STATUS_INVALID_PARAMETER. */
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressA(_In_ PCSTR S, _Out_ PCSTR* Terminator,
                                                _Out_ struct in6_addr* Addr);
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressW(_In_ PCWSTR S, _Out_ PCWSTR* Terminator,
                                                _Out_ struct in6_addr* Addr);

/** Parses "addr", "addr%scope", "[addr]", "[addr%scope]" or either bracketed form
 *  followed by ":port" (decimal scope up to 4294967295, decimal port 0..65535); the whole
 *  string must be consumed. *ScopeId and *Port are 0 when absent. STATUS_SUCCESS or
 *  STATUS_INVALID_PARAMETER (outputs untouched). */
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExA(_In_ PCSTR AddressString,
                                                  _Out_ struct in6_addr* Address,
                                                  _Out_ PULONG ScopeId, _Out_ PUSHORT Port);
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExW(_In_ PCWSTR AddressString,
                                                  _Out_ struct in6_addr* Address,
                                                  _Out_ PULONG ScopeId, _Out_ PUSHORT Port);

WSKPORT_KM_END_DECLS

#ifdef UNICODE
#define RtlIpv4AddressToString RtlIpv4AddressToStringW
#define RtlIpv4AddressToStringEx RtlIpv4AddressToStringExW
#define RtlIpv4StringToAddress RtlIpv4StringToAddressW
#define RtlIpv4StringToAddressEx RtlIpv4StringToAddressExW
#define RtlIpv6AddressToString RtlIpv6AddressToStringW
#define RtlIpv6AddressToStringEx RtlIpv6AddressToStringExW
#define RtlIpv6StringToAddress RtlIpv6StringToAddressW
#define RtlIpv6StringToAddressEx RtlIpv6StringToAddressExW
#else
#define RtlIpv4AddressToString RtlIpv4AddressToStringA
#define RtlIpv4AddressToStringEx RtlIpv4AddressToStringExA
#define RtlIpv4StringToAddress RtlIpv4StringToAddressA
#define RtlIpv4StringToAddressEx RtlIpv4StringToAddressExA
#define RtlIpv6AddressToString RtlIpv6AddressToStringA
#define RtlIpv6AddressToStringEx RtlIpv6AddressToStringExA
#define RtlIpv6StringToAddress RtlIpv6StringToAddressA
#define RtlIpv6StringToAddressEx RtlIpv6StringToAddressExA
#endif

#endif /* WSKPORT_KM_IP2STRING_H */
