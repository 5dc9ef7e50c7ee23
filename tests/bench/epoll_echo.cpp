// SPDX-License-Identifier: MIT
// bench_epoll_echo: the floor of the comparison. A single-threaded TCP echo server on raw
// epoll (edge-triggered), written the way a careful C programmer would: read until
// EAGAIN, write back at once, queue only what the kernel would not take.
//
//   bench_epoll_echo [--port N]
//
// Prints PORT=<n> once listening on 127.0.0.1; exits 0 on SIGTERM or SIGINT.
// Per connection it holds a 64 KiB buffer, as the wskport sample does, so the memory
// figures compare like with like.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

namespace {

constexpr std::size_t buffer_size = 64 * 1024;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Conn {
  int fd = -1;
  std::size_t pending_off = 0;  // unsent echo bytes: buffer[pending_off, pending_end)
  std::size_t pending_end = 0;
  bool want_out = false;
  char buffer[buffer_size];
};

void close_conn(int ep, Conn* c) {
  ::epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  delete c;
}

// Writes what is pending; true if all of it went out.
bool flush(Conn* c, bool& dead) {
  while (c->pending_off < c->pending_end) {
    const auto n =
        ::send(c->fd, c->buffer + c->pending_off, c->pending_end - c->pending_off, MSG_NOSIGNAL);
    if (n > 0) {
      c->pending_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    dead = true;
    return false;
  }
  c->pending_off = c->pending_end = 0;
  return true;
}

// Reads and echoes until the socket would block, or the echo would (then reading
// stops until EPOLLOUT drains it: back-pressure, as the other servers have).
void serve(int ep, Conn* c, std::uint32_t events) {
  bool dead = (events & (EPOLLERR)) != 0;
  if (!dead && c->pending_end != 0 && !flush(c, dead)) {
    if (dead) close_conn(ep, c);
    return;
  }
  while (!dead) {
    const auto n = ::recv(c->fd, c->buffer, buffer_size, 0);
    if (n > 0) {
      c->pending_off = 0;
      c->pending_end = static_cast<std::size_t>(n);
      if (!flush(c, dead)) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    dead = true;  // 0: the peer's FIN; <0: an error
  }
  if (dead) {
    close_conn(ep, c);
    return;
  }
  const bool need_out = c->pending_end != 0;
  if (need_out != c->want_out) {
    c->want_out = need_out;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (need_out ? EPOLLOUT : 0U);
    ev.data.ptr = c;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  }
}

}  // namespace

int main(int argc, char** argv) {
  unsigned port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string_view(argv[i]) == "--port") port = static_cast<unsigned>(std::atoi(argv[i + 1]));
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  // The signals stay blocked except inside epoll_pwait, so one that arrives between the
  // flag check and the wait is not lost (it interrupts the wait instead).
  sigset_t stop_signals;
  sigset_t wait_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
  sigdelset(&wait_mask, SIGTERM);
  sigdelset(&wait_mask, SIGINT);

  const int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (lfd < 0 || ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(lfd, SOMAXCONN) != 0) {
    std::perror("listen");
    return 1;
  }
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.ptr = nullptr;  // null marks the listener
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  std::printf("PORT=%u\n", static_cast<unsigned>(ntohs(a.sin_port)));
  std::fflush(stdout);

  unsigned long long served = 0;
  epoll_event events[256];
  while (g_stop == 0) {
    const int n = ::epoll_pwait(ep, events, 256, -1, &wait_mask);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        for (;;) {
          const int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;  // EAGAIN, or out of descriptors: try again on the next edge
          auto* c = new (std::nothrow) Conn;
          if (c == nullptr) {
            ::close(fd);
            continue;
          }
          c->fd = fd;
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
          ev.data.ptr = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
          ++served;
        }
        continue;
      }
      serve(ep, static_cast<Conn*>(events[i].data.ptr), events[i].events);
    }
  }
  std::printf("summary: %llu connection(s) served\n", served);
  return 0;
}
