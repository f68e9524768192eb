// POST /btql: the query endpoint. The body is BTQL text, SQL text or the JSON
// query tree (api/braintrust-wire.md §7); query/exec does the work, this file
// only resolves sources within the caller's org and speaks HTTP.
#include "query/exec/request.h"
#include "server/api.h"
#include "server/wire_query.h"

namespace spanlake::server {

namespace {

Result<std::string> IdByName(Api& api, const meta::Principal& who, const std::string& kind,
                             const std::string& name) {
  std::string meta_kind = kind == "project_logs" ? "project" : kind;
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

Result<http::Response> Btql(Api& api, Api::Call& call) {
  ASSIGN_OR_RETURN(query::exec::BtqlRequest request, query::exec::ParseBtqlRequest(call.body));
  auto resolve = [&](const std::string& kind, const std::string& id) {
    return ResolveSource(api, call.who, kind, id);
  };
  ASSIGN_OR_RETURN(query::exec::BtqlResponse out,
                   query::exec::RunBtql(api.engine(), request, resolve, ServerQueryLimits()));
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
