// Compaction policy: which segments to merge, rewrite or drop. A pure
// function of segment metadata (no I/O, no clock), so it is table-tested.
//
// Segments are given oldest first (manifest order: adjacent segments cover
// adjacent xact ranges). A job is a run of adjacent segments, so the output
// can take the run's place without reordering anything.
//
// Size tiers: tier(s) = floor(log_fanout(max(bytes, base_bytes) / base_bytes)).
// A run of `fanout` adjacent segments of one tier merges into one segment of
// about the next tier, like a base-`fanout` counter; segments at or above
// max_output_bytes / 2 are "full" and never merged again. Since new data
// arrives as small segments at the newest end, tiers fall from oldest to
// newest and at most fanout - 1 segments stay in each tier: the count is
// O(fanout * log(data / base_bytes)) below the cap (plus data / max_output
// full segments). If interleaved tiers (after retention rewrites) leave
// more than that bound, the cheapest window of `fanout` adjacent
// non-full segments is merged anyway.
//
// Retention: a segment whose rows have all expired is dropped without
// rewriting; one that holds some expired rows is rewritten alone when no
// merge job already covers it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spanlake::engine {

struct SegmentStat {
  uint64_t bytes = 0;
  bool has_expired = false;     // some rows are past retention: rewrite it
  bool wholly_expired = false;  // every row is past retention: drop it
};

struct PolicyOptions {
  size_t fanout = 4;                      // K: adjacent same-tier segments merged at once (>= 2)
  uint64_t base_bytes = 1 << 20;          // segments up to this size share tier 0
  uint64_t max_output_bytes = 1ull << 30;  // cap on a merge's summed input bytes
};

struct CompactJob {
  enum class Kind { kMerge, kRewrite, kDrop };
  Kind kind = Kind::kMerge;
  size_t first = 0;  // index of the oldest input
  size_t count = 0;  // adjacent inputs [first, first + count)
  bool operator==(const CompactJob&) const = default;
};

// Non-overlapping jobs, ascending by `first`. Empty when nothing is due.
std::vector<CompactJob> PlanCompaction(const std::vector<SegmentStat>& segments,
                                       const PolicyOptions& options);

// The tier of a segment of `bytes` (see above).
int SizeTier(uint64_t bytes, const PolicyOptions& options);

}  // namespace spanlake::engine
