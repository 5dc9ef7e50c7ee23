// SPDX-License-Identifier: MIT
// The counting global operator new of the allocation test (counting_new.cpp). It lives
// in a translation unit of its own so that no call site sees malloc behind new and free
// behind delete (compilers then warn about a mismatch that is not one).
#pragma once

#include <cstdint>

/// Calls of any replaceable global operator new so far, on every thread.
std::uint64_t allocations_so_far() noexcept;
