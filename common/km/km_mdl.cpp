// SPDX-License-Identifier: MIT
// Memory descriptor lists. The layout is the kernel's: StartVa page-aligned, ByteOffset
// the first byte's offset in that page, ByteCount the length, a page frame array after
// the header. A process maps nothing: the buffer's own address is its "system address",
// and the frame numbers are the virtual page numbers (kernel code only passes them on).
#include <cstdint>

#include "common/km/km_image.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

constexpr ULONG kMaxMdlLength = 0xFFFFFFFFUL - PAGE_SIZE;

void fill_frames(PMDL mdl) noexcept {
  const auto start = reinterpret_cast<std::uintptr_t>(mdl->StartVa);
  const ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
  const auto room = (static_cast<std::size_t>(mdl->Size) - sizeof(MDL)) / sizeof(PFN_NUMBER);
  PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
  for (ULONG i = 0; i < pages && i < room; ++i) frames[i] = (start >> PAGE_SHIFT) + i;
}

}  // namespace

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length) {
  return sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length);
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                   PIRP Irp) {
  UNREFERENCED_PARAMETER(ChargeQuota);
  if (Length == 0 || Length > kMaxMdlLength) return nullptr;
  const SIZE_T size = MmSizeOfMdl(VirtualAddress, Length);
  if (size > 0x7FFF) return nullptr;  // MDL::Size is a CSHORT, as in the kernel
  // Allocated for the caller: an MDL a driver image leaks is reported as its leak.
  auto mdl =
      static_cast<PMDL>(pool_allocate(size, kMdlPoolTag, NonPagedPoolNx, WSKPORT_KM_CALLER()));
  if (mdl == nullptr) return nullptr;
  MmInitializeMdl(mdl, VirtualAddress, Length);
  mdl->MdlFlags = MDL_ALLOCATED_FIXED_SIZE;
  if (Irp != nullptr) {
    if (SecondaryBuffer && Irp->MdlAddress != nullptr) {
      PMDL last = Irp->MdlAddress;
      while (last->Next != nullptr) last = last->Next;
      last->Next = mdl;
    } else {
      Irp->MdlAddress = mdl;
    }
  }
  return mdl;
}

VOID IoFreeMdl(PMDL Mdl) {
  if (Mdl == nullptr) return;
  if ((Mdl->MdlFlags & MDL_PAGES_LOCKED) != 0) {
    report("IoFreeMdl(%p): the pages are still locked (MmUnlockPages first)\n",
           static_cast<void*>(Mdl));
  }
  ExFreePoolWithTag(Mdl, kMdlPoolTag);
}

VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length) {
  const auto source = reinterpret_cast<std::uintptr_t>(MmGetMdlVirtualAddress(SourceMdl));
  const auto va = reinterpret_cast<std::uintptr_t>(VirtualAddress);
  if (va < source || va - source > SourceMdl->ByteCount) {
    fatal("IoBuildPartialMdl: address %p outside the source MDL %p\n", VirtualAddress,
          static_cast<void*>(SourceMdl));
  }
  if (Length == 0) Length = SourceMdl->ByteCount - static_cast<ULONG>(va - source);
  TargetMdl->StartVa = PAGE_ALIGN(VirtualAddress);
  TargetMdl->ByteOffset = BYTE_OFFSET(VirtualAddress);
  TargetMdl->ByteCount = Length;
  TargetMdl->MdlFlags = static_cast<CSHORT>(
      (TargetMdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE) | MDL_PARTIAL |
      (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA)));
  TargetMdl->MappedSystemVa = VirtualAddress;
  TargetMdl->Process = SourceMdl->Process;
  fill_frames(TargetMdl);
}

VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList) {
  MemoryDescriptorList->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
  MemoryDescriptorList->MappedSystemVa = MmGetMdlVirtualAddress(MemoryDescriptorList);
  fill_frames(MemoryDescriptorList);
}

VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                         LOCK_OPERATION Operation) {
  UNREFERENCED_PARAMETER(AccessMode);
  if ((MemoryDescriptorList->MdlFlags & MDL_PAGES_LOCKED) != 0) {
    report("MmProbeAndLockPages(%p): the pages are already locked\n",
           static_cast<void*>(MemoryDescriptorList));
  }
  MemoryDescriptorList->MdlFlags |= MDL_PAGES_LOCKED;
  if (Operation != IoReadAccess) MemoryDescriptorList->MdlFlags |= MDL_WRITE_OPERATION;
  fill_frames(MemoryDescriptorList);
}

VOID MmUnlockPages(PMDL MemoryDescriptorList) {
  if ((MemoryDescriptorList->MdlFlags & MDL_PAGES_LOCKED) == 0) {
    report("MmUnlockPages(%p): the pages are not locked (PFN_LIST_CORRUPT)\n",
           static_cast<void*>(MemoryDescriptorList));
  }
  MemoryDescriptorList->MdlFlags &=
      static_cast<CSHORT>(~(MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_WRITE_OPERATION));
}

PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority) {
  UNREFERENCED_PARAMETER(Priority);
  if (Mdl == nullptr) return nullptr;
  if ((Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) == 0) {
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
  }
  return Mdl->MappedSystemVa;
}

PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority) {
  UNREFERENCED_PARAMETER(AccessMode);
  UNREFERENCED_PARAMETER(CacheType);
  UNREFERENCED_PARAMETER(RequestedAddress);
  UNREFERENCED_PARAMETER(BugCheckOnFailure);
  return MmGetSystemAddressForMdlSafe(MemoryDescriptorList, Priority);
}

VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList) {
  UNREFERENCED_PARAMETER(BaseAddress);
  MemoryDescriptorList->MdlFlags &= static_cast<CSHORT>(~MDL_MAPPED_TO_SYSTEM_VA);
}

}  // extern "C"
