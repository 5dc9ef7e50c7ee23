# SPDX-License-Identifier: MIT
# The WSK provider (issue 5), part of wskport::km. Included by common/km/CMakeLists.txt.
target_sources(wskport_km PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/wsk_addrinfo.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_buf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_event_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_events.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_inspect.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_provider.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_registration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_socket_setup.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wsk_transfer.cpp
)

# The bridge to the core's private provider header sees Boost.Asio and so the
# platform's socket headers; it must not see the kernel headers (whose <ws2def.h>
# would shadow the platform's), so it is built without the km include path.
add_library(wskport_km_wsk_bridge OBJECT ${CMAKE_CURRENT_LIST_DIR}/wsk_core_bridge.cpp)
target_include_directories(wskport_km_wsk_bridge PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(wskport_km_wsk_bridge PRIVATE wskport::wskport Boost::headers)
wskport_set_warnings(wskport_km_wsk_bridge)
wskport_set_linkable_into_shared(wskport_km_wsk_bridge)
target_sources(wskport_km PRIVATE $<TARGET_OBJECTS:wskport_km_wsk_bridge>)
