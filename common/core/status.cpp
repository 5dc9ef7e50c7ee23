// SPDX-License-Identifier: MIT
// Names and printable forms of the NTSTATUS values in wskport/status.hpp.
//
// Both functions run inside completion routines and error paths (possibly while the
// process is short of memory), so neither allocates, throws or calls into the C
// library's locale-dependent formatting.
#include "wskport/status.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wskport {
namespace {

struct StatusName {
  NTSTATUS value;
  std::string_view name;
};

// One row per constant of status.hpp, in the header's order, spelled as ntstatus.h
// spells it so that a log line can be pasted into a search for the Windows value.
constexpr std::array kStatusNames{
    StatusName{status::success, "STATUS_SUCCESS"},
    StatusName{status::timeout, "STATUS_TIMEOUT"},
    StatusName{status::pending, "STATUS_PENDING"},
    StatusName{status::buffer_overflow, "STATUS_BUFFER_OVERFLOW"},
    StatusName{status::device_busy, "STATUS_DEVICE_BUSY"},
    StatusName{status::unsuccessful, "STATUS_UNSUCCESSFUL"},
    StatusName{status::not_implemented, "STATUS_NOT_IMPLEMENTED"},
    StatusName{status::access_violation, "STATUS_ACCESS_VIOLATION"},
    StatusName{status::invalid_handle, "STATUS_INVALID_HANDLE"},
    StatusName{status::invalid_parameter, "STATUS_INVALID_PARAMETER"},
    StatusName{status::invalid_device_request, "STATUS_INVALID_DEVICE_REQUEST"},
    StatusName{status::more_processing_required, "STATUS_MORE_PROCESSING_REQUIRED"},
    StatusName{status::no_memory, "STATUS_NO_MEMORY"},
    StatusName{status::access_denied, "STATUS_ACCESS_DENIED"},
    StatusName{status::buffer_too_small, "STATUS_BUFFER_TOO_SMALL"},
    StatusName{status::object_type_mismatch, "STATUS_OBJECT_TYPE_MISMATCH"},
    StatusName{status::object_name_not_found, "STATUS_OBJECT_NAME_NOT_FOUND"},
    StatusName{status::object_name_collision, "STATUS_OBJECT_NAME_COLLISION"},
    StatusName{status::object_path_not_found, "STATUS_OBJECT_PATH_NOT_FOUND"},
    StatusName{status::sharing_violation, "STATUS_SHARING_VIOLATION"},
    StatusName{status::insufficient_resources, "STATUS_INSUFFICIENT_RESOURCES"},
    StatusName{status::media_write_protected, "STATUS_MEDIA_WRITE_PROTECTED"},
    StatusName{status::device_not_ready, "STATUS_DEVICE_NOT_READY"},
    StatusName{status::pipe_disconnected, "STATUS_PIPE_DISCONNECTED"},
    StatusName{status::io_timeout, "STATUS_IO_TIMEOUT"},
    StatusName{status::file_forced_closed, "STATUS_FILE_FORCED_CLOSED"},
    StatusName{status::not_supported, "STATUS_NOT_SUPPORTED"},
    StatusName{status::network_busy, "STATUS_NETWORK_BUSY"},
    StatusName{status::request_not_accepted, "STATUS_REQUEST_NOT_ACCEPTED"},
    StatusName{status::cant_wait, "STATUS_CANT_WAIT"},
    StatusName{status::internal_error, "STATUS_INTERNAL_ERROR"},
    StatusName{status::not_a_directory, "STATUS_NOT_A_DIRECTORY"},
    StatusName{status::name_too_long, "STATUS_NAME_TOO_LONG"},
    StatusName{status::too_many_opened_files, "STATUS_TOO_MANY_OPENED_FILES"},
    StatusName{status::cancelled, "STATUS_CANCELLED"},
    StatusName{status::invalid_connection, "STATUS_INVALID_CONNECTION"},
    StatusName{status::invalid_address, "STATUS_INVALID_ADDRESS"},
    StatusName{status::invalid_device_state, "STATUS_INVALID_DEVICE_STATE"},
    StatusName{status::invalid_buffer_size, "STATUS_INVALID_BUFFER_SIZE"},
    StatusName{status::invalid_address_component, "STATUS_INVALID_ADDRESS_COMPONENT"},
    StatusName{status::address_already_exists, "STATUS_ADDRESS_ALREADY_EXISTS"},
    StatusName{status::connection_disconnected, "STATUS_CONNECTION_DISCONNECTED"},
    StatusName{status::connection_reset, "STATUS_CONNECTION_RESET"},
    StatusName{status::data_not_accepted, "STATUS_DATA_NOT_ACCEPTED"},
    StatusName{status::not_found, "STATUS_NOT_FOUND"},
    StatusName{status::connection_refused, "STATUS_CONNECTION_REFUSED"},
    StatusName{status::graceful_disconnect, "STATUS_GRACEFUL_DISCONNECT"},
    StatusName{status::address_already_associated, "STATUS_ADDRESS_ALREADY_ASSOCIATED"},
    StatusName{status::connection_active, "STATUS_CONNECTION_ACTIVE"},
    StatusName{status::network_unreachable, "STATUS_NETWORK_UNREACHABLE"},
    StatusName{status::host_unreachable, "STATUS_HOST_UNREACHABLE"},
    StatusName{status::protocol_unreachable, "STATUS_PROTOCOL_UNREACHABLE"},
    StatusName{status::port_unreachable, "STATUS_PORT_UNREACHABLE"},
    StatusName{status::connection_aborted, "STATUS_CONNECTION_ABORTED"},
    StatusName{status::no_match, "STATUS_NO_MATCH"},
    StatusName{status::nointerface, "STATUS_NOINTERFACE"},
    StatusName{status::host_down, "STATUS_HOST_DOWN"},
};

// A duplicate value would make status_name() answer with whichever row comes first,
// silently hiding the other name; catch a copy-paste slip at compile time.
constexpr bool values_unique() noexcept {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    for (std::size_t j = i + 1; j < kStatusNames.size(); ++j) {
      if (kStatusNames[i].value == kStatusNames[j].value) {
        return false;
      }
    }
  }
  return true;
}
static_assert(values_unique(), "two status names share one NTSTATUS value");

// Appends to a caller-provided buffer, always leaving room for the NUL, and drops
// whatever does not fit: a diagnostic cut short is better than no diagnostic.
class Writer {
 public:
  Writer(char* out, std::size_t size) noexcept : out_(out), size_(size) {}

  void put(char c) noexcept {
    if (out_ != nullptr && used_ + 1 < size_) {
      out_[used_++] = c;
    }
  }
  void put(std::string_view s) noexcept {
    for (const char c : s) {
      put(c);
    }
  }
  // Upper-case, eight digits: the form ntstatus.h and WinDbg print.
  void put_hex32(std::uint32_t v) noexcept {
    constexpr std::string_view digits = "0123456789ABCDEF";
    put("0x");
    for (int shift = 28; shift >= 0; shift -= 4) {
      put(digits[(v >> static_cast<unsigned>(shift)) & 0xFU]);
    }
  }
  std::size_t finish() noexcept {
    if (out_ != nullptr && size_ != 0) {
      out_[used_] = '\0';
    }
    return used_;
  }

 private:
  char* out_;
  std::size_t size_;
  std::size_t used_ = 0;
};

}  // namespace

std::string_view status_name(NTSTATUS s) noexcept {
  // Linear search: ~60 rows, called only when something is printed.
  for (const auto& row : kStatusNames) {
    if (row.value == s) {
      return row.name;
    }
  }
  return {};
}

std::size_t format_status(NTSTATUS s, char* out, std::size_t out_size) noexcept {
  Writer w(out, out_size);
  const std::string_view name = status_name(s);
  if (name.empty()) {
    w.put_hex32(static_cast<std::uint32_t>(s));
  } else {
    w.put(name);
    w.put(" (");
    w.put_hex32(static_cast<std::uint32_t>(s));
    w.put(')');
  }
  return w.finish();
}

}  // namespace wskport
