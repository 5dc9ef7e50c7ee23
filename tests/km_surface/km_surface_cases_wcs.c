/* SPDX-License-Identifier: MIT */
/* The CRT's wide-string routines at 16 bits (wskport_km_wcs.h, common/km/km_wcs.cpp).
 * Normal cases go through the CRT names a driver writes (on Linux the header maps them
 * to the runtime; on Windows hosts they are the CRT's own); error cases (NULL, too
 * small) call the runtime's routines directly, as a Windows CRT would call its
 * invalid-parameter handler there. */
#include "km_surface_check.h"

int km_surface_wcs_length_compare(void) {
  static const WCHAR text[] = L"Hello, world";
  CHECK_EQ(12, wcslen(text));
  CHECK_EQ(0, wcslen(L""));
  CHECK_EQ(5, wcsnlen(text, 5));
  CHECK_EQ(12, wcsnlen(text, 100));
  CHECK_EQ(0, WskportWcsnlen(NULL, 4));
  /* A unit above 0x7FFF compares as unsigned, as WCHAR is unsigned on Windows. */
  {
    static const WCHAR high[] = {0x8000, 0};
    static const WCHAR low[] = {0x0041, 0};
    CHECK(wcscmp(high, low) > 0);
    CHECK(wcscmp(low, high) < 0);
  }
  CHECK_EQ(0, wcscmp(L"abc", L"abc"));
  CHECK(wcscmp(L"abc", L"abd") < 0);
  CHECK(wcscmp(L"ab", L"abc") < 0);
  CHECK(wcscmp(L"abc", L"ab") > 0);
  CHECK_EQ(0, wcsncmp(L"abcdef", L"abcxyz", 3));
  CHECK(wcsncmp(L"abcdef", L"abcxyz", 4) < 0);
  CHECK_EQ(0, wcsncmp(L"a", L"b", 0));
  /* 16-bit units: sizeof(WCHAR) is 2, so a 32-bit walk would read past this. */
  CHECK_EQ(2, sizeof(text[0]));
  return 0;
}

int km_surface_wcs_search(void) {
  static const WCHAR path[] = L"\\Device\\Tcp\\Device";
  CHECK(wcschr(path, L'D') == path + 1);
  CHECK(wcsrchr(path, L'D') == path + 12);
  CHECK(wcschr(path, L'z') == NULL);
  CHECK(wcschr(path, 0) == path + 18); /* the terminator is part of the string */
  CHECK(wcsstr(path, L"Tcp") == path + 8);
  CHECK(wcsstr(path, L"Udp") == NULL);
  CHECK(wcsstr(path, L"") == path);
  CHECK_EQ(3, wcsspn(L"aabxa", L"ab"));
  CHECK_EQ(2, wcscspn(L"ab:cd", L":;"));
  CHECK(wcspbrk(L"ab:cd", L";:") != NULL);
  CHECK(wcspbrk(L"abcd", L";:") == NULL);
  return 0;
}

int km_surface_wcs_copy_cat(void) {
  WCHAR buf[16];
  CHECK(wcscpy(buf, L"net") == buf);
  CHECK_WSTR(L"net", buf);
  CHECK(wcscat(buf, L"io") == buf);
  CHECK_WSTR(L"netio", buf);
  wcsncat(buf, L".sys.bak", 4);
  CHECK_WSTR(L"netio.sys", buf);
  {
    WCHAR pad[6] = {'x', 'x', 'x', 'x', 'x', 'x'};
    wcsncpy(pad, L"ab", 5); /* pads with NULs up to n */
    CHECK_EQ('a', pad[0]);
    CHECK_EQ(0, pad[2]);
    CHECK_EQ(0, pad[4]);
    CHECK_EQ('x', pad[5]);
  }
  return 0;
}

int km_surface_wcs_secure_copy(void) {
  WCHAR buf[8];
  CHECK_EQ(0, wcscpy_s(buf, RTL_NUMBER_OF(buf), L"1234567"));
  CHECK_WSTR(L"1234567", buf);
  CHECK_EQ(0, wcsncpy_s(buf, RTL_NUMBER_OF(buf), L"abcdef", 3));
  CHECK_WSTR(L"abc", buf);
  /* Errors: the destination is emptied when there is one. */
  CHECK_EQ(ERANGE, WskportWcscpyS(buf, RTL_NUMBER_OF(buf), L"12345678"));
  CHECK_EQ(0, buf[0]);
  CHECK_EQ(EINVAL, WskportWcscpyS(NULL, 8, L"x"));
  CHECK_EQ(EINVAL, WskportWcscpyS(buf, 0, L"x"));
  buf[0] = 'q';
  CHECK_EQ(EINVAL, WskportWcscpyS(buf, RTL_NUMBER_OF(buf), NULL));
  CHECK_EQ(0, buf[0]);
  CHECK_EQ(ERANGE, WskportWcsncpyS(buf, 4, L"abcdef", 4));
  CHECK_EQ(0, buf[0]);
  CHECK_EQ(STRUNCATE, WskportWcsncpyS(buf, 4, L"abcdef", _TRUNCATE));
  CHECK_WSTR(L"abc", buf);
  CHECK_EQ(0, WskportWcsncpyS(buf, 4, L"ab", _TRUNCATE));
  CHECK_WSTR(L"ab", buf);
  CHECK_EQ(0, WskportWcsncpyS(buf, 4, NULL, 0));
  CHECK_EQ(0, buf[0]);
  CHECK_EQ(EINVAL, WskportWcsncpyS(buf, 4, NULL, 2));
  return 0;
}

int km_surface_wcs_secure_cat(void) {
  WCHAR buf[8];
  CHECK_EQ(0, wcscpy_s(buf, RTL_NUMBER_OF(buf), L"ab"));
  CHECK_EQ(0, wcscat_s(buf, RTL_NUMBER_OF(buf), L"cde"));
  CHECK_WSTR(L"abcde", buf);
  CHECK_EQ(0, wcsncat_s(buf, RTL_NUMBER_OF(buf), L"fgh", 1));
  CHECK_WSTR(L"abcdef", buf);
  CHECK_EQ(ERANGE, WskportWcscatS(buf, RTL_NUMBER_OF(buf), L"gh"));
  CHECK_EQ(0, buf[0]);
  CHECK_EQ(0, WskportWcscpyS(buf, RTL_NUMBER_OF(buf), L"abcde"));
  CHECK_EQ(STRUNCATE, WskportWcsncatS(buf, RTL_NUMBER_OF(buf), L"xyz", _TRUNCATE));
  CHECK_WSTR(L"abcdexy", buf);
  {
    WCHAR unterminated[3] = {'a', 'b', 'c'};
    CHECK_EQ(EINVAL, WskportWcscatS(unterminated, RTL_NUMBER_OF(unterminated), L"d"));
    CHECK_EQ(0, unterminated[0]);
  }
  CHECK_EQ(EINVAL, WskportWcscatS(NULL, 4, L"d"));
  CHECK_EQ(EINVAL, WskportWcscatS(buf, RTL_NUMBER_OF(buf), NULL));
  CHECK_EQ(0, buf[0]);
  return 0;
}

int km_surface_wcs_case(void) {
  WCHAR buf[16];
  CHECK_EQ(0, _wcsicmp(L"TCPIP", L"tcpip"));
  CHECK(_wcsicmp(L"abc", L"ABD") < 0);
  /* '_' (0x5F) sorts after 'a' once both are lower-cased, as in the CRT. */
  CHECK(_wcsicmp(L"_", L"A") < 0);
  CHECK_EQ(0, _wcsnicmp(L"DeviceX", L"deviceY", 6));
  CHECK(_wcsnicmp(L"DeviceX", L"deviceY", 7) != 0);
  CHECK_EQ(0, wcscpy_s(buf, RTL_NUMBER_OF(buf), L"MiXeD-9\x00C9"));
  CHECK(_wcslwr(buf) == buf);
  CHECK_EQ('m', buf[0]);
  CHECK_EQ('x', buf[2]);
  CHECK_EQ('-', buf[5]);
  CHECK(_wcsupr(buf) == buf);
  CHECK_EQ('M', buf[0]);
  CHECK_EQ('9', buf[6]);
  CHECK_EQ(0, _wcslwr_s(buf, RTL_NUMBER_OF(buf)));
  CHECK_EQ('d', buf[4]);
  /* Only A-Z fold (the "C" locale): É stays as it is. */
  CHECK_EQ(0x00C9, WskportWcslwr(buf)[7]);
  CHECK_EQ(EINVAL, WskportWcsuprS(NULL, 4));
  CHECK_EQ(EINVAL, WskportWcsuprS(buf, 3)); /* not terminated within 3 */
  CHECK_EQ(0, buf[0]);
  return 0;
}

int km_surface_wcs_memory(void) {
  WCHAR a[6];
  WCHAR b[6];
  CHECK(wmemset(a, L'z', 6) == a);
  CHECK_EQ('z', a[5]);
  CHECK(wmemcpy(b, L"hello", 6) == b);
  CHECK_WSTR(L"hello", b);
  CHECK(wmemmove(b + 1, b, 4) == b + 1);
  CHECK_WSTR(L"hhell", b);
  CHECK(wmemchr(b, L'l', 5) == b + 3);
  CHECK(wmemchr(b, L'q', 5) == NULL);
  CHECK_EQ(0, wmemcmp(b, L"hhell", 5));
  CHECK(wmemcmp(b, L"hhelm", 5) < 0);
  return 0;
}

int km_surface_wcs_printf(void) {
  WCHAR buf[16];
  /* Through the runtime's routines: %s takes WCHAR text in the W forms, as on Windows. */
  CHECK_EQ(9, WskportSwprintfS(buf, RTL_NUMBER_OF(buf), L"%s:%d", L"port", 4000));
  CHECK_WSTR(L"port:4000", buf);
  CHECK_EQ(-1, WskportSwprintfS(buf, 4, L"%d", 12345));
  CHECK_EQ(0, buf[0]);
  CHECK_EQ(-1, WskportSwprintfS(NULL, 4, L"x"));
  CHECK_EQ(3, WskportSnwprintf(buf, RTL_NUMBER_OF(buf), L"%u", 123u));
  CHECK_WSTR(L"123", buf);
  /* Exactly count characters: stored without a terminator. */
  buf[3] = 'x';
  CHECK_EQ(3, WskportSnwprintf(buf, 3, L"abc"));
  CHECK_EQ('c', buf[2]);
  CHECK_EQ('x', buf[3]);
  /* Too long: -1, count characters stored. */
  CHECK_EQ(-1, WskportSnwprintf(buf, 2, L"abc"));
  CHECK_EQ('b', buf[1]);
  /* (NULL, 0) measures. */
  CHECK_EQ(5, WskportSnwprintf(NULL, 0, L"%d", -1234));
  /* The CRT names a driver writes. */
  CHECK_EQ(2, swprintf_s(buf, RTL_NUMBER_OF(buf), L"%d", 42));
  CHECK_WSTR(L"42", buf);
  CHECK_EQ(2, _snwprintf(buf, RTL_NUMBER_OF(buf), L"%x", 0xabu));
  CHECK_WSTR(L"ab", buf);
  return 0;
}
