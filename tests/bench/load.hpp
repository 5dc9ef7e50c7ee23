// SPDX-License-Identifier: MIT
// The loopback load tool: its own client (one thread, raw epoll, so the client is never
// the thing measured), the server processes it starts and stops, and the count
// collectors (callgrind, strace) it wraps them in.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bench {

/// What a workload measured. Rates are per second over the measured part (after
/// warm-up); latencies are of single round trips, in microseconds.
struct Result {
  std::uint64_t operations = 0;  ///< round trips, connections, or bytes (bulk)
  double seconds = 0;
  double rate = 0;  ///< operations per second (bulk: MB/s, 10^6 bytes)
  double p50_us = 0;
  double p99_us = 0;
  std::uint64_t errors = 0;  ///< failed connects or early closes (should stay 0)
  bool ok = false;
};

/// Ping-pong: each of @p conns connections sends @p size bytes and waits for the echo,
/// again and again. Ends after @p max_round_trips measured round trips (0: no limit)
/// or @p seconds, whichever first; the first @p warmup round trips are not measured.
/// With @p think_us, each message waits that long after the previous echo, so that a
/// server slowed down by a count tool still goes idle between round trips, as it does
/// untraced (otherwise the next message is always there already, and a traced server
/// takes a path, no EAGAIN and no wait, that it never takes at full speed).
Result ping_pong(std::uint16_t port, int conns, std::size_t size, std::uint64_t max_round_trips,
                 double seconds, std::uint64_t warmup, unsigned think_us = 0);

/// Bulk echo: @p conns connections each write @p chunk-byte writes (at most @p window
/// bytes not yet echoed) and read the echo, for @p seconds after @p warmup_seconds.
Result bulk(std::uint16_t port, int conns, std::size_t chunk, std::size_t window, double seconds,
            double warmup_seconds);

/// Connection rate: @p in_flight slots each connect, send 64 bytes, read the echo and
/// close, over and over, for @p seconds.
Result connection_rate(std::uint16_t port, int in_flight, double seconds);

/// Opens @p conns connections, echoes 64 bytes on each (so the server has accepted and
/// armed them all), then reads the server's resident set. Returns bytes per connection
/// of RSS growth, or a negative value on failure.
double idle_memory(std::uint16_t port, pid_t server, int conns);

/// User plus system CPU seconds @p pid has used so far, all threads (/proc, clock ticks);
/// negative if unknown.
double cpu_seconds(pid_t pid);

/// Machine-wide CPU time so far from /proc/stat (all CPUs, clock ticks): the total and
/// the part the hypervisor gave to other guests ("steal"). Zeros if unknown.
struct CpuTimes {
  unsigned long long total = 0;
  unsigned long long steal = 0;
};
CpuTimes machine_cpu_times();

/// Runs this process (the client) on @p client_cpu only and every server started from
/// now on on @p server_cpu only, so the two never compete for a core. False if the
/// system refuses.
bool pin(int client_cpu, int server_cpu);

/// Raises RLIMIT_NOFILE to its hard limit (servers started later inherit it).
void raise_fd_limit();

/// A server process the tool started.
struct Server {
  pid_t pid = -1;  ///< process group leader (valgrind or strace when wrapped)
  std::uint16_t port = 0;
};

/// Starts @p argv (a server printing PORT=<n>) in its own process group, its stderr to
/// @p log, with this process's environment plus the NAME=VALUE entries of @p env.
/// Returns pid -1 on failure (message on stderr).
Server start_server(const std::vector<std::string>& argv, const std::string& log,
                    double timeout_seconds, const std::vector<std::string>& env = {});
/// SIGTERM to the group, then waits (SIGKILL after @p timeout_seconds). Returns the
/// exit status as waitpid gives it.
int stop_server(Server& s, double timeout_seconds);

/// VmRSS of @p pid in bytes, or -1.
long long resident_bytes(pid_t pid);

/// Total instructions ("summary:"/"totals:") of a callgrind output file, or -1.
long long callgrind_total(const std::string& file);
/// Calls per syscall name, plus "total", from an `strace -c` summary file.
std::map<std::string, long long> strace_counts(const std::string& file);

/// Splits a command line on blanks (no quoting: the paths here have none).
std::vector<std::string> split_words(const std::string& text);

}  // namespace bench
