#include "query/exec/request.h"

#include "engine/xact.h"
#include "query/exec/executor.h"
#include "query/exec/query.h"
#include "query/syntax/syntax.h"

namespace spanlake::query::exec {

namespace {

bool BoolField(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

Status ParseOptions(const json::Value& body, BtqlRequest& r) {
  if (const json::Value* fmt = body.find("fmt"); fmt && !fmt->is_null()) {
    if (*fmt == json::Value("jsonl")) {
      r.jsonl = true;
    } else if (*fmt != json::Value("json")) {
      return Status::InvalidArgument(
          "'fmt' must be \"json\" or \"jsonl\" (parquet is not supported)");
    }
  }
  if (const json::Value* v = body.find("version"); v && !v->is_null()) {
    std::optional<uint64_t> xact =
        v->is_string() ? engine::ParseXact(v->as_string()) : std::nullopt;
    if (!xact) return Status::InvalidArgument("'version' is not a transaction id: " + v->Dump());
    r.version = xact;
  }
  if (const json::Value* tz = body.find("tz_offset"); tz && !tz->is_null()) {
    if (!tz->is_number() || tz->as_double() < -1440 || tz->as_double() > 1440) {
      return Status::InvalidArgument("'tz_offset' must be minutes from -1440 to 1440");
    }
    r.tz_offset_minutes = static_cast<int>(tz->as_double());
  }
  r.audit_log = BoolField(body, "audit_log");
  r.explain = BoolField(body, "explain");
  r.overflow_results = BoolField(body, "overflow_results");
  return Status::Ok();
}

json::Value FreshnessState(uint64_t xact) {
  std::string x = engine::XactToString(xact);
  return json::Object{{"last_processed_xact_id", x}, {"last_considered_xact_id", x}};
}

}  // namespace

Result<BtqlRequest> ParseBtqlRequest(const json::Value& body) {
  if (!body.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  const json::Value* q = body.find("query");
  if (q == nullptr || q->is_null()) return Status::InvalidArgument("'query' is required");
  BtqlRequest r;
  if (q->is_string()) {
    Result<json::Value> tree = syntax::ParseQueryText(q->as_string());
    if (!tree.ok()) return tree.status().WithContext("query");
    r.tree = std::move(tree).value();
  } else if (q->is_object()) {
    r.tree = *q;
  } else {
    return Status::InvalidArgument("'query' must be BTQL or SQL text, or the JSON query tree");
  }
  const json::Value* cursor = body.find("cursor");
  const json::Value* inner = r.tree.find("cursor");
  if (cursor != nullptr && cursor->is_string() && !cursor->as_string().empty() &&
      (inner == nullptr || inner->is_null())) {
    r.tree.as_object().set("cursor", *cursor);
  }
  if (inner != nullptr && inner->is_string() && inner->as_string().empty())
    r.tree.as_object().erase("cursor");
  RETURN_IF_ERROR(ParseOptions(body, r));
  return r;
}

Result<BtqlResponse> RunBtql(const engine::Engine& engine, const BtqlRequest& request,
                             const Resolver& resolve, const Limits& limits, int64_t now_micros) {
  ASSIGN_OR_RETURN(Query q, BindQuery(request.tree));
  ASSIGN_OR_RETURN(std::string container, resolve(q.source_kind, q.source_id));
  ExecOptions options;
  for (const std::string& id : q.more_source_ids) {
    ASSIGN_OR_RETURN(std::string more, resolve(q.source_kind, id));
    options.more_containers.push_back(std::move(more));
  }
  options.read.as_of = request.version;
  options.read.audit_log = request.audit_log;
  options.tz_offset_minutes = request.tz_offset_minutes;
  options.now_micros = now_micros;
  options.limits = limits;
  BtqlResponse out;
  out.content_type = "application/json";
  if (request.explain) {
    out.body = json::Value(json::Object{{"plan", Explain(engine, container, q, options)}}).Dump();
    return out;
  }
  ASSIGN_OR_RETURN(QueryResult result, Execute(engine, container, q, options));
  out.cursor = result.cursor;
  if (request.jsonl) {
    out.content_type = "application/x-ndjson";
    for (const json::Value& row : result.rows) {
      row.DumpTo(out.body);
      out.body.push_back('\n');
    }
    return out;
  }
  json::Value schema = InferSchema(result.rows);
  json::Object body{{"data", std::move(result.rows)}, {"schema", std::move(schema)}};
  if (!result.cursor.empty()) body.set("cursor", result.cursor);
  body.set("freshness_state", FreshnessState(result.snapshot_xact));
  body.set("realtime_state", json::Object{{"type", "on"}});
  out.body = json::Value(std::move(body)).Dump();
  return out;
}

}  // namespace spanlake::query::exec
