// SPDX-License-Identifier: MIT
// Driver images on Windows (km_image.hpp): a DLL whose only export is DriverEntry.
//
// Windows binds a DLL's imports per module, by DLL name, so a driver's own `connect` or
// `malloc` never replaces ws2_32's or the C runtime's for another module: the isolation
// that the ELF side gets from a version script is the platform's default here.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <string>

#include "common/km/km_image.hpp"

namespace wskport::km::image::native {

bool load(const std::string& path, Module& out, std::string& error) {
  HMODULE module = LoadLibraryA(path.c_str());
  if (module == nullptr) {
    error = "LoadLibrary failed with error " + std::to_string(GetLastError());
    return false;
  }
  // The mapped image spans SizeOfImage bytes from its base (the HMODULE).
  const auto* dos = reinterpret_cast<const IMAGE_DOS_HEADER*>(module);
  const auto* nt = reinterpret_cast<const IMAGE_NT_HEADERS*>(
      reinterpret_cast<const unsigned char*>(module) + dos->e_lfanew);
  out.handle = module;
  out.begin = reinterpret_cast<std::uintptr_t>(module);
  out.end = out.begin + nt->OptionalHeader.SizeOfImage;
  return true;
}

void* symbol(const Module& module, const char* name) noexcept {
  if (module.handle == nullptr) return nullptr;
  return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(module.handle), name));
}

void unload(Module& module) noexcept {
  if (module.handle != nullptr) FreeLibrary(static_cast<HMODULE>(module.handle));
  module = Module{};
}

std::string program_directory() {
  char buffer[MAX_PATH];
  const DWORD n = GetModuleFileNameA(nullptr, buffer, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) return std::string();
  std::string path(buffer, n);
  const auto slash = path.find_last_of("\\/");
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

bool has_directory(const std::string& path) noexcept {
  return path.find_first_of("\\/:") != std::string::npos;
}

}  // namespace wskport::km::image::native
