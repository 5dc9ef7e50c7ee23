/* SPDX-License-Identifier: MIT */
/* The test drivers take their options from the registry path, after the service name:
 * "\Registry\...\Services\echo_a;Family=4;Stop". */
#ifndef WSKPORT_TEST_DRIVER_OPTIONS_H
#define WSKPORT_TEST_DRIVER_OPTIONS_H

#include <ntddk.h>

/* TRUE when ";<option>" ends the path or is followed by ';'. */
static BOOLEAN HasOption(PCUNICODE_STRING path, const char* option) {
  USHORT n = (USHORT)(path->Length / sizeof(WCHAR)), i, j;
  for (i = 0; i < n; ++i) {
    if (path->Buffer[i] != L';') continue;
    for (j = 0; option[j] != '\0' && i + 1 + j < n; ++j) {
      if (path->Buffer[i + 1 + j] != (WCHAR)option[j]) break;
    }
    if (option[j] == '\0' && (i + 1 + j == n || path->Buffer[i + 1 + j] == L';')) return TRUE;
  }
  return FALSE;
}

#endif /* WSKPORT_TEST_DRIVER_OPTIONS_H */
