// The REST v1 data routes (api/braintrust-wire.md §6):
//   GET|POST /v1/{project_logs|experiment|dataset}/{id}/fetch → {events, cursor?}
//   POST     /v1/{…}/{id}/insert {events}    → {row_ids}
//   POST     /v1/{…}/{id}/feedback {feedback} → {status:"success"}
//   POST     /v1/insert {experiment?:{<id>:{events, feedback}}, dataset?, project_logs?}
//   GET      /v1/experiment/{id}/summarize, /v1/dataset/{id}/summarize
// Fetch runs through the query executor (traces shape: `limit` counts traces).
#include "base/random.h"
#include "base/time.h"
#include "engine/xact.h"
#include "query/exec/executor.h"
#include "query/exec/query.h"
#include "query/expr.h"
#include "server/api.h"
#include "server/validate.h"
#include "server/wire_query.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;
constexpr const char* kKinds[] = {"project_logs", "experiment", "dataset"};

// Marks `row` as belonging to container (kind, id).
void SetObjectIds(json::Object& row, const std::string& kind, const std::string& id) {
  if (kind == "project_logs") {
    row.set("project_id", id);
    row.set("log_id", "g");
  } else {
    row.set(kind + "_id", id);
  }
}

// One feedback item → its merge row (scores, expected, tags, metadata) and
// comment row (comment), as the SDK's logFeedback writes them.
Status FeedbackRows(const json::Value& item, const std::string& kind, const std::string& id,
                    json::Array& rows, const std::string& where) {
  const json::Value* target = item.find("id");
  if (!item.is_object() || target == nullptr || !target->is_string()) {
    return Status::InvalidArgument(where + ": each feedback item needs a string 'id'");
  }
  json::Value source = item.find("source") ? *item.find("source") : json::Value("external");
  const json::Value* metadata = item.find("metadata");
  json::Object merge{{"id", *target}, {"_is_merge", true}, {"_audit_source", source}};
  bool any = false;
  for (const char* k : {"scores", "expected", "tags"}) {
    if (const json::Value* v = item.find(k)) {
      merge.set(k, *v);
      any = true;
    }
  }
  if (metadata != nullptr) merge.set("_audit_metadata", *metadata);
  if (any || metadata != nullptr) {
    SetObjectIds(merge, kind, id);
    rows.push_back(json::Value(std::move(merge)));
  }
  if (const json::Value* comment = item.find("comment"); comment && !comment->is_null()) {
    json::Object row{{"id", NewUuid()},
                     {"created", NowIso()},
                     {"origin", json::Object{{"id", *target}}},
                     {"comment", json::Object{{"text", *comment}}},
                     {"_audit_source", source}};
    if (metadata != nullptr) row.set("_audit_metadata", *metadata);
    SetObjectIds(row, kind, id);
    rows.push_back(json::Value(std::move(row)));
  }
  return Status::Ok();
}

Status EventRows(const json::Value* events, const std::string& kind, const std::string& id,
                 json::Array& rows, const std::string& where) {
  if (events == nullptr || events->is_null()) return Status::Ok();
  if (!events->is_array()) return Status::InvalidArgument(where + ": 'events' must be an array");
  for (const json::Value& e : events->as_array()) {
    json::Value row = e;
    if (row.is_object()) SetObjectIds(row.as_object(), kind, id);
    rows.push_back(std::move(row));
  }
  return Status::Ok();
}

// Validates and writes `rows` as one transaction; returns their ids.
Result<json::Array> Write(Api& api, const meta::Principal& who, json::Array rows) {
  ASSIGN_OR_RETURN(std::vector<engine::RowWrite> writes,
                   PrepareRows(api, who, json::Value(std::move(rows))));
  json::Array ids;
  for (const auto& w : writes) ids.push_back(*w.row.find("id"));
  if (!writes.empty()) RETURN_IF_ERROR(api.engine().Write(std::move(writes)).status());
  return ids;
}

Result<http::Response> Insert(Api& api, Call& call, const std::string& kind) {
  const std::string& id = call.params[0];
  RETURN_IF_ERROR(api.ResolveContainer(call.who, kind, id, acl::Permission::kUpdate).status());
  if (!call.body.find("events") || !call.body.find("events")->is_array()) {
    return Status::InvalidArgument("'events' must be an array");
  }
  json::Array rows;
  RETURN_IF_ERROR(EventRows(call.body.find("events"), kind, id, rows, "events"));
  ASSIGN_OR_RETURN(json::Array ids, Write(api, call.who, std::move(rows)));
  return JsonResponse(json::Object{{"row_ids", std::move(ids)}});
}

Result<http::Response> Feedback(Api& api, Call& call, const std::string& kind) {
  const std::string& id = call.params[0];
  RETURN_IF_ERROR(api.ResolveContainer(call.who, kind, id, acl::Permission::kUpdate).status());
  const json::Value* items = call.body.find("feedback");
  if (items == nullptr || !items->is_array())
    return Status::InvalidArgument("'feedback' must be an array");
  json::Array rows;
  for (size_t i = 0; i < items->as_array().size(); ++i) {
    RETURN_IF_ERROR(
        FeedbackRows(items->as_array()[i], kind, id, rows, "feedback[" + std::to_string(i) + "]"));
  }
  RETURN_IF_ERROR(Write(api, call.who, std::move(rows)).status());
  return JsonResponse(json::Object{{"status", "success"}});
}

// POST /v1/insert: every container's events and feedback in one transaction.
Result<http::Response> CrossInsert(Api& api, Call& call) {
  struct Part {
    std::string kind, id;
    size_t events, feedback;
  };
  json::Array rows;
  std::vector<Part> parts;
  for (const char* kind : kKinds) {
    const json::Value* by_id = call.body.find(kind);
    if (by_id == nullptr || by_id->is_null()) continue;
    if (!by_id->is_object())
      return Status::InvalidArgument(std::string("'") + kind +
                                     "' must map ids to {events, feedback}");
    for (const auto& [id, part] : by_id->as_object()) {
      std::string where = std::string(kind) + "." + id;
      RETURN_IF_ERROR(api.ResolveContainer(call.who, kind, id, acl::Permission::kUpdate)
                          .status()
                          .WithContext(where));
      size_t start = rows.size();
      RETURN_IF_ERROR(EventRows(part.find("events"), kind, id, rows, where));
      size_t events = rows.size() - start;
      if (const json::Value* fb = part.find("feedback"); fb && fb->is_array()) {
        for (size_t i = 0; i < fb->as_array().size(); ++i) {
          RETURN_IF_ERROR(FeedbackRows(fb->as_array()[i], kind, id, rows,
                                       where + ".feedback[" + std::to_string(i) + "]"));
        }
      }
      parts.push_back(Part{kind, id, events, rows.size() - start - events});
    }
  }
  ASSIGN_OR_RETURN(json::Array ids, Write(api, call.who, std::move(rows)));
  json::Object out;
  size_t at = 0;
  for (const Part& p : parts) {
    auto first = ids.begin() + static_cast<ptrdiff_t>(at);
    json::Array part_ids(first, first + static_cast<ptrdiff_t>(p.events));
    json::Value& by_id = out[p.kind];
    if (!by_id.is_object()) by_id = json::Object{};
    by_id.as_object().set(p.id, json::Object{{"row_ids", std::move(part_ids)}});
    at += p.events + p.feedback;
  }
  return JsonResponse(json::Value(std::move(out)));
}

// --- fetch ---

// A request field from the JSON body (POST) or the query string (GET), where
// `limit` and `filters` are JSON text and the rest plain strings.
std::optional<json::Value> Param(const Call& call, const char* name) {
  if (call.req.method == "POST") {
    const json::Value* v = call.body.find(name);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return *v;
  }
  const std::string* s = call.req.Query(name);
  if (s == nullptr) return std::nullopt;
  if (std::string_view(name) == "limit" || std::string_view(name) == "filters") {
    Result<json::Value> parsed = json::Value::Parse(*s);
    if (parsed.ok()) return *parsed;
  }
  return json::Value(*s);
}

// The old equality filters: [{type:"path_lookup", path:[…], value}].
Result<json::Value> LegacyFilters(const json::Value& filters) {
  if (!filters.is_array())
    return Status::InvalidArgument("'filters' must be an array of path_lookup filters");
  json::Array conds;
  for (const json::Value& f : filters.as_array()) {
    const json::Value* path = f.find("path");
    const json::Value* value = f.find("value");
    if (f.find("type") == nullptr || *f.find("type") != json::Value("path_lookup") ||
        path == nullptr || !path->is_array() || value == nullptr) {
      return Status::InvalidArgument(
          "'filters' items must be {type:\"path_lookup\", path:[…], value}");
    }
    conds.push_back(json::Object{
        {"op", "eq"}, {"left", query::Ident(path->as_array())}, {"right", query::Literal(*value)}});
  }
  return json::Value(json::Object{{"op", "and"}, {"children", std::move(conds)}});
}

// The deprecated manual cursor: rows older than (max_xact_id, max_root_span_id).
json::Value ManualCursor(const std::string& xact, const std::optional<json::Value>& root) {
  json::Value ident_x = query::Ident(json::Array{json::Value("_xact_id")});
  if (!root || !root->is_string()) {
    return json::Object{{"op", "le"}, {"left", ident_x}, {"right", query::Literal(xact)}};
  }
  json::Value before =
      json::Object{{"op", "lt"}, {"left", ident_x}, {"right", query::Literal(xact)}};
  json::Value same = json::Object{
      {"op", "and"},
      {"children",
       json::Array{json::Object{{"op", "eq"}, {"left", ident_x}, {"right", query::Literal(xact)}},
                   json::Object{{"op", "lt"},
                                {"left", query::Ident(json::Array{json::Value("root_span_id")})},
                                {"right", query::Literal(*root)}}}}};
  return json::Object{{"op", "or"}, {"children", json::Array{std::move(before), std::move(same)}}};
}

Result<json::Value> FetchTree(const Call& call, const std::string& kind, const std::string& id) {
  json::Object from{{"op", "function"},
                    {"name", query::Ident(json::Array{json::Value(kind)})},
                    {"args", json::Array{query::Literal(id)}},
                    {"shape", "traces"}};
  json::Object tree{{"from", std::move(from)}};
  json::Array filters;
  if (auto f = Param(call, "filters")) {
    ASSIGN_OR_RETURN(json::Value legacy, LegacyFilters(*f));
    filters.push_back(std::move(legacy));
  }
  if (auto x = Param(call, "max_xact_id")) {
    if (!x->is_string() || !engine::ParseXact(x->as_string()))
      return Status::InvalidArgument("'max_xact_id' is not a transaction id");
    filters.push_back(ManualCursor(engine::XactToString(*engine::ParseXact(x->as_string())),
                                   Param(call, "max_root_span_id")));
  }
  if (!filters.empty())
    tree.set("filter", json::Object{{"op", "and"}, {"children", std::move(filters)}});
  if (auto l = Param(call, "limit")) tree.set("limit", *l);
  if (auto c = Param(call, "cursor"); c && c->is_string() && !c->as_string().empty())
    tree.set("cursor", *c);
  return json::Value(std::move(tree));
}

Result<http::Response> Fetch(Api& api, Call& call, const std::string& kind) {
  const std::string& id = call.params[0];
  ASSIGN_OR_RETURN(ContainerInfo info, api.ResolveContainer(call.who, kind, id));
  ASSIGN_OR_RETURN(json::Value tree, FetchTree(call, kind, id));
  ASSIGN_OR_RETURN(query::exec::Query q, query::exec::BindQuery(tree));
  query::exec::ExecOptions options;
  options.limits = ServerQueryLimits();
  if (auto v = Param(call, "version")) {
    std::optional<uint64_t> xact =
        v->is_string() ? engine::ParseXact(v->as_string()) : std::nullopt;
    if (!xact) return Status::InvalidArgument("'version' is not a transaction id");
    options.read.as_of = xact;
  }
  ASSIGN_OR_RETURN(query::exec::QueryResult result,
                   query::exec::Execute(api.engine(), info.key, q, options));
  json::Object out{{"events", std::move(result.rows)}};
  http::Response r;
  if (!result.cursor.empty()) {
    out.set("cursor", result.cursor);
    r.headers.emplace_back("x-bt-cursor", result.cursor);
  }
  r.body = json::Value(std::move(out)).Dump();
  return r;
}

// --- summarize ---

std::string Field(const json::Value& doc, const char* key) {
  const json::Value* v = doc.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

Result<std::pair<json::Value, json::Value>> ObjectAndProject(Api& api, const Call& call,
                                                             const std::string& kind) {
  const std::string& id = call.params[0];
  RETURN_IF_ERROR(api.ResolveContainer(call.who, kind, id).status());
  ASSIGN_OR_RETURN(std::optional<json::Value> obj,
                   api.store().GetObject(kind, call.who.org_id, id));
  if (!obj) return Status::NotFound(kind + " '" + id + "' not found");
  ASSIGN_OR_RETURN(std::optional<json::Value> project,
                   api.store().GetObject("project", call.who.org_id, Field(*obj, "project_id")));
  return std::make_pair(*obj, project ? *project : json::Value(json::Object{}));
}

bool Flag(const Call& call, const char* name, bool default_value) {
  const std::string* v = call.req.Query(name);
  if (v == nullptr) return default_value;
  return *v != "false" && *v != "0";
}

// Scores and metrics come from the experiment-comparison2 route, asked in-process.
Result<json::Value> ComparisonSummary(Api& api, const Call& call, const std::string* base) {
  http::Request req;
  req.method = "GET";
  req.path = "/experiment-comparison2";
  req.headers = call.req.headers;
  req.query.emplace("experiment_id", call.params[0]);
  if (base != nullptr) req.query.emplace("base_experiment_id", *base);
  http::Response r = api.Handle(req);
  Result<json::Value> body = json::Value::Parse(r.body);
  if (r.status != 200 || !body.ok())
    return Status::Internal("experiment summary failed: " + r.body);
  return body;
}

Result<http::Response> SummarizeExperiment(Api& api, Call& call) {
  ASSIGN_OR_RETURN(auto objects, ObjectAndProject(api, call, "experiment"));
  const auto& [exp, project] = objects;
  std::string project_url =
      api.BaseUrl(call.req) + "/app/" + call.who.org_name + "/p/" + Field(project, "name");
  json::Object out{{"project_name", Field(project, "name")},
                   {"experiment_name", Field(exp, "name")},
                   {"project_url", project_url},
                   {"experiment_url", project_url + "/experiments/" + Field(exp, "name")}};
  const std::string* base = call.req.Query("comparison_experiment_id");
  if (base != nullptr) {
    ASSIGN_OR_RETURN(std::optional<json::Value> other,
                     api.store().GetObject("experiment", call.who.org_id, *base));
    if (!other) return Status::NotFound("experiment '" + *base + "' not found");
    out.set("comparison_experiment_name", Field(*other, "name"));
  }
  if (Flag(call, "summarize_scores", true)) {
    ASSIGN_OR_RETURN(json::Value summary, ComparisonSummary(api, call, base));
    out.set("scores", summary.find("scores") ? *summary.find("scores") : json::Object{});
    out.set("metrics", summary.find("metrics") ? *summary.find("metrics") : json::Object{});
  }
  return JsonResponse(json::Value(std::move(out)));
}

Result<http::Response> SummarizeDataset(Api& api, Call& call) {
  ASSIGN_OR_RETURN(auto objects, ObjectAndProject(api, call, "dataset"));
  const auto& [ds, project] = objects;
  std::string project_url =
      api.BaseUrl(call.req) + "/app/" + call.who.org_name + "/p/" + Field(project, "name");
  json::Object out{{"project_name", Field(project, "name")},
                   {"dataset_name", Field(ds, "name")},
                   {"project_url", project_url},
                   {"dataset_url", project_url + "/datasets/" + Field(ds, "name")}};
  if (Flag(call, "summarize_data", true)) {
    std::string key = "dataset:" + call.params[0];
    int64_t n = static_cast<int64_t>(api.engine().CountRows(key, std::nullopt));
    out.set("data_summary", json::Object{{"total_records", n}});
  } else {
    out.set("data_summary", nullptr);
  }
  return JsonResponse(json::Value(std::move(out)));
}

}  // namespace

void RegisterFetchRoutes(Api& api) {
  for (std::string kind : kKinds) {
    std::string base = "/v1/" + kind + "/{id}";
    api.Route("GET", base + "/fetch", [&api, kind](Call& c) { return Fetch(api, c, kind); });
    api.Route("POST", base + "/fetch", [&api, kind](Call& c) { return Fetch(api, c, kind); });
    api.Route("POST", base + "/insert", [&api, kind](Call& c) { return Insert(api, c, kind); });
    api.Route("POST", base + "/feedback", [&api, kind](Call& c) { return Feedback(api, c, kind); });
  }
  api.Route("POST", "/v1/insert", Bind(api, CrossInsert));
  api.Route("GET", "/v1/experiment/{id}/summarize", Bind(api, SummarizeExperiment));
  api.Route("GET", "/v1/dataset/{id}/summarize", Bind(api, SummarizeDataset));
}

}  // namespace spanlake::server
