// The data plane: writing rows (logs3 and its overflow path) and small
// read helpers (dataset-summary, xact-id). Queries live in wire_btql.cc, the
// REST v1 data routes in wire_fetch.cc; both register from here.
#include <fstream>

#include "base/file.h"
#include "base/random.h"
#include "engine/xact.h"
#include "server/api.h"
#include "server/validate.h"
#include "server/wire_query.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;

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
  api.Route("GET", "/dataset-summary", Bind(api, DatasetSummary));
  api.Route("GET", "/xact-id", Bind(api, XactId));
  RegisterBtqlRoutes(api);   // wire_btql.cc
  RegisterFetchRoutes(api);  // wire_fetch.cc: REST fetch, insert, feedback, summarize
}

}  // namespace spanlake::server
