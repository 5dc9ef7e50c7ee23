// SPDX-License-Identifier: MIT
// Server processes and count files: start a server (possibly under valgrind or strace),
// learn its port, stop it, read its resident set, parse what the count tools wrote.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <thread>

#include "load.hpp"

extern char** environ;

namespace bench {

using Clock = std::chrono::steady_clock;

void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

namespace {

int server_cpu = -1;

// Restricts this process to @p cpu.
bool run_on(int cpu) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

}  // namespace

bool pin(int client_cpu, int server_cpu_index) {
  if (!run_on(client_cpu)) return false;
  server_cpu = server_cpu_index;
  return true;
}

Server start_server(const std::vector<std::string>& argv, const std::string& log,
                    double timeout_seconds, const std::vector<std::string>& env) {
  Server s;
  int out[2];
  if (argv.empty() || ::pipe2(out, O_CLOEXEC) != 0) return s;
  // A spawned process inherits the spawner's CPU mask: lend it the server's for the
  // spawn, then take the client's back.
  cpu_set_t client_set;
  CPU_ZERO(&client_set);
  const bool pinned =
      server_cpu >= 0 && ::sched_getaffinity(0, sizeof client_set, &client_set) == 0;
  if (pinned) (void)run_on(server_cpu);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The server's own environment entries replace inherited ones of the same name, so
  // that a count tool wrapping it (valgrind, strace) passes them on unchanged.
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& mine : env) {
      const auto eq = mine.find('=');
      replaced = replaced || entry.substr(0, entry.find('=') + 1) == mine.substr(0, eq + 1);
    }
    if (!replaced) envp.push_back(*e);
  }
  for (const auto& mine : env) envp.push_back(const_cast<char*>(mine.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (pinned) (void)::sched_setaffinity(0, sizeof client_set, &client_set);
  ::close(out[1]);
  if (rc != 0) {
    std::fprintf(stderr, "bench: cannot start %s: %s\n", args[0], std::strerror(rc));
    ::close(out[0]);
    return s;
  }
  s.pid = pid;
  // Read stdout until PORT=<n>; later output (the summary) goes nowhere, which is fine:
  // the pipe is closed and a server's final printf only fails quietly.
  std::string text;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  // A driver run by the km host prints it with DbgPrint, that is on stderr: the log is
  // searched as well.
  auto find_port = [](const std::string& t) -> std::uint16_t {
    const auto at = t.find("PORT=");
    if (at == std::string::npos || t.find('\n', at) == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::atoi(t.c_str() + at + 5));
  };
  bool open = true;
  while (s.port == 0 && Clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (open && ::poll(&p, 1, 100) > 0) {
      char buf[256];
      const auto n = ::read(out[0], buf, sizeof buf);
      if (n > 0) {
        text.append(buf, static_cast<std::size_t>(n));
      } else {
        open = false;  // stdout closed: keep looking in the log until the deadline
      }
      s.port = find_port(text);
    } else if (!open) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (s.port == 0) {
      std::ifstream in(log);
      s.port = find_port(std::string(std::istreambuf_iterator<char>(in), {}));
    }
  }
  ::close(out[0]);
  if (s.port == 0) {
    std::fprintf(stderr, "bench: %s did not print PORT= (see %s)\n", args[0], log.c_str());
    stop_server(s, 5);
    s.pid = -1;
  }
  return s;
}

int stop_server(Server& s, double timeout_seconds) {
  if (s.pid <= 0) return -1;
  ::kill(-s.pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(s.pid, &status, WNOHANG);
    if (r == s.pid) break;
    if (r < 0) {
      status = -1;
      break;
    }
    if (Clock::now() >= deadline) {
      std::fprintf(stderr, "bench: server %d did not stop; killing it\n", static_cast<int>(s.pid));
      ::kill(-s.pid, SIGKILL);
      ::waitpid(s.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Anything else left in the group (strace's tracee) goes too.
  ::kill(-s.pid, SIGKILL);
  s.pid = -1;
  return status;
}

long long resident_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return -1;
}

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // The command name may hold spaces and parentheses: fields count from the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (!fields || ticks <= 0) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(ticks);
}

CpuTimes machine_cpu_times() {
  // First line: "cpu user nice system idle iowait irq softirq steal guest guest_nice".
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  CpuTimes t;
  if (cpu != "cpu") return t;
  for (int i = 0; i < 8; ++i) {
    unsigned long long v = 0;
    if (!(in >> v)) return CpuTimes{};
    t.total += v;
    if (i == 7) t.steal = v;
  }
  return t;
}

long long callgrind_total(const std::string& file) {
  std::ifstream in(file);
  long long total = -1;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("summary:", 0) == 0) total = std::atoll(line.c_str() + 8);
    if (line.rfind("totals:", 0) == 0) total = std::atoll(line.c_str() + 7);
  }
  return total;
}

std::map<std::string, long long> strace_counts(const std::string& file) {
  // Rows: "% time  seconds  usecs/call  calls  [errors]  syscall", the total row alike.
  std::ifstream in(file);
  std::map<std::string, long long> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    std::vector<std::string> f;
    for (std::string w; row >> w;) f.push_back(w);
    if (f.size() < 4 || f[0].find('.') == std::string::npos) continue;
    const std::string& name = f.back();
    if (f[0][0] < '0' || f[0][0] > '9') continue;
    out[name] = std::atoll(f[3].c_str());
  }
  return out;
}

}  // namespace bench
