// Expressions of the query tree (api/braintrust-wire.md §7) over rows. The
// JSON query tree is the one AST: BTQL and SQL text parse into it
// (query/syntax), the SDK sends it directly, and this evaluator and the
// executor (query/exec) read only it.
//
// Null semantics are SQL's: a comparison with null is null, NOT null is
// null, AND/OR are three-valued, and a filter keeps a row only when its
// value is truthy (null is not).
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::query {

struct ExprRules {
  bool allow_aggregates = false;  // count(), avg(), ... (measures, HAVING)
  bool allow_any_span = true;     // any_span(cond) (filters)
};

// Checks that `node` is a well-formed expression; the error names the
// offending node by its path, e.g. "filter.children[1]: unknown op 'foo'",
// and by line and column when the node carries a `loc` from a text parser.
Status ValidateExpr(const json::Value& node, const std::string& where, ExprRules rules = {});

struct EvalContext {
  int64_t now_micros = 0;  // 0 = read the clock
  int tz_offset_minutes = 0;
  // any_span(cond) calls, rewritten by the executor to `$any_span(i)`, test
  // the row's root_span_id against span_sets[i].
  const std::vector<std::unordered_set<std::string>>* span_sets = nullptr;
};

// Evaluates `node` (REQUIRES: validated) against `row`; null when a path is missing.
json::Value Eval(const json::Value& node, const json::Value& row, const EvalContext& ctx);
json::Value Eval(const json::Value& node, const json::Value& row);

// JavaScript-like truthiness: false, 0, "", null are false.
bool Truthy(const json::Value& v);

// The lowercase name of a function node ({op:"function", name:{op:"ident",
// name:[n]}}), or "" when `node` is not one.
std::string FunctionName(const json::Value& node);

// Whether any aggregate call occurs in `node`.
bool ContainsAggregate(const json::Value& node);

// The expression of an argument that may be an AliasExpr {expr, alias}.
const json::Value& ArgExpr(const json::Value& arg);

// `node` without any `loc` members, for comparing expressions structurally.
json::Value WithoutLoc(const json::Value& node);

// Builders for trees made by parsers and the planner.
json::Value Literal(json::Value v);
json::Value Ident(json::Array path);
json::Value Call(std::string_view name, json::Array args);

}  // namespace spanlake::query
