// SPDX-License-Identifier: MIT
// Helpers of the kernel-style WSK checks: an IRP whose completion routine counts and
// returns STATUS_MORE_PROCESSING_REQUIRED (the client owns the IRP again), an MDL over
// caller memory, bounded polling waits. Every wait is bounded (5 s); a check that fails
// prints where and counts into the file's `failures`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>

// clang-format off
#include <ntddk.h>
#include <wsk.h>
#include <mstcpip.h>
// clang-format on

#define CHECK(c)                                              \
  do {                                                        \
    if (!(c)) {                                               \
      std::printf("FAIL %s:%d %s\n", __FILE__, __LINE__, #c); \
      ++failures;                                             \
    }                                                         \
  } while (0)

namespace wsk_check {

inline void sleep_ms(int n) { std::this_thread::sleep_for(std::chrono::milliseconds(n)); }

/// An IRP from IoAllocateIrp with a counting completion routine.
struct Op {
  PIRP irp;
  std::atomic<int> done{0};
  Op() {
    irp = IoAllocateIrp(1, FALSE);
    reset();
  }
  ~Op() { IoFreeIrp(irp); }
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;
  static NTSTATUS Routine(PDEVICE_OBJECT, PIRP, PVOID ctx) {
    static_cast<Op*>(ctx)->done.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
  }
  /// Ready for the next call (IoReuseIrp after a completion).
  PIRP reset() {
    if (done.load() != 0) IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    done = 0;
    IoSetCompletionRoutine(irp, &Op::Routine, this, TRUE, TRUE, TRUE);
    return irp;
  }
  /// True once the routine ran exactly once (bounded wait).
  bool wait(int ms = 5000) {
    for (int i = 0; i < ms && done.load() == 0; ++i) sleep_ms(1);
    return done.load() == 1;
  }
  NTSTATUS st() const { return irp->IoStatus.Status; }
  ULONG_PTR info() const { return irp->IoStatus.Information; }
};

/// An MDL describing caller memory (IoAllocateMdl's job, done in caller storage).
struct Mdl {
  MDL* m;
  Mdl(void* p, ULONG n) {
    m = static_cast<MDL*>(::operator new(sizeof(MDL) + 64));
    MmInitializeMdl(m, p, n);
  }
  ~Mdl() { ::operator delete(m); }
  Mdl(const Mdl&) = delete;
  Mdl& operator=(const Mdl&) = delete;
};

inline bool wait_for(std::atomic<int>& c, int n) {
  for (int i = 0; i < 5000 && c.load() < n; ++i) sleep_ms(1);
  return c.load() >= n;
}

}  // namespace wsk_check
