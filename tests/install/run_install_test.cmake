# SPDX-License-Identifier: MIT
# Run by ctest (tests/install/CMakeLists.txt) as `cmake -P`:
#   1. cmake --install <build> --prefix <work>/prefix
#   2. configure tests/install/consumer against <work>/prefix with the same generator,
#      compiler and flags, and check that wskport was found in <work>/prefix
#   3. build it and run it; it must exit 0 and print STATUS_SUCCESS; its WPP program must
#      print its trace;
#   4. the same for tests/install/c_driver, a project that enables only C and builds a
#      driver with wskport_add_driver(): its program must exit 0 (a clean unload) and
#      print "c_driver: ok".
cmake_minimum_required(VERSION 3.22)

if(NOT WSKPORT_INSTALL_TEST_SETTINGS OR NOT EXISTS "${WSKPORT_INSTALL_TEST_SETTINGS}")
  message(FATAL_ERROR "install test: settings file '${WSKPORT_INSTALL_TEST_SETTINGS}' missing")
endif()
include("${WSKPORT_INSTALL_TEST_SETTINGS}")

set(prefix "${WSKPORT_WORK_DIR}/prefix")
set(consumer_build "${WSKPORT_WORK_DIR}/consumer-build")
# Start from nothing, so a stale prefix can never make the test pass.
file(REMOVE_RECURSE "${WSKPORT_WORK_DIR}")
file(MAKE_DIRECTORY "${WSKPORT_WORK_DIR}")

function(run_step name)
  message(STATUS "install test: ${name}")
  execute_process(COMMAND ${ARGN}
    COMMAND_ECHO STDOUT
    RESULT_VARIABLE rc
    TIMEOUT 240)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${name} failed (${rc})")
  endif()
endfunction()

set(config_args "")
if(WSKPORT_CONFIG)
  set(config_args --config "${WSKPORT_CONFIG}")
endif()

# 1. Install.
run_step("install into ${prefix}"
  "${WSKPORT_CMAKE_COMMAND}" --install "${WSKPORT_BUILD_DIR}" --prefix "${prefix}"
  ${config_args})
foreach(expected IN ITEMS include/wskport/provider.hpp include/wskport/status.hpp)
  if(NOT EXISTS "${prefix}/${expected}")
    message(FATAL_ERROR "install test: ${prefix}/${expected} was not installed")
  endif()
endforeach()

# 2. Configure the consumer: same generator and compiler as this build; the installed
# prefix first on the search path, and no package registry, so only <prefix> can
# satisfy find_package(wskport). Cache values go through an initial-cache file, so lists
# and paths with spaces need no command-line quoting.
set(prefix_path "${prefix}")
if(WSKPORT_CMAKE_PREFIX_PATH)
  list(APPEND prefix_path ${WSKPORT_CMAKE_PREFIX_PATH})
endif()
# Configures <source> into <build> against the installed prefix, checks the package came
# from there, builds it, runs <build>/bin/<program> <args...> and checks its output.
function(consume source build program expect)
  set(init "")
  macro(init_cache var value)
    string(APPEND init "set(${var} [==[${value}]==] CACHE STRING \"\")\n")
  endmacro()
  init_cache(CMAKE_CXX_COMPILER "${WSKPORT_CMAKE_CXX_COMPILER}")
  init_cache(CMAKE_CXX_FLAGS "${WSKPORT_CMAKE_CXX_FLAGS}")
  init_cache(CMAKE_EXE_LINKER_FLAGS "${WSKPORT_CMAKE_EXE_LINKER_FLAGS}")
  init_cache(CMAKE_C_COMPILER "${WSKPORT_CMAKE_C_COMPILER}")
  init_cache(CMAKE_C_FLAGS "${WSKPORT_CMAKE_C_FLAGS}")
  init_cache(CMAKE_SHARED_LINKER_FLAGS "${WSKPORT_CMAKE_SHARED_LINKER_FLAGS}")
  init_cache(CMAKE_MODULE_LINKER_FLAGS "${WSKPORT_CMAKE_MODULE_LINKER_FLAGS}")
  init_cache(CMAKE_PREFIX_PATH "${prefix_path}")
  init_cache(CMAKE_FIND_USE_PACKAGE_REGISTRY OFF)
  init_cache(CMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY OFF)
  foreach(var IN ITEMS CMAKE_MAKE_PROGRAM CMAKE_CXX_COMPILER_LAUNCHER CMAKE_TOOLCHAIN_FILE
      CMAKE_MSVC_RUNTIME_LIBRARY CMAKE_OSX_SYSROOT CMAKE_OSX_ARCHITECTURES)
    if(WSKPORT_${var})
      init_cache(${var} "${WSKPORT_${var}}")
    endif()
  endforeach()
  if(NOT WSKPORT_MULTI_CONFIG AND WSKPORT_CONFIG)
    init_cache(CMAKE_BUILD_TYPE "${WSKPORT_CONFIG}")
  endif()
  file(WRITE "${build}-init.cmake" "${init}")

  set(configure_args
    -S "${source}" -B "${build}"
    -G "${WSKPORT_CMAKE_GENERATOR}"
    -C "${build}-init.cmake")
  if(WSKPORT_CMAKE_GENERATOR_PLATFORM)
    list(APPEND configure_args -A "${WSKPORT_CMAKE_GENERATOR_PLATFORM}")
  endif()
  if(WSKPORT_CMAKE_GENERATOR_TOOLSET)
    list(APPEND configure_args -T "${WSKPORT_CMAKE_GENERATOR_TOOLSET}")
  endif()
  run_step("configure the consumer" "${WSKPORT_CMAKE_COMMAND}" ${configure_args})

  file(STRINGS "${build}/CMakeCache.txt" found_dir REGEX "^wskport_DIR:")
  string(REGEX REPLACE "^wskport_DIR:[A-Z]+=" "" found_dir "${found_dir}")
  file(REAL_PATH "${found_dir}" found_dir)
  file(REAL_PATH "${prefix}" real_prefix)
  string(FIND "${found_dir}/" "${real_prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR
      "install test: the consumer found wskport in '${found_dir}', not under '${real_prefix}'")
  endif()
  message(STATUS "install test: wskport package found in ${found_dir}")

  run_step("build the consumer"
    "${WSKPORT_CMAKE_COMMAND}" --build "${build}" ${config_args})

  set(exe "${build}/bin/${program}")
  if(CMAKE_HOST_WIN32)
    string(APPEND exe ".exe")
  endif()
  if(NOT EXISTS "${exe}")
    message(FATAL_ERROR "install test: ${exe} was not built")
  endif()
  message(STATUS "install test: run ${exe}")
  execute_process(COMMAND "${exe}" ${ARGN}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err
    TIMEOUT 60)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: the consumer exited with ${rc}")
  endif()
  if(NOT "${out}${err}" MATCHES "${expect}")
    message(FATAL_ERROR "install test: ${program} did not print '${expect}'")
  endif()
endfunction()

consume("${WSKPORT_CONSUMER_SOURCE_DIR}" "${consumer_build}" wskport_consumer "STATUS_SUCCESS")
# The WPP consumer: its trace reaches stderr, formatted by the installed runtime.
set(wpp_exe "${consumer_build}/bin/wskport_wpp_consumer")
if(CMAKE_HOST_WIN32)
  string(APPEND wpp_exe ".exe")
endif()
execute_process(COMMAND "${wpp_exe}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT 60)
message("${out}${err}")
if(NOT rc EQUAL 0 OR NOT err MATCHES "wpp_consumer.cpp:[0-9]+ main: consumer STATUS_SUCCESS \\(0x00000000\\)")
  message(FATAL_ERROR "install test: the WPP consumer exited with ${rc} or did not trace")
endif()
consume("${WSKPORT_C_DRIVER_SOURCE_DIR}" "${WSKPORT_WORK_DIR}/c-driver-build" c_driver
  "c_driver: ok [0-9]+.*c_driver: unloaded"
  "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\c_driver")
message(STATUS "install test: passed")
