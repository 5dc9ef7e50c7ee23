// SPDX-License-Identifier: MIT
// Contract coverage: with WSKPORT_CONTRACT_LOG=<file> (and the verifier's `contract`
// group on), each test appends the (operation, status) pairs its completions produced,
// one line each: "<operation>\t<STATUS_NAME>\t<Suite.Test>". scripts/contract_coverage.sh
// merges the lines of every suite into the status -> function -> test table of
// docs/reliability.md and lists documented statuses no test provoked.
// Compiled into every test program that uses wskport_test_support.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/core/contract.hpp"
#include "common/core/verifier.hpp"

namespace {

class ContractLog : public ::testing::EmptyTestEventListener {
 public:
  explicit ContractLog(std::string path) : path_(std::move(path)) {}

  void OnTestStart(const ::testing::TestInfo&) override {
    // Completions between tests (fixture teardown of the previous one) belong to it;
    // drop anything older so a test is credited only with what it ran.
    wskport::detail::contract::take_noted([](wskport::detail::OpKind, wskport::NTSTATUS, void*) {},
                                          nullptr);
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    Context ctx{std::string(info.test_suite_name()) + "." + info.name(), {}};
    wskport::detail::contract::take_noted(
        [](wskport::detail::OpKind op, wskport::NTSTATUS st, void* p) {
          auto& c = *static_cast<Context*>(p);
          c.lines += wskport::detail::verifier::op_name(op);
          c.lines += '\t';
          c.lines += wskport::status_name(st);
          c.lines += '\t';
          c.lines += c.test;
          c.lines += '\n';
        },
        &ctx);
    if (ctx.lines.empty()) return;
    // One write per test: ctest runs programs in parallel, and an append of one
    // buffer is not interleaved with another process's.
    std::FILE* f = std::fopen(path_.c_str(), "ab");
    if (f == nullptr) return;
    std::setvbuf(f, nullptr, _IONBF, 0);
    std::fwrite(ctx.lines.data(), 1, ctx.lines.size(), f);
    std::fclose(f);
  }

 private:
  struct Context {
    std::string test;
    std::string lines;
  };
  std::string path_;
};

// Registered before main runs (gtest_main then owns the listener).
[[maybe_unused]] const bool registered = [] {
  const char* path = std::getenv("WSKPORT_CONTRACT_LOG");  // NOLINT(concurrency-mt-unsafe)
  if (path == nullptr || *path == '\0') return false;
  ::testing::UnitTest::GetInstance()->listeners().Append(new ContractLog(path));
  return true;
}();

}  // namespace
