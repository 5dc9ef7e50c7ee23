// SPDX-License-Identifier: MIT
// The WPP extended format specifications ("%!STATUS!", "%!IPADDR!", ...) as a trace's
// formats use them: the software-tracing names (%!FUNC!, %!LINE!, ...), the types of
// tracewpp's defaultwpp.ini that drivers use, and a source's own CUSTOM_TYPE and
// DEFINE_CPLX_TYPE types. Each reads its argument with the type WPP marshals for it,
// after the C default promotions (a USHORT or BOOLEAN arrives as an int).
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include <ip2string.h>

#include "common/km/km_wpp.hpp"
#include "wskport/status.hpp"

namespace wskport::km::wpp {

namespace {

using text::Output;

void put(Output& out, std::string_view s) noexcept { out.bytes(s.data(), s.size()); }

template <class T>
void put_number(Output& out, T value, int base = 10, std::size_t min_digits = 0) noexcept {
  char digits[72] = {};
  const auto r = std::to_chars(digits, digits + sizeof digits, value, base);
  std::size_t n = static_cast<std::size_t>(r.ptr - digits);
  const bool negative = n > 0 && digits[0] == '-';
  if (negative) out.unit('-');
  const char* first = digits + (negative ? 1 : 0);
  n -= negative ? 1 : 0;
  if (n < min_digits) out.repeat('0', min_digits - n);
  for (std::size_t i = 0; i < n; ++i) {
    const char c = first[i];
    out.unit(static_cast<unsigned char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c));
  }
}

// "0x" and @p digits upper-case hex digits, the form WPP's X types print.
void put_hex(Output& out, std::uint64_t value, std::size_t digits) noexcept {
  put(out, "0x");
  put_number(out, value, 16, digits);
}

template <class T>
struct Named {
  T value;
  std::string_view name;
};

constexpr std::array<Named<std::uint32_t>, 12> kHresults{{
    {0x00000000, "S_OK"},
    {0x00000001, "S_FALSE"},
    {0x80004001, "E_NOTIMPL"},
    {0x80004002, "E_NOINTERFACE"},
    {0x80004003, "E_POINTER"},
    {0x80004004, "E_ABORT"},
    {0x80004005, "E_FAIL"},
    {0x8000FFFF, "E_UNEXPECTED"},
    {0x80070005, "E_ACCESSDENIED"},
    {0x80070006, "E_HANDLE"},
    {0x8007000E, "E_OUTOFMEMORY"},
    {0x80070057, "E_INVALIDARG"},
}};

constexpr std::array<Named<std::uint32_t>, 27> kWinErrors{{
    {0, "ERROR_SUCCESS"},
    {1, "ERROR_INVALID_FUNCTION"},
    {2, "ERROR_FILE_NOT_FOUND"},
    {3, "ERROR_PATH_NOT_FOUND"},
    {5, "ERROR_ACCESS_DENIED"},
    {6, "ERROR_INVALID_HANDLE"},
    {8, "ERROR_NOT_ENOUGH_MEMORY"},
    {14, "ERROR_OUTOFMEMORY"},
    {31, "ERROR_GEN_FAILURE"},
    {50, "ERROR_NOT_SUPPORTED"},
    {87, "ERROR_INVALID_PARAMETER"},
    {122, "ERROR_INSUFFICIENT_BUFFER"},
    {234, "ERROR_MORE_DATA"},
    {258, "WAIT_TIMEOUT"},
    {995, "ERROR_OPERATION_ABORTED"},
    {997, "ERROR_IO_PENDING"},
    {1168, "ERROR_NOT_FOUND"},
    {1460, "ERROR_TIMEOUT"},
    {10035, "WSAEWOULDBLOCK"},
    {10048, "WSAEADDRINUSE"},
    {10049, "WSAEADDRNOTAVAIL"},
    {10053, "WSAECONNABORTED"},
    {10054, "WSAECONNRESET"},
    {10057, "WSAENOTCONN"},
    {10060, "WSAETIMEDOUT"},
    {10061, "WSAECONNREFUSED"},
    {10065, "WSAEHOSTUNREACH"},
}};

template <class Table>
std::string_view find_name(const Table& table, std::uint32_t value) noexcept {
  for (const auto& row : table) {
    if (row.value == value) return row.name;
  }
  return {};
}

void put_status(Output& out, NTSTATUS status) noexcept {
  char text[96];
  const std::size_t n = wskport::format_status(status, text, sizeof text);
  out.ascii(text, n);
}

void put_winerror(Output& out, std::uint32_t code) noexcept {
  const std::string_view name = find_name(kWinErrors, code);
  if (name.empty()) return put_number(out, code);
  put(out, name);
  put(out, " (");
  put_number(out, code);
  out.unit(')');
}

// E_FAIL (0x80004005); an NTSTATUS or Win32 code wrapped in an HRESULT shows its name.
void put_hresult(Output& out, std::uint32_t hr) noexcept {
  std::string_view name = find_name(kHresults, hr);
  if (!name.empty()) {
    put(out, name);
  } else if ((hr & 0xFFFF0000U) == 0x80070000U && !find_name(kWinErrors, hr & 0xFFFFU).empty()) {
    put(out, "HRESULT_FROM_WIN32(");
    put(out, find_name(kWinErrors, hr & 0xFFFFU));
    out.unit(')');
  } else if ((hr & 0x10000000U) != 0 &&
             !wskport::status_name(static_cast<NTSTATUS>(hr & ~0x10000000U)).empty()) {
    put(out, "HRESULT_FROM_NT(");
    put(out, wskport::status_name(static_cast<NTSTATUS>(hr & ~0x10000000U)));
    out.unit(')');
  } else {
    return put_hex(out, hr, 8);
  }
  put(out, " (");
  put_hex(out, hr, 8);
  out.unit(')');
}

void put_irql(Output& out, unsigned irql) noexcept {
  switch (irql) {
    case 0:
      return put(out, "PASSIVE_LEVEL");
    case 1:
      return put(out, "APC_LEVEL");
    case 2:
      return put(out, "DISPATCH_LEVEL");
    case 31:
      return put(out, "HIGH_LEVEL");
    default:
      return put_number(out, irql);
  }
}

void put_guid(Output& out, const GUID* g) noexcept {
  if (g == nullptr) return put(out, "NULL");
  char s[40];
  std::size_t k = 0;
  const auto hex = [&](std::uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) s[k++] = "0123456789abcdef"[(v >> (4 * i)) & 0xF];
  };
  s[k++] = '{';
  hex(g->Data1, 8);
  s[k++] = '-';
  hex(g->Data2, 4);
  s[k++] = '-';
  hex(g->Data3, 4);
  s[k++] = '-';
  hex(g->Data4[0], 2);
  hex(g->Data4[1], 2);
  s[k++] = '-';
  for (int i = 2; i < 8; ++i) hex(g->Data4[i], 2);
  s[k++] = '}';
  out.ascii(s, k);
}

// S-1-5-18: revision, the 48-bit big-endian identifier authority, the sub-authorities.
void put_sid(Output& out, const void* sid) noexcept {
  if (sid == nullptr) return put(out, "NULL");
  const auto* b = static_cast<const unsigned char*>(sid);
  std::uint64_t authority = 0;
  for (int i = 2; i < 8; ++i) authority = authority << 8 | b[i];
  put(out, "S-");
  put_number(out, static_cast<unsigned>(b[0]));
  out.unit('-');
  if (authority >> 32 != 0) {
    put_hex(out, authority, 12);
  } else {
    put_number(out, authority);
  }
  const unsigned count = b[1] < 15 ? b[1] : 15;
  for (unsigned i = 0; i < count; ++i) {
    std::uint32_t sub = 0;
    std::memcpy(&sub, b + 8 + 4 * i, sizeof sub);
    out.unit('-');
    put_number(out, sub);
  }
}

// "2024-05-06T07:08:09.123Z" from 100 ns units since 1601-01-01 UTC (a LARGE_INTEGER
// system time, as KeQuerySystemTime gives).
void put_timestamp(Output& out, std::int64_t t) noexcept {
  if (t < 0) return put_number(out, t);
  const std::int64_t ms_total = t / 10000;
  std::int64_t days = ms_total / 86400000;
  std::int64_t ms = ms_total % 86400000;
  // Days since 1970 to a civil date (H. Hinnant's algorithm); 1601 is 134774 days earlier.
  days -= 134774;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  put_number(out, year, 10, 4);
  out.unit('-');
  put_number(out, month, 10, 2);
  out.unit('-');
  put_number(out, day, 10, 2);
  out.unit('T');
  put_number(out, ms / 3600000, 10, 2);
  out.unit(':');
  put_number(out, ms / 60000 % 60, 10, 2);
  out.unit(':');
  put_number(out, ms / 1000 % 60, 10, 2);
  out.unit('.');
  put_number(out, ms % 1000, 10, 3);
  out.unit('Z');
}

// WPP's "day~h:m:s" form of a duration in milliseconds: 1~02:03:04.005.
void put_duration(Output& out, std::int64_t ms) noexcept {
  std::uint64_t v = ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  if (ms < 0) out.unit('-');
  put_number(out, v / 86400000);
  out.unit('~');
  v %= 86400000;
  put_number(out, v / 3600000, 10, 2);
  out.unit(':');
  put_number(out, v / 60000 % 60, 10, 2);
  out.unit(':');
  put_number(out, v / 1000 % 60, 10, 2);
  out.unit('.');
  put_number(out, v % 1000, 10, 3);
}

void put_hexdump(Output& out, const void* data, std::size_t size) noexcept {
  constexpr std::size_t kMax = 4096;
  const auto* b = static_cast<const unsigned char*>(data);
  if (b == nullptr) size = 0;
  const std::size_t shown = size < kMax ? size : kMax;
  for (std::size_t i = 0; i < shown; ++i) {
    if (i != 0) out.unit(' ');
    out.unit(static_cast<unsigned char>("0123456789abcdef"[b[i] >> 4]));
    out.unit(static_cast<unsigned char>("0123456789abcdef"[b[i] & 0xF]));
  }
  if (shown < size) {
    put(out, " ... (");
    put_number(out, size);
    put(out, " bytes)");
  }
}

void put_counted_narrow(Output& out, const char* s, std::size_t n) noexcept {
  if (s == nullptr) return put(out, "(null)");
  out.bytes(s, n);
}

void put_counted_wide(Output& out, const WCHAR* s, std::size_t n) noexcept {
  if (s == nullptr) return put(out, "(null)");
  out.utf16(s, n);
}

enum class Kind {
  stdprefix,
  func,
  file,
  line,
  level,
  flags,
  compname,
  space,
  sbyte,
  ubyte,
  xbyte,
  sshort,
  ushort,
  xshort,
  sint,
  uint,
  xint,
  sint64,
  uint64,
  xint64,
  ptr,
  slongptr,
  ulongptr,
  xlongptr,
  dbl,
  boolean,
  status,
  hresult,
  winerror,
  ipaddr,
  port,
  guid,
  sid,
  timestamp,
  duration,
  irql,
  astr,
  wstr,
  ustr,
  anstr,
};

constexpr std::array<Named<Kind>, 62> kBuiltins{{
    {Kind::stdprefix, "STDPREFIX"},
    {Kind::func, "FUNC"},
    {Kind::file, "FILE"},
    {Kind::line, "LINE"},
    {Kind::level, "LEVEL"},
    {Kind::flags, "FLAGS"},
    {Kind::compname, "COMPNAME"},
    {Kind::space, "SPACE"},
    {Kind::sbyte, "SBYTE"},
    {Kind::ubyte, "UBYTE"},
    {Kind::xbyte, "XBYTE"},
    {Kind::sshort, "SSHORT"},
    {Kind::ushort, "USHORT"},
    {Kind::xshort, "XSHORT"},
    {Kind::sint, "SINT"},
    {Kind::uint, "UINT"},
    {Kind::xint, "XINT"},
    {Kind::sint, "SLONG"},
    {Kind::uint, "ULONG"},
    {Kind::xint, "XLONG"},
    {Kind::sint64, "SINT64"},
    {Kind::uint64, "UINT64"},
    {Kind::xint64, "XINT64"},
    {Kind::sint64, "SLONGLONG"},
    {Kind::uint64, "ULONGLONG"},
    {Kind::xint64, "XLONGLONG"},
    {Kind::ptr, "PTR"},
    {Kind::ptr, "HANDLE"},
    {Kind::slongptr, "SLONGPTR"},
    {Kind::ulongptr, "ULONGPTR"},
    {Kind::xlongptr, "XLONGPTR"},
    {Kind::dbl, "DOUBLE"},
    {Kind::boolean, "bool"},
    {Kind::boolean, "BOOLEAN"},
    {Kind::boolean, "BOOL"},
    {Kind::status, "STATUS"},
    {Kind::status, "NTSTATUS"},
    {Kind::status, "NDIS_STATUS"},
    {Kind::hresult, "HRESULT"},
    {Kind::winerror, "WINERROR"},
    {Kind::ipaddr, "IPADDR"},
    {Kind::port, "PORT"},
    {Kind::guid, "GUID"},
    {Kind::guid, "CLSID"},
    {Kind::guid, "IID"},
    {Kind::guid, "LIBID"},
    {Kind::sid, "SID"},
    {Kind::timestamp, "TIMESTAMP"},
    {Kind::timestamp, "DATETIME"},
    {Kind::timestamp, "TIME"},
    {Kind::duration, "DELTA"},
    {Kind::duration, "WAITTIME"},
    {Kind::duration, "DUE"},
    {Kind::irql, "IRQL"},
    {Kind::astr, "ASTR"},
    {Kind::wstr, "WSTR"},
    {Kind::ustr, "USTR"},
    {Kind::anstr, "ANSTR"},
    {Kind::astr, "CSTR"},
    {Kind::wstr, "ARWSTR"},
    {Kind::astr, "ARSTR"},
    {Kind::ptr, "HEXPTR"},
}};

bool same_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The bytes a DEFINE_CPLX_TYPE reader reports through WPP_LOGPAIR (WskportWppPair).
struct PairSink {
  struct Pair {
    std::size_t size;
    const void* address;
  };
  std::array<Pair, 8> pairs{};
  std::size_t count = 0;
};

// The item type decides the reading: the last pair is the data (a variable-length
// type logs its length first, as WPP_LOGHEXDUMP does).
void render_complex(Output& out, std::string_view item, const PairSink& sink) noexcept {
  if (sink.count == 0) return put(out, "(no data)");
  const auto& data = sink.pairs[sink.count - 1];
  const auto* bytes = static_cast<const unsigned char*>(data.address);
  if (item == "ItemPString" || item == "ItemString" || item == "ItemRString" ||
      item == "ItemCString") {
    return put_counted_narrow(out, static_cast<const char*>(data.address), data.size);
  }
  if (item == "ItemPWString" || item == "ItemWString" || item == "ItemRWString") {
    return put_counted_wide(out, static_cast<const WCHAR*>(data.address),
                            data.size / sizeof(WCHAR));
  }
  if (item == "ItemIPV6Addr" && bytes != nullptr && data.size >= 16) {
    IN6_ADDR a;
    std::memcpy(&a, bytes, sizeof a);
    char s[WSKPORT_IPV6_STRING_LENGTH];
    const char* end = RtlIpv6AddressToStringA(&a, s);
    return out.ascii(s, static_cast<std::size_t>(end - s));
  }
  if (item == "ItemMACAddr" && bytes != nullptr && data.size >= 6) {
    for (std::size_t i = 0; i < 6; ++i) {
      if (i != 0) out.unit('-');
      put_number(out, static_cast<unsigned>(bytes[i]), 16, 2);
    }
    return;
  }
  put_hexdump(out, data.address, data.size);
}

}  // namespace

const char* level_name(ULONG level) noexcept {
  switch (level) {
    case TRACE_LEVEL_NONE:
      return "TRACE_LEVEL_NONE";
    case TRACE_LEVEL_CRITICAL:
      return "TRACE_LEVEL_CRITICAL";
    case TRACE_LEVEL_ERROR:
      return "TRACE_LEVEL_ERROR";
    case TRACE_LEVEL_WARNING:
      return "TRACE_LEVEL_WARNING";
    case TRACE_LEVEL_INFORMATION:
      return "TRACE_LEVEL_INFORMATION";
    case TRACE_LEVEL_VERBOSE:
      return "TRACE_LEVEL_VERBOSE";
    default:
      return nullptr;
  }
}

Trace::Trace(PWSKPORT_WPP_FILE file, ULONG level, const char* flag, ULONG line,
             const char* function) noexcept
    : file_(file),
      level_(level),
      flag_(flag != nullptr ? flag : ""),
      line_(line),
      function_(function != nullptr ? function : "") {
  if (file_ == nullptr || flag_.empty()) return;
  for (ULONG c = 0; c < file_->ControlCount && control_ == nullptr; ++c) {
    const PCSTR* bits = file_->Controls[c].BitNames;
    for (std::size_t b = 0; bits != nullptr && bits[b] != nullptr; ++b) {
      if (flag_ == bits[b]) {
        control_ = &file_->Controls[c];
        break;
      }
    }
  }
}

// "[INFO|TRACE_DRIVER] driver.c:42 DriverEntry: ": what tracefmt's prefix would say that
// matters in a process (the level and flag that let the trace through, and where).
void Trace::standard_prefix(Output& out) const noexcept {
  static constexpr std::array<std::string_view, 6> kShort{"",        "CRITICAL", "ERROR",
                                                          "WARNING", "INFO",     "VERBOSE"};
  out.unit('[');
  bool any = false;
  if (level_ != 0) {
    if (level_ < kShort.size()) {
      put(out, kShort[level_]);
    } else {
      out.unit('L');
      put_number(out, level_);
    }
    any = true;
  }
  if (!flag_.empty()) {
    if (any) out.unit('|');
    put(out, flag_);
    any = true;
  }
  if (!any) put(out, "WPP");
  put(out, "] ");
  if (file_ != nullptr && file_->File != nullptr) put(out, file_->File);
  out.unit(':');
  put_number(out, line_);
  out.unit(' ');
  put(out, function_);
  put(out, ": ");
}

bool Trace::custom(Output& out, const WSKPORT_WPP_TYPE& type, std::va_list& args) const noexcept {
  switch (type.Kind) {
    case WSKPORT_WPP_TYPE_COMPLEX: {
      if (type.Reader == nullptr) return false;
      PairSink sink;
      type.Reader(&sink, &args);
      render_complex(out, type.Item != nullptr ? type.Item : "", sink);
      return true;
    }
    case WSKPORT_WPP_TYPE_LIST: {
      const int v = va_arg(args, int);
      std::size_t count = 0;
      while (type.Items != nullptr && type.Items[count] != nullptr) ++count;
      if (v >= 0 && static_cast<std::size_t>(v) < count) {
        put(out, type.Items[v]);
      } else {
        put_number(out, v);
      }
      return true;
    }
    case WSKPORT_WPP_TYPE_SET: {
      auto v = static_cast<std::uint32_t>(va_arg(args, unsigned));
      bool first = true;
      for (std::size_t i = 0; i < 32 && type.Items != nullptr && type.Items[i] != nullptr; ++i) {
        if ((v & (1U << i)) == 0) continue;
        if (!first) out.unit('|');
        put(out, type.Items[i]);
        first = false;
        v &= ~(1U << i);
      }
      if (v != 0 || first) {
        if (!first) out.unit('|');
        put_hex(out, v, 0);
      }
      return true;
    }
    default:
      put_number(out, va_arg(args, int));
      return true;
  }
}

bool Trace::convert(Output& out, std::string_view name, std::va_list& args) noexcept {
  // The source's own types first: a driver's definition wins over a built-in name.
  for (const WSKPORT_WPP_TYPE* t = file_ != nullptr ? file_->Types : nullptr;
       t != nullptr && t->Name != nullptr; ++t) {
    if (name == t->Name) return custom(out, *t, args);
  }
  const auto it = std::find_if(kBuiltins.begin(), kBuiltins.end(),
                               [&](const auto& row) { return same_ignoring_case(row.name, name); });
  if (it == kBuiltins.end()) {
    // The size of the argument is unknown, so nothing after it can be read.
    put(out, "%!");
    put(out, name);
    put(out, "! [wskport: unknown WPP type; the rest of the trace is not shown]");
    return false;
  }
  switch (it->value) {
    case Kind::stdprefix:
      standard_prefix(out);
      break;
    case Kind::func:
      put(out, function_);
      break;
    case Kind::file:
      if (file_ != nullptr && file_->File != nullptr) put(out, file_->File);
      break;
    case Kind::line:
      put_number(out, line_);
      break;
    case Kind::level:
      if (level_name(level_) != nullptr) {
        put(out, level_name(level_));
      } else {
        put_number(out, level_);
      }
      break;
    case Kind::flags:
      put(out, flag_.empty() ? std::string_view("0") : flag_);
      break;
    case Kind::compname:
      if (control_ != nullptr) {
        put(out, control_->Name);
      } else if (file_ != nullptr && file_->ControlCount > 0) {
        put(out, file_->Controls[0].Name);
      }
      break;
    case Kind::space:
      out.unit(' ');
      break;
    case Kind::sbyte:
      put_number(out, static_cast<signed char>(va_arg(args, int)));
      break;
    case Kind::ubyte:
      put_number(out, static_cast<unsigned char>(va_arg(args, unsigned)));
      break;
    case Kind::xbyte:
      put_hex(out, static_cast<unsigned char>(va_arg(args, unsigned)), 2);
      break;
    case Kind::sshort:
      put_number(out, static_cast<short>(va_arg(args, int)));
      break;
    case Kind::ushort:
      put_number(out, static_cast<unsigned short>(va_arg(args, unsigned)));
      break;
    case Kind::xshort:
      put_hex(out, static_cast<unsigned short>(va_arg(args, unsigned)), 4);
      break;
    case Kind::sint:
      put_number(out, va_arg(args, int));
      break;
    case Kind::uint:
      put_number(out, va_arg(args, unsigned));
      break;
    case Kind::xint:
      put_hex(out, va_arg(args, unsigned), 8);
      break;
    case Kind::sint64:
      put_number(out, va_arg(args, long long));
      break;
    case Kind::uint64:
      put_number(out, va_arg(args, unsigned long long));
      break;
    case Kind::xint64:
      put_hex(out, va_arg(args, unsigned long long), 16);
      break;
    case Kind::ptr:
      put_hex(out, reinterpret_cast<std::uintptr_t>(va_arg(args, void*)), 2 * sizeof(void*));
      break;
    case Kind::slongptr:
      put_number(out, va_arg(args, std::intptr_t));
      break;
    case Kind::ulongptr:
      put_number(out, va_arg(args, std::uintptr_t));
      break;
    case Kind::xlongptr:
      put_hex(out, va_arg(args, std::uintptr_t), 2 * sizeof(void*));
      break;
    case Kind::dbl: {
      char s[64];
      const auto r = std::to_chars(s, s + sizeof s, va_arg(args, double));
      out.ascii(s, static_cast<std::size_t>(r.ptr - s));
      break;
    }
    case Kind::boolean:
      put(out, va_arg(args, int) != 0 ? "TRUE" : "FALSE");
      break;
    case Kind::status:
      put_status(out, static_cast<NTSTATUS>(va_arg(args, int)));
      break;
    case Kind::hresult:
      put_hresult(out, va_arg(args, unsigned));
      break;
    case Kind::winerror:
      put_winerror(out, va_arg(args, unsigned));
      break;
    case Kind::ipaddr: {
      // A ULONG in network order: its bytes in memory are the address, on any host.
      const auto v = static_cast<std::uint32_t>(va_arg(args, unsigned));
      unsigned char b[4];
      std::memcpy(b, &v, sizeof b);
      for (int i = 0; i < 4; ++i) {
        if (i != 0) out.unit('.');
        put_number(out, static_cast<unsigned>(b[i]));
      }
      break;
    }
    case Kind::port: {
      const auto v = static_cast<std::uint16_t>(va_arg(args, unsigned));
      unsigned char b[2];
      std::memcpy(b, &v, sizeof b);
      put_number(out, static_cast<unsigned>(b[0]) << 8 | b[1]);
      break;
    }
    case Kind::guid:
      put_guid(out, va_arg(args, const GUID*));
      break;
    case Kind::sid:
      put_sid(out, va_arg(args, const void*));
      break;
    case Kind::timestamp:
      put_timestamp(out, va_arg(args, long long));
      break;
    case Kind::duration:
      put_duration(out, va_arg(args, long long));
      break;
    case Kind::irql:
      put_irql(out, va_arg(args, unsigned));
      break;
    case Kind::astr: {
      const char* s = va_arg(args, const char*);
      put_counted_narrow(out, s, s != nullptr ? text::narrow_length(s, SIZE_MAX) : 0);
      break;
    }
    case Kind::wstr: {
      const WCHAR* s = va_arg(args, const WCHAR*);
      put_counted_wide(out, s, s != nullptr ? text::wide_length(s, SIZE_MAX) : 0);
      break;
    }
    case Kind::ustr: {
      const auto* s = va_arg(args, const UNICODE_STRING*);
      if (s != nullptr) {
        put_counted_wide(out, s->Buffer, s->Length / sizeof(WCHAR));
      } else {
        put(out, "(null)");
      }
      break;
    }
    case Kind::anstr: {
      const auto* s = va_arg(args, const ANSI_STRING*);
      if (s != nullptr) {
        put_counted_narrow(out, s->Buffer, s->Length);
      } else {
        put(out, "(null)");
      }
      break;
    }
  }
  return true;
}

}  // namespace wskport::km::wpp

extern "C" VOID WskportWppPair(PVOID Sink, SIZE_T Size, const void* Address) {
  auto* sink = static_cast<wskport::km::wpp::PairSink*>(Sink);
  if (sink == nullptr || sink->count == sink->pairs.size()) return;
  sink->pairs[sink->count++] = {Size, Address};
}
