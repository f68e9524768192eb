// A POST /btql request from its JSON body to its response body, without
// HTTP: the server's handler and the logic-test runner both call this, so
// tests exercise exactly what clients get.
//
// Body fields: `query` (BTQL or SQL text, or the JSON query tree), `fmt`
// ("json" | "jsonl"), `version` (read as of this xact), `audit_log`,
// `tz_offset` (minutes, 480 = UTC-8), `cursor` (when the query has none),
// `explain` (return the plan instead of rows), `overflow_results` (the
// client follows a 303 to a large body; the server decides). Others (use_columnstore,
// brainstore_realtime, query_source, api_version, …) are accepted and ignored.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "engine/engine.h"
#include "json/value.h"
#include "query/exec/budget.h"

namespace spanlake::query::exec {

struct BtqlRequest {
  json::Value tree;  // the JSON query tree (text already parsed)
  bool jsonl = false;
  std::optional<uint64_t> version;
  bool audit_log = false;
  int tz_offset_minutes = 0;
  bool explain = false;
  bool overflow_results = false;
};

Result<BtqlRequest> ParseBtqlRequest(const json::Value& body);

// Maps a source (kind, id or name) to its engine container ("kind:id");
// NotFound when the caller may not see it.
using Resolver = std::function<Result<std::string>(const std::string& kind, const std::string& id)>;

struct BtqlResponse {
  std::string body;
  std::string content_type;
  std::string cursor;  // also sent as the x-bt-cursor header; empty on the last page
};

Result<BtqlResponse> RunBtql(const engine::Engine& engine, const BtqlRequest& request,
                             const Resolver& resolve, const Limits& limits, int64_t now_micros = 0);

}  // namespace spanlake::query::exec
