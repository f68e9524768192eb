// Timestamps and intervals: ISO-8601 parsing and formatting, calendar fields,
// truncation to buckets. Used by the query language and by retention. On the
// wire timestamps are ISO-8601 strings ("2026-11-27T04:56:47.501Z"); inside
// the engine and expressions they are microseconds since the Unix epoch (UTC).
// Pure functions, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace spanlake {

// Accepts "YYYY-MM-DD", "YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]" with an
// optional "Z" or "±HH[:MM]" zone (none = UTC). nullopt for anything else.
std::optional<int64_t> ParseTimestamp(std::string_view s);

// True when `s` starts like a date ("dddd-dd-dd"): a cheap test that decides
// whether two strings compare as instants rather than as text.
bool LooksLikeTimestamp(std::string_view s);

// The calendar fields of an instant (UTC).
struct CivilTime {
  int64_t year, month, day, hour, minute, second;
};
CivilTime ToCivil(int64_t micros);

// ISO-8601 UTC with milliseconds, or microseconds when they are not zero.
std::string FormatTimestamp(int64_t micros);

enum class TimeUnit {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kYear
};

// "15 minutes", "hour", "2 HOURS": a unit and a positive multiple. Weeks,
// months and years take no multiple (their length varies).
struct TruncSpec {
  TimeUnit unit = TimeUnit::kDay;
  int64_t multiple = 1;
};
Result<TruncSpec> ParseTruncSpec(std::string_view text);

// Start of the bucket of `spec` holding `micros`, in a zone `tz_offset_minutes`
// behind UTC (JavaScript's getTimezoneOffset convention: 480 = UTC-8). Weeks
// start on Monday.
int64_t TruncateTime(int64_t micros, const TruncSpec& spec, int tz_offset_minutes);

// Parses an interval unit name (singular or plural, any case).
std::optional<TimeUnit> ParseTimeUnit(std::string_view name);
const char* TimeUnitName(TimeUnit unit);

// `micros` plus `n` units (calendar arithmetic for months and years);
// nullopt when the result is beyond ±100,000 years.
std::optional<int64_t> AddInterval(int64_t micros, int64_t n, TimeUnit unit);

}  // namespace spanlake
