// Control-plane calls the SDK makes on the app URL: login, registering and
// looking up projects, experiments and datasets, dataset snapshots.
#include "base/random.h"
#include "base/time.h"
#include "server/api.h"
#include "server/objects.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;
using acl::Permission;

// Access checks (server/acl.h): PermissionDenied unless the caller may.
Status Need(Api& api, const Call& call, Permission p, const acl::Target& target) {
  acl::Authorizer az(api.store(), call.who);
  return az.Require(p, target);
}

// The target of a project, or of an experiment or dataset document.
acl::Target TargetOf(const Call& call, const std::string& kind, const json::Value& doc) {
  const std::string id = doc.find("id")->as_string();
  if (kind == "project") return acl::ProjectTarget(call.who.org_id, id);
  return acl::InProjectTarget(call.who.org_id, doc.find("project_id")->as_string(), kind, id);
}

bool Readable(Api& api, const Call& call, const std::string& kind, const json::Value& doc) {
  return Need(api, call, Permission::kRead, TargetOf(call, kind, doc)).ok();
}

// Get-or-create a project by name; creating takes `create` on the org.
Result<json::Value> EnsureProjectChecked(Api& api, const Call& call, const std::string& name) {
  ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("project", call.who.org_id, "", name));
  if (found) return *found;
  RETURN_IF_ERROR(Need(api, call, Permission::kCreate, acl::OrgTarget(call.who.org_id, "project")));
  return EnsureProject(api, call.who, name);
}

// The project named by `project_id` or `project_name` in a request body.
Result<json::Value> ProjectFromBody(Api& api, const Call& call, bool create) {
  if (auto id = OptString(call.body, "project_id")) {
    ASSIGN_OR_RETURN(std::optional<json::Value> p, api.store().GetObject("project", call.who.org_id, *id));
    if (!p) return Status::NotFound("project '" + *id + "' not found");
    return *p;
  }
  auto name = OptString(call.body, "project_name");
  if (!name || name->empty()) {
    return Status::InvalidArgument("one of 'project_id' or 'project_name' is required");
  }
  if (create) return EnsureProjectChecked(api, call, *name);
  ASSIGN_OR_RETURN(std::optional<json::Value> p,
                   api.store().FindObjectByName("project", call.who.org_id, "", *name));
  if (!p) return Status::NotFound("project '" + *name + "' not found");
  return *p;
}

Result<http::Response> Login(Api& api, Call& call) {
  std::string base = api.BaseUrl(call.req);
  json::Object org{{"id", call.who.org_id}, {"name", call.who.org_name}, {"api_url", base},
                   {"proxy_url", base}, {"realtime_url", nullptr}, {"git_metadata", nullptr}};
  return JsonResponse(json::Object{{"org_info", json::Array{json::Value(std::move(org))}}});
}

Result<http::Response> ProjectRegister(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string name, RequireString(call.body, "project_name"));
  ASSIGN_OR_RETURN(json::Value project, EnsureProjectChecked(api, call, name));
  RETURN_IF_ERROR(Need(api, call, Permission::kRead, TargetOf(call, "project", project)));
  return JsonResponse(json::Object{{"project", std::move(project)}});
}

Result<http::Response> ProjectGetById(Api& api, Call& call) {
  const std::string* id = call.req.Query("id");
  if (id == nullptr) return Status::InvalidArgument("query parameter 'id' is required");
  ASSIGN_OR_RETURN(std::optional<json::Value> p, api.store().GetObject("project", call.who.org_id, *id));
  if (!p) return Status::NotFound("project '" + *id + "' not found");
  RETURN_IF_ERROR(Need(api, call, Permission::kRead, TargetOf(call, "project", *p)));
  return JsonResponse(*p);
}

Result<http::Response> ProjectGet(Api& api, Call& call) {
  json::Array out;
  if (auto id = OptString(call.body, "id")) {
    ASSIGN_OR_RETURN(std::optional<json::Value> p, api.store().GetObject("project", call.who.org_id, *id));
    if (p && Readable(api, call, "project", *p)) out.push_back(std::move(*p));
  } else if (auto name = OptString(call.body, "name")) {
    ASSIGN_OR_RETURN(std::optional<json::Value> p,
                     api.store().FindObjectByName("project", call.who.org_id, "", *name));
    if (p && Readable(api, call, "project", *p)) out.push_back(std::move(*p));
  }
  return JsonResponse(json::Value(std::move(out)));
}

Result<std::string> ResolveBaseExperiment(Api& api, const Call& call, const std::string& project_id) {
  if (auto id = OptString(call.body, "base_exp_id")) {
    ASSIGN_OR_RETURN(auto e, api.store().GetObject("experiment", call.who.org_id, *id));
    if (!e) return Status::NotFound("base experiment '" + *id + "' not found");
    return *id;
  }
  if (auto name = OptString(call.body, "base_experiment")) {
    ASSIGN_OR_RETURN(auto e, api.store().FindObjectByName("experiment", call.who.org_id, project_id, *name));
    if (!e) return Status::NotFound("base experiment '" + *name + "' not found");
    return e->find("id")->as_string();
  }
  return std::string();
}

Result<http::Response> ExperimentRegister(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value project, ProjectFromBody(api, call, /*create=*/true));
  std::string project_id = project.find("id")->as_string();
  std::string name = OptString(call.body, "experiment_name").value_or("");
  if (name.empty()) name = "experiment-" + RandomHex(4);
  const json::Value* update = call.body.find("update");
  if (update && update->is_bool() && update->as_bool()) {
    ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("experiment", call.who.org_id, project_id, name));
    if (found) {
      RETURN_IF_ERROR(Need(api, call, Permission::kRead, TargetOf(call, "experiment", *found)));
      return JsonResponse(json::Object{{"project", project}, {"experiment", *found}});
    }
  }
  RETURN_IF_ERROR(Need(api, call, Permission::kCreate,
                       acl::InProjectTarget(call.who.org_id, project_id, "experiment", "")));
  ASSIGN_OR_RETURN(std::string base_id, ResolveBaseExperiment(api, call, project_id));
  for (int attempt = 0; attempt < 5; ++attempt) {  // a concurrent register may take the name first
    ASSIGN_OR_RETURN(std::string free_name, FreeExperimentName(api, call.who.org_id, project_id, name));
    json::Value exp = NewExperimentDoc(call.body, call.who, project_id, free_name, base_id);
    Status st = api.store().CreateObject("experiment", call.who.org_id, project_id, free_name, exp);
    if (st.ok()) return JsonResponse(json::Object{{"project", project}, {"experiment", exp}});
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return Status::Unavailable("experiment name '" + name + "' is contended; retry");
}

Result<http::Response> ExperimentGet(Api& api, Call& call) {
  json::Array out;
  Result<json::Value> project = ProjectFromBody(api, call, /*create=*/false);
  if (!project.ok() && project.status().code() != Code::kNotFound) return project.status();
  auto name = OptString(call.body, "experiment_name");
  if (project.ok() && name) {
    ASSIGN_OR_RETURN(auto e, api.store().FindObjectByName("experiment", call.who.org_id,
                                                          project->find("id")->as_string(), *name));
    if (e && Readable(api, call, "experiment", *e)) out.push_back(std::move(*e));
  }
  return JsonResponse(json::Value(std::move(out)));
}

Result<http::Response> DatasetRegister(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value project, ProjectFromBody(api, call, /*create=*/true));
  ASSIGN_OR_RETURN(std::string name, RequireString(call.body, "dataset_name"));
  std::string project_id = project.find("id")->as_string();
  ASSIGN_OR_RETURN(auto found,
                   api.store().FindObjectByName("dataset", call.who.org_id, project_id, name));
  RETURN_IF_ERROR(found ? Need(api, call, Permission::kRead, TargetOf(call, "dataset", *found))
                        : Need(api, call, Permission::kCreate,
                               acl::InProjectTarget(call.who.org_id, project_id, "dataset", "")));
  ASSIGN_OR_RETURN(json::Value dataset, GetOrCreate(api.store(), "dataset", call.who.org_id, project_id, name, [&] {
    return NewDatasetDoc(call.body, call.who, project_id, name);
  }));
  return JsonResponse(json::Object{{"project", std::move(project)}, {"dataset", std::move(dataset)}});
}

Result<http::Response> GetObjectInfo(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string type, RequireString(call.body, "object_type"));
  const json::Value* ids = call.body.find("object_ids");
  if (ids == nullptr || !ids->is_array()) return Status::InvalidArgument("'object_ids' must be an array");
  if (type != "experiment" && type != "dataset" && type != "project") {
    return Status::InvalidArgument("object_type '" + type + "' is not supported");
  }
  json::Array out;
  for (const json::Value& id : ids->as_array()) {
    if (!id.is_string()) continue;
    ASSIGN_OR_RETURN(auto obj, api.store().GetObject(type, call.who.org_id, id.as_string()));
    if (!obj || !Readable(api, call, type, *obj)) continue;
    json::Object info{{"object_id", id}, {"object_name", *obj->find("name")}};
    if (const json::Value* pid = obj->find("project_id")) {
      ASSIGN_OR_RETURN(auto p, api.store().GetObject("project", call.who.org_id, pid->as_string()));
      if (p) {
        info.set("parent_cols", json::Object{{"project", json::Object{{"id", *pid}, {"name", *p->find("name")}}}});
      }
    }
    out.push_back(std::move(info));
  }
  return JsonResponse(json::Value(std::move(out)));
}

// The base of an experiment: its own base_exp_id, else the newest older
// experiment of the same project. 400 when there is none (the SDK expects it).
Result<http::Response> BaseExperimentGetId(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string id, RequireString(call.body, "id"));
  ASSIGN_OR_RETURN(auto exp, api.store().GetObject("experiment", call.who.org_id, id));
  if (!exp) return Status::NotFound("experiment '" + id + "' not found");
  RETURN_IF_ERROR(Need(api, call, Permission::kRead, TargetOf(call, "experiment", *exp)));
  std::optional<json::Value> base;
  if (const json::Value* b = exp->find("base_exp_id"); b && b->is_string()) {
    ASSIGN_OR_RETURN(base, api.store().GetObject("experiment", call.who.org_id, b->as_string()));
  } else {
    meta::ListOptions opts{.parent_id = exp->find("project_id")->as_string(), .limit = 1,
                           .starting_after = id};
    ASSIGN_OR_RETURN(auto older, api.store().ListObjects("experiment", call.who.org_id, opts));
    if (!older.empty()) base = std::move(older[0]);
  }
  if (!base || !Readable(api, call, "experiment", *base)) {
    return Status::InvalidArgument("No base experiment found");
  }
  return JsonResponse(json::Object{{"base_exp_id", *base->find("id")}, {"base_exp_name", *base->find("name")}});
}

}  // namespace

void RegisterSnapshotRoutes(Api& api);

void RegisterObjectRoutes(Api& api) {
  api.Route("POST", "/api/apikey/login", Bind(api, Login));
  api.Route("POST", "/api/project/register", Bind(api, ProjectRegister));
  api.Route("GET", "/api/project", Bind(api, ProjectGetById));
  api.Route("POST", "/api/project/get", Bind(api, ProjectGet));
  api.Route("POST", "/api/experiment/register", Bind(api, ExperimentRegister));
  api.Route("POST", "/api/experiment/get", Bind(api, ExperimentGet));
  api.Route("POST", "/api/dataset/register", Bind(api, DatasetRegister));
  api.Route("POST", "/api/self/get_object_info", Bind(api, GetObjectInfo));
  api.Route("POST", "/api/base_experiment/get_id", Bind(api, BaseExperimentGetId));
  RegisterSnapshotRoutes(api);
}

}  // namespace spanlake::server
