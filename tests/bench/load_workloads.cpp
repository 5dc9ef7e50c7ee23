// SPDX-License-Identifier: MIT
// The client side of the load tool: one thread, non-blocking sockets on level-triggered
// epoll, no allocation inside the loops. Every loop is bounded by a count and a time.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "load.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

sockaddr_in loopback(std::uint16_t port, unsigned host = 1) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(0x7F000000U | host);
  return a;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void set_nodelay(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// A connected (blocking) socket with TCP_NODELAY, or -1.
int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in a = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  set_nodelay(fd);
  return fd;
}

void close_abortive(int fd) {
  const linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

// Opens @p n connections; false (and none left open) if any fails.
bool open_all(std::uint16_t port, int n, std::vector<int>& fds) {
  for (int i = 0; i < n; ++i) {
    const int fd = connect_to(port);
    if (fd < 0) {
      for (const int f : fds) close_abortive(f);
      fds.clear();
      return false;
    }
    fds.push_back(fd);
  }
  return true;
}

double percentile(std::vector<std::uint32_t>& ns, double p) {
  if (ns.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(ns.size() - 1));
  std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
  return ns[k] / 1000.0;
}

struct PingConn {
  int fd = -1;
  std::size_t got = 0;
  Clock::time_point sent;
  bool busy = false;
};

}  // namespace

Result ping_pong(std::uint16_t port, int conns, std::size_t size, std::uint64_t max_round_trips,
                 double seconds, std::uint64_t warmup, unsigned think_us) {
  Result r;
  std::vector<int> fds;
  if (size > 4096 || !open_all(port, conns, fds)) return r;
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<PingConn> cs(static_cast<std::size_t>(conns));
  char out[4096];
  std::memset(out, 'p', sizeof out);
  char in[4096];
  std::vector<std::uint32_t> lat;
  lat.reserve(static_cast<std::size_t>(
      std::min<std::uint64_t>(max_round_trips != 0 ? max_round_trips : 20'000'000, 20'000'000)));
  const std::uint64_t limit = max_round_trips != 0 ? warmup + max_round_trips : ~0ULL;
  std::uint64_t issued = 0;
  std::uint64_t done = 0;
  auto issue = [&](PingConn& c) {
    if (issued >= limit) return;
    if (think_us != 0) std::this_thread::sleep_for(std::chrono::microseconds(think_us));
    c.got = 0;
    c.busy = true;
    c.sent = Clock::now();
    ++issued;
    if (::send(c.fd, out, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) ++r.errors;
  };
  for (std::size_t i = 0; i < cs.size(); ++i) {
    cs[i].fd = fds[i];
    set_nonblocking(fds[i]);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  const auto start = Clock::now();
  Clock::time_point measured_from = start;
  for (auto& c : cs) issue(c);
  epoll_event events[256];
  bool stop = false;
  while (!stop && done < limit && r.errors == 0) {
    const int n = ::epoll_wait(ep, events, 256, 1000);
    for (int i = 0; i < n; ++i) {
      PingConn& c = cs[events[i].data.u64];
      const auto got = ::recv(c.fd, in, size - c.got, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        ++r.errors;  // the server closed or failed
        break;
      }
      c.got += static_cast<std::size_t>(got);
      if (c.got < size) continue;
      c.busy = false;
      const auto now = Clock::now();
      if (++done == warmup) measured_from = now;
      if (done > warmup) {
        lat.push_back(static_cast<std::uint32_t>(std::min<long long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.sent).count(),
            0xFFFFFFFFLL)));
      }
      issue(c);
    }
    if (since(start) >= seconds) stop = true;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - measured_from).count();
  r.operations = lat.size();
  r.rate = r.seconds > 0 ? static_cast<double>(r.operations) / r.seconds : 0;
  r.p50_us = percentile(lat, 0.50);
  r.p99_us = percentile(lat, 0.99);
  r.ok = r.errors == 0 && (max_round_trips == 0 || r.operations == max_round_trips);
  ::close(ep);
  for (const int fd : fds) ::close(fd);
  return r;
}

Result bulk(std::uint16_t port, int conns, std::size_t chunk, std::size_t window, double seconds,
            double warmup_seconds) {
  Result r;
  std::vector<int> fds;
  if (!open_all(port, conns, fds)) return r;
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  struct BulkConn {
    int fd;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::size_t chunk_off = 0;
  };
  std::vector<BulkConn> cs;
  for (const int fd : fds) cs.push_back(BulkConn{fd});
  std::vector<char> out(chunk, 'b');
  std::vector<char> in(256 * 1024);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    set_nonblocking(cs[i].fd);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  const auto start = Clock::now();
  const double total = warmup_seconds + seconds;
  std::uint64_t at_warmup = 0;
  std::uint64_t received = 0;
  bool warm = false;
  Clock::time_point measured_from = start;
  epoll_event events[64];
  while (r.errors == 0) {
    const double t = since(start);
    if (t >= total) break;
    if (!warm && t >= warmup_seconds) {
      warm = true;
      at_warmup = received;
      measured_from = Clock::now();
    }
    const int n = ::epoll_wait(ep, events, 64, 100);
    for (int i = 0; i < n; ++i) {
      auto& c = cs[events[i].data.u64];
      for (;;) {  // edge-triggered: read until EAGAIN
        const auto got = ::recv(c.fd, in.data(), in.size(), 0);
        if (got > 0) {
          c.received += static_cast<std::uint64_t>(got);
          received += static_cast<std::uint64_t>(got);
          continue;
        }
        if (got < 0 && errno == EAGAIN) break;
        ++r.errors;
        break;
      }
      while (c.sent - c.received < window) {  // then write until EAGAIN or the window
        const auto put = ::send(c.fd, out.data() + c.chunk_off, chunk - c.chunk_off, MSG_NOSIGNAL);
        if (put < 0) {
          if (errno != EAGAIN) ++r.errors;
          break;
        }
        c.sent += static_cast<std::uint64_t>(put);
        c.chunk_off = (c.chunk_off + static_cast<std::size_t>(put)) % chunk;
      }
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - measured_from).count();
  r.operations = received - at_warmup;
  r.rate = r.seconds > 0 ? static_cast<double>(r.operations) / 1e6 / r.seconds : 0;
  r.ok = warm && r.errors == 0;
  ::close(ep);
  for (const int fd : fds) close_abortive(fd);
  return r;
}

Result connection_rate(std::uint16_t port, int in_flight, double seconds) {
  Result r;
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  enum class Phase { connecting, waiting_echo };
  struct Slot {
    int fd = -1;
    Phase phase = Phase::connecting;
    std::size_t got = 0;
    unsigned host = 1;
  };
  std::vector<Slot> slots(static_cast<std::size_t>(in_flight));
  char msg[64];
  std::memset(msg, 'c', sizeof msg);
  char in[64];
  // Each slot connects from its own 127.0.0.x so that connections closed by the client
  // (TIME_WAIT on its side) spread over more address pairs than one port range.
  auto open_slot = [&](std::size_t i) {
    Slot& s = slots[i];
    s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    s.phase = Phase::connecting;
    s.got = 0;
    s.host = 1 + static_cast<unsigned>(i % 16);
    const int on = 1;
    ::setsockopt(s.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    const sockaddr_in src = loopback(0, s.host);
    ::bind(s.fd, reinterpret_cast<const sockaddr*>(&src), sizeof src);
    const sockaddr_in a = loopback(port);
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 &&
        errno != EINPROGRESS) {
      ++r.errors;
    }
    set_nodelay(s.fd);
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, s.fd, &ev);
  };
  const auto start = Clock::now();
  for (std::size_t i = 0; i < slots.size(); ++i) open_slot(i);
  epoll_event events[64];
  while (r.errors == 0 && since(start) < seconds) {
    const int n = ::epoll_wait(ep, events, 64, 100);
    for (int k = 0; k < n; ++k) {
      const std::size_t i = events[k].data.u64;
      Slot& s = slots[i];
      if (s.phase == Phase::connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || ::send(s.fd, msg, sizeof msg, MSG_NOSIGNAL) != sizeof msg) {
          ++r.errors;
          break;
        }
        s.phase = Phase::waiting_echo;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
        continue;
      }
      const auto got = ::recv(s.fd, in, sizeof in - s.got, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        ++r.errors;
        break;
      }
      s.got += static_cast<std::size_t>(got);
      if (s.got < sizeof in) continue;
      ::close(s.fd);  // graceful: the server sees FIN and closes its side
      ++r.operations;
      open_slot(i);
    }
  }
  r.seconds = since(start);
  r.rate = static_cast<double>(r.operations) / r.seconds;
  r.ok = r.errors == 0;
  for (const auto& s : slots) {
    if (s.fd >= 0) close_abortive(s.fd);
  }
  ::close(ep);
  return r;
}

double idle_memory(std::uint16_t port, pid_t server, int conns) {
  raise_fd_limit();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const long long before = resident_bytes(server);
  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(conns));
  char msg[64];
  std::memset(msg, 'i', sizeof msg);
  bool ok = before > 0;
  // In batches, so the listen backlog never overflows: each batch is echoed (accepted
  // and served) before the next one connects.
  constexpr int batch = 100;
  for (int base = 0; ok && base < conns; base += batch) {
    const int end = std::min(conns, base + batch);
    for (int i = base; ok && i < end; ++i) {
      const int fd = connect_to(port);
      ok = fd >= 0;
      if (ok) {
        const timeval tv{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        fds.push_back(fd);
        ok = ::send(fd, msg, sizeof msg, MSG_NOSIGNAL) == sizeof msg;
      }
    }
    for (int i = base; ok && i < end; ++i) {
      std::size_t got = 0;
      char in[64];
      while (ok && got < sizeof in) {
        const auto n = ::recv(fds[static_cast<std::size_t>(i)], in, sizeof in - got, 0);
        ok = n > 0;
        if (ok) got += static_cast<std::size_t>(n);
      }
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long long after = resident_bytes(server);
  for (const int fd : fds) close_abortive(fd);
  if (!ok || after < 0) return -1;
  return static_cast<double>(after - before) / conns;
}

}  // namespace bench
