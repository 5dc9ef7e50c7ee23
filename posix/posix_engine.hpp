// SPDX-License-Identifier: MIT
// The "epoll" engine (today's POSIX backend on Boost.Asio's reactor) as the registry
// sees it: registered by posix/CMakeLists.txt through wskport_add_engine.
#pragma once

#include <memory>
#include <string>

#include "common/core/engine_registry.hpp"

namespace wskport::detail::posix {

/// Always success: every kernel the library builds for has epoll.
NTSTATUS probe_epoll(std::string& reason);
/// The engine on @p io; null with @p st = insufficient_resources if memory runs out.
std::unique_ptr<Backend> make_epoll_backend(boost::asio::io_context& io, NTSTATUS& st);

}  // namespace wskport::detail::posix
