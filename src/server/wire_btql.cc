// POST /btql: the query endpoint. The body is BTQL text, SQL text or the JSON
// query tree (api/braintrust-wire.md §7); query/exec does the work, this file
// only resolves sources within the caller's org and speaks HTTP.
#include <filesystem>

#include "base/file.h"
#include "base/random.h"
#include "query/exec/request.h"
#include "server/api.h"
#include "server/wire_query.h"

namespace spanlake::server {

namespace {

Result<std::string> IdByName(Api& api, const meta::Principal& who, const std::string& kind,
                             const std::string& name) {
  std::string meta_kind = kind == "project_logs" || kind == "project_functions" ? "project" : kind;
  meta::ListOptions list;
  list.name = name;
  list.limit = 2;
  ASSIGN_OR_RETURN(std::vector<json::Value> found,
                   api.store().ListObjects(meta_kind, who.org_id, list));
  if (found.empty()) return Status::NotFound(kind + " '" + name + "' not found");
  if (found.size() > 1) {
    return Status::InvalidArgument(kind + " name '" + name +
                                   "' is ambiguous (several projects have one); use its id");
  }
  const json::Value* id = found[0].find("id");
  if (id == nullptr || !id->is_string())
    return Status::Internal("stored " + meta_kind + " has no id");
  return id->as_string();
}

// A response body above this, when the client asked for `overflow_results`,
// is stored as an object and answered with a 303 to its signed URL, as
// Braintrust's API does with results too large for one response (its
// answers are capped near 6 MB).
constexpr size_t kOverflowBodyBytes = size_t{5} << 20;

// Stores `out.body` under overflow/<org>/ and redirects to it; the cursor
// travels in the x-bt-cursor and x-amz-meta-bt_cursor headers.
Result<http::Response> Overflow(Api& api, const Api::Call& call,
                                const query::exec::BtqlResponse& out) {
  bool jsonl = out.content_type == "application/x-ndjson";
  std::string key = "overflow/" + call.who.org_id + "/btql-" + RandomHex(16) +
                    (jsonl ? ".jsonl" : ".json");
  std::string path = api.ObjectPath(key);
  RETURN_IF_ERROR(CreateDirs(std::filesystem::path(path).parent_path().string()));
  RETURN_IF_ERROR(WriteFileAtomic(path, out.body, 0600));
  http::Response r;
  r.status = 303;
  r.body.clear();
  r.headers.emplace_back("location", api.SignedObjectUrl(call.req, key, "GET"));
  if (!out.cursor.empty()) {
    r.headers.emplace_back("x-bt-cursor", out.cursor);
    r.headers.emplace_back("x-amz-meta-bt_cursor", out.cursor);
  }
  return r;
}

Result<http::Response> Btql(Api& api, Api::Call& call) {
  ASSIGN_OR_RETURN(query::exec::BtqlRequest request, query::exec::ParseBtqlRequest(call.body));
  auto resolve = [&](const std::string& kind, const std::string& id) {
    return ResolveSource(api, call.who, kind, id);
  };
  ASSIGN_OR_RETURN(query::exec::BtqlResponse out,
                   query::exec::RunBtql(api.engine(), request, resolve, ServerQueryLimits()));
  if (request.overflow_results && out.body.size() > kOverflowBodyBytes) {
    return Overflow(api, call, out);
  }
  http::Response r;
  r.content_type = out.content_type;
  r.body = std::move(out.body);
  if (!out.cursor.empty()) r.headers.emplace_back("x-bt-cursor", out.cursor);
  return r;
}

}  // namespace

query::exec::Limits ServerQueryLimits() { return query::exec::Limits{}; }

Result<std::string> ResolveSource(Api& api, const meta::Principal& who, const std::string& kind,
                                  const std::string& id_or_name) {
  Result<ContainerInfo> info = api.ResolveContainer(who, kind, id_or_name);
  if (info.ok()) return info->key;
  if (info.status().code() != Code::kNotFound) return info.status();
  Result<std::string> id = IdByName(api, who, kind, id_or_name);
  if (!id.ok()) return id.status().code() == Code::kNotFound ? info.status() : id.status();
  ASSIGN_OR_RETURN(ContainerInfo by_name, api.ResolveContainer(who, kind, *id));
  return by_name.key;
}

void RegisterBtqlRoutes(Api& api) { api.Route("POST", "/btql", Bind(api, Btql)); }

}  // namespace spanlake::server
