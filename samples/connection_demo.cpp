// SPDX-License-Identifier: MIT
// wskport_connection_demo: the outbound connection manager (Momentum's
// initiate_connection model) against listeners this program makes for itself.
//
//   wskport_connection_demo [--verbose]
//
// Three loopback targets, made with the wskport API:
//   - a server that accepts (and closes each connection when its client leaves);
//   - a refuser: a bound socket that does not listen, so connects to it are refused;
//   - a black hole: a listener with a backlog of one that never accepts, its queue
//     filled, so a connect to it never completes (on Linux the SYN is dropped; a
//     platform that refuses instead shows "refused" there).
// Two domains, each with a bad MX (preference 10) in front of the server (preference
// 20): refusing.example (the refuser) and slow.example (the black hole). Two MultiVIP
// bindings, vip-a on 127.0.0.2 and vip-b on 127.0.0.3. A connection_post_bind hook logs
// every socket (slot, native handle, bound address, destination) and sets TCP_NODELAY
// through the wskport socket before connect runs.
//
// vip-a connects to both domains first: its bad MX fails (refused at once, or timed out
// after 500 ms) and the manager moves on to the server. The failed address is then
// marked bad for Host_Failure_Retry, so vip-b goes straight to the server. The table
// lists every address tried. Exit status 0 when all of that happened as described.
#include <wskport/address.hpp>
#include <wskport/connection/hooks.hpp>
#include <wskport/connection/manager.hpp>
#include <wskport/irp.hpp>
#include <wskport/provider.hpp>
#include <wskport/socket.hpp>
#include <wskport/status.hpp>
#include <wskport/waitable_irp.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsk = wskport;
namespace conn = wskport::connection;
using namespace std::chrono_literals;

namespace {

constexpr auto call_bound = 10s;

// Runs a call on a fresh waitable IRP with a bound. A call still pending after it is
// reported and the IRP leaked on purpose: destroying a pending IRP is undefined.
template <class Call>
wsk::NTSTATUS run(Call call) {
  auto irp = std::make_unique<wsk::WaitableIrp>();
  const wsk::NTSTATUS r = call(irp.get());
  if (r != wsk::status::pending) return r;
  if (!irp->wait_for(call_bound)) {
    std::fprintf(stderr, "a call did not complete within %lld s\n",
                 static_cast<long long>(call_bound.count()));
    (void)irp.release();
    return wsk::status::pending;
  }
  return irp->IoStatus.Status;
}

std::string text(const wsk::Address& a) { return a.to_string(); }

wsk::Address parse(const char* literal) {
  wsk::Address a;
  (void)wsk::Address::parse(literal, a);
  return a;
}

std::string status_text(wsk::NTSTATUS s) {
  char buffer[64];
  wsk::format_status(s, buffer, sizeof buffer);
  return buffer;
}

wsk::Socket make_socket(wsk::Provider& p, wsk::Category category) {
  wsk::Socket s;
  auto irp = std::make_unique<wsk::WaitableIrp>();
  const auto r = p.create_socket(wsk::AddressFamily::ipv4, wsk::SocketType::stream,
                                 wsk::Protocol::tcp, category, irp.get());
  if (r == wsk::status::pending && !irp->wait_for(call_bound)) {
    (void)irp.release();
    return s;
  }
  if (irp->IoStatus.Status == wsk::status::success) s = p.socket_from(irp->IoStatus.Information);
  return s;
}

void close_socket(const wsk::Socket& s) {
  if (s) (void)run([&](wsk::Irp* i) { return s.close(i); });
}

// An accepted connection: closed when its client goes away (a receive completes), not
// at once, so that a reset never races the client's connect. Frees itself.
struct Peer {
  wsk::Socket socket;
  unsigned char byte = 0;
  wsk::Irp receive{&Peer::on_receive, this};
  wsk::Irp close{&Peer::on_close, this};

  static void start(wsk::Socket s) {
    auto* p = new Peer;
    p->socket = s;
    (void)s.receive(&p->byte, 1, 0, &p->receive);
  }
  static void on_receive(wsk::Irp&, void* c) {
    auto* p = static_cast<Peer*>(c);
    (void)p->socket.close(&p->close);
  }
  static void on_close(wsk::Irp&, void* c) { delete static_cast<Peer*>(c); }
};

// A loopback listener. Accepting: accepts until closed. Not accepting: a black hole
// once fill() queued one connection in its backlog of one.
class Listener {
 public:
  Listener(wsk::Provider& p, bool accepting) : provider_(p) {
    socket_ = make_socket(p, wsk::Category::listen);
    if (!socket_) return;
    if (!accepting) {
      (void)run(
          [&](wsk::Irp* i) { return socket_.set_option(wsk::SocketOption::listen_backlog, 0, i); });
    }
    if (run([&](wsk::Irp* i) { return socket_.bind(wsk::Address::ipv4_loopback(), i); }) !=
            wsk::status::success ||
        run([&](wsk::Irp* i) { return socket_.local_address(&address_, i); }) !=
            wsk::status::success) {
      return;
    }
    ok_ = true;
    if (accepting) {
      pending_ = true;
      (void)socket_.accept(nullptr, nullptr, &accept_);
    }
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() {
    close_socket(socket_);  // a pending accept completes cancelled
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, call_bound, [&] { return !pending_; });
    lock.unlock();
    close_socket(filler_);
  }

  bool fill() {
    filler_ = make_socket(provider_, wsk::Category::connection);
    return filler_ &&
           run([&](wsk::Irp* i) { return filler_.bind(wsk::Address::ipv4_any(), i); }) ==
               wsk::status::success &&
           run([&](wsk::Irp* i) { return filler_.connect(address_, i); }) == wsk::status::success;
  }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::uint16_t port() const { return address_.port(); }

 private:
  static void on_accept(wsk::Irp& irp, void* context) {
    auto* self = static_cast<Listener*>(context);
    if (irp.IoStatus.Status == wsk::status::success) {
      Peer::start(self->provider_.socket_from(irp.IoStatus.Information));
      (void)self->socket_.accept(nullptr, nullptr, &self->accept_);  // keeps pending_
      return;
    }
    std::lock_guard lock(self->mutex_);
    self->pending_ = false;
    self->cv_.notify_all();
  }

  wsk::Provider& provider_;
  wsk::Socket socket_;
  wsk::Socket filler_;
  wsk::Address address_;
  bool ok_ = false;
  wsk::Irp accept_{&Listener::on_accept, this};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false;
};

// A bound socket that does not listen: connects to it are refused.
class Refuser {
 public:
  explicit Refuser(wsk::Provider& p) {
    socket_ = make_socket(p, wsk::Category::connection);
    ok_ = socket_ &&
          run([&](wsk::Irp* i) { return socket_.bind(wsk::Address::ipv4_loopback(), i); }) ==
              wsk::status::success &&
          run([&](wsk::Irp* i) { return socket_.local_address(&address_, i); }) ==
              wsk::status::success;
  }
  Refuser(const Refuser&) = delete;
  Refuser& operator=(const Refuser&) = delete;
  ~Refuser() { close_socket(socket_); }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::uint16_t port() const { return address_.port(); }

 private:
  wsk::Socket socket_;
  wsk::Address address_;
  bool ok_ = false;
};

const char* stage_name(conn::Stage s) {
  switch (s) {
    case conn::Stage::socket:
      return "socket";
    case conn::Stage::options:
      return "options";
    case conn::Stage::bind:
      return "bind";
    case conn::Stage::hook:
      return "post-bind hook";
    case conn::Stage::connect:
      return "connect";
    case conn::Stage::connected:
      return "connected";
    case conn::Stage::cancelled:
      return "cancelled";
  }
  return "?";
}

struct Row {
  std::string domain;
  std::string binding;
  conn::AttemptRecord attempt;
};

}  // namespace

int main(int argc, char** argv) {
  const bool verbose = argc > 1 && std::string_view(argv[1]) == "--verbose";
  wsk::ProviderOptions po;
  po.threads = 2;
  auto provider = wsk::Provider::create(po);
  if (!provider) {
    std::fprintf(stderr, "no provider: %s\n", wsk::choose_engine(po).reason.c_str());
    return 2;
  }

  int result = 0;
  {
    Listener server(*provider, true);
    Listener hole(*provider, false);
    Refuser refuser(*provider);
    if (!server.ok() || !hole.ok() || !refuser.ok() || !hole.fill()) {
      std::fprintf(stderr, "could not set up the local listeners\n");
      return 2;
    }

    auto mx = std::make_shared<conn::StaticMxResolver>();
    mx->add("refusing.example", {"127.0.0.1", 10, refuser.port()});
    mx->add("refusing.example", {"127.0.0.1", 20, server.port()});
    mx->add("slow.example", {"127.0.0.1", 10, hole.port()});
    mx->add("slow.example", {"127.0.0.1", 20, server.port()});

    conn::ManagerOptions options;
    options.connect_timeout = 500ms;
    options.overall_timeout = 5s;
    conn::ConnectionManager manager(*provider, mx, options);
    const int vip_a = manager.add_binding("vip-a", parse("127.0.0.2"));
    const int vip_b = manager.add_binding("vip-b", parse("127.0.0.3"));

    // The hook: log the socket and set an option on it, before connect.
    std::mutex log_mutex;
    auto hook = wsk::hooks::register_post_bind_last([&](const wsk::hooks::PostBindContext& c) {
      wsk::Address local;
      (void)run([&](wsk::Irp* i) { return c.socket->local_address(&local, i); });
      const auto set =
          run([&](wsk::Irp* i) { return c.socket->set_option(wsk::SocketOption::no_delay, 1, i); });
      std::lock_guard lock(log_mutex);
      std::printf("post-bind: slot %d, native handle %lld, bound %s -> %s, TCP_NODELAY %s\n",
                  c.binding_slot, static_cast<long long>(c.handle), text(local).c_str(),
                  text(c.destination).c_str(), set == wsk::status::success ? "set" : "failed");
      return 0;  // non-zero would abort the attempt before connect
    });

    std::vector<Row> rows;
    bool expected = true;
    for (const auto& [binding, slot] : {std::pair{"vip-a", vip_a}, {"vip-b", vip_b}}) {
      for (const char* name : {"refusing.example", "slow.example"}) {
        auto domain = manager.domain(name);
        if (domain.route_state() != conn::RouteState::resolved) {
          std::mutex m;
          std::condition_variable cv;
          bool resolved = false;
          domain.resolve([&](int) {
            std::lock_guard lock(m);
            resolved = true;
            cv.notify_all();
          });
          std::unique_lock lock(m);
          if (!cv.wait_for(lock, call_bound, [&] { return resolved; })) {
            std::fprintf(stderr, "%s: resolution did not finish\n", name);
            std::fflush(nullptr);
            std::_Exit(3);  // the callback still refers to this frame
          }
        }
        auto r = manager.initiate(domain, slot);
        if (!r) {
          std::printf("%s from %s: %s\n", name, binding,
                      std::string(conn::error_name(r.code)).c_str());
          expected = false;
          continue;
        }
        if (!r.handle.wait(call_bound)) {
          std::printf("%s from %s: no outcome within the bound\n", name, binding);
          expected = false;
          continue;
        }
        const auto attempts = r.handle->attempts();
        for (const auto& a : attempts) rows.push_back({name, binding, a});
        // vip-a meets the bad MX first; vip-b finds it marked bad and skips it.
        const bool first_round = slot == vip_a;
        const bool ok = r.handle->connected() && attempts.size() == (first_round ? 2U : 1U) &&
                        attempts.back().preference == 20 &&
                        (!first_round || attempts.front().stage == conn::Stage::connect);
        expected = expected && ok;
        if (verbose) {
          std::printf("%s from %s: %s\n", name, binding,
                      r.handle->connected() ? "connected" : "failed");
        }
      }
    }

    std::printf("\n%-17s %-6s %-16s %-16s %4s  %-10s %-16s %s\n", "domain", "vip", "source",
                "destination", "pref", "stage", "code", "status");
    for (const auto& row : rows) {
      const auto& a = row.attempt;
      std::printf("%-17s %-6s %-16s %-16s %4u  %-10s %-16s %s\n", row.domain.c_str(),
                  row.binding.c_str(), text(a.source).c_str(), text(a.destination).c_str(),
                  static_cast<unsigned>(a.preference), stage_name(a.stage),
                  a.code == 0 ? "-" : std::string(conn::error_name(a.code)).substr(9).c_str(),
                  status_text(a.status).c_str());
    }
    for (const char* name : {"refusing.example", "slow.example"}) {
      const auto views = manager.domain(name).mx();
      for (const auto& v : views) {
        std::printf("%s MX %u: %llu consecutive failure(s), %zu address(es) marked bad\n", name,
                    static_cast<unsigned>(v.preference),
                    static_cast<unsigned long long>(v.consecutive_failures),
                    v.addresses_marked_bad);
      }
    }
    std::printf("\n%s\n", expected ? "expected outcome: each domain failed over to MX 20, and "
                                     "vip-b skipped the MX marked bad"
                                   : "UNEXPECTED outcome");
    result = expected ? 0 : 1;
  }  // manager, hook, listeners closed here, before the provider
  return result;
}
