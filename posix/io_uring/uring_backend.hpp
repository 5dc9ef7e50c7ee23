// SPDX-License-Identifier: MIT
// The io_uring engine's entry points (see uring_socket.hpp for how it works).
#pragma once

#include <memory>
#include <string>

#include "common/core/backend.hpp"

namespace wskport::detail::posix::uring {

class UringSocket;

/// Whether this host can run the io_uring engine. @p reason says why not.
bool io_uring_probe(std::string& reason) noexcept;

/// The io_uring engine, or null when the host cannot run it (@p reason says why). It
/// runs its own ring thread; @p io stays the provider's loop for posted work and timers.
std::unique_ptr<Backend> make_io_uring_backend(boost::asio::io_context& io, std::string& reason);

/// Starts a connect (s.mutex held): IORING_OP_CONNECT, or at once for AF_UNIX.
Start start_connect(UringSocket& s, const Address& remote, Irp& irp) noexcept;

}  // namespace wskport::detail::posix::uring
