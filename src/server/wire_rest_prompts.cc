// REST: prompts and functions, versioned by `_xact_id`.
//
// Each prompt or function is a row of the engine container
// "project_functions:<project_id>": every create, replace, patch or delete is
// one engine write, so its xact id is the version, and "as of version X" is a
// scan with ReadOptions{as_of = X}. The metadata store keeps an index entry
// (kind "function", parent = project, name = slug) that makes slugs unique per
// project, finds a function's project from its id, and confines every lookup
// to the caller's org. A prompt is a function whose function_data is
// {type: "prompt"}; /v1/prompt shows only those, /v1/function shows all.
#include <map>

#include "base/random.h"
#include "base/time.h"
#include "engine/xact.h"
#include "server/wire_rest.h"

namespace spanlake::server::rest {

namespace {

using acl::Permission;
constexpr const char* kIndexKind = "function";

const std::vector<std::string> kPromptFields = {
    "id",          "_xact_id", "project_id",  "log_id", "org_id",   "name",         "slug",
    "description", "created",  "prompt_data", "tags",   "metadata", "function_type"};
const std::vector<std::string> kFunctionExtra = {"function_data", "origin", "function_schema"};
const std::vector<std::string> kFunctionTypes = {
    "llm",   "scorer",     "task", "tool",       "custom_view", "preprocessor",
    "facet", "classifier", "tag",  "parameters", "sandbox"};
// function_data.type and the fields each requires.
const std::map<std::string, std::vector<std::string>> kFunctionData = {
    {"prompt", {}},
    {"code", {"data"}},
    {"graph", {"nodes", "edges"}},
    {"remote_eval", {"endpoint", "eval_name", "parameters"}},
    {"global", {"name"}},
    {"facet", {"prompt"}},
    {"batched_facet", {"facets"}},
    {"parameters", {"data", "__schema"}}};

// Which endpoint family a request came through.
struct Flavor {
  bool prompt;  // /v1/prompt: only prompts, Prompt-shaped output
  const char* noun() const { return prompt ? "prompt" : "function"; }
};

std::string Container(const std::string& project_id) { return "project_functions:" + project_id; }

bool IsPrompt(const json::Value& row) {
  const json::Value* fd = row.find("function_data");
  return fd != nullptr && StringField(*fd, "type") == "prompt";
}

json::Value Present(const json::Value& row, Flavor f) {
  json::Object out;
  for (const std::string& k : kPromptFields) {
    const json::Value* v = row.find(k);
    out.set(k, v ? *v : json::Value());
  }
  if (!f.prompt) {
    for (const std::string& k : kFunctionExtra) {
      const json::Value* v = row.find(k);
      out.set(k, v ? *v : json::Value());
    }
  }
  return json::Value(std::move(out));
}

Result<std::optional<uint64_t>> ParseVersion(const Call& call) {
  std::optional<std::string> v = QueryOne(call.req, "version");
  if (!v) return std::optional<uint64_t>();
  std::optional<uint64_t> xact = engine::ParseXact(*v);
  if (!xact) return Status::InvalidArgument("'version' is not a transaction id: " + *v);
  return xact;
}

// Environments exist (see wire_rest_org.cc) but pinning versions to them does not yet.
Status CheckEnvironment(Api& api, const Call& call) {
  std::optional<std::string> env = QueryOne(call.req, "environment");
  if (!env) return Status::Ok();
  ASSIGN_OR_RETURN(auto found,
                   api.store().FindObjectByName("environment", call.who.org_id, "", *env));
  if (!found) return Status::NotFound("environment '" + *env + "' not found");
  return Status::InvalidArgument("pinning prompt versions to environments is not supported yet");
}

// The rows of a project's functions by id, as of `as_of`.
std::map<std::string, json::Value> ScanRows(Api& api, const std::string& project_id,
                                            std::optional<uint64_t> as_of) {
  std::map<std::string, json::Value> rows;
  engine::ReadOptions options;
  options.as_of = as_of;
  api.engine().Scan(Container(project_id), options, std::nullopt,
                    [&](json::Value row, const engine::PageKey&) {
                      std::string id = StringField(row, "id");
                      rows.emplace(std::move(id), std::move(row));
                      return true;
                    });
  return rows;
}

Result<json::Value> ReadRow(Api& api, const json::Value& index, std::optional<uint64_t> as_of,
                            Flavor f) {
  std::string id = StringField(index, "id");
  std::map<std::string, json::Value> rows = ScanRows(api, StringField(index, "project_id"), as_of);
  auto it = rows.find(id);
  if (it == rows.end() || (f.prompt && !IsPrompt(it->second))) {
    return Status::NotFound(std::string(f.noun()) + " '" + id + "' not found" +
                            (as_of ? " at version " + engine::XactToString(*as_of) : ""));
  }
  return it->second;
}

Result<uint64_t> WriteRow(Api& api, const meta::Principal& who, const std::string& project_id,
                          json::Object row) {
  std::vector<engine::RowWrite> writes;
  writes.push_back(engine::RowWrite{Container(project_id), who.org_id, project_id, std::move(row)});
  return api.engine().Write(std::move(writes));
}

// The store's entry for a function: what lookups and list filters need.
json::Value IndexDoc(const json::Value& row) {
  return json::Value(json::Object{{"id", StringField(row, "id")},
                                  {"project_id", StringField(row, "project_id")},
                                  {"slug", StringField(row, "slug")},
                                  {"name", StringField(row, "name")},
                                  {"is_prompt", IsPrompt(row)},
                                  {"created", StringField(row, "created")}});
}

Status ValidateFunctionData(const json::Value& body) {
  const json::Value* fd = body.find("function_data");
  if (fd == nullptr || !fd->is_object())
    return Status::InvalidArgument("'function_data' must be an object");
  std::string type = StringField(*fd, "type");
  auto it = kFunctionData.find(type);
  if (it == kFunctionData.end()) {
    return Status::InvalidArgument("'function_data.type' is not a known function kind: '" + type +
                                   "'");
  }
  for (const std::string& f : it->second) {
    if (fd->find(f) == nullptr)
      return Status::InvalidArgument("'function_data." + f + "' is required");
  }
  return Status::Ok();
}

Status ValidateFields(const json::Value& body) {
  RETURN_IF_ERROR(CheckType(body, "description", json::Type::kString, "a string"));
  RETURN_IF_ERROR(CheckType(body, "prompt_data", json::Type::kObject, "an object or null"));
  RETURN_IF_ERROR(CheckType(body, "metadata", json::Type::kObject, "an object or null"));
  RETURN_IF_ERROR(CheckType(body, "function_schema", json::Type::kObject, "an object or null"));
  RETURN_IF_ERROR(CheckType(body, "origin", json::Type::kObject, "an object or null"));
  RETURN_IF_ERROR(CheckStringArray(body, "tags"));
  return CheckEnum(body, "function_type", kFunctionTypes, /*nullable=*/true);
}

// The row a create body describes (a new id; the caller keeps an old one on replace).
Result<json::Object> RowFromBody(const json::Value& body, Flavor f) {
  ASSIGN_OR_RETURN(std::string project_id, RequireString(body, "project_id"));
  ASSIGN_OR_RETURN(std::string name, RequireString(body, "name"));
  ASSIGN_OR_RETURN(std::string slug, RequireString(body, "slug"));
  RETURN_IF_ERROR(ValidateFields(body));
  if (!f.prompt) RETURN_IF_ERROR(ValidateFunctionData(body));
  json::Object row{{"id", NewUuid()},
                   {"project_id", project_id},
                   {"log_id", "p"},
                   {"name", name},
                   {"slug", slug}};
  for (const char* k : {"description", "prompt_data", "tags", "metadata", "function_type"}) {
    const json::Value* v = body.find(k);
    row.set(k, v ? *v : json::Value());
  }
  if (f.prompt) {
    row.set("function_data", json::Object{{"type", "prompt"}});
  } else {
    for (const char* k : {"function_data", "origin", "function_schema"}) {
      const json::Value* v = body.find(k);
      row.set(k, v ? *v : json::Value());
    }
  }
  row.set("created", NowIso());
  return row;
}

Result<json::Value> LiveIndex(Api& api, const Call& call, const std::string& id, Flavor f) {
  ASSIGN_OR_RETURN(auto index, api.store().GetObject(kIndexKind, call.who.org_id, id));
  if (!index) return Status::NotFound(std::string(f.noun()) + " '" + id + "' not found");
  return *index;
}

acl::Target TargetOf(const Call& call, const json::Value& index) {
  return acl::InProjectTarget(call.who.org_id, StringField(index, "project_id"), "prompt",
                              StringField(index, "id"));
}

// Materialized fields that are not part of a stored version.
json::Object Stored(const json::Value& row) {
  json::Object out = row.as_object();
  for (const char* k : {"_xact_id", "org_id", "span_id", "root_span_id", "is_root", "comments"}) {
    out.erase(k);
  }
  return out;
}

// Writes `row` (holding id and project_id) as a new version; returns the
// version as read back.
Result<json::Value> WriteVersion(Api& api, const Call& call, json::Object row) {
  const std::string id = row.find("id")->as_string();
  const std::string project_id = row.find("project_id")->as_string();
  ASSIGN_OR_RETURN(uint64_t xact, WriteRow(api, call.who, project_id, std::move(row)));
  std::map<std::string, json::Value> rows = ScanRows(api, project_id, xact);
  auto it = rows.find(id);
  if (it == rows.end()) return Status::Internal("function '" + id + "' is missing after its write");
  return it->second;
}

Status Retract(Api& api, const Call& call, const std::string& project_id, const std::string& id) {
  json::Object del{{"id", id}, {"_object_delete", true}};
  return WriteRow(api, call.who, project_id, std::move(del)).status();
}

// POST (create, or return the existing function of that slug unchanged) and
// PUT (create, or replace it with a new version).
Result<http::Response> Upsert(Api& api, Call& call, Flavor f, bool replace) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  RETURN_IF_ERROR(CheckOrgName(call, body));
  ASSIGN_OR_RETURN(json::Object row, RowFromBody(body, f));
  const std::string& org = call.who.org_id;
  const std::string project_id = row.find("project_id")->as_string();
  const std::string slug = row.find("slug")->as_string();
  ASSIGN_OR_RETURN(auto project, api.store().GetObject("project", org, project_id));
  if (!project) return Status::NotFound("project '" + project_id + "' not found");
  acl::Authorizer az(api.store(), call.who);
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName(kIndexKind, org, project_id, slug));
    if (found && !replace) {
      RETURN_IF_ERROR(az.Require(Permission::kRead, TargetOf(call, *found)));
      ASSIGN_OR_RETURN(json::Value current, ReadRow(api, *found, std::nullopt, Flavor{false}));
      return JsonResponse(Present(current, f));
    }
    if (found) {
      RETURN_IF_ERROR(az.Require(Permission::kUpdate, TargetOf(call, *found)));
      row.set("id", *found->find("id"));
      ASSIGN_OR_RETURN(json::Value current, WriteVersion(api, call, row));
      RETURN_IF_ERROR(api.store().UpdateObject(kIndexKind, org, StringField(current, "id"), slug,
                                               IndexDoc(current)));
      return JsonResponse(Present(current, f));
    }
    RETURN_IF_ERROR(
        az.Require(Permission::kCreate, acl::InProjectTarget(org, project_id, "prompt", "")));
    ASSIGN_OR_RETURN(json::Value current, WriteVersion(api, call, row));
    Status st = api.store().CreateObject(kIndexKind, org, project_id, slug, IndexDoc(current));
    if (st.ok()) return JsonResponse(Present(current, f));
    RETURN_IF_ERROR(Retract(api, call, project_id, StringField(current, "id")));  // lost the slug
    if (st.code() != Code::kAlreadyExists) return st;
    row.set("id", NewUuid());
  }
  return Status::Unavailable(std::string(f.noun()) + " slug '" + slug + "' is contended; retry");
}

Result<http::Response> GetOne(Api& api, Call& call, Flavor f) {
  RETURN_IF_ERROR(CheckEnvironment(api, call));
  ASSIGN_OR_RETURN(std::optional<uint64_t> version, ParseVersion(call));
  ASSIGN_OR_RETURN(json::Value index, LiveIndex(api, call, call.params[0], f));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kRead, TargetOf(call, index)));
  ASSIGN_OR_RETURN(json::Value row, ReadRow(api, index, version, f));
  return JsonResponse(Present(row, f));
}

// The project filter of a list: nullopt = every project; "" = none matches.
Result<std::optional<std::string>> ProjectFilter(Api& api, const Call& call) {
  if (auto id = QueryOne(call.req, "project_id")) return std::optional<std::string>(*id);
  std::optional<std::string> name = QueryOne(call.req, "project_name");
  if (!name) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto p, api.store().FindObjectByName("project", call.who.org_id, "", *name));
  return std::optional<std::string>(p ? StringField(*p, "id") : std::string());
}

Result<http::Response> List(Api& api, Call& call, Flavor f) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  RETURN_IF_ERROR(CheckEnvironment(api, call));
  ASSIGN_OR_RETURN(std::optional<uint64_t> version, ParseVersion(call));
  ASSIGN_OR_RETURN(std::optional<std::string> project, ProjectFilter(api, call));
  if (project && project->empty()) return Objects({});
  meta::ListOptions base;
  base.parent_id = project;
  base.name = QueryOne(call.req, "slug");
  std::optional<std::string> name = QueryOne(call.req, f.prompt ? "prompt_name" : "function_name");
  acl::Authorizer az(api.store(), call.who);
  const Keep keep = [&](const json::Value& index) -> Result<bool> {
    if (name && StringField(index, "name") != *name) return false;
    const json::Value* is_prompt = index.find("is_prompt");
    if (f.prompt && !(is_prompt && is_prompt->is_bool() && is_prompt->as_bool())) return false;
    return az.Can(Permission::kRead, TargetOf(call, index));
  };
  ASSIGN_OR_RETURN(json::Array kept,
                   ListKept(api.store(), call.who.org_id, kIndexKind, base, q, keep));
  std::map<std::string, std::map<std::string, json::Value>> by_project;
  json::Array out;
  for (const json::Value& index : kept) {
    std::string pid = StringField(index, "project_id");
    auto it = by_project.find(pid);
    if (it == by_project.end()) it = by_project.emplace(pid, ScanRows(api, pid, version)).first;
    auto row = it->second.find(StringField(index, "id"));
    if (row == it->second.end() || (f.prompt && !IsPrompt(row->second))) continue;
    out.push_back(Present(row->second, f));
  }
  return Objects(std::move(out));
}

Status ValidatePatch(const json::Value& body, Flavor f) {
  RETURN_IF_ERROR(CheckType(body, "name", json::Type::kString, "a string"));
  RETURN_IF_ERROR(CheckType(body, "slug", json::Type::kString, "a string"));
  RETURN_IF_ERROR(ValidateFields(body));
  if (!f.prompt && body.find("function_data") && !body.find("function_data")->is_null()) {
    RETURN_IF_ERROR(ValidateFunctionData(body));
  }
  return Status::Ok();
}

Result<http::Response> Patch(Api& api, Call& call, Flavor f) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  RETURN_IF_ERROR(ValidatePatch(body, f));
  ASSIGN_OR_RETURN(json::Value index, LiveIndex(api, call, call.params[0], f));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kUpdate, TargetOf(call, index)));
  ASSIGN_OR_RETURN(json::Value current, ReadRow(api, index, std::nullopt, f));
  json::Value next(Stored(current));
  std::vector<std::string> allowed = {"name", "slug",     "description",  "prompt_data",
                                      "tags", "metadata", "function_type"};
  if (!f.prompt) allowed.insert(allowed.end(), kFunctionExtra.begin(), kFunctionExtra.end());
  ApplyPatch(next, body, allowed);
  std::string slug = StringField(next, "slug");
  if (slug.empty() || StringField(next, "name").empty()) {
    return Status::InvalidArgument("'name' and 'slug' must be non-empty strings");
  }
  const std::string& org = call.who.org_id;
  const std::string project_id = StringField(index, "project_id");
  if (slug != StringField(index, "slug")) {
    ASSIGN_OR_RETURN(auto taken, api.store().FindObjectByName(kIndexKind, org, project_id, slug));
    if (taken)
      return Status::AlreadyExists(std::string(f.noun()) + " with slug '" + slug +
                                   "' already exists");
  }
  ASSIGN_OR_RETURN(json::Value written, WriteVersion(api, call, next.as_object()));
  Status st = api.store().UpdateObject(kIndexKind, org, call.params[0], slug, IndexDoc(written));
  if (!st.ok()) {
    RETURN_IF_ERROR(WriteRow(api, call.who, project_id, Stored(current)).status());  // undo
    return st;
  }
  return JsonResponse(Present(written, f));
}

Result<http::Response> Delete(Api& api, Call& call, Flavor f) {
  ASSIGN_OR_RETURN(json::Value index, LiveIndex(api, call, call.params[0], f));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kDelete, TargetOf(call, index)));
  ASSIGN_OR_RETURN(json::Value current, ReadRow(api, index, std::nullopt, f));
  RETURN_IF_ERROR(api.store().DeleteObject(kIndexKind, call.who.org_id, call.params[0]));
  RETURN_IF_ERROR(Retract(api, call, StringField(index, "project_id"), call.params[0]));
  return JsonResponse(Present(current, f));
}

}  // namespace

void RegisterPromptRoutes(Api& api) {
  for (Flavor f : {Flavor{true}, Flavor{false}}) {
    std::string path = std::string("/v1/") + f.noun();
    api.Route("POST", path, [&api, f](Call& c) { return Upsert(api, c, f, false); });
    api.Route("PUT", path, [&api, f](Call& c) { return Upsert(api, c, f, true); });
    api.Route("GET", path, [&api, f](Call& c) { return List(api, c, f); });
    api.Route("GET", path + "/{id}", [&api, f](Call& c) { return GetOne(api, c, f); });
    api.Route("PATCH", path + "/{id}", [&api, f](Call& c) { return Patch(api, c, f); });
    api.Route("DELETE", path + "/{id}", [&api, f](Call& c) { return Delete(api, c, f); });
  }
}

}  // namespace spanlake::server::rest
