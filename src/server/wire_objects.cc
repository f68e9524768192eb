// Control-plane calls the SDK makes on the app URL: login, registering and
// looking up projects, experiments and datasets, dataset snapshots.
#include "base/random.h"
#include "base/time.h"
#include "server/api.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;

json::Value NullOr(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  return v ? *v : json::Value();
}

// Get-or-create by name: a concurrent creator may win the race, then we read theirs.
Result<json::Value> GetOrCreate(meta::Store& store, const std::string& kind, const std::string& org,
                                const std::string& parent, const std::string& name,
                                const std::function<json::Value()>& make) {
  ASSIGN_OR_RETURN(std::optional<json::Value> found, store.FindObjectByName(kind, org, parent, name));
  if (found) return *found;
  json::Value doc = make();
  Status st = store.CreateObject(kind, org, parent, name, doc);
  if (st.code() == Code::kAlreadyExists) {
    ASSIGN_OR_RETURN(found, store.FindObjectByName(kind, org, parent, name));
    if (found) return *found;
  }
  RETURN_IF_ERROR(st);
  return doc;
}

Result<json::Value> EnsureProject(Api& api, const meta::Principal& who, const std::string& name) {
  return GetOrCreate(api.store(), "project", who.org_id, "", name, [&] {
    return json::Value(json::Object{{"id", NewUuid()}, {"org_id", who.org_id}, {"name", name},
                                    {"description", nullptr}, {"created", NowIso()},
                                    {"deleted_at", nullptr}, {"user_id", who.user_id},
                                    {"settings", nullptr}});
  });
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
  if (create) return EnsureProject(api, call.who, *name);
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
  ASSIGN_OR_RETURN(json::Value project, EnsureProject(api, call.who, name));
  return JsonResponse(json::Object{{"project", std::move(project)}});
}

Result<http::Response> ProjectGetById(Api& api, Call& call) {
  const std::string* id = call.req.Query("id");
  if (id == nullptr) return Status::InvalidArgument("query parameter 'id' is required");
  ASSIGN_OR_RETURN(std::optional<json::Value> p, api.store().GetObject("project", call.who.org_id, *id));
  if (!p) return Status::NotFound("project '" + *id + "' not found");
  return JsonResponse(*p);
}

Result<http::Response> ProjectGet(Api& api, Call& call) {
  json::Array out;
  if (auto id = OptString(call.body, "id")) {
    ASSIGN_OR_RETURN(std::optional<json::Value> p, api.store().GetObject("project", call.who.org_id, *id));
    if (p) out.push_back(std::move(*p));
  } else if (auto name = OptString(call.body, "name")) {
    ASSIGN_OR_RETURN(std::optional<json::Value> p,
                     api.store().FindObjectByName("project", call.who.org_id, "", *name));
    if (p) out.push_back(std::move(*p));
  }
  return JsonResponse(json::Value(std::move(out)));
}

// A name not yet taken by a live experiment of the project: name, name-1, name-2, ...
Result<std::string> FreeExperimentName(Api& api, const std::string& org, const std::string& project,
                                       const std::string& name) {
  for (int i = 0; i < 10000; ++i) {
    std::string candidate = i == 0 ? name : name + "-" + std::to_string(i);
    ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("experiment", org, project, candidate));
    if (!found) return candidate;
  }
  return Status::AlreadyExists("no free experiment name derived from '" + name + "'");
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

json::Value NewExperiment(const Call& call, const std::string& project_id, const std::string& name,
                          const std::string& base_id) {
  json::Object e{{"id", NewUuid()}, {"project_id", project_id}, {"name", name},
                 {"description", NullOr(call.body, "description")}, {"created", NowIso()},
                 {"repo_info", NullOr(call.body, "repo_info")}, {"commit", nullptr},
                 {"base_exp_id", base_id.empty() ? json::Value() : json::Value(base_id)},
                 {"deleted_at", nullptr}, {"dataset_id", NullOr(call.body, "dataset_id")},
                 {"dataset_version", NullOr(call.body, "dataset_version")},
                 {"internal_metadata", NullOr(call.body, "internal_metadata")},
                 {"parameters_id", NullOr(call.body, "parameters_id")},
                 {"parameters_version", NullOr(call.body, "parameters_version")},
                 {"public", call.body.find("public") && call.body.find("public")->is_bool()
                                ? *call.body.find("public") : json::Value(false)},
                 {"user_id", call.who.user_id}, {"metadata", NullOr(call.body, "metadata")},
                 {"tags", NullOr(call.body, "tags")}};
  if (const json::Value* repo = call.body.find("repo_info"); repo && repo->find("commit")) {
    e.set("commit", *repo->find("commit"));
  }
  return json::Value(std::move(e));
}

Result<http::Response> ExperimentRegister(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value project, ProjectFromBody(api, call, /*create=*/true));
  std::string project_id = project.find("id")->as_string();
  std::string name = OptString(call.body, "experiment_name").value_or("");
  if (name.empty()) name = "experiment-" + RandomHex(4);
  const json::Value* update = call.body.find("update");
  if (update && update->is_bool() && update->as_bool()) {
    ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("experiment", call.who.org_id, project_id, name));
    if (found) return JsonResponse(json::Object{{"project", project}, {"experiment", *found}});
  }
  ASSIGN_OR_RETURN(std::string base_id, ResolveBaseExperiment(api, call, project_id));
  for (int attempt = 0; attempt < 5; ++attempt) {  // a concurrent register may take the name first
    ASSIGN_OR_RETURN(std::string free_name, FreeExperimentName(api, call.who.org_id, project_id, name));
    json::Value exp = NewExperiment(call, project_id, free_name, base_id);
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
    if (e) out.push_back(std::move(*e));
  }
  return JsonResponse(json::Value(std::move(out)));
}

Result<http::Response> DatasetRegister(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value project, ProjectFromBody(api, call, /*create=*/true));
  ASSIGN_OR_RETURN(std::string name, RequireString(call.body, "dataset_name"));
  std::string project_id = project.find("id")->as_string();
  ASSIGN_OR_RETURN(json::Value dataset, GetOrCreate(api.store(), "dataset", call.who.org_id, project_id, name, [&] {
    return json::Value(json::Object{{"id", NewUuid()}, {"project_id", project_id}, {"name", name},
                                    {"description", NullOr(call.body, "description")},
                                    {"created", NowIso()}, {"deleted_at", nullptr},
                                    {"user_id", call.who.user_id},
                                    {"metadata", NullOr(call.body, "metadata")},
                                    {"tags", NullOr(call.body, "tags")}, {"url_slug", name}});
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
    if (!obj) continue;
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
  std::optional<json::Value> base;
  if (const json::Value* b = exp->find("base_exp_id"); b && b->is_string()) {
    ASSIGN_OR_RETURN(base, api.store().GetObject("experiment", call.who.org_id, b->as_string()));
  } else {
    meta::ListOptions opts{.parent_id = exp->find("project_id")->as_string(), .limit = 1,
                           .starting_after = id};
    ASSIGN_OR_RETURN(auto older, api.store().ListObjects("experiment", call.who.org_id, opts));
    if (!older.empty()) base = std::move(older[0]);
  }
  if (!base) return Status::InvalidArgument("No base experiment found");
  return JsonResponse(json::Object{{"base_exp_id", *base->find("id")}, {"base_exp_name", *base->find("name")}});
}

Result<http::Response> V1ExperimentGet(Api& api, Call& call) {
  ASSIGN_OR_RETURN(auto exp, api.store().GetObject("experiment", call.who.org_id, call.params[0]));
  if (!exp) return Status::NotFound("experiment '" + call.params[0] + "' not found");
  return JsonResponse(*exp);
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
  api.Route("GET", "/v1/experiment/{id}", Bind(api, V1ExperimentGet));
  RegisterSnapshotRoutes(api);
}

}  // namespace spanlake::server
