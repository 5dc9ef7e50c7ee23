// SPDX-License-Identifier: MIT
// WSK_BUF over MDL chains: the one place that walks a chain. Also the entry point the
// fuzzers drive with arbitrary bytes, so every input is checked before it is used.
#pragma once

#include <cstddef>

#include "wskport/buffer.hpp"

// clang-format off
#include <ntddk.h>
#include <wsk.h>
// clang-format on

namespace wskport::km {

/// The kernel's NTSTATUS (LONG: `long` on Windows, `int` elsewhere), not the core's
/// std::int32_t: the WSK entry points must match the function-pointer types of wsk.h.
/// The values are the same; conversions between the two are exact.
using NTSTATUS = ::NTSTATUS;

/// Turns @p buf into buffer descriptors (one per MDL touched): the first starts
/// `Offset` bytes into the first MDL's data, the last ends after `Length` bytes in all.
/// @param out       where descriptors go; may be null when @p capacity is 0
/// @param capacity  descriptors @p out holds
/// @param count     receives the number of descriptors the chain needs (also when
///                  @p capacity is too small)
/// @return STATUS_SUCCESS; STATUS_BUFFER_TOO_SMALL (capacity short, *count says how
///         many; nothing else changed); STATUS_INVALID_PARAMETER (null @p count; Mdl
///         null with a non-zero Length; Offset not inside the first MDL; Length beyond
///         the bytes the chain describes; a cyclic chain, refused no later than the
///         first MDL the walk would reach a second time, with at most three reads of
///         each MDL header the walk needs (a loop that closes only after Offset +
///         Length bytes may be accepted: each byte is then described once); a chain
///         longer than 65536 MDLs).
///         Synchronous, allocates nothing, reads only the MDL headers.
NTSTATUS wsk_buf_to_buffers(const WSK_BUF& buf, MutableBuffer* out, std::size_t capacity,
                            std::size_t* count) noexcept;

/// Copies @p n bytes from @p src into @p buf's data, starting @p at bytes into it
/// (at + n <= Length, checked by the caller with wsk_buf_to_buffers first).
void wsk_buf_write(const WSK_BUF& buf, std::size_t at, const void* src, std::size_t n) noexcept;

/// The address of the first data byte an MDL describes (user mode: its virtual address
/// is directly addressable).
inline unsigned char* mdl_data(PMDL mdl) noexcept {
  return static_cast<unsigned char*>(mdl->StartVa) + mdl->ByteOffset;
}

}  // namespace wskport::km
