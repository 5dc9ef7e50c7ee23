// SPDX-License-Identifier: MIT
// The IRP verifier: the switch, the per-IRP history (a side table keyed by the IRP's
// address, kept only while the verifier is on, so an IRP carries no extra bytes), and
// the report. A report prints what, where and the history, then aborts, as Driver
// Verifier stops the machine at the faulting call rather than at the later crash.
#include "common/core/verifier.hpp"

#include "common/core/contract.hpp"
#include "common/core/frontend.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wskport {
namespace detail::verifier {

namespace {

unsigned checks_from_environment() noexcept {
  const char* text = std::getenv("WSKPORT_VERIFIER");  // NOLINT(concurrency-mt-unsafe)
  if (text == nullptr) return 0;
  unsigned checks = 0;
  if (!wskport::verifier::parse_checks(text, checks)) {
    std::fprintf(stderr,
                 "wskport: WSKPORT_VERIFIER=\"%s\" is not 0, 1, all or a list of irp, usage, "
                 "leaks, contract, all; the verifier stays off\n",
                 text);
    return 0;
  }
  return checks;
}

constexpr std::size_t history_depth = 16;

struct Entry {
  Event event = Event::note;
  OpKind op = OpKind::none;
  NTSTATUS status = 0;
  std::uintptr_t information = 0;
  std::uintptr_t socket_id = 0;
  std::uint64_t seq = 0;  // process-wide order of transitions
};

struct History {
  std::array<Entry, history_depth> ring{};
  std::size_t next = 0;  // total entries written; the ring keeps the last history_depth
  std::uint64_t serial = 0;
  OpKind pending_op = OpKind::none;  // the operation of the call that holds the IRP
  bool pending = false;
};

struct Table {
  std::mutex mutex;
  std::unordered_map<const void*, History> irps;
  std::uint64_t seq = 0;
  wskport::verifier::ReportHandler handler = nullptr;
};

Table& table() noexcept {
  static Table t;
  return t;
}

const char* event_name(Event e) noexcept {
  switch (e) {
    case Event::accepted:
      return "accepted by a call";
    case Event::refused_pending:
      return "given to another call while pending (refused)";
    case Event::pended:
      return "call returned STATUS_PENDING";
    case Event::cancel:
      return "cancel requested";
    case Event::completed:
      return "completed";
    case Event::routine_done:
      return "completion routine returned";
    case Event::reused:
      return "reinitialised (reuse)";
    case Event::note:
      return "note";
  }
  return "?";
}

const char* category_name(Category c) noexcept {
  switch (c) {
    case Category::basic:
      return "basic";
    case Category::listen:
      return "listen";
    case Category::connection:
      return "connection";
    case Category::datagram:
      return "datagram";
    case Category::stream:
      return "stream";
  }
  return "unknown-category";
}

void append_status(std::string& out, NTSTATUS s) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(static_cast<std::uint32_t>(s)));
  const auto name = status_name(s);
  if (!name.empty()) {
    out.append(name);
    out += " (";
    out += hex;
    out += ')';
  } else {
    out += hex;
  }
}

void append_history(std::string& out, const History& h) {
  const std::size_t count = h.next < history_depth ? h.next : history_depth;
  out += "  history (oldest first, last " + std::to_string(count) + " of " +
         std::to_string(h.next) + " transitions):\n";
  for (std::size_t i = h.next - count; i < h.next; ++i) {
    const Entry& e = h.ring[i % history_depth];
    out += "    #" + std::to_string(e.seq) + " " + event_name(e.event);
    if (e.op != OpKind::none) {
      out += " op=";
      out += op_name(e.op);
    }
    if (e.socket_id != 0) {
      char id[32];
      std::snprintf(id, sizeof id, " socket=0x%llx", static_cast<unsigned long long>(e.socket_id));
      out += id;
    }
    if (e.event == Event::completed) {
      out += " status=";
      append_status(out, e.status);
      out += " information=" + std::to_string(e.information);
    }
    out += '\n';
  }
}

void deliver(const std::string& text) noexcept {
  wskport::verifier::ReportHandler handler = nullptr;
  {
    std::lock_guard lock(table().mutex);
    handler = table().handler;
  }
  if (handler != nullptr) {
    handler(text);
    return;
  }
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

void report_text(check kind, const void* irp, std::uintptr_t socket_id, const char* op,
                 const char* text) noexcept {
  try {
    std::string out = "wskport verifier: ";
    out += text;
    out += '\n';
    out += "  check: ";
    out += kind == check::irp        ? "irp"
           : kind == check::usage    ? "usage"
           : kind == check::contract ? "contract"
                                     : "leaks";
    out += '\n';
    char where[96];
    std::snprintf(where, sizeof where, "  socket: 0x%llx\n  operation: %s\n  irp: %p\n",
                  static_cast<unsigned long long>(socket_id), op != nullptr ? op : "-", irp);
    out += where;
    if (irp != nullptr) {
      std::lock_guard lock(table().mutex);
      const auto it = table().irps.find(irp);
      if (it != table().irps.end()) {
        append_history(out, it->second);
      } else {
        out += "  history: none recorded (the IRP was not seen while the irp checks were on)\n";
      }
    }
    deliver(out);
  } catch (...) {
    std::fprintf(stderr, "wskport verifier: %s (irp %p; out of memory for the full report)\n", text,
                 irp);
    std::fflush(stderr);
    std::abort();
  }
}

}  // namespace

std::atomic<unsigned> g_checks{checks_from_environment()};

void check_contract(const Irp& irp, OpKind op, NTSTATUS status, std::uintptr_t socket_id) noexcept {
  // An IRP completed outside any call (a test's own Complete, km's internal IRPs
  // before a call) carries no kind and no contract.
  // Kinds without a public contract (km's control calls) are not checked either.
  if (!op_info(op).contract) return;
  contract::note(op, status);
  if (contract::documented(op, status)) return;
  const std::string_view name = wskport::status_name(status);
  char text[240];
  std::snprintf(text, sizeof text,
                "completed with %.*s (0x%08X), which no function of this kind lists in its "
                "contract (socket.hpp, provider.hpp): a wskport defect or a comment to correct",
                static_cast<int>(name.size()), name.data(), static_cast<unsigned>(status));
  report(check::contract, &irp, socket_id, op, text);
}

const char* op_name(OpKind op) noexcept {
  // Every name in the table is a literal, so its data is NUL-terminated.
  return op_info(op).name.data();
}

void record(const void* irp, Event event, OpKind op, NTSTATUS status, std::uintptr_t information,
            std::uintptr_t socket_id) noexcept {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  try {
    History& h = t.irps[irp];
    Entry& e = h.ring[h.next % history_depth];
    e = Entry{event, op, status, information, socket_id, ++t.seq};
    ++h.next;
    if (event == Event::accepted) {
      h.pending = true;
      h.pending_op = op;
    } else if (event == Event::completed) {
      h.pending = false;
    }
  } catch (...) {
    // Out of memory for the history: the checks still run, the report is shorter.
  }
}

void forget(const void* irp) noexcept {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  t.irps.erase(irp);
}

void report(check kind, const void* irp, std::uintptr_t socket_id, OpKind op,
            const char* text) noexcept {
  report_text(kind, irp, socket_id, op_name(op), text);
}

void report(check kind, const void* irp, std::uintptr_t socket_id, const char* op,
            const char* text) noexcept {
  report_text(kind, irp, socket_id, op, text);
}

void check_socket_call(const Irp& irp, std::uintptr_t id, const SocketImpl* socket) noexcept {
  // The front end only reads the op kind here; the IRP was accepted by this call.
  const OpKind kind = IrpAccess::op(const_cast<Irp&>(irp)).kind;
  if (socket == nullptr) {
    report(check::usage, &irp, id, kind,
           "socket used after close (stale or unknown socket id; the call completes with "
           "STATUS_INVALID_HANDLE)");
    return;
  }
  if (!category_has(socket->params().category, kind)) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "%s called on a %s socket, whose category does not have it (the call "
                  "completes with STATUS_INVALID_DEVICE_STATE)",
                  op_name(kind), category_name(socket->params().category));
    report(check::usage, &irp, id, kind, text);
  }
}

void check_teardown(const std::uintptr_t* open_socket_ids, std::size_t sockets,
                    std::size_t outstanding_irps, const char* who) noexcept {
  if (sockets == 0 && outstanding_irps == 0) return;
  try {
    std::string text = std::string(who) + " shut down with " + std::to_string(sockets) +
                       " socket(s) never closed and " + std::to_string(outstanding_irps) +
                       " IRP(s) never completed";
    if (sockets != 0) {
      text += "; open socket ids:";
      for (std::size_t i = 0; i < sockets; ++i) {
        char id[32];
        std::snprintf(id, sizeof id, " 0x%llx",
                      static_cast<unsigned long long>(open_socket_ids[i]));
        text += id;
      }
    }
    {
      std::lock_guard lock(table().mutex);
      for (const auto& [irp, h] : table().irps) {
        if (!h.pending) continue;
        char line[96];
        std::snprintf(line, sizeof line, "; IRP %p still pending in %s", irp,
                      op_name(h.pending_op));
        text += line;
      }
    }
    report_text(check::leaks, nullptr, sockets != 0 ? open_socket_ids[0] : 0, who, text.c_str());
  } catch (...) {
    report_text(check::leaks, nullptr, 0, who,
                "provider shut down with sockets or IRPs outstanding");
  }
}

}  // namespace detail::verifier

namespace verifier {

void enable(unsigned checks) noexcept {
  {
    auto& t = detail::verifier::table();
    std::lock_guard lock(t.mutex);
    t.irps.clear();
  }
  detail::verifier::g_checks.store(checks & (all | contract), std::memory_order_relaxed);
}

void disable() noexcept { enable(0); }

unsigned enabled_checks() noexcept {
  return detail::verifier::g_checks.load(std::memory_order_relaxed);
}

bool parse_checks(std::string_view text, unsigned& checks) noexcept {
  if (text.empty() || text == "0" || text == "off") {
    checks = 0;
    return true;
  }
  if (text == "1" || text == "all" || text == "on") {
    checks = all;
    return true;
  }
  unsigned mask = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view word = text.substr(0, comma);
    if (word == "irp") {
      mask |= irp;
    } else if (word == "usage") {
      mask |= usage;
    } else if (word == "leaks") {
      mask |= leaks;
    } else if (word == "contract") {
      mask |= contract;
    } else if (word == "all") {
      mask |= all;
    } else {
      return false;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  checks = mask;
  return true;
}

void set_report_handler(ReportHandler handler) noexcept {
  auto& t = detail::verifier::table();
  std::lock_guard lock(t.mutex);
  t.handler = handler;
}

}  // namespace verifier
}  // namespace wskport
