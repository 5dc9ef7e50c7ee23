// SPDX-License-Identifier: MIT
// Driver images on ELF systems (km_image.hpp): a shared object mapped with RTLD_LOCAL.
//
// wskport_add_driver links each image with a version script that leaves DriverEntry the
// only global symbol, so the image's own definitions (socket, connect, malloc, ...) are
// bound inside it at link time and are never candidates when the runtime or the C
// library resolve those names. RTLD_LOCAL keeps DriverEntry itself out of the global
// scope, so two images can both define it. RTLD_DEEPBIND is not used: it is what a
// library without a version script would need, and it breaks the sanitizers'
// interception of malloc and friends.
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "common/km/km_image.hpp"

namespace wskport::km::image::native {
namespace {

struct Search {
  const char* name;
  std::uintptr_t base;
  std::uintptr_t begin;
  std::uintptr_t end;
  bool found;
};

// The loaded segments' span of the object whose load base and name match.
int find_object(dl_phdr_info* info, std::size_t /*size*/, void* data) {
  auto* s = static_cast<Search*>(data);
  if (info->dlpi_addr != s->base || info->dlpi_name == nullptr ||
      std::string(info->dlpi_name) != s->name) {
    return 0;
  }
  std::uintptr_t lo = UINTPTR_MAX;
  std::uintptr_t hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (start < lo) lo = start;
    if (start + ph.p_memsz > hi) hi = start + ph.p_memsz;
  }
  if (hi == 0) return 0;
  s->begin = lo;
  s->end = hi;
  s->found = true;
  return 1;
}

}  // namespace

bool load(const std::string& path, Module& out, std::string& error) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    error = why != nullptr ? why : "dlopen failed";
    return false;
  }
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) {
    error = "dlinfo(RTLD_DI_LINKMAP) failed";
    dlclose(handle);
    return false;
  }
  Search search{map->l_name, static_cast<std::uintptr_t>(map->l_addr), 0, 0, false};
  dl_iterate_phdr(find_object, &search);
  if (!search.found) {
    error = "the image's segments were not found";
    dlclose(handle);
    return false;
  }
  out.handle = handle;
  out.begin = search.begin;
  out.end = search.end;
  return true;
}

void* symbol(const Module& module, const char* name) noexcept {
  return module.handle != nullptr ? dlsym(module.handle, name) : nullptr;
}

void unload(Module& module) noexcept {
  if (module.handle != nullptr) dlclose(module.handle);
  module = Module{};
}

std::string program_directory() {
  char buffer[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return std::string();
  std::string path(buffer, static_cast<std::size_t>(n));
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

bool has_directory(const std::string& path) noexcept { return path.find('/') != std::string::npos; }

}  // namespace wskport::km::image::native
