// SPDX-License-Identifier: MIT
// Socket ids. An id packs a slot index and the slot's generation, so a closed
// socket's id (stale) or an invented one (foreign) finds no socket instead of freed
// memory: bind(2)'s EBADF, answered by the front end before the OS is asked.
#include <gsl/narrow>
#include <limits>
#include <utility>

#include "common/core/provider_core.hpp"

namespace wskport::detail {

namespace {

// On 64-bit targets: 32 bits of index, 32 of generation. On 32-bit targets the id
// still fits `IoStatus.Information`: 20 bits of index (a million sockets), 12 of
// generation.
constexpr unsigned index_bits = sizeof(std::uintptr_t) >= 8 ? 32 : 20;
constexpr std::uintptr_t index_mask = (std::uintptr_t{1} << index_bits) - 1;
constexpr std::uint32_t generation_mask =
    sizeof(std::uintptr_t) >= 8 ? std::numeric_limits<std::uint32_t>::max() : 0xFFFU;

std::uintptr_t make_id(std::size_t index, std::uint32_t generation) noexcept {
  // Index 0 would make id 0 possible; ids are index+1 so 0 never names a socket.
  return (static_cast<std::uintptr_t>(generation) << index_bits) |
         static_cast<std::uintptr_t>(index + 1);
}

}  // namespace

std::uintptr_t HandleTable::insert(SocketImpl* s) noexcept {
  std::lock_guard lock(mutex_);
  std::size_t index = 0;
  try {
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      if (slots_.size() >= index_mask) return 0;
      slots_.emplace_back();
      index = slots_.size() - 1;
    }
  } catch (...) {
    return 0;
  }
  auto& slot = slots_[index];
  slot.socket = s;
  s->add_ref();
  return make_id(index, slot.generation);
}

SocketRef HandleTable::find(std::uintptr_t id) noexcept {
  const std::uintptr_t low = id & index_mask;
  if (low == 0) return {};
  const std::size_t index = low - 1;
  const auto generation = static_cast<std::uint32_t>(id >> index_bits);
  std::lock_guard lock(mutex_);
  if (index >= slots_.size()) return {};
  const auto& slot = slots_[index];
  if (slot.socket == nullptr || slot.generation != generation) return {};
  return SocketRef(slot.socket);
}

SocketRef HandleTable::remove(std::uintptr_t id) noexcept {
  const std::uintptr_t low = id & index_mask;
  if (low == 0) return {};
  const std::size_t index = low - 1;
  const auto generation = static_cast<std::uint32_t>(id >> index_bits);
  std::lock_guard lock(mutex_);
  if (index >= slots_.size()) return {};
  auto& slot = slots_[index];
  if (slot.socket == nullptr || slot.generation != generation) return {};
  SocketRef ref(std::exchange(slot.socket, nullptr), /*add=*/false);
  // Generation 0 is skipped so a zeroed id can never match a live slot.
  slot.generation = (slot.generation + 1) & generation_mask;
  if (slot.generation == 0) slot.generation = 1;
  const auto free_index = gsl::narrow<std::uint32_t>(index);  // ids hold 32-bit indexes
  try {
    free_.push_back(free_index);
  } catch (...) {
    // The slot is lost for reuse, nothing else: the id stays stale.
  }
  return ref;
}

std::vector<SocketRef> HandleTable::snapshot() {
  std::lock_guard lock(mutex_);
  std::vector<SocketRef> out;
  out.reserve(slots_.size());
  for (const auto& slot : slots_) {
    if (slot.socket != nullptr) out.emplace_back(slot.socket);
  }
  return out;
}

std::vector<SocketRef> HandleTable::clear() {
  std::lock_guard lock(mutex_);
  std::vector<SocketRef> out;
  out.reserve(slots_.size());
  for (auto& slot : slots_) {
    if (slot.socket != nullptr) out.emplace_back(std::exchange(slot.socket, nullptr), false);
  }
  slots_.clear();
  free_.clear();
  return out;
}

}  // namespace wskport::detail
