// SPDX-License-Identifier: MIT
// End-to-end check of the km_echo sample driver run by the driver host: start it on
// port 0, read its PORT= line, echo over two connections (one left open), stop it with
// SIGTERM, and check a clean exit (status 0, "km_echo: unloaded", no leak report from
// the host). POSIX only: it starts the process and signals it. Every wait is bounded.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::seconds(10);

// The server process with its stderr (where DbgPrint writes) on a pipe.
class Server {
 public:
  explicit Server(const std::string& registry_path) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string program = WSKPORT_KM_ECHO_PATH;
    char* argv[] = {program.data(), const_cast<char*>(registry_path.c_str()), nullptr};
    if (posix_spawn(&pid_, program.c_str(), &actions, nullptr,
                    registry_path.empty() ? (argv[1] = nullptr, argv) : argv, environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  bool started() const { return pid_ > 0; }

  // Reads output until `needle` appears on a line of its own or the deadline passes.
  bool read_until(const std::string& needle, std::string& line_found) {
    const auto deadline = Clock::now() + kTimeout;
    for (;;) {
      for (std::size_t pos; (pos = text_.find('\n', scanned_)) != std::string::npos;) {
        const std::string line = text_.substr(scanned_, pos - scanned_);
        scanned_ = pos + 1;
        if (line.rfind(needle, 0) == 0) {
          line_found = line;
          return true;
        }
      }
      if (!read_some(deadline)) return false;
    }
  }
  // Sends SIGTERM and waits (bounded) for the exit; the rest of the output is kept.
  bool stop(int& status) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kTimeout;
    while (Clock::now() < deadline) {
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        while (read_some(Clock::now() + std::chrono::milliseconds(200))) {
        }
        return true;
      }
      (void)read_some(Clock::now() + std::chrono::milliseconds(50));
    }
    return false;
  }
  const std::string& output() const { return text_; }

 private:
  bool read_some(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[512];
    const ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0) return false;
    text_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string text_;
  std::size_t scanned_ = 0;
};

int connect_loopback(unsigned short port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends text and reads the same number of bytes back (bounded by SO_RCVTIMEO).
std::string echo(int fd, const std::string& text) {
  if (send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
    return "<send failed>";
  std::string back;
  char buf[256];
  while (back.size() < text.size()) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return back + "<recv ended>";
    back.append(buf, static_cast<std::size_t>(n));
  }
  return back;
}

void check_clean_exit(Server& server) {
  int status = 0;
  ASSERT_TRUE(server.stop(status)) << "no exit within 10 s of SIGTERM\n" << server.output();
  ASSERT_TRUE(WIFEXITED(status)) << server.output();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.output();
  EXPECT_NE(server.output().find("km_echo: unloaded"), std::string::npos) << server.output();
  EXPECT_EQ(server.output().find("not freed"), std::string::npos) << server.output();
}

TEST(KmEcho, EchoesOnAnEphemeralPortAndUnloadsOnSigterm) {
  Server server("");
  ASSERT_TRUE(server.started());
  std::string line;
  ASSERT_TRUE(server.read_until("PORT=", line)) << server.output();
  const unsigned long port = std::stoul(line.substr(5));
  ASSERT_GT(port, 0u);
  ASSERT_LT(port, 65536u);

  const int a = connect_loopback(static_cast<unsigned short>(port));
  ASSERT_GE(a, 0);
  EXPECT_EQ(echo(a, "hello, kernel"), "hello, kernel");
  const std::string big(100000, 'x');
  EXPECT_EQ(echo(a, big), big);
  shutdown(a, SHUT_WR);  // graceful: the driver finishes and closes its side
  char c;
  EXPECT_EQ(recv(a, &c, 1, 0), 0);
  close(a);

  const int b = connect_loopback(static_cast<unsigned short>(port));
  ASSERT_GE(b, 0);
  EXPECT_EQ(echo(b, "left open"), "left open");
  check_clean_exit(server);  // DriverUnload closes the open connection too
  EXPECT_LE(recv(b, &c, 1, 0), 0);
  close(b);
}

TEST(KmEcho, TakesItsPortFromTheRegistryPath) {
  // Find a free port, then ask the driver for it.
  const int probe = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(probe, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(getsockname(probe, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const unsigned port = ntohs(a.sin_port);
  close(probe);

  Server server(
      "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\km_echo\\Parameters"
      "\\Port=" +
      std::to_string(port));
  ASSERT_TRUE(server.started());
  std::string line;
  ASSERT_TRUE(server.read_until("PORT=", line)) << server.output();
  EXPECT_EQ(line, "PORT=" + std::to_string(port));
  const int fd = connect_loopback(static_cast<unsigned short>(port));
  ASSERT_GE(fd, 0);
  EXPECT_EQ(echo(fd, "fixed port"), "fixed port");
  close(fd);
  check_clean_exit(server);
}

}  // namespace
