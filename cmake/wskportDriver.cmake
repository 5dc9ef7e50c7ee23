# SPDX-License-Identifier: MIT
# wskport_add_driver(): builds a ported Windows driver as a driver image and a program
# that runs it. Included by the top-level CMakeLists.txt and by the installed package
# (wskportConfig.cmake), so in-tree and installed consumers call the same function.
#
#   wskport_add_driver(<name>
#     SOURCES <file>...              the driver's sources, unchanged (C and/or C++)
#     [WPP]                          run WPP tracing over the sources (<file>.tmh)
#     [WPP_FUNC <spec>...]           WPP custom trace functions, as tracewpp's -func:
#                                    ("TraceEvents(LEVEL,FLAGS,MSG,...)")
#     [INCLUDE_DIRECTORIES <dir>...] [COMPILE_DEFINITIONS <def>...]
#     [LINK_LIBRARIES <lib>...])
#
# Makes two targets:
#   <name>.sys  the image: a module (a shared object on ELF, a DLL on Windows) named
#               <name>.sys whose only exported symbol is DriverEntry. Everything else the
#               driver defines, its own socket(), connect(), malloc() included, is local to
#               it, as a .sys's names are to the kernel: they never replace the C
#               library's for the runtime or for another image.
#   <name>      the program `./<name> [RegistryPath]`: loads <name>.sys from its own
#               directory, calls DriverEntry, runs until Ctrl+C / SIGTERM, calls
#               DriverUnload and reports what the driver leaked (WskportDriverHostMain,
#               wskport_driver.h). Building <name> builds the image too.
#
# The sources compile as a WDK driver project compiles them (the x64 kernel branch of
# their #ifs): _WIN64, _AMD64_, AMD64, _KERNEL_MODE, NTDDI_VERSION (Windows 10),
# POOL_NX_OPTIN=1, with wskport's kernel headers (<ntddk.h>, <wdm.h>, <wsk.h>, ...) first
# on the include path. _WIN32 is not defined off Windows: code under it calls Win32.
# Works from a project that enables only C (or only C++).

include_guard(GLOBAL)

# The defines of a WDK x64 kernel-mode driver project. _WIN64 is the compiler's own on
# Windows; elsewhere it is set for the driver's #ifs only (no system header reads it).
set(WSKPORT_DRIVER_DEFINITIONS
  _AMD64_ AMD64 _KERNEL_MODE=1 NTDDI_VERSION=0x0A000000 POOL_NX_OPTIN=1
  DEPRECATE_DDK_FUNCTIONS=1 WINNT=1)
if(NOT WIN32)
  list(APPEND WSKPORT_DRIVER_DEFINITIONS _WIN64)
endif()

function(wskport_add_driver name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "WPP"
    "" "SOURCES;WPP_FUNC;INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS;LINK_LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wskport_add_driver(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "wskport_add_driver(${name}): SOURCES is required")
  endif()
  if(NOT TARGET wskport::km_runtime)
    message(FATAL_ERROR "wskport_add_driver(${name}): wskport::km_runtime is not available "
                        "(find_package(wskport) first)")
  endif()
  set(image "${name}.sys")

  add_library(${image} MODULE ${arg_SOURCES})
  # No -fvisibility=hidden: it would hide DriverEntry too (drivers do not mark it), and
  # the version script below already keeps every other name inside the image.
  set_target_properties(${image} PROPERTIES PREFIX "" OUTPUT_NAME "${name}" SUFFIX ".sys")
  target_link_libraries(${image} PRIVATE wskport::km_runtime ${arg_LINK_LIBRARIES})
  target_compile_definitions(${image} PRIVATE ${WSKPORT_DRIVER_DEFINITIONS}
    ${arg_COMPILE_DEFINITIONS})
  if(arg_INCLUDE_DIRECTORIES)
    target_include_directories(${image} PRIVATE ${arg_INCLUDE_DIRECTORIES})
  endif()

  set(exports_dir "${CMAKE_CURRENT_BINARY_DIR}/wskport_driver_${name}")
  if(WIN32)
    # A DLL that names its exports exports nothing else.
    file(CONFIGURE OUTPUT "${exports_dir}/exports.def" CONTENT "EXPORTS\n  DriverEntry\n")
    target_sources(${image} PRIVATE "${exports_dir}/exports.def")
  else()
    file(CONFIGURE OUTPUT "${exports_dir}/exports.map"
      CONTENT "/* wskport_add_driver: only DriverEntry leaves the image. */\n{ global: DriverEntry; local: *; };\n")
    target_link_options(${image} PRIVATE "LINKER:--version-script=${exports_dir}/exports.map")
    set_target_properties(${image} PROPERTIES LINK_DEPENDS "${exports_dir}/exports.map")
    # A name the kernel surface lacks is a link error naming it, not a load failure
    # (except in sanitizer builds: their runtime comes with the program).
    if(NOT CMAKE_C_FLAGS MATCHES "-fsanitize" AND NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize")
      target_link_options(${image} PRIVATE "LINKER:-z,defs")
    endif()
  endif()

  if(arg_WPP)
    if(NOT COMMAND wskport_target_wpp)
      message(FATAL_ERROR "wskport_add_driver(${name} WPP): WPP support is not available")
    endif()
    wskport_target_wpp(${image} SCAN ${arg_SOURCES} FUNC ${arg_WPP_FUNC} KM)
  endif()

  # The program: a main() that names the image, in whichever language the project has.
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages)
    set(main_source "${exports_dir}/main.c")
  else()
    set(main_source "${exports_dir}/main.cpp")
  endif()
  file(GENERATE OUTPUT "${main_source}" CONTENT
"/* Generated by wskport_add_driver(${name}): runs the driver image beside this program. */
#include <wskport_driver.h>

int main(int argc, char** argv) { return WskportDriverHostMain(argc, argv, \"$<TARGET_FILE_NAME:${image}>\"); }
")
  add_executable(${name} "${main_source}")
  target_link_libraries(${name} PRIVATE wskport::km_runtime)
  add_dependencies(${name} ${image})

  # The program finds the image in its own directory: both go to one place.
  get_target_property(out_dir ${name} RUNTIME_OUTPUT_DIRECTORY)
  if(NOT out_dir)
    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}")
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${out_dir}")
  endif()
  set_target_properties(${image} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${out_dir}" RUNTIME_OUTPUT_DIRECTORY "${out_dir}")
  if(WIN32)
    # Windows looks for the runtime DLL beside the program.
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND "${CMAKE_COMMAND}" -E copy_if_different
              "$<TARGET_FILE:wskport::km_runtime>" "$<TARGET_FILE_DIR:${name}>"
      VERBATIM)
  endif()
endfunction()
