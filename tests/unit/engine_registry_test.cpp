// SPDX-License-Identifier: MIT
// The engine registry: the choice rules on a registry of stand-in engines (ranks,
// aliases, unknown and unavailable names, the environment, the fallback's reason), and
// the build's own registry through the public calls (names, aliases, WSKPORT_ENGINE set
// and unset in this process, engine_name() of what ran).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "common/core/backend.hpp"
#include "common/core/engine_registry.hpp"
#include "support/status_assert.hpp"
#include "wskport/provider.hpp"

namespace {

using wskport::choose_engine;
using wskport::NTSTATUS;
using wskport::Provider;
using wskport::ProviderOptions;
using wskport::detail::EngineEntry;
using wskport::detail::EngineRegistry;
namespace status = wskport::status;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// --- stand-in engines ----------------------------------------------------------------

int ring_probes = 0;
NTSTATUS ring_probe(std::string& reason) {
  ++ring_probes;
  reason = "io_uring_setup: Operation not permitted";
  return status::not_supported;
}
NTSTATUS ready_probe(std::string&) { return status::success; }
std::unique_ptr<wskport::detail::Backend> no_factory(boost::asio::io_context&, NTSTATUS& st) {
  st = status::insufficient_resources;
  return nullptr;
}

// Listed worst first: the registry orders by rank.
std::vector<EngineEntry> stand_ins() {
  return {
      {"slow", "", 30, &ready_probe, &no_factory},
      {"reactor", "old", 20, &ready_probe, &no_factory},
      {"ring", "", 10, &ring_probe, &no_factory},
  };
}

TEST(EngineRegistryRules, OrdersByRankAndFindsNamesAndAliases) {
  EngineRegistry r(stand_ins());
  ASSERT_EQ(r.entries().size(), 3U);
  EXPECT_EQ(r.entries()[0].name, "ring");
  EXPECT_EQ(r.entries()[1].name, "reactor");
  EXPECT_EQ(r.entries()[2].name, "slow");
  ASSERT_NE(r.find("reactor"), nullptr);
  EXPECT_EQ(r.find("old"), r.find("reactor")) << "an alias finds its engine";
  EXPECT_EQ(r.find("Reactor"), nullptr) << "names are exact";
  EXPECT_EQ(r.find("nothing"), nullptr);
  EXPECT_EQ(r.find(""), nullptr);
}

TEST(EngineRegistryRules, BestAvailablePassesOverAnUnavailableEngineAndSaysWhy) {
  ring_probes = 0;
  EngineRegistry r(stand_ins());
  const EngineEntry* chosen = nullptr;
  const auto c = r.choose("", "", &chosen);
  EXPECT_STATUS(c.status, status::success);
  EXPECT_EQ(c.name, "reactor");
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->name, "reactor");
  EXPECT_TRUE(contains(c.reason, "best available")) << c.reason;
  EXPECT_TRUE(contains(c.reason, "ring unavailable: io_uring_setup: Operation not permitted"))
      << c.reason;
  // The host check runs once, however often the registry is asked.
  (void)r.choose("", "");
  (void)r.describe();
  EXPECT_EQ(ring_probes, 1);
  const auto infos = r.describe();
  ASSERT_EQ(infos.size(), 3U);
  EXPECT_FALSE(infos[0].available);
  EXPECT_EQ(infos[0].reason, "io_uring_setup: Operation not permitted");
  EXPECT_TRUE(infos[1].available);
  EXPECT_TRUE(infos[1].reason.empty());
}

TEST(EngineRegistryRules, ANamedEngineIsThatEngineOrAnError) {
  EngineRegistry r(stand_ins());
  const EngineEntry* chosen = nullptr;
  auto c = r.choose("slow", "", &chosen);
  EXPECT_STATUS(c.status, status::success);
  EXPECT_EQ(c.name, "slow");
  c = r.choose("old", "");
  EXPECT_STATUS(c.status, status::success);
  EXPECT_EQ(c.name, "reactor") << "an alias is reported by the engine's name";

  c = r.choose("ring", "", &chosen);
  EXPECT_STATUS(c.status, status::not_supported) << "unavailable: no fallback";
  EXPECT_EQ(chosen, nullptr);
  EXPECT_TRUE(c.name.empty());
  EXPECT_TRUE(contains(c.reason, "compiled in but cannot run on this host")) << c.reason;
  EXPECT_TRUE(contains(c.reason, "Operation not permitted")) << c.reason;

  c = r.choose("epoll2", "");
  EXPECT_STATUS(c.status, status::not_supported);
  EXPECT_TRUE(contains(c.reason, "no such engine")) << c.reason;
  EXPECT_TRUE(contains(c.reason, "compiled in: ring, reactor, slow")) << c.reason;
}

TEST(EngineRegistryRules, TheEnvironmentNamesTheEngineWhenTheOptionsDoNot) {
  EngineRegistry r(stand_ins());
  auto c = r.choose("", "slow");
  EXPECT_STATUS(c.status, status::success);
  EXPECT_EQ(c.name, "slow");
  EXPECT_TRUE(contains(c.reason, "WSKPORT_ENGINE")) << c.reason;
  c = r.choose("reactor", "slow");
  EXPECT_EQ(c.name, "reactor") << "the options win over the environment";
  c = r.choose("reactor", "bogus");
  EXPECT_STATUS(c.status, status::success) << "an ignored environment is not checked";
  c = r.choose("", "bogus");
  EXPECT_STATUS(c.status, status::not_supported);
  EXPECT_TRUE(contains(c.reason, "WSKPORT_ENGINE=\"bogus\": no such engine")) << c.reason;
  c = r.choose("", "ring");
  EXPECT_STATUS(c.status, status::not_supported) << "no fallback from an unavailable name";
  EXPECT_TRUE(contains(c.reason, "WSKPORT_ENGINE=\"ring\"")) << c.reason;
}

TEST(EngineRegistryRules, NoRunnableEngineIsNotSupported) {
  EngineRegistry r({{"ring", "", 10, &ring_probe, &no_factory}});
  const auto c = r.choose("", "");
  EXPECT_STATUS(c.status, status::not_supported);
  EXPECT_TRUE(contains(c.reason, "no engine of this build can run")) << c.reason;
  EXPECT_TRUE(contains(c.reason, "ring unavailable")) << c.reason;
}

// --- the build's registry, through the public API ------------------------------------

// Sets (or, with nullopt, removes) an environment variable for one scope and puts the
// old value back. Only between providers: no provider thread reads the environment.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;  // NOLINT(concurrency-mt-unsafe)
    put(value);
  }
  ~ScopedEnv() { put(old_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void put(const std::optional<std::string>& value) {
#ifdef _WIN32
    _putenv_s(name_, value ? value->c_str() : "");  // "" removes it
#else
    if (value) {
      ::setenv(name_, value->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
#endif
  }
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Engines, CompiledInAvailableAndAliases) {
  const auto compiled = wskport::compiled_engines();
  ASSERT_FALSE(compiled.empty());
  std::vector<std::string> runnable;
  for (const auto& e : compiled) {
    std::string reason = "unset";
    const NTSTATUS st = wskport::engine_status(e.name, &reason);
    EXPECT_EQ(e.available, st == status::success) << e.name;
    EXPECT_EQ(e.reason, reason) << e.name;
    EXPECT_EQ(e.available, e.reason.empty()) << e.name << ": a reason exactly when unavailable";
    if (e.available) runnable.push_back(e.name);
  }
  std::vector<std::string> available;
  for (auto n : wskport::available_engines()) available.emplace_back(n);
  EXPECT_EQ(available, runnable) << "available_engines() is compiled_engines() filtered";
  std::vector<std::string> deprecated;
  for (auto n : wskport::available_backends()) deprecated.emplace_back(n);
  EXPECT_EQ(deprecated, available) << "the deprecated name returns the same list";
  ASSERT_FALSE(available.empty()) << "no engine of this build runs on this host";

  // The old backend names still name their engines.
  for (const auto& e : EngineRegistry::builtin().entries()) {
    if (e.alias.empty()) continue;
    std::string why_name, why_alias;
    EXPECT_EQ(wskport::engine_status(e.alias, &why_alias),
              wskport::engine_status(e.name, &why_name));
    EXPECT_EQ(
        choose_engine(ProviderOptions{.engine = e.alias}).name,
        wskport::nt_success(wskport::engine_status(e.name)) ? std::string(e.name) : std::string());
  }
  std::string reason;
  EXPECT_STATUS(wskport::engine_status("no-such-engine", &reason), status::not_supported);
  EXPECT_TRUE(contains(reason, "no engine named")) << reason;
  EXPECT_STATUS(wskport::engine_status("", &reason), status::not_supported);
}

TEST(Engines, CreateRunsTheEngineItWasAskedFor) {
  const ScopedEnv unset("WSKPORT_ENGINE", std::nullopt);
  for (auto name : wskport::available_engines()) {
    NTSTATUS err = status::unsuccessful;
    auto p = Provider::create(ProviderOptions{.engine = name}, &err);
    ASSERT_TRUE(p) << name << ": " << wskport::test::status_string(err);
    EXPECT_STATUS(err, status::success);
    EXPECT_EQ(p->engine_name(), name);
    EXPECT_EQ(p->backend_name(), name);
    // The deprecated option still works, and loses to `engine` when both are set.
    auto q = Provider::create(ProviderOptions{.backend = name}, &err);
    ASSERT_TRUE(q) << wskport::test::status_string(err);
    EXPECT_EQ(q->engine_name(), name);
    auto r = Provider::create(ProviderOptions{.engine = name, .backend = "no-such-engine"}, &err);
    ASSERT_TRUE(r) << "engine wins over backend";
    EXPECT_EQ(r->engine_name(), name);
  }
  // Unavailable here (io_uring where the kernel refuses it): a clear failure, never
  // another engine.
  for (const auto& e : wskport::compiled_engines()) {
    if (e.available) continue;
    NTSTATUS err = status::success;
    EXPECT_FALSE(Provider::create(ProviderOptions{.engine = e.name}, &err)) << e.name;
    EXPECT_STATUS(err, status::not_supported);
    const auto c = choose_engine(ProviderOptions{.engine = e.name});
    EXPECT_TRUE(contains(c.reason, e.reason)) << c.reason;
  }
  NTSTATUS err = status::success;
  EXPECT_FALSE(Provider::create(ProviderOptions{.engine = "no-such-engine"}, &err));
  EXPECT_STATUS(err, status::not_supported);
  // No name: the best available, and choose_engine says so.
  auto best = Provider::create({}, &err);
  ASSERT_TRUE(best) << wskport::test::status_string(err);
  EXPECT_EQ(best->engine_name(), wskport::available_engines().front());
  const auto c = choose_engine();
  EXPECT_STATUS(c.status, status::success);
  EXPECT_EQ(c.name, best->engine_name());
  EXPECT_TRUE(contains(c.reason, "best available")) << c.reason;
}

TEST(Engines, EnvironmentOverridesOnlyWhenTheOptionsNameNoEngine) {
  const auto available = wskport::available_engines();
  ASSERT_FALSE(available.empty());
  const std::string last(available.back());  // not the default where there are several
  NTSTATUS err = status::unsuccessful;
  {
    const ScopedEnv env("WSKPORT_ENGINE", last);
    auto p = Provider::create({}, &err);
    ASSERT_TRUE(p) << wskport::test::status_string(err);
    EXPECT_EQ(p->engine_name(), last);
    EXPECT_TRUE(contains(choose_engine().reason, "WSKPORT_ENGINE")) << choose_engine().reason;
  }
  {
    const ScopedEnv env("WSKPORT_ENGINE", std::string("no-such-engine"));
    err = status::success;
    EXPECT_FALSE(Provider::create({}, &err)) << "a bad WSKPORT_ENGINE is an error, not a fallback";
    EXPECT_STATUS(err, status::not_supported);
    const auto c = choose_engine();
    EXPECT_STATUS(c.status, status::not_supported);
    EXPECT_TRUE(contains(c.reason, "WSKPORT_ENGINE=\"no-such-engine\": no such engine"))
        << c.reason;
    // The options still win over it.
    auto p = Provider::create(ProviderOptions{.engine = available.front()}, &err);
    ASSERT_TRUE(p) << wskport::test::status_string(err);
    EXPECT_EQ(p->engine_name(), available.front());
  }
  for (const auto& e : wskport::compiled_engines()) {
    if (e.available) continue;
    const ScopedEnv env("WSKPORT_ENGINE", e.name);
    err = status::success;
    EXPECT_FALSE(Provider::create({}, &err)) << e.name << " is unavailable: no fallback";
    EXPECT_STATUS(err, status::not_supported);
  }
  {
    const ScopedEnv env("WSKPORT_ENGINE", std::string());
    auto p = Provider::create({}, &err);
    ASSERT_TRUE(p) << "an empty WSKPORT_ENGINE counts as unset";
    EXPECT_EQ(p->engine_name(), available.front());
  }
}

}  // namespace
