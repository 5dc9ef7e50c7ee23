// SPDX-License-Identifier: MIT
// The routines that raise kernel exceptions. There is no structured exception handling
// in a process built by GCC or Clang (wskport_km_seh.h keeps only the control flow of
// __try/__except/__finally), so a raised status can never reach a handler: it is
// reported as the kernel reports an unhandled one, and the process stops.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <wdm.h>

VOID ExRaiseStatus(NTSTATUS Status) {
  const char* name = WskportNtStatusName(Status);
  std::fprintf(stderr,
               "*** ExRaiseStatus(%s%s0x%08lX): no __except handler can catch it here "
               "(wskport emulates SEH without exceptions); stopping, as an unhandled kernel "
               "exception (bug check 0x1E) would\n",
               name != nullptr ? name : "", name != nullptr ? " " : "",
               static_cast<unsigned long>(static_cast<ULONG>(Status)));
  std::fflush(stderr);
  std::abort();
}

namespace {

void probe(const volatile void* address, SIZE_T length, ULONG alignment) {
  if (length == 0) return;
  const auto start = reinterpret_cast<std::uintptr_t>(address);
  if (alignment != 0 && start % alignment != 0) ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
  if (start + length < start) ExRaiseStatus(STATUS_ACCESS_VIOLATION);
}

}  // namespace

VOID ProbeForRead(const volatile VOID* Address, SIZE_T Length, ULONG Alignment) {
  probe(Address, Length, Alignment);
}

VOID ProbeForWrite(volatile VOID* Address, SIZE_T Length, ULONG Alignment) {
  probe(Address, Length, Alignment);
}
