// REST: ACLs, roles and groups — the facts server/acl.h decides with.
//
// An ACL is stored as an object of kind "acl" whose parent is the object it
// is on, and whose name is a canonical form of its tuple, so that creating
// the same ACL twice returns the first one and removing by tuple is a lookup.
// Managing ACLs on an object takes the `*_acls` permissions on that object.
#include <algorithm>

#include "base/random.h"
#include "base/time.h"
#include "server/objects.h"
#include "server/wire_rest.h"

namespace spanlake::server::rest {

namespace {

using acl::Permission;

const std::vector<std::string> kAclFilters = {"object_type", "object_id",  "user_id",
                                              "group_id",    "permission", "restrict_object_type",
                                              "role_id"};

Status CheckObjectType(const json::Value& body, const char* key, bool nullable) {
  const json::Value* v = body.find(key);
  if (v == nullptr || (nullable && v->is_null())) return Status::Ok();
  if (v->is_string() && acl::IsObjectType(v->as_string())) return Status::Ok();
  return Status::InvalidArgument(std::string("'") + key + "' must be an ACL object type");
}

Status CheckPermission(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  if (v != nullptr && v->is_string() && acl::ParsePermission(v->as_string())) return Status::Ok();
  return Status::InvalidArgument(std::string("'") + key +
                                 "' must be one of create, read, update, delete, create_acls, "
                                 "read_acls, update_acls, delete_acls");
}

Status RequireLive(Api& api, const Call& call, const std::string& kind, const std::string& id) {
  ASSIGN_OR_RETURN(auto doc, api.store().GetObject(kind, call.who.org_id, id));
  if (!doc) return Status::NotFound(kind + " '" + id + "' not found");
  return Status::Ok();
}

// One of `a` and `b` must be a non-empty string, not both.
Result<std::string> ExactlyOne(const json::Value& item, const char* a, const char* b) {
  std::string va = StringField(item, a);
  std::string vb = StringField(item, b);
  if (va.empty() == vb.empty()) {
    return Status::InvalidArgument(std::string("exactly one of '") + a + "' and '" + b +
                                   "' is required");
  }
  return va.empty() ? std::string(b) : std::string(a);
}

struct AclItem {
  json::Value doc;  // the ACL's fields, without id and created
  acl::Target target;
  std::string name;  // canonical form of the tuple
};

// Validates an AclItem and resolves what it names within the caller's org.
Result<AclItem> ParseItem(Api& api, const Call& call, const json::Value& item) {
  if (!item.is_object()) return Status::InvalidArgument("an ACL item must be an object");
  ASSIGN_OR_RETURN(std::string type, RequireString(item, "object_type"));
  ASSIGN_OR_RETURN(std::string object_id, RequireString(item, "object_id"));
  RETURN_IF_ERROR(CheckObjectType(item, "restrict_object_type", /*nullable=*/true));
  ASSIGN_OR_RETURN(std::string who_field, ExactlyOne(item, "user_id", "group_id"));
  ASSIGN_OR_RETURN(std::string what_field, ExactlyOne(item, "permission", "role_id"));
  if (what_field == "permission") RETURN_IF_ERROR(CheckPermission(item, "permission"));
  ASSIGN_OR_RETURN(acl::Target target,
                   acl::ResolveTarget(api.store(), call.who.org_id, type, object_id));
  std::string subject = StringField(item, who_field.c_str());
  if (who_field == "user_id") {
    RETURN_IF_ERROR(RequireOrgUser(api, call.who.org_id, subject));
  } else {
    RETURN_IF_ERROR(RequireLive(api, call, "group", subject));
  }
  std::string what = StringField(item, what_field.c_str());
  if (what_field == "role_id") RETURN_IF_ERROR(RequireLive(api, call, "role", what));
  std::string restrict = StringField(item, "restrict_object_type");
  json::Object doc{{"object_type", type}, {"object_id", object_id}};
  for (const char* f : {"user_id", "group_id", "permission", "restrict_object_type", "role_id"}) {
    std::string v = StringField(item, f);
    doc.set(f, v.empty() ? json::Value() : json::Value(v));
  }
  doc.set("_object_org_id", call.who.org_id);
  std::string name = type + "|" + who_field + "=" + subject + "|" + what_field + "=" + what +
                     "|restrict=" + restrict;
  return AclItem{json::Value(std::move(doc)), std::move(target), std::move(name)};
}

// Creates the ACL, or returns the identical one that exists.
Result<json::Value> AddAcl(Api& api, const Call& call, const AclItem& item) {
  const std::string object_id = StringField(item.doc, "object_id");
  const std::string& org = call.who.org_id;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("acl", org, object_id, item.name));
    if (found) return *found;
    json::Value doc = item.doc;
    doc.as_object().set("id", NewUuid());
    doc.as_object().set("created", NowIso());
    Status st = api.store().CreateObject("acl", org, object_id, item.name, doc);
    if (st.ok()) return doc;
    if (st.code() != Code::kAlreadyExists) return st;
  }
  return Status::Unavailable("ACL is contended; retry");
}

// Removes the ACL with this tuple; nullopt when there is none.
Result<std::optional<json::Value>> RemoveAcl(Api& api, const Call& call, const AclItem& item) {
  const std::string& org = call.who.org_id;
  ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName(
                                   "acl", org, StringField(item.doc, "object_id"), item.name));
  if (!found) return found;
  Status st = api.store().DeleteObject("acl", org, StringField(*found, "id"));
  if (!st.ok() && st.code() != Code::kNotFound) return st;
  return found;
}

Result<http::Response> AclCreate(Api& api, Call& call) {
  ASSIGN_OR_RETURN(AclItem item, ParseItem(api, call, call.body));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kCreateAcls, item.target));
  ASSIGN_OR_RETURN(json::Value doc, AddAcl(api, call, item));
  return JsonResponse(doc);
}

Result<http::Response> AclDeleteByItem(Api& api, Call& call) {
  ASSIGN_OR_RETURN(AclItem item, ParseItem(api, call, call.body));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kDeleteAcls, item.target));
  ASSIGN_OR_RETURN(auto removed, RemoveAcl(api, call, item));
  if (!removed) return Status::NotFound("no such ACL");
  return JsonResponse(*removed);
}

bool MatchesFilters(const Call& call, const json::Value& doc) {
  for (const std::string& f : kAclFilters) {
    std::optional<std::string> want = QueryOne(call.req, f);
    if (want && StringField(doc, f.c_str()) != *want) return false;
  }
  return true;
}

Result<http::Response> AclList(Api& api, Call& call) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  std::optional<std::string> type = QueryOne(call.req, "object_type");
  std::optional<std::string> object_id = QueryOne(call.req, "object_id");
  if (!type || !object_id) {
    return Status::InvalidArgument("query parameters 'object_type' and 'object_id' are required");
  }
  ASSIGN_OR_RETURN(acl::Target target,
                   acl::ResolveTarget(api.store(), call.who.org_id, *type, *object_id));
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(Permission::kReadAcls, target));
  meta::ListOptions base;
  base.parent_id = *object_id;
  const Keep keep = [&](const json::Value& d) -> Result<bool> { return MatchesFilters(call, d); };
  ASSIGN_OR_RETURN(json::Array objects,
                   ListKept(api.store(), call.who.org_id, "acl", base, q, keep));
  return Objects(std::move(objects));
}

// Whether the caller may see an ACL: `read_acls` on the object it is on.
Result<bool> CanReadAcl(Api& api, const Call& call, acl::Authorizer& az, const json::Value& doc) {
  Result<acl::Target> target = acl::ResolveTarget(
      api.store(), call.who.org_id, StringField(doc, "object_type"), StringField(doc, "object_id"));
  if (!target.ok())
    return target.status().code() == Code::kNotFound ? Result<bool>(false) : target.status();
  return az.Can(Permission::kReadAcls, *target);
}

Result<http::Response> AclListOrg(Api& api, Call& call) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(call));
  acl::Authorizer az(api.store(), call.who);
  const Keep keep = [&](const json::Value& d) -> Result<bool> {
    if (!MatchesFilters(call, d)) return false;
    return CanReadAcl(api, call, az, d);
  };
  ASSIGN_OR_RETURN(json::Array objects,
                   ListKept(api.store(), call.who.org_id, "acl", meta::ListOptions{}, q, keep));
  return JsonResponse(json::Value(std::move(objects)));  // a bare array, as in the spec
}

Result<json::Value> GuardedAcl(Api& api, const Call& call, Permission p) {
  const std::string& id = call.params[0];
  ASSIGN_OR_RETURN(auto doc, api.store().GetObject("acl", call.who.org_id, id));
  if (!doc) return Status::NotFound("acl '" + id + "' not found");
  Result<acl::Target> target =
      acl::ResolveTarget(api.store(), call.who.org_id, StringField(*doc, "object_type"),
                         StringField(*doc, "object_id"));
  if (!target.ok()) return Status::NotFound("acl '" + id + "' not found");
  acl::Authorizer az(api.store(), call.who);
  RETURN_IF_ERROR(az.Require(p, *target));
  return *doc;
}

Result<http::Response> AclGet(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value doc, GuardedAcl(api, call, Permission::kReadAcls));
  return JsonResponse(doc);
}

Result<http::Response> AclDeleteById(Api& api, Call& call) {
  ASSIGN_OR_RETURN(json::Value doc, GuardedAcl(api, call, Permission::kDeleteAcls));
  RETURN_IF_ERROR(api.store().DeleteObject("acl", call.who.org_id, call.params[0]));
  return JsonResponse(doc);
}

Result<std::vector<AclItem>> ParseItems(Api& api, const Call& call, const char* key,
                                        Permission need, acl::Authorizer& az) {
  std::vector<AclItem> items;
  const json::Value* list = call.body.find(key);
  if (list == nullptr || list->is_null()) return items;
  if (!list->is_array())
    return Status::InvalidArgument(std::string("'") + key + "' must be an array");
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    Result<AclItem> item = ParseItem(api, call, list->as_array()[i]);
    if (!item.ok()) return item.status().WithContext(where);
    RETURN_IF_ERROR(az.Require(need, item->target).WithContext(where));
    items.push_back(std::move(item).value());
  }
  return items;
}

// Validates and authorizes every item before changing anything.
Result<http::Response> AclBatchUpdate(Api& api, Call& call) {
  acl::Authorizer az(api.store(), call.who);
  ASSIGN_OR_RETURN(std::vector<AclItem> add,
                   ParseItems(api, call, "add_acls", Permission::kCreateAcls, az));
  ASSIGN_OR_RETURN(std::vector<AclItem> remove,
                   ParseItems(api, call, "remove_acls", Permission::kDeleteAcls, az));
  json::Array added;
  json::Array removed;
  for (const AclItem& item : add) {
    ASSIGN_OR_RETURN(json::Value doc, AddAcl(api, call, item));
    added.push_back(std::move(doc));
  }
  for (const AclItem& item : remove) {
    ASSIGN_OR_RETURN(auto doc, RemoveAcl(api, call, item));
    if (doc) removed.push_back(std::move(*doc));
  }
  return JsonResponse(
      json::Object{{"added_acls", std::move(added)}, {"removed_acls", std::move(removed)}});
}

// --- roles and groups ---

// Ids listed under `key` must name live objects of `kind` (or users) in the org.
Status CheckMembers(Api& api, const Call& call, const json::Value& body, const char* key,
                    const std::string& kind) {
  RETURN_IF_ERROR(CheckStringArray(body, key));
  const json::Value* v = body.find(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  for (const json::Value& id : v->as_array()) {
    if (kind == "user") {
      RETURN_IF_ERROR(RequireOrgUser(api, call.who.org_id, id.as_string()).WithContext(key));
    } else {
      RETURN_IF_ERROR(RequireLive(api, call, kind, id.as_string()).WithContext(key));
    }
  }
  return Status::Ok();
}

// [{permission, restrict_object_type}], normalized so that equal entries compare equal.
Result<json::Value> MemberPermissions(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  if (v == nullptr || v->is_null()) return json::Value();
  if (!v->is_array()) return Status::InvalidArgument(std::string("'") + key + "' must be an array");
  json::Array out;
  for (size_t i = 0; i < v->as_array().size(); ++i) {
    const json::Value& mp = v->as_array()[i];
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!mp.is_object()) return Status::InvalidArgument(where + " must be an object");
    RETURN_IF_ERROR(CheckPermission(mp, "permission").WithContext(where));
    RETURN_IF_ERROR(CheckObjectType(mp, "restrict_object_type", true).WithContext(where));
    std::string restrict = StringField(mp, "restrict_object_type");
    out.push_back(json::Object{
        {"permission", StringField(mp, "permission")},
        {"restrict_object_type", restrict.empty() ? json::Value() : json::Value(restrict)}});
  }
  return json::Value(std::move(out));
}

// Adds `add` to (and then removes `remove` from) the array doc[field].
void EditList(json::Value& doc, const char* field, const json::Value& add,
              const json::Value& remove) {
  json::Array list;
  if (const json::Value* cur = doc.find(field); cur && cur->is_array()) list = cur->as_array();
  if (add.is_array()) {
    for (const json::Value& v : add.as_array()) {
      if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
    }
  }
  if (remove.is_array()) {
    for (const json::Value& v : remove.as_array())
      list.erase(std::remove(list.begin(), list.end(), v), list.end());
  }
  doc.as_object().set(field, std::move(list));
}

Status ValidateRole(Api& api, const Call& call, json::Value& body) {
  ASSIGN_OR_RETURN(json::Value perms, MemberPermissions(body, "member_permissions"));
  body.as_object().set("member_permissions", perms.is_null() ? json::Value(json::Array{}) : perms);
  RETURN_IF_ERROR(CheckMembers(api, call, body, "member_roles", "role"));
  if (!body.find("member_roles") || body.find("member_roles")->is_null()) {
    body.as_object().set("member_roles", json::Array{});
  }
  return Status::Ok();
}

Status PatchRole(Api& api, const Call& call, const json::Value& patch, json::Value& doc) {
  ApplyPatch(doc, patch, {"name", "description"});
  ASSIGN_OR_RETURN(json::Value add, MemberPermissions(patch, "add_member_permissions"));
  ASSIGN_OR_RETURN(json::Value remove, MemberPermissions(patch, "remove_member_permissions"));
  EditList(doc, "member_permissions", add, remove);
  RETURN_IF_ERROR(CheckMembers(api, call, patch, "add_member_roles", "role"));
  RETURN_IF_ERROR(CheckStringArray(patch, "remove_member_roles"));
  EditList(doc, "member_roles", NullOr(patch, "add_member_roles"),
           NullOr(patch, "remove_member_roles"));
  return Status::Ok();
}

Status ValidateGroup(Api& api, const Call& call, json::Value& body) {
  RETURN_IF_ERROR(CheckMembers(api, call, body, "member_users", "user"));
  RETURN_IF_ERROR(CheckMembers(api, call, body, "member_groups", "group"));
  for (const char* f : {"member_users", "member_groups"}) {
    if (!body.find(f) || body.find(f)->is_null()) body.as_object().set(f, json::Array{});
  }
  return Status::Ok();
}

Status PatchGroup(Api& api, const Call& call, const json::Value& patch, json::Value& doc) {
  ApplyPatch(doc, patch, {"name", "description"});
  RETURN_IF_ERROR(CheckMembers(api, call, patch, "add_member_users", "user"));
  RETURN_IF_ERROR(CheckMembers(api, call, patch, "add_member_groups", "group"));
  RETURN_IF_ERROR(CheckStringArray(patch, "remove_member_users"));
  RETURN_IF_ERROR(CheckStringArray(patch, "remove_member_groups"));
  EditList(doc, "member_users", NullOr(patch, "add_member_users"),
           NullOr(patch, "remove_member_users"));
  EditList(doc, "member_groups", NullOr(patch, "add_member_groups"),
           NullOr(patch, "remove_member_groups"));
  return Status::Ok();
}

}  // namespace

void RegisterAclRoutes(Api& api) {
  // Fixed paths before "{id}": the first matching route wins.
  api.Route("POST", "/v1/acl/batch_update", Bind(api, AclBatchUpdate));
  api.Route("GET", "/v1/acl/list_org", Bind(api, AclListOrg));
  api.Route("POST", "/v1/acl", Bind(api, AclCreate));
  api.Route("DELETE", "/v1/acl", Bind(api, AclDeleteByItem));
  api.Route("GET", "/v1/acl", Bind(api, AclList));
  api.Route("GET", "/v1/acl/{id}", Bind(api, AclGet));
  api.Route("DELETE", "/v1/acl/{id}", Bind(api, AclDeleteById));

  RegisterResource(api,
                   Resource{.kind = "role",
                            .path = "/v1/role",
                            .scope = Scope::kOrg,
                            .acl_type = "role",
                            .required = {"name"},
                            .fields = {"name", "description", "member_permissions", "member_roles"},
                            .name_params = {"role_name"},
                            .validate = ValidateRole,
                            .patch = PatchRole});
  RegisterResource(api, Resource{.kind = "group",
                                 .path = "/v1/group",
                                 .scope = Scope::kOrg,
                                 .acl_type = "group",
                                 .required = {"name"},
                                 .fields = {"name", "description", "member_users", "member_groups"},
                                 .name_params = {"group_name"},
                                 .validate = ValidateGroup,
                                 .patch = PatchGroup});
}

}  // namespace spanlake::server::rest
