// The text front ends of the query language. BTQL (pipe clauses) and SQL
// both parse INTO the JSON query tree the SDK sends (api/braintrust-wire.md
// §7), so one validator and one executor serve all three forms.
//
// Errors are InvalidArgument with "line L, column C: expected X, found Y".
// No storage, no clock: pure functions of the text.
#pragma once

#include <string_view>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::query::syntax {

// Detects the form (SQL when the text starts with SELECT not followed by
// ':'), then parses it.
Result<json::Value> ParseQueryText(std::string_view text);

// `select: … | from: … | filter: …` (clauses separated by '|' or whitespace).
Result<json::Value> ParseBtql(std::string_view text);

// SELECT … FROM src(args [, shape => 's']) [TABLESAMPLE …] [WHERE …]
// [GROUP BY …] [HAVING …] [ORDER BY …] [LIMIT n] [OFFSET '<cursor>'].
Result<json::Value> ParseSql(std::string_view text);

// One BTQL expression (the `{btql: "<text>"}` snippets of the JSON tree).
Result<json::Value> ParseBtqlExpr(std::string_view text);

}  // namespace spanlake::query::syntax
