// The scalar functions of the query language, by name (lowercase), with
// their arity; and the names of the aggregate functions, which only the
// executor evaluates (in measures, HAVING and the summary shape).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::query {

// What a function may read besides its arguments.
struct FunctionContext {
  int64_t now_micros = 0;            // fixed for a query, so now() is stable within it
  int tz_offset_minutes = 0;         // for date_trunc and friends; 480 = UTC-8
  const json::Value* row = nullptr;  // for search()
};

struct FunctionDef {
  const char* name;
  int min_args;
  int max_args;  // -1 = any
  json::Value (*fn)(std::vector<json::Value>& args, const FunctionContext& ctx);
};

// nullptr when `name` is not a scalar function.
const FunctionDef* FindFunction(std::string_view name);

// count, count_distinct, sum, avg, min, max, percentile.
bool IsAggregateFunction(std::string_view name);

// Checks a call's arity and its literal arguments where a bad one is sure to
// fail (date_trunc's interval, percentile's fraction). `where` names the node.
Status CheckFunctionCall(std::string_view name, const json::Array& args, const std::string& where);

// Cast targets of CAST(x AS type) / x::type, as the function that does it
// ("to_string", "to_number", ...); nullptr for an unknown type name.
const char* CastFunctionFor(std::string_view type_name);

}  // namespace spanlake::query
