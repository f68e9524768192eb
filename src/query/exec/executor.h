// Runs a bound query over the engine and returns one page of results.
//
// Every query reads one snapshot: rows as of `read.as_of` (a requested
// version) or else the newest transaction when it starts, so the several
// passes of the traces and summary shapes agree, and rows written meanwhile
// wait for the next page.
//
// Thread-safe: the engine is read-only here; each call has its own state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "json/value.h"
#include "query/exec/budget.h"
#include "query/exec/query.h"

namespace spanlake::query::exec {

struct ExecOptions {
  engine::ReadOptions read;
  int tz_offset_minutes = 0;
  int64_t now_micros = 0;  // 0 = the clock
  Limits limits;
  // The containers of Query::more_source_ids, resolved, in order.
  std::vector<std::string> more_containers;
};

struct QueryResult {
  json::Array rows;
  std::string cursor;  // empty when this is the last page
  uint64_t snapshot_xact = 0;
  json::Value stats;  // rows visited, peak bytes held
};

Result<QueryResult> Execute(const engine::Engine& engine, const std::string& container,
                            const Query& q, const ExecOptions& options);

// EXPLAIN: the plan Execute() would follow, without running it.
json::Value Explain(const engine::Engine& engine, const std::string& container, const Query& q,
                    const ExecOptions& options);

// The JSON Schema of the rows: {type:"array", items:{type:"object",
// properties:{<field>:{type: …}}}} from the fields and types seen.
json::Value InferSchema(const json::Array& rows);

}  // namespace spanlake::query::exec
