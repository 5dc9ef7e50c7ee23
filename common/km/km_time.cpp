// SPDX-License-Identifier: MIT
// Time: system time (100 ns units since 1601-01-01 UTC), interrupt time (monotonic),
// tick count, the performance counter, KeDelayExecutionThread and calendar fields.
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>

#include "common/km/km_dispatcher.hpp"
#include "common/km/km_runtime.hpp"

namespace wskport::km::detail {

namespace {

// 1601-01-01 to 1970-01-01 in 100 ns units.
constexpr LONGLONG kEpochDelta = 116444736000000000LL;
constexpr ULONG kTimeIncrement = 156250;  // 15.625 ms, the usual clock interval
constexpr LONGLONG kPerDay = 864000000000LL;

LONGLONG units(std::chrono::nanoseconds ns) noexcept { return ns.count() / 100; }

// Days since 1601-01-01 <-> civil date (proleptic Gregorian; H. Hinnant's algorithms
// shifted to the 1601 epoch, itself the start of a 400-year cycle).
void civil_from_days(LONGLONG days, LONGLONG& y, unsigned& m, unsigned& d) noexcept {
  const LONGLONG z = days - 134774 + 719468;  // to days since 0000-03-01
  const LONGLONG era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<LONGLONG>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

LONGLONG days_from_civil(LONGLONG y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const LONGLONG era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<LONGLONG>(doe) - 719468 + 134774;
}

// The host's UTC offset now, in 100 ns units.
LONGLONG utc_offset() noexcept {
  static std::mutex lock;  // localtime/gmtime share static storage
  std::lock_guard<std::mutex> guard(lock);
  const std::time_t now = std::time(nullptr);
  std::tm local = *std::localtime(&now);
  std::tm utc = *std::gmtime(&now);
  local.tm_isdst = 0;
  utc.tm_isdst = 0;
  return static_cast<LONGLONG>(std::difftime(std::mktime(&local), std::mktime(&utc))) * 10000000LL;
}

}  // namespace

LONGLONG system_time_now() noexcept {
  return kEpochDelta + units(std::chrono::system_clock::now().time_since_epoch());
}

}  // namespace wskport::km::detail

using namespace wskport::km::detail;

extern "C" {

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = system_time_now(); }

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime) {
  CurrentTime->QuadPart = system_time_now();
}

ULONGLONG KeQueryInterruptTime(VOID) {
  return static_cast<ULONGLONG>(units(std::chrono::steady_clock::now().time_since_epoch()));
}

ULONGLONG KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp) {
  const ULONGLONG t = KeQueryInterruptTime();
  if (QpcTimeStamp != nullptr) *QpcTimeStamp = t;
  return t;
}

VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount) {
  CurrentCount->QuadPart = static_cast<LONGLONG>(KeQueryInterruptTime() / kTimeIncrement);
}

ULONG KeQueryTimeIncrement(VOID) { return kTimeIncrement; }

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency) {
  if (PerformanceFrequency != nullptr) PerformanceFrequency->QuadPart = 10000000;
  LARGE_INTEGER now;
  now.QuadPart = static_cast<LONGLONG>(KeQueryInterruptTime());
  return now;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                PLARGE_INTEGER Interval) {
  UNREFERENCED_PARAMETER(WaitMode);
  UNREFERENCED_PARAMETER(Alertable);
  LONGLONG t = Interval != nullptr ? Interval->QuadPart : 0;
  if (t > 0) t = -(t - system_time_now());  // absolute: the time left, maybe none
  if (t >= 0) {
    std::this_thread::yield();
    return STATUS_SUCCESS;
  }
  std::this_thread::sleep_for(std::chrono::nanoseconds(-t) * 100);
  return STATUS_SUCCESS;
}

VOID ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime) {
  LocalTime->QuadPart = SystemTime->QuadPart + utc_offset();
}

VOID ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime) {
  SystemTime->QuadPart = LocalTime->QuadPart - utc_offset();
}

VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields) {
  const LONGLONG t = Time->QuadPart;
  const LONGLONG days = t / kPerDay;
  LONGLONG rest = t % kPerDay;
  LONGLONG year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, year, month, day);
  TimeFields->Year = static_cast<SHORT>(year);
  TimeFields->Month = static_cast<SHORT>(month);
  TimeFields->Day = static_cast<SHORT>(day);
  TimeFields->Hour = static_cast<SHORT>(rest / 36000000000LL);
  rest %= 36000000000LL;
  TimeFields->Minute = static_cast<SHORT>(rest / 600000000LL);
  rest %= 600000000LL;
  TimeFields->Second = static_cast<SHORT>(rest / 10000000LL);
  rest %= 10000000LL;
  TimeFields->Milliseconds = static_cast<SHORT>(rest / 10000LL);
  TimeFields->Weekday = static_cast<SHORT>((days + 1) % 7);  // 1601-01-01 was a Monday
}

BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time) {
  const TIME_FIELDS& f = *TimeFields;
  if (f.Year < 1601 || f.Month < 1 || f.Month > 12 || f.Day < 1 || f.Day > 31 || f.Hour < 0 ||
      f.Hour > 23 || f.Minute < 0 || f.Minute > 59 || f.Second < 0 || f.Second > 59 ||
      f.Milliseconds < 0 || f.Milliseconds > 999) {
    return FALSE;
  }
  const LONGLONG days =
      days_from_civil(f.Year, static_cast<unsigned>(f.Month), static_cast<unsigned>(f.Day));
  LONGLONG y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  if (d != static_cast<unsigned>(f.Day)) return FALSE;  // e.g. February 30
  Time->QuadPart = days * kPerDay + f.Hour * 36000000000LL + f.Minute * 600000000LL +
                   f.Second * 10000000LL + f.Milliseconds * 10000LL;
  return TRUE;
}

}  // extern "C"
