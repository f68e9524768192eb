// REST: the organization, its members and users, API keys, environments.
//
// Users: the org's owner user holds the keys made by `spanlake keys create`
// and the bootstrap (every permission); members are "user" objects invited
// with PATCH /v1/organization/members and act only through ACLs. API keys
// are stored hashed by the metadata store; the plaintext of a key made with
// POST /v1/api_key (owners only) is in that response and nowhere else.
#include "base/random.h"
#include "base/time.h"
#include "server/objects.h"
#include "server/wire_rest.h"

namespace spanlake::server::rest {

namespace {

using acl::Permission;

const std::vector<std::string> kOrgSettings = {"api_url",
                                               "proxy_url",
                                               "realtime_url",
                                               "is_universal_api",
                                               "is_dataplane_private",
                                               "image_rendering_mode"};

json::Value UserDoc(const std::string& id, const json::Value& given_name, const json::Value& email,
                    const std::string& created) {
  return json::Value(json::Object{{"id", id},
                                  {"given_name", given_name},
                                  {"family_name", nullptr},
                                  {"email", email},
                                  {"avatar_url", nullptr},
                                  {"created", created}});
}

Status RequireMember(Api& api, const Call& call) {
  acl::Authorizer az(api.store(), call.who);
  ASSIGN_OR_RETURN(bool live, az.IsLiveUser());
  return live ? Status::Ok() : Status::PermissionDenied("not a member of this organization");
}

std::optional<json::Value> FindById(const std::vector<json::Value>& docs, const std::string& id) {
  for (const json::Value& d : docs) {
    if (StringField(d, "id") == id) return d;
  }
  return std::nullopt;
}

// --- users ---

Result<http::Response> UserList(Api& api, Call& call) {
  RETURN_IF_ERROR(RequireMember(api, call));
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  ASSIGN_OR_RETURN(std::vector<json::Value> users, OrgUsers(api, call.who.org_id));
  std::vector<json::Value> matching;
  for (json::Value& u : users) {
    bool ok = true;
    for (const char* f : {"given_name", "family_name", "email"}) {
      std::vector<std::string> want = QueryAll(call.req, f);
      if (!want.empty() && std::find(want.begin(), want.end(), StringField(u, f)) == want.end())
        ok = false;
    }
    if (ok) matching.push_back(std::move(u));
  }
  return Objects(PageInMemory(std::move(matching), q));
}

Result<http::Response> UserGet(Api& api, Call& call) {
  RETURN_IF_ERROR(RequireMember(api, call));
  ASSIGN_OR_RETURN(std::vector<json::Value> users, OrgUsers(api, call.who.org_id));
  std::optional<json::Value> user = FindById(users, call.params[0]);
  if (!user) return Status::NotFound("user '" + call.params[0] + "' not found");
  return JsonResponse(*user);
}

// --- API keys ---

json::Value KeyDoc(const meta::ApiKeyInfo& k, const std::vector<json::Value>& users) {
  std::optional<json::Value> user = FindById(users, k.user_id);
  auto user_field = [&](const char* f) { return user ? NullOr(*user, f) : json::Value(); };
  return json::Value(json::Object{{"id", k.id},
                                  {"created", k.created},
                                  {"name", k.name},
                                  {"preview_name", k.preview},
                                  {"user_id", k.user_id},
                                  {"user_email", user_field("email")},
                                  {"user_given_name", user_field("given_name")},
                                  {"user_family_name", user_field("family_name")},
                                  {"org_id", k.org_id}});
}

// The keys the caller may see, newest first: all of the org's for an owner,
// a member's own otherwise.
Result<std::vector<json::Value>> VisibleKeys(Api& api, const Call& call) {
  RETURN_IF_ERROR(RequireMember(api, call));
  ASSIGN_OR_RETURN(std::vector<meta::ApiKeyInfo> keys, api.store().ListApiKeys(call.who.org_id));
  ASSIGN_OR_RETURN(std::vector<json::Value> users, OrgUsers(api, call.who.org_id));
  std::vector<json::Value> out;
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    if (call.who.owner || it->user_id == call.who.user_id) out.push_back(KeyDoc(*it, users));
  }
  return out;
}

Result<http::Response> KeyList(Api& api, Call& call) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  ASSIGN_OR_RETURN(std::vector<json::Value> keys, VisibleKeys(api, call));
  std::optional<std::string> name = QueryOne(call.req, "api_key_name");
  std::vector<json::Value> matching;
  for (json::Value& k : keys) {
    if (!name || StringField(k, "name") == *name) matching.push_back(std::move(k));
  }
  return Objects(PageInMemory(std::move(matching), q));
}

Result<json::Value> VisibleKey(Api& api, const Call& call) {
  ASSIGN_OR_RETURN(std::vector<json::Value> keys, VisibleKeys(api, call));
  std::optional<json::Value> key = FindById(keys, call.params[0]);
  if (!key) return Status::NotFound("api_key '" + call.params[0] + "' not found");
  return *key;
}

Result<http::Response> KeyGet(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value key, VisibleKey(api, call));
  return JsonResponse(key);
}

Result<http::Response> KeyDelete(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value key, VisibleKey(api, call));
  RETURN_IF_ERROR(api.store().DeleteApiKey(call.who.org_id, call.params[0]));
  return JsonResponse(key);
}

// Adds a key for `user_id` (the owner user, or a member) and returns its
// document with the plaintext under "key".
Result<json::Value> IssueKey(Api& api, const std::string& org, const std::string& user_id,
                             const std::string& name) {
  ASSIGN_OR_RETURN(std::vector<meta::ApiKeyInfo> keys, api.store().ListApiKeys(org));
  bool owner_user = std::any_of(keys.begin(), keys.end(), [&](const meta::ApiKeyInfo& k) {
    return k.owner && k.user_id == user_id;
  });
  std::string plaintext = "sk-" + RandomHex(24);
  ASSIGN_OR_RETURN(meta::Principal p,
                   owner_user ? api.store().AddApiKey(org, plaintext, name)
                              : api.store().AddUserApiKey(org, user_id, plaintext, name));
  ASSIGN_OR_RETURN(keys, api.store().ListApiKeys(org));
  ASSIGN_OR_RETURN(std::vector<json::Value> users, OrgUsers(api, org));
  for (const meta::ApiKeyInfo& k : keys) {
    if (k.id != p.key_id) continue;
    json::Value doc = KeyDoc(k, users);
    doc.as_object().set("key", plaintext);
    return doc;
  }
  return Status::Internal("API key '" + p.key_id + "' is missing after its creation");
}

Result<http::Response> KeyCreate(Api& api, Call& call) {
  if (!call.who.owner)
    return Status::PermissionDenied("only an organization owner can create API keys");
  ASSIGN_OR_RETURN(std::string name, RequireString(call.body, "name"));
  std::string user_id = OptString(call.body, "user_id").value_or(call.who.user_id);
  RETURN_IF_ERROR(RequireOrgUser(api, call.who.org_id, user_id));
  ASSIGN_OR_RETURN(json::Value doc, IssueKey(api, call.who.org_id, user_id, name));
  return JsonResponse(doc);
}

// --- organization ---

Result<json::Value> OrgDoc(Api& api, const Call& call) {
  ASSIGN_OR_RETURN(auto org, api.store().GetOrg(call.who.org_id));
  if (!org) return Status::NotFound("organization not found");
  std::string base = api.BaseUrl(call.req);
  json::Value doc(json::Object{{"id", org->id},
                               {"name", org->name},
                               {"api_url", base},
                               {"is_universal_api", nullptr},
                               {"is_dataplane_private", nullptr},
                               {"proxy_url", base},
                               {"realtime_url", nullptr},
                               {"created", org->created},
                               {"image_rendering_mode", nullptr}});
  ASSIGN_OR_RETURN(auto settings,
                   api.store().FindObjectByName("org_settings", org->id, "", "settings"));
  if (settings) ApplyPatch(doc, *settings, kOrgSettings);
  return doc;
}

Result<http::Response> OrgList(Api& api, Call& call) {
  RETURN_IF_ERROR(RequireMember(api, call));
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  ASSIGN_OR_RETURN(json::Value doc, OrgDoc(api, call));
  return Objects(PageInMemory({doc}, q));
}

Status RequireOwnOrg(const Call& call) {
  if (call.params[0] == call.who.org_id) return Status::Ok();
  return Status::NotFound("organization '" + call.params[0] + "' not found");
}

Result<http::Response> OrgGet(Api& api, Call& call) {
  RETURN_IF_ERROR(RequireOwnOrg(call));
  RETURN_IF_ERROR(RequireMember(api, call));
  ASSIGN_OR_RETURN(json::Value doc, OrgDoc(api, call));
  return JsonResponse(doc);
}

Result<http::Response> OrgPatch(Api& api, Call& call) {
  RETURN_IF_ERROR(RequireOwnOrg(call));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kUpdate, acl::OrgTarget(call.who.org_id)));
  if (auto name = OptString(call.body, "name"); name && *name != call.who.org_name) {
    return Status::InvalidArgument("renaming an organization is not supported");
  }
  const std::string& org = call.who.org_id;
  ASSIGN_OR_RETURN(json::Value settings,
                   GetOrCreate(api.store(), "org_settings", org, "", "settings", [] {
                     return json::Value(json::Object{{"id", NewUuid()}});
                   }));
  ApplyPatch(settings, call.body, kOrgSettings);
  RETURN_IF_ERROR(api.store().UpdateObject("org_settings", org, StringField(settings, "id"),
                                           "settings", settings));
  ASSIGN_OR_RETURN(json::Value doc, OrgDoc(api, call));
  return JsonResponse(doc);
}

// --- members ---

// The groups named by an invite (group_ids, group_names, group_id, group_name).
Result<std::vector<json::Value>> InviteGroups(Api& api, const Call& call,
                                              const json::Value& invite) {
  std::vector<json::Value> groups;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  for (const char* f : {"group_ids", "group_names"}) RETURN_IF_ERROR(CheckStringArray(invite, f));
  if (const json::Value* v = invite.find("group_ids"); v && v->is_array()) {
    for (const json::Value& id : v->as_array()) ids.push_back(id.as_string());
  }
  if (const json::Value* v = invite.find("group_names"); v && v->is_array()) {
    for (const json::Value& n : v->as_array()) names.push_back(n.as_string());
  }
  if (auto id = OptString(invite, "group_id")) ids.push_back(*id);
  if (auto name = OptString(invite, "group_name")) names.push_back(*name);
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(auto g, api.store().GetObject("group", call.who.org_id, id));
    if (!g) return Status::NotFound("group '" + id + "' not found");
    groups.push_back(std::move(*g));
  }
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(auto g, api.store().FindObjectByName("group", call.who.org_id, "", name));
    if (!g) return Status::NotFound("group '" + name + "' not found");
    groups.push_back(std::move(*g));
  }
  return groups;
}

// Creates the member user stored under `key` (its email, or "service:<name>").
Result<json::Value> EnsureMember(Api& api, const Call& call, const std::string& key,
                                 const json::Value& given_name, const json::Value& email) {
  return GetOrCreate(api.store(), "user", call.who.org_id, "", key,
                     [&] { return UserDoc(NewUuid(), given_name, email, NowIso()); });
}

Result<json::Array> Invite(Api& api, const Call& call, const json::Value& invite) {
  ASSIGN_OR_RETURN(std::vector<json::Value> groups, InviteGroups(api, call, invite));
  RETURN_IF_ERROR(CheckStringArray(invite, "emails"));
  RETURN_IF_ERROR(CheckStringArray(invite, "ids"));
  json::Array added;
  std::vector<std::string> user_ids;
  if (const json::Value* v = invite.find("ids"); v && v->is_array()) {
    for (const json::Value& id : v->as_array()) {
      RETURN_IF_ERROR(RequireOrgUser(api, call.who.org_id, id.as_string()));
      user_ids.push_back(id.as_string());
    }
  }
  if (const json::Value* v = invite.find("emails"); v && v->is_array()) {
    for (const json::Value& email : v->as_array()) {
      if (email.as_string().empty())
        return Status::InvalidArgument("'emails' holds an empty email");
      ASSIGN_OR_RETURN(json::Value user,
                       EnsureMember(api, call, email.as_string(), nullptr, email));
      user_ids.push_back(StringField(user, "id"));
      added.push_back(json::Object{{"id", *user.find("id")}, {"email", email}});
    }
  }
  if (const json::Value* v = invite.find("service_accounts"); v && !v->is_null()) {
    if (!v->is_array()) return Status::InvalidArgument("'service_accounts' must be an array");
    for (const json::Value& sa : v->as_array()) {
      ASSIGN_OR_RETURN(std::string name, RequireString(sa, "name"));
      ASSIGN_OR_RETURN(json::Value user, EnsureMember(api, call, "service:" + name, name, nullptr));
      std::string id = StringField(user, "id");
      user_ids.push_back(id);
      json::Object entry{{"id", id}, {"email", nullptr}};
      if (auto token = OptString(sa, "token_name")) {
        if (!call.who.owner)
          return Status::PermissionDenied("only an organization owner can create tokens");
        ASSIGN_OR_RETURN(json::Value key, IssueKey(api, call.who.org_id, id, *token));
        entry.set("api_key", *key.find("key"));
        entry.set("token_name", *token);
      }
      added.push_back(std::move(entry));
    }
  }
  for (json::Value& g : groups) {
    json::Array add;
    for (const std::string& id : user_ids) add.push_back(id);
    const json::Value* members = g.find("member_users");
    json::Array list = members && members->is_array() ? members->as_array() : json::Array{};
    for (const json::Value& id : add) {
      if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    }
    g.as_object().set("member_users", std::move(list));
    RETURN_IF_ERROR(api.store().UpdateObject("group", call.who.org_id, StringField(g, "id"),
                                             StringField(g, "name"), g));
  }
  return added;
}

Status RemoveMembers(Api& api, const Call& call, const json::Value& remove) {
  RETURN_IF_ERROR(CheckStringArray(remove, "ids"));
  RETURN_IF_ERROR(CheckStringArray(remove, "emails"));
  const std::string& org = call.who.org_id;
  std::vector<json::Value> users;
  if (const json::Value* v = remove.find("ids"); v && v->is_array()) {
    for (const json::Value& id : v->as_array()) {
      ASSIGN_OR_RETURN(auto u, api.store().GetObject("user", org, id.as_string()));
      if (!u)
        return Status::NotFound("member '" + id.as_string() +
                                "' not found (the owner cannot be removed)");
      users.push_back(std::move(*u));
    }
  }
  if (const json::Value* v = remove.find("emails"); v && v->is_array()) {
    for (const json::Value& email : v->as_array()) {
      ASSIGN_OR_RETURN(auto u, api.store().FindObjectByName("user", org, "", email.as_string()));
      if (!u) return Status::NotFound("member '" + email.as_string() + "' not found");
      users.push_back(std::move(*u));
    }
  }
  ASSIGN_OR_RETURN(std::vector<meta::ApiKeyInfo> keys, api.store().ListApiKeys(org));
  for (const json::Value& u : users) {
    std::string id = StringField(u, "id");
    for (const meta::ApiKeyInfo& k : keys) {
      if (k.user_id == id) RETURN_IF_ERROR(api.store().DeleteApiKey(org, k.id));
    }
    Status st = api.store().DeleteObject("user", org, id);
    if (!st.ok() && st.code() != Code::kNotFound) return st;
  }
  return Status::Ok();
}

Result<http::Response> MembersPatch(Api& api, Call& call) {
  RETURN_IF_ERROR(CheckOrgName(call, call.body));
  if (auto org_id = OptString(call.body, "org_id"); org_id && *org_id != call.who.org_id) {
    return Status::NotFound("organization '" + *org_id + "' not found");
  }
  const json::Value* invite = call.body.find("invite_users");
  const json::Value* remove = call.body.find("remove_users");
  acl::Authorizer az(api.store(), call.who);
  json::Array added;
  if (invite != nullptr && !invite->is_null()) {
    RETURN_IF_ERROR(az.Require(Permission::kCreate, acl::OrgTarget(call.who.org_id, "org_member")));
    ASSIGN_OR_RETURN(added, Invite(api, call, *invite));
  }
  if (remove != nullptr && !remove->is_null()) {
    RETURN_IF_ERROR(az.Require(Permission::kDelete, acl::OrgTarget(call.who.org_id, "org_member")));
    RETURN_IF_ERROR(RemoveMembers(api, call, *remove));
  }
  return JsonResponse(json::Object{{"status", "success"},
                                   {"org_id", call.who.org_id},
                                   {"send_email_error", nullptr},
                                   {"added_users", std::move(added)}});
}

}  // namespace

Result<std::vector<json::Value>> OrgUsers(Api& api, const std::string& org_id) {
  meta::ListOptions all;
  all.limit = SIZE_MAX;
  ASSIGN_OR_RETURN(std::vector<json::Value> users, api.store().ListObjects("user", org_id, all));
  ASSIGN_OR_RETURN(std::vector<meta::ApiKeyInfo> keys, api.store().ListApiKeys(org_id));
  for (const meta::ApiKeyInfo& k : keys) {  // oldest first: the owner's first key dates the owner
    if (k.owner) {
      users.push_back(UserDoc(k.user_id, "admin", nullptr, k.created));
      break;
    }
  }
  return users;
}

Status RequireOrgUser(Api& api, const std::string& org_id, const std::string& user_id) {
  ASSIGN_OR_RETURN(auto member, api.store().GetObject("user", org_id, user_id));
  if (member) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<meta::ApiKeyInfo> keys, api.store().ListApiKeys(org_id));
  for (const meta::ApiKeyInfo& k : keys) {
    if (k.owner && k.user_id == user_id) return Status::Ok();
  }
  return Status::NotFound("user '" + user_id + "' not found");
}

void RegisterOrgRoutes(Api& api) {
  api.Route("GET", "/v1/user", Bind(api, UserList));
  api.Route("GET", "/v1/user/{id}", Bind(api, UserGet));
  api.Route("POST", "/v1/api_key", Bind(api, KeyCreate));
  api.Route("GET", "/v1/api_key", Bind(api, KeyList));
  api.Route("GET", "/v1/api_key/{id}", Bind(api, KeyGet));
  api.Route("DELETE", "/v1/api_key/{id}", Bind(api, KeyDelete));
  api.Route("PATCH", "/v1/organization/members", Bind(api, MembersPatch));  // before "{id}"
  api.Route("GET", "/v1/organization", Bind(api, OrgList));
  api.Route("GET", "/v1/organization/{id}", Bind(api, OrgGet));
  api.Route("PATCH", "/v1/organization/{id}", Bind(api, OrgPatch));
  for (const char* path : {"/environment", "/v1/environment"}) {
    RegisterResource(api, Resource{.kind = "environment",
                                   .path = path,
                                   .scope = Scope::kOrg,
                                   .required = {"name", "slug"},
                                   .fields = {"name", "slug", "description"},
                                   .patch_fields = {"name", "slug", "description"},
                                   .name_params = {"name"},
                                   .name_field = "slug",
                                   .has_put = false,
                                   .has_user = false});
  }
}

}  // namespace spanlake::server::rest
