// A validated query: the JSON query tree (the one AST, from the SDK or from
// BTQL/SQL text) checked and bound into the form the planner reads.
//
// Binding expands `{btql: "<text>"}` snippets, resolves sort keys that name
// select aliases, and turns aggregate calls in HAVING (`final_filter`) and
// in the sort of an aggregate query into hidden measures, so that the
// executor only ever evaluates plain expressions on rows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::query::exec {

enum class Shape { kSpans, kTraces, kSummary };
const char* ShapeName(Shape s);

struct Named {
  std::string alias;
  json::Value expr;
  bool hidden = false;  // made by binding; not part of the output
};

struct SortKey {
  json::Value expr;
  bool desc = false;
};

struct Unpivot {
  json::Value expr;
  std::string alias;        // arrays: one row per element
  std::string value_alias;  // set for objects: one row per (key, value)
};

struct Sample {
  bool by_rate = true;
  double rate = 1;
  int64_t count = 0;
  int64_t seed = 0;
};

inline constexpr int64_t kDefaultLimit = 1000;
inline constexpr int64_t kMaxLimit = 100000;
inline constexpr int64_t kDefaultPreviewLength = 125;

struct Query {
  std::string source_kind;  // project_logs | experiment | dataset
  std::string source_id;    // an id, or a name the resolver looks up
  Shape shape = Shape::kSpans;
  // FROM (subquery): the outer query reads the inner one's result rows (spans
  // shape, in the inner order); source_kind/source_id are the inner's. One
  // level. Without its own LIMIT the inner may yield up to kMaxLimit rows,
  // and more is an error rather than a silently cut input.
  std::shared_ptr<const Query> inner;
  bool inner_unlimited = false;
  // `experiment('a', 'b', …)`: the ids after the first (spans shape only).
  // Each container's rows that pass the filter are read (up to kMaxLimit
  // each, more is an error) and the query runs over them, container by
  // container in the order given.
  std::vector<std::string> more_source_ids;

  std::vector<Named> select;  // empty = every field (`*`)
  json::Value filter;         // null = every row (trace_filter joined in as any_span)
  json::Value span_filter;    // traces shape: which spans of a chosen trace are returned
  std::vector<Named> dimensions;
  std::vector<Named> measures;  // aggregate expressions
  std::vector<Named> pivot;
  std::vector<Unpivot> unpivot;
  json::Value final_filter;  // HAVING: on output rows, aggregates rewritten
  // Aggregates of final_filter on the summary shape without dimensions:
  // computed per trace into `$aggN` fields of the summary row.
  std::vector<Named> trace_measures;
  std::vector<SortKey> sort;  // empty = newest first (or dimensions ascending)
  int64_t limit = kDefaultLimit;
  std::string cursor;
  int64_t preview_length = kDefaultPreviewLength;
  std::optional<Sample> sample;

  bool aggregated() const { return !dimensions.empty() || !measures.empty(); }
};

// Validates `tree` and binds it. Errors are InvalidArgument and name the
// clause ("query.filter.children[1]: …") and, for text queries, the line and
// column.
Result<Query> BindQuery(const json::Value& tree);

}  // namespace spanlake::query::exec
