/* SPDX-License-Identifier: MIT */
/* <ip2string.h>: the RtlIpv4 / RtlIpv6 address <-> text routines, table-driven. Every
 * parse row runs through the A and the W routine (the W text widened by hand), every
 * format row through both and is compared character by character; the Ex forms are
 * checked at every too-small buffer length; random addresses make the round trip. */
#include <ip2string.h>

#include "km_rt_check.h"

#define OK STATUS_SUCCESS
#define BAD STATUS_INVALID_PARAMETER

/* Records a failed table row with its input text and returns the line. */
#define ROW_CHECK(cond, row_text, a, b)                                                    \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      char km_ip_msg[192];                                                                 \
      RtlStringCbPrintfA(km_ip_msg, sizeof km_ip_msg, "%s for \"%s\"", #cond, (row_text)); \
      km_rt_record(__LINE__, km_ip_msg, (LONGLONG)(a), (LONGLONG)(b));                     \
      return __LINE__;                                                                     \
    }                                                                                      \
  } while (0)

static void Widen(const char* from, WCHAR* to) {
  do {
    *to++ = (WCHAR)(UCHAR)*from;
  } while (*from++ != '\0');
}

/* TRUE when the UTF-16 text equals the ASCII text, terminator included. */
static BOOLEAN SameText(const WCHAR* wide, const char* narrow) {
  for (;; ++wide, ++narrow) {
    if (*wide != (WCHAR)(UCHAR)*narrow) return FALSE;
    if (*narrow == '\0') return TRUE;
  }
}

static void GroupsToAddress(const USHORT* groups, IN6_ADDR* a) {
  int i;
  for (i = 0; i < 8; ++i) {
    a->u.Byte[2 * i] = (UCHAR)(groups[i] >> 8);
    a->u.Byte[2 * i + 1] = (UCHAR)groups[i];
  }
}

/* ------------------------------------------------------------------- IPv4 ------- */

typedef struct {
  const char* Text;
  BOOLEAN Strict;
  NTSTATUS Status;
  ULONG Value; /* host order, when Status is OK */
  int End;     /* where *Terminator points, -1: not checked */
} V4_PARSE;

static const V4_PARSE kV4Parse[] = {
    {"192.168.1.20", TRUE, OK, 0xC0A80114u, 12},
    {"0.0.0.0", TRUE, OK, 0, 7},
    {"255.255.255.255", TRUE, OK, 0xFFFFFFFFu, 15},
    {"1.2.3.4:80", TRUE, OK, 0x01020304u, 7},
    {"1.2.3.4.5", TRUE, OK, 0x01020304u, 7},
    {"1.2.3.4 ", TRUE, OK, 0x01020304u, 7},
    {"10.1", TRUE, BAD, 0, -1},
    {"1.2.3", TRUE, BAD, 0, -1},
    {"300.1.1.1", TRUE, BAD, 0, -1},
    {"1.2.3.256", TRUE, BAD, 0, -1},
    {"", TRUE, BAD, 0, 0},
    {"a.b.c.d", TRUE, BAD, 0, 0},
    {"1..2.3", TRUE, BAD, 0, 2},
    {"1.2.3.", TRUE, BAD, 0, 6},
    {"0x10.0.0.1", TRUE, BAD, 0, -1},
    {" 1.2.3.4", TRUE, BAD, 0, 0},
    {"-1.2.3.4", FALSE, BAD, 0, 0},
    {"10.1", FALSE, OK, 0x0A000001u, 4},
    {"127.1", FALSE, OK, 0x7F000001u, 5},
    {"0x7f.1", FALSE, OK, 0x7F000001u, 6},
    {"0X7F000001", FALSE, OK, 0x7F000001u, 10},
    {"010.0.0.1", FALSE, OK, 0x08000001u, 9},
    {"1.2.65535", FALSE, OK, 0x0102FFFFu, 9},
    {"1.2.65536", FALSE, BAD, 0, -1},
    {"1.16777215", FALSE, OK, 0x01FFFFFFu, 10},
    {"1.16777216", FALSE, BAD, 0, -1},
    {"256.1", FALSE, BAD, 0, -1},
    {"4294967295", FALSE, OK, 0xFFFFFFFFu, 10},
    {"4294967296", FALSE, BAD, 0, -1},
    {"0x", FALSE, BAD, 0, -1},
    {"0xg.1", FALSE, BAD, 0, -1},
    {"1.2.3.4", FALSE, OK, 0x01020304u, 7},
    {"0", FALSE, OK, 0, 1},
};

typedef struct {
  const char* Text;
  BOOLEAN Strict;
  NTSTATUS Status;
  ULONG Value; /* host order */
  USHORT Port; /* host order */
} V4_PARSE_EX;

static const V4_PARSE_EX kV4ParseEx[] = {
    {"10.0.0.1:8080", TRUE, OK, 0x0A000001u, 8080},
    {"10.0.0.1", TRUE, OK, 0x0A000001u, 0},
    {"10.0.0.1:65535", TRUE, OK, 0x0A000001u, 65535},
    {"10.1:80", FALSE, OK, 0x0A000001u, 80},
    {"10.1:80", TRUE, BAD, 0, 0},
    {"10.0.0.1:", TRUE, BAD, 0, 0},
    {"10.0.0.1:65536", TRUE, BAD, 0, 0},
    {"10.0.0.1:80x", TRUE, BAD, 0, 0},
    {"10.0.0.1 ", TRUE, BAD, 0, 0},
    {"10.0.0.1.2", TRUE, BAD, 0, 0},
    {"[10.0.0.1]:80", TRUE, BAD, 0, 0},
    {"10.0.0.1:-1", TRUE, BAD, 0, 0},
    {"", TRUE, BAD, 0, 0},
};

typedef struct {
  ULONG Value; /* host order */
  USHORT Port; /* host order */
  const char* Text;
} V4_FORMAT;

static const V4_FORMAT kV4Format[] = {
    {0x01020304u, 0, "1.2.3.4"},
    {0, 0, "0.0.0.0"},
    {0xFFFFFFFFu, 65535, "255.255.255.255:65535"},
    {0x0A000001u, 8080, "10.0.0.1:8080"},
    {0x7F000001u, 1, "127.0.0.1:1"},
};

static int CheckV4Parse(void) {
  ULONG i;
  for (i = 0; i < RTL_NUMBER_OF(kV4Parse); ++i) {
    const V4_PARSE* row = &kV4Parse[i];
    WCHAR wide[64];
    IN_ADDR a, w;
    PCSTR end = NULL;
    PCWSTR wend = NULL;
    NTSTATUS st, wst;
    a.s_addr = w.s_addr = 0xDEADBEEFu;
    Widen(row->Text, wide);
    st = RtlIpv4StringToAddressA(row->Text, row->Strict, &end, &a);
    wst = RtlIpv4StringToAddressW(wide, row->Strict, &wend, &w);
    ROW_CHECK(st == row->Status, row->Text, row->Status, st);
    ROW_CHECK(wst == row->Status, row->Text, row->Status, wst);
    if (row->Status == OK) {
      ROW_CHECK(a.s_addr == RtlUlongByteSwap(row->Value), row->Text, row->Value,
                RtlUlongByteSwap(a.s_addr));
      ROW_CHECK(w.s_addr == a.s_addr, row->Text, a.s_addr, w.s_addr);
    } else {
      ROW_CHECK(a.s_addr == 0xDEADBEEFu && w.s_addr == 0xDEADBEEFu, row->Text, 0, a.s_addr);
    }
    if (row->End >= 0) {
      ROW_CHECK(end == row->Text + row->End, row->Text, row->End, end - row->Text);
      ROW_CHECK(wend == wide + row->End, row->Text, row->End, wend - wide);
    }
  }
  return 0;
}

static int CheckV4ParseEx(void) {
  ULONG i;
  for (i = 0; i < RTL_NUMBER_OF(kV4ParseEx); ++i) {
    const V4_PARSE_EX* row = &kV4ParseEx[i];
    WCHAR wide[64];
    IN_ADDR a, w;
    USHORT port = 0x5A5A, wport = 0x5A5A;
    NTSTATUS st, wst;
    a.s_addr = w.s_addr = 0xDEADBEEFu;
    Widen(row->Text, wide);
    st = RtlIpv4StringToAddressExA(row->Text, row->Strict, &a, &port);
    wst = RtlIpv4StringToAddressExW(wide, row->Strict, &w, &wport);
    ROW_CHECK(st == row->Status, row->Text, row->Status, st);
    ROW_CHECK(wst == row->Status, row->Text, row->Status, wst);
    if (row->Status == OK) {
      ROW_CHECK(a.s_addr == RtlUlongByteSwap(row->Value), row->Text, row->Value,
                RtlUlongByteSwap(a.s_addr));
      ROW_CHECK(port == RtlUshortByteSwap(row->Port), row->Text, row->Port,
                RtlUshortByteSwap(port));
      ROW_CHECK(w.s_addr == a.s_addr && wport == port, row->Text, port, wport);
    } else {
      /* A refused string leaves the outputs alone. */
      ROW_CHECK(a.s_addr == 0xDEADBEEFu && port == 0x5A5A, row->Text, 0x5A5A, port);
      ROW_CHECK(w.s_addr == 0xDEADBEEFu && wport == 0x5A5A, row->Text, 0x5A5A, wport);
    }
  }
  return 0;
}

/* Runs RtlIpv4AddressToStringEx (A and W) at every length below the needed one, then at
 * the needed one, and checks the plain form when there is no port. */
static int CheckV4Format(void) {
  ULONG i, len, cap;
  for (i = 0; i < RTL_NUMBER_OF(kV4Format); ++i) {
    const V4_FORMAT* row = &kV4Format[i];
    const ULONG need = (ULONG)strlen(row->Text) + 1;
    CHAR text[80];
    WCHAR wide[80];
    IN_ADDR a;
    USHORT port = RtlUshortByteSwap(row->Port);
    a.s_addr = RtlUlongByteSwap(row->Value);
    for (cap = 0; cap < need; ++cap) {
      RtlFillMemory(text, sizeof text, 'Z');
      RtlFillMemory(wide, sizeof wide, 0x5A);
      len = cap;
      ROW_CHECK(RtlIpv4AddressToStringExA(&a, port, text, &len) == BAD, row->Text, cap, 0);
      ROW_CHECK(len == need, row->Text, need, len);
      ROW_CHECK(text[0] == 'Z', row->Text, 'Z', text[0]);
      len = cap;
      ROW_CHECK(RtlIpv4AddressToStringExW(&a, port, wide, &len) == BAD, row->Text, cap, 0);
      ROW_CHECK(len == need, row->Text, need, len);
      ROW_CHECK(wide[0] == 0x5A5A, row->Text, 0x5A5A, wide[0]);
    }
    len = need;
    ROW_CHECK(RtlIpv4AddressToStringExA(&a, port, text, &len) == OK, row->Text, 0, 0);
    ROW_CHECK(len == need && strcmp(text, row->Text) == 0, row->Text, need, len);
    len = sizeof text;
    ROW_CHECK(RtlIpv4AddressToStringExW(&a, port, wide, &len) == OK, row->Text, 0, 0);
    ROW_CHECK(len == need && SameText(wide, row->Text), row->Text, need, len);
    if (row->Port == 0) {
      PSTR end = RtlIpv4AddressToStringA(&a, text);
      PWSTR wend = RtlIpv4AddressToStringW(&a, wide);
      ROW_CHECK(end == text + need - 1 && strcmp(text, row->Text) == 0, row->Text, need - 1,
                end - text);
      ROW_CHECK(wend == wide + need - 1 && SameText(wide, row->Text), row->Text, need - 1,
                wend - wide);
    }
  }
  return 0;
}

int km_rt_ip4_strings(void) {
  int line;
  if ((line = CheckV4Parse()) != 0) return line;
  if ((line = CheckV4ParseEx()) != 0) return line;
  return CheckV4Format();
}

/* ------------------------------------------------------------------- IPv6 ------- */

typedef struct {
  const char* Text;
  NTSTATUS Status;
  USHORT Groups[8];
  int End; /* where *Terminator points, -1: not checked */
} V6_PARSE;

static const V6_PARSE kV6Parse[] = {
    {"::", OK, {0}, 2},
    {"::1", OK, {0, 0, 0, 0, 0, 0, 0, 1}, 3},
    {"1::", OK, {1}, 3},
    {"fe80::1", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 7},
    {"FE80::ABCD", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 0xabcd}, 10},
    {"2001:db8::5", OK, {0x2001, 0xdb8, 0, 0, 0, 0, 0, 5}, 11},
    {"1:2:3:4:5:6:7:8", OK, {1, 2, 3, 4, 5, 6, 7, 8}, 15},
    {"1:2:3:4:5:6:7:8:9", OK, {1, 2, 3, 4, 5, 6, 7, 8}, 15},
    {"1:2:3:4:5:6:7::", OK, {1, 2, 3, 4, 5, 6, 7, 0}, 15},
    {"::2:3:4:5:6:7:8", OK, {0, 2, 3, 4, 5, 6, 7, 8}, 15},
    {"1:0:0:0:0:0:0:8", OK, {1, 0, 0, 0, 0, 0, 0, 8}, 15},
    {"0001:00:000f::", OK, {1, 0, 0xf, 0, 0, 0, 0, 0}, 14},
    {"::ffff:1.2.3.4", OK, {0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}, 14},
    {"::1.2.3.4", OK, {0, 0, 0, 0, 0, 0, 0x0102, 0x0304}, 9},
    {"1:2:3:4:5:6:1.2.3.4", OK, {1, 2, 3, 4, 5, 6, 0x0102, 0x0304}, 19},
    {"fe80::5efe:10.0.0.1", OK, {0xfe80, 0, 0, 0, 0, 0x5efe, 0x0a00, 0x0001}, 19},
    {"fe80::1%4", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 7},
    {"fe80::1]", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 7},
    {"::1 x", OK, {0, 0, 0, 0, 0, 0, 0, 1}, 3},
    {"1::2:3:4:5:6:7:8", BAD, {0}, -1},
    {"1:::2", BAD, {0}, -1},
    {":::", BAD, {0}, -1},
    {":1", BAD, {0}, 0},
    {"1:2", BAD, {0}, -1},
    {"1:2:3:4:5:6:7", BAD, {0}, -1},
    {"12345::", BAD, {0}, -1},
    {"1::2::3", BAD, {0}, -1},
    {"1:2:3:4:5:6:7:1.2.3.4", BAD, {0}, -1},
    {"1:2:3:4:5::1.2.3.4", OK, {1, 2, 3, 4, 5, 0, 0x0102, 0x0304}, 18},
    {"1:2:3:4:5:6::1.2.3.4", BAD, {0}, -1},
    {"::1.2.3", BAD, {0}, -1},
    {"::1.2.3.256", BAD, {0}, -1},
    {"", BAD, {0}, 0},
    {"g::", BAD, {0}, 0},
    {"1:", BAD, {0}, -1},
    {"1:2:3:4:5:6:7:", BAD, {0}, -1},
    {"[::1]", BAD, {0}, 0},
};

typedef struct {
  USHORT Groups[8];
  const char* Text;
} V6_FORMAT;

static const V6_FORMAT kV6Format[] = {
    {{0}, "::"},
    {{0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
    {{1}, "1::"},
    {{0xfe80, 0, 0, 0, 0, 0, 0, 1}, "fe80::1"},
    {{0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}, "2001:db8::1:0:0:1"}, /* a tie: the first run */
    {{0x2001, 0, 0, 1, 0, 0, 0, 1}, "2001:0:0:1::1"},         /* the longer run */
    {{1, 0, 2, 0, 3, 0, 4, 0}, "1:0:2:0:3:0:4:0"},            /* one zero is not compressed */
    {{1, 2, 3, 4, 5, 6, 7, 8}, "1:2:3:4:5:6:7:8"},
    {{0xABCD, 0xEF01, 0, 0, 0, 0, 0, 0x0A0B}, "abcd:ef01::a0b"},
    {{0, 0, 1, 0, 0, 0, 0, 0}, "0:0:1::"},
    {{0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}, "::ffff:1.2.3.4"},
    {{0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304}, "::ffff:0:1.2.3.4"},
    {{0, 0, 0, 0, 0, 0, 0x0102, 0x0304}, "::1.2.3.4"},
    {{0, 0, 0, 0, 0, 0, 0, 0x0102}, "::102"},      /* seventh group zero: no dotted quad */
    {{0, 0, 0, 0, 0, 0xffff, 0, 1}, "::ffff:0:1"}, /* the same for a mapped address */
    {{0xfe80, 0, 0, 0, 0, 0x5efe, 0x0102, 0x0304}, "fe80::5efe:1.2.3.4"},
    {{0xfe80, 0, 0, 0, 0x200, 0x5efe, 0x0102, 0x0304}, "fe80::200:5efe:1.2.3.4"},
    {{0x2001, 0xdb8, 1, 2, 0, 0x5efe, 0x0a00, 1}, "2001:db8:1:2:0:5efe:10.0.0.1"},
    {{0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
};

typedef struct {
  const char* Text;
  NTSTATUS Status;
  USHORT Groups[8];
  ULONG Scope;
  USHORT Port; /* host order */
} V6_EX;

static const V6_EX kV6ParseEx[] = {
    {"[::1]:443", OK, {0, 0, 0, 0, 0, 0, 0, 1}, 0, 443},
    {"[2001:db8::5]:8080", OK, {0x2001, 0xdb8, 0, 0, 0, 0, 0, 5}, 0, 8080},
    {"fe80::1%4", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 4, 0},
    {"[fe80::1%4]:80", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 4, 80},
    {"[fe80::1%4]", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 4, 0},
    {"[::1]", OK, {0, 0, 0, 0, 0, 0, 0, 1}, 0, 0},
    {"::1:80", OK, {0, 0, 0, 0, 0, 0, 1, 0x80}, 0, 0},
    {"fe80::1%4294967295", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 0xFFFFFFFFu, 0},
    {"[::ffff:1.2.3.4]:65535", OK, {0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}, 0, 65535},
    {"[::1]:", BAD, {0}, 0, 0},
    {"[::1]:65536", BAD, {0}, 0, 0},
    {"[::1", BAD, {0}, 0, 0},
    {"::1]", BAD, {0}, 0, 0},
    {"::1]:80", BAD, {0}, 0, 0},
    {"fe80::1%", BAD, {0}, 0, 0},
    {"fe80::1%x", BAD, {0}, 0, 0},
    {"fe80::1%4294967296", BAD, {0}, 0, 0},
    {"::1 ", BAD, {0}, 0, 0},
    {"[::1]80", BAD, {0}, 0, 0},
    {"[::1]:80x", BAD, {0}, 0, 0},
    {"fe80::1%4:80", BAD, {0}, 0, 0},
    {"[1:::2]:80", BAD, {0}, 0, 0},
    {"", BAD, {0}, 0, 0},
    {"[]", BAD, {0}, 0, 0},
};

static const V6_EX kV6FormatEx[] = {
    {"::1", OK, {0, 0, 0, 0, 0, 0, 0, 1}, 0, 0},
    {"[::1]:443", OK, {0, 0, 0, 0, 0, 0, 0, 1}, 0, 443},
    {"fe80::1%4", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 4, 0},
    {"[fe80::1%4]:80", OK, {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 4, 80},
    {"[::ffff:255.255.255.255%4294967295]:65535",
     OK,
     {0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff},
     0xFFFFFFFFu,
     65535},
    {"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535",
     OK,
     {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
     0xFFFFFFFFu,
     65535},
};

static int CheckV6Parse(void) {
  ULONG i;
  for (i = 0; i < RTL_NUMBER_OF(kV6Parse); ++i) {
    const V6_PARSE* row = &kV6Parse[i];
    WCHAR wide[64];
    IN6_ADDR a, w, want;
    PCSTR end = NULL;
    PCWSTR wend = NULL;
    NTSTATUS st, wst;
    RtlFillMemory(&a, sizeof a, 0xA5);
    RtlFillMemory(&w, sizeof w, 0xA5);
    Widen(row->Text, wide);
    st = RtlIpv6StringToAddressA(row->Text, &end, &a);
    wst = RtlIpv6StringToAddressW(wide, &wend, &w);
    ROW_CHECK(st == row->Status, row->Text, row->Status, st);
    ROW_CHECK(wst == row->Status, row->Text, row->Status, wst);
    if (row->Status == OK) {
      GroupsToAddress(row->Groups, &want);
      ROW_CHECK(RtlCompareMemory(&a, &want, 16) == 16, row->Text, 16,
                RtlCompareMemory(&a, &want, 16));
      ROW_CHECK(RtlCompareMemory(&w, &want, 16) == 16, row->Text, 16,
                RtlCompareMemory(&w, &want, 16));
    } else {
      ROW_CHECK(a.u.Byte[0] == 0xA5 && w.u.Byte[15] == 0xA5, row->Text, 0xA5, a.u.Byte[0]);
    }
    if (row->End >= 0) {
      ROW_CHECK(end == row->Text + row->End, row->Text, row->End, end - row->Text);
      ROW_CHECK(wend == wide + row->End, row->Text, row->End, wend - wide);
    }
  }
  return 0;
}

static int CheckV6Format(void) {
  ULONG i;
  for (i = 0; i < RTL_NUMBER_OF(kV6Format); ++i) {
    const V6_FORMAT* row = &kV6Format[i];
    const size_t n = strlen(row->Text);
    CHAR text[64];
    WCHAR wide[64];
    IN6_ADDR a, back;
    PCSTR end = NULL;
    PSTR stop;
    PWSTR wstop;
    GroupsToAddress(row->Groups, &a);
    stop = RtlIpv6AddressToStringA(&a, text);
    wstop = RtlIpv6AddressToStringW(&a, wide);
    ROW_CHECK(strcmp(text, row->Text) == 0, row->Text, 0, 0);
    ROW_CHECK(stop == text + n, row->Text, n, stop - text);
    ROW_CHECK(SameText(wide, row->Text), row->Text, 0, 0);
    ROW_CHECK(wstop == wide + n, row->Text, n, wstop - wide);
    /* What is printed parses back to the same address. */
    ROW_CHECK(RtlIpv6StringToAddressA(text, &end, &back) == OK && *end == '\0', row->Text, 0, 0);
    ROW_CHECK(RtlCompareMemory(&a, &back, 16) == 16, row->Text, 16, 0);
  }
  return 0;
}

static int CheckV6ParseEx(void) {
  ULONG i;
  for (i = 0; i < RTL_NUMBER_OF(kV6ParseEx); ++i) {
    const V6_EX* row = &kV6ParseEx[i];
    WCHAR wide[80];
    IN6_ADDR a, w, want;
    ULONG scope = 77, wscope = 77;
    USHORT port = 0x5A5A, wport = 0x5A5A;
    NTSTATUS st, wst;
    RtlFillMemory(&a, sizeof a, 0xA5);
    RtlFillMemory(&w, sizeof w, 0xA5);
    Widen(row->Text, wide);
    st = RtlIpv6StringToAddressExA(row->Text, &a, &scope, &port);
    wst = RtlIpv6StringToAddressExW(wide, &w, &wscope, &wport);
    ROW_CHECK(st == row->Status, row->Text, row->Status, st);
    ROW_CHECK(wst == row->Status, row->Text, row->Status, wst);
    if (row->Status == OK) {
      GroupsToAddress(row->Groups, &want);
      ROW_CHECK(RtlCompareMemory(&a, &want, 16) == 16, row->Text, 16, 0);
      ROW_CHECK(RtlCompareMemory(&w, &want, 16) == 16, row->Text, 16, 0);
      ROW_CHECK(scope == row->Scope && wscope == row->Scope, row->Text, row->Scope, scope);
      ROW_CHECK(port == RtlUshortByteSwap(row->Port) && wport == port, row->Text, row->Port,
                RtlUshortByteSwap(port));
    } else {
      ROW_CHECK(a.u.Byte[0] == 0xA5 && scope == 77 && port == 0x5A5A, row->Text, 77, scope);
      ROW_CHECK(w.u.Byte[0] == 0xA5 && wscope == 77 && wport == 0x5A5A, row->Text, 77, wscope);
    }
  }
  return 0;
}

static int CheckV6FormatEx(void) {
  ULONG i, cap, len;
  for (i = 0; i < RTL_NUMBER_OF(kV6FormatEx); ++i) {
    const V6_EX* row = &kV6FormatEx[i];
    const ULONG need = (ULONG)strlen(row->Text) + 1;
    const USHORT port = RtlUshortByteSwap(row->Port);
    CHAR text[80];
    WCHAR wide[80];
    IN6_ADDR a;
    GroupsToAddress(row->Groups, &a);
    for (cap = 0; cap < need; ++cap) {
      RtlFillMemory(text, sizeof text, 'Z');
      RtlFillMemory(wide, sizeof wide, 0x5A);
      len = cap;
      ROW_CHECK(RtlIpv6AddressToStringExA(&a, row->Scope, port, text, &len) == BAD, row->Text, cap,
                0);
      ROW_CHECK(len == need && text[0] == 'Z', row->Text, need, len);
      len = cap;
      ROW_CHECK(RtlIpv6AddressToStringExW(&a, row->Scope, port, wide, &len) == BAD, row->Text, cap,
                0);
      ROW_CHECK(len == need && wide[0] == 0x5A5A, row->Text, need, len);
    }
    len = need;
    ROW_CHECK(RtlIpv6AddressToStringExA(&a, row->Scope, port, text, &len) == OK, row->Text, 0, 0);
    ROW_CHECK(len == need && strcmp(text, row->Text) == 0, row->Text, need, len);
    len = RTL_NUMBER_OF(wide);
    ROW_CHECK(RtlIpv6AddressToStringExW(&a, row->Scope, port, wide, &len) == OK, row->Text, 0, 0);
    ROW_CHECK(len == need && SameText(wide, row->Text), row->Text, need, len);
  }
  return 0;
}

int km_rt_ip6_strings(void) {
  int line;
  if ((line = CheckV6Parse()) != 0) return line;
  if ((line = CheckV6Format()) != 0) return line;
  if ((line = CheckV6ParseEx()) != 0) return line;
  return CheckV6FormatEx();
}

/* ------------------------------------------------------------- error paths ------ */

int km_rt_ip_strings_null_arguments(void) {
  IN_ADDR a4;
  IN6_ADDR a6;
  PCSTR end;
  PCWSTR wend;
  USHORT port;
  ULONG scope, len = 64;
  CHAR text[64];
  WCHAR wide[64];
  RtlZeroMemory(&a4, sizeof a4);
  RtlZeroMemory(&a6, sizeof a6);
  CHECK_EQ(BAD, RtlIpv4StringToAddressA(NULL, TRUE, &end, &a4));
  CHECK_EQ(BAD, RtlIpv4StringToAddressA("1.2.3.4", TRUE, NULL, &a4));
  CHECK_EQ(BAD, RtlIpv4StringToAddressA("1.2.3.4", TRUE, &end, NULL));
  CHECK_EQ(BAD, RtlIpv4StringToAddressW(NULL, FALSE, &wend, &a4));
  CHECK_EQ(BAD, RtlIpv4StringToAddressExA(NULL, TRUE, &a4, &port));
  CHECK_EQ(BAD, RtlIpv4StringToAddressExA("1.2.3.4", TRUE, NULL, &port));
  CHECK_EQ(BAD, RtlIpv4StringToAddressExA("1.2.3.4", TRUE, &a4, NULL));
  CHECK_EQ(BAD, RtlIpv4StringToAddressExW(NULL, TRUE, &a4, &port));
  CHECK_EQ(BAD, RtlIpv6StringToAddressA(NULL, &end, &a6));
  CHECK_EQ(BAD, RtlIpv6StringToAddressA("::1", NULL, &a6));
  CHECK_EQ(BAD, RtlIpv6StringToAddressA("::1", &end, NULL));
  CHECK_EQ(BAD, RtlIpv6StringToAddressW(NULL, &wend, &a6));
  CHECK_EQ(BAD, RtlIpv6StringToAddressExA(NULL, &a6, &scope, &port));
  CHECK_EQ(BAD, RtlIpv6StringToAddressExA("::1", NULL, &scope, &port));
  CHECK_EQ(BAD, RtlIpv6StringToAddressExA("::1", &a6, NULL, &port));
  CHECK_EQ(BAD, RtlIpv6StringToAddressExA("::1", &a6, &scope, NULL));
  CHECK_EQ(BAD, RtlIpv6StringToAddressExW(NULL, &a6, &scope, &port));
  CHECK_EQ(BAD, RtlIpv4AddressToStringExA(NULL, 0, text, &len));
  CHECK_EQ(BAD, RtlIpv4AddressToStringExA(&a4, 0, text, NULL));
  CHECK_EQ(BAD, RtlIpv4AddressToStringExW(NULL, 0, wide, &len));
  CHECK_EQ(BAD, RtlIpv6AddressToStringExA(NULL, 0, 0, text, &len));
  CHECK_EQ(BAD, RtlIpv6AddressToStringExA(&a6, 0, 0, text, NULL));
  CHECK_EQ(BAD, RtlIpv6AddressToStringExW(NULL, 0, 0, wide, &len));
  /* No buffer: refused, and the needed length is reported. */
  len = 64;
  CHECK_EQ(BAD, RtlIpv4AddressToStringExA(&a4, 0, NULL, &len));
  CHECK_EQ(8, len); /* "0.0.0.0" */
  len = 64;
  CHECK_EQ(BAD, RtlIpv6AddressToStringExW(&a6, 0, 0, NULL, &len));
  CHECK_EQ(3, len); /* "::" */
  return 0;
}

/* ------------------------------------------------------------- round trips ------ */

static ULONG g_seed = 0x2545F491u;

static ULONG NextRandom(void) {
  g_seed = g_seed * 1103515245u + 12345u;
  return (g_seed >> 8) ^ (g_seed << 20);
}

/* Random groups, half of them zero, so every run length and position occurs; a quarter
 * of the addresses get an IPv4-mapped / compatible / ISATAP shape. */
static void RandomV6(IN6_ADDR* a) {
  USHORT g[8];
  int i;
  for (i = 0; i < 8; ++i) g[i] = (NextRandom() & 1) ? 0 : (USHORT)NextRandom();
  switch (NextRandom() % 8) {
    case 0:
      g[0] = g[1] = g[2] = g[3] = g[4] = 0, g[5] = 0xffff;
      break;
    case 1:
      g[0] = g[1] = g[2] = g[3] = g[4] = g[5] = 0;
      break;
    case 2:
      g[4] = (NextRandom() & 1) ? 0x200 : 0, g[5] = 0x5efe;
      break;
    default:
      break;
  }
  GroupsToAddress(g, a);
}

int km_rt_ip_strings_round_trip(void) {
  int n;
  for (n = 0; n < 4000; ++n) {
    IN6_ADDR a6, b6, w6;
    IN_ADDR a4, b4;
    CHAR text[80];
    WCHAR wide[80];
    PCSTR end = NULL;
    PCWSTR wend = NULL;
    ULONG len, wlen, scope, back_scope, wscope;
    USHORT port, back_port, wport;
    PSTR stop;

    RandomV6(&a6);
    stop = RtlIpv6AddressToStringA(&a6, text);
    CHECK(stop - text < 46);
    RtlIpv6AddressToStringW(&a6, wide);
    CHECK(SameText(wide, text));
    CHECK_EQ(OK, RtlIpv6StringToAddressA(text, &end, &b6));
    CHECK(end == stop);
    CHECK_EQ(16, RtlCompareMemory(&a6, &b6, 16));
    CHECK_EQ(OK, RtlIpv6StringToAddressW(wide, &wend, &w6));
    CHECK(*wend == 0);
    CHECK_EQ(16, RtlCompareMemory(&a6, &w6, 16));

    scope = (NextRandom() % 3 == 0) ? 0 : NextRandom();
    port = (NextRandom() % 3 == 0) ? 0 : (USHORT)NextRandom();
    len = RTL_NUMBER_OF(text);
    wlen = RTL_NUMBER_OF(wide);
    CHECK_EQ(OK, RtlIpv6AddressToStringExA(&a6, scope, port, text, &len));
    CHECK_EQ(OK, RtlIpv6AddressToStringExW(&a6, scope, port, wide, &wlen));
    CHECK_EQ(strlen(text) + 1, len);
    CHECK_EQ(len, wlen);
    CHECK(SameText(wide, text));
    CHECK_EQ(OK, RtlIpv6StringToAddressExA(text, &b6, &back_scope, &back_port));
    CHECK_EQ(16, RtlCompareMemory(&a6, &b6, 16));
    CHECK_EQ(scope, back_scope);
    CHECK_EQ(port, back_port);
    CHECK_EQ(OK, RtlIpv6StringToAddressExW(wide, &w6, &wscope, &wport));
    CHECK_EQ(16, RtlCompareMemory(&a6, &w6, 16));
    CHECK_EQ(scope, wscope);
    CHECK_EQ(port, wport);

    a4.s_addr = NextRandom() ^ (NextRandom() << 16);
    port = (NextRandom() % 3 == 0) ? 0 : (USHORT)NextRandom();
    stop = RtlIpv4AddressToStringA(&a4, text);
    CHECK(stop - text < 16);
    CHECK_EQ(OK, RtlIpv4StringToAddressA(text, TRUE, &end, &b4));
    CHECK(end == stop);
    CHECK_EQ(a4.s_addr, b4.s_addr);
    len = RTL_NUMBER_OF(wide);
    CHECK_EQ(OK, RtlIpv4AddressToStringExW(&a4, port, wide, &len));
    CHECK_EQ(OK, RtlIpv4StringToAddressExW(wide, TRUE, &b4, &back_port));
    CHECK_EQ(a4.s_addr, b4.s_addr);
    CHECK_EQ(port, back_port);
  }
  return 0;
}
