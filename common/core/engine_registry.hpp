// SPDX-License-Identifier: MIT
// The engines compiled into this build, chosen at run time. Each platform folder
// registers its engines in CMake (wskport_add_engine, cmake/wskportEngines.cmake); the
// build generates the table that engine_registry.cpp includes, so the core names no
// platform and needs no symbol that a platform file must define. Adding an engine is one
// wskport_add_engine() line plus the engine's own code (docs/architecture.md).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "wskport/provider.hpp"
#include "wskport/status.hpp"

namespace boost::asio {
class io_context;
}

namespace wskport::detail {

class Backend;

/// One engine compiled in. The functions are plain pointers so the generated table is
/// a constant list of names.
struct EngineEntry {
  std::string_view name;   ///< "io_uring", "epoll", "iocp"
  std::string_view alias;  ///< the backend name of earlier releases ("posix"), or empty
  /// "Best available" takes the available engine with the lowest rank.
  unsigned rank = 100;
  /// Can this host run the engine? `status::success`, or `status::not_supported` with a
  /// sentence in @p reason (kernel too old, disabled by sysctl, refused by seccomp...).
  /// Called once per process; may throw what allocation throws.
  NTSTATUS (*probe)(std::string& reason) = nullptr;
  /// Builds the engine on the provider's event loop; null with @p status set
  /// (insufficient_resources, too_many_opened_files...) on failure.
  std::unique_ptr<Backend> (*factory)(boost::asio::io_context& io, NTSTATUS& status) = nullptr;
};

/// A list of engines and their cached probe results. `builtin()` is the build's own;
/// tests make registries of stand-in engines to check the choice rules.
class EngineRegistry {
 public:
  /// Sorted by rank (stable: equal ranks keep their order).
  explicit EngineRegistry(std::vector<EngineEntry> entries);
  EngineRegistry(const EngineRegistry&) = delete;
  EngineRegistry& operator=(const EngineRegistry&) = delete;

  /// The engines compiled into this build (generated from the wskport_add_engine calls).
  static EngineRegistry& builtin();

  /// Best first.
  [[nodiscard]] const std::vector<EngineEntry>& entries() const noexcept { return entries_; }
  /// The entry named @p name or aliased by it (exact, case-sensitive), or null.
  [[nodiscard]] const EngineEntry* find(std::string_view name) const noexcept;
  /// The entry's probe result, run once (thread-safe); @p reason receives the text.
  NTSTATUS probe(const EngineEntry& entry, std::string* reason = nullptr);
  /// Every entry with its probe result, best first.
  std::vector<EngineInfo> describe();
  /// What `Provider::create` does with @p requested (the options' engine, or empty)
  /// and @p from_environment (WSKPORT_ENGINE's value, or empty), as documented at
  /// `choose_engine`. @p chosen receives the entry on success.
  EngineChoice choose(std::string_view requested, std::string_view from_environment,
                      const EngineEntry** chosen = nullptr);

 private:
  struct Probed {
    bool done = false;
    NTSTATUS status = status::success;
    std::string reason;
  };
  std::string names() const;

  std::vector<EngineEntry> entries_;
  std::mutex mutex_;
  std::vector<Probed> probed_;  // parallel to entries_
};

/// The engine name requested by @p options: `engine`, else the deprecated `backend`.
std::string_view requested_engine(const ProviderOptions& options) noexcept;

/// WSKPORT_ENGINE's value, empty when unset. Read at each call, so a process may change
/// it between providers.
std::string environment_engine();

}  // namespace wskport::detail
