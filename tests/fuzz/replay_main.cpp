// SPDX-License-Identifier: MIT
// The regression mode of every fuzz target: a plain main() that feeds the target each
// file of the corpus directories (or single files) named on the command line, in sorted
// order, so the checked-in corpora run as ordinary ctests in every preset, including
// the MinGW build under Wine, with no libFuzzer. A broken invariant aborts (non-zero
// exit); an empty corpus fails too, so a mistyped path cannot pass silently.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool read_file(const std::filesystem::path& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      }
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      return 2;
    }
    if (ec) {
      std::fprintf(stderr, "replay: %s: %s\n", argv[i], ec.message().c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s <corpus dir or file>...  (no input found)\n", argv[0]);
    return 2;
  }
  std::sort(files.begin(), files.end());

  std::vector<std::uint8_t> data;
  for (const auto& file : files) {
    if (!read_file(file, data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.string().c_str());
      return 2;
    }
    // A copy of exactly the file's size on the heap, as libFuzzer passes it, so an
    // over-read is caught by ASan in the sanitizer presets.
    const std::vector<std::uint8_t> exact(data.begin(), data.end());
    LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
  }
  std::printf("replay: %zu inputs passed\n", files.size());
  return 0;
}
