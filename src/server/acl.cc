#include "server/acl.h"

#include <algorithm>
#include <cstdint>

namespace spanlake::server::acl {

namespace {

constexpr std::array<std::string_view, 8> kPermissionNames = {
    "create", "read", "update", "delete", "create_acls", "read_acls", "update_acls", "delete_acls"};

constexpr std::array<std::string_view, 12> kObjectTypes = {
    "organization", "project", "experiment", "dataset",     "prompt",      "prompt_session",
    "group",        "role",    "org_member", "project_log", "org_project", "org_audit_logs"};

// Role nesting deeper than this is treated as a cycle and grants nothing more.
constexpr int kMaxRoleDepth = 16;

std::string StringOr(const json::Value& doc, const char* key) {
  const json::Value* v = doc.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

std::vector<std::string> Strings(const json::Value& doc, const char* key) {
  std::vector<std::string> out;
  const json::Value* v = doc.find(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const json::Value& e : v->as_array()) {
    if (e.is_string()) out.push_back(e.as_string());
  }
  return out;
}

bool OnChain(const ObjectRef& object, const Target& target) {
  for (const ObjectRef& o : target.chain) {
    if (o.type == object.type && o.id == object.id) return true;
  }
  return false;
}

bool TypeAllowed(const std::string& restrict_object_type, const Target& target) {
  return restrict_object_type.empty() || restrict_object_type == target.type;
}

// Whether role `id` (or a role it inherits from) holds `p` for the target's type.
bool RoleGrants(const std::string& id, Permission p, const Target& target, const Facts& facts,
                std::set<std::string>& seen) {
  if (!seen.insert(id).second) return false;
  auto it = facts.roles.find(id);
  if (it == facts.roles.end()) return false;
  for (const RolePermission& rp : it->second.permissions) {
    if (rp.permission == p && TypeAllowed(rp.restrict_object_type, target)) return true;
  }
  for (const std::string& member : it->second.member_roles) {
    if (RoleGrants(member, p, target, facts, seen)) return true;
  }
  return false;
}

}  // namespace

std::string_view Name(Permission p) { return kPermissionNames[static_cast<size_t>(p)]; }

std::optional<Permission> ParsePermission(std::string_view name) {
  for (size_t i = 0; i < kPermissionNames.size(); ++i) {
    if (kPermissionNames[i] == name) return kAllPermissions[i];
  }
  return std::nullopt;
}

bool IsObjectType(std::string_view type) {
  for (std::string_view t : kObjectTypes) {
    if (t == type) return true;
  }
  return false;
}

std::set<std::string> GroupsOf(const std::string& user_id,
                               const std::map<std::string, Group>& groups) {
  std::set<std::string> in;
  // Fixed point: a group joins when it lists the user or a group already in.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [id, group] : groups) {
      if (in.count(id)) continue;
      bool member = std::find(group.member_users.begin(), group.member_users.end(), user_id) !=
                    group.member_users.end();
      for (size_t i = 0; !member && i < group.member_groups.size(); ++i) {
        member = in.count(group.member_groups[i]) > 0;
      }
      if (member) grew = in.insert(id).second;
    }
  }
  return in;
}

bool Decide(const std::string& user_id, Permission p, const Target& target, const Facts& facts) {
  std::set<std::string> groups = GroupsOf(user_id, facts.groups);
  for (const Grant& g : facts.grants) {
    bool mine = (!g.user_id.empty() && g.user_id == user_id) ||
                (!g.group_id.empty() && groups.count(g.group_id) > 0);
    if (!mine || !OnChain(g.object, target) || !TypeAllowed(g.restrict_object_type, target)) {
      continue;
    }
    if (g.permission) {
      if (*g.permission == p) return true;
      continue;
    }
    std::set<std::string> seen;
    if (RoleGrants(g.role_id, p, target, facts, seen)) return true;
  }
  return false;
}

Result<Grant> GrantFromDoc(const json::Value& doc) {
  Grant g;
  g.object = ObjectRef{StringOr(doc, "object_type"), StringOr(doc, "object_id")};
  g.user_id = StringOr(doc, "user_id");
  g.group_id = StringOr(doc, "group_id");
  g.role_id = StringOr(doc, "role_id");
  g.restrict_object_type = StringOr(doc, "restrict_object_type");
  if (std::string perm = StringOr(doc, "permission"); !perm.empty()) {
    g.permission = ParsePermission(perm);
    if (!g.permission)
      return Status::Corruption("stored ACL has unknown permission '" + perm + "'");
  }
  return g;
}

Role RoleFromDoc(const json::Value& doc) {
  Role role;
  role.member_roles = Strings(doc, "member_roles");
  const json::Value* perms = doc.find("member_permissions");
  if (perms == nullptr || !perms->is_array()) return role;
  for (const json::Value& mp : perms->as_array()) {
    std::optional<Permission> p = ParsePermission(StringOr(mp, "permission"));
    if (p) role.permissions.push_back(RolePermission{*p, StringOr(mp, "restrict_object_type")});
  }
  return role;
}

Group GroupFromDoc(const json::Value& doc) {
  return Group{Strings(doc, "member_users"), Strings(doc, "member_groups")};
}

// --- Authorizer ---

Result<bool> Authorizer::IsLiveUser() {
  if (who_.owner) return true;
  if (!live_) {
    ASSIGN_OR_RETURN(auto user, store_.GetObject("user", who_.org_id, who_.user_id));
    live_ = user.has_value();
  }
  return *live_;
}

Status Authorizer::LoadGroups() {
  if (groups_loaded_) return Status::Ok();
  ASSIGN_OR_RETURN(auto docs, store_.ListObjects("group", who_.org_id, meta::ListOptions{}));
  for (const json::Value& doc : docs) facts_.groups[StringOr(doc, "id")] = GroupFromDoc(doc);
  groups_loaded_ = true;
  return Status::Ok();
}

Status Authorizer::LoadRole(const std::string& role_id, int depth) {
  if (depth > kMaxRoleDepth || !roles_tried_.insert(role_id).second) return Status::Ok();
  ASSIGN_OR_RETURN(auto doc, store_.GetObject("role", who_.org_id, role_id));
  if (!doc) return Status::Ok();
  Role role = RoleFromDoc(*doc);
  for (const std::string& member : role.member_roles) RETURN_IF_ERROR(LoadRole(member, depth + 1));
  facts_.roles[role_id] = std::move(role);
  return Status::Ok();
}

Status Authorizer::LoadGrantsOn(const ObjectRef& object) {
  if (!grants_loaded_.insert(object.id).second) return Status::Ok();
  meta::ListOptions opts;
  opts.parent_id = object.id;
  opts.limit = SIZE_MAX;
  ASSIGN_OR_RETURN(auto docs, store_.ListObjects("acl", who_.org_id, opts));
  for (const json::Value& doc : docs) {
    ASSIGN_OR_RETURN(Grant g, GrantFromDoc(doc));
    if (!g.role_id.empty()) RETURN_IF_ERROR(LoadRole(g.role_id, 0));
    facts_.grants.push_back(std::move(g));
  }
  return Status::Ok();
}

Result<bool> Authorizer::Can(Permission p, const Target& target) {
  if (who_.owner) return true;
  ASSIGN_OR_RETURN(bool live, IsLiveUser());
  if (!live) return false;
  RETURN_IF_ERROR(LoadGroups());
  for (const ObjectRef& o : target.chain) RETURN_IF_ERROR(LoadGrantsOn(o));
  return Decide(who_.user_id, p, target, facts_);
}

Status Authorizer::Require(Permission p, const Target& target) {
  ASSIGN_OR_RETURN(bool ok, Can(p, target));
  if (ok) return Status::Ok();
  const ObjectRef& on = target.chain.back();
  std::string what = on.type == target.type ? target.type + " '" + on.id + "'"
                                            : target.type + " in " + on.type + " '" + on.id + "'";
  return Status::PermissionDenied("missing '" + std::string(Name(p)) + "' permission on " + what);
}

// --- targets ---

Target OrgTarget(const std::string& org_id, const std::string& type) {
  Target t{type, {ObjectRef{"organization", org_id}}};
  if (type == "org_member" || type == "org_project" || type == "org_audit_logs") {
    t.chain.push_back(ObjectRef{type, org_id});
  } else if (type == "project") {
    t.chain.push_back(ObjectRef{"org_project", org_id});
  }
  return t;
}

Target ProjectTarget(const std::string& org_id, const std::string& project_id,
                     const std::string& type) {
  Target t = OrgTarget(org_id, "project");
  t.type = type;
  t.chain.push_back(ObjectRef{"project", project_id});
  return t;
}

Target InProjectTarget(const std::string& org_id, const std::string& project_id,
                       const std::string& type, const std::string& id) {
  Target t = ProjectTarget(org_id, project_id, type);
  if (!id.empty()) t.chain.push_back(ObjectRef{type, id});
  return t;
}

namespace {

Result<json::Value> LiveObject(meta::Store& store, const std::string& kind,
                               const std::string& org_id, const std::string& id,
                               const std::string& type) {
  ASSIGN_OR_RETURN(auto doc, store.GetObject(kind, org_id, id));
  if (!doc) return Status::NotFound(type + " '" + id + "' not found");
  return *doc;
}

}  // namespace

Result<Target> ResolveTarget(meta::Store& store, const std::string& org_id,
                             const std::string& object_type, const std::string& object_id) {
  if (!IsObjectType(object_type)) {
    return Status::InvalidArgument("'object_type' must be one of the ACL object types, not '" +
                                   object_type + "'");
  }
  if (object_type == "organization" || object_type == "org_member" ||
      object_type == "org_project" || object_type == "org_audit_logs") {
    if (object_id != org_id)
      return Status::NotFound(object_type + " '" + object_id + "' not found");
    return OrgTarget(org_id, object_type);
  }
  if (object_type == "project" || object_type == "project_log") {
    RETURN_IF_ERROR(LiveObject(store, "project", org_id, object_id, object_type).status());
    Target t = ProjectTarget(org_id, object_id, object_type);
    if (object_type == "project_log") t.chain.push_back(ObjectRef{"project_log", object_id});
    return t;
  }
  if (object_type == "experiment" || object_type == "dataset" || object_type == "prompt") {
    std::string kind = object_type == "prompt" ? "function" : object_type;
    ASSIGN_OR_RETURN(json::Value doc, LiveObject(store, kind, org_id, object_id, object_type));
    return InProjectTarget(org_id, StringOr(doc, "project_id"), object_type, object_id);
  }
  if (object_type == "group" || object_type == "role") {
    RETURN_IF_ERROR(LiveObject(store, object_type, org_id, object_id, object_type).status());
    Target t = OrgTarget(org_id, object_type);
    t.chain.push_back(ObjectRef{object_type, object_id});
    return t;
  }
  return Status::NotFound(object_type + " '" + object_id + "' not found");  // prompt_session
}

}  // namespace spanlake::server::acl
