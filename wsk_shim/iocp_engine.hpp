// SPDX-License-Identifier: MIT
// The "iocp" engine (overlapped Winsock on Boost.Asio's completion port) as the registry
// sees it: registered by wsk_shim/CMakeLists.txt through wskport_add_engine.
#pragma once

#include <memory>
#include <string>

#include "common/core/engine_registry.hpp"

namespace wskport::detail::winsock {

/// Success when Winsock 2.2 starts; not_supported with the error otherwise.
NTSTATUS probe_iocp(std::string& reason);
/// The engine on @p io; null with @p st set (insufficient_resources, or not_supported
/// when Winsock's extension functions cannot be loaded).
std::unique_ptr<Backend> make_iocp_backend(boost::asio::io_context& io, NTSTATUS& st);

}  // namespace wskport::detail::winsock
