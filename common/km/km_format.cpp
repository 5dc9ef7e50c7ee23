// SPDX-License-Identifier: MIT
// The printf engine of DbgPrint and the ntstrsafe printf routines, with Windows format
// semantics (km_text.hpp, ntstrsafe.h): `l` is 32-bit (Windows long), `ll`/`I64` 64-bit,
// `I`/`z`/`t` pointer-sized; %s follows the function's width (A: char, W: WCHAR), %S is
// the other width, %hs / %ls / %ws force one; %wZ / %Z print counted strings; %p prints
// 2 * sizeof(void*) upper-case hex digits. Numbers go through snprintf with a rebuilt
// narrow specification; wide output widens that ASCII text. The WPP trace entry point
// (km_wpp.cpp) also walks its formats here, with the "%!NAME!" extensions enabled.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "common/km/km_text.hpp"

namespace wskport::km::text {

namespace {

struct Args {
  std::va_list ap;
};

enum class Size { none, hh, h, l32, ll, ptr, wide, longdouble };

struct Spec {
  bool minus = false;
  bool plus = false;
  bool space = false;
  bool zero = false;
  bool hash = false;
  int width = 0;
  int precision = -1;
  Size size = Size::none;
  char conv = 0;
};

template <class F>
std::uint32_t code(F c) noexcept {
  if constexpr (sizeof(F) == 1) {
    return static_cast<unsigned char>(c);
  } else {
    return static_cast<std::uint16_t>(c);
  }
}

void pad(Output& out, const Spec& spec, std::size_t length, bool before) noexcept {
  if (spec.width <= 0 || static_cast<std::size_t>(spec.width) <= length) return;
  const std::size_t count = static_cast<std::size_t>(spec.width) - length;
  if (before && !spec.minus) out.repeat(spec.zero ? '0' : ' ', count);
  if (!before && spec.minus) out.repeat(' ', count);
}

// Runs snprintf with a narrow specification rebuilt from @p spec and writes the ASCII
// result; @p length_mod is "ll" or "L" or "".
template <class T>
void emit_number(Output& out, const Spec& spec, const char* length_mod, char conv,
                 T value) noexcept {
  char fmt[24];
  std::size_t k = 0;
  fmt[k++] = '%';
  if (spec.minus) fmt[k++] = '-';
  if (spec.plus) fmt[k++] = '+';
  if (spec.space) fmt[k++] = ' ';
  if (spec.zero) fmt[k++] = '0';
  if (spec.hash) fmt[k++] = '#';
  fmt[k++] = '*';
  fmt[k++] = '.';
  fmt[k++] = '*';
  for (const char* m = length_mod; *m != 0; ++m) fmt[k++] = *m;
  fmt[k++] = conv;
  fmt[k] = 0;
  // "%.*d" with a negative precision means "no precision", as the spec wants.
  char small[128];
  const int n = std::snprintf(small, sizeof small, fmt, spec.width, spec.precision, value);
  if (n < 0) return;
  if (static_cast<std::size_t>(n) < sizeof small) {
    out.ascii(small, static_cast<std::size_t>(n));
    return;
  }
  std::vector<char> big(static_cast<std::size_t>(n) + 1);
  std::snprintf(big.data(), big.size(), fmt, spec.width, spec.precision, value);
  out.ascii(big.data(), static_cast<std::size_t>(n));
}

void emit_signed(Output& out, const Spec& spec, Args& a) noexcept {
  long long v = 0;
  switch (spec.size) {
    case Size::hh:
      v = static_cast<signed char>(va_arg(a.ap, int));
      break;
    case Size::h:
      v = static_cast<short>(va_arg(a.ap, int));
      break;
    case Size::ll:
    case Size::longdouble:
      v = va_arg(a.ap, long long);
      break;
    case Size::ptr:
      v = static_cast<long long>(va_arg(a.ap, std::intptr_t));
      break;
    default:
      v = va_arg(a.ap, int);
      break;  // none, l (32-bit on Windows), w
  }
  emit_number(out, spec, "ll", spec.conv == 'i' ? 'd' : spec.conv, v);
}

void emit_unsigned(Output& out, const Spec& spec, Args& a) noexcept {
  unsigned long long v = 0;
  switch (spec.size) {
    case Size::hh:
      v = static_cast<unsigned char>(va_arg(a.ap, unsigned));
      break;
    case Size::h:
      v = static_cast<unsigned short>(va_arg(a.ap, unsigned));
      break;
    case Size::ll:
    case Size::longdouble:
      v = va_arg(a.ap, unsigned long long);
      break;
    case Size::ptr:
      v = static_cast<unsigned long long>(va_arg(a.ap, std::uintptr_t));
      break;
    default:
      v = va_arg(a.ap, unsigned);
      break;
  }
  emit_number(out, spec, "ll", spec.conv, v);
}

void emit_float(Output& out, const Spec& spec, Args& a) noexcept {
  if (spec.size == Size::longdouble) {
    emit_number(out, spec, "L", spec.conv, va_arg(a.ap, long double));
  } else {
    emit_number(out, spec, "", spec.conv, va_arg(a.ap, double));
  }
}

void emit_pointer(Output& out, Spec spec, Args& a) noexcept {
  const auto v = reinterpret_cast<std::uintptr_t>(va_arg(a.ap, void*));
  char digits[2 * sizeof(void*)];
  for (std::size_t i = 0; i < sizeof digits; ++i) {
    const unsigned nibble = static_cast<unsigned>(v >> (4 * (sizeof digits - 1 - i))) & 0xF;
    digits[i] = "0123456789ABCDEF"[nibble];
  }
  spec.zero = false;
  pad(out, spec, sizeof digits, true);
  out.ascii(digits, sizeof digits);
  pad(out, spec, sizeof digits, false);
}

void emit_narrow_text(Output& out, const Spec& spec, const char* s, std::size_t n) noexcept {
  const std::size_t length = out.size_of_bytes(s, n);
  pad(out, spec, length, true);
  out.bytes(s, n);
  pad(out, spec, length, false);
}

void emit_wide_text(Output& out, const Spec& spec, const WCHAR* s, std::size_t n) noexcept {
  const std::size_t length = out.size_of_utf16(s, n);
  pad(out, spec, length, true);
  out.utf16(s, n);
  pad(out, spec, length, false);
}

std::size_t limit(const Spec& spec) noexcept {
  return spec.precision >= 0 ? static_cast<std::size_t>(spec.precision) : SIZE_MAX;
}

void emit_null(Output& out, const Spec& spec) noexcept {
  static const char kNull[] = "(null)";
  const std::size_t n = sizeof kNull - 1 < limit(spec) ? sizeof kNull - 1 : limit(spec);
  emit_narrow_text(out, spec, kNull, n);
}

// %s / %S / %c / %C / %Z: @p wide_arg says whether the argument is WCHAR-based.
void emit_string(Output& out, const Spec& spec, bool wide_arg, Args& a) noexcept {
  if (wide_arg) {
    const auto* s = va_arg(a.ap, const WCHAR*);
    if (s == nullptr) return emit_null(out, spec);
    emit_wide_text(out, spec, s, wide_length(s, limit(spec)));
  } else {
    const auto* s = va_arg(a.ap, const char*);
    if (s == nullptr) return emit_null(out, spec);
    emit_narrow_text(out, spec, s, narrow_length(s, limit(spec)));
  }
}

void emit_char(Output& out, const Spec& spec, bool wide_arg, Args& a) noexcept {
  const unsigned v = va_arg(a.ap, unsigned);
  pad(out, spec, 1, true);
  if (wide_arg) {
    const auto c = static_cast<WCHAR>(v);
    out.utf16(&c, 1);
  } else {
    out.unit(static_cast<unsigned char>(v));  // one byte: Latin-1 in a wide sink
  }
  pad(out, spec, 1, false);
}

void emit_counted(Output& out, const Spec& spec, bool wide_arg, Args& a) noexcept {
  if (wide_arg) {
    const auto* s = va_arg(a.ap, const UNICODE_STRING*);
    if (s == nullptr || s->Buffer == nullptr) return emit_null(out, spec);
    std::size_t n = s->Length / sizeof(WCHAR);
    if (n > limit(spec)) n = limit(spec);
    emit_wide_text(out, spec, s->Buffer, n);
  } else {
    const auto* s = va_arg(a.ap, const ANSI_STRING*);
    if (s == nullptr || s->Buffer == nullptr) return emit_null(out, spec);
    std::size_t n = s->Length;
    if (n > limit(spec)) n = limit(spec);
    emit_narrow_text(out, spec, s->Buffer, n);
  }
}

template <class F>
int parse_number(const F*& p) noexcept {
  int v = 0;
  while (code(*p) >= '0' && code(*p) <= '9') {
    if (v < 100000000) v = v * 10 + static_cast<int>(code(*p) - '0');
    ++p;
  }
  return v;
}

// Parses the specification after '%'; returns false if the format ends inside it.
template <class F>
bool parse_spec(const F*& p, Spec& spec, Args& a) noexcept {
  for (;; ++p) {
    const std::uint32_t c = code(*p);
    if (c == '-')
      spec.minus = true;
    else if (c == '+')
      spec.plus = true;
    else if (c == ' ')
      spec.space = true;
    else if (c == '0')
      spec.zero = true;
    else if (c == '#')
      spec.hash = true;
    else
      break;
  }
  if (code(*p) == '*') {
    spec.width = va_arg(a.ap, int);
    if (spec.width < 0) spec.minus = true, spec.width = -spec.width;
    ++p;
  } else {
    spec.width = parse_number(p);
  }
  if (code(*p) == '.') {
    ++p;
    if (code(*p) == '*') {
      spec.precision = va_arg(a.ap, int);
      if (spec.precision < 0) spec.precision = -1;
      ++p;
    } else {
      spec.precision = parse_number(p);
    }
  }
  switch (code(*p)) {
    case 'h':
      ++p;
      spec.size = Size::h;
      if (code(*p) == 'h') ++p, spec.size = Size::hh;
      break;
    case 'l':
      ++p;
      spec.size = Size::l32;
      if (code(*p) == 'l') ++p, spec.size = Size::ll;
      break;
    case 'w':
      ++p, spec.size = Size::wide;
      break;
    case 'L':
      ++p, spec.size = Size::longdouble;
      break;
    case 'q':
    case 'j':
      ++p, spec.size = Size::ll;
      break;
    case 'z':
    case 't':
      ++p, spec.size = Size::ptr;
      break;
    case 'I':
      ++p;
      if (code(p[0]) == '6' && code(p[1]) == '4') {
        p += 2, spec.size = Size::ll;
      } else if (code(p[0]) == '3' && code(p[1]) == '2') {
        p += 2, spec.size = Size::l32;
      } else {
        spec.size = Size::ptr;
      }
      break;
    default:
      break;
  }
  const std::uint32_t conv = code(*p);
  if (conv == 0) return false;
  ++p;
  spec.conv = conv < 0x80 ? static_cast<char>(conv) : '?';
  return true;
}

// "%!NAME!" (a WPP extended format): hands NAME to @p ext. Returns false if the walk
// must stop; @p p is left after the closing '!' (or at the end, if there is none, and the
// text is printed as it is).
bool run_extension(Output& out, const char*& p, Args& a, Extension& ext) noexcept {
  const char* const name = p + 1;
  const char* end = name;
  while (*end != 0 && *end != '!') ++end;
  if (*end == 0) {
    out.unit('%');
    out.bytes(p, static_cast<std::size_t>(end - p));
    p = end;
    return true;
  }
  p = end + 1;
  return ext.convert(out, std::string_view(name, static_cast<std::size_t>(end - name)), a.ap);
}

template <class F>
bool run(Output& out, const F* p, Args& a, Extension* ext = nullptr) noexcept {
  constexpr bool wide_format = sizeof(F) != 1;
  bool ok = true;
  while (code(*p) != 0) {
    if (code(*p) != '%') {
      if constexpr (wide_format) {
        out.utf16(p, 1);
      } else {
        out.bytes(p, 1);
      }
      ++p;
      continue;
    }
    ++p;
    if constexpr (!wide_format) {
      if (ext != nullptr && *p == '!') {
        if (!run_extension(out, p, a, *ext)) return false;
        continue;
      }
    }
    Spec spec;
    if (!parse_spec(p, spec, a)) break;
    // Which width a string/char argument has: the function's own for %s/%c, the other
    // for %S/%C, forced by h (narrow) or l/w (wide).
    const bool forced_narrow = spec.size == Size::h || spec.size == Size::hh;
    const bool forced_wide = spec.size == Size::l32 || spec.size == Size::wide;
    const auto arg_wide = [&](bool own) {
      return forced_wide ? true : forced_narrow ? false : (own == wide_format);
    };
    switch (spec.conv) {
      case 'd':
      case 'i':
        emit_signed(out, spec, a);
        break;
      case 'u':
      case 'x':
      case 'X':
      case 'o':
        emit_unsigned(out, spec, a);
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
      case 'a':
      case 'A':
        emit_float(out, spec, a);
        break;
      case 'p':
        emit_pointer(out, spec, a);
        break;
      case 's':
        emit_string(out, spec, arg_wide(true), a);
        break;
      case 'S':
        emit_string(out, spec, arg_wide(false), a);
        break;
      case 'c':
        emit_char(out, spec, arg_wide(true), a);
        break;
      case 'C':
        emit_char(out, spec, arg_wide(false), a);
        break;
      case 'Z':
        emit_counted(out, spec, spec.size == Size::wide || spec.size == Size::l32, a);
        break;
      case 'n':
        (void)va_arg(a.ap, void*);  // refused, as ntstrsafe refuses it
        ok = false;
        break;
      case '%':
        out.unit('%');
        break;
      default:
        out.unit(static_cast<unsigned char>(spec.conv));
        break;
    }
  }
  return ok;
}

}  // namespace

bool vformat(Output& out, const char* format, std::va_list args) noexcept {
  Args a;
  va_copy(a.ap, args);
  const bool ok = run(out, format, a);
  va_end(a.ap);
  return ok;
}

bool vformat_parts(Output& out, std::size_t parts, std::va_list args, Extension& ext) noexcept {
  Args a;
  va_copy(a.ap, args);
  bool ok = true;
  for (std::size_t i = 0; i < parts && ok; ++i) {
    const char* const format = va_arg(a.ap, const char*);
    if (format != nullptr) ok = run(out, format, a, &ext);
  }
  va_end(a.ap);
  return ok;
}

bool vformat(Output& out, const WCHAR* format, std::va_list args) noexcept {
  Args a;
  va_copy(a.ap, args);
  const bool ok = run(out, format, a);
  va_end(a.ap);
  return ok;
}

}  // namespace wskport::km::text
