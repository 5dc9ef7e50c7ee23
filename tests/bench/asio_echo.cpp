// SPDX-License-Identifier: MIT
// bench_asio_echo: the engine wskport sits on, used directly. A single-threaded TCP echo
// server with Boost.Asio's own sockets: async_read_some into a 64 KiB buffer, then
// async_write of what was read, then the next read, as Asio's echo examples do.
//
//   bench_asio_echo [--port N]
//
// Prints PORT=<n> once listening on 127.0.0.1; exits 0 on SIGTERM or SIGINT.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t buffer_size = 64 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}
  void start() { read(); }

 private:
  void read() {
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (!ec) self->write(n);
        });
  }
  void write(std::size_t n) {
    asio::async_write(socket_, asio::buffer(buffer_.data(), n),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (!ec) self->read();
                      });
  }

  tcp::socket socket_;
  std::array<char, buffer_size> buffer_;
};

class Server {
 public:
  Server(asio::io_context& io, unsigned short port)
      : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), port)) {}
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec) {
        ++served_;
        std::make_shared<Session>(std::move(s))->start();
      }
      // Out of descriptors and the like: keep accepting, as the other servers do.
      if (ec != asio::error::operation_aborted) accept();
    });
  }
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }
  unsigned long long served() const { return served_; }

 private:
  tcp::acceptor acceptor_;
  unsigned long long served_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string_view(argv[i]) == "--port") {
      port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    }
  }
  asio::io_context io;
  Server server(io, port);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  // Stopping the loop drops the sessions with it: the process ends right after.
  signals.async_wait([&](boost::system::error_code, int) {
    server.stop();
    io.stop();
  });
  server.accept();
  std::printf("PORT=%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  io.run();
  std::printf("summary: %llu connection(s) served\n", server.served());
  return 0;
}
