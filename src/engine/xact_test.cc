#include "engine/xact.h"

#include <gtest/gtest.h>

namespace spanlake::engine {
namespace {

TEST(Xact, StringsAreFixedWidthAndInTheSdkRange) {
  XactClock clock;
  uint64_t a = clock.Next();
  std::string s = XactToString(a);
  EXPECT_EQ(s.size(), 19u);
  EXPECT_GE(a, 1000080592252960768ull);
  EXPECT_LE(a, 1000362067229671423ull);
  EXPECT_EQ(a >> 48, 0x0DE1u);
}

TEST(Xact, StrictlyIncreasingEvenPastAFloor) {
  XactClock clock;
  uint64_t floor = clock.Next() + 1000000;
  clock.AdvancePast(floor);
  uint64_t prev = floor;
  for (int i = 0; i < 10000; ++i) {
    uint64_t x = clock.Next();
    ASSERT_GT(x, prev);
    ASSERT_GT(XactToString(x), XactToString(prev));  // string order = numeric order
    prev = x;
  }
}

TEST(Xact, PrettyFormMatchesTheSdk) {
  EXPECT_EQ(XactToPretty(1000192656880881099ull), "81cd05ee665fdfb3");
  EXPECT_EQ(ParseXact("81cd05ee665fdfb3"), 1000192656880881099ull);
  EXPECT_EQ(ParseXact("1000192656880881099"), 1000192656880881099ull);
  EXPECT_FALSE(ParseXact("").has_value());
  EXPECT_FALSE(ParseXact("12x").has_value());
  EXPECT_FALSE(ParseXact("zzzzzzzzzzzzzzzz").has_value());
}

}  // namespace
}  // namespace spanlake::engine
