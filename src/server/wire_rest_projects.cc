// REST: projects, experiments and datasets (the row containers). Their rows
// are written and read by the data endpoints (insert, fetch, btql); deleting
// one here hides its rows from all of those at once, because every data
// endpoint resolves its container through Api::ResolveContainer.
#include "base/time.h"
#include "server/objects.h"
#include "server/retention.h"
#include "server/wire_rest.h"

namespace spanlake::server::rest {

namespace {

using acl::Permission;

// Kinds stored under a project (parent_id = project id) that go with it.
constexpr const char* kProjectChildren[] = {"experiment",    "dataset",     "function",
                                            "project_score", "project_tag", "span_iframe"};

const std::vector<std::string> kExperimentPatch = {"name",
                                                   "description",
                                                   "repo_info",
                                                   "base_exp_id",
                                                   "dataset_id",
                                                   "dataset_version",
                                                   "internal_metadata",
                                                   "parameters_id",
                                                   "parameters_version",
                                                   "public",
                                                   "metadata",
                                                   "tags"};
const std::vector<std::string> kDatasetPatch = {"name", "description", "tags", "metadata"};

Result<json::Value> LiveProject(Api& api, const Call& call, const std::string& id) {
  ASSIGN_OR_RETURN(auto p, api.store().GetObject("project", call.who.org_id, id));
  if (!p) return Status::NotFound("project '" + id + "' not found");
  return *p;
}

// The documents of an object and of everything attached to it (ACLs, views).
Status DeleteAttached(Api& api, const std::string& org, const std::string& id) {
  for (const char* kind : {"acl", "view", "dataset_snapshot"}) {
    meta::ListOptions opts;
    opts.parent_id = id;
    opts.limit = SIZE_MAX;
    ASSIGN_OR_RETURN(auto docs, api.store().ListObjects(kind, org, opts));
    for (const json::Value& d : docs) {
      Status st = api.store().DeleteObject(kind, org, StringField(d, "id"));
      if (!st.ok() && st.code() != Code::kNotFound) return st;
    }
  }
  return Status::Ok();
}

// Soft-deletes a project and everything under it. Rows become unreachable at
// once: containers resolve only for live objects (and the cache is dropped).
Status DeleteProjectTree(Api& api, const std::string& org, const std::string& project_id) {
  for (const char* kind : kProjectChildren) {
    meta::ListOptions opts;
    opts.parent_id = project_id;
    opts.limit = SIZE_MAX;
    ASSIGN_OR_RETURN(auto docs, api.store().ListObjects(kind, org, opts));
    for (const json::Value& d : docs) {
      std::string id = StringField(d, "id");
      RETURN_IF_ERROR(DeleteAttached(api, org, id));
      Status st = api.store().DeleteObject(kind, org, id);
      if (!st.ok() && st.code() != Code::kNotFound) return st;
    }
  }
  RETURN_IF_ERROR(DeleteAttached(api, org, project_id));
  RETURN_IF_ERROR(api.store().DeleteObject("project", org, project_id));
  api.ForgetContainers();
  return Status::Ok();
}

// --- project ---

Result<http::Response> ProjectCreate(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  RETURN_IF_ERROR(CheckOrgName(call, body));
  ASSIGN_OR_RETURN(std::string name, RequireString(body, "name"));
  RETURN_IF_ERROR(CheckType(body, "description", json::Type::kString, "a string"));
  acl::Authorizer az(api.store(), call.who);
  ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("project", call.who.org_id, "", name));
  if (found) {
    RETURN_IF_ERROR(az.Require(Permission::kRead,
                               acl::ProjectTarget(call.who.org_id, StringField(*found, "id"))));
    return JsonResponse(*found);
  }
  RETURN_IF_ERROR(az.Require(Permission::kCreate, acl::OrgTarget(call.who.org_id, "project")));
  ASSIGN_OR_RETURN(json::Value doc,
                   GetOrCreate(api.store(), "project", call.who.org_id, "", name, [&] {
                     return NewProjectDoc(call.who, name, NullOr(body, "description"));
                   }));
  return JsonResponse(doc);
}

Result<http::Response> ProjectList(Api& api, Call& call) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  meta::ListOptions base;
  base.name = QueryOne(call.req, "project_name");
  if (!base.name) base.name = QueryOne(call.req, "name");
  acl::Authorizer az(api.store(), call.who);
  const Keep keep = [&](const json::Value& d) {
    return az.Can(Permission::kRead, acl::ProjectTarget(call.who.org_id, StringField(d, "id")));
  };
  ASSIGN_OR_RETURN(json::Array objects,
                   ListKept(api.store(), call.who.org_id, "project", base, q, keep));
  return Objects(std::move(objects));
}

Result<json::Value> GuardedProject(Api& api, const Call& call, Permission p) {
  ASSIGN_OR_RETURN(json::Value doc, LiveProject(api, call, call.params[0]));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(p, acl::ProjectTarget(call.who.org_id, call.params[0])));
  return doc;
}

Result<http::Response> ProjectGet(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value doc, GuardedProject(api, call, Permission::kRead));
  return JsonResponse(doc);
}

Result<http::Response> ProjectPatch(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  RETURN_IF_ERROR(CheckType(body, "name", json::Type::kString, "a string"));
  RETURN_IF_ERROR(CheckType(body, "settings", json::Type::kObject, "an object or null"));
  RETURN_IF_ERROR(CheckRetentionSetting(body));
  ASSIGN_OR_RETURN(json::Value doc, GuardedProject(api, call, Permission::kUpdate));
  ApplyPatch(doc, body, {"name", "description", "settings"});
  std::string name = StringField(doc, "name");
  if (name.empty()) return Status::InvalidArgument("'name' must be a non-empty string");
  RETURN_IF_ERROR(api.store().UpdateObject("project", call.who.org_id, call.params[0], name, doc));
  return JsonResponse(doc);
}

Result<http::Response> ProjectDelete(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value doc, GuardedProject(api, call, Permission::kDelete));
  RETURN_IF_ERROR(DeleteProjectTree(api, call.who.org_id, call.params[0]));
  doc.as_object().set("deleted_at", NowIso());
  return JsonResponse(doc);
}

// --- experiment and dataset ---

// Ids a body may reference must name live objects of the caller's org.
Status CheckRefs(Api& api, const Call& call, const json::Value& body) {
  for (auto [field, kind] :
       {std::pair{"base_exp_id", "experiment"}, std::pair{"dataset_id", "dataset"}}) {
    const json::Value* v = body.find(field);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_string())
      return Status::InvalidArgument(std::string("'") + field + "' must be a string");
    ASSIGN_OR_RETURN(auto obj, api.store().GetObject(kind, call.who.org_id, v->as_string()));
    if (!obj) return Status::NotFound(std::string(kind) + " '" + v->as_string() + "' not found");
  }
  RETURN_IF_ERROR(CheckType(body, "public", json::Type::kBool, "a boolean"));
  RETURN_IF_ERROR(CheckType(body, "metadata", json::Type::kObject, "an object"));
  return CheckStringArray(body, "tags");
}

acl::Target ChildTarget(const Call& call, const std::string& kind, const json::Value& doc) {
  return acl::InProjectTarget(call.who.org_id, StringField(doc, "project_id"), kind,
                              StringField(doc, "id"));
}

Result<http::Response> ExperimentCreate(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  ASSIGN_OR_RETURN(std::string project_id, RequireString(body, "project_id"));
  RETURN_IF_ERROR(CheckType(body, "name", json::Type::kString, "a string"));
  RETURN_IF_ERROR(LiveProject(api, call, project_id).status());
  acl::Authorizer az(api.store(), call.who);
  const std::string& org = call.who.org_id;
  RETURN_IF_ERROR(
      az.Require(Permission::kCreate, acl::InProjectTarget(org, project_id, "experiment", "")));
  RETURN_IF_ERROR(CheckRefs(api, call, body));
  std::string name = StringField(body, "name");
  const json::Value* ensure_new = body.find("ensure_new");
  bool fresh = ensure_new != nullptr && ensure_new->is_bool() && ensure_new->as_bool();
  if (!name.empty() && !fresh) {
    ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("experiment", org, project_id, name));
    if (found) return JsonResponse(*found);
  }
  if (name.empty()) name = "experiment";
  for (int attempt = 0; attempt < 5; ++attempt) {
    ASSIGN_OR_RETURN(std::string free_name, FreeExperimentName(api, org, project_id, name));
    json::Value doc =
        NewExperimentDoc(body, call.who, project_id, free_name, StringField(body, "base_exp_id"));
    Status st = api.store().CreateObject("experiment", org, project_id, free_name, doc);
    if (st.ok()) return JsonResponse(doc);
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return Status::Unavailable("experiment name '" + name + "' is contended; retry");
}

Result<http::Response> DatasetCreate(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  ASSIGN_OR_RETURN(std::string project_id, RequireString(body, "project_id"));
  ASSIGN_OR_RETURN(std::string name, RequireString(body, "name"));
  RETURN_IF_ERROR(LiveProject(api, call, project_id).status());
  RETURN_IF_ERROR(CheckType(body, "description", json::Type::kString, "a string"));
  RETURN_IF_ERROR(CheckType(body, "metadata", json::Type::kObject, "an object"));
  RETURN_IF_ERROR(CheckStringArray(body, "tags"));
  acl::Authorizer az(api.store(), call.who);
  const std::string& org = call.who.org_id;
  ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("dataset", org, project_id, name));
  if (found) {
    RETURN_IF_ERROR(az.Require(Permission::kRead, ChildTarget(call, "dataset", *found)));
    return JsonResponse(*found);
  }
  RETURN_IF_ERROR(
      az.Require(Permission::kCreate, acl::InProjectTarget(org, project_id, "dataset", "")));
  ASSIGN_OR_RETURN(json::Value doc, GetOrCreate(api.store(), "dataset", org, project_id, name, [&] {
                     return NewDatasetDoc(body, call.who, project_id, name);
                   }));
  return JsonResponse(doc);
}

// GET /v1/{experiment|dataset}: filters <kind>_name, project_id, project_name.
Result<http::Response> ChildList(Api& api, Call& call, const std::string& kind) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  meta::ListOptions base;
  base.parent_id = QueryOne(call.req, "project_id");
  if (auto pname = QueryOne(call.req, "project_name"); pname && !base.parent_id) {
    ASSIGN_OR_RETURN(auto p, api.store().FindObjectByName("project", call.who.org_id, "", *pname));
    if (!p) return Objects({});
    base.parent_id = StringField(*p, "id");
  }
  std::optional<std::string> name = QueryOne(call.req, kind + "_name");
  acl::Authorizer az(api.store(), call.who);
  const Keep keep = [&](const json::Value& d) -> Result<bool> {
    if (name && StringField(d, "name") != *name) return false;
    return az.Can(Permission::kRead, ChildTarget(call, kind, d));
  };
  ASSIGN_OR_RETURN(json::Array objects,
                   ListKept(api.store(), call.who.org_id, kind, base, q, keep));
  return Objects(std::move(objects));
}

Result<json::Value> GuardedChild(Api& api, const Call& call, const std::string& kind,
                                 Permission p) {
  const std::string& id = call.params[0];
  ASSIGN_OR_RETURN(auto doc, api.store().GetObject(kind, call.who.org_id, id));
  if (!doc) return Status::NotFound(kind + " '" + id + "' not found");
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(p, ChildTarget(call, kind, *doc)));
  return *doc;
}

Result<http::Response> ChildGet(Api& api, Call& call, const std::string& kind) {
  ASSIGN_OR_RETURN(json::Value doc, GuardedChild(api, call, kind, Permission::kRead));
  return JsonResponse(doc);
}

Result<http::Response> ChildPatch(Api& api, Call& call, const std::string& kind) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  RETURN_IF_ERROR(CheckType(body, "name", json::Type::kString, "a string"));
  RETURN_IF_ERROR(CheckRefs(api, call, body));
  ASSIGN_OR_RETURN(json::Value doc, GuardedChild(api, call, kind, Permission::kUpdate));
  ApplyPatch(doc, body, kind == "experiment" ? kExperimentPatch : kDatasetPatch);
  std::string name = StringField(doc, "name");
  if (name.empty()) return Status::InvalidArgument("'name' must be a non-empty string");
  if (kind == "dataset") doc.as_object().set("url_slug", name);
  RETURN_IF_ERROR(api.store().UpdateObject(kind, call.who.org_id, call.params[0], name, doc));
  return JsonResponse(doc);
}

Result<http::Response> ChildDelete(Api& api, Call& call, const std::string& kind) {
  ASSIGN_OR_RETURN(json::Value doc, GuardedChild(api, call, kind, Permission::kDelete));
  RETURN_IF_ERROR(DeleteAttached(api, call.who.org_id, call.params[0]));
  RETURN_IF_ERROR(api.store().DeleteObject(kind, call.who.org_id, call.params[0]));
  api.ForgetContainers();
  doc.as_object().set("deleted_at", NowIso());
  return JsonResponse(doc);
}

}  // namespace

void RegisterProjectRoutes(Api& api) {
  api.Route("POST", "/v1/project", Bind(api, ProjectCreate));
  api.Route("GET", "/v1/project", Bind(api, ProjectList));
  api.Route("GET", "/v1/project/{id}", Bind(api, ProjectGet));
  api.Route("PATCH", "/v1/project/{id}", Bind(api, ProjectPatch));
  api.Route("DELETE", "/v1/project/{id}", Bind(api, ProjectDelete));
  api.Route("POST", "/v1/experiment", Bind(api, ExperimentCreate));
  api.Route("POST", "/v1/dataset", Bind(api, DatasetCreate));
  for (std::string kind : {"experiment", "dataset"}) {
    api.Route("GET", "/v1/" + kind, [&api, kind](Call& c) { return ChildList(api, c, kind); });
    api.Route("GET", "/v1/" + kind + "/{id}",
              [&api, kind](Call& c) { return ChildGet(api, c, kind); });
    api.Route("PATCH", "/v1/" + kind + "/{id}",
              [&api, kind](Call& c) { return ChildPatch(api, c, kind); });
    api.Route("DELETE", "/v1/" + kind + "/{id}",
              [&api, kind](Call& c) { return ChildDelete(api, c, kind); });
  }
}

}  // namespace spanlake::server::rest
