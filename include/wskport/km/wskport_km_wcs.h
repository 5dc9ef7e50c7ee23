/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_wcs.h: the C run-time's wide-string routines as the kernel exports them
 * (wcslen, wcscpy_s, _wcsicmp, wmemcpy, _snwprintf, ...), on 16-bit WCHAR strings.
 *
 * On Windows hosts (MinGW, MSVC) wchar_t is 16 bits and the CRT's routines are the
 * right ones: nothing is changed. Elsewhere km code is compiled with -fshort-wchar but
 * the C library's wcs* functions walk 32-bit units, so each name is a macro for a
 * Wskport-prefixed routine of the kernel runtime (common/km/km_wcs.cpp) that walks
 * 16-bit units. The C library's own declarations are read first (<wchar.h>, and
 * <cwchar> in C++, both include-guarded), so a later #include <wchar.h> or <cwchar> in
 * the driver neither breaks on the macros nor undefines them (libstdc++'s <cwchar>
 * #undefs these names when it is first read). std::wcslen and friends resolve to the
 * same 16-bit routines. Reached through <wdm.h>.
 *
 * Semantics are the Microsoft CRT's: the _s forms return 0, EINVAL (a NULL pointer or
 * zero size; the destination is emptied when it can be) or ERANGE (too small; emptied),
 * and wcsncpy_s/wcsncat_s take _TRUNCATE (then STRUNCATE when they cut). No
 * invalid-parameter handler is called. _wcsicmp/_wcsnicmp/_wcslwr/_wcsupr fold A-Z only
 * (the "C" locale). In the printf forms %s and %c take WCHAR text (ntstrsafe.h's
 * engine); _snwprintf returns -1 when the text does not fit (no terminator then),
 * swprintf_s returns -1 and empties the buffer.
 */
#pragma once
#ifndef WSKPORT_KM_WCS_H
#define WSKPORT_KM_WCS_H

#include "wskport_km_base.h"

/* <errno.h> and <wchar.h> (<cwchar> in C++) come through wskport_km_base.h, first. */

#ifndef _ERRNO_T_DEFINED
#define _ERRNO_T_DEFINED
typedef int errno_t;
#endif
#ifndef STRUNCATE
#define STRUNCATE 80
#endif
#ifndef _TRUNCATE
#define _TRUNCATE ((size_t)-1)
#endif

WSKPORT_KM_BEGIN_DECLS

/* The runtime's routines, under their own names on every host (the tests call them
 * directly). Each follows the contract of the CRT routine named in its comment. */
size_t WskportWcslen(const WCHAR* s);                                         /* wcslen */
size_t WskportWcsnlen(const WCHAR* s, size_t max);                            /* wcsnlen */
WCHAR* WskportWcscpy(WCHAR* dst, const WCHAR* src);                           /* wcscpy */
WCHAR* WskportWcsncpy(WCHAR* dst, const WCHAR* src, size_t n);                /* wcsncpy */
WCHAR* WskportWcscat(WCHAR* dst, const WCHAR* src);                           /* wcscat */
WCHAR* WskportWcsncat(WCHAR* dst, const WCHAR* src, size_t n);                /* wcsncat */
errno_t WskportWcscpyS(WCHAR* dst, size_t size, const WCHAR* src);            /* wcscpy_s */
errno_t WskportWcsncpyS(WCHAR* dst, size_t size, const WCHAR* src, size_t n); /* wcsncpy_s */
errno_t WskportWcscatS(WCHAR* dst, size_t size, const WCHAR* src);            /* wcscat_s */
errno_t WskportWcsncatS(WCHAR* dst, size_t size, const WCHAR* src, size_t n); /* wcsncat_s */
int WskportWcscmp(const WCHAR* a, const WCHAR* b);                            /* wcscmp */
int WskportWcsncmp(const WCHAR* a, const WCHAR* b, size_t n);                 /* wcsncmp */
int WskportWcsicmp(const WCHAR* a, const WCHAR* b);                           /* _wcsicmp */
int WskportWcsnicmp(const WCHAR* a, const WCHAR* b, size_t n);                /* _wcsnicmp */
WCHAR* WskportWcschr(const WCHAR* s, WCHAR c);                                /* wcschr */
WCHAR* WskportWcsrchr(const WCHAR* s, WCHAR c);                               /* wcsrchr */
WCHAR* WskportWcsstr(const WCHAR* s, const WCHAR* find);                      /* wcsstr */
size_t WskportWcsspn(const WCHAR* s, const WCHAR* accept);                    /* wcsspn */
size_t WskportWcscspn(const WCHAR* s, const WCHAR* reject);                   /* wcscspn */
WCHAR* WskportWcspbrk(const WCHAR* s, const WCHAR* accept);                   /* wcspbrk */
WCHAR* WskportWcslwr(WCHAR* s);                                               /* _wcslwr */
WCHAR* WskportWcsupr(WCHAR* s);                                               /* _wcsupr */
errno_t WskportWcslwrS(WCHAR* s, size_t size);                                /* _wcslwr_s */
errno_t WskportWcsuprS(WCHAR* s, size_t size);                                /* _wcsupr_s */
WCHAR* WskportWmemcpy(WCHAR* dst, const WCHAR* src, size_t n);                /* wmemcpy */
WCHAR* WskportWmemmove(WCHAR* dst, const WCHAR* src, size_t n);               /* wmemmove */
WCHAR* WskportWmemset(WCHAR* dst, WCHAR c, size_t n);                         /* wmemset */
int WskportWmemcmp(const WCHAR* a, const WCHAR* b, size_t n);                 /* wmemcmp */
WCHAR* WskportWmemchr(const WCHAR* s, WCHAR c, size_t n);                     /* wmemchr */
int WskportVsnwprintf(WCHAR* dst, size_t count, const WCHAR* format,
                      va_list args);                                               /* _vsnwprintf */
int WskportSnwprintf(WCHAR* dst, size_t count, const WCHAR* format, ...);          /* _snwprintf */
int WskportVswprintfS(WCHAR* dst, size_t size, const WCHAR* format, va_list args); /* vswprintf_s */
int WskportSwprintfS(WCHAR* dst, size_t size, const WCHAR* format, ...);           /* swprintf_s */

WSKPORT_KM_END_DECLS

#if !defined(_WIN32)
#define wcslen WskportWcslen
#define wcsnlen WskportWcsnlen
#define wcscpy WskportWcscpy
#define wcsncpy WskportWcsncpy
#define wcscat WskportWcscat
#define wcsncat WskportWcsncat
#define wcscpy_s WskportWcscpyS
#define wcsncpy_s WskportWcsncpyS
#define wcscat_s WskportWcscatS
#define wcsncat_s WskportWcsncatS
#define wcscmp WskportWcscmp
#define wcsncmp WskportWcsncmp
#define _wcsicmp WskportWcsicmp
#define _wcsnicmp WskportWcsnicmp
#define wcschr WskportWcschr
#define wcsrchr WskportWcsrchr
#define wcsstr WskportWcsstr
#define wcsspn WskportWcsspn
#define wcscspn WskportWcscspn
#define wcspbrk WskportWcspbrk
#define _wcslwr WskportWcslwr
#define _wcsupr WskportWcsupr
#define _wcslwr_s WskportWcslwrS
#define _wcsupr_s WskportWcsuprS
#define wmemcpy WskportWmemcpy
#define wmemmove WskportWmemmove
#define wmemset WskportWmemset
#define wmemcmp WskportWmemcmp
#define wmemchr WskportWmemchr
#define _vsnwprintf WskportVsnwprintf
#define _snwprintf WskportSnwprintf
#define vswprintf_s WskportVswprintfS
#define swprintf_s WskportSwprintfS
#ifdef __cplusplus
/* std::wcslen etc. after the macros: the same 16-bit routines. */
namespace std {
using ::WskportWcscat;
using ::WskportWcschr;
using ::WskportWcscmp;
using ::WskportWcscpy;
using ::WskportWcscspn;
using ::WskportWcslen;
using ::WskportWcsncat;
using ::WskportWcsncmp;
using ::WskportWcsncpy;
using ::WskportWcspbrk;
using ::WskportWcsrchr;
using ::WskportWcsspn;
using ::WskportWcsstr;
using ::WskportWmemchr;
using ::WskportWmemcmp;
using ::WskportWmemcpy;
using ::WskportWmemmove;
using ::WskportWmemset;
}  // namespace std
#endif
#endif /* !_WIN32 */

#endif /* WSKPORT_KM_WCS_H */
