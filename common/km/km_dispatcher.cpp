// SPDX-License-Identifier: MIT
// Dispatcher objects and waits: KEVENT (notification and synchronization), KSEMAPHORE,
// KMUTEX, thread objects and KTIMER (km_timer.cpp sets and signals those), with
// KeWaitForSingleObject / KeWaitForMultipleObjects.
//
// One process-wide lock guards every object's state and wait list, as the kernel's
// dispatcher lock did. A waiting thread links one wait block per object into the
// object's WaitListHead and sleeps on its own condition variable; whoever signals an
// object wakes the threads linked to it, and each re-checks under the lock (so an
// auto-reset event satisfies exactly one of them). Timeouts use the steady clock.
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/km/km_dispatcher.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

using Clock = std::chrono::steady_clock;

std::mutex& dispatcher_lock() noexcept {
  static std::mutex lock;
  return lock;
}

// A waiting thread's wake-up channel. It lives on the waiter's stack for one wait, not
// in thread-local storage: a thread-local condition variable is destroyed at thread
// exit, and under MinGW (winpthreads) that destruction can deadlock with a process exit
// running at the same time.
struct Waiter {
  std::condition_variable cv;
};

struct WaitBlock {
  LIST_ENTRY link;
  Waiter* waiter;
};

// Objects that kernel code zero-filled instead of initialising still get a usable list.
void ensure_list(DISPATCHER_HEADER& h) noexcept {
  if (h.WaitListHead.Flink == nullptr) InitializeListHead(&h.WaitListHead);
}

void wake_waiters(DISPATCHER_HEADER& h) noexcept {
  ensure_list(h);
  for (PLIST_ENTRY e = h.WaitListHead.Flink; e != &h.WaitListHead; e = e->Flink) {
    CONTAINING_RECORD(e, WaitBlock, link)->waiter->cv.notify_one();
  }
}

bool signalled(const DISPATCHER_HEADER& h, PKTHREAD self) noexcept {
  if (h.Type == MutantObject) {
    return h.SignalState > 0 || reinterpret_cast<const KMUTANT&>(h).OwnerThread == self;
  }
  return h.SignalState > 0;
}

// What a satisfied wait does to the object.
void consume(DISPATCHER_HEADER& h, PKTHREAD self) noexcept {
  switch (h.Type) {
    case EventSynchronizationObject:
    case TimerSynchronizationObject:
      h.SignalState = 0;
      break;
    case SemaphoreObject:
      --h.SignalState;
      break;
    case MutantObject:
      --h.SignalState;
      reinterpret_cast<KMUTANT&>(h).OwnerThread = self;
      break;
    default:
      break;  // notification events and threads stay signalled
  }
}

// The deadline of a kernel timeout: NULL forever, 0 poll, < 0 relative, > 0 absolute
// system time (100 ns units).
struct Deadline {
  bool forever = true;
  Clock::time_point at{};
};

Deadline deadline_of(const LARGE_INTEGER* timeout) noexcept {
  Deadline d;
  if (timeout == nullptr) return d;
  d.forever = false;
  const auto now = Clock::now();
  const LONGLONG t = timeout->QuadPart;
  if (t < 0) {
    d.at = now + std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(-t) * 100);
  } else if (t == 0) {
    d.at = now;
  } else {
    const LONGLONG remaining = t - system_time_now();
    d.at = remaining <= 0 ? now
                          : now + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::nanoseconds(remaining) * 100);
  }
  return d;
}

const char kWaitAtDispatchKey = 0;

NTSTATUS wait(ULONG count, PVOID objects[], WAIT_TYPE type, const LARGE_INTEGER* timeout) noexcept {
  if (count == 0 || count > MAXIMUM_WAIT_OBJECTS || objects == nullptr) {
    return STATUS_INVALID_PARAMETER;
  }
  const Deadline deadline = deadline_of(timeout);
  if (current_irql() >= DISPATCH_LEVEL && (timeout == nullptr || timeout->QuadPart != 0) &&
      first_time(&kWaitAtDispatchKey)) {
    // The kernel bug-checks (IRQL_NOT_LESS_OR_EQUAL): a wait at DISPATCH_LEVEL, e.g.
    // under a spin lock, would deadlock there. Reported once; the wait proceeds.
    report("KeWaitFor...Object with a nonzero timeout at IRQL %u (>= DISPATCH_LEVEL)\n",
           current_irql());
  }
  // The thread's object is only needed to own a mutex: a wait on events or threads does
  // not give the calling thread (an Asio thread, say) an object of its own.
  PKTHREAD self = nullptr;
  for (ULONG i = 0; i < count && self == nullptr; ++i) {
    if (static_cast<DISPATCHER_HEADER*>(objects[i])->Type == MutantObject)
      self = KeGetCurrentThread();
  }
  Waiter waiter;
  WaitBlock blocks[MAXIMUM_WAIT_OBJECTS];
  bool linked = false;
  NTSTATUS result = STATUS_TIMEOUT;
  std::unique_lock<std::mutex> guard(dispatcher_lock());
  for (;;) {
    bool done = false;
    if (type == WaitAny) {
      for (ULONG i = 0; i < count && !done; ++i) {
        auto& h = *static_cast<DISPATCHER_HEADER*>(objects[i]);
        if (signalled(h, self)) {
          consume(h, self);
          result = STATUS_WAIT_0 + static_cast<NTSTATUS>(i);
          done = true;
        }
      }
    } else {
      bool all = true;
      for (ULONG i = 0; i < count && all; ++i) {
        all = signalled(*static_cast<DISPATCHER_HEADER*>(objects[i]), self);
      }
      if (all) {
        for (ULONG i = 0; i < count; ++i)
          consume(*static_cast<DISPATCHER_HEADER*>(objects[i]), self);
        result = STATUS_SUCCESS;
        done = true;
      }
    }
    if (done) break;
    if (!deadline.forever && Clock::now() >= deadline.at) {
      result = STATUS_TIMEOUT;
      break;
    }
    if (!linked) {
      for (ULONG i = 0; i < count; ++i) {
        auto& h = *static_cast<DISPATCHER_HEADER*>(objects[i]);
        ensure_list(h);
        blocks[i].waiter = &waiter;
        InsertTailList(&h.WaitListHead, &blocks[i].link);
      }
      linked = true;
    }
    if (deadline.forever) {
      waiter.cv.wait(guard);
    } else {
      waiter.cv.wait_until(guard, deadline.at);
    }
  }
  if (linked) {
    for (ULONG i = 0; i < count; ++i) RemoveEntryList(&blocks[i].link);
  }
  return result;
}

}  // namespace

void dispatcher_initialize(DISPATCHER_HEADER& h, UCHAR type, LONG state) noexcept {
  h.Type = type;
  h.Signalling = 0;
  h.Size = 0;
  h.Reserved1 = 0;
  h.SignalState = state;
  InitializeListHead(&h.WaitListHead);
}

void dispatcher_signal(DISPATCHER_HEADER& h) noexcept {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  h.SignalState = 1;
  wake_waiters(h);
}

void dispatcher_reset(DISPATCHER_HEADER& h) noexcept {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  h.SignalState = 0;
}

bool dispatcher_signalled(DISPATCHER_HEADER& h) noexcept {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  return h.SignalState > 0;
}

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State) {
  dispatcher_initialize(
      Event->Header,
      Type == NotificationEvent ? EventNotificationObject : EventSynchronizationObject,
      State ? 1 : 0);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait) {
  UNREFERENCED_PARAMETER(Increment);
  UNREFERENCED_PARAMETER(Wait);
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  const LONG previous = Event->Header.SignalState;
  Event->Header.SignalState = 1;
  wake_waiters(Event->Header);
  return previous;
}

LONG KeResetEvent(PRKEVENT Event) {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  const LONG previous = Event->Header.SignalState;
  Event->Header.SignalState = 0;
  return previous;
}

VOID KeClearEvent(PRKEVENT Event) { (void)KeResetEvent(Event); }

LONG KeReadStateEvent(PRKEVENT Event) {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  return Event->Header.SignalState;
}

VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit) {
  dispatcher_initialize(Semaphore->Header, SemaphoreObject, Count);
  Semaphore->Limit = Limit;
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment,
                        BOOLEAN Wait) {
  UNREFERENCED_PARAMETER(Increment);
  UNREFERENCED_PARAMETER(Wait);
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  const LONG previous = Semaphore->Header.SignalState;
  if (Adjustment <= 0 || previous > Semaphore->Limit - Adjustment) {
    report(
        "KeReleaseSemaphore(%p, %ld): count %ld would pass the limit %ld "
        "(STATUS_SEMAPHORE_LIMIT_EXCEEDED); unchanged\n",
        static_cast<void*>(Semaphore), static_cast<long>(Adjustment), static_cast<long>(previous),
        static_cast<long>(Semaphore->Limit));
    return previous;
  }
  Semaphore->Header.SignalState = previous + Adjustment;
  wake_waiters(Semaphore->Header);
  return previous;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore) {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  return Semaphore->Header.SignalState;
}

VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level) {
  UNREFERENCED_PARAMETER(Level);
  dispatcher_initialize(Mutex->Header, MutantObject, 1);
  InitializeListHead(&Mutex->MutantListEntry);
  Mutex->OwnerThread = nullptr;
  Mutex->Abandoned = FALSE;
  Mutex->ApcDisable = 1;
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait) {
  UNREFERENCED_PARAMETER(Wait);
  PKTHREAD self = KeGetCurrentThread();
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  const LONG previous = Mutex->Header.SignalState;
  if (Mutex->OwnerThread != self || previous > 0) {
    report("KeReleaseMutex(%p) by a thread that does not own it (MUTANT_NOT_OWNED); ignored\n",
           static_cast<void*>(Mutex));
    return previous;
  }
  if (++Mutex->Header.SignalState == 1) {
    Mutex->OwnerThread = nullptr;
    wake_waiters(Mutex->Header);
  }
  return previous;
}

LONG KeReadStateMutex(PRKMUTEX Mutex) {
  std::lock_guard<std::mutex> guard(dispatcher_lock());
  return Mutex->Header.SignalState;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
  UNREFERENCED_PARAMETER(WaitReason);
  UNREFERENCED_PARAMETER(WaitMode);
  UNREFERENCED_PARAMETER(Alertable);
  PVOID objects[1] = {Object};
  const NTSTATUS st = wait(1, objects, WaitAny, Timeout);
  if (st == STATUS_WAIT_0 && static_cast<DISPATCHER_HEADER*>(Object)->Type == ThreadObject) {
    reap_system_threads();  // the thread it waited for is joinable now
  }
  return st;
}

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                  KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                  BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray) {
  UNREFERENCED_PARAMETER(WaitReason);
  UNREFERENCED_PARAMETER(WaitMode);
  UNREFERENCED_PARAMETER(Alertable);
  UNREFERENCED_PARAMETER(WaitBlockArray);
  if (WaitType != WaitAll && WaitType != WaitAny) return STATUS_INVALID_PARAMETER;
  const NTSTATUS st = wait(Count, Object, WaitType, Timeout);
  if (NT_SUCCESS(st) && st != STATUS_TIMEOUT) {
    for (ULONG i = 0; i < Count; ++i) {
      if (static_cast<DISPATCHER_HEADER*>(Object[i])->Type == ThreadObject) {
        reap_system_threads();  // the threads it waited for are joinable now
        break;
      }
    }
  }
  return st;
}

}  // extern "C"
