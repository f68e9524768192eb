// The data plane: writing rows (logs3, its overflow path, REST inserts) and
// reading them (btql with the JSON query tree, summaries of counts).
#include <fstream>

#include "base/file.h"
#include "base/random.h"
#include "engine/xact.h"
#include "query/expr.h"
#include "server/api.h"
#include "server/validate.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;
constexpr int64_t kDefaultBtqlLimit = 1000;
constexpr int64_t kMaxBtqlLimit = 100000;

Result<http::Response> Version(Api& api, Call&) {
  return JsonResponse(json::Object{{"version", "spanlake-0.1.0"},
                                   {"logs3_payload_max_bytes", api.options().logs3_payload_max_bytes}});
}

Result<uint64_t> WriteRows(Api& api, const meta::Principal& who, const json::Value& rows,
                           json::Array* ids) {
  ASSIGN_OR_RETURN(std::vector<engine::RowWrite> writes, PrepareRows(api, who, rows));
  if (writes.empty()) return api.engine().last_xact();
  for (const auto& w : writes) ids->push_back(*w.row.find("id"));
  return api.engine().Write(std::move(writes));
}

// The rows of an overflow upload: {"rows": [...], ...} stored at `key`.
Result<json::Value> LoadOverflowRows(Api& api, const meta::Principal& who, const json::Value& ref) {
  ASSIGN_OR_RETURN(std::string key, RequireString(ref, "key"));
  std::string prefix = "overflow/" + who.org_id + "/";
  if (key.rfind(prefix, 0) != 0 || key.find("..") != std::string::npos) {
    return Status::NotFound("overflow payload '" + key + "' not found");
  }
  Result<std::string> text = ReadFile(api.ObjectPath(key));
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return Status::NotFound("overflow payload '" + key + "' was not uploaded");
    return text.status();
  }
  Result<json::Value> doc = json::Value::Parse(*text);
  if (!doc.ok()) return doc.status().WithContext("overflow payload");
  const json::Value* rows = doc->find("rows");
  if (rows == nullptr) return Status::InvalidArgument("overflow payload: missing 'rows'");
  return *rows;
}

Result<http::Response> Logs3(Api& api, Call& call) {
  const json::Value* rows = call.body.find("rows");
  if (rows == nullptr) return Status::InvalidArgument("request body: 'rows' is required");
  json::Value loaded;
  if (rows->is_object()) {
    const json::Value* type = rows->find("type");
    if (type == nullptr || !type->is_string() || type->as_string() != "logs3_overflow") {
      return Status::InvalidArgument("'rows' must be an array, or an overflow reference {type:\"logs3_overflow\", key}");
    }
    ASSIGN_OR_RETURN(loaded, LoadOverflowRows(api, call.who, *rows));
    rows = &loaded;
  }
  json::Array ids;
  ASSIGN_OR_RETURN(uint64_t xact, WriteRows(api, call.who, *rows, &ids));
  json::Object out{{"row_ids", ids}, {"ids", ids}, {"xact_id", engine::XactToString(xact)}};
  return JsonResponse(json::Value(std::move(out)));
}

Result<http::Response> Logs3Overflow(Api& api, Call& call) {
  const json::Value* size = call.body.find("size_bytes");
  if (size == nullptr || !size->is_number() || size->as_double() < 0) {
    return Status::InvalidArgument("'size_bytes' must be a non-negative number");
  }
  std::string key = "overflow/" + call.who.org_id + "/" + NewUuid();
  json::Object out{{"method", "PUT"}, {"signedUrl", api.SignedObjectUrl(call.req, key, "PUT")},
                   {"headers", json::Object{}}, {"key", key}};
  return JsonResponse(json::Value(std::move(out)));
}

// REST: POST /v1/{project_logs|experiment|dataset}/{id}/insert {events:[...]}.
Result<http::Response> RestInsert(Api& api, Call& call, const std::string& kind) {
  const std::string& id = call.params[0];
  ASSIGN_OR_RETURN(ContainerInfo info, api.ResolveContainer(call.who, kind, id));
  const json::Value* events = call.body.find("events");
  if (events == nullptr || !events->is_array()) return Status::InvalidArgument("'events' must be an array");
  json::Array rows;
  for (const json::Value& e : events->as_array()) {
    json::Value row = e;
    if (row.is_object()) {
      if (kind == "project_logs") {
        row.as_object().set("project_id", id);
        row.as_object().set("log_id", "g");
      } else {
        row.as_object().set(kind + "_id", id);
      }
    }
    rows.push_back(std::move(row));
  }
  json::Array ids;
  ASSIGN_OR_RETURN(uint64_t xact, WriteRows(api, call.who, json::Value(std::move(rows)), &ids));
  (void)xact;
  return JsonResponse(json::Object{{"row_ids", std::move(ids)}});
}

struct BtqlQuery {
  ContainerInfo container;
  const json::Value* filter = nullptr;
  const json::Value* select = nullptr;  // null = star
  int64_t limit = kDefaultBtqlLimit;
  std::optional<engine::PageKey> cursor;
  engine::ReadOptions read;
};

Result<std::pair<std::string, std::string>> ParseFrom(const json::Value* from) {
  const char* shape = "'query.from' must be {op:\"function\", name:{op:\"ident\", name:[\"project_logs\"|\"experiment\"|\"dataset\"]}, args:[{op:\"literal\", value:\"<id>\"}]}";
  if (from == nullptr || !from->is_object()) return Status::InvalidArgument(shape);
  const json::Value* name = from->find("name");
  const json::Value* args = from->find("args");
  if (name == nullptr || !name->find("name") || !name->find("name")->is_array() ||
      name->find("name")->as_array().size() != 1 || !name->find("name")->as_array()[0].is_string() ||
      args == nullptr || !args->is_array() || args->as_array().size() != 1 ||
      !args->as_array()[0].find("value") || !args->as_array()[0].find("value")->is_string()) {
    return Status::InvalidArgument(shape);
  }
  std::string kind = name->find("name")->as_array()[0].as_string();
  if (kind != "project_logs" && kind != "experiment" && kind != "dataset") {
    return Status::InvalidArgument("query.from: unsupported source '" + kind + "'");
  }
  if (const json::Value* s = from->find("shape"); s && s->is_string() && s->as_string() != "spans") {
    return Status::InvalidArgument("query.from.shape: only 'spans' is supported so far");
  }
  return std::make_pair(kind, args->as_array()[0].find("value")->as_string());
}

Result<std::optional<engine::PageKey>> ParseCursor(const json::Value& body, const json::Value& q) {
  const json::Value* c = q.find("cursor");
  if (c == nullptr || c->is_null()) c = body.find("cursor");
  if (c == nullptr || c->is_null() || (c->is_string() && c->as_string().empty())) {
    return std::optional<engine::PageKey>();
  }
  std::optional<engine::PageKey> key;
  if (c->is_string()) key = engine::PageKey::Decode(c->as_string());
  if (!key) return Status::InvalidArgument("'cursor' is not a cursor this server issued");
  return key;
}

Result<BtqlQuery> ParseBtql(Api& api, const Call& call) {
  const json::Value* q = call.body.find("query");
  if (q == nullptr) return Status::InvalidArgument("'query' is required");
  if (q->is_string()) {
    return Status::InvalidArgument("BTQL and SQL text queries are not supported yet; send the JSON query tree");
  }
  if (!q->is_object()) return Status::InvalidArgument("'query' must be an object (the JSON query tree)");
  for (const char* unsupported : {"sort", "dimensions", "measures", "pivot", "unpivot"}) {
    const json::Value* v = q->find(unsupported);
    if (v != nullptr && !v->is_null() && !(v->is_array() && v->as_array().empty())) {
      return Status::InvalidArgument(std::string("query.") + unsupported + " is not supported yet");
    }
  }
  BtqlQuery out;
  ASSIGN_OR_RETURN(auto from, ParseFrom(q->find("from")));
  ASSIGN_OR_RETURN(out.container, api.ResolveContainer(call.who, from.first, from.second));
  if (const json::Value* f = q->find("filter"); f && !f->is_null()) {
    RETURN_IF_ERROR(query::ValidateExpr(*f, "query.filter"));
    out.filter = f;
  }
  if (const json::Value* s = q->find("select"); s && s->is_array()) {
    bool star = s->as_array().size() == 1 && s->as_array()[0].find("op") &&
                *s->as_array()[0].find("op") == json::Value("star");
    for (size_t i = 0; !star && i < s->as_array().size(); ++i) {
      const json::Value& a = s->as_array()[i];
      std::string at = "query.select[" + std::to_string(i) + "]";
      if (!a.find("alias") || !a.find("alias")->is_string() || !a.find("expr")) {
        return Status::InvalidArgument(at + ": must be {expr, alias} or {op:\"star\"}");
      }
      RETURN_IF_ERROR(query::ValidateExpr(*a.find("expr"), at + ".expr"));
    }
    if (!star) out.select = s;
  }
  if (const json::Value* l = q->find("limit"); l && !l->is_null()) {
    if (!l->is_int() || l->as_int() < 0 || l->as_int() > kMaxBtqlLimit) {
      return Status::InvalidArgument("query.limit must be an integer from 0 to " + std::to_string(kMaxBtqlLimit));
    }
    out.limit = l->as_int();
  }
  ASSIGN_OR_RETURN(out.cursor, ParseCursor(call.body, *q));
  if (auto v = OptString(call.body, "version")) {
    out.read.as_of = engine::ParseXact(*v);
    if (!out.read.as_of) return Status::InvalidArgument("'version' is not a transaction id: " + *v);
  }
  const json::Value* audit = call.body.find("audit_log");
  out.read.audit_log = audit && audit->is_bool() && audit->as_bool();
  return out;
}

json::Value Project(const json::Value& select, const json::Value& row) {
  json::Object out;
  for (const json::Value& a : select.as_array()) {
    out.set(a.find("alias")->as_string(), query::Eval(*a.find("expr"), row));
  }
  return json::Value(std::move(out));
}

Result<http::Response> Btql(Api& api, Call& call) {
  ASSIGN_OR_RETURN(BtqlQuery q, ParseBtql(api, call));
  json::Array data;
  std::optional<engine::PageKey> last;
  bool more = false;
  api.engine().Scan(q.container.key, q.read, q.cursor,
                               [&](json::Value row, const engine::PageKey& key) {
    if (q.filter != nullptr && !query::Truthy(query::Eval(*q.filter, row))) return true;
    if (static_cast<int64_t>(data.size()) == q.limit) {
      more = true;
      return false;
    }
    data.push_back(q.select ? Project(*q.select, row) : std::move(row));
    last = key;
    return true;
  });
  json::Object out{{"data", std::move(data)},
                   {"schema", json::Object{{"type", "array"},
                                           {"items", json::Object{{"type", "object"}, {"properties", json::Object{}}}}}}};
  std::string xact = engine::XactToString(api.engine().last_xact());
  out.set("freshness_state", json::Object{{"last_processed_xact_id", xact}, {"last_considered_xact_id", xact}});
  http::Response r;
  if (more && last) {
    out.set("cursor", last->Encode());
    r.headers.emplace_back("x-bt-cursor", last->Encode());
  }
  r.body = json::Value(std::move(out)).Dump();
  return r;
}

Result<http::Response> DatasetSummary(Api& api, Call& call) {
  const std::string* id = call.req.Query("dataset_id");
  if (id == nullptr) return Status::InvalidArgument("query parameter 'dataset_id' is required");
  ASSIGN_OR_RETURN(ContainerInfo info, api.ResolveContainer(call.who, "dataset", *id));
  int64_t n = static_cast<int64_t>(api.engine().CountRows(info.key, std::nullopt));
  return JsonResponse(json::Object{{"total_records", n}});
}

// Plain text: the SDK passes the body verbatim as a snapshot's xact_id.
Result<http::Response> XactId(Api& api, Call&) {
  http::Response r;
  r.content_type = "text/plain";
  r.body = engine::XactToString(api.engine().last_xact());
  return r;
}

}  // namespace

void RegisterDataRoutes(Api& api) {
  api.Route("GET", "/version", Bind(api, Version));
  api.Route("POST", "/logs3", Bind(api, Logs3));
  api.Route("POST", "/logs3/overflow", Bind(api, Logs3Overflow));
  api.Route("POST", "/btql", Bind(api, Btql));
  api.Route("GET", "/dataset-summary", Bind(api, DatasetSummary));
  api.Route("GET", "/xact-id", Bind(api, XactId));
  for (std::string kind : {"project_logs", "experiment", "dataset"}) {
    api.Route("POST", "/v1/" + kind + "/{id}/insert",
              [&api, kind](Call& c) { return RestInsert(api, c, kind); });
  }
}

}  // namespace spanlake::server
