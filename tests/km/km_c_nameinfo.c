/* SPDX-License-Identifier: MIT */
/**
 * @file km_c_nameinfo.c
 * @brief The C driver's WskGetNameInfo family: names from the host's resolver, the
 * numeric forms, the flags, and the argument errors.
 *
 * What a name lookup answers depends on the host's files, so KtNameInfoNames asserts
 * only what holds everywhere, and KtNameInfoHostsFile asserts exact names when the
 * harness runs it with hosts, services and host name of its own
 * (tests/km/private_names.sh sets KM_TEST_QUIRK_PRIVATE_NAMES).
 */
#include "km_c_support.h"

/* The caller's strings, with room for the longest names (NI_MAXHOST, NI_MAXSERV). */
typedef struct _KT_NAMES {
  UNICODE_STRING Node;
  UNICODE_STRING Service;
  WCHAR NodeBuffer[NI_MAXHOST];
  WCHAR ServiceBuffer[NI_MAXSERV];
} KT_NAMES;

static void KtNamesReset(KT_NAMES* n) {
  n->Node.Buffer = n->NodeBuffer;
  n->Node.Length = 0;
  n->Node.MaximumLength = sizeof(n->NodeBuffer);
  n->Service.Buffer = n->ServiceBuffer;
  n->Service.Length = 0;
  n->Service.MaximumLength = sizeof(n->ServiceBuffer);
}

/* WskGetNameInfo on r; *status receives IoStatus.Status. FALSE (failure recorded)
 * unless the IRP completed once with Information 0. */
static BOOLEAN KtNameOf(PKT_CASE c, int line, PKT_REQ r, const KT_ADDR* a, ULONG length,
                        PUNICODE_STRING node, PUNICODE_STRING service, ULONG flags,
                        NTSTATUS* status) {
  NTSTATUS st;
  KtArm(r);
  st = KtDriver.Npi.Dispatch->WskGetNameInfo(KtDriver.Npi.Client, (PSOCKADDR)&a->Sa, length, node,
                                             service, flags, NULL, NULL, r->Irp);
  if (!KtDone(c, line, r, st)) {
    return FALSE;
  }
  if (r->Irp->IoStatus.Information != 0) {
    KtFailEq(c, line, "WskGetNameInfo Information", (LONGLONG)r->Irp->IoStatus.Information, 0);
    return FALSE;
  }
  *status = r->Irp->IoStatus.Status;
  return TRUE;
}

#define KT_NAME_OF(c, r, a, len, node, service, flags, status) \
  KT_OK(c, KtNameOf((c), __LINE__, (r), (a), (len), (node), (service), (flags), (status)))

static BOOLEAN KtIs(PCUNICODE_STRING s, PCWSTR want) {
  UNICODE_STRING w;
  RtlInitUnicodeString(&w, want);
  /* The NUL after the name is part of the contract: the caller's buffer holds it. */
  return RtlEqualUnicodeString(s, &w, FALSE) && s->Length + sizeof(WCHAR) <= s->MaximumLength &&
         s->Buffer[s->Length / sizeof(WCHAR)] == L'\0';
}

/* Digits and dots only: an IPv4 address in text. */
static BOOLEAN KtLooksNumeric4(PCUNICODE_STRING s) {
  USHORT i;
  for (i = 0; i < s->Length / sizeof(WCHAR); ++i) {
    if ((s->Buffer[i] < L'0' || s->Buffer[i] > L'9') && s->Buffer[i] != L'.') {
      return FALSE;
    }
  }
  return TRUE;
}

static void KtV4(KT_ADDR* a, UCHAR b0, UCHAR b1, UCHAR b2, UCHAR b3, USHORT port) {
  KtLoopback(a, AF_INET, port);
  a->V4.sin_addr.s_addr = (ULONG)b0 | ((ULONG)b1 << 8) | ((ULONG)b2 << 16) | ((ULONG)b3 << 24);
}

int KtNameInfoNames(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  KT_NAMES* n = (KT_NAMES*)KtAlloc(sizeof(KT_NAMES));
  KT_ADDR v4, v6;
  NTSTATUS st;
  USHORT before;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL && n != NULL);
  KtLoopback(&v4, AF_INET, 80);
  KtLoopback(&v6, AF_INET6, 80);

  /* A name for 127.0.0.1: every hosts file names it (localhost), so not its number. */
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, &n->Service, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, n->Node.Length > 0 && !KtLooksNumeric4(&n->Node));
  KT_CHECK(&c, n->Service.Length > 0);
  /* ::1 has a name only where the hosts file gives one; the numeric form otherwise. */
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v6, sizeof(SOCKADDR_IN6), &n->Node, NULL, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, n->Node.Length > 0);

  /* NI_NUMERICHOST and NI_NUMERICSERV: the numbers, however the host names them. */
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, &n->Service,
             NI_NUMERICHOST | NI_NUMERICSERV, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"127.0.0.1"));
  KT_CHECK(&c, KtIs(&n->Service, L"80"));
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v6, sizeof(SOCKADDR_IN6), &n->Node, NULL, NI_NUMERICHOST, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"::1"));
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v6, sizeof(SOCKADDR_IN6), NULL, &n->Service, NI_NUMERICSERV, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Service, L"80"));
  /* NI_NUMERICHOST with a service name wanted goes through the resolver. */
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, &n->Service, NI_NUMERICHOST, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"127.0.0.1"));
  KT_CHECK(&c, n->Service.Length > 0);

  /* A string too short for the name and its NUL: STATUS_BUFFER_TOO_SMALL, and neither
   * string is written (numeric answers, and resolver answers). */
  KtNamesReset(n);
  n->Node.MaximumLength = 9 * sizeof(WCHAR); /* "127.0.0.1" without its NUL */
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, &n->Service,
             NI_NUMERICHOST | NI_NUMERICSERV, &st);
  KT_CHECK_STATUS(&c, st, STATUS_BUFFER_TOO_SMALL);
  KT_CHECK_EQ(&c, n->Node.Length, 0);
  KT_CHECK_EQ(&c, n->Service.Length, 0);
  KtNamesReset(n);
  n->Service.MaximumLength = 2 * sizeof(WCHAR); /* "80" without its NUL */
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, &n->Service,
             NI_NUMERICHOST | NI_NUMERICSERV, &st);
  KT_CHECK_STATUS(&c, st, STATUS_BUFFER_TOO_SMALL);
  KT_CHECK_EQ(&c, n->Node.Length, 0);
  KtNamesReset(n);
  n->Node.MaximumLength = sizeof(WCHAR); /* the NUL alone */
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, NULL, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_BUFFER_TOO_SMALL);
  KT_CHECK_EQ(&c, n->Node.Length, 0);

  /* Argument errors. */
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), NULL, NULL, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_PARAMETER);
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, NULL, 0x20, &st);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_PARAMETER);
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN) - 1, &n->Node, NULL, NI_NUMERICHOST, &st);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_PARAMETER);
  KT_NAME_OF(&c, r, &v6, sizeof(SOCKADDR_IN), &n->Node, NULL, NI_NUMERICHOST, &st);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_PARAMETER);
  before = v4.Sa.sa_family;
  v4.Sa.sa_family = 99;
  KT_NAME_OF(&c, r, &v4, sizeof(SOCKADDR_IN), &n->Node, NULL, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_INVALID_ADDRESS);
  v4.Sa.sa_family = before;
Exit:
  (void)KtCaseEnd(&c);
  if (n != NULL) {
    KtFree(n);
  }
  return c.Result;
}

/* Exact answers from the files tests/km/private_names.sh puts in place:
 *   127.0.0.1  wskport-v4.test wskport-v4     ::1  wskport-v6.test
 *   127.0.0.2  wskport-\u00fc.test (UTF-8 in the file)
 *   services   wskport-tcp 4242/tcp, wskport-udp 4242/udp
 *   host name  wskport-v4.test; resolver sources: files only (no DNS). */
int KtNameInfoHostsFile(char* msg, unsigned int cap) {
  KT_CASE c;
  PKT_REQ r;
  KT_NAMES* n = (KT_NAMES*)KtAlloc(sizeof(KT_NAMES));
  KT_ADDR a;
  NTSTATUS st;
  KtCaseBegin(&c, msg, cap);
  r = KtReq(&c);
  KT_CHECK(&c, r != NULL && n != NULL);
  if ((KtQuirks & KM_TEST_QUIRK_PRIVATE_NAMES) == 0) {
    KtSkip(&c, "needs the private hosts and services files (tests/km/private_names.sh)");
    goto Exit;
  }
  KtLoopback(&a, AF_INET, 4242);
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), &n->Node, &n->Service, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"wskport-v4.test"));
  KT_CHECK(&c, KtIs(&n->Service, L"wskport-tcp"));
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), &n->Node, &n->Service, NI_NOFQDN | NI_DGRAM, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"wskport-v4"));
  KT_CHECK(&c, KtIs(&n->Service, L"wskport-udp"));
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), &n->Node, &n->Service, NI_NAMEREQD | NI_NUMERICSERV,
             &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"wskport-v4.test"));
  KT_CHECK(&c, KtIs(&n->Service, L"4242"));
  /* A port with no service name: its digits. */
  KtLoopback(&a, AF_INET, 4243);
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), NULL, &n->Service, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Service, L"4243"));
  /* IPv6. */
  KtLoopback(&a, AF_INET6, 4242);
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN6), &n->Node, NULL, NI_NAMEREQD, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"wskport-v6.test"));
  /* A name beyond ASCII arrives in UTF-16 (under Wine, each byte of its UTF-8 as one
   * Latin-1 character: Wine's own conversion, passed on unchanged). */
  KtV4(&a, 127, 0, 0, 2, 4242);
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), &n->Node, NULL, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  if ((KtQuirks & KM_TEST_QUIRK_NAMES_THROUGH_ANSI) != 0) {
    KT_CHECK(&c, KtIs(&n->Node, L"wskport-\x00c3\x00bc.test"));
  } else {
    KT_CHECK(&c, KtIs(&n->Node, L"wskport-\x00fc.test"));
  }
  /* An address no file names (TEST-NET-1): its number, or with NI_NAMEREQD
   * STATUS_NOT_FOUND. */
  KtV4(&a, 192, 0, 2, 1, 4242);
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), &n->Node, NULL, 0, &st);
  KT_CHECK_STATUS(&c, st, STATUS_SUCCESS);
  KT_CHECK(&c, KtIs(&n->Node, L"192.0.2.1"));
  KtNamesReset(n);
  KT_NAME_OF(&c, r, &a, sizeof(SOCKADDR_IN), &n->Node, &n->Service, NI_NAMEREQD, &st);
  KT_CHECK_STATUS(&c, st, STATUS_NOT_FOUND);
  KT_CHECK_EQ(&c, n->Node.Length, 0);
Exit:
  (void)KtCaseEnd(&c);
  if (n != NULL) {
    KtFree(n);
  }
  return c.Result;
}
