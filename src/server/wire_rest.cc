// The public REST v1 resources (api/braintrust-wire.md §6): shared
// conventions and the table-driven resources. See wire_rest.h.
#include "server/wire_rest.h"

#include <algorithm>
#include <charconv>

#include "base/random.h"
#include "base/time.h"
#include "json/merge.h"

namespace spanlake::server::rest {

// --- request parsing ---

Result<json::Value> Body(const Call& call) {
  if (call.req.method != "PUT" || !call.body.is_null()) {
    if (call.body.is_null()) return json::Value(json::Object{});
    if (!call.body.is_object())
      return Status::InvalidArgument("request body must be a JSON object");
    return call.body;
  }
  if (call.req.body.empty()) return json::Value(json::Object{});
  Result<json::Value> body = json::Value::Parse(call.req.body);
  if (!body.ok()) return body.status().WithContext("request body");
  if (!body->is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return body;
}

std::vector<std::string> QueryAll(const http::Request& req, const std::string& name) {
  std::vector<std::string> out;
  auto [begin, end] = req.query.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    size_t i = 0;
    const std::string& v = it->second;
    while (i <= v.size()) {
      size_t j = v.find(',', i);
      if (j == std::string::npos) j = v.size();
      if (j > i) out.push_back(v.substr(i, j - i));
      i = j + 1;
    }
  }
  return out;
}

std::optional<std::string> QueryOne(const http::Request& req, const std::string& name) {
  const std::string* v = req.Query(name);
  if (v == nullptr || v->empty()) return std::nullopt;
  return *v;
}

Status CheckOrgName(const Call& call, const json::Value& body) {
  std::optional<std::string> name = OptString(body, "org_name");
  if (!name) name = QueryOne(call.req, "org_name");
  if (!name || *name == call.who.org_name) return Status::Ok();
  return Status::NotFound("organization '" + *name + "' not found");
}

Result<ListQuery> ParseListQuery(const Call& call) {
  ListQuery q;
  if (auto limit = QueryOne(call.req, "limit")) {
    int64_t n = -1;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || p != limit->data() + limit->size() || n < 0) {
      return Status::InvalidArgument("'limit' must be a non-negative integer");
    }
    q.limit = static_cast<size_t>(n);
  }
  q.starting_after = QueryOne(call.req, "starting_after");
  q.ending_before = QueryOne(call.req, "ending_before");
  if (q.starting_after && q.ending_before) {
    return Status::InvalidArgument("only one of 'starting_after' and 'ending_before' may be given");
  }
  q.ids = QueryAll(call.req, "ids");
  q.other_org = !CheckOrgName(call, json::Value()).ok();
  return q;
}

// --- listing ---

Result<json::Array> ListKept(meta::Store& store, const std::string& org_id, const std::string& kind,
                             meta::ListOptions base, const ListQuery& q, const Keep& keep) {
  json::Array out;
  if (q.other_org || q.limit == 0) return out;
  base.ids = q.ids;
  base.starting_after = q.starting_after;
  base.ending_before = q.ending_before;
  // Pages of the store's order; `ending_before` walks toward newer objects.
  const size_t page = std::clamp<size_t>(q.limit, 16, 1000);
  base.limit = page;
  std::vector<json::Value> kept;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<json::Value> docs, store.ListObjects(kind, org_id, base));
    if (docs.empty()) break;
    std::vector<json::Value> batch;
    for (json::Value& doc : docs) {
      ASSIGN_OR_RETURN(bool ok, keep(doc));
      if (ok) batch.push_back(std::move(doc));
    }
    if (q.ending_before) {
      // Nearest to the cursor come last in this newest-first batch.
      std::reverse(batch.begin(), batch.end());
      for (json::Value& d : batch) {
        if (kept.size() < q.limit) kept.push_back(std::move(d));
      }
      base.ending_before = StringField(docs.front(), "id");
    } else {
      for (json::Value& d : batch) {
        if (kept.size() < q.limit) kept.push_back(std::move(d));
      }
      base.starting_after = StringField(docs.back(), "id");
    }
    if (kept.size() >= q.limit || docs.size() < page) break;
  }
  if (q.ending_before) std::reverse(kept.begin(), kept.end());
  for (json::Value& d : kept) out.push_back(std::move(d));
  return out;
}

json::Array PageInMemory(std::vector<json::Value> docs, const ListQuery& q) {
  json::Array out;
  if (q.other_org) return out;
  auto index_of = [&](const std::string& id) -> std::optional<size_t> {
    for (size_t i = 0; i < docs.size(); ++i) {
      if (StringField(docs[i], "id") == id) return i;
    }
    return std::nullopt;
  };
  size_t begin = 0;
  size_t end = docs.size();
  if (q.starting_after) {
    std::optional<size_t> i = index_of(*q.starting_after);
    begin = i ? *i + 1 : docs.size();
  }
  if (q.ending_before) {
    std::optional<size_t> i = index_of(*q.ending_before);
    end = i ? *i : 0;
  }
  std::vector<json::Value> picked;
  for (size_t i = begin; i < end; ++i) {
    bool wanted = q.ids.empty() ||
                  std::find(q.ids.begin(), q.ids.end(), StringField(docs[i], "id")) != q.ids.end();
    if (wanted) picked.push_back(std::move(docs[i]));
  }
  // ending_before takes the `limit` nearest the cursor, i.e. the last ones.
  size_t from = q.ending_before && picked.size() > q.limit ? picked.size() - q.limit : 0;
  for (size_t i = from; i < picked.size() && out.size() < q.limit; ++i) {
    out.push_back(std::move(picked[i]));
  }
  return out;
}

http::Response Objects(json::Array objects) {
  return JsonResponse(json::Object{{"objects", json::Value(std::move(objects))}});
}

// --- documents ---

void ApplyPatch(json::Value& doc, const json::Value& patch,
                const std::vector<std::string>& allowed) {
  for (const std::string& key : allowed) {
    const json::Value* v = patch.find(key);
    if (v == nullptr) continue;
    json::Value* current = doc.find(key);
    if (current != nullptr && current->is_object() && v->is_object()) {
      json::DeepMerge(*current, *v);
    } else {
      doc.as_object().set(key, *v);
    }
  }
}

Status CheckType(const json::Value& body, const char* key, json::Type type, const char* what) {
  const json::Value* v = body.find(key);
  if (v == nullptr || v->is_null() || v->type() == type) return Status::Ok();
  if (type == json::Type::kDouble && v->is_number()) return Status::Ok();
  return Status::InvalidArgument(std::string("'") + key + "' must be " + what);
}

Status CheckStringArray(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  bool ok = v->is_array();
  for (size_t i = 0; ok && i < v->as_array().size(); ++i) ok = v->as_array()[i].is_string();
  if (ok) return Status::Ok();
  return Status::InvalidArgument(std::string("'") + key + "' must be an array of strings");
}

Status CheckEnum(const json::Value& body, const char* key, const std::vector<std::string>& values,
                 bool nullable) {
  const json::Value* v = body.find(key);
  if (v == nullptr || (nullable && v->is_null())) return Status::Ok();
  if (v->is_string() && std::find(values.begin(), values.end(), v->as_string()) != values.end()) {
    return Status::Ok();
  }
  std::string list;
  for (const std::string& s : values) list += (list.empty() ? "" : ", ") + s;
  return Status::InvalidArgument(std::string("'") + key + "' must be one of: " + list);
}

std::string StringField(const json::Value& doc, const char* key) {
  const json::Value* v = doc.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

// --- table-driven resources ---

namespace {

enum class Action { kCreate, kRead, kUpdate, kDelete };

std::string ParentId(const Resource& r, const json::Value& doc) {
  switch (r.scope) {
    case Scope::kOrg:
      return "";
    case Scope::kProject:
      return StringField(doc, "project_id");
    case Scope::kDataset:
      return StringField(doc, "dataset_id");
    case Scope::kObject:
      return StringField(doc, "object_id");
  }
  return "";
}

// The target governing the objects of a non-org resource: its parent.
Result<acl::Target> ParentTarget(Api& api, const Call& call, const Resource& r,
                                 const json::Value& doc) {
  const std::string& org = call.who.org_id;
  std::string parent = ParentId(r, doc);
  if (r.scope == Scope::kObject) {
    return acl::ResolveTarget(api.store(), org, StringField(doc, "object_type"), parent);
  }
  std::string kind = r.scope == Scope::kProject ? "project" : "dataset";
  ASSIGN_OR_RETURN(auto obj, api.store().GetObject(kind, org, parent));
  if (!obj) return Status::NotFound(kind + " '" + parent + "' not found");
  if (r.scope == Scope::kProject) return acl::ProjectTarget(org, parent);
  return acl::InProjectTarget(org, StringField(*obj, "project_id"), "dataset", parent);
}

// Checks that the caller may perform `action` on `doc` (for kCreate: the
// create body, which names the parent).
Status Guard(Api& api, const Call& call, acl::Authorizer& az, const Resource& r, Action action,
             const json::Value& doc) {
  using acl::Permission;
  const std::string& org = call.who.org_id;
  if (r.scope == Scope::kOrg && r.acl_type.empty()) {
    if (action == Action::kRead) {
      ASSIGN_OR_RETURN(bool live, az.IsLiveUser());
      return live ? Status::Ok() : Status::PermissionDenied("not a member of this organization");
    }
    return az.Require(Permission::kUpdate, acl::OrgTarget(org));
  }
  if (r.scope == Scope::kOrg) {
    acl::Target t = acl::OrgTarget(org, r.acl_type);
    if (action == Action::kCreate) return az.Require(Permission::kCreate, t);
    t.chain.push_back(acl::ObjectRef{r.acl_type, StringField(doc, "id")});
    Permission p = action == Action::kRead     ? Permission::kRead
                   : action == Action::kUpdate ? Permission::kUpdate
                                               : Permission::kDelete;
    return az.Require(p, t);
  }
  ASSIGN_OR_RETURN(acl::Target t, ParentTarget(api, call, r, doc));
  return az.Require(action == Action::kRead ? Permission::kRead : Permission::kUpdate, t);
}

std::string UniqueName(const Resource& r, const json::Value& doc) {
  return r.unique_name ? r.unique_name(doc) : StringField(doc, r.name_field.c_str());
}

json::Value NewDoc(const Call& call, const Resource& r, const json::Value& body) {
  json::Object doc{{"id", NewUuid()}};
  if (r.scope == Scope::kOrg) doc.set("org_id", call.who.org_id);
  if (r.scope == Scope::kProject) doc.set("project_id", StringField(body, "project_id"));
  if (r.scope == Scope::kDataset) doc.set("dataset_id", StringField(body, "dataset_id"));
  if (r.scope == Scope::kObject) {
    doc.set("object_type", StringField(body, "object_type"));
    doc.set("object_id", StringField(body, "object_id"));
  }
  for (const std::string& f : r.fields) {
    const json::Value* v = body.find(f);
    doc.set(f, v ? *v : json::Value());
  }
  doc.set("created", NowIso());
  if (r.has_user) doc.set("user_id", call.who.user_id);
  if (r.has_deleted_at) doc.set("deleted_at", nullptr);
  return json::Value(std::move(doc));
}

Status ValidateCreate(Api& api, const Call& call, const Resource& r, json::Value& body) {
  RETURN_IF_ERROR(CheckOrgName(call, body));
  std::vector<std::string> required = r.required;
  if (r.scope == Scope::kProject) required.push_back("project_id");
  if (r.scope == Scope::kDataset) required.push_back("dataset_id");
  if (r.scope == Scope::kObject) {
    required.push_back("object_type");
    required.push_back("object_id");
  }
  for (const std::string& f : required) RETURN_IF_ERROR(RequireString(body, f.c_str()).status());
  for (const std::string& f : r.fields) {
    if (f == "description" || f == r.name_field) {
      RETURN_IF_ERROR(CheckType(body, f.c_str(), json::Type::kString, "a string"));
    }
  }
  return r.validate ? r.validate(api, call, body) : Status::Ok();
}

// POST (replace = false) and PUT (replace = true) on the collection.
Result<http::Response> Upsert(Api& api, Call& call, const Resource& r, bool replace) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  RETURN_IF_ERROR(ValidateCreate(api, call, r, body));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(Guard(api, call, az, r, Action::kCreate, body));
  json::Value doc = NewDoc(call, r, body);
  const std::string name = UniqueName(r, doc);
  const std::string parent = ParentId(r, doc);
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(auto found,
                     api.store().FindObjectByName(r.kind, call.who.org_id, parent, name));
    if (found && !replace) {
      RETURN_IF_ERROR(Guard(api, call, az, r, Action::kRead, *found));
      return JsonResponse(*found);
    }
    if (found) {
      for (const char* keep : {"id", "created", "user_id"}) {
        if (const json::Value* v = found->find(keep)) doc.as_object().set(keep, *v);
      }
      RETURN_IF_ERROR(Guard(api, call, az, r, Action::kUpdate, *found));
      RETURN_IF_ERROR(
          api.store().UpdateObject(r.kind, call.who.org_id, StringField(doc, "id"), name, doc));
      return JsonResponse(doc);
    }
    Status st = api.store().CreateObject(r.kind, call.who.org_id, parent, name, doc);
    if (st.ok()) return JsonResponse(doc);
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return Status::Unavailable(r.kind + " '" + name + "' is contended; retry");
}

Result<json::Value> GetLive(Api& api, const Call& call, const Resource& r, Action action,
                            acl::Authorizer& az) {
  const std::string& id = call.params[0];
  ASSIGN_OR_RETURN(auto doc, api.store().GetObject(r.kind, call.who.org_id, id));
  if (!doc) return Status::NotFound(r.kind + " '" + id + "' not found");
  RETURN_IF_ERROR(Guard(api, call, az, r, action, *doc));
  return *doc;
}

Result<http::Response> GetOne(Api& api, Call& call, const Resource& r) {
  acl::Authorizer az(api.store(), call.who);
  ASSIGN_OR_RETURN(json::Value doc, GetLive(api, call, r, Action::kRead, az));
  return JsonResponse(doc);
}

Result<http::Response> Patch(Api& api, Call& call, const Resource& r) {
  ASSIGN_OR_RETURN(json::Value body, Body(call));
  acl::Authorizer az(api.store(), call.who);
  ASSIGN_OR_RETURN(json::Value doc, GetLive(api, call, r, Action::kUpdate, az));
  if (r.patch) {
    RETURN_IF_ERROR(r.patch(api, call, body, doc));
  } else {
    ApplyPatch(doc, body, r.patch_fields);
  }
  std::string name = UniqueName(r, doc);
  if (name.empty())
    return Status::InvalidArgument("'" + r.name_field + "' must be a non-empty string");
  RETURN_IF_ERROR(api.store().UpdateObject(r.kind, call.who.org_id, call.params[0], name, doc));
  return JsonResponse(doc);
}

Result<http::Response> Delete(Api& api, Call& call, const Resource& r) {
  acl::Authorizer az(api.store(), call.who);
  ASSIGN_OR_RETURN(json::Value doc, GetLive(api, call, r, Action::kDelete, az));
  RETURN_IF_ERROR(api.store().DeleteObject(r.kind, call.who.org_id, call.params[0]));
  if (r.has_deleted_at) doc.as_object().set("deleted_at", NowIso());
  return JsonResponse(doc);
}

// The parent filter of a list request; nullopt = every parent.
Result<std::optional<std::string>> ListParent(Api& api, const Call& call, const Resource& r) {
  const std::string& org = call.who.org_id;
  if (r.scope == Scope::kProject) {
    if (auto id = QueryOne(call.req, "project_id")) return std::optional<std::string>(*id);
    if (auto name = QueryOne(call.req, "project_name")) {
      ASSIGN_OR_RETURN(auto p, api.store().FindObjectByName("project", org, "", *name));
      if (!p) return Status::NotFound("project '" + *name + "' not found");
      return std::optional<std::string>(StringField(*p, "id"));
    }
  }
  if (r.scope == Scope::kDataset) {
    if (auto id = QueryOne(call.req, "dataset_id")) return std::optional<std::string>(*id);
  }
  if (r.scope == Scope::kObject) {
    std::string type = QueryOne(call.req, "object_type").value_or("");
    std::string id = QueryOne(call.req, "object_id").value_or("");
    if (type.empty() || id.empty()) {
      return Status::InvalidArgument("query parameters 'object_type' and 'object_id' are required");
    }
    RETURN_IF_ERROR(acl::ResolveTarget(api.store(), org, type, id).status());
    return std::optional<std::string>(id);
  }
  return std::optional<std::string>();
}

Result<http::Response> List(Api& api, Call& call, const Resource& r) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  ASSIGN_OR_RETURN(std::optional<std::string> parent, ListParent(api, call, r));
  std::optional<std::string> name;
  for (const std::string& p : r.name_params) {
    if (!name) name = QueryOne(call.req, p);
  }
  std::vector<std::pair<std::string, std::string>> eq;
  for (const std::string& p : r.eq_params) {
    if (auto v = QueryOne(call.req, p)) eq.emplace_back(p, *v);
  }
  meta::ListOptions base;
  base.parent_id = parent;
  acl::Authorizer az(api.store(), call.who);
  const Keep keep = [&](const json::Value& doc) -> Result<bool> {
    if (name && StringField(doc, "name") != *name) return false;
    for (const auto& [field, value] : eq) {
      if (StringField(doc, field.c_str()) != value) return false;
    }
    Status st = Guard(api, call, az, r, Action::kRead, doc);
    if (st.code() == Code::kPermissionDenied || st.code() == Code::kNotFound) return false;
    RETURN_IF_ERROR(st);
    return true;
  };
  ASSIGN_OR_RETURN(json::Array objects,
                   ListKept(api.store(), call.who.org_id, r.kind, base, q, keep));
  return Objects(std::move(objects));
}

}  // namespace

void RegisterResource(Api& api, Resource resource) {
  auto r = std::make_shared<const Resource>(std::move(resource));
  const std::string one = r->path + "/{id}";
  api.Route("POST", r->path, [&api, r](Call& c) { return Upsert(api, c, *r, false); });
  if (r->has_put)
    api.Route("PUT", r->path, [&api, r](Call& c) { return Upsert(api, c, *r, true); });
  api.Route("GET", r->path, [&api, r](Call& c) { return List(api, c, *r); });
  api.Route("GET", one, [&api, r](Call& c) { return GetOne(api, c, *r); });
  api.Route("PATCH", one, [&api, r](Call& c) { return Patch(api, c, *r); });
  api.Route("DELETE", one, [&api, r](Call& c) { return Delete(api, c, *r); });
}

}  // namespace spanlake::server::rest

namespace spanlake::server {

void RegisterRestRoutes(Api& api) {
  rest::RegisterProjectRoutes(api);
  rest::RegisterPromptRoutes(api);
  rest::RegisterAclRoutes(api);
  rest::RegisterOrgRoutes(api);
  rest::RegisterConfigRoutes(api);
}

}  // namespace spanlake::server
