#include "base/datetime.h"

#include <cctype>
#include <cstdio>

namespace spanlake {

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (the era-based method:
// 400-year eras of 146097 days, years starting in March).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t y, m, d;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads exactly `n` digits at `s[*i]`.
bool Digits(std::string_view s, size_t* i, int n, int64_t* out) {
  int64_t v = 0;
  for (int k = 0; k < n; ++k) {
    if (*i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[*i]))) return false;
    v = v * 10 + (s[(*i)++] - '0');
  }
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// The zone suffix: "Z", "+HH", "+HH:MM", "+HHMM" → offset in minutes east of UTC.
bool ParseZone(std::string_view s, size_t* i, int64_t* minutes) {
  *minutes = 0;
  if (*i == s.size()) return true;
  if (s[*i] == 'Z' || s[*i] == 'z') return ++*i == s.size();
  if (s[*i] != '+' && s[*i] != '-') return false;
  int64_t sign = s[(*i)++] == '-' ? -1 : 1, hh = 0, mm = 0;
  if (!Digits(s, i, 2, &hh)) return false;
  if (*i < s.size()) {
    Expect(s, i, ':');
    if (!Digits(s, i, 2, &mm)) return false;
  }
  *minutes = sign * (hh * 60 + mm);
  return *i == s.size() && hh < 24 && mm < 60;
}

// "HH:MM[:SS[.f]]" after the date; adds to *micros.
bool ParseClock(std::string_view s, size_t* i, int64_t* micros) {
  int64_t hh = 0, mm = 0, ss = 0;
  if (!Digits(s, i, 2, &hh) || !Expect(s, i, ':') || !Digits(s, i, 2, &mm)) return false;
  if (*i < s.size() && s[*i] == ':') {
    ++*i;
    if (!Digits(s, i, 2, &ss)) return false;
    if (*i < s.size() && s[*i] == '.') {
      ++*i;
      int64_t frac = 0, scale = 100000;
      size_t start = *i;
      while (*i < s.size() && std::isdigit(static_cast<unsigned char>(s[*i]))) {
        if (scale > 0) frac += (s[*i] - '0') * scale;
        scale /= 10;
        ++*i;
      }
      if (*i == start) return false;
      *micros += frac;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;
  *micros += ((hh * 60 + mm) * 60 + ss) * kMicrosPerSecond;
  return true;
}

}  // namespace

bool LooksLikeTimestamp(std::string_view s) {
  if (s.size() < 10) return false;
  for (size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

std::optional<int64_t> ParseTimestamp(std::string_view s) {
  size_t i = 0;
  int64_t y = 0, m = 0, d = 0;
  if (!Digits(s, &i, 4, &y) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &m) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  int64_t micros = DaysFromCivil(y, m, d) * kMicrosPerDay;
  if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    ++i;
    if (!ParseClock(s, &i, &micros)) return std::nullopt;
  }
  int64_t zone = 0;
  if (!ParseZone(s, &i, &zone)) return std::nullopt;
  return micros - zone * 60 * kMicrosPerSecond;
}

CivilTime ToCivil(int64_t micros) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t secs = (micros - days * kMicrosPerDay) / kMicrosPerSecond;
  Civil c = CivilFromDays(days);
  return CivilTime{c.y, c.m, c.d, secs / 3600, secs / 60 % 60, secs % 60};
}

std::string FormatTimestamp(int64_t micros) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  Civil c = CivilFromDays(days);
  int64_t secs = rest / kMicrosPerSecond, frac = rest % kMicrosPerSecond;
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
                        static_cast<long long>(c.y), static_cast<long long>(c.m),
                        static_cast<long long>(c.d), static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac % 1000 == 0) {
    std::snprintf(buf, sizeof(buf), ".%03lldZ", static_cast<long long>(frac / 1000));
  } else {
    std::snprintf(buf, sizeof(buf), ".%06lldZ", static_cast<long long>(frac));
  }
  return out + buf;
}

std::optional<TimeUnit> ParseTimeUnit(std::string_view name) {
  std::string n;
  for (char c : name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (n.size() > 1 && n.back() == 's') n.pop_back();
  if (n == "microsecond") return TimeUnit::kMicrosecond;
  if (n == "millisecond") return TimeUnit::kMillisecond;
  if (n == "second") return TimeUnit::kSecond;
  if (n == "minute") return TimeUnit::kMinute;
  if (n == "hour") return TimeUnit::kHour;
  if (n == "day") return TimeUnit::kDay;
  if (n == "week") return TimeUnit::kWeek;
  if (n == "month") return TimeUnit::kMonth;
  if (n == "year") return TimeUnit::kYear;
  return std::nullopt;
}

const char* TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMicrosecond: return "microsecond";
    case TimeUnit::kMillisecond: return "millisecond";
    case TimeUnit::kSecond: return "second";
    case TimeUnit::kMinute: return "minute";
    case TimeUnit::kHour: return "hour";
    case TimeUnit::kDay: return "day";
    case TimeUnit::kWeek: return "week";
    case TimeUnit::kMonth: return "month";
    case TimeUnit::kYear: return "year";
  }
  return "?";
}

Result<TruncSpec> ParseTruncSpec(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  int64_t multiple = 1;
  bool has_multiple = false;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    multiple = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      multiple = multiple * 10 + (text[i++] - '0');
      if (multiple > 1000000) break;
    }
    has_multiple = true;
    while (i < text.size() && text[i] == ' ') ++i;
  }
  std::string_view name = text.substr(i);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::optional<TimeUnit> unit = ParseTimeUnit(name);
  const std::string bad = "date_trunc: '" + std::string(text) +
                          "' is not an interval; expected "
                          "second, minute, hour, day, week, month, year or a multiple such as "
                          "'15 minutes'";
  if (!unit || *unit == TimeUnit::kMicrosecond || *unit == TimeUnit::kMillisecond) {
    return Status::InvalidArgument(bad);
  }
  if (has_multiple && (multiple <= 0 || multiple > 1000000)) return Status::InvalidArgument(bad);
  if (has_multiple && multiple != 1 &&
      (*unit == TimeUnit::kWeek || *unit == TimeUnit::kMonth || *unit == TimeUnit::kYear)) {
    return Status::InvalidArgument("date_trunc: '" + std::string(text) +
                                   "': weeks, months and years take no multiple");
  }
  return TruncSpec{*unit, multiple};
}

int64_t TruncateTime(int64_t micros, const TruncSpec& spec, int tz_offset_minutes) {
  int64_t shift = int64_t{tz_offset_minutes} * 60 * kMicrosPerSecond;
  int64_t local = micros - shift;
  int64_t days = FloorDiv(local, kMicrosPerDay);
  int64_t out = 0;
  switch (spec.unit) {
    case TimeUnit::kWeek: {
      int64_t weekday = (days + 3) % 7;  // 1970-01-01 was a Thursday; Monday = 0
      if (weekday < 0) weekday += 7;
      out = (days - weekday) * kMicrosPerDay;
      break;
    }
    case TimeUnit::kMonth: {
      Civil c = CivilFromDays(days);
      out = DaysFromCivil(c.y, c.m, 1) * kMicrosPerDay;
      break;
    }
    case TimeUnit::kYear: {
      Civil c = CivilFromDays(days);
      out = DaysFromCivil(c.y, 1, 1) * kMicrosPerDay;
      break;
    }
    default: {
      int64_t width = spec.multiple * (spec.unit == TimeUnit::kSecond   ? kMicrosPerSecond
                                       : spec.unit == TimeUnit::kMinute ? 60 * kMicrosPerSecond
                                       : spec.unit == TimeUnit::kHour   ? 3600 * kMicrosPerSecond
                                                                        : kMicrosPerDay);
      out = FloorDiv(local, width) * width;
    }
  }
  return out + shift;
}

std::optional<int64_t> AddInterval(int64_t micros, int64_t n, TimeUnit unit) {
  constexpr int64_t kLimit = int64_t{100000} * 366 * kMicrosPerDay;  // ±100,000 years
  if (micros > kLimit || micros < -kLimit) return std::nullopt;
  if (unit == TimeUnit::kMonth || unit == TimeUnit::kYear) {
    if (n > 12 * 100000 || n < -12 * 100000) return std::nullopt;
    int64_t days = FloorDiv(micros, kMicrosPerDay);
    int64_t rest = micros - days * kMicrosPerDay;
    Civil c = CivilFromDays(days);
    int64_t months = c.y * 12 + (c.m - 1) + (unit == TimeUnit::kYear ? n * 12 : n);
    int64_t y = FloorDiv(months, 12), m = months - y * 12 + 1;
    static constexpr int kLast[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int64_t last = kLast[m - 1] + (m == 2 && leap ? 1 : 0);
    int64_t out = DaysFromCivil(y, m, c.d < last ? c.d : last) * kMicrosPerDay + rest;
    if (out > kLimit || out < -kLimit) return std::nullopt;
    return out;
  }
  int64_t width = 1;
  switch (unit) {
    case TimeUnit::kMillisecond: width = 1000; break;
    case TimeUnit::kSecond: width = kMicrosPerSecond; break;
    case TimeUnit::kMinute: width = 60 * kMicrosPerSecond; break;
    case TimeUnit::kHour: width = 3600 * kMicrosPerSecond; break;
    case TimeUnit::kDay: width = kMicrosPerDay; break;
    case TimeUnit::kWeek: width = 7 * kMicrosPerDay; break;
    default: break;
  }
  int64_t delta = 0, out = 0;
  if (__builtin_mul_overflow(n, width, &delta) || __builtin_add_overflow(micros, delta, &out) ||
      out > kLimit || out < -kLimit) {
    return std::nullopt;
  }
  return out;
}

}  // namespace spanlake
