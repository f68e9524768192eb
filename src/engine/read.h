// Reads over a snapshot: the memtables and segments that hold a container,
// merged. A row id keeps its PageKey in every source, so a scan is a k-way
// merge by PageKey (newest first) of per-source cursors; the versions of one
// id found in all sources are folded in (xact, pos) order (ApplyWrite), so a
// row written in several segments and the memtable reads as its current
// state, or its state "as of" a version. Comments are attached to their
// targets across sources. See docs/architecture.md, "Read path".
//
// Thread-safety: a Snapshot is immutable except its active memtable, which
// is itself thread-safe; a SnapshotReader is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/memtable.h"
#include "json/value.h"
#include "segment/reader.h"

namespace spanlake::engine {

struct FrozenMemtable {
  std::shared_ptr<Memtable> mem;
  uint64_t high_water = 0;  // every xact <= this is in it or older data
  uint64_t frozen_ms = 0;   // when it was frozen: the segment's created_ms
  uint64_t bytes = 0;       // WAL payload bytes it holds (backpressure)
};

// What a read sees: fixed when taken, so a seal never changes an in-flight
// read (the frozen memtable it replaces stays alive while referenced).
struct Snapshot {
  std::shared_ptr<Memtable> active;
  std::vector<FrozenMemtable> frozen;                         // newest first
  std::vector<std::shared_ptr<segment::Reader>> segments;     // newest first
};

using RowVisitor = std::function<bool(json::Value row, const PageKey& key)>;

// A conjunct of a query's filter that column values can decide (see
// segment/columns.h). A folded row's value at a column path always comes from
// the write of one of its versions (or is absent), so a row none of whose
// versions, in any source, carries a value that `may_match` accepts cannot
// match: the scan skips it without decoding its versions.
struct ColumnTest {
  std::string column;  // a column name: "created", "span_attributes.type", "metrics.tokens", …
  // True for every value (a double or a string; a memtable write may also
  // give an integer) that could make the conjunct true. Absent values never
  // reach it: the conjunct must be false or null on a missing field.
  std::function<bool(const json::Value& v)> may_match;
  // True when any value v with lo <= v <= hi (the column's own order: doubles
  // by value, strings by bytes) could pass `may_match`; false lets the scan
  // skip a block's values.
  std::function<bool(const json::Value& lo, const json::Value& hi)> range_may_match;
};

// What pruning by column tests found (EXPLAIN; the segment counts are known
// before the scan, rows_skipped after it).
struct PruneStats {
  uint64_t segments = 0;        // segments holding the container (with a columns section)
  uint64_t blocks = 0;          // their version blocks
  uint64_t blocks_skipped = 0;  // blocks whose min/max (or absence of values) fails a test
  uint64_t blocks_no_match = 0; // other blocks none of whose values passes a test
  uint64_t rows = 0;            // the container's rows in those segments
  uint64_t rows_pruned = 0;     // of them, rows no version of which (in that segment) passes
  uint64_t rows_skipped = 0;    // rows a scan skipped undecoded (every source agreeing)
};

// The order of a top-k scan: a string column's values as integers that order
// as the caller's sort does (a timestamp's instant).
struct ColumnOrder {
  std::string column;  // a string column, e.g. "created"
  // A value's key; nullopt when it has none (its block is read up front).
  std::function<std::optional<int64_t>(std::string_view value)> key;
};

// What a top-k scan did (EXPLAIN, result stats).
struct TopKStats {
  uint64_t blocks = 0;       // blocks of the container's segment rows, keyed or not
  uint64_t blocks_read = 0;  // of them, blocks whose rows were visited
  uint64_t rows_decoded = 0; // rows folded and visited (memtable rows included)
  bool stopped_early = false;
};

// A scan for a caller that reads only `columns` of each row (dotted column
// names: "created", "metrics.tokens", "metadata.model", …): a row whose only
// version in the snapshot is in a segment whose columns are exact
// (segment/columns.h) and hold it, is not a delete and holds no "other" value
// at those paths, is visited as an object holding just those paths, built
// from the columns without decoding its block. Its folded state holds the
// same values there: a single write folds to itself. Other rows are decoded.
// The counters are written by the one scan using it.
struct ColumnarRead {
  std::vector<std::string> columns;
  uint64_t rows_from_columns = 0;
  uint64_t rows_decoded = 0;
};

class SnapshotReader {
 public:
  SnapshotReader(std::shared_ptr<const Snapshot> snapshot, std::string container);

  // Live rows, newest first by PageKey, strictly after `after` when given,
  // until `visit` returns false.
  Status Scan(const ReadOptions& options, const std::optional<PageKey>& after,
              const RowVisitor& visit) const;
  // Scan() that skips rows the column `tests` (all must pass) rule out, and
  // counts into `stats` when given. The rows visited are a superset of the
  // rows whose folded state satisfies the tests: the caller re-checks them.
  Status ScanPruned(const ReadOptions& options, const std::optional<PageKey>& after,
                    const std::vector<ColumnTest>& tests, const RowVisitor& visit,
                    PruneStats* stats) const;
  // For a top-k by `order` descending: visits the rows that may pass `tests`
  // (as ScanPruned), each once, in no particular order: first every memtable
  // row and the rows of segments without columns or of blocks holding a value
  // without a key, then the rows of the other blocks by their highest key,
  // descending. Before each of those blocks `floor()` gives the key of the
  // caller's worst kept row (nullopt: keep going); when it is greater than the
  // block's highest key the scan ends: a row's folded value is one of its
  // versions' values or absent, and every version of a row not yet visited is
  // in a block not yet read. Contract: the column's path holds a string or
  // nothing in every write (ingest validates `created` so): other values are
  // not in the column and are not bounded.
  Status ScanTopDesc(const ReadOptions& options, const std::vector<ColumnTest>& tests,
                     const ColumnOrder& order, const std::function<std::optional<int64_t>()>& floor,
                     const RowVisitor& visit, TopKStats* stats) const;
  // ScanTopDesc() over the candidates of MatchCandidates(): every memtable
  // row, and of segments only the rows the postings name (blocks holding none
  // are never read). The caller re-checks the match.
  Status MatchTopDesc(const std::string& query, const std::optional<std::string>& field,
                      const ReadOptions& options, const ColumnOrder& order,
                      const std::function<std::optional<int64_t>()>& floor, const RowVisitor& visit,
                      TopKStats* stats) const;
  // The segment-side counts of ScanPruned() (no row is decoded).
  Result<PruneStats> EstimatePrune(const std::vector<ColumnTest>& tests) const;
  // The row `id` (folded, materialized), or nullopt when it does not exist
  // (as of options.as_of) or is a comment.
  Result<std::optional<json::Value>> Lookup(const std::string& id, const ReadOptions& options) const;
  // Live rows whose folded root_span_id is `root`, newest first, after `after`.
  Status LookupRoot(const std::string& root, const ReadOptions& options,
                    const std::optional<PageKey>& after, const RowVisitor& visit) const;
  // Candidates for a full-text match of `query` (a phrase) in `field` and
  // the fields under it (every field when unset): rows a segment's postings
  // match, plus every memtable row (the memtable is not indexed). A superset,
  // newest first, after `after`: the caller re-checks the folded row.
  Status MatchCandidates(const std::string& query, const std::optional<std::string>& field,
                         const ReadOptions& options, const std::optional<PageKey>& after,
                         const RowVisitor& visit) const;
  // Live rows (comments excluded) as of `as_of`.
  Result<size_t> Count(std::optional<uint64_t> as_of) const;

 private:
  struct Source {
    const Memtable* mem = nullptr;
    const segment::Reader* seg = nullptr;
    int c = -1;  // container index in seg
  };
  struct Cursor;
  struct SourcePrune;
  struct SourceColumns;
  struct Gathered {
    bool found = false;
    PageKey key;
    bool is_comment = false;
    std::vector<Version> versions;
  };

  Status Init(Cursor& cur, const std::optional<PageKey>& after) const;
  Status Advance(Cursor& cur) const;
  Status CursorVersions(const Cursor& cur, std::vector<Version>* out) const;
  Result<Gathered> Gather(const std::string& id) const;
  Result<std::vector<json::Value>> Comments(const std::string& target, const ReadOptions& options) const;
  Result<std::optional<json::Value>> Present(const std::string& id, std::vector<Version> versions,
                                             const ReadOptions& options) const;
  // A candidate row: its paging key (the same in every source holding the
  // id) and id.
  using Candidate = std::pair<PageKey, std::string>;
  // Visits the live rows among `candidates` after `after` that `keep`
  // accepts, newest first. Rows are gathered and folded one at a time in key
  // order, so a visitor that stops early (a limit) costs only what it saw.
  Status VisitIds(std::vector<Candidate> candidates, const ReadOptions& options,
                  const std::optional<PageKey>& after,
                  const std::function<bool(const json::Value&)>& keep, const RowVisitor& visit) const;
  Result<std::vector<SourcePrune>> PrepareTests(const std::vector<ColumnTest>& tests,
                                                PruneStats* stats) const;
  // The cursors on the newest key (newest source first); false when all are done.
  bool NewestGroup(std::vector<Cursor>& cursors, std::vector<Cursor*>* group) const;
  bool GroupMayMatch(const std::vector<Cursor*>& group, const std::vector<ColumnTest>& tests,
                     const std::vector<SourcePrune>& prunes) const;
  // Folds and visits the row whose cursors are `group` unless as_of or the
  // tests rule it out; false when `visit` asked to stop.
  Result<bool> VisitGroup(const std::vector<Cursor*>& group, const ReadOptions& options,
                          const std::vector<ColumnTest>& tests,
                          const std::vector<SourcePrune>& prunes, const RowVisitor& visit,
                          PruneStats* stats, std::vector<SourceColumns>* columnar = nullptr) const;
  // Per source, the columns of options.columnar (empty without it).
  Result<std::vector<SourceColumns>> PrepareColumnar(const ReadOptions& options) const;
  // The row at `cur` built from its segment's columns, or nullopt when it
  // must be decoded (see ColumnarRead).
  std::optional<json::Value> ColumnRow(const Cursor& cur, SourceColumns& sc) const;
  // The cursors of row `id` in every source (one per source holding it).
  std::vector<Cursor> CursorsOf(const std::string& id) const;
  // Per block of segment source `s`: its highest key over the container's
  // values, INT64_MAX when some value has none, nullopt when it has no value.
  Result<std::vector<std::optional<int64_t>>> BlockBounds(const Source& s, const ColumnOrder& order) const;
  Result<bool> LiveGroup(const std::vector<Cursor*>& group, std::optional<uint64_t> as_of) const;
  // Segment rows (ascending) a top-k may visit, per source; nullopt: all.
  using RowSubset = std::vector<std::optional<std::vector<uint32_t>>>;
  Status TopDesc(const ReadOptions& options, const std::vector<ColumnTest>& tests,
                 const ColumnOrder& order, const std::function<std::optional<int64_t>()>& floor,
                 const RowVisitor& visit, TopKStats* stats, const RowSubset& subset) const;
  // Per source, the segment rows whose postings match (nullopt for memtables).
  Result<RowSubset> MatchSubset(const std::string& query, const std::optional<std::string>& field) const;

  std::shared_ptr<const Snapshot> snapshot_;
  std::string container_;
  std::vector<Source> sources_;  // newest first, only those holding the container
  ContainerInfo info_;
};

// Folds `versions` (any order; sorted here) with xact <= as_of. `xact` gets
// the xact of the last write folded.
std::optional<json::Object> FoldVersions(std::vector<Version>& versions,
                                         std::optional<uint64_t> as_of, uint64_t* xact);

}  // namespace spanlake::engine
