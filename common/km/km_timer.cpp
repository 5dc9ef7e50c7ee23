// SPDX-License-Identifier: MIT
// Kernel timers (KTIMER) and deferred procedure calls (KDPC).
//
// One lock guards the timer queue (armed timers by due time, in interrupt time), the
// DPC queue and the runtime-owned fields of KTIMER and KDPC. Two runtime threads serve
// them: the timer thread sleeps until the earliest due time, then signals the timer
// (through the dispatcher, so waits on it behave like waits on a KEVENT), re-arms a
// periodic one and queues its DPC; the DPC thread runs queued DPCs one at a time, in
// queueing order, outside the lock. One DPC thread means a DPC routine never runs
// concurrently with itself (Windows can run one DPC object on two processors at once;
// nothing here does). The timer thread runs no driver code, so a slow DPC delays other
// DPCs but never the signalling of a timer that a thread waits on.
//
// Lock order: this lock, then the dispatcher's (dispatcher_signal/reset take it); never
// the reverse (waits hold the dispatcher lock only inside km_dispatcher.cpp).
//
// Shutdown: both threads start on first use and are detached; they never end, so
// MinGW's detach-of-an-ending-thread hazard (see km_thread.cpp) cannot arise, and their
// state is heap memory never freed, so a process exit that stops them mid-wait finds
// nothing destroyed. An atexit handler tells them to stop serving and waits (briefly,
// bounded) for a DPC routine that is running, so no DPC starts while static destructors
// run; a driver still has to cancel its timers and flush its DPCs in DriverUnload.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/km/km_dispatcher.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

using Clock = std::chrono::steady_clock;

// KDPC.Type values (KOBJECTS numbering of Windows 10).
constexpr UCHAR kDpcType = 0x13;
constexpr UCHAR kThreadedDpcType = 0x1a;
// The timer thread re-checks at least this often (100 ns units: one hour), so a far
// due time never overflows the steady clock's time_point.
constexpr ULONGLONG kLongestSleep = 36000000000ULL;

struct FlushBarrier {
  bool passed = false;
};

// A DPC, or a KeFlushQueuedDpcs barrier (dpc == nullptr).
struct QueueEntry {
  PKDPC dpc;
  FlushBarrier* barrier;
};

struct Deferred {
  std::mutex lock;
  std::condition_variable timer_wake;  // the earliest due time changed, or exiting
  std::condition_variable dpc_wake;    // an entry was queued, or exiting
  std::condition_variable progress;    // a barrier passed or a DPC returned
  std::set<std::pair<ULONGLONG, PKTIMER>> due;
  std::unordered_map<PKTIMER, ULONGLONG> armed;
  std::deque<QueueEntry> dpcs;
  const void* running = nullptr;  // the DPC being run; compared, never dereferenced
  bool timer_thread = false;
  bool dpc_thread = false;
  bool exiting = false;
};

Deferred& deferred() noexcept {
  static Deferred* d = new Deferred;  // never destroyed: its threads outlive main
  return *d;
}

thread_local bool g_on_dpc_thread = false;

ULONGLONG interrupt_now() noexcept { return KeQueryInterruptTime(); }

// The expiry, in interrupt time, of a kernel due time: < 0 relative, > 0 absolute system
// time, 0 now (100 ns units).
ULONGLONG due_of(LONGLONG due_time, ULONGLONG now) noexcept {
  if (due_time < 0) {
    // -(due_time + 1) + 1: the magnitude, without overflow for the most negative value.
    return now + static_cast<ULONGLONG>(-(due_time + 1)) + 1;
  }
  if (due_time == 0) return now;
  const LONGLONG left = due_time - system_time_now();
  return left <= 0 ? now : now + static_cast<ULONGLONG>(left);
}

void stop_at_exit() noexcept;

void start_thread(bool& started, void (*body)() noexcept, const char* what) noexcept {
  if (started) return;
  static const bool registered = std::atexit(stop_at_exit) == 0;
  (void)registered;
  try {
    std::thread(body).detach();
  } catch (...) {
    fatal("cannot start the runtime's %s thread\n", what);
  }
  started = true;
}

void timer_main() noexcept;
void dpc_main() noexcept;

// Queues @p dpc (lock held). False if it is queued already.
bool queue_dpc(Deferred& d, PKDPC dpc, PVOID arg1, PVOID arg2) noexcept {
  if (dpc->DpcData != nullptr) return false;
  try {
    d.dpcs.push_back(QueueEntry{dpc, nullptr});
  } catch (...) {
    fatal("KeInsertQueueDpc: out of memory\n");
  }
  dpc->SystemArgument1 = arg1;
  dpc->SystemArgument2 = arg2;
  dpc->DpcData = &d;
  start_thread(d.dpc_thread, dpc_main, "DPC");
  d.dpc_wake.notify_one();
  return true;
}

void arm(Deferred& d, PKTIMER timer, ULONGLONG due) noexcept {
  try {
    d.armed.emplace(timer, due);
    const auto at = d.due.emplace(due, timer).first;
    if (at == d.due.begin()) d.timer_wake.notify_one();
  } catch (...) {
    fatal("KeSetTimer: out of memory\n");
  }
  timer->DueTime.QuadPart = due;
  start_thread(d.timer_thread, timer_main, "timer");
}

// Takes @p timer out of the queue (lock held); true if it was in it.
bool disarm(Deferred& d, PKTIMER timer) noexcept {
  const auto it = d.armed.find(timer);
  if (it == d.armed.end()) return false;
  d.due.erase(std::make_pair(it->second, timer));
  d.armed.erase(it);
  return true;
}

// An expiry (lock held, timer already out of the queue): signal, re-arm a periodic
// timer, queue the DPC with the expiry time as Windows passes it.
void expire(Deferred& d, PKTIMER timer, ULONGLONG due, ULONGLONG now) noexcept {
  dispatcher_signal(timer->Header);
  const PKDPC dpc = timer->Dpc;
  if (timer->Period != 0) {
    const ULONGLONG period = static_cast<ULONGLONG>(timer->Period) * 10000;
    // Due-time based, so the period does not drift; after a stall (a suspended
    // process) the next expiry is a period from now, not a burst of missed ones.
    ULONGLONG next = due + period;
    if (next <= now) next = now + period;
    arm(d, timer, next);
  }
  if (dpc != nullptr) {
    (void)queue_dpc(d, dpc, reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(due & 0xFFFFFFFFULL)),
                    reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(due >> 32)));
  }
}

void timer_main() noexcept {
  Deferred& d = deferred();
  std::unique_lock<std::mutex> guard(d.lock);
  for (;;) {
    if (d.exiting || d.due.empty()) {
      d.timer_wake.wait(guard);
      continue;
    }
    const auto [due, timer] = *d.due.begin();
    const ULONGLONG now = interrupt_now();
    if (due > now) {
      const ULONGLONG sleep = due - now < kLongestSleep ? due - now : kLongestSleep;
      d.timer_wake.wait_for(guard, std::chrono::nanoseconds(sleep * 100));
      continue;
    }
    d.due.erase(d.due.begin());
    d.armed.erase(timer);
    expire(d, timer, due, now);
  }
}

void dpc_main() noexcept {
  g_on_dpc_thread = true;
  Deferred& d = deferred();
  std::unique_lock<std::mutex> guard(d.lock);
  for (;;) {
    d.dpc_wake.wait(guard, [&] { return !d.exiting && !d.dpcs.empty(); });
    const QueueEntry entry = d.dpcs.front();
    d.dpcs.pop_front();
    if (entry.barrier != nullptr) {
      entry.barrier->passed = true;
      d.progress.notify_all();
      continue;
    }
    const PKDPC dpc = entry.dpc;
    // Copied under the lock: from the call on, the routine owns the KDPC (it may queue
    // it again, or free it).
    const PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
    const PVOID context = dpc->DeferredContext;
    const PVOID arg1 = dpc->SystemArgument1;
    const PVOID arg2 = dpc->SystemArgument2;
    const KIRQL irql = dpc->Type == kThreadedDpcType ? PASSIVE_LEVEL : DISPATCH_LEVEL;
    dpc->DpcData = nullptr;
    d.running = dpc;
    guard.unlock();
    current_irql() = irql;
    if (routine != nullptr) routine(dpc, context, arg1, arg2);
    if (current_irql() != irql) {
      report("DPC routine %p returned at IRQL %u, not %u (IRQL_NOT_LESS_OR_EQUAL)\n",
             reinterpret_cast<void*>(routine), current_irql(), irql);
    }
    current_irql() = PASSIVE_LEVEL;
    guard.lock();
    d.running = nullptr;
    d.progress.notify_all();
  }
}

std::atomic<bool> g_stopped{false};

void stop_at_exit() noexcept {
  // Once only. In the shared runtime (a DLL on Windows) the atexit handler runs at
  // DLL_PROCESS_DETACH, after ExitProcess has ended the timer and DPC threads, possibly
  // inside the condition variables below: touching them then can hang the exit (seen
  // under Wine). The driver host therefore stops the threads itself before it returns
  // (stop_timers_at_exit), and the handler's later call does nothing.
  if (g_stopped.exchange(true)) return;
  Deferred& d = deferred();
  std::unique_lock<std::mutex> guard(d.lock);
  d.exiting = true;
  d.timer_wake.notify_all();
  d.dpc_wake.notify_all();
  d.progress.notify_all();
  // A DPC routine that blocks (a driver bug) must not hold the exit forever.
  if (!g_on_dpc_thread) {
    (void)d.progress.wait_for(guard, std::chrono::seconds(2), [&] { return d.running == nullptr; });
  }
}

const char kFlushFromDpcKey = 0;

}  // namespace

void stop_timers_at_exit() noexcept { stop_at_exit(); }

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext) {
  Dpc->TargetInfoAsUlong = 0;
  Dpc->Type = kDpcType;
  Dpc->Importance = MediumImportance;
  Dpc->Number = 0;
  Dpc->DpcListEntry.Next = nullptr;
  Dpc->ProcessorHistory = 0;
  Dpc->DeferredRoutine = DeferredRoutine;
  Dpc->DeferredContext = DeferredContext;
  Dpc->SystemArgument1 = nullptr;
  Dpc->SystemArgument2 = nullptr;
  Dpc->DpcData = nullptr;
}

VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
                             PVOID DeferredContext) {
  KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
  Dpc->Type = kThreadedDpcType;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2) {
  Deferred& d = deferred();
  std::lock_guard<std::mutex> guard(d.lock);
  if (d.exiting) return FALSE;
  return queue_dpc(d, Dpc, SystemArgument1, SystemArgument2) ? TRUE : FALSE;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc) {
  Deferred& d = deferred();
  std::lock_guard<std::mutex> guard(d.lock);
  if (Dpc->DpcData == nullptr) return FALSE;
  for (auto it = d.dpcs.begin(); it != d.dpcs.end(); ++it) {
    if (it->dpc == Dpc) {
      d.dpcs.erase(it);
      break;
    }
  }
  Dpc->DpcData = nullptr;
  return TRUE;
}

VOID KeFlushQueuedDpcs(VOID) {
  if (g_on_dpc_thread) {
    if (first_time(&kFlushFromDpcKey)) {
      report("KeFlushQueuedDpcs from a DPC routine (it would wait for itself); ignored\n");
    }
    return;
  }
  Deferred& d = deferred();
  std::unique_lock<std::mutex> guard(d.lock);
  if (!d.dpc_thread || d.exiting) return;
  FlushBarrier barrier;
  try {
    d.dpcs.push_back(QueueEntry{nullptr, &barrier});
  } catch (...) {
    fatal("KeFlushQueuedDpcs: out of memory\n");
  }
  d.dpc_wake.notify_one();
  d.progress.wait(guard, [&] { return barrier.passed || d.exiting; });
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance) {
  Dpc->Importance = static_cast<UCHAR>(Importance);
}

VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number) {
  Dpc->Number = static_cast<USHORT>(static_cast<UCHAR>(Number));
}

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type) {
  {
    Deferred& d = deferred();
    std::lock_guard<std::mutex> guard(d.lock);
    if (d.armed.count(Timer) != 0) {
      report("KeInitializeTimer(%p): the timer is set; cancelled first\n",
             static_cast<void*>(Timer));
      (void)disarm(d, Timer);
    }
  }
  dispatcher_initialize(
      Timer->Header,
      Type == SynchronizationTimer ? TimerSynchronizationObject : TimerNotificationObject, 0);
  Timer->DueTime.QuadPart = 0;
  InitializeListHead(&Timer->TimerListEntry);
  Timer->Dpc = nullptr;
  Timer->Processor = 0;
  Timer->Period = 0;
}

VOID KeInitializeTimer(PKTIMER Timer) { KeInitializeTimerEx(Timer, NotificationTimer); }

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc) {
  if (Period < 0) {
    report("KeSetTimerEx(%p): negative period %ld taken as 0\n", static_cast<void*>(Timer),
           static_cast<long>(Period));
    Period = 0;
  }
  Deferred& d = deferred();
  std::lock_guard<std::mutex> guard(d.lock);
  const bool was_set = disarm(d, Timer);
  dispatcher_reset(Timer->Header);
  Timer->Dpc = Dpc;
  Timer->Period = static_cast<ULONG>(Period);
  const ULONGLONG now = interrupt_now();
  const ULONGLONG due = due_of(DueTime.QuadPart, now);
  if (due <= now) {
    // Already due: it expires inside the call, as in Windows.
    Timer->DueTime.QuadPart = now;
    if (!d.exiting) expire(d, Timer, now, now);
  } else {
    arm(d, Timer, due);
  }
  return was_set ? TRUE : FALSE;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc) {
  return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period,
                              ULONG TolerableDelay, PKDPC Dpc) {
  UNREFERENCED_PARAMETER(TolerableDelay);
  return KeSetTimerEx(Timer, DueTime,
                      Period > static_cast<ULONG>(MAXLONG) ? MAXLONG : static_cast<LONG>(Period),
                      Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer) {
  Deferred& d = deferred();
  std::lock_guard<std::mutex> guard(d.lock);
  return disarm(d, Timer) ? TRUE : FALSE;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer) {
  return dispatcher_signalled(Timer->Header) ? TRUE : FALSE;
}

}  // extern "C"

namespace wskport::km::detail {

std::size_t timers_and_dpcs_in(std::uintptr_t begin, std::uintptr_t end) noexcept {
  const auto inside = [begin, end](const void* p) {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    return a >= begin && a < end;
  };
  // A DPC counts by its object or its routine: either would be touched after unmapping.
  const auto dpc_inside = [&](PKDPC dpc) {
    return dpc != nullptr &&
           (inside(dpc) || inside(reinterpret_cast<const void*>(dpc->DeferredRoutine)));
  };
  Deferred& d = deferred();
  std::lock_guard<std::mutex> guard(d.lock);
  std::size_t n = inside(d.running) ? 1 : 0;
  for (const auto& armed : d.armed) {
    if (inside(armed.first) || dpc_inside(armed.first->Dpc)) ++n;
  }
  for (const QueueEntry& e : d.dpcs) {
    if (dpc_inside(e.dpc)) ++n;
  }
  return n;
}

}  // namespace wskport::km::detail

extern "C" {

VOID WskportTimersOutstanding(PULONG TimersSet, PULONG DpcsPending) {
  Deferred& d = deferred();
  std::lock_guard<std::mutex> guard(d.lock);
  if (TimersSet != nullptr) *TimersSet = static_cast<ULONG>(d.armed.size());
  if (DpcsPending != nullptr) {
    ULONG pending = d.running != nullptr ? 1 : 0;
    for (const QueueEntry& e : d.dpcs) pending += e.dpc != nullptr ? 1 : 0;
    *DpcsPending = pending;
  }
}

}  // extern "C"
