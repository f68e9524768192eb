// Aggregation: measures (expressions over aggregate calls such as
// `sum(x) / count(1)`) folded over groups of rows keyed by dimensions, with
// optional pivot columns. Aggregates: count (rows, or non-null values),
// count_distinct, sum, avg, min, max, any_value, percentile(x, p) (linear interpolation
// between the closest ranks).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "json/value.h"
#include "query/exec/budget.h"
#include "query/exec/query.h"
#include "query/expr.h"

namespace spanlake::query::exec {

class Accumulator {
 public:
  virtual ~Accumulator() = default;
  // Returns the bytes this value added to the state (for the memory budget).
  virtual size_t Add(const json::Value& v) = 0;
  virtual json::Value Result() const = 0;
};

// A measure compiled into its aggregate calls and the expression that
// combines their results (calls replaced by `$cN` fields).
class MeasureSet {
 public:
  explicit MeasureSet(const std::vector<Named>& measures);

  struct State {
    std::vector<std::unique_ptr<Accumulator>> accs;
  };
  State NewState() const;
  // Feeds one row; returns the bytes added.
  size_t Add(State& s, const json::Value& row, const EvalContext& ctx) const;
  // Sets each measure's alias in `out`.
  void Finish(const State& s, json::Object& out, const EvalContext& ctx) const;

 private:
  struct CallSpec {
    std::string name;
    json::Value arg;  // null for count(*)
    double fraction = 0;
  };
  json::Value Compile(const json::Value& node);

  std::vector<Named> measures_;  // exprs rewritten to read `$cN`
  std::vector<CallSpec> calls_;
};

// Groups rows by the dimension values and folds the measures per group (and
// per pivot value). REQUIRES: the query is aggregated.
class Aggregator {
 public:
  Aggregator(const Query& q, const EvalContext& ctx, Budget& budget);
  Status Add(const json::Value& row);
  // One row per group: dimension aliases, measure aliases (hidden ones too),
  // and per pivot alias an object {<pivot value>: {<measure>: …}}. Each row's
  // `$group` holds the tiebreak of its cursor position.
  json::Array Finish();

 private:
  struct Group {
    json::Array dims;
    MeasureSet::State state;
    std::vector<std::map<std::string, MeasureSet::State>> pivots;
  };

  const Query& q_;
  const EvalContext& ctx_;
  Budget& budget_;
  MeasureSet measures_;
  std::unordered_map<std::string, Group> groups_;
  std::vector<std::string> order_;  // first-seen order, for determinism
};

// Evaluates the dimension/pivot expression list on `row`.
json::Array EvalList(const std::vector<Named>& list, const json::Value& row,
                     const EvalContext& ctx);

}  // namespace spanlake::query::exec
