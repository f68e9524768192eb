// Compaction's merge step: the rows of adjacent segments (a job from
// compact_policy.h) rewritten as one segment, with history folded, deleted
// rows' tombstones dropped and expired rows removed. Pure over its inputs:
// reads segments, returns bytes, writes nothing (the engine publishes).
// See docs/architecture.md, "Compaction and retention".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "segment/builder.h"
#include "segment/reader.h"

namespace spanlake::engine {

// How long a container's rows are kept. Given by the embedder (the server
// reads project settings and soft deletes from metadata), so the engine does
// not depend on metadata.
struct Retention {
  bool deleted = false;        // the container was deleted: purge every row
  std::optional<uint32_t> days;  // keep rows this many days (0: forever); unset: the engine default
};
// Must be cheap and thread-safe: called for every container of every
// segment a compaction looks at.
using RetentionFn = std::function<Retention(const std::string& container)>;

struct MergeOptions {
  // Versions with xact <= this are folded into one (the row's state at
  // that point); later versions are kept, so "as of" reads at or after
  // the horizon still see every version. 0: no folding.
  uint64_t history_horizon_xact = 0;
  int64_t now_ms = 0;
  uint32_t default_retention_days = 0;  // 0: forever
  RetentionFn retention;                // may be empty
  segment::BuilderOptions builder;
};

// Rows older than this (unix ms) are expired in `container`: 0 when it
// keeps everything, INT64_MAX when the container is deleted.
int64_t RetentionHorizonMs(const std::string& container, const MergeOptions& options);

// The time retention judges a row by: min(its `created`, the time of its
// first version), unix ms. REQUIRES: `versions` non-empty, in (xact, pos) order.
int64_t RowTimeMs(const std::vector<segment::Version>& versions);

struct MergeResult {
  std::string bytes;  // empty when no row survived (then stats are zero)
  segment::BuildStats stats;
  int64_t min_row_ms = 0;  // of the rows kept
  uint64_t rows_in = 0, rows_expired = 0, tombstones_dropped = 0, versions_folded = 0;
};

// Merges `inputs` (adjacent segments, oldest first) into one segment.
// `older` are the live segments older than every input: a row id found in
// one of them may have earlier versions there, so its versions here are
// neither folded nor, when deleted, dropped. Each row keeps its PageKey and
// comment target. A row expires when min(its `created`, the time of its
// first version here) is before its container's retention horizon; its
// versions in these inputs are dropped.
Result<MergeResult> MergeSegments(const std::vector<const segment::Reader*>& inputs,
                                  const std::vector<const segment::Reader*>& older,
                                  const MergeOptions& options);

}  // namespace spanlake::engine
