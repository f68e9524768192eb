#include "base/datetime.h"

#include <gtest/gtest.h>

namespace spanlake {
namespace {

int64_t T(const char* s) { return ParseTimestamp(s).value(); }

TEST(Datetime, ParsesAndFormatsIso) {
  EXPECT_EQ(T("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(T("1970-01-01"), 0);
  EXPECT_EQ(T("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(T("2024-03-01T12:34:56.789Z"), T("2024-03-01 12:34:56.789"));
  EXPECT_EQ(FormatTimestamp(T("2024-02-29T23:59:59.5Z")), "2024-02-29T23:59:59.500Z");
  EXPECT_EQ(FormatTimestamp(T("1969-12-31T23:59:59.000001Z")), "1969-12-31T23:59:59.000001Z");
  EXPECT_FALSE(ParseTimestamp("2024-13-01").has_value());
  EXPECT_FALSE(ParseTimestamp("hello").has_value());
  EXPECT_FALSE(ParseTimestamp("2024-01-01T25:00").has_value());
}

TEST(Datetime, TruncatesToBuckets) {
  auto trunc = [](const char* ts, const char* spec, int tz = 0) {
    return FormatTimestamp(TruncateTime(T(ts), ParseTruncSpec(spec).value(), tz));
  };
  EXPECT_EQ(trunc("2024-05-16T12:34:56Z", "hour"), "2024-05-16T12:00:00.000Z");
  EXPECT_EQ(trunc("2024-05-16T12:34:56Z", "15 minutes"), "2024-05-16T12:30:00.000Z");
  EXPECT_EQ(trunc("2024-05-16T12:34:56Z", "2 HOURS"), "2024-05-16T12:00:00.000Z");
  EXPECT_EQ(trunc("2024-05-16T12:34:56Z", "week"), "2024-05-13T00:00:00.000Z");  // Monday
  EXPECT_EQ(trunc("2024-05-16T12:34:56Z", "month"), "2024-05-01T00:00:00.000Z");
  EXPECT_EQ(trunc("2024-05-16T12:34:56Z", "year"), "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(trunc("2024-05-16T03:00:00Z", "day", 480), "2024-05-15T08:00:00.000Z");  // UTC-8
  EXPECT_FALSE(ParseTruncSpec("2 weeks").ok());
  EXPECT_FALSE(ParseTruncSpec("fortnight").ok());
  EXPECT_FALSE(ParseTruncSpec("0 minutes").ok());
}

TEST(Datetime, IntervalArithmetic) {
  EXPECT_EQ(FormatTimestamp(*AddInterval(T("2024-01-31T00:00:00Z"), 1, TimeUnit::kMonth)),
            "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(*AddInterval(T("2024-01-01T00:00:00Z"), -1, TimeUnit::kDay)),
            "2023-12-31T00:00:00.000Z");
  EXPECT_FALSE(AddInterval(0, INT64_MAX / 2, TimeUnit::kDay).has_value());
}

}  // namespace
}  // namespace spanlake
