// Access control with Braintrust's permission model.
//
// Principals: an API key acts as its user. The org's owner (keys made by
// `spanlake keys create` and the bootstrap admin key) holds every permission.
// Any other user is a member: a live "user" object of the org, whose
// permissions come only from ACLs.
//
// An ACL grants one user or one group either one permission or a role (a set
// of permissions, inherited from its member roles) on one object. A grant on
// an object also covers everything beneath it: organization → project →
// experiment / dataset / prompt / project_log. `restrict_object_type` narrows
// a grant (and each permission of a role) to objects of that type. A user is
// in a group when the group lists the user, or lists a group the user is in.
//
// Decide() is the pure rule; Authorizer gathers its facts from the metadata
// store (ACLs, groups and roles are generic objects of kinds "acl", "group",
// "role"; members are "user" objects) and caches them for one request.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "json/value.h"
#include "meta/store.h"

namespace spanlake::server::acl {

enum class Permission {
  kCreate,
  kRead,
  kUpdate,
  kDelete,
  kCreateAcls,
  kReadAcls,
  kUpdateAcls,
  kDeleteAcls
};
inline constexpr std::array<Permission, 8> kAllPermissions = {
    Permission::kCreate,     Permission::kRead,       Permission::kUpdate,
    Permission::kDelete,     Permission::kCreateAcls, Permission::kReadAcls,
    Permission::kUpdateAcls, Permission::kDeleteAcls};

std::string_view Name(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);
// The object types of AclObjectType ("organization", "project", ...).
bool IsObjectType(std::string_view type);

// An object ACLs may be attached to.
struct ObjectRef {
  std::string type;
  std::string id;
};

// What a permission is checked on: an object of `type`, and the objects whose
// ACLs apply, outermost first — the organization, then the project, then the
// object itself once it exists (creating an experiment checks type
// "experiment" on the chain [organization, project]).
struct Target {
  std::string type;
  std::vector<ObjectRef> chain;
};

// One ACL, as stored.
struct Grant {
  ObjectRef object;
  std::string user_id;  // exactly one of user_id, group_id
  std::string group_id;
  std::optional<Permission> permission;  // exactly one of permission, role_id
  std::string role_id;
  std::string restrict_object_type;  // "" = every type
};

struct RolePermission {
  Permission permission;
  std::string restrict_object_type;  // "" = every type
};

struct Role {
  std::vector<RolePermission> permissions;
  std::vector<std::string> member_roles;  // ids of roles whose permissions this one has too
};

struct Group {
  std::vector<std::string> member_users;
  std::vector<std::string> member_groups;  // ids of groups whose users belong to this one too
};

struct Facts {
  std::vector<Grant> grants;            // at least those on the target's chain
  std::map<std::string, Role> roles;    // by id; a grant naming a missing role grants nothing
  std::map<std::string, Group> groups;  // by id
};

// The groups `user_id` belongs to, directly or through member groups.
std::set<std::string> GroupsOf(const std::string& user_id,
                               const std::map<std::string, Group>& groups);

// Whether member `user_id` holds `p` on `target` under `facts`. Pure.
bool Decide(const std::string& user_id, Permission p, const Target& target, const Facts& facts);

// Parsing of stored documents into facts.
Result<Grant> GrantFromDoc(const json::Value& doc);
Role RoleFromDoc(const json::Value& doc);
Group GroupFromDoc(const json::Value& doc);

// Answers permission questions for one principal, loading facts from the
// store on demand and keeping them for its lifetime (one request).
// Not thread-safe.
class Authorizer {
 public:
  Authorizer(meta::Store& store, const meta::Principal& who) : store_(store), who_(who) {}

  Result<bool> Can(Permission p, const Target& target);
  // PermissionDenied naming the permission and the object when not allowed.
  Status Require(Permission p, const Target& target);
  // Whether the principal is a live user of its org (owners always are).
  Result<bool> IsLiveUser();

 private:
  Status LoadGroups();
  Status LoadGrantsOn(const ObjectRef& object);
  Status LoadRole(const std::string& role_id, int depth);

  meta::Store& store_;
  const meta::Principal who_;
  std::optional<bool> live_;
  bool groups_loaded_ = false;
  std::set<std::string> grants_loaded_;  // object ids
  std::set<std::string> roles_tried_;
  Facts facts_;
};

// --- targets of the org's objects ---
Target OrgTarget(const std::string& org_id, const std::string& type = "organization");
Target ProjectTarget(const std::string& org_id, const std::string& project_id,
                     const std::string& type = "project");
// An object of `type` inside a project (experiment, dataset, prompt,
// project_log; `id` empty while it is being created).
Target InProjectTarget(const std::string& org_id, const std::string& project_id,
                       const std::string& type, const std::string& id);

// The target of a live object of the caller's org named by (object_type,
// object_id), as ACL and view requests name them. NotFound when there is no
// such object in the org (never "it is in another org").
Result<Target> ResolveTarget(meta::Store& store, const std::string& org_id,
                             const std::string& object_type, const std::string& object_id);

}  // namespace spanlake::server::acl
