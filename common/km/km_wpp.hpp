// SPDX-License-Identifier: MIT
// Private to the WPP runtime (km_wpp.cpp: controls, filter, trace entry point;
// km_wpp_types.cpp: the "%!NAME!" conversions).
#pragma once

#include <cstddef>
#include <string_view>

#include <wskport_wpp.h>

#include "common/km/km_text.hpp"

namespace wskport::km::wpp {

/// One trace call: what the "%!NAME!" conversions print (the software-tracing names
/// such as %!FUNC! come from here) and how custom types are read (the source's table).
class Trace final : public text::Extension {
 public:
  Trace(PWSKPORT_WPP_FILE file, ULONG level, const char* flag, ULONG line,
        const char* function) noexcept;

  bool convert(text::Output& out, std::string_view name, std::va_list& args) noexcept override;

 private:
  void standard_prefix(text::Output& out) const noexcept;
  bool custom(text::Output& out, const WSKPORT_WPP_TYPE& type, std::va_list& args) const noexcept;

  PWSKPORT_WPP_FILE file_;
  ULONG level_;
  std::string_view flag_;
  ULONG line_;
  std::string_view function_;
  const WSKPORT_WPP_CONTROL_INFO* control_ = nullptr;  // the control that owns flag_
};

/// "TRACE_LEVEL_INFORMATION" for 4, or nullptr for a level without a name.
const char* level_name(ULONG level) noexcept;

}  // namespace wskport::km::wpp
