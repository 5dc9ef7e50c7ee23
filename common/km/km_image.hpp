// SPDX-License-Identifier: MIT
// Driver images (km_image.cpp): the table of the driver images loaded in this process,
// and what the runtime counts per image so that unloading one can report what it leaked.
//
// An image is a driver built by wskport_add_driver(): a shared object (a DLL on Windows)
// whose only exported symbol is DriverEntry. The runtime does not know which image is
// calling it, so it finds out from the caller's return address: every entry point that
// creates something the driver must give back (pool blocks, IRPs, MDLs, registrations,
// sockets, system threads) looks that address up in the table below. The lookup is a
// scan of at most kMaxImages address ranges, and none at all while no image is loaded
// (drivers linked into the program, as the tests do, pay one relaxed load).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define WSKPORT_KM_CALLER() _ReturnAddress()
#else
#define WSKPORT_KM_CALLER() __builtin_return_address(0)
#endif

namespace wskport::km::image {

/// At most this many images are loaded at once (the kernel has no such limit; a process
/// running more than a handful of drivers is not what this is for).
constexpr int kMaxImages = 16;

/// What an image holds that must be gone before it can be unmapped safely (a callback
/// or thread routine inside it would otherwise run in unmapped memory).
enum class Live : int { registrations, sockets, threads, count_ };

/// The image whose code contains @p address: its slot number (1..kMaxImages), or 0 for
/// none (the runtime itself, a program that links the driver in, a stray pointer).
int owner_of(const void* address) noexcept;

/// Counts one live object of image @p owner (no-op for owner 0).
void add_live(int owner, Live what, int delta) noexcept;

/// Platform half (posix/km_image_native.cpp, wsk_shim/km_image_native.cpp).
namespace native {

struct Module {
  void* handle = nullptr;
  std::uintptr_t begin = 0;  // the mapped image: [begin, end)
  std::uintptr_t end = 0;
};

/// Maps the image at @p path with its symbols kept to itself (RTLD_LOCAL; a DLL on
/// Windows). False with a message in @p error when it cannot be loaded.
bool load(const std::string& path, Module& out, std::string& error);
/// The image's exported function @p name, or null.
void* symbol(const Module& module, const char* name) noexcept;
/// Unmaps the image.
void unload(Module& module) noexcept;
/// The directory of the running program, with a trailing separator ("" if unknown).
std::string program_directory();
/// True for an absolute path or one with a directory part.
bool has_directory(const std::string& path) noexcept;

}  // namespace native

}  // namespace wskport::km::image
