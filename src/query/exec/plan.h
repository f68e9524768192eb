// Access paths and the planner's choice among them.
//
// A RowSource yields candidate rows of one container newest first by
// PageKey, from one engine snapshot; the executor re-checks the whole filter
// on every row, so a source may return a superset of the matches. Paths:
//  * full_scan: every live row (the k-way merge of memtables and segments);
//  * id_lookup: `id = 'x'` / `id IN (…)` — each id through the engine's id
//    index, then its trace's root index for the row's PageKey;
//  * root_span_lookup: `root_span_id = 'x'` / `IN (…)` — the engine's
//    root_span_id index (also used to load the traces a traces/summary query
//    chose);
//  * postings: `<path> MATCH '<text>'` — the segments' full-text postings
//    for that field, plus every memtable row (MATCH uses the index's
//    analyzer, so the postings never drop a row MATCH accepts).
//  * pruned_scan: the full scan, skipping rows whose segment
//    columns / memtable writes rule out a comparison of a column (created,
//    span_attributes.type/name, metrics.*, scores.*) with a constant.
//  * top_k_scan: for `sort: created desc` with a limit (spans shape, no
//    narrower path, no column test): memtable rows, then segment blocks by
//    their newest `created`, until the rows kept outrank every block left
//    (ScanTop).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/read.h"
#include "json/value.h"
#include "query/exec/query.h"
#include "query/expr.h"

namespace spanlake::query::exec {

using RowVisitor = engine::RowVisitor;

class RowSource {
 public:
  virtual ~RowSource() = default;
  // Visits candidates newest first, strictly after `after`, until `visit`
  // returns false. A storage error ends the scan and is returned.
  virtual Status Scan(const std::optional<engine::PageKey>& after,
                      const RowVisitor& visit) const = 0;
  // For a top-k: visits candidates in any order, and may stop once `floor()`
  // (the CreatedKey of the caller's worst kept row; nullopt: none yet) is
  // greater than every row not visited can be. This default is Scan().
  virtual Status ScanTop(const std::function<std::optional<int64_t>()>& floor,
                         const RowVisitor& visit, engine::TopKStats* stats) const {
    (void)floor;
    (void)stats;
    return Scan(std::nullopt, visit);
  }
  // For EXPLAIN: {"type": …, …}.
  virtual json::Value Describe() const = 0;
};

using Reader = std::shared_ptr<const engine::SnapshotReader>;

std::unique_ptr<RowSource> FullScan(Reader reader, engine::ReadOptions read);
std::unique_ptr<RowSource> IdLookup(Reader reader, engine::ReadOptions read,
                                    std::vector<std::string> ids);
std::unique_ptr<RowSource> RootLookup(Reader reader, engine::ReadOptions read,
                                      std::vector<std::string> roots);

// The key a top_k_scan orders `created` values by: the instant of a string
// that looks like a timestamp (the sort compares two such as instants), else
// nullopt.
std::optional<int64_t> CreatedKey(std::string_view created);

// The columnar aggregation path (engine::ColumnarRead): for an aggregated
// spans-shape query without sample, pivot or unpivot whose filter, dimensions
// and measures read only column paths (created, span_attributes.type/name,
// metrics.*, scores.*, metadata.*; no search()), the column names they read;
// else nullopt.
std::optional<std::vector<std::string>> ColumnarColumns(const Query& q);

// At most this many keys make a lookup path worth it over a scan.
inline constexpr size_t kMaxLookupKeys = 1000;

// A predicate of the filter that an index could answer.
struct IndexCandidate {
  std::string kind;   // "id_lookup", "root_span_lookup", "postings", "range"
  std::string field;  // "id", "root_span_id", "input", "created", …
  json::Value detail;
  std::vector<std::string> keys;  // lookup keys; for postings {query, field}
  bool used = false;
  std::string why;  // why it is or is not used
};

// Pure: the predicates among the filter's top-level conjuncts. With `ctx`, a
// constant side (`now() - interval 1 day`) is evaluated once and serves as
// a literal; without it only literals do.
std::vector<IndexCandidate> FindIndexCandidates(const json::Value& filter,
                                                const EvalContext* ctx = nullptr);

// `_pagination_key`: a row's place (the PageKey of its first write) as text
// that sorts as the place does — "p", the xact id in 20 digits, the position
// in 10. Stable for the row's life, so it serves range filters and cursors.
inline constexpr std::string_view kPaginationKeyField = "_pagination_key";
std::string PaginationKey(const engine::PageKey& key);
// Whether the query names `_pagination_key` (the field is computed only then).
bool NamesPaginationKey(const Query& q);

struct AccessPlan {
  std::unique_ptr<RowSource> source;  // for the filter
  std::unique_ptr<RowSource> full;    // every row (passes that ignore the filter)
  bool pagination_key = false;  // sources add `_pagination_key` to each row
  bool top_k = false;     // `source` is a top_k_scan: use ScanTop
  bool narrowed = false;  // `source` may skip rows the filter rejects (not a full scan)
  std::vector<IndexCandidate> candidates;
};

// FROM (subquery): the inner query's result rows as the source, newest first
// in their given order (each row's PageKey is its place in `rows`).
AccessPlan RowsAccess(json::Array rows);

// `ctx` must be the one the executor evaluates the filter in (same now()).
AccessPlan ChooseAccess(Reader reader, const engine::ReadOptions& read, const Query& q,
                        const EvalContext* ctx = nullptr);

// The plan as EXPLAIN returns it: source, access path, passes, steps.
json::Value ExplainPlan(const Query& q, const AccessPlan& access, const std::string& container);

}  // namespace spanlake::query::exec
