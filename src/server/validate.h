// Validation of rows written through logs3 and the REST inserts. A request is
// validated whole before anything is written: the first problem is returned
// with its place ("rows[3].scores.accuracy: ...") and nothing is applied.
#pragma once

#include <vector>

#include "base/status.h"
#include "engine/memtable.h"
#include "json/value.h"
#include "server/api.h"

namespace spanlake::server {

// Checks the shape of one row (field types, score ranges, control fields).
// Pure: no container lookups. `where` prefixes error messages.
Status ValidateRowShape(const json::Object& row, const std::string& where);

// Which container a row names by its id fields: {kind, id}.
Result<std::pair<std::string, std::string>> RowContainer(const json::Object& row,
                                                         const std::string& where);

// Validates every row of a request, resolves its container within the
// caller's org, fills server defaults (`id`, `created`) and returns the
// writes to apply as one transaction.
Result<std::vector<engine::RowWrite>> PrepareRows(Api& api, const meta::Principal& who,
                                                  const json::Value& rows);

}  // namespace spanlake::server
