// Dataset snapshots: named pointers to a dataset version (an xact id).
#include "base/random.h"
#include "base/time.h"
#include "engine/xact.h"
#include "server/api.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;
constexpr const char* kKind = "dataset_snapshot";

// The live dataset `id` of the caller's org, on which the caller holds `need`.
Status CheckDataset(Api& api, const Call& call, const std::string& id, acl::Permission need) {
  ASSIGN_OR_RETURN(auto ds, api.store().GetObject("dataset", call.who.org_id, id));
  if (!ds) return Status::NotFound("dataset '" + id + "' not found");
  acl::Authorizer az(api.store(), call.who);
  return az.Require(need, acl::InProjectTarget(call.who.org_id, ds->find("project_id")->as_string(),
                                               "dataset", id));
}

Result<std::string> RequireDataset(Api& api, const Call& call, acl::Permission need) {
  ASSIGN_OR_RETURN(std::string id, RequireString(call.body, "dataset_id"));
  RETURN_IF_ERROR(CheckDataset(api, call, id, need));
  return id;
}

Result<http::Response> Register(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string dataset_id, RequireDataset(api, call, acl::Permission::kUpdate));
  ASSIGN_OR_RETURN(std::string name, RequireString(call.body, "dataset_snapshot_name"));
  ASSIGN_OR_RETURN(std::string xact, RequireString(call.body, "xact_id"));
  if (!engine::ParseXact(xact)) return Status::InvalidArgument("'xact_id' is not a transaction id: " + xact);
  ASSIGN_OR_RETURN(auto existing, api.store().FindObjectByName(kKind, call.who.org_id, dataset_id, name));
  const json::Value* update = call.body.find("update");
  bool do_update = update && update->is_bool() && update->as_bool();
  if (existing && !do_update) {
    return JsonResponse(json::Object{{"dataset_snapshot", *existing}, {"found_existing", true}});
  }
  const json::Value* desc = call.body.find("description");
  json::Object snap{{"id", existing ? *existing->find("id") : json::Value(NewUuid())},
                    {"dataset_id", dataset_id}, {"name", name},
                    {"description", desc ? *desc : json::Value()},
                    {"xact_id", xact}, {"created", NowIso()}};
  json::Value doc(std::move(snap));
  if (existing) {
    RETURN_IF_ERROR(api.store().UpdateObject(kKind, call.who.org_id, doc.find("id")->as_string(), name, doc));
  } else {
    RETURN_IF_ERROR(api.store().CreateObject(kKind, call.who.org_id, dataset_id, name, doc));
  }
  return JsonResponse(json::Object{{"dataset_snapshot", doc}, {"found_existing", existing.has_value()}});
}

Result<http::Response> Get(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string dataset_id, RequireDataset(api, call, acl::Permission::kRead));
  meta::ListOptions opts{.parent_id = dataset_id};
  if (auto name = OptString(call.body, "name")) opts.name = *name;
  ASSIGN_OR_RETURN(auto snaps, api.store().ListObjects(kKind, call.who.org_id, opts));
  json::Array out;
  auto xact = OptString(call.body, "xact_id");
  for (auto& s : snaps) {
    if (!xact || *s.find("xact_id") == json::Value(*xact)) out.push_back(std::move(s));
  }
  return JsonResponse(json::Value(std::move(out)));
}

Result<json::Value> RequireSnapshot(Api& api, const Call& call) {
  ASSIGN_OR_RETURN(std::string id, RequireString(call.body, "id"));
  ASSIGN_OR_RETURN(auto snap, api.store().GetObject(kKind, call.who.org_id, id));
  if (!snap) return Status::NotFound("dataset snapshot '" + id + "' not found");
  RETURN_IF_ERROR(
      CheckDataset(api, call, snap->find("dataset_id")->as_string(), acl::Permission::kUpdate));
  return *snap;
}

Result<http::Response> PatchId(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value snap, RequireSnapshot(api, call));
  if (auto name = OptString(call.body, "name")) snap.as_object().set("name", *name);
  if (const json::Value* d = call.body.find("description")) snap.as_object().set("description", *d);
  RETURN_IF_ERROR(api.store().UpdateObject(kKind, call.who.org_id, snap.find("id")->as_string(),
                                           snap.find("name")->as_string(), snap));
  return JsonResponse(snap);
}

Result<http::Response> DeleteId(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value snap, RequireSnapshot(api, call));
  RETURN_IF_ERROR(api.store().DeleteObject(kKind, call.who.org_id, snap.find("id")->as_string()));
  return JsonResponse(snap);
}

}  // namespace

void RegisterSnapshotRoutes(Api& api) {
  api.Route("POST", "/api/dataset_snapshot/register", Bind(api, Register));
  api.Route("POST", "/api/dataset_snapshot/get", Bind(api, Get));
  api.Route("POST", "/api/dataset_snapshot/patch_id", Bind(api, PatchId));
  api.Route("POST", "/api/dataset_snapshot/delete_id", Bind(api, DeleteId));
}

}  // namespace spanlake::server
