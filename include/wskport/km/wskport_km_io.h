/* SPDX-License-Identifier: MIT */
/*
 * wskport_km_io.h: the I/O manager subset: IO_STATUS_BLOCK, MDL, IRP and its stack
 * locations, DEVICE_OBJECT, DRIVER_OBJECT, FILE_OBJECT, the driver role types and the
 * Io/Mm routines WSK client code calls.
 *
 * The IRP is the core's completion object: IoAllocateIrp constructs a wskport::Irp at
 * the IRP's address (IoStatus first, then the core's private words, then a scratch area
 * for the WSK provider, then the kernel members), so a WSK call hands the IRP to the
 * core with no translation. Completion walks the stack locations as IoCompleteRequest
 * does. Implemented in common/km/km_irp.cpp, km_irp_complete.cpp and km_mdl.cpp.
 */
#pragma once
#ifndef WSKPORT_KM_IO_H
#define WSKPORT_KM_IO_H

#include "wskport_km_ex.h"
#include "wskport_km_ke.h"

WSKPORT_KM_BEGIN_DECLS

typedef struct _IO_STATUS_BLOCK {
  union {
    NTSTATUS Status;
    PVOID Pointer;
  };
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef VOID IO_APC_ROUTINE(_In_ PVOID ApcContext, _In_ PIO_STATUS_BLOCK IoStatusBlock,
                            _In_ ULONG Reserved);
typedef IO_APC_ROUTINE* PIO_APC_ROUTINE;

/* ------------------------------------------------------------------ MDL --------- */

/* A memory descriptor list: StartVa is the page-aligned start, ByteOffset the offset of
 * the first byte in that page, ByteCount the length; the page frame array follows the
 * structure. In a process the virtual address is directly usable, so "mapping" returns
 * StartVa + ByteOffset and the frame numbers are the virtual page numbers. */
typedef struct _MDL {
  struct _MDL* Next;
  CSHORT Size;
  CSHORT MdlFlags;
  struct _EPROCESS* Process;
  PVOID MappedSystemVa;
  PVOID StartVa;
  ULONG ByteCount;
  ULONG ByteOffset;
} MDL, *PMDL;
typedef MDL* PMDLX;

#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_PAGES_LOCKED 0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE 0x0008
#define MDL_PARTIAL 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ 0x0040
#define MDL_WRITE_OPERATION 0x0080
#define MDL_LOCKED_PAGE_TABLES 0x0100
#define MDL_PARENT_MAPPED_SYSTEM_VA MDL_LOCKED_PAGE_TABLES
#define MDL_FREE_EXTRA_PTES 0x0200
#define MDL_DESCRIBES_AWE 0x0400
#define MDL_IO_SPACE 0x0800
#define MDL_NETWORK_HEADER 0x1000
#define MDL_MAPPING_CAN_FAIL 0x2000
#define MDL_PAGE_CONTENTS_INVARIANT 0x4000
#define MDL_ALLOCATED_MUST_SUCCEED 0x4000
#define MDL_INTERNAL 0x8000

typedef enum _LOCK_OPERATION { IoReadAccess, IoWriteAccess, IoModifyAccess } LOCK_OPERATION;
typedef enum _MM_PAGE_PRIORITY {
  LowPagePriority,
  NormalPagePriority = 16,
  HighPagePriority = 32
} MM_PAGE_PRIORITY;
typedef enum _MEMORY_CACHING_TYPE {
  MmNonCached = 0,
  MmCached = 1,
  MmWriteCombined = 2,
  MmHardwareCoherentCached,
  MmNonCachedUnordered,
  MmUSWCCached,
  MmMaximumCacheType,
  MmNotMapped = -1
} MEMORY_CACHING_TYPE;
#define MdlMappingNoWrite 0x80000000
#define MdlMappingNoExecute 0x40000000

#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~((ULONG_PTR)PAGE_SIZE - 1)))
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~((ULONG_PTR)PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)                                           \
  ((ULONG)((((ULONG_PTR)(Size)) >> PAGE_SHIFT) +                                           \
           ((BYTE_OFFSET(Va) + ((ULONG_PTR)(Size) & (PAGE_SIZE - 1)) + (PAGE_SIZE - 1)) >> \
            PAGE_SHIFT)))
#define COMPUTE_PAGES_SPANNED(Va, Size) ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)

#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlBaseVa(Mdl) ((Mdl)->StartVa)
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))
#define MmPrepareMdlForReuse(Mdl) ((void)((Mdl)->MdlFlags &= ~MDL_PARTIAL_HAS_BEEN_MAPPED))
/** Fills in an MDL in caller storage of MmSizeOfMdl(BaseVa, Length) bytes. */
#define MmInitializeMdl(MemoryDescriptorList, BaseVa, Length)                                \
  do {                                                                                       \
    (MemoryDescriptorList)->Next = (PMDL)NULL;                                               \
    (MemoryDescriptorList)->Size =                                                           \
        (CSHORT)(sizeof(MDL) +                                                               \
                 (sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES((BaseVa), (Length)))); \
    (MemoryDescriptorList)->MdlFlags = 0;                                                    \
    (MemoryDescriptorList)->Process = NULL;                                                  \
    (MemoryDescriptorList)->MappedSystemVa = NULL;                                           \
    (MemoryDescriptorList)->StartVa = (PVOID)PAGE_ALIGN((BaseVa));                           \
    (MemoryDescriptorList)->ByteOffset = BYTE_OFFSET((BaseVa));                              \
    (MemoryDescriptorList)->ByteCount = (ULONG)(Length);                                     \
  } while (0)

/** Bytes an MDL describing [@p Base, @p Base + @p Length) needs (header + frames). */
NTKERNELAPI SIZE_T MmSizeOfMdl(_In_reads_bytes_opt_(Length) PVOID Base, _In_ SIZE_T Length);
/** The buffer's address (StartVa + ByteOffset); marks the MDL mapped. NULL only for a
 *  NULL MDL. @p Priority is accepted and ignored. */
NTKERNELAPI PVOID MmGetSystemAddressForMdlSafe(_Inout_ PMDL Mdl, _In_ ULONG Priority);
#define MmGetSystemAddressForMdl(Mdl) MmGetSystemAddressForMdlSafe((Mdl), NormalPagePriority)
NTKERNELAPI PVOID MmMapLockedPagesSpecifyCache(_Inout_ PMDL MemoryDescriptorList,
                                               _In_ KPROCESSOR_MODE AccessMode,
                                               _In_ MEMORY_CACHING_TYPE CacheType,
                                               _In_opt_ PVOID RequestedAddress,
                                               _In_ ULONG BugCheckOnFailure, _In_ ULONG Priority);
NTKERNELAPI VOID MmUnmapLockedPages(_In_ PVOID BaseAddress, _Inout_ PMDL MemoryDescriptorList);
/** Marks the MDL as describing non-paged memory and fills its frames and MappedSystemVa. */
NTKERNELAPI VOID MmBuildMdlForNonPagedPool(_Inout_ PMDL MemoryDescriptorList);
/** Marks the pages locked and fills the frame array. Nothing is probed (an invalid
 *  buffer faults later, where the kernel would raise here). */
NTKERNELAPI VOID MmProbeAndLockPages(_Inout_ PMDL MemoryDescriptorList,
                                     _In_ KPROCESSOR_MODE AccessMode,
                                     _In_ LOCK_OPERATION Operation);
/** Unlocks pages locked by MmProbeAndLockPages (reported if they were not locked). */
NTKERNELAPI VOID MmUnlockPages(_Inout_ PMDL MemoryDescriptorList);

/* --------------------------------------------------------- objects and IRP ------- */

struct _DEVICE_OBJECT;
struct _DRIVER_OBJECT;
struct _FILE_OBJECT;
struct _IRP;
struct _IO_WORKITEM;
typedef struct _DEVICE_OBJECT* PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT* PDRIVER_OBJECT;
typedef struct _FILE_OBJECT* PFILE_OBJECT;
typedef struct _IRP* PIRP;

typedef NTSTATUS IO_COMPLETION_ROUTINE(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                       _In_reads_opt_(_Inexpressible_("varies")) PVOID Context);
typedef IO_COMPLETION_ROUTINE* PIO_COMPLETION_ROUTINE;
typedef VOID DRIVER_CANCEL(_Inout_ struct _DEVICE_OBJECT* DeviceObject, _Inout_ struct _IRP* Irp);
typedef DRIVER_CANCEL* PDRIVER_CANCEL;
typedef NTSTATUS DRIVER_DISPATCH(_In_ struct _DEVICE_OBJECT* DeviceObject,
                                 _Inout_ struct _IRP* Irp);
typedef DRIVER_DISPATCH* PDRIVER_DISPATCH;
typedef DRIVER_DISPATCH DRIVER_DISPATCH_RAISED;
typedef DRIVER_DISPATCH DRIVER_DISPATCH_PAGED;
typedef NTSTATUS DRIVER_INITIALIZE(_In_ struct _DRIVER_OBJECT* DriverObject,
                                   _In_ PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE* PDRIVER_INITIALIZE;
typedef VOID DRIVER_UNLOAD(_In_ struct _DRIVER_OBJECT* DriverObject);
typedef DRIVER_UNLOAD* PDRIVER_UNLOAD;
typedef NTSTATUS DRIVER_ADD_DEVICE(_In_ struct _DRIVER_OBJECT* DriverObject,
                                   _In_ struct _DEVICE_OBJECT* PhysicalDeviceObject);
typedef DRIVER_ADD_DEVICE* PDRIVER_ADD_DEVICE;
typedef VOID DRIVER_STARTIO(_Inout_ struct _DEVICE_OBJECT* DeviceObject, _Inout_ struct _IRP* Irp);
typedef DRIVER_STARTIO* PDRIVER_STARTIO;
typedef VOID IO_WORKITEM_ROUTINE(_In_ PDEVICE_OBJECT DeviceObject, _In_opt_ PVOID Context);
typedef IO_WORKITEM_ROUTINE* PIO_WORKITEM_ROUTINE;
typedef VOID IO_WORKITEM_ROUTINE_EX(_In_ PVOID IoObject, _In_opt_ PVOID Context,
                                    _In_ struct _IO_WORKITEM* IoWorkItem);
typedef IO_WORKITEM_ROUTINE_EX* PIO_WORKITEM_ROUTINE_EX;

typedef struct _KDEVICE_QUEUE_ENTRY {
  LIST_ENTRY DeviceListEntry;
  ULONG SortKey;
  BOOLEAN Inserted;
} KDEVICE_QUEUE_ENTRY, *PKDEVICE_QUEUE_ENTRY;

typedef struct _KAPC {
  UCHAR Type;
  UCHAR SpareByte0;
  UCHAR Size;
  UCHAR SpareByte1;
  ULONG SpareLong0;
  PKTHREAD Thread;
  LIST_ENTRY ApcListEntry;
  PVOID Reserved[3];
  PVOID NormalContext;
  PVOID SystemArgument1;
  PVOID SystemArgument2;
  CCHAR ApcStateIndex;
  KPROCESSOR_MODE ApcMode;
  BOOLEAN Inserted;
} KAPC, *PKAPC, *PRKAPC;

#define IO_TYPE_ADAPTER 1
#define IO_TYPE_CONTROLLER 2
#define IO_TYPE_DEVICE 3
#define IO_TYPE_DRIVER 4
#define IO_TYPE_FILE 5
#define IO_TYPE_IRP 6
#define IO_TYPE_MASTER_ADAPTER 7
#define IO_TYPE_OPEN_PACKET 8
#define IO_TYPE_TIMER 9
#define IO_TYPE_VPB 10
#define IO_TYPE_ERROR_LOG 11
#define IO_TYPE_ERROR_MESSAGE 12
#define IO_TYPE_DEVICE_OBJECT_EXTENSION 13

/* Words of the core's completion object after IoStatus (wskport::Irp; checked at build
 * time) and of the WSK provider's scratch area. */
#define WSKPORT_IRP_COMPLETION_WORDS 56
#define WSKPORT_IRP_PROVIDER_WORDS 16

typedef struct DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) _IRP {
  IO_STATUS_BLOCK IoStatus;
  ULONGLONG WskportCompletion[WSKPORT_IRP_COMPLETION_WORDS];
  ULONG_PTR WskportProvider[WSKPORT_IRP_PROVIDER_WORDS];
  CSHORT Type;
  USHORT Size;
  PMDL MdlAddress;
  ULONG Flags;
  union {
    struct _IRP* MasterIrp;
    volatile LONG IrpCount;
    PVOID SystemBuffer;
  } AssociatedIrp;
  LIST_ENTRY ThreadListEntry;
  KPROCESSOR_MODE RequestorMode;
  BOOLEAN PendingReturned;
  CHAR StackCount;
  CHAR CurrentLocation;
  BOOLEAN Cancel;
  KIRQL CancelIrql;
  CCHAR ApcEnvironment;
  UCHAR AllocationFlags;
  PIO_STATUS_BLOCK UserIosb;
  PKEVENT UserEvent;
  union {
    struct {
      union {
        PIO_APC_ROUTINE UserApcRoutine;
        PVOID IssuingProcess;
      };
      PVOID UserApcContext;
    } AsynchronousParameters;
    LARGE_INTEGER AllocationSize;
  } Overlay;
  volatile PDRIVER_CANCEL CancelRoutine;
  PVOID UserBuffer;
  union {
    struct {
      union {
        KDEVICE_QUEUE_ENTRY DeviceQueueEntry;
        struct {
          PVOID DriverContext[4];
        };
      };
      PETHREAD Thread;
      PCHAR AuxiliaryBuffer;
      struct {
        LIST_ENTRY ListEntry;
        union {
          struct _IO_STACK_LOCATION* CurrentStackLocation;
          ULONG PacketType;
        };
      };
      PFILE_OBJECT OriginalFileObject;
    } Overlay;
    KAPC Apc;
    PVOID CompletionKey;
  } Tail;
  /* The runtime's bookkeeping (not in the WDK's IRP). */
  ULONG WskportMagic;
  ULONG WskportFlags;
  PVOID WskportHook;
} IRP;

#define IRP_NOCACHE 0x00000001
#define IRP_PAGING_IO 0x00000002
#define IRP_MOUNT_COMPLETION 0x00000002
#define IRP_SYNCHRONOUS_API 0x00000004
#define IRP_ASSOCIATED_IRP 0x00000008
#define IRP_BUFFERED_IO 0x00000010
#define IRP_DEALLOCATE_BUFFER 0x00000020
#define IRP_INPUT_OPERATION 0x00000040
#define IRP_SYNCHRONOUS_PAGING_IO 0x00000040
#define IRP_CREATE_OPERATION 0x00000080
#define IRP_READ_OPERATION 0x00000100
#define IRP_WRITE_OPERATION 0x00000200
#define IRP_CLOSE_OPERATION 0x00000400
#define IRP_DEFER_IO_COMPLETION 0x00000800
#define IRP_OB_QUERY_NAME 0x00001000
#define IRP_HOLD_DEVICE_QUEUE 0x00002000

#define IRP_MJ_CREATE 0x00
#define IRP_MJ_CREATE_NAMED_PIPE 0x01
#define IRP_MJ_CLOSE 0x02
#define IRP_MJ_READ 0x03
#define IRP_MJ_WRITE 0x04
#define IRP_MJ_QUERY_INFORMATION 0x05
#define IRP_MJ_SET_INFORMATION 0x06
#define IRP_MJ_QUERY_EA 0x07
#define IRP_MJ_SET_EA 0x08
#define IRP_MJ_FLUSH_BUFFERS 0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#define IRP_MJ_SET_VOLUME_INFORMATION 0x0b
#define IRP_MJ_DIRECTORY_CONTROL 0x0c
#define IRP_MJ_FILE_SYSTEM_CONTROL 0x0d
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#define IRP_MJ_SHUTDOWN 0x10
#define IRP_MJ_LOCK_CONTROL 0x11
#define IRP_MJ_CLEANUP 0x12
#define IRP_MJ_CREATE_MAILSLOT 0x13
#define IRP_MJ_QUERY_SECURITY 0x14
#define IRP_MJ_SET_SECURITY 0x15
#define IRP_MJ_POWER 0x16
#define IRP_MJ_SYSTEM_CONTROL 0x17
#define IRP_MJ_DEVICE_CHANGE 0x18
#define IRP_MJ_QUERY_QUOTA 0x19
#define IRP_MJ_SET_QUOTA 0x1a
#define IRP_MJ_PNP 0x1b
#define IRP_MJ_PNP_POWER IRP_MJ_PNP
#define IRP_MJ_MAXIMUM_FUNCTION 0x1b

#define SL_PENDING_RETURNED 0x01
#define SL_ERROR_RETURNED 0x02
#define SL_INVOKE_ON_CANCEL 0x20
#define SL_INVOKE_ON_SUCCESS 0x40
#define SL_INVOKE_ON_ERROR 0x80

typedef struct _IO_STACK_LOCATION {
  UCHAR MajorFunction;
  UCHAR MinorFunction;
  UCHAR Flags;
  UCHAR Control;
  union {
    struct {
      PVOID SecurityContext;
      ULONG Options;
      USHORT POINTER_ALIGNMENT FileAttributes;
      USHORT ShareAccess;
      ULONG POINTER_ALIGNMENT EaLength;
    } Create;
    struct {
      ULONG Length;
      ULONG POINTER_ALIGNMENT Key;
      ULONG Flags;
      LARGE_INTEGER ByteOffset;
    } Read;
    struct {
      ULONG Length;
      ULONG POINTER_ALIGNMENT Key;
      ULONG Flags;
      LARGE_INTEGER ByteOffset;
    } Write;
    struct {
      ULONG OutputBufferLength;
      ULONG POINTER_ALIGNMENT InputBufferLength;
      ULONG POINTER_ALIGNMENT IoControlCode;
      PVOID Type3InputBuffer;
    } DeviceIoControl;
    struct {
      PVOID Argument1;
      PVOID Argument2;
      PVOID Argument3;
      PVOID Argument4;
    } Others;
  } Parameters;
  PDEVICE_OBJECT DeviceObject;
  PFILE_OBJECT FileObject;
  PIO_COMPLETION_ROUTINE CompletionRoutine;
  PVOID Context;
} IO_STACK_LOCATION, *PIO_STACK_LOCATION;

typedef struct DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) _DEVICE_OBJECT {
  CSHORT Type;
  USHORT Size;
  LONG ReferenceCount;
  struct _DRIVER_OBJECT* DriverObject;
  struct _DEVICE_OBJECT* NextDevice;
  struct _DEVICE_OBJECT* AttachedDevice;
  struct _IRP* CurrentIrp;
  PVOID Timer;
  ULONG Flags;
  ULONG Characteristics;
  PVOID Vpb;
  PVOID DeviceExtension;
  DEVICE_TYPE DeviceType;
  CCHAR StackSize;
  ULONG AlignmentRequirement;
  KEVENT DeviceLock;
  USHORT SectorSize;
  USHORT Spare1;
  PVOID DeviceObjectExtension;
  PVOID Reserved;
} DEVICE_OBJECT;

#define DO_VERIFY_VOLUME 0x00000002
#define DO_BUFFERED_IO 0x00000004
#define DO_EXCLUSIVE 0x00000008
#define DO_DIRECT_IO 0x00000010
#define DO_MAP_IO_BUFFER 0x00000020
#define DO_DEVICE_INITIALIZING 0x00000080
#define DO_SHUTDOWN_REGISTERED 0x00000800
#define DO_BUS_ENUMERATED_DEVICE 0x00001000
#define DO_POWER_PAGABLE 0x00002000
#define DO_POWER_INRUSH 0x00004000
#define FILE_DEVICE_NETWORK 0x00000012
#define FILE_DEVICE_NULL 0x00000015
#define FILE_DEVICE_TRANSPORT 0x00000021
#define FILE_DEVICE_UNKNOWN 0x00000022
#define FILE_DEVICE_SECURE_OPEN 0x00000100
#define FILE_AUTOGENERATED_DEVICE_NAME 0x00000080

typedef struct _DRIVER_EXTENSION {
  struct _DRIVER_OBJECT* DriverObject;
  PDRIVER_ADD_DEVICE AddDevice;
  ULONG Count;
  UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

typedef struct _DRIVER_OBJECT {
  CSHORT Type;
  CSHORT Size;
  PDEVICE_OBJECT DeviceObject;
  ULONG Flags;
  PVOID DriverStart;
  ULONG DriverSize;
  PVOID DriverSection;
  PDRIVER_EXTENSION DriverExtension;
  UNICODE_STRING DriverName;
  PUNICODE_STRING HardwareDatabase;
  PVOID FastIoDispatch;
  PDRIVER_INITIALIZE DriverInit;
  PDRIVER_STARTIO DriverStartIo;
  PDRIVER_UNLOAD DriverUnload;
  PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT;

typedef struct _FILE_OBJECT {
  CSHORT Type;
  CSHORT Size;
  PDEVICE_OBJECT DeviceObject;
  PVOID Vpb;
  PVOID FsContext;
  PVOID FsContext2;
  PVOID SectionObjectPointer;
  PVOID PrivateCacheMap;
  NTSTATUS FinalStatus;
  struct _FILE_OBJECT* RelatedFileObject;
  BOOLEAN LockOperation;
  BOOLEAN DeletePending;
  BOOLEAN ReadAccess;
  BOOLEAN WriteAccess;
  BOOLEAN DeleteAccess;
  BOOLEAN SharedRead;
  BOOLEAN SharedWrite;
  BOOLEAN SharedDelete;
  ULONG Flags;
  UNICODE_STRING FileName;
  LARGE_INTEGER CurrentByteOffset;
  PVOID FsContext3;
} FILE_OBJECT;

/* ----------------------------------------------------------- stack locations ----- */

WSKPORT_KM_INLINE PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(_In_ PIRP Irp) {
  return Irp->Tail.Overlay.CurrentStackLocation;
}

WSKPORT_KM_INLINE PIO_STACK_LOCATION IoGetNextIrpStackLocation(_In_ PIRP Irp) {
  return Irp->Tail.Overlay.CurrentStackLocation - 1;
}

/** Reports a stack-location underflow (no free location below the current one) and
 *  stops, as the kernel bug-checks (NO_MORE_IRP_STACK_LOCATIONS). */
WSKPORT_KM_NORETURN VOID WskportNoMoreIrpStackLocations(_In_ PIRP Irp);

WSKPORT_KM_INLINE VOID IoSetNextIrpStackLocation(_Inout_ PIRP Irp) {
  if (Irp->CurrentLocation <= 1) WskportNoMoreIrpStackLocations(Irp);
  Irp->CurrentLocation--;
  Irp->Tail.Overlay.CurrentStackLocation--;
}

WSKPORT_KM_INLINE VOID IoSkipCurrentIrpStackLocation(_Inout_ PIRP Irp) {
  Irp->CurrentLocation++;
  Irp->Tail.Overlay.CurrentStackLocation++;
}

WSKPORT_KM_INLINE VOID IoCopyCurrentIrpStackLocationToNext(_Inout_ PIRP Irp) {
  PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
  PIO_STACK_LOCATION nextIrpSp = IoGetNextIrpStackLocation(Irp);
  memcpy(nextIrpSp, irpSp, offsetof(IO_STACK_LOCATION, CompletionRoutine));
  nextIrpSp->Control = 0;
}

/** Marks the current location pending (SL_PENDING_RETURNED), so PendingReturned is
 *  set for the routine above it at completion. */
WSKPORT_KM_INLINE VOID IoMarkIrpPending(_Inout_ PIRP Irp) {
  IoGetCurrentIrpStackLocation(Irp)->Control |= SL_PENDING_RETURNED;
}

/** Stores @p CompletionRoutine and @p Context in the NEXT stack location, to run when
 *  the IRP completes with a success status (@p InvokeOnSuccess), an error or warning
 *  status (@p InvokeOnError) or after IoCancelIrp (@p InvokeOnCancel). */
WSKPORT_KM_INLINE VOID IoSetCompletionRoutine(_In_ PIRP Irp,
                                              _In_opt_ PIO_COMPLETION_ROUTINE CompletionRoutine,
                                              _In_opt_ PVOID Context, _In_ BOOLEAN InvokeOnSuccess,
                                              _In_ BOOLEAN InvokeOnError,
                                              _In_ BOOLEAN InvokeOnCancel) {
  PIO_STACK_LOCATION irpSp = IoGetNextIrpStackLocation(Irp);
  irpSp->CompletionRoutine = CompletionRoutine;
  irpSp->Context = Context;
  irpSp->Control = 0;
  if (InvokeOnSuccess) irpSp->Control = SL_INVOKE_ON_SUCCESS;
  if (InvokeOnError) irpSp->Control |= SL_INVOKE_ON_ERROR;
  if (InvokeOnCancel) irpSp->Control |= SL_INVOKE_ON_CANCEL;
}

WSKPORT_KM_INLINE PDRIVER_CANCEL IoSetCancelRoutine(_Inout_ PIRP Irp,
                                                    _In_opt_ PDRIVER_CANCEL CancelRoutine) {
  return (PDRIVER_CANCEL)InterlockedExchangePointer((PVOID volatile*)&Irp->CancelRoutine,
                                                    (PVOID)CancelRoutine);
}

#define IoSizeOfIrp(StackSize) ((USHORT)(sizeof(IRP) + ((StackSize) * (sizeof(IO_STACK_LOCATION)))))
#define IoGetRemainingStackSize() ((ULONG_PTR)(64 * 1024))
#define IoIsErrorUserInduced(Status) ((BOOLEAN)((Status) == STATUS_IO_TIMEOUT))

/* ------------------------------------------------------------- IRP routines ----- */

/** Allocates an IRP with @p StackSize stack locations (1..127), its core completion
 *  object constructed in place; CurrentLocation = StackSize + 1. NULL if StackSize is
 *  out of range or memory is exhausted. Free it with IoFreeIrp. */
NTKERNELAPI PIRP IoAllocateIrp(_In_ CCHAR StackSize, _In_ BOOLEAN ChargeQuota);
NTKERNELAPI PIRP IoAllocateIrpEx(_In_opt_ PDEVICE_OBJECT DeviceObject, _In_ CCHAR StackSize,
                                 _In_ BOOLEAN ChargeQuota);
/** Initialises caller storage of @p PacketSize >= IoSizeOfIrp(@p StackSize) bytes as an
 *  IRP (zeroed, completion object constructed in place). */
NTKERNELAPI VOID IoInitializeIrp(_Inout_ PIRP Irp, _In_ USHORT PacketSize, _In_ CCHAR StackSize);
/** Frees an IRP from IoAllocateIrp. Freeing an IRP that a call still owns (pending) is
 *  reported and stops the process: the completion would write freed memory. */
NTKERNELAPI VOID IoFreeIrp(_In_ PIRP Irp);
/** Reinitialises a completed IRP for the next call: IoStatus.Status = @p Iostatus,
 *  stack position, Cancel, PendingReturned and routines reset. Pending: reported, fatal. */
NTKERNELAPI VOID IoReuseIrp(_Inout_ PIRP Irp, _In_ NTSTATUS Iostatus);
/** Sets Irp->Cancel and cancels the operation that owns the IRP (a pending WSK call
 *  completes with STATUS_CANCELLED), or calls the cancel routine set with
 *  IoSetCancelRoutine. TRUE if a cancel routine was called. */
NTKERNELAPI BOOLEAN IoCancelIrp(_In_ PIRP Irp);
/** Completes an IRP that the caller holds (as the driver the IRP was passed to): runs the
 *  completion routines of the locations from the current one upward, with the status in
 *  Irp->IoStatus. An IRP still pending in a WSK call is reported and left alone. */
NTKERNELAPI VOID IofCompleteRequest(_In_ PIRP Irp, _In_ CCHAR PriorityBoost);
#define IoCompleteRequest(Irp, PriorityBoost) IofCompleteRequest((Irp), (PriorityBoost))
/** Passes @p Irp to @p DeviceObject's driver: moves to the next location, sets its
 *  DeviceObject and calls the MajorFunction routine; returns what it returns. */
NTKERNELAPI NTSTATUS IofCallDriver(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
#define IoCallDriver(DeviceObject, Irp) IofCallDriver((DeviceObject), (Irp))
/** As IoSetCompletionRoutine; STATUS_SUCCESS (nothing to allocate in a process). */
NTKERNELAPI NTSTATUS IoSetCompletionRoutineEx(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                              _In_ PIO_COMPLETION_ROUTINE CompletionRoutine,
                                              _In_opt_ PVOID Context, _In_ BOOLEAN InvokeOnSuccess,
                                              _In_ BOOLEAN InvokeOnError,
                                              _In_ BOOLEAN InvokeOnCancel);

/* --------------------------------------------------------------- MDL routines ---- */

/** Allocates an MDL for [@p VirtualAddress, + @p Length) (Length 1..4 GiB - 1 page). If
 *  @p Irp is given: the MDL becomes Irp->MdlAddress, or with @p SecondaryBuffer is
 *  appended to the chain at Irp->MdlAddress. NULL on a zero length or no memory. */
NTKERNELAPI PMDL IoAllocateMdl(_In_opt_ __drv_aliasesMem PVOID VirtualAddress, _In_ ULONG Length,
                               _In_ BOOLEAN SecondaryBuffer, _In_ BOOLEAN ChargeQuota,
                               _Inout_opt_ PIRP Irp);
/** Frees an MDL from IoAllocateMdl (not its chain successors). */
NTKERNELAPI VOID IoFreeMdl(PMDL Mdl);
/** Describes [@p VirtualAddress, + @p Length) of @p SourceMdl's buffer in @p TargetMdl
 *  (Length 0 = to the end of the source). */
NTKERNELAPI VOID IoBuildPartialMdl(_In_ PMDL SourceMdl, _Inout_ PMDL TargetMdl,
                                   _In_ PVOID VirtualAddress, _In_ ULONG Length);

/* ---------------------------------------------------------------- devices -------- */

/** Creates a device object (with a zeroed extension of @p DeviceExtensionSize bytes)
 *  linked to @p DriverObject. The name is kept but not published anywhere: no other
 *  process can open it. STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES. */
NTKERNELAPI NTSTATUS IoCreateDevice(_In_ PDRIVER_OBJECT DriverObject,
                                    _In_ ULONG DeviceExtensionSize,
                                    _In_opt_ PUNICODE_STRING DeviceName,
                                    _In_ DEVICE_TYPE DeviceType, _In_ ULONG DeviceCharacteristics,
                                    _In_ BOOLEAN Exclusive, _Out_ PDEVICE_OBJECT* DeviceObject);
/** Unlinks and frees a device object. */
NTKERNELAPI VOID IoDeleteDevice(_In_ PDEVICE_OBJECT DeviceObject);
/** Symbolic links have no namespace in a process: accepted (STATUS_SUCCESS), no effect. */
NTKERNELAPI NTSTATUS IoCreateSymbolicLink(_In_ PUNICODE_STRING SymbolicLinkName,
                                          _In_ PUNICODE_STRING DeviceName);
NTKERNELAPI NTSTATUS IoDeleteSymbolicLink(_In_ PUNICODE_STRING SymbolicLinkName);

/* ---------------------------------------------------------------- work items ----- */

typedef struct _IO_WORKITEM* PIO_WORKITEM;
/** Work items run at PASSIVE_LEVEL on runtime worker threads, in queueing order; a
 *  worker is started when an item is queued and none is idle (up to 16), so an item may
 *  wait for another. QueueType is accepted and ignored. */
NTKERNELAPI PIO_WORKITEM IoAllocateWorkItem(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID IoFreeWorkItem(_In_ PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID IoQueueWorkItem(_Inout_ PIO_WORKITEM IoWorkItem,
                                 _In_ PIO_WORKITEM_ROUTINE WorkerRoutine, _In_ ULONG QueueType,
                                 _In_opt_ PVOID Context);
NTKERNELAPI VOID IoQueueWorkItemEx(_Inout_ PIO_WORKITEM IoWorkItem,
                                   _In_ PIO_WORKITEM_ROUTINE_EX WorkerRoutine, _In_ ULONG QueueType,
                                   _In_opt_ PVOID Context);
NTKERNELAPI ULONG IoSizeofWorkItem(VOID);
NTKERNELAPI VOID IoInitializeWorkItem(_In_ PVOID IoObject, _Out_ PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID IoUninitializeWorkItem(_Inout_ PIO_WORKITEM IoWorkItem);
typedef enum _WORK_QUEUE_TYPE {
  CriticalWorkQueue,
  DelayedWorkQueue,
  HyperCriticalWorkQueue,
  NormalWorkQueue,
  BackgroundWorkQueue,
  RealTimeWorkQueue,
  SuperCriticalWorkQueue,
  MaximumWorkQueue,
  CustomPriorityWorkQueue = 32
} WORK_QUEUE_TYPE;

WSKPORT_KM_END_DECLS

#endif /* WSKPORT_KM_IO_H */
