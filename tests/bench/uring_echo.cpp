// SPDX-License-Identifier: MIT
// bench_uring_echo: the completion-based floor of the comparison. A single-threaded TCP
// echo server on raw liburing, by default written the way a competent user writes one
// from liburing's documentation: one accept, then per connection a recv into its own
// 64 KiB buffer, a send of what came, the next recv; `io_uring_submit_and_wait(ring, 1)`
// and the completions taken one at a time (`io_uring_peek_cqe` / `io_uring_cqe_seen`).
//
//   bench_uring_echo [--port N] [variant flags]
//
// Prints PORT=<n> once listening on 127.0.0.1; exits 0 on SIGTERM or SIGINT (taken
// from a signalfd read through the ring, so none is lost between two waits). On exit it
// writes to stderr how many waits it made and how many completions each one returned.
//
// The variant flags exist for the question docs/performance.md answers (why a plain
// io_uring echo trails epoll-based Asio at 64 connections); each changes one thing:
//   --defer          IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN
//   --coop           IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG
//   --batch          completions walked with io_uring_for_each_cqe, one io_uring_cq_advance
//   --poll-first     recv with IORING_RECVSEND_POLL_FIRST (no inline attempt that finds
//                    nothing; the kernel arms its poll at once)
//   --multishot      multishot accept, and multishot recv into a provided buffer ring
//                    (1,024 buffers of 16 KiB shared by all connections)
//   --fixed-files    accept into a sparse registered file table; recv/send/close by index
//   --register-ring  io_uring_register_ring_fd (io_uring_enter without the fd lookup)
//   --sqpoll[=CPU]   IORING_SETUP_SQPOLL (a kernel thread polls the submission queue; it
//                    burns CPU while busy, 100 ms idle); CPU: pin it there (SQ_AFF)
//   --wait-nr N --min-wait-us U
//                    wait for N completions, but after U us take what has come (kernel
//                    6.13+ min_wait through IORING_ENTER_EXT_ARG; liburing 2.3 has no
//                    wrapper, so this path enters the kernel itself)
// liburing 2.3 (Debian 12) has io_uring_register_buf_ring but not io_uring_setup_buf_ring
// (2.4): the buffer ring is mapped and registered here by hand.
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t buffer_size = 64 * 1024;  // per connection, as the other servers
constexpr unsigned ring_buffers = 1024;         // --multishot: shared buffer ring
constexpr unsigned ring_buffer_size = 16 * 1024;
constexpr unsigned group_id = 0;

struct Options {
  unsigned port = 0;
  bool defer = false;
  bool coop = false;
  bool batch = false;
  bool poll_first = false;
  bool multishot = false;
  bool fixed_files = false;
  bool register_ring = false;
  bool sqpoll = false;
  int sqpoll_cpu = -1;
  unsigned wait_nr = 1;
  unsigned min_wait_us = 0;
};

// What a completion is for: the low bits of user_data (connections are 8-aligned).
enum Tag : std::uintptr_t { tag_ignore = 0, tag_accept, tag_recv, tag_send, tag_signal };
constexpr std::uintptr_t tag_mask = 7;

struct Conn {
  int fd = -1;             // a descriptor, or with --fixed-files an index in the registered table
  char* buffer = nullptr;  // 64 KiB of its own; null with --multishot
  unsigned send_off = 0;
  unsigned send_len = 0;
  // --multishot: received buffers waiting to be echoed, a list through next_bid.
  int head_bid = -1;
  int tail_bid = -1;
  bool recv_armed = false;
  bool send_busy = false;
  bool eof = false;
  bool dead = false;
};

struct Server {
  Options o;
  io_uring ring{};
  int lfd = -1;
  int sfd = -1;
  signalfd_siginfo siginfo{};
  bool stop = false;
  unsigned long long served = 0;
  unsigned long long waits = 0;
  unsigned long long cqes = 0;
  // --multishot
  io_uring_buf_ring* br = nullptr;
  char* pool = nullptr;
  std::vector<int> next_bid;
  std::vector<unsigned> bid_len;
  std::vector<Conn*> starved;  // recv ended, nothing in flight: armed again later
  bool rearm = false;          // a buffer came back, or a recv ended for another reason

  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&ring);
    while (s == nullptr) {  // full: hand the kernel what is queued and take a new one
      io_uring_submit(&ring);
      s = io_uring_get_sqe(&ring);
    }
    return s;
  }
  static std::uint64_t data(Conn* c, Tag t) { return reinterpret_cast<std::uintptr_t>(c) | t; }
  unsigned file_flag() const { return o.fixed_files ? IOSQE_FIXED_FILE : 0U; }

  void arm_accept() {
    io_uring_sqe* s = sqe();
    if (o.fixed_files && o.multishot) {
      io_uring_prep_multishot_accept_direct(s, lfd, nullptr, nullptr, 0);
    } else if (o.fixed_files) {
      // liburing 2.3 stores file_index + 1, so "allocate a slot" is ALLOC - 1 here (as
      // its own multishot_accept_direct does); ALLOC itself wraps to 0, a plain accept.
      io_uring_prep_accept_direct(s, lfd, nullptr, nullptr, 0, IORING_FILE_INDEX_ALLOC - 1);
    } else if (o.multishot) {
      io_uring_prep_multishot_accept(s, lfd, nullptr, nullptr, SOCK_CLOEXEC);
    } else {
      io_uring_prep_accept(s, lfd, nullptr, nullptr, SOCK_CLOEXEC);
    }
    io_uring_sqe_set_data64(s, tag_accept);
  }
  void arm_signal() {
    io_uring_sqe* s = sqe();
    io_uring_prep_read(s, sfd, &siginfo, sizeof siginfo, 0);
    io_uring_sqe_set_data64(s, tag_signal);
  }
  void arm_recv(Conn* c) {
    io_uring_sqe* s = sqe();
    if (o.multishot) {
      io_uring_prep_recv_multishot(s, c->fd, nullptr, 0, 0);
      s->flags |= IOSQE_BUFFER_SELECT;
      s->buf_group = group_id;
      c->recv_armed = true;
    } else {
      io_uring_prep_recv(s, c->fd, c->buffer, buffer_size, 0);
    }
    if (o.poll_first) s->ioprio |= IORING_RECVSEND_POLL_FIRST;
    s->flags |= static_cast<std::uint8_t>(file_flag());
    io_uring_sqe_set_data64(s, data(c, tag_recv));
  }
  void arm_send(Conn* c, const char* p, unsigned n) {
    io_uring_sqe* s = sqe();
    io_uring_prep_send(s, c->fd, p, n, MSG_NOSIGNAL);
    s->flags |= static_cast<std::uint8_t>(file_flag());
    io_uring_sqe_set_data64(s, data(c, tag_send));
  }
  void close_fd(int fd) {
    if (o.fixed_files) {
      io_uring_sqe* s = sqe();
      io_uring_prep_close_direct(s, static_cast<unsigned>(fd));
      io_uring_sqe_set_data64(s, tag_ignore);
    } else {
      ::close(fd);
    }
  }
  void close_conn(Conn* c) {
    close_fd(c->fd);
    delete[] c->buffer;
    delete c;
  }

  void on_accept(const io_uring_cqe* cqe) {
    if (!o.multishot || (cqe->flags & IORING_CQE_F_MORE) == 0) arm_accept();
    if (cqe->res < 0) return;  // out of descriptors and the like: keep accepting
    auto* c = new (std::nothrow) Conn;
    if (c != nullptr && !o.multishot) c->buffer = new (std::nothrow) char[buffer_size];
    if (c == nullptr || (!o.multishot && c->buffer == nullptr)) {
      delete c;
      close_fd(cqe->res);
      return;
    }
    c->fd = cqe->res;
    ++served;
    arm_recv(c);
  }

  // One receive, one send, one receive: exactly one operation in flight per connection.
  void on_plain(Conn* c, Tag t, int res) {
    if (res <= 0) {  // 0 on recv: the peer's FIN; <0: an error
      close_conn(c);
      return;
    }
    if (t == tag_recv) {
      c->send_off = 0;
      c->send_len = static_cast<unsigned>(res);
      arm_send(c, c->buffer, c->send_len);
      return;
    }
    c->send_off += static_cast<unsigned>(res);
    if (c->send_off < c->send_len) {
      arm_send(c, c->buffer + c->send_off, c->send_len - c->send_off);
    } else {
      arm_recv(c);
    }
  }

  // --multishot: the receive stays armed while echoes are sent, one at a time in order.
  void give_back(int bid) {
    io_uring_buf_ring_add(br, pool + static_cast<std::size_t>(bid) * ring_buffer_size,
                          ring_buffer_size, static_cast<unsigned short>(bid),
                          io_uring_buf_ring_mask(ring_buffers), 0);
    io_uring_buf_ring_advance(br, 1);
    rearm = true;
  }
  void send_head(Conn* c) {
    c->send_busy = true;
    const auto bid = static_cast<std::size_t>(c->head_bid);
    arm_send(c, pool + bid * ring_buffer_size + c->send_off, bid_len[bid] - c->send_off);
  }
  void pop_head(Conn* c) {
    const int bid = c->head_bid;
    c->head_bid = next_bid[static_cast<std::size_t>(bid)];
    if (c->head_bid < 0) c->tail_bid = -1;
    c->send_off = 0;
    give_back(bid);
  }
  void settle(Conn* c) {
    if (c->dead) {
      while (c->head_bid >= 0) pop_head(c);
      if (c->recv_armed) {
        io_uring_sqe* s = sqe();
        io_uring_prep_cancel64(s, data(c, tag_recv), 0);
        io_uring_sqe_set_data64(s, tag_ignore);
        return;  // its last completion comes back here
      }
    }
    if ((c->dead || c->eof) && !c->recv_armed && !c->send_busy && c->head_bid < 0) close_conn(c);
  }
  void on_multi_recv(Conn* c, const io_uring_cqe* cqe) {
    const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    if (!more) c->recv_armed = false;
    if (cqe->res > 0) {
      const int bid = static_cast<int>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
      if (c->dead) {
        give_back(bid);
      } else {
        next_bid[static_cast<std::size_t>(bid)] = -1;
        bid_len[static_cast<std::size_t>(bid)] = static_cast<unsigned>(cqe->res);
        if (c->tail_bid >= 0) {
          next_bid[static_cast<std::size_t>(c->tail_bid)] = bid;
        } else {
          c->head_bid = bid;
        }
        c->tail_bid = bid;
        if (!c->send_busy) send_head(c);
      }
    } else if (cqe->res == 0) {
      c->eof = true;
    } else if (cqe->res != -ENOBUFS) {
      c->dead = true;
    }
    if (!more && !c->eof && !c->dead) {
      // Ended for want of buffers (or by the kernel's choice): armed again once a send
      // gives one back, by that send, or from the starved list if none is in flight.
      if (!c->send_busy) starved.push_back(c);
      if (cqe->res != -ENOBUFS) rearm = true;
      return;
    }
    settle(c);
  }
  void on_multi_send(Conn* c, int res) {
    c->send_busy = false;
    if (res <= 0) {
      c->dead = true;
      settle(c);
      return;
    }
    c->send_off += static_cast<unsigned>(res);
    if (c->send_off < bid_len[static_cast<std::size_t>(c->head_bid)]) {
      send_head(c);
      return;
    }
    pop_head(c);
    if (c->head_bid >= 0) {
      send_head(c);
    } else if (!c->recv_armed && !c->eof) {
      arm_recv(c);
    }
    settle(c);
  }

  void handle(const io_uring_cqe* cqe) {
    ++cqes;
    const std::uint64_t ud = io_uring_cqe_get_data64(cqe);
    const auto t = static_cast<Tag>(ud & tag_mask);
    auto* c = reinterpret_cast<Conn*>(static_cast<std::uintptr_t>(ud & ~std::uint64_t{tag_mask}));
    switch (t) {
      case tag_ignore:
        return;
      case tag_accept:
        on_accept(cqe);
        return;
      case tag_signal:
        stop = true;
        return;
      case tag_recv:
        if (o.multishot) {
          on_multi_recv(c, cqe);
        } else {
          on_plain(c, t, cqe->res);
        }
        return;
      case tag_send:
        if (o.multishot) {
          on_multi_send(c, cqe->res);
        } else {
          on_plain(c, t, cqe->res);
        }
        return;
    }
  }

  // Submits what is queued and waits for wait_nr completions, or with min_wait_us for
  // at least one once that much time has passed.
  int submit_and_wait() {
    ++waits;
    if (o.min_wait_us == 0) return io_uring_submit_and_wait(&ring, o.wait_nr);
    // liburing 2.3's own flush is internal: publish the queued entries as it does (the
    // index array is written too, in case this liburing does not preset it).
    io_uring_sq& sq = ring.sq;
    const unsigned tail = sq.sqe_tail;
    unsigned to_submit = 0;
    if (sq.sqe_head != tail) {
      for (unsigned i = sq.sqe_head; i != tail; ++i) sq.array[i & sq.ring_mask] = i & sq.ring_mask;
      sq.sqe_head = tail;
      std::atomic_ref<unsigned>(*sq.ktail).store(tail, std::memory_order_release);
    }
    to_submit = tail - std::atomic_ref<unsigned>(*sq.khead).load(std::memory_order_acquire);
    io_uring_getevents_arg arg{};
    arg.pad = o.min_wait_us;  // min_wait_usec in kernels 6.13 and later
    unsigned flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
    if ((ring.int_flags & 1U) != 0) flags |= IORING_ENTER_REGISTERED_RING;
    const long r = ::syscall(__NR_io_uring_enter, ring.enter_ring_fd, to_submit, o.wait_nr, flags,
                             &arg, sizeof arg);
    return r < 0 ? -errno : static_cast<int>(r);
  }

  int run() {
    arm_signal();
    arm_accept();
    while (!stop) {
      const int r = submit_and_wait();
      if (r < 0 && r != -EINTR && r != -ETIME && r != -EBUSY && r != -EAGAIN) {
        std::fprintf(stderr, "io_uring_enter: %s\n", std::strerror(-r));
        return 1;
      }
      if (o.batch) {
        unsigned head = 0;
        unsigned n = 0;
        io_uring_cqe* cqe = nullptr;
        io_uring_for_each_cqe(&ring, head, cqe) {
          handle(cqe);
          ++n;
        }
        io_uring_cq_advance(&ring, n);
      } else {
        io_uring_cqe* cqe = nullptr;
        while (!stop && io_uring_peek_cqe(&ring, &cqe) == 0) {
          handle(cqe);
          io_uring_cqe_seen(&ring, cqe);
        }
      }
      if (rearm && !starved.empty()) {
        for (Conn* c : starved) arm_recv(c);
        starved.clear();
      }
      rearm = false;
    }
    return 0;
  }

  bool setup_buffers() {
    const std::size_t ring_bytes = ring_buffers * sizeof(io_uring_buf);
    void* mem =
        ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return false;
    br = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_ring_init(br);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
    reg.ring_entries = ring_buffers;
    reg.bgid = group_id;
    if (const int r = io_uring_register_buf_ring(&ring, &reg, 0); r != 0) {
      std::fprintf(stderr, "io_uring_register_buf_ring: %s\n", std::strerror(-r));
      return false;
    }
    pool = new char[std::size_t{ring_buffers} * ring_buffer_size];
    next_bid.assign(ring_buffers, -1);
    bid_len.assign(ring_buffers, 0);
    for (unsigned i = 0; i < ring_buffers; ++i) {
      io_uring_buf_ring_add(br, pool + std::size_t{i} * ring_buffer_size, ring_buffer_size,
                            static_cast<unsigned short>(i), io_uring_buf_ring_mask(ring_buffers),
                            static_cast<int>(i));
    }
    io_uring_buf_ring_advance(br, ring_buffers);
    return true;
  }

  bool setup() {
    io_uring_params p{};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = 16384;  // 10,000 idle connections echo at once in the memory measure
    if (o.defer) p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (o.coop) p.flags |= IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    if (o.sqpoll) {
      p.flags |= IORING_SETUP_SQPOLL;
      p.sq_thread_idle = 100;
      if (o.sqpoll_cpu >= 0) {
        p.flags |= IORING_SETUP_SQ_AFF;
        p.sq_thread_cpu = static_cast<unsigned>(o.sqpoll_cpu);
      }
    }
    if (const int r = io_uring_queue_init_params(256, &ring, &p); r != 0) {
      std::fprintf(stderr, "io_uring_queue_init_params: %s\n", std::strerror(-r));
      return false;
    }
    if (o.register_ring && io_uring_register_ring_fd(&ring) != 1) {
      std::fprintf(stderr, "io_uring_register_ring_fd failed\n");
      return false;
    }
    if (o.fixed_files) {
      rlimit lim{};
      ::getrlimit(RLIMIT_NOFILE, &lim);
      const auto slots = static_cast<unsigned>(std::min<rlim_t>(lim.rlim_cur, 65536));
      if (const int r = io_uring_register_files_sparse(&ring, slots); r != 0) {
        std::fprintf(stderr, "io_uring_register_files_sparse: %s\n", std::strerror(-r));
        return false;
      }
    }
    return !o.multishot || setup_buffers();
  }
};

bool parse(int argc, char** argv, Options& o) {
  struct Flag {
    std::string_view name;
    bool Options::*member;
  };
  static constexpr Flag flags[] = {
      {"--defer", &Options::defer},
      {"--coop", &Options::coop},
      {"--batch", &Options::batch},
      {"--poll-first", &Options::poll_first},
      {"--multishot", &Options::multishot},
      {"--fixed-files", &Options::fixed_files},
      {"--register-ring", &Options::register_ring},
      {"--sqpoll", &Options::sqpoll},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    const auto* flag = std::find_if(std::begin(flags), std::end(flags),
                                    [&](const Flag& f) { return f.name == a; });
    if (flag != std::end(flags)) {
      o.*(flag->member) = true;
    } else if (a.substr(0, 9) == "--sqpoll=") {
      o.sqpoll = true;
      o.sqpoll_cpu = std::atoi(argv[i] + 9);
    } else if (a == "--port" && has_value) {
      o.port = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (a == "--wait-nr" && has_value) {
      o.wait_nr = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else if (a == "--min-wait-us" && has_value) {
      o.min_wait_us = static_cast<unsigned>(std::max(0, std::atoi(argv[++i])));
    } else {
      return false;
    }
  }
  // Without a minimum wait, waiting for more than one completion stalls a lone client.
  return (o.wait_nr == 1 || o.min_wait_us != 0) && !(o.sqpoll && o.min_wait_us != 0);
}

}  // namespace

int main(int argc, char** argv) {
  Server s;
  if (!parse(argc, argv, s.o)) {
    std::fprintf(stderr,
                 "usage: bench_uring_echo [--port N] [--defer] [--coop] [--batch] "
                 "[--poll-first] [--multishot] [--fixed-files] [--register-ring] "
                 "[--sqpoll[=CPU]] [--wait-nr N --min-wait-us U]\n");
    return 2;
  }
  // The signals are read from a signalfd through the ring: blocked for the process.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  s.sfd = ::signalfd(-1, &stop_signals, SFD_CLOEXEC);

  s.lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(s.lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(s.o.port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s.sfd < 0 || s.lfd < 0 || ::bind(s.lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(s.lfd, SOMAXCONN) != 0) {
    std::perror("listen");
    return 1;
  }
  if (!s.setup()) return 1;
  socklen_t len = sizeof a;
  ::getsockname(s.lfd, reinterpret_cast<sockaddr*>(&a), &len);
  std::printf("PORT=%u\n", static_cast<unsigned>(ntohs(a.sin_port)));
  std::fflush(stdout);

  const int rc = s.run();
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  std::fprintf(stderr,
               "uring stats: %llu waits, %llu completions (%.2f per wait), %ld voluntary and "
               "%ld involuntary context switches\n",
               s.waits, s.cqes,
               s.waits == 0 ? 0.0 : static_cast<double>(s.cqes) / static_cast<double>(s.waits),
               ru.ru_nvcsw, ru.ru_nivcsw);
  std::printf("summary: %llu connection(s) served\n", s.served);
  return rc;
}
