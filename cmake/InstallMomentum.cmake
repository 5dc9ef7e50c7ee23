# SPDX-License-Identifier: MIT
# Installs wskport::momentum (the INTERFACE target of common/hooks/CMakeLists.txt) into
# the wskport package's export set, so that a consumer of an installed tree writes
#   find_package(wskport CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE wskport::momentum)
# and C code includes "connection.h" and "hooks/core/connection_post_bind.h" as the seed
# pages show. The headers themselves are installed with the others by Install.cmake
# (include/wskport/momentum/). Include this file next to cmake/Install.cmake.
install(TARGETS wskport_momentum EXPORT wskportTargets)
