/* SPDX-License-Identifier: MIT */
/* ExInitializeDriverRuntime with POOL_NX_OPTIN=1 (the target defines it for this file):
 * NonPagedPool is the executable pool until DrvRtPoolNxOptIn, NonPagedPoolNx after. */
#include "km_surface_check.h"

int km_surface_driver_runtime_nx_optin(void) {
  PVOID p;
  ExDefaultNonPagedPoolType = NonPagedPoolExecute; /* a second run starts over */
  CHECK_EQ(NonPagedPoolExecute, NonPagedPool);
  ExInitializeDriverRuntime(0);
  CHECK_EQ(NonPagedPoolExecute, NonPagedPool);
  ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
  CHECK_EQ(NonPagedPoolNx, NonPagedPool);
  CHECK_EQ(NonPagedPoolNx + 4, NonPagedPoolCacheAligned);
  CHECK_EQ(MdlMappingNoExecute, ExDefaultMdlProtection);
  p = ExAllocatePoolZero(NonPagedPool, 32, 'xNrS');
  CHECK(p != NULL);
  CHECK_EQ(0, ((UCHAR*)p)[31]);
  ExFreePoolWithTag(p, 'xNrS');
  return 0;
}
