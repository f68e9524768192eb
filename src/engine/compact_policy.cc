#include "engine/compact_policy.h"

#include <algorithm>
#include <limits>

namespace spanlake::engine {

namespace {

bool Full(const SegmentStat& s, const PolicyOptions& o) { return s.bytes >= o.max_output_bytes / 2; }

// A segment a merge may take: not full and not due to be dropped.
bool Mergeable(const SegmentStat& s, const PolicyOptions& o) { return !Full(s, o) && !s.wholly_expired; }

uint64_t WindowBytes(const std::vector<SegmentStat>& s, size_t first, size_t n) {
  uint64_t sum = 0;
  for (size_t i = first; i < first + n; ++i) sum += s[i].bytes;
  return sum;
}

// Runs of `fanout` adjacent mergeable segments of one tier, oldest first,
// within the output cap. `taken` marks segments already in a job.
void SameTierMerges(const std::vector<SegmentStat>& s, const PolicyOptions& o,
                    std::vector<bool>& taken, std::vector<CompactJob>& jobs) {
  size_t i = 0;
  while (i + o.fanout <= s.size()) {
    bool ok = true;
    int tier = SizeTier(s[i].bytes, o);
    for (size_t j = i; j < i + o.fanout && ok; ++j) {
      ok = !taken[j] && Mergeable(s[j], o) && SizeTier(s[j].bytes, o) == tier;
    }
    if (ok && WindowBytes(s, i, o.fanout) <= o.max_output_bytes) {
      jobs.push_back(CompactJob{CompactJob::Kind::kMerge, i, o.fanout});
      for (size_t j = i; j < i + o.fanout; ++j) taken[j] = true;
      i += o.fanout;
    } else {
      ++i;
    }
  }
}

// The segment count the tiering keeps below the cap: fanout - 1 per tier,
// tiers up to that of the whole data, plus the full segments.
size_t CountBound(const std::vector<SegmentStat>& s, const PolicyOptions& o) {
  uint64_t total = 0;
  size_t full = 0;
  for (const SegmentStat& x : s) {
    total += x.bytes;
    if (Full(x, o)) ++full;
  }
  size_t tiers = static_cast<size_t>(SizeTier(total, o)) + 1;
  return (o.fanout - 1) * tiers + full;
}

// When tiers interleave so that no same-tier run exists but there are too
// many segments, merges the cheapest window of `fanout` free segments.
void CheapestMerge(const std::vector<SegmentStat>& s, const PolicyOptions& o,
                   std::vector<bool>& taken, std::vector<CompactJob>& jobs) {
  size_t best = s.size();
  uint64_t best_bytes = std::numeric_limits<uint64_t>::max();
  for (size_t i = 0; i + o.fanout <= s.size(); ++i) {
    bool ok = true;
    for (size_t j = i; j < i + o.fanout && ok; ++j) ok = !taken[j] && Mergeable(s[j], o);
    uint64_t bytes = ok ? WindowBytes(s, i, o.fanout) : 0;
    if (ok && bytes <= o.max_output_bytes && bytes < best_bytes) {
      best = i;
      best_bytes = bytes;
    }
  }
  if (best == s.size()) return;
  jobs.push_back(CompactJob{CompactJob::Kind::kMerge, best, o.fanout});
  for (size_t j = best; j < best + o.fanout; ++j) taken[j] = true;
}

}  // namespace

int SizeTier(uint64_t bytes, const PolicyOptions& o) {
  uint64_t base = std::max<uint64_t>(o.base_bytes, 1);
  uint64_t fanout = std::max<size_t>(o.fanout, 2);
  int tier = 0;
  for (uint64_t limit = base * fanout; bytes >= limit; limit *= fanout) {
    ++tier;
    if (limit > std::numeric_limits<uint64_t>::max() / fanout) break;
  }
  return tier;
}

std::vector<CompactJob> PlanCompaction(const std::vector<SegmentStat>& segments,
                                       const PolicyOptions& options) {
  PolicyOptions o = options;
  o.fanout = std::max<size_t>(o.fanout, 2);
  std::vector<CompactJob> jobs;
  std::vector<bool> taken(segments.size(), false);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!segments[i].wholly_expired) continue;
    jobs.push_back(CompactJob{CompactJob::Kind::kDrop, i, 1});
    taken[i] = true;
  }
  SameTierMerges(segments, o, taken, jobs);
  size_t live = segments.size();
  for (const CompactJob& j : jobs) live -= j.count - (j.kind == CompactJob::Kind::kMerge ? 1 : 0);
  if (live > CountBound(segments, o)) CheapestMerge(segments, o, taken, jobs);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!taken[i] && segments[i].has_expired) jobs.push_back(CompactJob{CompactJob::Kind::kRewrite, i, 1});
  }
  std::sort(jobs.begin(), jobs.end(), [](const CompactJob& a, const CompactJob& b) { return a.first < b.first; });
  return jobs;
}

}  // namespace spanlake::engine
