// SPDX-License-Identifier: MIT
// The few platform facts the conformance suite needs (open-fd count, the fd limit,
// privileges, directory permissions, temporary directories, IPv6 loopback), behind
// small helpers so that the tests themselves stay platform-neutral. Where a fact is not
// available the helper says so (std::nullopt / false) and the test skips with a reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <system_error>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace wskport::test::platform {

/// Open file descriptors of this process, or nullopt where they cannot be counted
/// (no /proc). Windows: nullopt. The process handle count there also moves with the
/// system thread pool and (under Wine) the emulation layer, so it cannot be compared
/// exactly; the socket and IRP counts of the provider still are.
inline std::optional<std::size_t> open_fd_count() {
#ifdef _WIN32
  return std::nullopt;
#else
  std::error_code ec;
  const std::filesystem::path fd_dir{"/proc/self/fd"};
  if (!std::filesystem::is_directory(fd_dir, ec)) return std::nullopt;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it(fd_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  if (ec) return std::nullopt;
  // The iterator's own descriptor is counted in every reading, so readings compare.
  return n;
#endif
}

/// True when the process runs with full privileges (root on POSIX). Unknown on Windows:
/// false.
inline bool running_as_root() {
#ifdef _WIN32
  return false;
#else
  return ::geteuid() == 0;
#endif
}

/// Reads a small integer from a file such as /proc/sys/...; nullopt if absent.
inline std::optional<long> read_long(const std::filesystem::path& path) {
  std::ifstream in(path);
  long value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

/// net.ipv4.ip_unprivileged_port_start (Linux); nullopt where it does not exist.
inline std::optional<long> unprivileged_port_start() {
  return read_long("/proc/sys/net/ipv4/ip_unprivileged_port_start");
}

/// net.core.somaxconn (Linux); nullopt where it does not exist.
inline std::optional<long> somaxconn() { return read_long("/proc/sys/net/core/somaxconn"); }

/// True if the process holds CAP_NET_BIND_SERVICE in its effective set (Linux; read
/// from /proc/self/status). False where that cannot be read.
inline bool has_net_bind_service() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      try {
        const unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
        return ((caps >> 10U) & 1U) != 0;  // CAP_NET_BIND_SERVICE = 10
      } catch (...) {
        return false;
      }
    }
  }
  return false;
}

/// The open-file limit (soft, hard), or nullopt where there is none to read.
struct FdLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};
inline std::optional<FdLimit> fd_limit() {
#ifdef _WIN32
  return std::nullopt;
#else
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return std::nullopt;
  return FdLimit{static_cast<std::uint64_t>(rl.rlim_cur), static_cast<std::uint64_t>(rl.rlim_max)};
#endif
}

/// Raises the soft open-file limit to the hard limit for its lifetime, then restores
/// it. `limit()` reports the soft limit in force (nullopt: no such limit, e.g. Windows,
/// where sockets are not bounded by a descriptor table of this kind).
class ScopedFdLimit {
 public:
  ScopedFdLimit() {
#ifndef _WIN32
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    saved_ = rl;
    have_saved_ = true;
    if (rl.rlim_cur != rl.rlim_max) {
      rlimit raised = rl;
      raised.rlim_cur = rl.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) raised_ = true;
    }
#endif
  }
  ~ScopedFdLimit() {
#ifndef _WIN32
    if (raised_) ::setrlimit(RLIMIT_NOFILE, &saved_);
#endif
  }
  ScopedFdLimit(const ScopedFdLimit&) = delete;
  ScopedFdLimit& operator=(const ScopedFdLimit&) = delete;

  [[nodiscard]] std::optional<std::uint64_t> limit() const {
#ifdef _WIN32
    return std::nullopt;
#else
    if (!have_saved_) return std::nullopt;
    auto now = fd_limit();
    if (!now) return std::nullopt;
    return now->soft;
#endif
  }

 private:
#ifndef _WIN32
  rlimit saved_{};
  bool have_saved_ = false;
  bool raised_ = false;
#endif
};

/// True if an IPv6 socket can bind ::1 here (checked with the native API, so that a
/// library failure is not mistaken for a missing IPv6 stack).
inline bool ipv6_loopback_available() {
#ifdef _WIN32
  return true;  // Windows always has ::1 (the Winsock backend reports its own errors)
#else
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_addr = in6addr_loopback;
  sa.sin6_port = 0;
  const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
#endif
}

/// True when this Windows build runs under Wine (its ntdll exports wine_get_version).
/// A few Winsock behaviours of Wine differ from Windows; the tests that meet one skip
/// under Wine, naming it. Always false on other platforms.
inline bool running_under_wine() {
#ifdef _WIN32
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

/// Closes a socket's native handle behind the library's back (the "native handle gone
/// bad" case of the completion contract). The library still owns the handle's slot.
inline void close_native_handle(std::intptr_t handle) {
#ifdef _WIN32
  ::closesocket(static_cast<SOCKET>(handle));
#else
  ::close(static_cast<int>(handle));
#endif
}

/// True if this platform has AF_UNIX stream sockets the suite can use.
inline bool has_unix_sockets() {
#ifdef _WIN32
  return false;  // Windows 10 1803+ has AF_UNIX, but the suite covers it on POSIX only
#else
  return true;
#endif
}

/// Removes write permission from @p dir (owner, group, other). False if impossible.
inline bool make_unwritable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::permissions(dir,
                               std::filesystem::perms::owner_write |
                                   std::filesystem::perms::group_write |
                                   std::filesystem::perms::others_write,
                               std::filesystem::perm_options::remove, ec);
  return !ec;
}

/// Gives the owner full access to @p dir again.
inline void make_writable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
}

/// True if this process may create entries in @p dir (root may, whatever the mode).
inline bool can_write(const std::filesystem::path& dir) {
#ifdef _WIN32
  (void)dir;
  return true;
#else
  return ::access(dir.c_str(), W_OK) == 0;
#endif
}

/// A fresh private directory, removed (with its contents) on destruction. The path is
/// short, so AF_UNIX paths inside it fit sockaddr_un.
class TempDir {
 public:
  TempDir() {
#ifdef _WIN32
    std::random_device rd;
    std::error_code ec;
    for (int attempt = 0; attempt < 100 && path_.empty(); ++attempt) {
      auto candidate =
          std::filesystem::temp_directory_path(ec) / ("wskport-conf-" + std::to_string(rd()));
      if (std::filesystem::create_directory(candidate, ec)) path_ = candidate;
    }
#else
    std::string templ = "/tmp/wskport-conf-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
#endif
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    // Restore write permission anywhere a test removed it, then remove everything.
    make_writable(path_);
    for (std::filesystem::recursive_directory_iterator it(path_, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_directory(ec)) make_writable(it->path());
    }
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] bool ok() const { return !path_.empty(); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wskport::test::platform
