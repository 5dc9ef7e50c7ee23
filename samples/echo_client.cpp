// SPDX-License-Identifier: MIT
// wskport_echo_client: drives an echo server through the WSK-style API and checks every
// echoed byte.
//
//   wskport_echo_client --port N [--host ADDRESS] [--count N] [--size N]
//                       [--connections N] [--verbose]
//
// For each connection: create a connection-category socket, bind it to the wildcard
// address (WSK connects only bound sockets), connect; then send each message and
// receive until its full echo is back; then disconnect gracefully, receive until the
// server's FIN (0 bytes), close. All connections are open at once and each round sends
// one message on every connection before collecting the echoes, so the server really
// serves them concurrently.
//
// A client may block, so each call here waits on a WaitableIrp, always with a bound. The
// exit status is 0 only if every echo matched and every call succeeded.
#include <wskport/address.hpp>
#include <wskport/irp.hpp>
#include <wskport/provider.hpp>
#include <wskport/socket.hpp>
#include <wskport/status.hpp>
#include <wskport/waitable_irp.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "sample_support.hpp"

namespace wsk = wskport;
using namespace std::chrono_literals;
using sample::address_text;
using sample::status_text;

namespace {

constexpr auto call_timeout = 10s;
using ull = unsigned long long;

// Finishes a call issued on @p irp (armed before the call): returns its final status.
// On timeout the call is cancelled; it still completes exactly once, and the IRP must
// not be reused or destroyed before then.
wsk::NTSTATUS await(wsk::WaitableIrp& irp, wsk::NTSTATUS returned, const char* what) {
  if (returned != wsk::status::pending) return returned;  // completed before returning
  if (!irp.wait_for(call_timeout)) {
    std::printf("%s: no completion within %lld s; cancelling\n", what,
                static_cast<long long>(call_timeout.count()));
    irp.cancel();
    if (!irp.wait_for(call_timeout)) {
      std::fprintf(stderr, "%s: the cancelled call did not complete (library bug)\n", what);
      std::fflush(nullptr);
      std::_Exit(3);  // a pending IRP must not be destroyed, so leave without unwinding
    }
  }
  return irp.IoStatus.Status;
}

template <class Call>
wsk::NTSTATUS run(wsk::WaitableIrp& irp, const char* what, Call call) {
  irp.arm();
  return await(irp, call(&irp), what);
}

// A counter-based generator: every byte depends on its connection, message and offset,
// so a lost, repeated or misplaced chunk shows up as a mismatch.
void fill_message(std::vector<unsigned char>& out, std::uint64_t connection,
                  std::uint64_t message) {
  std::uint64_t x =
      (connection + 1) * 0x9E3779B97F4A7C15ULL ^ (message + 1) * 0xC2B2AE3D27D4EB4FULL;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i % 8 == 0) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    out[i] = static_cast<unsigned char>(x >> (8 * (i % 8)));
  }
}

struct Options {
  wsk::Address server = wsk::Address::ipv4_loopback();
  bool port_given = false;
  std::uint16_t port = 0;
  std::uint64_t count = 5;
  std::uint64_t size = 64;
  std::uint64_t connections = 1;
  bool verbose = false;
};

struct Connection {
  unsigned number = 0;
  wsk::Socket socket{};
  bool connected = false;
  bool failed = false;
  wsk::Address local{};
  wsk::Address remote{};
  wsk::WaitableIrp irp;       // every call but send
  wsk::WaitableIrp send_irp;  // the send stays in flight while the echo is received
  wsk::NTSTATUS send_returned = wsk::status::success;
  std::vector<unsigned char> out;
  std::vector<unsigned char> in;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t receive_calls = 0;
};

class Client {
 public:
  Client(wsk::Provider& provider, const Options& options) : provider_(provider), o_(options) {
    for (std::uint64_t i = 0; i < o_.connections; ++i) {
      conns_.push_back(std::make_unique<Connection>());
      Connection& c = *conns_.back();
      c.number = static_cast<unsigned>(i + 1);
      c.out.resize(static_cast<std::size_t>(o_.size));
      c.in.resize(static_cast<std::size_t>(o_.size));
    }
    // One line per message is readable for a demo; a load run prints per connection.
    per_message_ = o_.verbose || o_.connections * o_.count <= 20;
  }

  int run_all() {
    for (auto& c : conns_) open(*c);
    for (std::uint64_t m = 0; m < o_.count; ++m) {
      for (auto& c : conns_) {
        if (c->connected && !c->failed) start_send(*c, m);
      }
      for (auto& c : conns_) {
        if (c->connected && !c->failed) collect_echo(*c, m);
      }
    }
    for (auto& c : conns_) finish(*c);
    return report();
  }

 private:
  void fail(Connection& c, const char* what, wsk::NTSTATUS st) {
    c.failed = true;
    ++failures_;
    std::printf("conn %u: FAILED: %s: %s\n", c.number, what, status_text(st).text);
  }

  void open(Connection& c) {
    const wsk::AddressFamily family = o_.server.family();
    wsk::NTSTATUS st = run(c.irp, "create_socket", [&](wsk::Irp* i) {
      return provider_.create_socket(family, wsk::SocketType::stream, wsk::Protocol::tcp,
                                     wsk::Category::connection, i);
    });
    if (st != wsk::status::success) return fail(c, "create_socket", st);
    const wsk::NTSTATUS create_st = st;
    c.socket = provider_.socket_from(c.irp.IoStatus.Information);

    const wsk::Address wildcard =
        family == wsk::AddressFamily::ipv6 ? wsk::Address::ipv6_any() : wsk::Address::ipv4_any();
    st = run(c.irp, "bind", [&](wsk::Irp* i) { return c.socket.bind(wildcard, i); });
    if (st != wsk::status::success) return fail(c, "bind", st);
    const wsk::NTSTATUS bind_st = st;

    st = run(c.irp, "connect", [&](wsk::Irp* i) { return c.socket.connect(o_.server, i); });
    if (st != wsk::status::success) return fail(c, "connect", st);
    c.connected = true;

    st = run(c.irp, "local_address",
             [&](wsk::Irp* i) { return c.socket.local_address(&c.local, i); });
    if (st != wsk::status::success) return fail(c, "local_address", st);
    st = run(c.irp, "remote_address",
             [&](wsk::Irp* i) { return c.socket.remote_address(&c.remote, i); });
    if (st != wsk::status::success) return fail(c, "remote_address", st);
    std::printf("conn %u: create %s; bind %s: %s; connect: %s; local %s, remote %s\n", c.number,
                status_text(create_st).text, address_text(wildcard).text, status_text(bind_st).text,
                status_text(st).text, address_text(c.local).text, address_text(c.remote).text);
  }

  void start_send(Connection& c, std::uint64_t message) {
    fill_message(c.out, c.number, message);
    c.send_irp.arm();
    c.send_returned = c.socket.send(c.out.data(), c.out.size(), 0, &c.send_irp);
  }

  void collect_echo(Connection& c, std::uint64_t message) {
    std::size_t got = 0;
    std::uint64_t calls = 0;
    wsk::NTSTATUS st = wsk::status::success;
    while (got < c.in.size()) {
      st = run(c.irp, "receive", [&](wsk::Irp* i) {
        return c.socket.receive(c.in.data() + got, c.in.size() - got, 0, i);
      });
      ++calls;
      if (st != wsk::status::success) break;
      const auto n = static_cast<std::size_t>(c.irp.IoStatus.Information);
      if (n == 0) break;  // the server disconnected before echoing everything
      got += n;
    }
    c.receive_calls += calls;
    c.bytes_received += got;

    // The send is always finished before going on, whatever the receive did, so no IRP
    // is left pending behind us.
    const wsk::NTSTATUS send_st = await(c.send_irp, c.send_returned, "send");
    const auto sent = static_cast<std::size_t>(c.send_irp.IoStatus.Information);
    if (send_st == wsk::status::success) c.bytes_sent += sent;

    // The receive is reported first: when the server goes away both usually fail, and
    // the receive is what the flow was waiting on.
    if (st != wsk::status::success) fail(c, "receive", st);
    if (send_st != wsk::status::success) fail(c, "send", send_st);
    if (c.failed) return;
    if (sent != c.out.size()) {
      std::printf("conn %u: FAILED: send reported %zu of %zu bytes\n", c.number, sent,
                  c.out.size());
      c.failed = true;
      ++failures_;
      return;
    }
    if (got != c.in.size()) {
      std::printf("conn %u: FAILED: message %llu: server disconnected after %zu of %zu bytes\n",
                  c.number, static_cast<ull>(message + 1), got, c.in.size());
      c.failed = true;
      ++failures_;
      return;
    }
    const auto mismatch = std::mismatch(c.in.begin(), c.in.end(), c.out.begin());
    if (mismatch.first != c.in.end()) {
      std::printf("conn %u: FAILED: message %llu: echo differs at byte %zu of %zu\n", c.number,
                  static_cast<ull>(message + 1),
                  static_cast<std::size_t>(mismatch.first - c.in.begin()), c.in.size());
      c.failed = true;
      ++failures_;
      return;
    }
    if (per_message_) {
      std::printf(
          "conn %u: message %llu: send %zu bytes: %s; receive %zu bytes in %llu call(s): %s; "
          "echo matches\n",
          c.number, static_cast<ull>(message + 1), sent, status_text(send_st).text, got,
          static_cast<ull>(calls), status_text(st).text);
    }
  }

  // Graceful end when all went well (our FIN, then the server's), abortive otherwise:
  // close on a connection not disconnected both ways resets it.
  void finish(Connection& c) {
    if (!c.socket) return;
    wsk::NTSTATUS disconnect_st = wsk::status::success;
    wsk::NTSTATUS fin_st = wsk::status::success;
    bool graceful = false;
    if (c.connected && !c.failed) {
      disconnect_st =
          run(c.irp, "disconnect", [&](wsk::Irp* i) { return c.socket.disconnect({}, 0, i); });
      if (disconnect_st != wsk::status::success) {
        fail(c, "disconnect", disconnect_st);
      } else {
        fin_st = await_server_fin(c);
        graceful = !c.failed;
      }
    }
    const wsk::NTSTATUS close_st =
        run(c.irp, "close", [&](wsk::Irp* i) { return c.socket.close(i); });
    if (close_st != wsk::status::success) fail(c, "close", close_st);
    if (graceful) {
      std::printf(
          "conn %u: disconnect: %s; receive 0 bytes (server's FIN): %s; close: %s; "
          "sent %llu bytes, received %llu bytes in %llu receive(s)\n",
          c.number, status_text(disconnect_st).text, status_text(fin_st).text,
          status_text(close_st).text, static_cast<ull>(c.bytes_sent),
          static_cast<ull>(c.bytes_received), static_cast<ull>(c.receive_calls));
    } else {
      std::printf(
          "conn %u: close (abortive, after a failure): %s; sent %llu bytes, received %llu "
          "bytes\n",
          c.number, status_text(close_st).text, static_cast<ull>(c.bytes_sent),
          static_cast<ull>(c.bytes_received));
    }
  }

  // Every echo has been read, so the next receive must report the server's FIN (0 bytes).
  wsk::NTSTATUS await_server_fin(Connection& c) {
    const wsk::NTSTATUS st = run(c.irp, "receive", [&](wsk::Irp* i) {
      return c.socket.receive(c.in.data(), c.in.size(), 0, i);
    });
    ++c.receive_calls;
    if (st != wsk::status::success) {
      fail(c, "receive after disconnect", st);
    } else if (c.irp.IoStatus.Information != 0) {
      std::printf("conn %u: FAILED: %zu unexpected bytes after disconnect\n", c.number,
                  static_cast<std::size_t>(c.irp.IoStatus.Information));
      c.failed = true;
      ++failures_;
    }
    return st;
  }

  int report() {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t ok = 0;
    for (const auto& c : conns_) {
      sent += c->bytes_sent;
      received += c->bytes_received;
      if (!c->failed) ++ok;
    }
    // IRPs count as outstanding until their routine has returned, a moment after the
    // waiter woke up: give the provider a bounded moment to settle.
    const auto deadline = std::chrono::steady_clock::now() + call_timeout;
    while ((provider_.open_sockets() != 0 || provider_.outstanding_irps() != 0) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    std::printf("provider: %zu open socket(s), %zu outstanding IRP(s)\n", provider_.open_sockets(),
                provider_.outstanding_irps());
    std::printf(
        "summary: %llu of %llu connection(s) ok, %llu message(s) of %llu bytes each, "
        "%llu bytes sent, %llu bytes received\n",
        static_cast<ull>(ok), static_cast<ull>(o_.connections), static_cast<ull>(o_.count),
        static_cast<ull>(o_.size), static_cast<ull>(sent), static_cast<ull>(received));
    if (provider_.open_sockets() != 0 || provider_.outstanding_irps() != 0) {
      std::printf("FAILED: the provider still has open sockets or outstanding IRPs\n");
      ++failures_;
    }
    if (failures_ != 0) {
      std::printf("result: FAILED (%llu problem(s), see above)\n", static_cast<ull>(failures_));
      std::fflush(stdout);
      std::fprintf(stderr, "wskport_echo_client: FAILED: %llu problem(s), see above\n",
                   static_cast<ull>(failures_));
      return 1;
    }
    std::printf("result: OK, every echo matched\n");
    return 0;
  }

  wsk::Provider& provider_;
  const Options& o_;
  std::vector<std::unique_ptr<Connection>> conns_;
  bool per_message_ = false;
  std::uint64_t failures_ = 0;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: wskport_echo_client --port N [--host ADDRESS] [--count N] [--size N]\n"
               "                           [--connections N] [--verbose]\n"
               "  --port N         the server's TCP port (required)\n"
               "  --host ADDRESS   the server's address, 127.0.0.1 (default) or ::1, ...\n"
               "  --count N        messages per connection (default 5)\n"
               "  --size N         bytes per message, 1 to 67108864 (default 64)\n"
               "  --connections N  connections open at once (default 1)\n"
               "  --verbose        one line per message even for large runs\n");
}

// Returns 0 to go on, otherwise the exit code (-1: help shown, exit 0).
int parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return -1;
    }
    if (arg == "--verbose") {
      o.verbose = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "error: %s needs a value (or is unknown)\n", argv[i]);
      usage(stderr);
      return 2;
    }
    const std::string_view value = argv[++i];
    std::uint64_t n = 0;
    bool ok = false;
    if (arg == "--port") {
      ok = sample::parse_number(value, 1, 65535, n);
      o.port = static_cast<std::uint16_t>(n);
      o.port_given = true;
    } else if (arg == "--host") {
      ok = wsk::Address::parse(value, o.server) == wsk::status::success &&
           (o.server.family() == wsk::AddressFamily::ipv4 ||
            o.server.family() == wsk::AddressFamily::ipv6);
    } else if (arg == "--count") {
      ok = sample::parse_number(value, 0, 100'000'000, o.count);
    } else if (arg == "--size") {
      ok = sample::parse_number(value, 1, 64ULL << 20, o.size);
    } else if (arg == "--connections") {
      ok = sample::parse_number(value, 1, 10'000, o.connections);
    }
    if (!ok) {
      std::fprintf(stderr, "error: bad option or value: %s %s\n", argv[i - 1], argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!o.port_given) {
    std::fprintf(stderr, "error: --port is required\n");
    usage(stderr);
    return 2;
  }
  o.server.set_port(o.port);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const int rc = parse_options(argc, argv, options); rc != 0) return rc < 0 ? 0 : rc;

  wsk::NTSTATUS st = wsk::status::success;
  const std::unique_ptr<wsk::Provider> provider = wsk::Provider::create({}, &st);
  if (!provider) {
    // The engine comes from WSKPORT_ENGINE or is the best available: say which and why.
    std::fprintf(stderr, "error: Provider::create: %s (%s)\n", status_text(st).text,
                 wsk::choose_engine().reason.c_str());
    return 1;
  }
  std::printf("echo client: server %s, %llu connection(s) x %llu message(s) of %llu bytes\n",
              address_text(options.server).text, static_cast<ull>(options.connections),
              static_cast<ull>(options.count), static_cast<ull>(options.size));
  // Scoped so the connections' IRPs are gone before the provider is destroyed.
  int rc = 0;
  {
    Client client(*provider, options);
    rc = client.run_all();
  }
  std::fflush(stdout);
  return rc;
}
