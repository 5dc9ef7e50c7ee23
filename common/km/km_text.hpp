// SPDX-License-Identifier: MIT
// UTF-16 <-> UTF-8 conversion and the output buffer of the printf engine, shared by
// DbgPrint, ntstrsafe and the UNICODE_STRING routines. The runtime never calls the C
// library's wide-character functions: WCHAR is 16 bits here while the host's wchar_t
// may be 32.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <wdm.h>

namespace wskport::km::text {

/// Length of a NUL-terminated UTF-16 string in code units, looking at most @p max units
/// (returns @p max if no terminator is found within it).
std::size_t wide_length(const WCHAR* s, std::size_t max) noexcept;
/// The same for a char string.
std::size_t narrow_length(const char* s, std::size_t max) noexcept;

/// Bytes of UTF-8 that @p n UTF-16 units encode to (unpaired surrogates count as
/// U+FFFD, 3 bytes).
std::size_t utf8_size(const WCHAR* s, std::size_t n) noexcept;
/// UTF-16 units that @p n bytes decode to (a byte that is not valid UTF-8 decodes as
/// the Latin-1 character of that value).
std::size_t utf16_size(const char* s, std::size_t n) noexcept;

/// A sink of code units, narrow (char) or wide (WCHAR), with a capacity: units past the
/// capacity are counted, not stored, so `produced()` is the full length and the caller
/// can tell truncation (produced() > capacity) and retry with a larger buffer.
class Output {
 public:
  Output(char* buffer, std::size_t capacity) noexcept : narrow_(buffer), capacity_(capacity) {}
  Output(WCHAR* buffer, std::size_t capacity) noexcept : wide_(buffer), capacity_(capacity) {}

  [[nodiscard]] bool wide() const noexcept { return wide_ != nullptr; }
  [[nodiscard]] std::size_t produced() const noexcept { return length_; }
  [[nodiscard]] std::size_t stored() const noexcept {
    return length_ < capacity_ ? length_ : capacity_;
  }

  void unit(std::uint32_t u) noexcept {
    if (length_ < capacity_) {
      if (wide_ != nullptr) {
        wide_[length_] = static_cast<WCHAR>(u);
      } else {
        narrow_[length_] = static_cast<char>(u);
      }
    }
    ++length_;
  }
  void repeat(std::uint32_t u, std::size_t count) noexcept {
    for (std::size_t i = 0; i < count; ++i) unit(u);
  }
  /// ASCII text (numbers, "(null)"): the same units in either width.
  void ascii(const char* s, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) unit(static_cast<unsigned char>(s[i]));
  }
  /// UTF-16 text: copied to a wide sink, encoded as UTF-8 into a narrow one.
  void utf16(const WCHAR* s, std::size_t n) noexcept;
  /// char text: copied to a narrow sink, decoded from UTF-8 (Latin-1 fallback) into a
  /// wide one.
  void bytes(const char* s, std::size_t n) noexcept;
  /// How many units utf16()/bytes() would produce for this text in this sink.
  [[nodiscard]] std::size_t size_of_utf16(const WCHAR* s, std::size_t n) const noexcept {
    return wide() ? n : utf8_size(s, n);
  }
  [[nodiscard]] std::size_t size_of_bytes(const char* s, std::size_t n) const noexcept {
    return wide() ? utf16_size(s, n) : n;
  }

 private:
  char* narrow_ = nullptr;
  WCHAR* wide_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t length_ = 0;
};

/// Formats @p format (Windows printf semantics, see ntstrsafe.h) into @p out. A narrow
/// format is an A function's (%s = char string), a wide one a W function's (%s = WCHAR
/// string). @p args is consumed. Returns false if the format asked for something
/// refused (%n), which the output then omits.
bool vformat(Output& out, const char* format, std::va_list args) noexcept;
bool vformat(Output& out, const WCHAR* format, std::va_list args) noexcept;

/// The WPP software-tracing conversions "%!NAME!" (km_wpp.cpp), which only the WPP
/// trace entry point enables: DbgPrint and ntstrsafe print "%!" as it is.
class Extension {
 public:
  /// Writes the conversion @p name (between the '!'s) into @p out, taking its argument,
  /// if any, from @p args. Returns false for a name it does not know: the walk stops
  /// there, because the type (and so the size) of the next argument is unknown.
  virtual bool convert(Output& out, std::string_view name, std::va_list& args) noexcept = 0;

 protected:
  Extension() = default;
  Extension(const Extension&) = default;
  Extension& operator=(const Extension&) = default;
  ~Extension() = default;
};

/// Formats @p parts narrow formats in turn from one argument list, as a WPP trace call
/// passes them: each format is a `const char*` argument that follows the arguments of
/// the previous one (prefix, message, suffix). A NULL format is skipped. "%!NAME!" goes
/// to @p ext. Returns false if a walk stopped early (%n, or a name @p ext refused).
bool vformat_parts(Output& out, std::size_t parts, std::va_list args, Extension& ext) noexcept;

}  // namespace wskport::km::text
