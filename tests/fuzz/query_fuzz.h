// Shared by the query-language fuzz targets (btql_fuzz, sql_fuzz,
// query_tree_fuzz): binds a query tree and evaluates every expression of the
// bound query on a few rows, so that the parsers, the binder and the
// evaluator all see the fuzzed input. Aborts on a broken invariant.
#pragma once

#include <cstdlib>

#include "query/exec/aggregate.h"
#include "query/exec/query.h"
#include "query/expr.h"

namespace spanlake::fuzz {

inline const json::Value& SampleRows() {
  static const json::Value rows = json::Value::Parse(R"([
    {"id":"a","root_span_id":"a","is_root":true,"created":"2024-05-01T10:00:00Z","input":"Hello wörld",
     "scores":{"acc":0.5},"metrics":{"start":1.5,"end":3,"tokens":10},"tags":["x","y"],
     "metadata":{"model":"gpt","n":[1,2,{"k":null}]}},
    {"id":"b","root_span_id":"a","is_root":false,"created":"1969-12-31T23:59:59.999999Z","input":{"m":[]},
     "scores":{"acc":null},"metrics":{"start":-1e308,"end":1e308},"error":"boom"},
    {}
  ])")
                                      .value();
  return rows;
}

// Binds `tree`; when it binds, evaluates every expression on the sample rows.
inline void BindAndEvaluate(const json::Value& tree) {
  Result<query::exec::Query> q = query::exec::BindQuery(tree);
  if (!q.ok()) {
    if (q.status().code() != Code::kInvalidArgument)
      std::abort();  // bad input is a 400, never more
    return;
  }
  query::EvalContext ctx;
  ctx.now_micros = 1717243200000000;  // fixed: the fuzzer must be deterministic
  query::exec::Budget budget(query::exec::Limits{});
  query::exec::Aggregator agg(*q, ctx, budget);
  for (const json::Value& row : SampleRows().as_array()) {
    if (!q->filter.is_null()) query::Eval(q->filter, row, ctx);
    if (!q->final_filter.is_null()) query::Eval(q->final_filter, row, ctx);
    for (const auto& s : q->select) query::Eval(s.expr, row, ctx);
    for (const auto& s : q->sort) query::Eval(s.expr, row, ctx);
    if (q->aggregated()) agg.Add(row).ok();
  }
  if (q->aggregated()) {
    for (const json::Value& out : agg.Finish()) out.Dump();
  }
}

// A parsed tree survives a trip through JSON text and binds the same way.
inline void CheckRoundTrip(const json::Value& tree) {
  Result<json::Value> again = json::Value::Parse(tree.Dump());
  if (!again.ok() || !(*again == tree)) std::abort();
  BindAndEvaluate(*again);
}

}  // namespace spanlake::fuzz
