// SPDX-License-Identifier: MIT
// wskport_bench_load: runs the loopback comparison and writes a markdown table.
//
//   wskport_bench_load --out FILE --logs DIR [--rounds 3] [--seconds 2]
//       [--short 500] [--long 3000] [--think-us 2000] [--idle 10000] [--no-counts]
//       [--no-idle] [--pin] [--measures pp1,pp64,bulk,conn]
//       --server NAME=COMMAND [--server NAME=COMMAND ...]
//
// Each COMMAND starts a single-threaded echo server on 127.0.0.1 that prints PORT=<n>
// and exits on SIGTERM; leading NAME=VALUE words are set in its environment. Times come from rounds
// in which every server runs each workload in turn (the order rotates per round), so drift on a
// shared machine hits all alike; the table shows medians. Counts come from one count-bounded
// ping-pong run of --short and one of --long round trips per server, under callgrind and under
// strace: the difference divided by (long - short) is the cost of one round trip, set-up cancelled.
// In those runs the client waits --think-us between round trips, so the slowed server
// goes idle (EAGAIN, back to its wait) before each message, as it does at full speed.
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "load.hpp"

namespace {

using bench::Result;

struct Spec {
  std::string name;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // leading NAME=VALUE words of the command
};

// "WSKPORT_ENGINE=io_uring /path/server --flag": the assignments go to the environment,
// not to env(1), so that valgrind and strace wrap the server itself.
Spec make_spec(std::string name, std::vector<std::string> words) {
  Spec spec{std::move(name), {}, {}};
  std::size_t i = 0;
  for (; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0 || words[i].find('/') < eq) break;
    spec.env.push_back(words[i]);
  }
  spec.argv.assign(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  return spec;
}

struct Options {
  std::string out;
  std::string logs = ".";
  int rounds = 3;
  double seconds = 2;
  std::uint64_t short_run = 500;
  std::uint64_t long_run = 3000;
  unsigned think_us = 2000;
  int idle = 10000;
  bool counts = true;
  bool idle_run = true;
  bool pin = false;  // --pin: client on CPU 0, servers on CPU 1
  // --measures pp1,pp64,bulk,conn: the timed workloads run (default all); a narrower set
  // makes a quick comparison of server variants on one measure.
  bool run_pp1 = true;
  bool run_pp64 = true;
  bool run_bulk = true;
  bool run_conn = true;
  std::vector<Spec> servers;
  // Measured, not set: CPU time taken by other guests of the host during the timed
  // rounds, in percent of the machine's CPU time (-1 unknown or no rounds).
  double steal_percent = -1;
};

// The measures of the timed table, in column order.
// The *_cpu entries are the server's CPU time per operation during that measure.
enum Measure {
  pp1,
  pp1_p50,
  pp1_p99,
  pp64,
  pp64_p50,
  pp64_p99,
  bulk4,
  conn16,
  pp1_cpu,
  pp64_cpu,
  conn16_cpu,
  measure_count
};

struct Counts {
  double instructions = -1;
  double syscalls = -1;
  double sleeps = 0;  // clock_nanosleep/nanosleep: a server's timer polling, not traffic
  std::map<std::string, double> by_call;  // per round trip
};

struct Row {
  std::vector<double> samples[measure_count];
  Counts counts;
  double idle_bytes = -1;
  std::uint64_t errors = 0;
};

// Samples are kept by round, -1 where a round's measure failed; those are left out.
double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return x < 0; }), v.end());
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--no-counts") {
      o.counts = false;
    } else if (a == "--pin") {
      o.pin = true;
    } else if (a == "--no-idle") {
      o.idle_run = false;
    } else if (!has_value) {
      return false;
    } else if (a == "--out") {
      o.out = argv[++i];
    } else if (a == "--logs") {
      o.logs = argv[++i];
    } else if (a == "--rounds") {
      o.rounds = std::max(0, std::atoi(argv[++i]));  // 0: counts and idle memory only
    } else if (a == "--seconds") {
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--short") {
      o.short_run = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--long") {
      o.long_run = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--think-us") {
      o.think_us = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (a == "--measures") {
      const std::string m = std::string(",") + argv[++i] + ",";
      o.run_pp1 = m.find(",pp1,") != std::string::npos;
      o.run_pp64 = m.find(",pp64,") != std::string::npos;
      o.run_bulk = m.find(",bulk,") != std::string::npos;
      o.run_conn = m.find(",conn,") != std::string::npos;
    } else if (a == "--idle") {
      o.idle = std::atoi(argv[++i]);
    } else if (a == "--server") {
      const std::string v = argv[++i];
      const auto eq = v.find('=');
      if (eq == std::string::npos) return false;
      o.servers.push_back(make_spec(v.substr(0, eq), bench::split_words(v.substr(eq + 1))));
    } else {
      return false;
    }
  }
  return !o.out.empty() && !o.servers.empty() && o.long_run > o.short_run && o.seconds > 0;
}

// A log file name for a server name ("raw asio" -> "raw_asio").
std::string file_name(std::string name) {
  for (char& c : name) {
    if (c == ' ' || c == '/' || c == '+' || c == '(' || c == ')' || c == ',' || c == '=') c = '_';
  }
  return name;
}

std::vector<std::string> with_prefix(std::vector<std::string> prefix,
                                     const std::vector<std::string>& argv) {
  prefix.insert(prefix.end(), argv.begin(), argv.end());
  return prefix;
}

// One round for one server: every timed workload against one server process.
void timed_round(const Options& o, const Spec& spec, int round, Row& row) {
  const std::string log =
      o.logs + "/" + file_name(spec.name) + ".round" + std::to_string(round) + ".log";
  bench::Server s = bench::start_server(spec.argv, log, 30, spec.env);
  if (s.pid < 0) {
    ++row.errors;
    return;
  }
  const double t = o.seconds;
  const auto at = static_cast<std::size_t>(round);
  auto keep = [&](const Result& r, Measure m, bool latencies) {
    if (!r.ok) {
      std::fprintf(stderr, "bench: %s round %d measure %d failed (%llu errors)\n",
                   spec.name.c_str(), round, static_cast<int>(m),
                   static_cast<unsigned long long>(r.errors));
      ++row.errors;
      return;
    }
    row.samples[m][at] = r.rate;
    if (latencies) {
      row.samples[m + 1][at] = r.p50_us;
      row.samples[m + 2][at] = r.p99_us;
    }
  };
  // Runs @p workload, keeping its rate in @p m and the server's CPU time per operation,
  // warm-up included (a few percent of the run), in @p cpu.
  auto with_cpu = [&](Measure m, Measure cpu, bool latencies, auto workload) {
    const double before = bench::cpu_seconds(s.pid);
    const Result r = workload();
    const double after = bench::cpu_seconds(s.pid);
    if (r.ok && before >= 0 && after >= 0 && r.operations != 0) {
      row.samples[cpu][at] = (after - before) * 1e6 / static_cast<double>(r.operations);
    }
    keep(r, m, latencies);
  };
  if (o.run_pp1) {
    with_cpu(pp1, pp1_cpu, true, [&] { return bench::ping_pong(s.port, 1, 64, 0, t, 1000); });
  }
  if (o.run_pp64) {
    with_cpu(pp64, pp64_cpu, true, [&] { return bench::ping_pong(s.port, 64, 64, 0, t, 64 * 20); });
  }
  if (o.run_bulk) keep(bench::bulk(s.port, 4, 64 * 1024, 256 * 1024, t, 0.3), bulk4, false);
  if (o.run_conn) {
    with_cpu(conn16, conn16_cpu, false, [&] { return bench::connection_rate(s.port, 16, t); });
  }
  bench::stop_server(s, 30);
}

// A count-bounded ping-pong run of @p n round trips under @p prefix.
bool counted_run(const Spec& spec, const std::vector<std::string>& prefix, std::uint64_t n,
                 const std::string& log, unsigned think_us) {
  bench::Server s = bench::start_server(with_prefix(prefix, spec.argv), log, 120, spec.env);
  if (s.pid < 0) return false;
  const Result r = bench::ping_pong(s.port, 1, 64, n, 600, 0, think_us);
  bench::stop_server(s, 120);
  return r.ok;
}

void count(const Options& o, const Spec& spec, Row& row) {
  const double span = static_cast<double>(o.long_run - o.short_run);
  const std::string base = o.logs + "/" + file_name(spec.name);
  const std::uint64_t runs[2] = {o.short_run, o.long_run};
  long long instructions[2] = {-1, -1};
  std::map<std::string, long long> calls[2];
  for (int k = 0; k < 2; ++k) {
    const std::string tag = k == 0 ? ".short" : ".long";
    const std::string cg = base + tag + ".callgrind";
    if (counted_run(spec, {"valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg}, runs[k],
                    base + tag + ".callgrind.log", o.think_us)) {
      instructions[k] = bench::callgrind_total(cg);
    }
    const std::string st = base + tag + ".strace";
    if (counted_run(spec, {"strace", "-f", "-c", "-o", st}, runs[k], base + tag + ".strace.log",
                    o.think_us)) {
      calls[k] = bench::strace_counts(st);
    }
  }
  if (instructions[0] >= 0 && instructions[1] >= 0) {
    row.counts.instructions = static_cast<double>(instructions[1] - instructions[0]) / span;
  }
  if (calls[0].count("total") != 0 && calls[1].count("total") != 0) {
    for (const auto& [name, n] : calls[1]) {
      const double per = static_cast<double>(n - calls[0][name]) / span;
      if (name == "total") {
        row.counts.syscalls = per;
        continue;
      }
      if (name == "clock_nanosleep" || name == "nanosleep") row.counts.sleeps += per;
      if (per >= 0.005) {
        row.counts.by_call[name] = per;
      }
    }
  }
}

std::string machine() {
  utsname u{};
  ::uname(&u);
  std::string model = "unknown CPU";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return std::string(u.sysname) + " " + u.release + " " + u.machine + ", " + model + ", " +
         std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs";
}

// The 1-minute load average, so a reader can tell a busy machine's figures apart.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "unknown" : one;
}

std::string fmt(double v, const char* f = "%.0f") {
  if (v < 0) return "n/a";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string ratio(double v, double ref) {
  if (v < 0 || ref <= 0) return "n/a";
  return fmt(v / ref, "%.2f");
}

void write_table(const Options& o, const std::vector<Row>& rows, std::FILE* f) {
  char when[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::fprintf(
      f,
      "Measured %s on %s (1-minute load average %s when the table was written); %d "
      "interleaved rounds of %.1f s per measure; servers as "
      "below, client (one thread) in its own process on the same machine%s. CPU steal "
      "(time the hypervisor gave to other guests) during the rounds: %s; above a few percent, "
      "times move between rounds.\n\n",
      when, machine().c_str(), load_average().c_str(), o.rounds, o.seconds,
      o.pin ? ", the client pinned to CPU 0 and every server (all its threads) to CPU 1" : "",
      o.steal_percent < 0 ? "unknown"
                          : fmt(o.steal_percent, "%.1f%% of this machine's CPU time").c_str());
  int asio = -1;
  int epoll = -1;
  int uring = -1;
  for (std::size_t i = 0; i < o.servers.size(); ++i) {
    if (o.servers[i].name == "raw asio") asio = static_cast<int>(i);
    if (o.servers[i].name == "raw epoll") epoll = static_cast<int>(i);
    if (o.servers[i].name == "raw io_uring") uring = static_cast<int>(i);
  }
  auto med = [&](int i, Measure m) { return i < 0 ? -1.0 : median(rows[i].samples[m]); };
  std::fprintf(f,
               "| server | ping-pong 1 conn (rt/s) | p50 / p99 (us) | ping-pong 64 conns (rt/s) "
               "| p50 / p99 (us) | bulk 4 conns (MB/s) | connections/s (16 in flight) |\n"
               "|---|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int k = static_cast<int>(i);
    std::fprintf(f, "| %s | %s | %s / %s | %s | %s / %s | %s | %s |\n", o.servers[i].name.c_str(),
                 fmt(med(k, pp1)).c_str(), fmt(med(k, pp1_p50), "%.1f").c_str(),
                 fmt(med(k, pp1_p99), "%.1f").c_str(), fmt(med(k, pp64)).c_str(),
                 fmt(med(k, pp64_p50), "%.1f").c_str(), fmt(med(k, pp64_p99), "%.1f").c_str(),
                 fmt(med(k, bulk4)).c_str(), fmt(med(k, conn16)).c_str());
  }
  std::fprintf(f,
               "\nRatios of medians (higher is faster), to raw asio | to raw epoll%s:\n\n"
               "| server | ping-pong 1 | ping-pong 64 | bulk 4 | connections/s |\n"
               "|---|---:|---:|---:|---:|\n",
               uring < 0 ? "" : " | to raw io_uring");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int k = static_cast<int>(i);
    std::fprintf(f, "| %s |", o.servers[i].name.c_str());
    for (const Measure m : {pp1, pp64, bulk4, conn16}) {
      std::fprintf(f, " %s \\| %s", ratio(med(k, m), med(asio, m)).c_str(),
                   ratio(med(k, m), med(epoll, m)).c_str());
      if (uring >= 0) std::fprintf(f, " \\| %s", ratio(med(k, m), med(uring, m)).c_str());
      std::fprintf(f, " |");
    }
    std::fprintf(f, "\n");
  }
  if (asio >= 0 && o.rounds > 1) {
    // Drift on a shared machine moves whole rounds; a ratio taken inside one round
    // cancels it, and the spread over rounds says how far one run can be trusted.
    std::fprintf(f,
                 "\nSame-round ratios to raw asio (each round's rate over raw asio's rate in "
                 "that round): median (lowest - highest) over the rounds.\n\n"
                 "| server | ping-pong 1 | ping-pong 64 | bulk 4 | connections/s |\n"
                 "|---|---:|---:|---:|---:|\n");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::fprintf(f, "| %s |", o.servers[i].name.c_str());
      for (const Measure m : {pp1, pp64, bulk4, conn16}) {
        std::vector<double> r;
        const auto& mine = rows[i].samples[m];
        const auto& ref = rows[static_cast<std::size_t>(asio)].samples[m];
        for (std::size_t k = 0; k < mine.size() && k < ref.size(); ++k) {
          if (mine[k] >= 0 && ref[k] > 0) r.push_back(mine[k] / ref[k]);
        }
        if (r.empty()) {
          std::fprintf(f, " n/a |");
          continue;
        }
        const auto [lo, hi] = std::minmax_element(r.begin(), r.end());
        std::fprintf(f, " %s (%s - %s) |", fmt(median(r), "%.2f").c_str(), fmt(*lo, "%.2f").c_str(),
                     fmt(*hi, "%.2f").c_str());
      }
      std::fprintf(f, "\n");
    }
  }
  std::fprintf(f,
               "\nServer CPU time (user + system, all threads, from /proc) per operation in "
               "the same rounds, median. It includes the server's share of the kernel's "
               "loopback TCP work and moves with how requests batch up, so read it next to "
               "the rates, not instead of them. Lower is better; ratios are to raw asio.\n\n"
               "| server | us per round trip, 1 conn | us per round trip, 64 conns | us per "
               "connection | / raw asio |\n|---|---:|---:|---:|---|\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int k = static_cast<int>(i);
    std::fprintf(f, "| %s | %s | %s | %s | %s / %s / %s |\n", o.servers[i].name.c_str(),
                 fmt(med(k, pp1_cpu), "%.2f").c_str(), fmt(med(k, pp64_cpu), "%.2f").c_str(),
                 fmt(med(k, conn16_cpu), "%.1f").c_str(),
                 ratio(med(k, pp1_cpu), med(asio, pp1_cpu)).c_str(),
                 ratio(med(k, pp64_cpu), med(asio, pp64_cpu)).c_str(),
                 ratio(med(k, conn16_cpu), med(asio, conn16_cpu)).c_str());
  }
  if (o.counts) {
    std::fprintf(f,
                 "\nCounts per 64-byte round trip, server process, 1 connection: (run of %llu - "
                 "run of %llu round trips) / %llu, the client waiting %u us before each message so "
                 "that the slowed-down server goes idle in between, as it does at full speed. "
                 "Instructions: user space, all threads, "
                 "`valgrind --tool=callgrind`; system calls: `strace -f -c`, and without the timed "
                 "sleeps of a server's housekeeping thread (the wskport sample's main thread "
                 "polls for SIGINT every 50 ms), which grow with the run's length, not its "
                 "traffic.\n\n"
                 "| server | instructions | / raw asio | / raw epoll | syscalls | without "
                 "sleeps | / raw asio | system calls per round trip |\n"
                 "|---|---:|---:|---:|---:|---:|---:|---|\n",
                 static_cast<unsigned long long>(o.long_run),
                 static_cast<unsigned long long>(o.short_run),
                 static_cast<unsigned long long>(o.long_run - o.short_run), o.think_us);
    const double ai = asio < 0 ? -1 : rows[asio].counts.instructions;
    const double ei = epoll < 0 ? -1 : rows[epoll].counts.instructions;
    const double as = asio < 0 ? -1 : rows[asio].counts.syscalls - rows[asio].counts.sleeps;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Counts& c = rows[i].counts;
      std::string detail;
      for (const auto& [name, per] : c.by_call) {
        if (!detail.empty()) detail += ", ";
        detail += name + " " + fmt(per, "%.2f");
      }
      const double awake = c.syscalls < 0 ? -1 : c.syscalls - c.sleeps;
      std::fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", o.servers[i].name.c_str(),
                   fmt(c.instructions).c_str(), ratio(c.instructions, ai).c_str(),
                   ratio(c.instructions, ei).c_str(), fmt(c.syscalls, "%.2f").c_str(),
                   fmt(awake, "%.2f").c_str(), ratio(awake, as).c_str(), detail.c_str());
    }
  }
  if (o.idle_run) {
    std::fprintf(f,
                 "\nMemory per idle connection: server RSS growth over %d open connections "
                 "(each echoed once, then idle) / %d.\n\n| server | KiB per connection |\n"
                 "|---|---:|\n",
                 o.idle, o.idle);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::fprintf(f, "| %s | %s |\n", o.servers[i].name.c_str(),
                   fmt(rows[i].idle_bytes / 1024, "%.1f").c_str());
    }
  }
  std::uint64_t errors = 0;
  for (const auto& r : rows) errors += r.errors;
  if (errors != 0) {
    std::fprintf(f, "\n%llu measurement(s) failed and are left out (see the logs).\n",
                 static_cast<unsigned long long>(errors));
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Client only, against a server started by hand (for profiling one workload):
  //   wskport_bench_load --client PORT CONNS ROUND_TRIPS [THINK_US]
  if (argc >= 5 && std::string_view(argv[1]) == "--client") {
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    const int conns = std::max(1, std::atoi(argv[3]));
    const auto trips = static_cast<std::uint64_t>(std::strtoull(argv[4], nullptr, 10));
    const auto think = argc >= 6 ? static_cast<unsigned>(std::atoi(argv[5])) : 0U;
    const Result r = bench::ping_pong(port, conns, 64, trips, 600, 0, think);
    std::printf("%llu round trips in %.3f s: %.0f rt/s, p50 %.1f us, p99 %.1f us%s\n",
                static_cast<unsigned long long>(r.operations), r.seconds, r.rate, r.p50_us,
                r.p99_us, r.ok ? "" : " (failed)");
    return r.ok ? 0 : 1;
  }
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: wskport_bench_load --out FILE --logs DIR [--rounds N] [--seconds S] "
                 "[--short N --long N] [--idle N] [--no-counts] [--no-idle] [--pin] "
                 "[--measures pp1,pp64,bulk,conn] "
                 "--server NAME=COMMAND ...\n"
                 "       wskport_bench_load --client PORT CONNS ROUND_TRIPS [THINK_US]\n");
    return 2;
  }
  bench::raise_fd_limit();  // the servers inherit it: 10,000 idle connections need it
  if (o.pin && !bench::pin(0, 1)) {
    std::fprintf(stderr, "bench: cannot pin to CPUs 0 and 1; running unpinned\n");
    o.pin = false;
  }
  std::vector<Row> rows(o.servers.size());
  for (auto& row : rows) {
    for (auto& v : row.samples) v.assign(static_cast<std::size_t>(o.rounds), -1.0);
  }
  const std::size_t n = o.servers.size();
  const bench::CpuTimes cpu_before = bench::machine_cpu_times();
  for (int round = 0; round < o.rounds; ++round) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t i = (j + static_cast<std::size_t>(round)) % n;
      std::fprintf(stderr, "bench: round %d/%d: %s\n", round + 1, o.rounds,
                   o.servers[i].name.c_str());
      timed_round(o, o.servers[i], round, rows[i]);
    }
  }
  const bench::CpuTimes cpu_after = bench::machine_cpu_times();
  if (cpu_after.total > cpu_before.total) {
    o.steal_percent = 100.0 * static_cast<double>(cpu_after.steal - cpu_before.steal) /
                      static_cast<double>(cpu_after.total - cpu_before.total);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (o.counts) {
      std::fprintf(stderr, "bench: counts: %s\n", o.servers[i].name.c_str());
      count(o, o.servers[i], rows[i]);
    }
    if (o.idle_run) {
      std::fprintf(stderr, "bench: idle memory: %s\n", o.servers[i].name.c_str());
      bench::Server s = bench::start_server(
          o.servers[i].argv, o.logs + "/" + file_name(o.servers[i].name) + ".idle.log", 30,
          o.servers[i].env);
      if (s.pid > 0) rows[i].idle_bytes = bench::idle_memory(s.port, s.pid, o.idle);
      bench::stop_server(s, 60);
    }
  }
  std::FILE* f = std::fopen(o.out.c_str(), "w");
  if (f == nullptr) {
    std::perror(o.out.c_str());
    return 1;
  }
  write_table(o, rows, f);
  std::fclose(f);
  std::uint64_t errors = 0;
  for (const auto& r : rows) errors += r.errors;
  return errors == 0 ? 0 : 1;
}
