// SPDX-License-Identifier: MIT
// The contract table (common/core/contract.cpp) against the comments it is written
// from: each "Completes with" list in socket.hpp and provider.hpp is read from the
// header text and must name exactly the statuses of the table's row, and the common
// statuses socket.hpp lists once must be the table's common set. The verifier's
// `contract` group checks completions against the table, so this test is what ties
// that check to the documentation a user reads.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "common/core/contract.hpp"
#include "common/core/verifier.hpp"
#include "wskport/status.hpp"

namespace {

using Names = std::set<std::string>;

// "STATUS_CONNECTION_RESET" -> "connection_reset", the spelling of wskport::status.
std::string constant_of(wskport::NTSTATUS s) {
  std::string name(wskport::status_name(s));
  if (name.rfind("STATUS_", 0) == 0) name.erase(0, 7);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// Every `name` in @p text that is a status constant.
Names statuses_in(const std::string& text, const Names& known) {
  Names found;
  static const std::regex tick("`([a-z_]+)`");
  for (std::sregex_iterator it(text.begin(), text.end(), tick), end; it != end; ++it) {
    if (known.count((*it)[1].str()) != 0) found.insert((*it)[1].str());
  }
  return found;
}

// Calls @p on_decl(block, line) for each line that follows a block of /// comments.
template <class F>
void for_each_commented_line(const std::string& header, F on_decl) {
  std::istringstream lines(header);
  std::string line;
  std::string block;
  while (std::getline(lines, line)) {
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, 3, "///") == 0) {
      block += line.substr(first + 3) + '\n';
      continue;
    }
    if (!block.empty()) on_decl(block, line);
    block.clear();
  }
}

// function name -> the statuses its comment block lists after "Completes with:" or, for
// an overload documented "As above ... adds ...", the statuses it adds.
std::map<std::string, Names> documented(const std::string& header, const Names& known) {
  std::map<std::string, Names> out;
  static const std::regex decl(R"(^\s*(?:static\s+)?NTSTATUS\s+(\w+)\()");
  for_each_commented_line(header, [&](const std::string& block, const std::string& line) {
    std::smatch m;
    if (!std::regex_search(line, m, decl)) return;
    auto at = block.find("Completes with:");
    if (at == std::string::npos) at = block.find("adds");
    if (at == std::string::npos) return;
    const Names listed = statuses_in(block.substr(at), known);
    out[m[1].str()].insert(listed.begin(), listed.end());
  });
  return out;
}

// function name -> the statuses its comment block lists after "Reports" (functions that
// report a status without completing an IRP; any return type).
std::map<std::string, Names> reported(const std::string& header, const Names& known) {
  std::map<std::string, Names> out;
  static const std::regex decl(R"((\w+)\()");
  for_each_commented_line(header, [&](const std::string& block, const std::string& line) {
    std::smatch m;
    const auto at = block.find("Reports");
    if (at != std::string::npos && std::regex_search(line, m, decl)) {
      out[m[1].str()] = statuses_in(block.substr(at), known);
    }
  });
  return out;
}

class ContractTable : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string include = std::string(WSKPORT_SOURCE_DIR) + "/include/wskport/";
    if (!read_text(include + "status.hpp", status_h_) ||
        !read_text(include + "socket.hpp", socket_h_) ||
        !read_text(include + "provider.hpp", provider_h_)) {
      GTEST_SKIP() << "the source tree's headers are not readable from this process (" << include
                   << "); the table is the same on every platform and is "
                   << "checked where they are";
    }
    static const std::regex constant(R"(inline constexpr NTSTATUS (\w+) = make)");
    for (std::sregex_iterator it(status_h_.begin(), status_h_.end(), constant), end; it != end;
         ++it) {
      known_.insert((*it)[1].str());
    }
    ASSERT_GT(known_.size(), 40U) << "status.hpp's constants were not found";
  }

  std::string status_h_, socket_h_, provider_h_;
  Names known_;
};

TEST_F(ContractTable, EveryRowMatchesItsHeaderComment) {
  auto docs = documented(socket_h_, known_);
  for (auto& [name, listed] : documented(provider_h_, known_)) docs[name] = listed;

  std::set<std::string> in_table;
  for (const auto& row : wskport::detail::contract::rows()) {
    in_table.insert(row.function);
    Names table;
    for (wskport::NTSTATUS s : row.statuses) table.insert(constant_of(s));
    const auto it = docs.find(row.function);
    ASSERT_NE(it, docs.end()) << row.function << " has a table row but no comment listing";
    EXPECT_EQ(table, it->second) << "contract.cpp's row for " << row.function
                                 << " differs from its comment";
  }
  for (const auto& [name, listed] : docs) {
    EXPECT_EQ(in_table.count(name), 1U)
        << name << " documents " << listed.size() << " statuses but has no table row";
  }
}

TEST_F(ContractTable, EveryReportRowMatchesItsHeaderComment) {
  const auto docs = reported(provider_h_, known_);
  std::set<std::string> in_table;
  for (const auto& row : wskport::detail::contract::report_rows()) {
    in_table.insert(row.function);
    Names table;
    for (wskport::NTSTATUS s : row.statuses) table.insert(constant_of(s));
    const auto it = docs.find(row.function);
    ASSERT_NE(it, docs.end()) << row.function << " has a report row but no \"Reports:\" list";
    EXPECT_EQ(table, it->second) << "contract.cpp's report row for " << row.function
                                 << " differs from its comment";
  }
  for (const auto& [name, listed] : docs) {
    EXPECT_EQ(in_table.count(name), 1U)
        << name << " reports " << listed.size() << " statuses but has no report row";
  }
}

TEST_F(ContractTable, CommonStatusesMatchSocketHeader) {
  const auto at = socket_h_.find("omit these common statuses:");
  ASSERT_NE(at, std::string::npos);
  const auto end = socket_h_.find("#pragma once", at);
  const Names listed = statuses_in(socket_h_.substr(at, end - at), known_);
  Names table;
  for (wskport::NTSTATUS s : wskport::detail::contract::common_statuses()) {
    table.insert(constant_of(s));
  }
  EXPECT_EQ(table, listed);
}

TEST(ContractCheck, DocumentedIsTheListOfTheKindsFunction) {
  using wskport::detail::OpKind;
  namespace c = wskport::detail::contract;
  namespace st = wskport::status;
  EXPECT_TRUE(c::documented(OpKind::send, st::connection_reset));
  EXPECT_FALSE(c::documented(OpKind::send, st::buffer_overflow));
  EXPECT_TRUE(c::documented(OpKind::receive_from, st::buffer_overflow));
  EXPECT_TRUE(c::documented(OpKind::receive, st::cancelled));  // common to every kind
  // Each kind has its own list: not_found is resolve's, never an option call's.
  EXPECT_TRUE(c::documented(OpKind::resolve, st::not_found));
  EXPECT_FALSE(c::documented(OpKind::set_option, st::not_found));
  EXPECT_FALSE(c::documented(OpKind::close, st::connection_reset));
}

// The operation table and the contract table agree: every kind with a contract has
// exactly one row, under the table's name, and no row names a kind without one.
TEST(ContractCheck, EveryContractRowIsAnOperationTableRow) {
  namespace d = wskport::detail;
  std::map<std::string, int> rows_per_kind;
  for (const auto& row : d::contract::rows()) {
    const auto& info = d::op_info(row.op);
    EXPECT_TRUE(info.contract) << row.function;
    EXPECT_EQ(std::string(info.name), row.function);
    ++rows_per_kind[std::string(info.name)];
  }
  for (const auto& info : d::operations) {
    if (!info.contract) continue;
    EXPECT_EQ(rows_per_kind[std::string(info.name)], 1) << info.name;
  }
}

}  // namespace

namespace {

// Coverage of the contract, from a log written by the suites (tests/support/
// contract_listener.cpp; scripts/contract_coverage.sh runs them): every status a
// function documents is provoked by some test, per operation kind. Skipped in a normal
// run, where no log exists; the script runs it last over the whole log and writes the
// status -> function -> test table of docs/reliability.md.
TEST(ContractCoverage, EveryDocumentedStatusIsProvokedBySomeTest) {
  // Its own variable, not WSKPORT_CONTRACT_LOG: while the suites write the log, this
  // test (one of them) must not judge a log still being written.
  const char* log = std::getenv("WSKPORT_CONTRACT_CHECK");  // NOLINT(concurrency-mt-unsafe)
  if (log == nullptr || *log == '\0') {
    GTEST_SKIP() << "WSKPORT_CONTRACT_CHECK is not set (scripts/test.sh and "
                    "scripts/contract_coverage.sh set it after the suites ran)";
  }
  std::ifstream in(log);
  ASSERT_TRUE(in) << "cannot read " << log;
  // "<op>\t<STATUS>\t<test>" -> op -> status -> tests
  std::map<std::string, std::map<std::string, std::set<std::string>>> seen;
  std::string line;
  while (std::getline(in, line)) {
    const auto a = line.find('\t');
    const auto b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    seen[line.substr(0, a)][line.substr(a + 1, b - a - 1)].insert(line.substr(b + 1));
  }
  // Documented statuses no test can provoke, each with the reason. Kept short: a
  // status that some condition or an injected platform error can produce belongs in a
  // test (tests/reliability/contract_status_test.cpp), not here.
  struct Unprovokable {
    const char* function;
    wskport::NTSTATUS status;
    const char* why;
  };
  const Unprovokable unprovokable[] = {
      {"resolve", wskport::status::insufficient_resources,
       "memory exhaustion inside the platform resolver (EAI_MEMORY) or the copy of its "
       "results; fault injection does not reach the resolver"},
      {"lookup_name", wskport::status::insufficient_resources,
       "memory exhaustion inside the platform resolver (EAI_MEMORY); fault injection does "
       "not reach the resolver"},
      {"start_timer", wskport::status::insufficient_resources,
       "memory exhaustion growing the timer heap, which grows only to the most timers ever "
       "waiting at once; fault injection works at the engine boundary, below timers"},
  };
  auto exempt = [&](const char* function, wskport::NTSTATUS s) -> const char* {
    for (const auto& u : unprovokable) {
      if (std::string(u.function) == function && u.status == s) return u.why;
    }
    return nullptr;
  };
  std::ostringstream table;
  table << "| status | function | provoked by (first 3 tests) |\n|---|---|---|\n";
  std::ostringstream missing;
  std::size_t pairs = 0, covered = 0;
  for (const auto& row : wskport::detail::contract::rows()) {
    const std::string op = wskport::detail::verifier::op_name(row.op);
    for (wskport::NTSTATUS s : row.statuses) {
      const std::string name(wskport::status_name(s));
      ++pairs;
      const auto& tests = seen[op][name];
      if (const char* why = exempt(row.function, s); tests.empty() && why != nullptr) {
        ++covered;
        table << "| `" << name << "` | " << row.function << " | not provoked: " << why << " |\n";
        continue;
      }
      if (tests.empty()) {
        missing << "  " << row.function << ": " << name << "\n";
        table << "| `" << name << "` | " << row.function << " | **none** |\n";
        continue;
      }
      ++covered;
      table << "| `" << name << "` | " << row.function << " | ";
      std::size_t n = 0;
      for (const auto& t : tests) {
        if (n++ == 3) break;
        table << (n > 1 ? ", " : "") << "`" << t << "`";
      }
      table << " |\n";
    }
  }
  if (const char* out = std::getenv("WSKPORT_CONTRACT_TABLE")) {  // NOLINT
    std::ofstream(out) << table.str();
  }
  std::printf(
      "contract coverage: %zu of %zu documented (function, status) pairs provoked or "
      "listed as unprovokable (%zu)\n",
      covered, pairs, std::size(unprovokable));
  EXPECT_EQ(covered, pairs) << "documented statuses no test provoked:\n" << missing.str();
}

}  // namespace
