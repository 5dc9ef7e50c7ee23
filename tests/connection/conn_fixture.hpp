// SPDX-License-Identifier: MIT
// Fixture of the connection-manager suite: a provider, a manager over a static MX
// table, and local servers built with the wskport API itself:
//   - Server::accepting: accepts and closes every connection, remembering each peer;
//   - Server::silent:    listens and never accepts (a backlog the test may fill);
//   - Refuser:           a bound, non-listening socket: connecting to it is refused,
//                        and nobody else can take its port meanwhile.
// Every address is on this machine; every port is chosen by the system (bind to 0).
// The one platform call, getsockname() on a hook's native handle, is behind
// native_local_address().
// Every wait is bounded; no assertion is about speed.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#endif

#include "support/harness.hpp"
#include "support/platform.hpp"
#include "wskport/address.hpp"
#include "wskport/connection/manager.hpp"
#include "wskport/irp.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"
#include "wskport/waitable_irp.hpp"

namespace wskport::conntest {

using namespace std::chrono_literals;
using connection::Clock;
using test::wait_until;

inline constexpr auto bound = 10s;  // for one callback or one call; never a speed claim

/// Runs one call on a waitable IRP and waits (bounded) for it; on timeout the IRP is
/// leaked on purpose (destroying a pending IRP is undefined) and status::pending
/// returned.
template <class Call>
NTSTATUS run_call(Call&& call, std::chrono::milliseconds limit = bound) {
  auto irp = std::make_unique<WaitableIrp>();
  const NTSTATUS r = call(irp.get());
  if (r != status::pending) return r;
  if (!irp->wait_for(limit)) {
    (void)irp.release();
    return status::pending;
  }
  return irp->IoStatus.Status;
}

/// A socket created on @p p, or an empty one.
inline Socket make_socket(Provider& p, AddressFamily family, Category category) {
  auto irp = std::make_unique<WaitableIrp>();
  if (p.create_socket(family, SocketType::stream, Protocol::tcp, category, irp.get()) ==
      status::pending) {
    if (!irp->wait_for(bound)) {
      (void)irp.release();
      return {};
    }
  }
  if (irp->IoStatus.Status != status::success) return {};
  return p.socket_from(irp->IoStatus.Information);
}

inline void close_socket(Socket s) {
  if (s) (void)run_call([&](Irp* i) { return s.close(i); });
}

/// A loopback server on its own port.
class Server {
 public:
  enum class Mode { accepting, silent };

  Server(Provider& p, const Address& where, Mode mode, std::uint32_t backlog = 0)
      : provider_(p), accept_irp_(&Server::on_accept, this) {
    listener_ = make_socket(p, where.family(), Category::listen);
    if (!listener_) return;
    if (mode == Mode::silent) {
      (void)run_call(
          [&](Irp* i) { return listener_.set_option(SocketOption::listen_backlog, backlog, i); });
    }
    if (run_call([&](Irp* i) { return listener_.bind(where, i); }) != status::success) return;
    if (run_call([&](Irp* i) { return listener_.local_address(&address_, i); }) !=
        status::success) {
      return;
    }
    ok_ = true;
    if (mode == Mode::accepting) {
      {
        std::lock_guard lock(mutex_);
        accept_pending_ = true;
      }
      issue_accept();
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() { stop(); }

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const Address& address() const { return address_; }
  [[nodiscard]] std::uint16_t port() const { return address_.port(); }

  [[nodiscard]] std::size_t accepted() const {
    std::lock_guard lock(mutex_);
    return peers_.size();
  }
  [[nodiscard]] std::vector<Address> peers() const {
    std::lock_guard lock(mutex_);
    return peers_;
  }
  bool wait_accepted(std::size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return peers_.size() >= n; });
  }

  /// Fills a silent server's accept queue: connects clients until two in a row do not
  /// complete within half a second each (one slow connect under load must not pass for
  /// a full queue). @return true if the queue is full (a later connect will hang);
  /// false if the platform refused instead or nothing could be made to hang.
  bool fill_backlog() {
    int hanging = 0;
    for (int i = 0; i < 16 && hanging < 2; ++i) {
      Socket s = make_socket(provider_, address_.family(), Category::connection);
      if (!s) return false;
      const Address any =
          address_.family() == AddressFamily::ipv6 ? Address::ipv6_any() : Address::ipv4_any();
      if (run_call([&](Irp* irp) { return s.bind(any, irp); }) != status::success) {
        close_socket(s);
        return false;
      }
      auto irp = std::make_unique<WaitableIrp>();
      const NTSTATUS r = s.connect(address_, irp.get());
      if (r == status::pending && !irp->wait_for(500ms)) {
        // The SYN was dropped, or this connect is slow. Closing cancels it.
        close_socket(s);
        if (!irp->wait_for(bound)) (void)irp.release();
        if (irp && irp->IoStatus.Status == status::success) {
          hanging = 0;  // it did complete (just before the close): not full yet
        } else {
          ++hanging;
        }
        continue;
      }
      hanging = 0;
      fillers_.push_back(s);
      if (irp->IoStatus.Status != status::success) return false;
    }
    return hanging >= 2;
  }

  void stop() {
    if (stopped_ || !listener_) return;
    stopped_ = true;
    // The listener keeps its value: the accept routine may still read it. Closing
    // cancels the pending accept, and a re-issued one fails at once.
    close_socket(listener_);
    {
      std::unique_lock lock(mutex_);
      EXPECT_TRUE(cv_.wait_for(lock, bound, [&] { return !accept_pending_; }));
    }
    for (auto& s : fillers_) close_socket(s);
    fillers_.clear();
  }

 private:
  // An accepted connection, closed once its client is gone (a receive completes). Not
  // closed at once: a reset racing the client's connect completion would make the
  // client see its connect fail. Frees itself in its last completion routine.
  struct Peer {
    Socket socket;
    unsigned char byte = 0;
    Irp receive{&Peer::on_receive, this};
    Irp close{&Peer::on_close, this};

    static void start(Socket s) {
      auto* p = new Peer;
      p->socket = s;
      (void)s.receive(&p->byte, 1, 0, &p->receive);
    }
    static void on_receive(Irp&, void* context) {
      auto* p = static_cast<Peer*>(context);
      (void)p->socket.close(&p->close);
    }
    static void on_close(Irp&, void* context) { delete static_cast<Peer*>(context); }
  };

  // Only with accept_pending_ set: it stays set from here until an accept fails.
  void issue_accept() { (void)listener_.accept(nullptr, &peer_, &accept_irp_); }

  static void on_accept(Irp& irp, void* context) {
    auto* self = static_cast<Server*>(context);
    if (irp.IoStatus.Status == status::success) {
      Peer::start(self->provider_.socket_from(irp.IoStatus.Information));
      {
        std::lock_guard lock(self->mutex_);
        self->peers_.push_back(self->peer_);
        self->cv_.notify_all();
      }
      self->issue_accept();
      return;
    }
    std::lock_guard lock(self->mutex_);
    self->accept_pending_ = false;
    self->cv_.notify_all();
  }

  Provider& provider_;
  Socket listener_;
  Address address_;
  Address peer_;
  bool ok_ = false;
  bool stopped_ = false;
  Irp accept_irp_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool accept_pending_ = false;
  std::vector<Address> peers_;
  std::vector<Socket> fillers_;
};

/// A bound socket that does not listen: connects to its address are refused.
class Refuser {
 public:
  Refuser(Provider& p, const Address& where) {
    socket_ = make_socket(p, where.family(), Category::connection);
    if (!socket_) return;
    if (run_call([&](Irp* i) { return socket_.bind(where, i); }) != status::success) return;
    ok_ = run_call([&](Irp* i) { return socket_.local_address(&address_, i); }) == status::success;
  }
  Refuser(const Refuser&) = delete;
  Refuser& operator=(const Refuser&) = delete;
  ~Refuser() { close_socket(socket_); }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::uint16_t port() const { return address_.port(); }

 private:
  Socket socket_;
  Address address_;
  bool ok_ = false;
};

/// Records callbacks of one connection (which one ran, and the code it saw).
struct Outcome {
  std::mutex mutex;
  std::condition_variable cv;
  int finishes = 0;
  int timeouts = 0;
  int code = -1;
  bool connected = false;
  std::thread::id thread;

  connection::ConnectCallbacks callbacks() {
    connection::ConnectCallbacks cb;
    cb.finish = [this](connection::Connection c) { record(c, false); };
    cb.timeout = [this](connection::Connection c) { record(c, true); };
    return cb;
  }
  bool wait() {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, bound, [&] { return finishes + timeouts > 0; });
  }
  int calls() {
    std::lock_guard lock(mutex);
    return finishes + timeouts;
  }

 private:
  void record(connection::Connection c, bool timeout) {
    std::lock_guard lock(mutex);
    (timeout ? timeouts : finishes) += 1;
    code = c.code();
    connected = c.connected();
    thread = std::this_thread::get_id();
    cv.notify_all();
  }
};

// getsockname() on a native handle, as a post-bind hook written against the seed would
// call it: the one platform call of this suite.
/// The local address of native socket @p handle, or nullopt.
inline std::optional<Address> native_local_address(std::intptr_t handle) {
  sockaddr_storage ss{};
#ifdef _WIN32
  int length = sizeof ss;
  const int rc =
      ::getsockname(static_cast<SOCKET>(handle), reinterpret_cast<sockaddr*>(&ss), &length);
#else
  socklen_t length = sizeof ss;
  const int rc = ::getsockname(static_cast<int>(handle), reinterpret_cast<sockaddr*>(&ss), &length);
#endif
  if (rc != 0) return std::nullopt;
  Address a;
  if (Address::from_native(&ss, static_cast<std::size_t>(length), a) != status::success) {
    return std::nullopt;
  }
  return a;
}

inline Address v4(const char* text, std::uint16_t port = 0) {
  Address a;
  EXPECT_EQ(Address::parse(text, a), status::success) << text;
  a.set_port(port);
  return a;
}

class ConnectionTest : public ::testing::Test {
 protected:
  virtual connection::ManagerOptions manager_options() {
    connection::ManagerOptions o;
    o.connect_timeout = bound;
    o.overall_timeout = 2 * bound;
    return o;
  }

  void SetUp() override {
    ProviderOptions po;
    po.threads = 2;
    provider_ = Provider::create(po);
    ASSERT_TRUE(provider_);
    mx_ = std::make_shared<connection::StaticMxResolver>();
    manager_ = std::make_unique<connection::ConnectionManager>(*provider_, mx_, manager_options());
  }

  void TearDown() override {
    servers_.clear();
    refusers_.clear();
    manager_.reset();  // closes what a failed test left open, waits for it
    wait_until([&] { return provider_->open_sockets() == 0 && provider_->outstanding_irps() == 0; },
               bound);
    EXPECT_EQ(provider_->open_sockets(), 0U) << "sockets left open";
    EXPECT_EQ(provider_->outstanding_irps(), 0U) << "IRPs never completed";
    provider_.reset();
  }

  Server& server(const Address& where, Server::Mode mode = Server::Mode::accepting) {
    servers_.push_back(std::make_unique<Server>(*provider_, where, mode));
    EXPECT_TRUE(servers_.back()->ok()) << "server on " << where.to_string();
    return *servers_.back();
  }
  Refuser& refuser(const Address& where) {
    refusers_.push_back(std::make_unique<Refuser>(*provider_, where));
    EXPECT_TRUE(refusers_.back()->ok()) << "refuser on " << where.to_string();
    return *refusers_.back();
  }

  /// A domain with the given MX hosts, resolved (bounded wait).
  connection::Domain resolved_domain(const std::string& name,
                                     const std::vector<connection::MxHost>& hosts) {
    for (const auto& h : hosts) mx_->add(name, h);
    auto d = manager_->domain(name);
    EXPECT_EQ(resolve_and_wait(d), 0) << "resolution of " << name;
    return d;
  }

  /// Resolves @p d; returns the code, or -1 if it did not finish within the bound.
  static int resolve_and_wait(const connection::Domain& d) {
    struct Result {  // shared: the callback may outlive a wait that gave up
      std::mutex m;
      std::condition_variable cv;
      std::optional<int> code;
    };
    auto r = std::make_shared<Result>();
    d.resolve([r](int code) {
      std::lock_guard lock(r->m);
      r->code = code;
      r->cv.notify_all();
    });
    std::unique_lock lock(r->m);
    r->cv.wait_for(lock, bound, [&] { return r->code.has_value(); });
    return r->code.value_or(-1);
  }

  std::unique_ptr<Provider> provider_;
  std::shared_ptr<connection::StaticMxResolver> mx_;
  std::unique_ptr<connection::ConnectionManager> manager_;
  std::vector<std::unique_ptr<Server>> servers_;
  std::vector<std::unique_ptr<Refuser>> refusers_;
};

}  // namespace wskport::conntest
