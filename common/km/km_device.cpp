// SPDX-License-Identifier: MIT
// Device objects and work items. Device objects are plain memory linked to their driver
// (no object namespace exists in a process: names are kept, nothing can open them).
// Work items (IoQueueWorkItem's and ExQueueWorkItem's alike) run on runtime worker
// threads at PASSIVE_LEVEL; a worker is started when an item is queued and none is idle
// (at most kMaxWorkers), as the kernel's system worker threads grow under load, so an
// item may wait for another without deadlocking.
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "common/km/km_runtime.hpp"

struct _IO_WORKITEM {
  PVOID IoObject;
  PIO_WORKITEM_ROUTINE Routine;
  PIO_WORKITEM_ROUTINE_EX RoutineEx;
  PVOID Context;
  BOOLEAN Allocated;
};

namespace wskport::km::detail {

namespace {

constexpr ULONG kDeviceTag = tag('e', 'c', 'i', 'D');
constexpr ULONG kWorkItemTag = tag('k', 'r', 'o', 'W');
constexpr int kMaxWorkers = 16;

// One queued item: an I/O work item or an executive one (the other is null).
struct Work {
  _IO_WORKITEM* io;
  PWORK_QUEUE_ITEM ex;
};

struct WorkQueue {
  std::mutex lock;
  std::condition_variable ready;
  std::deque<Work> items;
  int workers = 0;
  int idle = 0;
};

WorkQueue& work_queue() noexcept {
  static WorkQueue* q = new WorkQueue;  // never destroyed: workers outlive main
  return *q;
}

void check_irql(const void* routine) noexcept {
  if (current_irql() != PASSIVE_LEVEL) {
    report("work item routine %p returned at IRQL %u (IRQL_NOT_LESS_OR_EQUAL)\n", routine,
           current_irql());
  }
}

void run_item(PWORK_QUEUE_ITEM item) noexcept {
  // Copied first, and the item marked as no longer queued: the routine may free it or
  // queue it again.
  const PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
  const PVOID parameter = item->Parameter;
  item->List.Flink = nullptr;
  current_irql() = PASSIVE_LEVEL;
  if (routine != nullptr) routine(parameter);
  check_irql(reinterpret_cast<void*>(routine));
}

void run_item(_IO_WORKITEM* item) noexcept {
  // Copied first: the routine may free the item (IoFreeWorkItem) as kernel code does.
  const PIO_WORKITEM_ROUTINE routine = item->Routine;
  const PIO_WORKITEM_ROUTINE_EX routine_ex = item->RoutineEx;
  const PVOID object = item->IoObject;
  const PVOID context = item->Context;
  current_irql() = PASSIVE_LEVEL;
  if (routine_ex != nullptr) {
    routine_ex(object, context, item);
  } else if (routine != nullptr) {
    routine(static_cast<PDEVICE_OBJECT>(object), context);
  }
  check_irql(routine_ex != nullptr ? reinterpret_cast<void*>(routine_ex)
                                   : reinterpret_cast<void*>(routine));
}

void worker_main() noexcept {
  auto& q = work_queue();
  std::unique_lock<std::mutex> guard(q.lock);
  for (;;) {
    ++q.idle;
    q.ready.wait(guard, [&] { return !q.items.empty(); });
    --q.idle;
    const Work work = q.items.front();
    q.items.pop_front();
    guard.unlock();
    if (work.io != nullptr) {
      run_item(work.io);
    } else {
      run_item(work.ex);
    }
    guard.lock();
  }
}

void enqueue(Work work) noexcept {
  auto& q = work_queue();
  std::lock_guard<std::mutex> guard(q.lock);
  try {
    q.items.push_back(work);
    if (q.idle == 0 && q.workers < kMaxWorkers) {
      std::thread(worker_main).detach();
      ++q.workers;
    }
  } catch (...) {
    if (q.workers == 0) fatal("work items: cannot start a worker thread\n");
  }
  q.ready.notify_one();
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                        PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                        ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT* DeviceObject) {
  UNREFERENCED_PARAMETER(DeviceName);
  if (DeviceObject == nullptr || DriverObject == nullptr) return STATUS_INVALID_PARAMETER;
  *DeviceObject = nullptr;
  const SIZE_T extension_offset = ALIGN_UP_BY(sizeof(DEVICE_OBJECT), MEMORY_ALLOCATION_ALIGNMENT);
  auto device = static_cast<PDEVICE_OBJECT>(
      ExAllocatePoolZero(NonPagedPoolNx, extension_offset + DeviceExtensionSize, kDeviceTag));
  if (device == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  device->Type = IO_TYPE_DEVICE;
  device->Size = static_cast<USHORT>(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
  device->ReferenceCount = 0;
  device->DriverObject = DriverObject;
  device->DeviceExtension =
      DeviceExtensionSize != 0 ? reinterpret_cast<PUCHAR>(device) + extension_offset : nullptr;
  device->DeviceType = DeviceType;
  device->Characteristics = DeviceCharacteristics;
  device->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
  device->StackSize = 1;
  KeInitializeEvent(&device->DeviceLock, SynchronizationEvent, TRUE);
  device->NextDevice = DriverObject->DeviceObject;
  DriverObject->DeviceObject = device;
  *DeviceObject = device;
  return STATUS_SUCCESS;
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject) {
  if (DeviceObject == nullptr) return;
  PDRIVER_OBJECT driver = DeviceObject->DriverObject;
  if (driver != nullptr) {
    for (PDEVICE_OBJECT* link = &driver->DeviceObject; *link != nullptr;
         link = &(*link)->NextDevice) {
      if (*link == DeviceObject) {
        *link = DeviceObject->NextDevice;
        break;
      }
    }
  }
  ExFreePoolWithTag(DeviceObject, kDeviceTag);
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName) {
  UNREFERENCED_PARAMETER(SymbolicLinkName);
  UNREFERENCED_PARAMETER(DeviceName);
  return STATUS_SUCCESS;
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName) {
  UNREFERENCED_PARAMETER(SymbolicLinkName);
  return STATUS_SUCCESS;
}

ULONG IoSizeofWorkItem(VOID) { return sizeof(_IO_WORKITEM); }

VOID IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem) {
  std::memset(static_cast<void*>(IoWorkItem), 0, sizeof(_IO_WORKITEM));
  IoWorkItem->IoObject = IoObject;
}

VOID IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem) { UNREFERENCED_PARAMETER(IoWorkItem); }

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject) {
  auto item = static_cast<PIO_WORKITEM>(
      ExAllocatePoolZero(NonPagedPoolNx, sizeof(_IO_WORKITEM), kWorkItemTag));
  if (item == nullptr) return nullptr;
  item->IoObject = DeviceObject;
  item->Allocated = TRUE;
  return item;
}

VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem) {
  if (IoWorkItem == nullptr) return;
  ExFreePoolWithTag(IoWorkItem, kWorkItemTag);
}

VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, ULONG QueueType,
                     PVOID Context) {
  UNREFERENCED_PARAMETER(QueueType);
  IoWorkItem->Routine = WorkerRoutine;
  IoWorkItem->RoutineEx = nullptr;
  IoWorkItem->Context = Context;
  enqueue(Work{IoWorkItem, nullptr});
}

VOID IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                       ULONG QueueType, PVOID Context) {
  UNREFERENCED_PARAMETER(QueueType);
  IoWorkItem->Routine = nullptr;
  IoWorkItem->RoutineEx = WorkerRoutine;
  IoWorkItem->Context = Context;
  enqueue(Work{IoWorkItem, nullptr});
}

VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType) {
  UNREFERENCED_PARAMETER(QueueType);
  if (WorkItem->List.Flink != nullptr) {
    fatal("ExQueueWorkItem(%p): the item is queued already (WORKER_INVALID)\n",
          static_cast<void*>(WorkItem));
  }
  // Marked queued before it is visible to a worker; the worker clears it under no lock,
  // but only after taking the item from the queue under the queue's lock.
  WorkItem->List.Flink = &WorkItem->List;
  enqueue(Work{nullptr, WorkItem});
}

}  // extern "C"
