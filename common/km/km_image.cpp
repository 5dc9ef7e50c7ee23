// SPDX-License-Identifier: MIT
// Driver images: the table of loaded images, WskportLoadDriver and WskportUnloadDriver
// (wskport_driver.h), and the leak report at unload.
//
// What an image leaked is known because the runtime's entry points that hand out
// something the driver must give back record the image their caller is in
// (km_image.hpp); the platform half (mapping a shared object or a DLL, its address
// range) is in posix/ and wsk_shim/.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <wskport_driver.h>

#include "common/km/km_image.hpp"
#include "common/km/km_image_host.hpp"
#include "common/km/km_runtime.hpp"

// The opaque handle of wskport_driver.h is the slot itself.
struct _WSKPORT_DRIVER_IMAGE {
  // Read without a lock by owner_of() on every tracked allocation.
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};
  std::atomic<long> live[static_cast<int>(wskport::km::image::Live::count_)]{};
  // The rest changes only under g_table_lock, in load and unload.
  bool used = false;
  bool unloading = false;
  wskport::km::image::native::Module module;
  std::string path;
  std::string name;
  std::vector<WCHAR> driver_text;
  std::vector<WCHAR> service_text;
  std::vector<WCHAR> registry_text;
  DRIVER_EXTENSION extension{};
  DRIVER_OBJECT driver{};
};

namespace wskport::km::image {
namespace {

using Slot = _WSKPORT_DRIVER_IMAGE;

Slot g_slots[kMaxImages];
std::atomic<int> g_loaded{0};  // slots with an address range: owner_of's fast exit
std::mutex g_table_lock;       // load and unload, one at a time

int index_of(const Slot* slot) noexcept {
  for (int i = 0; i < kMaxImages; ++i) {
    if (&g_slots[i] == slot) return i + 1;
  }
  return 0;
}

void publish_range(Slot& slot) noexcept {
  slot.begin.store(slot.module.begin, std::memory_order_release);
  slot.end.store(slot.module.end, std::memory_order_release);
  g_loaded.fetch_add(1, std::memory_order_release);
}

// The end goes first: a reader that still sees the old begin then sees end 0 and no match.
void withdraw_range(Slot& slot) noexcept {
  slot.end.store(0, std::memory_order_release);
  slot.begin.store(0, std::memory_order_release);
  g_loaded.fetch_sub(1, std::memory_order_release);
}

void free_slot(Slot& slot) {
  slot.used = false;
  slot.unloading = false;
  slot.module = native::Module{};
  slot.path.clear();
  slot.name.clear();
  slot.driver_text.clear();
  slot.service_text.clear();
  slot.registry_text.clear();
  slot.extension = DRIVER_EXTENSION{};
  slot.driver = DRIVER_OBJECT{};
  for (auto& n : slot.live) n.store(0, std::memory_order_relaxed);
}

// Writes the leak report, fills @p out, and says whether the image may be unmapped.
bool report_leaks(Slot& slot, WSKPORT_LEAK_REPORT& out) {
  out = WSKPORT_LEAK_REPORT{};
  const int owner = index_of(&slot);
  const std::uintptr_t base = slot.module.begin;
  const std::string& name = slot.name;
  bool header_printed = false;
  const auto header = [&] {
    if (header_printed) return;
    header_printed = true;
    std::fprintf(stderr, "wskport driver %s: unloaded with leaks (%s):\n", name.c_str(),
                 slot.path.c_str());
  };
  detail::pool_disown(owner, [&](const void* block, ULONG tag, SIZE_T size, const void* caller) {
    const char* what = "pool block";
    if (tag == detail::kIrpPoolTag) {
      what = "IRP";
      ++out.Irps;
    } else if (tag == detail::kMdlPoolTag) {
      what = "MDL";
      ++out.Mdls;
    } else {
      ++out.PoolBlocks;
    }
    header();
    const auto at = reinterpret_cast<std::uintptr_t>(caller);
    std::fprintf(stderr, "  %s %p, tag '%s', %llu bytes, allocated at %s+0x%llx\n", what, block,
                 detail::tag_text(tag).text, static_cast<unsigned long long>(size), name.c_str(),
                 static_cast<unsigned long long>(at >= base ? at - base : 0));
  });
  out.Registrations = static_cast<ULONG>(slot.live[static_cast<int>(Live::registrations)].load());
  out.Sockets = static_cast<ULONG>(slot.live[static_cast<int>(Live::sockets)].load());
  out.Threads = static_cast<ULONG>(slot.live[static_cast<int>(Live::threads)].load());
  if (out.Registrations != 0) {
    header();
    std::fprintf(stderr, "  %lu WSK registration(s) not deregistered (WskDeregister)\n",
                 static_cast<unsigned long>(out.Registrations));
  }
  if (out.Sockets != 0) {
    header();
    std::fprintf(stderr, "  %lu socket(s) not closed (WskCloseSocket)\n",
                 static_cast<unsigned long>(out.Sockets));
  }
  if (out.Threads != 0) {
    header();
    std::fprintf(stderr, "  %lu system thread(s) still running in the image\n",
                 static_cast<unsigned long>(out.Threads));
  }
  out.TimersAndDpcs =
      static_cast<ULONG>(detail::timers_and_dpcs_in(slot.module.begin, slot.module.end));
  if (out.TimersAndDpcs != 0) {
    header();
    std::fprintf(stderr, "  %lu timer(s) set or DPC(s) queued in the image (KeCancelTimer)\n",
                 static_cast<unsigned long>(out.TimersAndDpcs));
  }
  const bool unmap =
      out.Registrations == 0 && out.Sockets == 0 && out.Threads == 0 && out.TimersAndDpcs == 0;
  if (!unmap) {
    std::fprintf(stderr,
                 "  the image stays mapped: its callbacks or threads may still run "
                 "(Driver Verifier: DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS)\n");
  }
  return unmap;
}

// Ends the image: report, unmap (when safe), slot freed. Under g_table_lock.
bool finish(Slot& slot, WSKPORT_LEAK_REPORT& out) {
  const bool unmap = report_leaks(slot, out);
  out.ImageUnmapped = unmap ? TRUE : FALSE;
  withdraw_range(slot);
  if (unmap) native::unload(slot.module);
  free_slot(slot);
  return out.PoolBlocks == 0 && out.Irps == 0 && out.Mdls == 0 && unmap;
}

}  // namespace

int owner_of(const void* address) noexcept {
  if (g_loaded.load(std::memory_order_relaxed) == 0) return 0;
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  for (int i = 0; i < kMaxImages; ++i) {
    const std::uintptr_t end = g_slots[i].end.load(std::memory_order_acquire);
    if (a < end && a >= g_slots[i].begin.load(std::memory_order_acquire)) return i + 1;
  }
  return 0;
}

void add_live(int owner, Live what, int delta) noexcept {
  if (owner <= 0 || owner > kMaxImages) return;
  g_slots[owner - 1].live[static_cast<int>(what)].fetch_add(delta, std::memory_order_relaxed);
}

}  // namespace wskport::km::image

using namespace wskport::km::image;
namespace host = wskport::km::host;

extern "C" NTSTATUS WskportLoadDriver(PCSTR ImagePath, PCSTR RegistryPath,
                                      PWSKPORT_DRIVER_IMAGE* Image) {
  if (Image != nullptr) *Image = nullptr;
  if (ImagePath == nullptr || ImagePath[0] == '\0' || Image == nullptr) {
    return STATUS_INVALID_PARAMETER;
  }
  std::lock_guard guard(g_table_lock);
  Slot* slot = nullptr;
  for (auto& s : g_slots) {
    if (!s.used) {
      slot = &s;
      break;
    }
  }
  if (slot == nullptr) return STATUS_TOO_MANY_SESSIONS;

  std::string path = ImagePath;
  if (!native::has_directory(path)) path = native::program_directory() + path;
  native::Module module;
  std::string error;
  if (!native::load(path, module, error)) {
    std::fprintf(stderr, "wskport: cannot load driver image %s: %s\n", path.c_str(), error.c_str());
    return STATUS_DLL_NOT_FOUND;
  }
  for (const auto& s : g_slots) {
    if (s.used && s.module.handle == module.handle) {
      native::unload(module);  // drops the reference this load took
      return STATUS_IMAGE_ALREADY_LOADED;
    }
  }
  auto* entry = reinterpret_cast<PDRIVER_INITIALIZE>(native::symbol(module, "DriverEntry"));
  if (entry == nullptr) {
    std::fprintf(stderr, "wskport: driver image %s exports no DriverEntry\n", path.c_str());
    native::unload(module);
    return STATUS_PROCEDURE_NOT_FOUND;
  }

  slot->used = true;
  slot->module = module;
  slot->path = path;
  slot->name = host::service_name(path.c_str());
  const std::string registry =
      RegistryPath != nullptr
          ? std::string(RegistryPath)
          : "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + slot->name;
  slot->driver_text = host::widen("\\Driver\\" + slot->name);
  slot->service_text = host::widen(slot->name);
  slot->registry_text = host::widen(registry);
  slot->extension.DriverObject = &slot->driver;
  slot->extension.ServiceKeyName = host::counted(slot->service_text);
  slot->driver.Type = IO_TYPE_DRIVER;
  slot->driver.Size = static_cast<CSHORT>(sizeof(DRIVER_OBJECT));
  slot->driver.DriverExtension = &slot->extension;
  slot->driver.DriverName = host::counted(slot->driver_text);
  slot->driver.DriverInit = entry;
  slot->driver.DriverStart = reinterpret_cast<PVOID>(module.begin);
  slot->driver.DriverSize = static_cast<ULONG>(module.end - module.begin);
  UNICODE_STRING registry_path = host::counted(slot->registry_text);

  // The range is published before DriverEntry, so what it allocates is counted as its own.
  publish_range(*slot);
  const NTSTATUS status = entry(&slot->driver, &registry_path);
  if (!NT_SUCCESS(status)) {
    // As Windows does: no DriverUnload after a failed DriverEntry, the image goes.
    WSKPORT_LEAK_REPORT report;
    finish(*slot, report);
    return status;
  }
  *Image = slot;
  return STATUS_SUCCESS;
}

extern "C" NTSTATUS WskportUnloadDriver(PWSKPORT_DRIVER_IMAGE Image, PWSKPORT_LEAK_REPORT Report) {
  std::unique_lock guard(g_table_lock);
  if (Image == nullptr || index_of(Image) == 0 || !Image->used || Image->unloading) {
    return STATUS_INVALID_PARAMETER;
  }
  // DriverUnload runs without the table lock: it may wait for its threads, and those may
  // still allocate (and so look the image up) or, in a test, load another image.
  PDRIVER_UNLOAD unload = Image->driver.DriverUnload;
  Image->unloading = true;  // no second unload while this one runs
  guard.unlock();
  if (unload != nullptr) unload(&Image->driver);
  guard.lock();
  WSKPORT_LEAK_REPORT report;
  const bool clean = finish(*Image, report);
  if (Report != nullptr) *Report = report;
  return clean ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
