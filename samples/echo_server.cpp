// SPDX-License-Identifier: MIT
// wskport_echo_server: a TCP echo server in the WSK style, driven entirely by completion
// routines (no thread per connection, no blocking on the data path).
//
//   wskport_echo_server [--port N] [--bind ADDRESS] [--threads N]
//
// Prints PORT=<n> on stdout once listening, so scripts can start it with --port 0 and
// learn the port. Runs until SIGINT or SIGTERM, then closes everything, waits until the
// provider reports no open socket and no outstanding IRP, prints a summary and exits 0.
//
// Shape of the code, as a WSK driver would have it:
// - one accept IRP, re-armed from its own completion routine;
// - per connection a receive IRP and a send IRP whose routines chain
//   receive -> send (the same bytes) -> receive; a 0-byte receive (the peer's FIN) leads
//   to a graceful disconnect and then close; any failure leads to close;
// - the per-connection state owns its IRPs and buffer and is freed by the close IRP's
//   routine, because after close completes no other completion for that socket arrives.
#include <wskport/address.hpp>
#include <wskport/irp.hpp>
#include <wskport/provider.hpp>
#include <wskport/socket.hpp>
#include <wskport/status.hpp>
#include <wskport/waitable_irp.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "sample_support.hpp"

namespace wsk = wskport;
using namespace std::chrono_literals;
using sample::address_text;
using sample::status_text;

namespace {

constexpr std::size_t buffer_size = 64 * 1024;

// --quiet: no line per connection (set once, before any connection exists).
bool quiet = false;
constexpr auto call_timeout = 10s;
constexpr auto drain_timeout = 10s;
// A listening socket that fails every accept (for example out of descriptors) would
// otherwise spin re-arming; past this many failures in a row the server gives up.
constexpr unsigned max_accept_failures = 100;

// A signal handler may only store to a volatile sig_atomic_t (or a lock-free atomic). The
// main thread polls it instead of using sigwait, which keeps the sample portable to Windows.
volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal_number) { g_stop_signal = signal_number; }

using ull = unsigned long long;

class Server;

// One accepted connection. Its IRPs chain its own work, so only one of receive, send,
// disconnect is in flight at a time; the close IRP may race them (shutdown), which the
// contract allows.
class Connection {
 public:
  explicit Connection(Server& server) noexcept : server_(server) {}

  void attach(wsk::Socket socket, std::uint64_t number) noexcept {
    socket_ = socket;
    number_ = number;
  }
  void start() noexcept { post_receive(); }

  // Close happens once, whoever asks first: the connection's own chain or the shutdown
  // path. Claiming and issuing are separate so the shutdown path can claim under the
  // server's lock (where the connection is known to be alive) and issue outside it.
  [[nodiscard]] bool claim_close() noexcept {
    return !closing_.exchange(true, std::memory_order_acq_rel);
  }
  void issue_close(const char* reason, bool has_status, wsk::NTSTATUS status) noexcept;
  void begin_close(const char* reason, bool has_status, wsk::NTSTATUS status) noexcept {
    if (claim_close()) issue_close(reason, has_status, status);
  }

  // Filled by the accept that produces this connection (they must outlive the accept
  // IRP, which is why the connection is allocated before the accept is armed).
  wsk::Address local{};
  wsk::Address remote{};

 private:
  static void on_received(wsk::Irp& irp, void* context) noexcept;
  static void on_sent(wsk::Irp& irp, void* context) noexcept;
  static void on_disconnected(wsk::Irp& irp, void* context) noexcept;
  static void on_closed(wsk::Irp& irp, void* context) noexcept;
  void post_receive() noexcept;

  Server& server_;
  wsk::Socket socket_{};
  std::uint64_t number_ = 0;
  wsk::Irp receive_irp_{&Connection::on_received, this};
  wsk::Irp send_irp_{&Connection::on_sent, this};
  wsk::Irp disconnect_irp_{&Connection::on_disconnected, this};
  wsk::Irp close_irp_{&Connection::on_closed, this};
  std::atomic<bool> closing_{false};
  // Written only by the chain, or by the winner of closing_ before it issues close; the
  // library orders those writes before the close routine that reads them.
  std::size_t echo_size_ = 0;
  std::uint64_t bytes_echoed_ = 0;
  const char* close_reason_ = "";
  bool close_has_status_ = false;
  wsk::NTSTATUS close_status_ = wsk::status::success;
  // Not zeroed: only bytes just received are sent back, and untouched pages of an idle
  // connection's buffer cost no memory.
  std::array<std::byte, buffer_size> buffer_;
};

class Server {
 public:
  Server(wsk::Provider& provider, wsk::Socket listener) noexcept
      : provider_(provider), listener_(listener) {}

  // Arms the first accept; false if the connection state could not be allocated.
  bool start() noexcept { return arm_accept(); }

  // Claims the close of every open connection not already closing itself. A claimed
  // connection stays allocated until the close we then issue completes, because only
  // the claimant closes and only the close routine frees. Close is issued outside the
  // lock: its routine may run inline and takes the lock to unregister.
  std::vector<Connection*> claim_open_connections() {
    std::vector<Connection*> claimed;
    std::lock_guard lock(mutex_);
    claimed.reserve(open_.size());
    for (Connection* c : open_) {
      if (c->claim_close()) claimed.push_back(c);
    }
    return claimed;
  }

  void unregister(Connection* c, std::uint64_t bytes_echoed) noexcept {
    bytes_echoed_.fetch_add(bytes_echoed, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    open_.erase(c);
  }

  [[nodiscard]] bool accept_failed() const noexcept {
    return accept_failed_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::uint64_t connections_served() const noexcept {
    return served_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t bytes_echoed() const noexcept {
    return bytes_echoed_.load(std::memory_order_relaxed);
  }

 private:
  bool arm_accept() noexcept {
    // The next connection's state exists before the accept is issued: its address
    // fields receive the accept's output, and a failed allocation is found here, where
    // no accepted socket is left without an IRP to close it.
    spare_.reset(new (std::nothrow) Connection(*this));
    if (!spare_) {
      std::fprintf(stderr, "accept: out of memory for connection state; no longer accepting\n");
      accept_failed_.store(true, std::memory_order_release);
      return false;
    }
    // Quiet, nothing prints the addresses: not asking saves a getsockname per accept.
    if (quiet) {
      listener_.accept(nullptr, nullptr, &accept_irp_);
    } else {
      listener_.accept(&spare_->local, &spare_->remote, &accept_irp_);
    }
    return true;
  }

  static void on_accepted(wsk::Irp& irp, void* context) noexcept {
    auto& self = *static_cast<Server*>(context);
    const wsk::NTSTATUS st = irp.IoStatus.Status;
    if (st == wsk::status::success) {
      self.accept_failures_ = 0;
      const std::uint64_t number = self.served_.fetch_add(1, std::memory_order_relaxed) + 1;
      Connection* c = self.spare_.release();
      if (!quiet) {
        std::fprintf(stderr, "connection #%llu accepted: local %s, remote %s (accept %s)\n",
                     static_cast<ull>(number), address_text(c->local).text,
                     address_text(c->remote).text, status_text(st).text);
      }
      c->attach(self.provider_.socket_from(irp.IoStatus.Information), number);
      {
        std::lock_guard lock(self.mutex_);
        self.open_.insert(c);
      }
      c->start();
    } else if (st == wsk::status::cancelled || st == wsk::status::file_forced_closed ||
               st == wsk::status::invalid_handle) {
      // The listening socket was closed (shutdown): this accept chain ends here.
      std::fprintf(stderr, "accept completed with %s: listening socket closed\n",
                   status_text(st).text);
      return;
    } else {
      std::fprintf(stderr, "accept failed: %s\n", status_text(st).text);
      if (++self.accept_failures_ >= max_accept_failures) {
        std::fprintf(stderr, "accept failed %u times in a row; no longer accepting\n",
                     self.accept_failures_);
        self.accept_failed_.store(true, std::memory_order_release);
        return;
      }
    }
    self.arm_accept();
  }

  wsk::Provider& provider_;
  wsk::Socket listener_;
  wsk::Irp accept_irp_{&Server::on_accepted, this};
  std::unique_ptr<Connection> spare_;  // accept chain only
  unsigned accept_failures_ = 0;       // accept chain only
  std::atomic<bool> accept_failed_{false};
  std::atomic<std::uint64_t> served_{0};
  std::atomic<std::uint64_t> bytes_echoed_{0};
  std::mutex mutex_;
  std::unordered_set<Connection*> open_;
};

void Connection::post_receive() noexcept {
  // Every accepted call completes the IRP and runs on_received, whatever the call
  // returns, so the return value carries nothing the routine will not see.
  socket_.receive(buffer_.data(), buffer_.size(), 0, &receive_irp_);
}

void Connection::issue_close(const char* reason, bool has_status, wsk::NTSTATUS status) noexcept {
  close_reason_ = reason;
  close_has_status_ = has_status;
  close_status_ = status;
  socket_.close(&close_irp_);
}

void Connection::on_received(wsk::Irp& irp, void* context) noexcept {
  auto& self = *static_cast<Connection*>(context);
  const wsk::NTSTATUS st = irp.IoStatus.Status;
  if (st != wsk::status::success) {
    self.begin_close("receive failed:", true, st);
    return;
  }
  self.echo_size_ = static_cast<std::size_t>(irp.IoStatus.Information);
  if (self.echo_size_ == 0) {
    // The peer sent FIN and will send nothing more: answer with our own FIN once the
    // echoes already queued are out, so the peer sees an orderly end of stream.
    if (!quiet) {
      std::fprintf(stderr, "connection #%llu: peer disconnected (0-byte receive); disconnecting\n",
                   static_cast<ull>(self.number_));
    }
    self.socket_.disconnect({}, 0, &self.disconnect_irp_);
    return;
  }
  self.socket_.send(self.buffer_.data(), self.echo_size_, 0, &self.send_irp_);
}

void Connection::on_sent(wsk::Irp& irp, void* context) noexcept {
  auto& self = *static_cast<Connection*>(context);
  const wsk::NTSTATUS st = irp.IoStatus.Status;
  if (st != wsk::status::success) {
    self.begin_close("send failed:", true, st);
    return;
  }
  // A successful send takes every byte; anything else would be a library bug, and
  // echoing on would corrupt the stream.
  if (irp.IoStatus.Information != self.echo_size_) {
    self.begin_close("short send (library bug)", false, st);
    return;
  }
  self.bytes_echoed_ += self.echo_size_;
  self.post_receive();
}

void Connection::on_disconnected(wsk::Irp& irp, void* context) noexcept {
  auto& self = *static_cast<Connection*>(context);
  const wsk::NTSTATUS st = irp.IoStatus.Status;
  self.begin_close(st == wsk::status::success ? "graceful disconnect:" : "disconnect failed:", true,
                   st);
}

void Connection::on_closed(wsk::Irp& irp, void* context) noexcept {
  auto* self = static_cast<Connection*>(context);
  // A failed close is reported even when quiet.
  if (!quiet || irp.IoStatus.Status != wsk::status::success) {
    std::fprintf(stderr, "connection #%llu closed (%s%s%s): %llu bytes echoed, close %s\n",
                 static_cast<ull>(self->number_), self->close_reason_,
                 self->close_has_status_ ? " " : "",
                 self->close_has_status_ ? status_text(self->close_status_).text : "",
                 static_cast<ull>(self->bytes_echoed_), status_text(irp.IoStatus.Status).text);
  }
  self->server_.unregister(self, self->bytes_echoed_);
  // The routine may destroy its own IRP; nothing touches it after this returns.
  delete self;
}

// Runs one setup or teardown call to completion with a bounded wait.
template <class Call>
wsk::NTSTATUS run_sync(wsk::WaitableIrp& irp, Call call) {
  irp.arm();
  const wsk::NTSTATUS returned = call(&irp);
  if (returned != wsk::status::pending) return returned;
  if (!irp.wait_for(call_timeout)) {
    irp.cancel();
    if (!irp.wait_for(call_timeout)) {
      // Destroying a pending IRP is not allowed; leaving is the only safe move.
      std::fprintf(stderr, "error: a cancelled call did not complete (library bug)\n");
      std::fflush(nullptr);
      std::_Exit(3);
    }
  }
  return irp.IoStatus.Status;
}

bool wait_drained(wsk::Provider& provider, std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (provider.open_sockets() != 0 || provider.outstanding_irps() != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: wskport_echo_server [--port N] [--bind ADDRESS] [--threads N]\n"
               "  --port N        TCP port, 0 = any free port (default 0)\n"
               "  --bind ADDRESS  local address: 127.0.0.1 (default), ::1, 0.0.0.0, ::\n"
               "  --threads N     provider threads running completions (default 2)\n"
               "  --quiet         no line per connection (errors are still printed)\n"
               "Prints PORT=<n> once listening; stops on SIGINT or SIGTERM.\n");
}

struct Options {
  wsk::Address bind = wsk::Address::ipv4_loopback();
  bool port_given = false;
  std::uint16_t port = 0;
  unsigned threads = 2;
};

// Returns 0 to go on, otherwise the exit code.
int parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return -1;
    }
    if (arg == "--quiet") {
      quiet = true;
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
      ok = sample::parse_number(value, 0, 65535, n);
      o.port = static_cast<std::uint16_t>(n);
      o.port_given = true;
    } else if (arg == "--threads") {
      ok = sample::parse_number(value, 1, 256, n);
      o.threads = static_cast<unsigned>(n);
    } else if (arg == "--bind") {
      // A TCP server: AF_UNIX parses but is not what this sample serves.
      ok = wsk::Address::parse(value, o.bind) == wsk::status::success &&
           (o.bind.family() == wsk::AddressFamily::ipv4 ||
            o.bind.family() == wsk::AddressFamily::ipv6);
    }
    if (!ok) {
      std::fprintf(stderr, "error: bad option or value: %s %s\n", argv[i - 1], argv[i]);
      usage(stderr);
      return 2;
    }
  }
  // --port wins over a port written into --bind ("127.0.0.1:7000").
  if (o.port_given) o.bind.set_port(o.port);
  return 0;
}

const char* signal_name(int s) {
  if (s == SIGINT) return "SIGINT";
  if (s == SIGTERM) return "SIGTERM";
  return "signal";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const int rc = parse_options(argc, argv, options); rc != 0) return rc < 0 ? 0 : rc;

  // Installed before PORT= is printed, so a script that stops the server as soon as it
  // has read the port still gets an orderly shutdown.
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);

  wsk::ProviderOptions provider_options;
  provider_options.threads = options.threads;
  wsk::NTSTATUS st = wsk::status::success;
  const std::unique_ptr<wsk::Provider> provider = wsk::Provider::create(provider_options, &st);
  if (!provider) {
    // The engine comes from WSKPORT_ENGINE or is the best available: say which and why.
    std::fprintf(stderr, "error: Provider::create: %s (%s)\n", status_text(st).text,
                 wsk::choose_engine(provider_options).reason.c_str());
    return 1;
  }
  std::fprintf(stderr, "provider: engine %.*s, %u thread(s)\n",
               static_cast<int>(provider->engine_name().size()), provider->engine_name().data(),
               options.threads);

  wsk::WaitableIrp irp;  // for the few synchronous-style calls of setup and teardown
  st = run_sync(irp, [&](wsk::Irp* i) {
    return provider->create_socket(options.bind.family(), wsk::SocketType::stream,
                                   wsk::Protocol::tcp, wsk::Category::listen, i);
  });
  std::fprintf(stderr, "create listening socket: %s\n", status_text(st).text);
  if (st != wsk::status::success) return 1;
  const wsk::Socket listener = provider->socket_from(irp.IoStatus.Information);

  // On a listen-category socket, bind also starts listening (as in WSK).
  st = run_sync(irp, [&](wsk::Irp* i) { return listener.bind(options.bind, i); });
  std::fprintf(stderr, "bind %s: %s\n", address_text(options.bind).text, status_text(st).text);
  wsk::Address local;
  if (st == wsk::status::success) {
    st = run_sync(irp, [&](wsk::Irp* i) { return listener.local_address(&local, i); });
    if (st != wsk::status::success) {
      std::fprintf(stderr, "local_address: %s\n", status_text(st).text);
    }
  }
  if (st != wsk::status::success) {
    run_sync(irp, [&](wsk::Irp* i) { return listener.close(i); });
    return 1;
  }
  std::fprintf(stderr, "listening on %s\n", address_text(local).text);
  std::printf("PORT=%u\n", static_cast<unsigned>(local.port()));
  std::fflush(stdout);

  // Declared after the provider so it is destroyed first: its IRPs must be idle by then.
  Server server(*provider, listener);
  server.start();

  while (g_stop_signal == 0 && !server.accept_failed()) std::this_thread::sleep_for(50ms);
  const int stop_signal = g_stop_signal;
  if (stop_signal != 0) {
    std::fprintf(stderr, "%s received: shutting down\n", signal_name(stop_signal));
  } else {
    std::fprintf(stderr, "accepting failed: shutting down\n");
  }

  // Closing the listening socket cancels its pending accept, and completes only after
  // the accept routine has returned, so no connection can be added after this.
  st = run_sync(irp, [&](wsk::Irp* i) { return listener.close(i); });
  std::fprintf(stderr, "close listening socket: %s\n", status_text(st).text);

  const std::vector<Connection*> open = server.claim_open_connections();
  std::fprintf(stderr, "closing %zu open connection(s)\n", open.size());
  for (Connection* c : open) c->issue_close("server shutdown", false, wsk::status::success);

  bool clean = wait_drained(*provider, drain_timeout);
  if (!clean) {
    std::fprintf(stderr,
                 "error: after %lld s still %zu open socket(s), %zu outstanding IRP(s); "
                 "forcing provider shutdown\n",
                 static_cast<long long>(drain_timeout.count()), provider->open_sockets(),
                 provider->outstanding_irps());
    // Forced close completes what is pending; the routines then close their sockets.
    provider->shutdown();
    if (!wait_drained(*provider, drain_timeout)) {
      std::fprintf(stderr, "error: sockets still open after forced shutdown; exiting\n");
      std::fflush(nullptr);
      std::_Exit(1);  // pending IRPs must not be destroyed
    }
  }
  std::fprintf(stderr, "provider: %zu open socket(s), %zu outstanding IRP(s)\n",
               provider->open_sockets(), provider->outstanding_irps());
  std::printf("summary: %llu connection(s) served, %llu byte(s) echoed\n",
              static_cast<ull>(server.connections_served()),
              static_cast<ull>(server.bytes_echoed()));
  std::fflush(stdout);
  return clean && !server.accept_failed() ? 0 : 1;
}
