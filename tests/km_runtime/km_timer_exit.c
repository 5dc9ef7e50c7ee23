/* SPDX-License-Identifier: MIT */
/* Process exit with kernel timers still set and DPCs still running, as a driver that
 * forgot to cancel them would leave the runtime: the runtime's timer and DPC threads
 * must neither keep the process alive nor crash its exit.
 *   km_timer_exit          a 1 ms periodic timer whose DPC runs at the time of exit
 *   km_timer_exit stuck    a DPC that never returns (the exit waits for it, bounded) */
#include <ntddk.h>
#include <string.h>

static KTIMER g_timer;
static KDPC g_tick;
static KDPC g_stuck;
static LONG g_ticks;
static LONG g_stuck_entered;

static KDEFERRED_ROUTINE Tick;
static VOID Tick(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  volatile int spin;
  UNREFERENCED_PARAMETER(Dpc);
  UNREFERENCED_PARAMETER(Context);
  UNREFERENCED_PARAMETER(Arg1);
  UNREFERENCED_PARAMETER(Arg2);
  InterlockedIncrement(&g_ticks);
  for (spin = 0; spin < 100000; ++spin) {
  }
}

static KDEFERRED_ROUTINE Stuck;
static VOID Stuck(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
  UNREFERENCED_PARAMETER(Dpc);
  UNREFERENCED_PARAMETER(Context);
  UNREFERENCED_PARAMETER(Arg1);
  UNREFERENCED_PARAMETER(Arg2);
  InterlockedExchange(&g_stuck_entered, 1);
  for (;;) YieldProcessor(); /* a driver bug: a DPC that never returns */
}

int main(int argc, char** argv) {
  LARGE_INTEGER due, pause;
  ULONGLONG start = KeQueryInterruptTime();
  const int stuck = argc > 1 && strcmp(argv[1], "stuck") == 0;
  KeInitializeTimer(&g_timer);
  KeInitializeDpc(&g_tick, Tick, NULL);
  due.QuadPart = -10 * 1000; /* 1 ms, then every 1 ms */
  KeSetTimerEx(&g_timer, due, 1, &g_tick);
  if (stuck) {
    KeInitializeThreadedDpc(&g_stuck, Stuck, NULL);
    KeInsertQueueDpc(&g_stuck, NULL, NULL);
  }
  pause.QuadPart = -10 * 1000;
  /* Until the DPCs are under way (bounded: 10 s). */
  while ((InterlockedCompareExchange(&g_ticks, 0, 0) < 3 && !stuck) ||
         (stuck && InterlockedCompareExchange(&g_stuck_entered, 0, 0) == 0)) {
    if (KeQueryInterruptTime() - start > 10LL * 1000 * 1000 * 10) {
      DbgPrint("km_timer_exit: the DPCs did not run\n");
      return 1;
    }
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
  }
  DbgPrint("km_timer_exit: exiting with a timer set%s\n", stuck ? " and a DPC stuck" : "");
  return 0;
}
