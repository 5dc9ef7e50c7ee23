// SPDX-License-Identifier: MIT
// Build-time check: every NTSTATUS the core names has the same value in the kernel
// headers (wskport_km_status.h), so a status crosses the bridge unchanged.
#include "wskport/status.hpp"

#include <wdm.h>

namespace wskport::km::detail {

namespace s = wskport::status;

#define WSKPORT_SAME(km, core) static_assert((km) == (core), #km " differs from the core")
WSKPORT_SAME(STATUS_SUCCESS, s::success);
WSKPORT_SAME(STATUS_TIMEOUT, s::timeout);
WSKPORT_SAME(STATUS_PENDING, s::pending);
WSKPORT_SAME(STATUS_BUFFER_OVERFLOW, s::buffer_overflow);
WSKPORT_SAME(STATUS_DEVICE_BUSY, s::device_busy);
WSKPORT_SAME(STATUS_UNSUCCESSFUL, s::unsuccessful);
WSKPORT_SAME(STATUS_NOT_IMPLEMENTED, s::not_implemented);
WSKPORT_SAME(STATUS_ACCESS_VIOLATION, s::access_violation);
WSKPORT_SAME(STATUS_INVALID_HANDLE, s::invalid_handle);
WSKPORT_SAME(STATUS_INVALID_PARAMETER, s::invalid_parameter);
WSKPORT_SAME(STATUS_INVALID_DEVICE_REQUEST, s::invalid_device_request);
WSKPORT_SAME(STATUS_MORE_PROCESSING_REQUIRED, s::more_processing_required);
WSKPORT_SAME(STATUS_NO_MEMORY, s::no_memory);
WSKPORT_SAME(STATUS_ACCESS_DENIED, s::access_denied);
WSKPORT_SAME(STATUS_BUFFER_TOO_SMALL, s::buffer_too_small);
WSKPORT_SAME(STATUS_OBJECT_TYPE_MISMATCH, s::object_type_mismatch);
WSKPORT_SAME(STATUS_OBJECT_NAME_NOT_FOUND, s::object_name_not_found);
WSKPORT_SAME(STATUS_OBJECT_NAME_COLLISION, s::object_name_collision);
WSKPORT_SAME(STATUS_OBJECT_PATH_NOT_FOUND, s::object_path_not_found);
WSKPORT_SAME(STATUS_SHARING_VIOLATION, s::sharing_violation);
WSKPORT_SAME(STATUS_INSUFFICIENT_RESOURCES, s::insufficient_resources);
WSKPORT_SAME(STATUS_MEDIA_WRITE_PROTECTED, s::media_write_protected);
WSKPORT_SAME(STATUS_DEVICE_NOT_READY, s::device_not_ready);
WSKPORT_SAME(STATUS_PIPE_DISCONNECTED, s::pipe_disconnected);
WSKPORT_SAME(STATUS_IO_TIMEOUT, s::io_timeout);
WSKPORT_SAME(STATUS_FILE_FORCED_CLOSED, s::file_forced_closed);
WSKPORT_SAME(STATUS_NOT_SUPPORTED, s::not_supported);
WSKPORT_SAME(STATUS_NETWORK_BUSY, s::network_busy);
WSKPORT_SAME(STATUS_REQUEST_NOT_ACCEPTED, s::request_not_accepted);
WSKPORT_SAME(STATUS_CANT_WAIT, s::cant_wait);
WSKPORT_SAME(STATUS_INTERNAL_ERROR, s::internal_error);
WSKPORT_SAME(STATUS_NOT_A_DIRECTORY, s::not_a_directory);
WSKPORT_SAME(STATUS_NAME_TOO_LONG, s::name_too_long);
WSKPORT_SAME(STATUS_TOO_MANY_OPENED_FILES, s::too_many_opened_files);
WSKPORT_SAME(STATUS_CANCELLED, s::cancelled);
WSKPORT_SAME(STATUS_INVALID_CONNECTION, s::invalid_connection);
WSKPORT_SAME(STATUS_INVALID_ADDRESS, s::invalid_address);
WSKPORT_SAME(STATUS_INVALID_DEVICE_STATE, s::invalid_device_state);
WSKPORT_SAME(STATUS_INVALID_BUFFER_SIZE, s::invalid_buffer_size);
WSKPORT_SAME(STATUS_INVALID_ADDRESS_COMPONENT, s::invalid_address_component);
WSKPORT_SAME(STATUS_ADDRESS_ALREADY_EXISTS, s::address_already_exists);
WSKPORT_SAME(STATUS_CONNECTION_DISCONNECTED, s::connection_disconnected);
WSKPORT_SAME(STATUS_CONNECTION_RESET, s::connection_reset);
WSKPORT_SAME(STATUS_DATA_NOT_ACCEPTED, s::data_not_accepted);
WSKPORT_SAME(STATUS_NOT_FOUND, s::not_found);
WSKPORT_SAME(STATUS_CONNECTION_REFUSED, s::connection_refused);
WSKPORT_SAME(STATUS_GRACEFUL_DISCONNECT, s::graceful_disconnect);
WSKPORT_SAME(STATUS_ADDRESS_ALREADY_ASSOCIATED, s::address_already_associated);
WSKPORT_SAME(STATUS_CONNECTION_ACTIVE, s::connection_active);
WSKPORT_SAME(STATUS_NETWORK_UNREACHABLE, s::network_unreachable);
WSKPORT_SAME(STATUS_HOST_UNREACHABLE, s::host_unreachable);
WSKPORT_SAME(STATUS_PROTOCOL_UNREACHABLE, s::protocol_unreachable);
WSKPORT_SAME(STATUS_PORT_UNREACHABLE, s::port_unreachable);
WSKPORT_SAME(STATUS_CONNECTION_ABORTED, s::connection_aborted);
WSKPORT_SAME(STATUS_NO_MATCH, s::no_match);
WSKPORT_SAME(STATUS_NOINTERFACE, s::nointerface);
WSKPORT_SAME(STATUS_HOST_DOWN, s::host_down);
#undef WSKPORT_SAME

}  // namespace wskport::km::detail
