// Expressions of the BTQL JSON query tree (api/braintrust-wire.md §7) over
// rows: the filter operators the SDK sends, plus arithmetic, `if`, and a few
// scalar functions. The full query language (BTQL and SQL text, planning over
// indexes) builds on this.
#pragma once

#include <string>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::query {

// Checks that `node` is a well-formed expression; the error names the
// offending node by its path, e.g. "filter.children[1]: unknown op 'foo'".
Status ValidateExpr(const json::Value& node, const std::string& where);

// Evaluates a validated expression against `row`. Missing fields are null;
// comparisons with null are false (SQL semantics).
json::Value Eval(const json::Value& node, const json::Value& row);

// SQL truthiness of a value: true, non-zero numbers, non-empty strings.
bool Truthy(const json::Value& v);

}  // namespace spanlake::query
