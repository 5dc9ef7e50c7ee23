# SPDX-License-Identifier: MIT
# Cross build for 64-bit Windows with MinGW-w64 on a Linux host (Debian:
# g++-mingw-w64-x86-64-posix), its test binaries run under Wine (Debian: wine64).
# Used by the `mingw` preset:
#   cmake --preset mingw && cmake --build --preset mingw -j2 && ctest --preset mingw
#
# - The posix-threads flavour of the compiler: std::thread and std::mutex need it.
# - -static: libstdc++, libgcc and winpthread are linked in, so Wine needs no MinGW DLL
#   (programs and DLLs alike).
# - Boost and Microsoft GSL are header-only and taken from the host's /usr/include, but
#   through a folder of links to just those two trees (cmake/HostHeaders.cmake), so the
#   host's other headers never shadow the MinGW ones.
# - GoogleTest is built from source (tests/CMakeLists.txt): find_package(GTest) would
#   find the host's Linux libraries.
# - ctest runs each test binary through cmake/wine-run.sh (CMAKE_CROSSCOMPILING_EMULATOR),
#   with a Wine prefix inside the build tree, created on first use.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_wskport_triple x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_wskport_triple}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_wskport_triple}-g++-posix)
set(CMAKE_RC_COMPILER ${_wskport_triple}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${_wskport_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# The same for DLLs (the shared kernel runtime, driver images): each brings its own copy.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static")

# Where cmake/HostHeaders.cmake finds the header-only libraries to link to.
set(WSKPORT_HOST_HEADERS "/usr/include" CACHE PATH
  "Host include directory holding boost/ and gsl/ (header-only, usable by the cross compiler)")

# ctest: <sh> wine-run.sh <wine prefix> <test.exe> <args...>
set(CMAKE_CROSSCOMPILING_EMULATOR
  "/bin/sh;${CMAKE_CURRENT_LIST_DIR}/wine-run.sh;${CMAKE_BINARY_DIR}/wineprefix")
