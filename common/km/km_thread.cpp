// SPDX-License-Identifier: MIT
// System threads, thread objects, handles and object references.
//
// A thread object is a dispatcher object (signalled when the thread ends) with a
// reference count: the running thread holds one, its handle one, and each
// ObReferenceObject(ByHandle) one; the object is freed with the last. Threads the
// runtime did not start (main, provider threads) get an object on first use, owned by
// the thread and signalled when it exits.
//
// PsTerminateSystemThread throws a private C++ exception that the thread's entry wrapper
// catches. It unwinds through the frames between, C frames included (wskport::km builds
// C with -fexceptions; GCC/Clang on x86-64 emit unwind tables anyway, and MSVC x64 uses
// table-based unwinding), without running C cleanup. A noexcept C++ frame in between
// ends the process (std::terminate), as a kernel thread cannot return through it either.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/km/km_dispatcher.hpp"
#include "common/km/km_image.hpp"
#include "common/km/km_runtime.hpp"

struct _OBJECT_TYPE {
  const char* name;
};

struct _EPROCESS {
  DISPATCHER_HEADER Header;
};

struct _ETHREAD {
  DISPATCHER_HEADER Header;  // first: KeWaitForSingleObject reads it
  std::atomic<LONG_PTR> references{1};
  bool system = false;  // made by PsCreateSystemThread
  NTSTATUS exit_status = STATUS_PENDING;
  PKSTART_ROUTINE routine = nullptr;
  PVOID context = nullptr;
  int image = 0;  // the driver image the routine is in (km_image.hpp), 0 for none
  ULONG_PTR id = 0;
  KPRIORITY priority = 8;
};

namespace wskport::km::detail {

namespace {

struct ThreadExit {
  NTSTATUS status;
};

_OBJECT_TYPE g_thread_type{"Thread"};
_OBJECT_TYPE g_process_type{"Process"};
_OBJECT_TYPE g_event_type{"Event"};
_OBJECT_TYPE g_file_type{"File"};
POBJECT_TYPE g_thread_type_ptr = &g_thread_type;
POBJECT_TYPE g_process_type_ptr = &g_process_type;
POBJECT_TYPE g_event_type_ptr = &g_event_type;
POBJECT_TYPE g_file_type_ptr = &g_file_type;
_EPROCESS g_system_process{};

// The objects and handles the runtime made; guarded by one lock (they change only when
// threads and handles are created and closed).
//
// System threads are joined, never detached: under MinGW, winpthreads' pthread_detach
// of a thread that has just ended returns its bookkeeping to the free list while the
// thread is still running its exit (TLS callbacks). The next pthread_create reuses it,
// and two threads then share one record: an exiting thread spins forever in
// pthread_getspecific's spin lock, or a provider's join fails (ESRCH) or never returns.
// A system thread moves its own std::thread to `ended` just before it signals its
// object; whoever then waits on a thread object, dereferences or closes one, or creates
// the next system thread joins those (each is a few instructions from its end).
struct Registry {
  std::mutex lock;
  std::unordered_set<const void*> objects;
  std::unordered_map<ULONG_PTR, _ETHREAD*> handles;
  std::unordered_map<ULONG_PTR, std::thread> running;  // system threads, by thread id
  std::vector<std::thread> ended;                      // to be joined by another thread
  ULONG_PTR next_handle = 4;
  ULONG_PTR next_id = 4;
};

thread_local _ETHREAD* g_current = nullptr;

Registry& registry() noexcept {
  static Registry* r = new Registry;  // never destroyed: threads may outlive main
  return *r;
}

_ETHREAD* new_thread_object(bool system) {
  auto* t = new _ETHREAD;
  dispatcher_initialize(t->Header, ThreadObject, 0);
  t->system = system;
  auto& r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  t->id = r.next_id;
  r.next_id += 4;
  r.objects.insert(t);
  return t;
}

void release(_ETHREAD* t) noexcept {
  if (t->references.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  {
    auto& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    r.objects.erase(t);
  }
  delete t;
}

bool known(const void* object) noexcept {
  auto& r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  return r.objects.count(object) != 0;
}

// Set by an atexit handler. Where thread-local destructors run after it (MinGW runs the
// main thread's at DLL detach, after ExitProcess has stopped the other threads, which may
// have held the runtime's locks), the main thread's object is left alone.
std::atomic<bool> g_process_exiting{false};

void note_exit() { g_process_exiting.store(true); }

// Owns the object of a thread the runtime did not start; signals it at thread exit.
struct Adopted {
  _ETHREAD* thread = nullptr;
  ~Adopted() {
    if (thread != nullptr && !g_process_exiting.load()) {
      if (g_current == thread) g_current = nullptr;
      dispatcher_signal(thread->Header);
      release(thread);
    }
  }
};

_ETHREAD* current() {
  if (g_current == nullptr) {
    static const bool registered = std::atexit(note_exit) == 0;
    (void)registered;
    thread_local Adopted adopted;
    adopted.thread = new_thread_object(false);
    g_current = adopted.thread;
  }
  return g_current;
}

// Hands the calling system thread's std::thread over to be joined by another thread.
// PsCreateSystemThread stores it under the registry lock, so it is there by now.
void retire(ULONG_PTR id) noexcept {
  auto& r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  const auto it = r.running.find(id);
  if (it == r.running.end()) return;
  try {
    r.ended.push_back(std::move(it->second));
  } catch (...) {
    it->second.detach();  // no memory to keep it: the old behaviour, for this one thread
  }
  r.running.erase(it);
}

}  // namespace

// Joins the system threads that have finished (outside the registry lock).
void reap_system_threads() noexcept {
  std::vector<std::thread> ended;
  {
    auto& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    ended.swap(r.ended);
  }
  for (auto& th : ended) {
    if (th.joinable() && th.get_id() != std::this_thread::get_id()) th.join();
  }
}

// At exit, the threads that ended since the last PsCreateSystemThread are joined too:
// each is a few instructions from its end, and an unjoined std::thread is a leak
// (ThreadSanitizer reports it). Threads still running are the driver's to stop
// (DriverUnload must wait for them); they are left alone.
void reap_at_exit() { reap_system_threads(); }

namespace {

void thread_main(_ETHREAD* t) noexcept {
  g_current = t;
  const ULONG_PTR id = t->id;
  try {
    t->routine(t->context);
    t->exit_status = STATUS_SUCCESS;
  } catch (const ThreadExit& exit) {
    t->exit_status = exit.status;
  }
  // From here on no instruction of the image runs on this thread: it may be unmapped.
  wskport::km::image::add_live(t->image, wskport::km::image::Live::threads, -1);
  g_current = nullptr;
  // Retired before the signal, so a thread that saw the object signalled can join it.
  retire(id);
  dispatcher_signal(t->Header);
  release(t);
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

POBJECT_TYPE* PsThreadType = &g_thread_type_ptr;
POBJECT_TYPE* PsProcessType = &g_process_type_ptr;
POBJECT_TYPE* ExEventObjectType = &g_event_type_ptr;
POBJECT_TYPE* IoFileObjectType = &g_file_type_ptr;

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext) {
  UNREFERENCED_PARAMETER(DesiredAccess);
  UNREFERENCED_PARAMETER(ObjectAttributes);
  if (ThreadHandle == nullptr || StartRoutine == nullptr ||
      (ProcessHandle != nullptr && ProcessHandle != NtCurrentProcess())) {
    return STATUS_INVALID_PARAMETER;
  }
  _ETHREAD* t = nullptr;
  try {
    t = new_thread_object(true);
  } catch (...) {
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  t->routine = StartRoutine;
  t->context = StartContext;
  // Function pointer to address: the routine's own code tells which image runs in it.
  t->image = wskport::km::image::owner_of(reinterpret_cast<const void*>(StartRoutine));
  t->references.store(2);  // the running thread and the handle
  static const bool reap_registered = std::atexit(reap_at_exit) == 0;
  (void)reap_registered;
  reap_system_threads();
  ULONG_PTR handle = 0;
  const ULONG_PTR id = t->id;
  {
    auto& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    handle = r.next_handle;
    r.next_handle += 4;
    try {
      r.handles.emplace(handle, t);
      auto slot = r.running.emplace(id, std::thread()).first;
      try {
        // Counted before it starts, so the count cannot drop below zero.
        wskport::km::image::add_live(t->image, wskport::km::image::Live::threads, 1);
        // Started under the lock: the thread's retire() cannot run before it is stored.
        slot->second = std::thread(thread_main, t);
      } catch (...) {
        wskport::km::image::add_live(t->image, wskport::km::image::Live::threads, -1);
        r.running.erase(slot);
        throw;
      }
    } catch (...) {
      r.handles.erase(handle);
      r.objects.erase(t);
      delete t;
      return STATUS_INSUFFICIENT_RESOURCES;
    }
  }
  *ThreadHandle = reinterpret_cast<HANDLE>(handle);
  if (ClientId != nullptr) {
    ClientId->UniqueProcess = PsGetCurrentProcessId();
    ClientId->UniqueThread = reinterpret_cast<HANDLE>(t->id);
  }
  return STATUS_SUCCESS;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus) {
  if (g_current == nullptr || !g_current->system) {
    report(
        "PsTerminateSystemThread from a thread that PsCreateSystemThread did not start: "
        "STATUS_INVALID_PARAMETER\n");
    return STATUS_INVALID_PARAMETER;
  }
  throw ThreadExit{ExitStatus};
}

PETHREAD PsGetCurrentThread(VOID) { return current(); }

PKTHREAD KeGetCurrentThread(VOID) { return reinterpret_cast<PKTHREAD>(current()); }

HANDLE PsGetCurrentThreadId(VOID) { return reinterpret_cast<HANDLE>(current()->id); }

// The System process: kernel code in system threads sees process id 4 on Windows too.
HANDLE PsGetCurrentProcessId(VOID) { return reinterpret_cast<HANDLE>(ULONG_PTR{4}); }

PEPROCESS PsGetCurrentProcess(VOID) { return &g_system_process; }

HANDLE PsGetThreadId(PETHREAD Thread) { return reinterpret_cast<HANDLE>(Thread->id); }

BOOLEAN PsIsSystemThread(PETHREAD Thread) { return Thread->system ? TRUE : FALSE; }

BOOLEAN PsIsThreadTerminating(PETHREAD Thread) {
  return dispatcher_signalled(Thread->Header) ? TRUE : FALSE;
}

KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority) {
  auto* t = reinterpret_cast<_ETHREAD*>(Thread);
  const KPRIORITY old = t->priority;
  t->priority = Priority;  // recorded; the OS scheduler is not asked
  return old;
}

KPRIORITY KeQueryPriorityThread(PKTHREAD Thread) {
  return reinterpret_cast<_ETHREAD*>(Thread)->priority;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                   PVOID* Object, POBJECT_HANDLE_INFORMATION HandleInformation) {
  UNREFERENCED_PARAMETER(AccessMode);
  if (Object == nullptr) return STATUS_INVALID_PARAMETER;
  *Object = nullptr;
  if (HandleInformation != nullptr) {
    HandleInformation->HandleAttributes = 0;
    HandleInformation->GrantedAccess = DesiredAccess;
  }
  if (Handle == NtCurrentProcess()) {
    if (ObjectType != nullptr && ObjectType != *PsProcessType) return STATUS_OBJECT_TYPE_MISMATCH;
    *Object = &g_system_process;
    return STATUS_SUCCESS;
  }
  _ETHREAD* t = nullptr;
  if (Handle == NtCurrentThread()) {
    t = current();
  } else {
    auto& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    const auto it = r.handles.find(reinterpret_cast<ULONG_PTR>(Handle));
    if (it != r.handles.end()) t = it->second;
    if (t != nullptr) t->references.fetch_add(1);
  }
  if (t == nullptr) return STATUS_INVALID_HANDLE;
  if (Handle == NtCurrentThread()) t->references.fetch_add(1);
  if (ObjectType != nullptr && ObjectType != *PsThreadType) {
    release(t);
    return STATUS_OBJECT_TYPE_MISMATCH;
  }
  *Object = t;
  return STATUS_SUCCESS;
}

LONG_PTR ObfReferenceObject(PVOID Object) {
  if (Object == &g_system_process) return 1;
  if (!known(Object)) {
    if (first_time(Object)) {
      report(
          "ObReferenceObject(%p): not an object of the runtime (only thread objects are "
          "reference-counted); no effect\n",
          Object);
    }
    return 1;
  }
  return static_cast<_ETHREAD*>(Object)->references.fetch_add(1) + 1;
}

LONG_PTR ObfDereferenceObject(PVOID Object) {
  if (Object == &g_system_process) return 1;
  if (!known(Object)) {
    if (first_time(Object)) {
      report(
          "ObDereferenceObject(%p): not an object of the runtime (or already freed); "
          "no effect\n",
          Object);
    }
    return 0;
  }
  auto* t = static_cast<_ETHREAD*>(Object);
  const LONG_PTR left = t->references.load() - 1;
  release(t);
  reap_system_threads();
  return left;
}

NTSTATUS ZwClose(HANDLE Handle) {
  _ETHREAD* t = nullptr;
  {
    auto& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    const auto it = r.handles.find(reinterpret_cast<ULONG_PTR>(Handle));
    if (it == r.handles.end()) return STATUS_INVALID_HANDLE;
    t = it->second;
    r.handles.erase(it);
  }
  release(t);
  reap_system_threads();
  return STATUS_SUCCESS;
}

}  // extern "C"
