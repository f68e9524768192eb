// Shared by the query handlers (wire_btql.cc: POST /btql; wire_fetch.cc: the
// REST fetch, summarize, insert and feedback routes). Both register through
// RegisterDataRoutes().
#pragma once

#include <string>

#include "query/exec/budget.h"
#include "server/api.h"

namespace spanlake::server {

// A query source by id, or by name (a project's name for project_logs; an
// experiment's or dataset's name when it is unique in the org), checked for
// read access. Returns the engine container ("kind:id").
Result<std::string> ResolveSource(Api& api, const meta::Principal& who, const std::string& kind,
                                  const std::string& id_or_name);

// Time, memory and result-size budgets of one query on this server.
query::exec::Limits ServerQueryLimits();

void RegisterBtqlRoutes(Api& api);  // POST /btql
void RegisterFetchRoutes(
    Api& api);  // /v1/{kind}/{id}/{fetch,insert,feedback,summarize}, /v1/insert

}  // namespace spanlake::server
