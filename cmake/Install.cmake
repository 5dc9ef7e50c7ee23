# SPDX-License-Identifier: MIT
# install() rules and the exported CMake package.
#
# After `cmake --install <build> --prefix <prefix>`, a consumer writes
#   find_package(wskport CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE wskport::wskport)
# with <prefix> on CMAKE_PREFIX_PATH. The package installs:
#   <includedir>/wskport/...                      the public headers
#   <libdir>/libwskport.a (wskport.lib)           the library ("d" suffix for Debug)
#   <libdir>/cmake/wskport/wskportConfig.cmake    the package, its version file and targets
#   <libdir>/cmake/wskport/wskportWpp*.cmake      wskport_target_wpp() (WPP .tmh generation)
# tests/install/ checks all of this by building a consumer against an installed tree.

include(GNUInstallDirs)  # also included at the top level, before the target uses it
include(CMakePackageConfigHelpers)

set(WSKPORT_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/wskport"
  CACHE STRING "Where the wskport CMake package files are installed, relative to the prefix")
mark_as_advanced(WSKPORT_INSTALL_CMAKEDIR)

# Debug and release builds can share one prefix (and do, with multi-config generators).
get_target_property(_wskport_debug_postfix wskport DEBUG_POSTFIX)
if(NOT _wskport_debug_postfix)
  set_target_properties(wskport PROPERTIES DEBUG_POSTFIX d)
endif()

install(TARGETS wskport
  EXPORT wskportTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
# (The include directory reaches the package through the target's own
# $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>, set in the top-level CMakeLists.txt.)

# Every public header, including the km/ and momentum/ subdirectories as they appear.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/wskport"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING
  PATTERN "*.hpp"
  PATTERN "*.h")

install(EXPORT wskportTargets
  NAMESPACE wskport::
  FILE wskportTargets.cmake
  DESTINATION "${WSKPORT_INSTALL_CMAKEDIR}")

# Boost and GSL are linked as $<BUILD_INTERFACE:...> (top-level CMakeLists.txt): they are
# header-only and used only inside the library, so the package needs neither.
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/wskportConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/wskportConfig.cmake"
  INSTALL_DESTINATION "${WSKPORT_INSTALL_CMAKEDIR}"
  NO_SET_AND_CHECK_MACRO)

# 0.x: a minor version may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/package/wskportConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)

install(FILES
  "${PROJECT_BINARY_DIR}/package/wskportConfig.cmake"
  "${PROJECT_BINARY_DIR}/package/wskportConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/wskportDriver.cmake"
  DESTINATION "${WSKPORT_INSTALL_CMAKEDIR}")
# wskport_target_wpp() and its generator, which the package's config includes.
install(FILES
  "${CMAKE_CURRENT_LIST_DIR}/wskportWpp.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/wskportWppGenerate.cmake"
  DESTINATION "${WSKPORT_INSTALL_CMAKEDIR}")

unset(_wskport_debug_postfix)
unset(_wskport_type)
