// SPDX-License-Identifier: MIT
// Private helpers shared by the kernel runtime's sources (common/km/km_*.cpp).
#pragma once

#include <atomic>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <functional>

#include <wdm.h>

namespace wskport {
class Irp;
}

namespace wskport::km::detail {

/// The core completion routine of every km IRP (km_irp_complete.cpp): the provider hook,
/// then IoCompleteRequest's walk up the stack locations.
void irp_trampoline(wskport::Irp& core, void* context) noexcept;

/// A pool tag from its four characters as kernel code writes them ('Tag1' is stored
/// with the last character in the lowest byte, so memory dumps read "1gaT" reversed).
constexpr ULONG tag(char a, char b, char c, char d) noexcept {
  return static_cast<ULONG>(static_cast<unsigned char>(a)) << 24 |
         static_cast<ULONG>(static_cast<unsigned char>(b)) << 16 |
         static_cast<ULONG>(static_cast<unsigned char>(c)) << 8 |
         static_cast<ULONG>(static_cast<unsigned char>(d));
}

/// The pool tags of the blocks IoAllocateIrp and IoAllocateMdl hand out (read "Irp " and
/// "Mdl " in a dump); the driver-image leak report tells IRPs and MDLs apart by them.
constexpr ULONG kIrpPoolTag = tag(' ', 'p', 'r', 'I');
constexpr ULONG kMdlPoolTag = tag(' ', 'l', 'd', 'M');

/// A tag as it reads in memory (pool tools print it that way): 'looP' reads "Pool";
/// bytes that are not printable read '.' (km_pool.cpp).
struct TagText {
  char text[5];
};
TagText tag_text(ULONG t) noexcept;

/// Writes a runtime diagnostic ("wskport km: ...") to stderr in one write, whatever the
/// DbgPrint filter says: these report contract violations by the kernel code.
void report(const char* format, ...) noexcept;
void vreport(const char* format, std::va_list args) noexcept;

/// Writes @p text (@p length bytes) to the debug output, stderr, in one write: the sink
/// of DbgPrint, which WPP traces (km_wpp.cpp) share.
void debug_write(const char* text, std::size_t length) noexcept;

/// Reports and stops the process (std::abort), as the kernel would bug-check.
[[noreturn]] void fatal(const char* format, ...) noexcept;

/// True the first time it is called for @p key in this process (reports that must not
/// repeat for every IRP, such as a completion routine that breaks a convention).
bool first_time(const void* key) noexcept;

/// An atomic view of a kernel field that the C headers declare as a plain member.
template <class T>
std::atomic_ref<T> atomic(T& object) noexcept {
  return std::atomic_ref<T>(object);
}
template <class T>
std::atomic_ref<T> atomic(volatile T& object) noexcept {
  return std::atomic_ref<T>(const_cast<T&>(object));
}

/// The calling thread's IRQL (km_sync.cpp).
KIRQL& current_irql() noexcept;

/// Timers set and DPCs queued or running whose object or routine lies in [begin, end)
/// (km_timer.cpp): a driver image with any of them cannot be unmapped.
std::size_t timers_and_dpcs_in(std::uintptr_t begin, std::uintptr_t end) noexcept;

/// Stops the timer and DPC threads from serving (km_timer.cpp); once per process. A
/// program's exit path calls it while those threads still run (see km_timer.cpp).
void stop_timers_at_exit() noexcept;

/// Pool bookkeeping for the host and tests (km_pool.cpp).
std::int64_t pool_outstanding() noexcept;

/// A pool allocation made on behalf of the code at @p caller (IoAllocateIrp,
/// IoAllocateMdl: the block belongs to their caller's image, not to the runtime).
void* pool_allocate(SIZE_T bytes, ULONG pool_tag, POOL_TYPE type, const void* caller) noexcept;

/// Called for each block an image still holds: the block, its tag, size and the return
/// address of the call that allocated it.
using PoolLeakVisitor =
    std::function<void(const void* block, ULONG tag, SIZE_T size, const void* caller)>;
/// Visits the blocks image slot @p owner still holds and disowns them (they stay
/// allocated; a later free is still checked). Returns how many there were.
std::size_t pool_disown(int owner, const PoolLeakVisitor& visit) noexcept;

}  // namespace wskport::km::detail
