#include "query/exec/aggregate.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "query/functions.h"
#include "query/value_ops.h"

namespace spanlake::query::exec {

namespace {

class Count : public Accumulator {
 public:
  explicit Count(bool rows) : rows_(rows) {}
  size_t Add(const json::Value& v) override {
    if (rows_ || !v.is_null()) ++n_;
    return 0;
  }
  json::Value Result() const override { return n_; }

 private:
  bool rows_;
  int64_t n_ = 0;
};

class CountDistinct : public Accumulator {
 public:
  size_t Add(const json::Value& v) override {
    if (v.is_null()) return 0;
    std::string key = v.is_string() ? "s" + v.as_string() : v.Dump();
    return seen_.insert(std::move(key)).second ? 48 + v.Dump().size() : 0;
  }
  json::Value Result() const override { return static_cast<int64_t>(seen_.size()); }

 private:
  std::set<std::string> seen_;
};

// sum and avg: integers stay exact while every input is an integer.
class Sum : public Accumulator {
 public:
  explicit Sum(bool avg) : avg_(avg) {}
  size_t Add(const json::Value& v) override {
    if (!v.is_number()) return 0;
    ++n_;
    if (v.is_int() && all_int_ && !__builtin_add_overflow(isum_, v.as_int(), &isum_)) {
      dsum_ += v.as_double();
      return 0;
    }
    if (all_int_) dsum_ = static_cast<double>(isum_);
    all_int_ = false;
    dsum_ += v.as_double();
    return 0;
  }
  json::Value Result() const override {
    if (n_ == 0) return json::Value();
    if (avg_) return (all_int_ ? static_cast<double>(isum_) : dsum_) / static_cast<double>(n_);
    return all_int_ ? json::Value(isum_) : json::Value(dsum_);
  }

 private:
  bool avg_;
  int64_t n_ = 0;
  bool all_int_ = true;
  int64_t isum_ = 0;
  double dsum_ = 0;
};

class Extreme : public Accumulator {
 public:
  explicit Extreme(bool max) : max_(max) {}
  size_t Add(const json::Value& v) override {
    if (v.is_null()) return 0;
    int c = best_.is_null() ? 0 : SortCompare(v, best_);
    if (best_.is_null() || (max_ ? c > 0 : c < 0)) best_ = v;
    return 0;
  }
  json::Value Result() const override { return best_; }

 private:
  bool max_;
  json::Value best_;
};

class Percentile : public Accumulator {
 public:
  explicit Percentile(double p) : p_(p) {}
  size_t Add(const json::Value& v) override {
    if (!v.is_number() || !std::isfinite(v.as_double())) return 0;
    values_.push_back(v.as_double());
    return sizeof(double);
  }
  json::Value Result() const override {
    if (values_.empty()) return json::Value();
    std::vector<double> sorted = values_;
    std::sort(sorted.begin(), sorted.end());
    double rank = p_ * static_cast<double>(sorted.size() - 1);
    size_t lo = static_cast<size_t>(std::floor(rank));
    size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
  }

 private:
  double p_;
  std::vector<double> values_;
};

// count(1), count('x'): a constant that is never null counts rows.
bool IsLiteralConst(const json::Value& v) {
  const json::Value* op = v.find("op");
  return op != nullptr && *op == json::Value("literal") && !v.find("value")->is_null();
}

bool IsStarArg(const json::Value& v) {
  const json::Value* op = v.find("op");
  return op != nullptr && *op == json::Value("star");
}

}  // namespace

MeasureSet::MeasureSet(const std::vector<Named>& measures) {
  for (const Named& m : measures) measures_.push_back(Named{m.alias, Compile(m.expr), m.hidden});
}

// Replaces aggregate calls by `$cN` idents, recording each call.
json::Value MeasureSet::Compile(const json::Value& node) {
  if (node.is_array()) {
    json::Array out;
    for (const json::Value& e : node.as_array()) out.push_back(Compile(e));
    return out;
  }
  const json::Value* op = node.find("op");
  if (!node.is_object() || (op != nullptr && *op == json::Value("literal"))) return node;
  std::string name = FunctionName(node);
  if (op != nullptr && *op == json::Value("function") && IsAggregateFunction(name)) {
    const json::Array& args = node.find("args")->as_array();
    CallSpec spec{name, json::Value(), 0};
    if (!args.empty() && !IsStarArg(ArgExpr(args[0]))) spec.arg = ArgExpr(args[0]);
    if (name == "count" && IsLiteralConst(spec.arg)) spec.arg = json::Value();
    if (name == "percentile") spec.fraction = ArgExpr(args[1]).find("value")->as_double();
    calls_.push_back(std::move(spec));
    return Ident(json::Array{json::Value("$c" + std::to_string(calls_.size() - 1))});
  }
  json::Object out;
  for (const auto& [k, v] : node.as_object()) out.set(k, k == "name" ? v : Compile(v));
  return out;
}

MeasureSet::State MeasureSet::NewState() const {
  State s;
  for (const CallSpec& c : calls_) {
    if (c.name == "count") {
      s.accs.push_back(std::make_unique<Count>(c.arg.is_null()));
    } else if (c.name == "count_distinct") {
      s.accs.push_back(std::make_unique<CountDistinct>());
    } else if (c.name == "sum" || c.name == "avg") {
      s.accs.push_back(std::make_unique<Sum>(c.name == "avg"));
    } else if (c.name == "min" || c.name == "max" || c.name == "any_value") {
      // any_value: some non-null value of the group — the least, so that it
      // does not depend on the order rows arrive in.
      s.accs.push_back(std::make_unique<Extreme>(c.name == "max"));
    } else {
      s.accs.push_back(std::make_unique<Percentile>(c.fraction));
    }
  }
  return s;
}

size_t MeasureSet::Add(State& s, const json::Value& row, const EvalContext& ctx) const {
  size_t bytes = 0;
  for (size_t i = 0; i < calls_.size(); ++i) {
    json::Value v = calls_[i].arg.is_null() ? json::Value(true) : Eval(calls_[i].arg, row, ctx);
    bytes += s.accs[i]->Add(v);
  }
  return bytes;
}

void MeasureSet::Finish(const State& s, json::Object& out, const EvalContext& ctx) const {
  json::Object results;
  for (size_t i = 0; i < calls_.size(); ++i)
    results.set("$c" + std::to_string(i), s.accs[i]->Result());
  json::Value row(std::move(results));
  for (const Named& m : measures_) out.set(m.alias, Eval(m.expr, row, ctx));
}

json::Array EvalList(const std::vector<Named>& list, const json::Value& row,
                     const EvalContext& ctx) {
  json::Array out;
  for (const Named& n : list) out.push_back(Eval(n.expr, row, ctx));
  return out;
}

Aggregator::Aggregator(const Query& q, const EvalContext& ctx, Budget& budget)
    : q_(q), ctx_(ctx), budget_(budget), measures_(q.measures) {
  if (q.dimensions.empty()) {  // one group, even over no rows
    groups_.emplace("[]",
                    Group{{},
                          measures_.NewState(),
                          std::vector<std::map<std::string, MeasureSet::State>>(q.pivot.size())});
    order_.push_back("[]");
  }
}

Status Aggregator::Add(const json::Value& row) {
  json::Value dims(EvalList(q_.dimensions, row, ctx_));  // a Value to Dump() it uncopied
  std::string key = dims.Dump();
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    RETURN_IF_ERROR(budget_.Hold(static_cast<int64_t>(256 + 2 * key.size())));
    it = groups_
             .emplace(key,
                      Group{std::move(dims.as_array()), measures_.NewState(),
                            std::vector<std::map<std::string, MeasureSet::State>>(q_.pivot.size())})
             .first;
    order_.push_back(key);
  }
  Group& g = it->second;
  size_t bytes = measures_.Add(g.state, row, ctx_);
  for (size_t i = 0; i < q_.pivot.size(); ++i) {
    json::Value pv = Eval(q_.pivot[i].expr, row, ctx_);
    std::string name = pv.is_string() ? pv.as_string() : pv.Dump();
    auto [cell, fresh] = g.pivots[i].try_emplace(name);
    if (fresh) {
      cell->second = measures_.NewState();
      bytes += 256 + name.size();
    }
    bytes += measures_.Add(cell->second, row, ctx_);
  }
  return bytes > 0 ? budget_.Hold(static_cast<int64_t>(bytes)) : Status::Ok();
}

json::Array Aggregator::Finish() {
  json::Array out;
  for (const std::string& key : order_) {
    const Group& g = groups_.at(key);
    json::Object row;
    for (size_t i = 0; i < q_.dimensions.size(); ++i) row.set(q_.dimensions[i].alias, g.dims[i]);
    measures_.Finish(g.state, row, ctx_);
    for (size_t i = 0; i < q_.pivot.size(); ++i) {
      json::Object spread;
      for (const auto& [name, state] : g.pivots[i]) {
        json::Object cell;
        measures_.Finish(state, cell, ctx_);
        for (const Named& m : q_.measures) {
          if (m.hidden) cell.erase(m.alias);
        }
        spread.set(name, std::move(cell));
      }
      row.set(q_.pivot[i].alias, std::move(spread));
    }
    row.set("$group", json::Object{{"g", g.dims}});
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace spanlake::query::exec
