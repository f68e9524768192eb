#include "engine/compact_policy.h"

#include <gtest/gtest.h>

namespace spanlake::engine {
namespace {

using Kind = CompactJob::Kind;
constexpr uint64_t MB = 1 << 20;

std::vector<SegmentStat> Sizes(std::vector<uint64_t> mb) {
  std::vector<SegmentStat> out;
  for (uint64_t m : mb) out.push_back(SegmentStat{m * MB});
  return out;
}

struct Case {
  const char* name;
  std::vector<SegmentStat> segments;
  std::vector<CompactJob> want;
};

TEST(CompactPolicy, Table) {
  PolicyOptions o{.fanout = 4, .base_bytes = MB, .max_output_bytes = 64 * MB};
  SegmentStat expired{MB, true, false}, dead{MB, true, true};
  std::vector<Case> cases = {
      {"empty", {}, {}},
      {"fewer than fanout", Sizes({1, 1, 1}), {}},
      {"four small merge", Sizes({1, 1, 1, 1}), {{Kind::kMerge, 0, 4}}},
      {"two runs", Sizes({1, 1, 1, 1, 1, 1, 1, 1, 1}), {{Kind::kMerge, 0, 4}, {Kind::kMerge, 4, 4}}},
      {"tiers do not mix", Sizes({5, 1, 1, 1}), {}},
      {"run after a bigger one", Sizes({5, 1, 1, 1, 1}), {{Kind::kMerge, 1, 4}}},
      {"tier 1 run", Sizes({4, 5, 6, 7, 1}), {{Kind::kMerge, 0, 4}}},
      {"full segments stay", Sizes({32, 32, 32, 32}), {}},
      {"under the cap", Sizes({15, 15, 15, 15}), {{Kind::kMerge, 0, 4}}},
      {"over the cap", Sizes({20, 20, 20, 20}), {}},
      {"wholly expired dropped", {dead, SegmentStat{MB}}, {{Kind::kDrop, 0, 1}}},
      {"expired rewritten alone", {SegmentStat{5 * MB}, expired}, {{Kind::kRewrite, 1, 1}}},
      {"expired inside a merge is not rewritten twice",
       {expired, SegmentStat{MB}, SegmentStat{MB}, SegmentStat{MB}},
       {{Kind::kMerge, 0, 4}}},
      {"dropped segment splits a run",
       {SegmentStat{MB}, SegmentStat{MB}, dead, SegmentStat{MB}, SegmentStat{MB}},
       {{Kind::kDrop, 2, 1}}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PlanCompaction(c.segments, o), c.want) << c.name;
  }
}

TEST(CompactPolicy, SizeTiers) {
  PolicyOptions o{.fanout = 4, .base_bytes = MB, .max_output_bytes = 1ull << 40};
  EXPECT_EQ(SizeTier(0, o), 0);
  EXPECT_EQ(SizeTier(4 * MB - 1, o), 0);
  EXPECT_EQ(SizeTier(4 * MB, o), 1);
  EXPECT_EQ(SizeTier(16 * MB, o), 2);
  EXPECT_EQ(SizeTier(UINT64_MAX, o), SizeTier(UINT64_MAX, o));  // terminates
}

// Interleaved tiers with no same-tier run: the bound forces a merge.
TEST(CompactPolicy, InterleavedTiersStillMerge) {
  PolicyOptions o{.fanout = 2, .base_bytes = MB, .max_output_bytes = 1ull << 40};
  std::vector<SegmentStat> s = Sizes({8, 1, 2, 1, 2, 1, 2, 1});
  std::vector<CompactJob> jobs = PlanCompaction(s, o);
  ASSERT_FALSE(jobs.empty());
  EXPECT_EQ(jobs[0].kind, Kind::kMerge);
}

// Simulates a stream of equal small seals compacted after each: the count
// stays logarithmic in the data.
TEST(CompactPolicy, CountStaysLogarithmic) {
  PolicyOptions o{.fanout = 4, .base_bytes = MB, .max_output_bytes = 1ull << 40};
  std::vector<SegmentStat> segs;
  size_t worst = 0;
  for (int seal = 0; seal < 2000; ++seal) {
    segs.push_back(SegmentStat{MB});
    while (true) {
      std::vector<CompactJob> jobs = PlanCompaction(segs, o);
      if (jobs.empty()) break;
      for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
        uint64_t sum = 0;
        for (size_t i = it->first; i < it->first + it->count; ++i) sum += segs[i].bytes;
        segs.erase(segs.begin() + static_cast<long>(it->first), segs.begin() + static_cast<long>(it->first + it->count));
        segs.insert(segs.begin() + static_cast<long>(it->first), SegmentStat{sum});
      }
    }
    worst = std::max(worst, segs.size());
  }
  // 2000 MB: tiers 0..5, at most 3 per tier.
  EXPECT_LE(worst, 18u);
  EXPECT_GE(worst, 4u);
}

}  // namespace
}  // namespace spanlake::engine
