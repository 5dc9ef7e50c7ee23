// SPDX-License-Identifier: MIT
// The C run-time's wide-string routines as the Windows kernel exports them, on 16-bit
// WCHAR (wskport_km_wcs.h maps wcslen, wcscpy_s, _wcsicmp... to these on hosts whose C
// library walks 32-bit wchar_t). Semantics and error values are the Microsoft CRT's;
// the _s forms report through their return value only (no invalid-parameter handler).
#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstring>

#include "common/km/km_text.hpp"

#include <wdm.h>

namespace {

namespace text = wskport::km::text;

constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

std::size_t length(const WCHAR* s, std::size_t max = kUnbounded) noexcept {
  return text::wide_length(s, max);
}

// "C" locale folding, as the CRT's _wcsicmp and the kernel's export do: A-Z only.
unsigned lower(WCHAR c) noexcept {
  const unsigned u = static_cast<USHORT>(c);
  return (u >= 'A' && u <= 'Z') ? u + ('a' - 'A') : u;
}
unsigned upper(WCHAR c) noexcept {
  const unsigned u = static_cast<USHORT>(c);
  return (u >= 'a' && u <= 'z') ? u - ('a' - 'A') : u;
}
unsigned unit(WCHAR c) noexcept { return static_cast<USHORT>(c); }

bool contains(const WCHAR* set, WCHAR c) noexcept {
  for (; *set != 0; ++set) {
    if (*set == c) return true;
  }
  return false;
}

// Copies @p n units of @p src after @p used units of @p dst (capacity @p size); the
// caller has checked that used + n < size.
void put(WCHAR* dst, std::size_t used, const WCHAR* src, std::size_t n) noexcept {
  std::memmove(dst + used, src, n * sizeof(WCHAR));
  dst[used + n] = 0;
}

}  // namespace

size_t WskportWcslen(const WCHAR* s) { return length(s); }

size_t WskportWcsnlen(const WCHAR* s, size_t max) { return s == nullptr ? 0 : length(s, max); }

WCHAR* WskportWcscpy(WCHAR* dst, const WCHAR* src) {
  put(dst, 0, src, length(src));
  return dst;
}

WCHAR* WskportWcsncpy(WCHAR* dst, const WCHAR* src, size_t n) {
  const std::size_t len = length(src, n);
  std::memmove(dst, src, len * sizeof(WCHAR));
  for (std::size_t i = len; i < n; ++i) dst[i] = 0;  // C pads with NULs up to n
  return dst;
}

WCHAR* WskportWcscat(WCHAR* dst, const WCHAR* src) {
  put(dst, length(dst), src, length(src));
  return dst;
}

WCHAR* WskportWcsncat(WCHAR* dst, const WCHAR* src, size_t n) {
  put(dst, length(dst), src, length(src, n));
  return dst;
}

errno_t WskportWcscpyS(WCHAR* dst, size_t size, const WCHAR* src) {
  if (dst == nullptr || size == 0) return EINVAL;
  if (src == nullptr) {
    dst[0] = 0;
    return EINVAL;
  }
  const std::size_t len = length(src, size);
  if (len >= size) {
    dst[0] = 0;
    return ERANGE;
  }
  put(dst, 0, src, len);
  return 0;
}

errno_t WskportWcsncpyS(WCHAR* dst, size_t size, const WCHAR* src, size_t n) {
  if (dst == nullptr) return (src == nullptr && n == 0 && size == 0) ? 0 : EINVAL;
  if (size == 0) return EINVAL;
  if (n == 0) {
    dst[0] = 0;
    return 0;
  }
  if (src == nullptr) {
    dst[0] = 0;
    return EINVAL;
  }
  if (n == _TRUNCATE) {
    const std::size_t len = length(src, size);
    if (len < size) {
      put(dst, 0, src, len);
      return 0;
    }
    put(dst, 0, src, size - 1);
    return STRUNCATE;
  }
  const std::size_t len = length(src, n < size ? n : size);
  if (len >= size) {
    dst[0] = 0;
    return ERANGE;
  }
  put(dst, 0, src, len);
  return 0;
}

errno_t WskportWcscatS(WCHAR* dst, size_t size, const WCHAR* src) {
  if (dst == nullptr || size == 0) return EINVAL;
  if (src == nullptr) {
    dst[0] = 0;
    return EINVAL;
  }
  const std::size_t used = length(dst, size);
  if (used == size) {  // the destination is not terminated within its size
    dst[0] = 0;
    return EINVAL;
  }
  const std::size_t len = length(src, size - used);
  if (used + len >= size) {
    dst[0] = 0;
    return ERANGE;
  }
  put(dst, used, src, len);
  return 0;
}

errno_t WskportWcsncatS(WCHAR* dst, size_t size, const WCHAR* src, size_t n) {
  if (dst == nullptr) return (src == nullptr && n == 0 && size == 0) ? 0 : EINVAL;
  if (size == 0) return EINVAL;
  if (n != 0 && src == nullptr) {
    dst[0] = 0;
    return EINVAL;
  }
  const std::size_t used = length(dst, size);
  if (used == size) {
    dst[0] = 0;
    return EINVAL;
  }
  if (n == 0) return 0;
  const std::size_t room = size - used;  // units for text and terminator
  if (n == _TRUNCATE) {
    const std::size_t len = length(src, room);
    if (len < room) {
      put(dst, used, src, len);
      return 0;
    }
    put(dst, used, src, room - 1);
    return STRUNCATE;
  }
  const std::size_t len = length(src, n < room ? n : room);
  if (len >= room) {
    dst[0] = 0;
    return ERANGE;
  }
  put(dst, used, src, len);
  return 0;
}

int WskportWcscmp(const WCHAR* a, const WCHAR* b) { return WskportWcsncmp(a, b, kUnbounded); }

int WskportWcsncmp(const WCHAR* a, const WCHAR* b, size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return unit(a[i]) < unit(b[i]) ? -1 : 1;
    if (a[i] == 0) break;
  }
  return 0;
}

int WskportWcsicmp(const WCHAR* a, const WCHAR* b) { return WskportWcsnicmp(a, b, kUnbounded); }

int WskportWcsnicmp(const WCHAR* a, const WCHAR* b, size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned x = lower(a[i]);
    const unsigned y = lower(b[i]);
    if (x != y) return static_cast<int>(x) - static_cast<int>(y);
    if (x == 0) break;
  }
  return 0;
}

WCHAR* WskportWcschr(const WCHAR* s, WCHAR c) {
  for (;; ++s) {
    if (*s == c) return const_cast<WCHAR*>(s);  // also finds the terminator for c == 0
    if (*s == 0) return nullptr;
  }
}

WCHAR* WskportWcsrchr(const WCHAR* s, WCHAR c) {
  const WCHAR* found = nullptr;
  for (;; ++s) {
    if (*s == c) found = s;
    if (*s == 0) return const_cast<WCHAR*>(found);
  }
}

WCHAR* WskportWcsstr(const WCHAR* s, const WCHAR* find) {
  const std::size_t n = length(find);
  if (n == 0) return const_cast<WCHAR*>(s);
  for (; *s != 0; ++s) {
    if (*s == *find && WskportWcsncmp(s, find, n) == 0) return const_cast<WCHAR*>(s);
  }
  return nullptr;
}

size_t WskportWcsspn(const WCHAR* s, const WCHAR* accept) {
  std::size_t i = 0;
  while (s[i] != 0 && contains(accept, s[i])) ++i;
  return i;
}

size_t WskportWcscspn(const WCHAR* s, const WCHAR* reject) {
  std::size_t i = 0;
  while (s[i] != 0 && !contains(reject, s[i])) ++i;
  return i;
}

WCHAR* WskportWcspbrk(const WCHAR* s, const WCHAR* accept) {
  const WCHAR* p = s + WskportWcscspn(s, accept);
  return *p != 0 ? const_cast<WCHAR*>(p) : nullptr;
}

WCHAR* WskportWcslwr(WCHAR* s) {
  for (WCHAR* p = s; *p != 0; ++p) *p = static_cast<WCHAR>(lower(*p));
  return s;
}

WCHAR* WskportWcsupr(WCHAR* s) {
  for (WCHAR* p = s; *p != 0; ++p) *p = static_cast<WCHAR>(upper(*p));
  return s;
}

errno_t WskportWcslwrS(WCHAR* s, size_t size) {
  if (s == nullptr) return EINVAL;
  if (size == 0 || length(s, size) == size) {
    if (size != 0) s[0] = 0;
    return EINVAL;
  }
  WskportWcslwr(s);
  return 0;
}

errno_t WskportWcsuprS(WCHAR* s, size_t size) {
  if (s == nullptr) return EINVAL;
  if (size == 0 || length(s, size) == size) {
    if (size != 0) s[0] = 0;
    return EINVAL;
  }
  WskportWcsupr(s);
  return 0;
}

WCHAR* WskportWmemcpy(WCHAR* dst, const WCHAR* src, size_t n) {
  if (n != 0) std::memcpy(dst, src, n * sizeof(WCHAR));
  return dst;
}

WCHAR* WskportWmemmove(WCHAR* dst, const WCHAR* src, size_t n) {
  if (n != 0) std::memmove(dst, src, n * sizeof(WCHAR));
  return dst;
}

WCHAR* WskportWmemset(WCHAR* dst, WCHAR c, size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = c;
  return dst;
}

int WskportWmemcmp(const WCHAR* a, const WCHAR* b, size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return unit(a[i]) < unit(b[i]) ? -1 : 1;
  }
  return 0;
}

WCHAR* WskportWmemchr(const WCHAR* s, WCHAR c, size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] == c) return const_cast<WCHAR*>(s + i);
  }
  return nullptr;
}

int WskportVsnwprintf(WCHAR* dst, size_t count, const WCHAR* format, va_list args) {
  if (format == nullptr || (dst == nullptr && count != 0)) return -1;
  // (NULL, 0) measures; the sink must still be a wide one for the count to be in WCHARs.
  WCHAR none = 0;
  text::Output out(dst != nullptr ? dst : &none, count);
  if (!text::vformat(out, format, args)) return -1;
  const std::size_t n = out.produced();
  if (dst == nullptr) return static_cast<int>(n);
  if (n > count) return -1;   // cut: count units stored, no terminator
  if (n < count) dst[n] = 0;  // exactly count: stored without a terminator
  return static_cast<int>(n);
}

int WskportSnwprintf(WCHAR* dst, size_t count, const WCHAR* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = WskportVsnwprintf(dst, count, format, args);
  va_end(args);
  return n;
}

int WskportVswprintfS(WCHAR* dst, size_t size, const WCHAR* format, va_list args) {
  if (dst == nullptr || size == 0) return -1;
  if (format == nullptr) {
    dst[0] = 0;
    return -1;
  }
  text::Output out(dst, size - 1);
  const bool ok = text::vformat(out, format, args);
  if (!ok || out.produced() > size - 1) {
    dst[0] = 0;
    return -1;
  }
  dst[out.produced()] = 0;
  return static_cast<int>(out.produced());
}

int WskportSwprintfS(WCHAR* dst, size_t size, const WCHAR* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = WskportVswprintfS(dst, size, format, args);
  va_end(args);
  return n;
}
