// SPDX-License-Identifier: MIT
// IRP allocation, reuse and the bridge to the core's completion object (km_irp.hpp).
// The IRP and the wskport::Irp are one object: the core Irp is constructed at the IRP's
// address, its IoStatus (first member) is the IRP's IoStatus, and the rest of it lives
// in the IRP's WskportCompletion words.
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "common/core/completion.hpp"
#include "common/km/km_image.hpp"
#include "common/km/km_irp.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km {

namespace {

constexpr ULONG kIrpMagic = detail::tag('W', 'I', 'r', 'p');
enum : ULONG { kFromIoAllocateIrp = 1 };

static_assert(sizeof(IO_STATUS_BLOCK) == sizeof(wskport::IoStatusBlock));
static_assert(offsetof(IO_STATUS_BLOCK, Information) ==
              offsetof(wskport::IoStatusBlock, Information));
static_assert(sizeof(wskport::Irp) <= offsetof(IRP, WskportProvider),
              "raise WSKPORT_IRP_COMPLETION_WORDS in wskport_km_io.h: the core Irp grew");
static_assert(alignof(wskport::Irp) <= alignof(IRP));
static_assert(offsetof(IRP, IoStatus) == 0);
static_assert(sizeof(IRP) % alignof(IO_STACK_LOCATION) == 0);

// The core Irp's IoStatus must be at its start for the one-object scheme; the class is
// not standard-layout (private atomics), so this is checked on the first IRP.
void check_layout(wskport::Irp& core, PIRP irp) noexcept {
  static const bool ok = static_cast<void*>(&core.IoStatus) == static_cast<void*>(irp);
  if (!ok) detail::fatal("wskport::Irp::IoStatus is not at offset 0: the IRP bridge is broken");
}

PIO_STACK_LOCATION first_location(PIRP irp) noexcept {
  return reinterpret_cast<PIO_STACK_LOCATION>(irp + 1);
}

void construct(PIRP irp, USHORT packet_size, CCHAR stack_size, ULONG flags) noexcept {
  std::memset(static_cast<void*>(irp), 0, packet_size);
  auto* core = new (static_cast<void*>(irp)) wskport::Irp(&detail::irp_trampoline, nullptr);
  check_layout(*core, irp);
  core->IoStatus = {STATUS_SUCCESS, 0};  // the kernel zeroes a new IRP
  irp->Type = IO_TYPE_IRP;
  irp->Size = packet_size;
  irp->StackCount = stack_size;
  irp->CurrentLocation = static_cast<CHAR>(stack_size + 1);
  irp->Tail.Overlay.CurrentStackLocation = first_location(irp) + stack_size;
  irp->WskportMagic = kIrpMagic;
  irp->WskportFlags = flags;
}

}  // namespace

wskport::Irp& core_irp(PIRP irp) noexcept {
  return *std::launder(reinterpret_cast<wskport::Irp*>(irp));
}

PIRP km_irp(wskport::Irp& core) noexcept { return reinterpret_cast<PIRP>(&core); }

bool is_km_irp(PIRP irp) noexcept { return irp != nullptr && irp->WskportMagic == kIrpMagic; }

void set_provider_hook(PIRP irp, ProviderHook hook) noexcept {
  irp->WskportHook = reinterpret_cast<PVOID>(hook);
}

void* provider_area(PIRP irp) noexcept { return irp->WskportProvider; }

NTSTATUS enter_provider(PIRP irp) noexcept {
  if (!is_km_irp(irp)) return STATUS_INVALID_PARAMETER;
  if (irp->CurrentLocation <= 1) {
    detail::report("IRP %p handed to WSK has no free stack location (IoAllocateIrp(%d, ...))\n",
                   static_cast<void*>(irp), irp->StackCount);
    return STATUS_INVALID_PARAMETER;
  }
  IoSetNextIrpStackLocation(irp);
  return STATUS_SUCCESS;
}

void mark_pending(PIRP irp) noexcept { IoMarkIrpPending(irp); }

void complete_now(PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept {
  auto& core = core_irp(irp);
  if (!wskport::detail::IrpAccess::accept(core, wskport::detail::OpKind::none)) {
    detail::report("IoCompleteRequest on IRP %p while a WSK call still owns it: ignored\n",
                   static_cast<void*>(irp));
    return;
  }
  wskport::detail::complete_irp(core, status, information);
}

}  // namespace wskport::km

using wskport::km::detail::fatal;
using wskport::km::detail::report;

extern "C" {

PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota) {
  UNREFERENCED_PARAMETER(ChargeQuota);
  if (StackSize < 1) {
    report("IoAllocateIrp(StackSize %d): at least one stack location is needed\n", StackSize);
    return nullptr;
  }
  const USHORT size = IoSizeOfIrp(StackSize);
  // Allocated for the caller: an IRP a driver image leaks is reported as its leak.
  auto irp = static_cast<PIRP>(wskport::km::detail::pool_allocate(
      size, wskport::km::detail::kIrpPoolTag, NonPagedPoolNx, WSKPORT_KM_CALLER()));
  if (irp == nullptr) return nullptr;
  wskport::km::construct(irp, size, StackSize, wskport::km::kFromIoAllocateIrp);
  return irp;
}

PIRP IoAllocateIrpEx(PDEVICE_OBJECT DeviceObject, CCHAR StackSize, BOOLEAN ChargeQuota) {
  UNREFERENCED_PARAMETER(DeviceObject);
  return IoAllocateIrp(StackSize, ChargeQuota);
}

VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize) {
  if (StackSize < 1 || PacketSize < IoSizeOfIrp(StackSize)) {
    fatal(
        "IoInitializeIrp(%p, PacketSize %u, StackSize %d): the packet is smaller than "
        "IoSizeOfIrp(StackSize)\n",
        static_cast<void*>(Irp), PacketSize, StackSize);
  }
  wskport::km::construct(Irp, PacketSize, StackSize, 0);
}

VOID IoFreeIrp(PIRP Irp) {
  if (!wskport::km::is_km_irp(Irp)) {
    fatal("IoFreeIrp(%p): not an IRP from IoAllocateIrp (or freed twice)\n",
          static_cast<void*>(Irp));
  }
  if ((Irp->WskportFlags & wskport::km::kFromIoAllocateIrp) == 0) {
    fatal("IoFreeIrp(%p): the IRP was made by IoInitializeIrp in caller storage\n",
          static_cast<void*>(Irp));
  }
  // The core's destructor stops the process if a call still owns the IRP.
  std::destroy_at(&wskport::km::core_irp(Irp));
  Irp->WskportMagic = 0;
  ExFreePoolWithTag(Irp, wskport::km::detail::kIrpPoolTag);
}

VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus) {
  if (!wskport::km::is_km_irp(Irp)) {
    fatal("IoReuseIrp(%p): not an IRP from IoAllocateIrp / IoInitializeIrp\n",
          static_cast<void*>(Irp));
  }
  auto& core = wskport::km::core_irp(Irp);
  core.reuse(Iostatus);  // stops the process if a call still owns the IRP
  // Everything after the core object goes back to IoInitializeIrp's state, keeping the
  // allocation facts, as the kernel's IoReuseIrp keeps AllocationFlags.
  const USHORT size = Irp->Size;
  const CCHAR stack = Irp->StackCount;
  const UCHAR allocation = Irp->AllocationFlags;
  const ULONG flags = Irp->WskportFlags;
  auto* tail = reinterpret_cast<unsigned char*>(Irp->WskportProvider);
  std::memset(tail, 0, size - offsetof(IRP, WskportProvider));
  Irp->Type = IO_TYPE_IRP;
  Irp->Size = size;
  Irp->StackCount = stack;
  Irp->CurrentLocation = static_cast<CHAR>(stack + 1);
  Irp->AllocationFlags = allocation;
  Irp->Tail.Overlay.CurrentStackLocation = wskport::km::first_location(Irp) + stack;
  Irp->WskportMagic = wskport::km::kIrpMagic;
  Irp->WskportFlags = flags;
}

VOID WskportNoMoreIrpStackLocations(PIRP Irp) {
  fatal("NO_MORE_IRP_STACK_LOCATIONS: IoSetNextIrpStackLocation on IRP %p at location %d of %d\n",
        static_cast<void*>(Irp), Irp->CurrentLocation, Irp->StackCount);
}

}  // extern "C"
