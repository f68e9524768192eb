// Conventions shared by the public REST v1 resources (api/braintrust-wire.md
// §6, Braintrust's OpenAPI spec): list parameters and paging, `{objects}`
// responses, PATCH merging, and a table-driven resource for the many kinds
// that are plain documents under a parent (roles, groups, project scores,
// tags, span iframes, views, dataset snapshots, environments).
//
// Every lookup is confined to the caller's org: another org's id answers 404
// exactly like an id that never existed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"
#include "server/acl.h"
#include "server/api.h"

namespace spanlake::server::rest {

using Call = Api::Call;

// The request's JSON body as an object ({} when empty). The dispatcher leaves
// PUT bodies unparsed (signed uploads use PUT), so they are parsed here.
Result<json::Value> Body(const Call& call);

// Every value of a query parameter, repeated or comma-separated.
std::vector<std::string> QueryAll(const http::Request& req, const std::string& name);
std::optional<std::string> QueryOne(const http::Request& req, const std::string& name);

// The parameters every list endpoint takes.
struct ListQuery {
  size_t limit = SIZE_MAX;
  std::optional<std::string> starting_after;
  std::optional<std::string> ending_before;
  std::vector<std::string> ids;
  bool other_org = false;  // `org_name` names some other org: the answer is empty
};
Result<ListQuery> ParseListQuery(const Call& call);

// NotFound unless `org_name` (a body field or query parameter) is absent or
// names the caller's org.
Status CheckOrgName(const Call& call, const json::Value& body);

// Decides whether a listed object is returned (e.g. whether it may be read).
using Keep = std::function<Result<bool>(const json::Value& doc)>;

// Live objects of `kind` in the caller's org, newest first, filtered by
// `base` (parent, name) and the list query, keeping those `keep` accepts and
// paging through the store until `limit` are kept.
Result<json::Array> ListKept(meta::Store& store, const std::string& org_id, const std::string& kind,
                             meta::ListOptions base, const ListQuery& q, const Keep& keep);

// Applies the list query to objects built in memory, newest first.
json::Array PageInMemory(std::vector<json::Value> docs, const ListQuery& q);

http::Response Objects(json::Array objects);

// PATCH: each present key of `allowed` replaces the document's value, except
// that objects deep-merge into objects (Braintrust's documented semantics).
void ApplyPatch(json::Value& doc, const json::Value& patch,
                const std::vector<std::string>& allowed);

// Field checks with errors that name the field.
Status CheckType(const json::Value& body, const char* key, json::Type type, const char* what);
Status CheckStringArray(const json::Value& body, const char* key);
Status CheckEnum(const json::Value& body, const char* key, const std::vector<std::string>& values,
                 bool nullable);

std::string StringField(const json::Value& doc, const char* key);

// --- users (wire_rest_org.cc) ---

// The users of an org, newest first: its members ("user" objects made by
// PATCH /v1/organization/members) and its owner user (whose keys come from
// `spanlake keys create` and the bootstrap), as the User schema.
Result<std::vector<json::Value>> OrgUsers(Api& api, const std::string& org_id);
// NotFound unless `user_id` is a user of the org.
Status RequireOrgUser(Api& api, const std::string& org_id, const std::string& user_id);

// --- table-driven resources ---

// Where objects of a resource live and whose permissions govern them.
enum class Scope {
  kOrg,      // in the org (role, group, environment)
  kProject,  // under project_id; governed by the project (score, tag, span iframe)
  kDataset,  // under dataset_id; governed by the dataset (dataset snapshot)
  kObject,   // under (object_type, object_id); governed by that object (view)
};

struct Resource {
  std::string kind;  // store kind
  std::string path;  // collection path, e.g. "/v1/project_score"
  Scope scope = Scope::kOrg;
  // For kOrg: the ACL object type of the objects, or "" when any live member
  // may read them and writes need `update` on the organization.
  std::string acl_type;
  std::vector<std::string> required;      // create fields that must be non-empty strings
  std::vector<std::string> fields;        // create fields copied from the body (null when absent)
  std::vector<std::string> patch_fields;  // fields PATCH may change
  std::vector<std::string> name_params;   // list filters on the "name" field
  std::vector<std::string> eq_params;     // list filters on a field of the same name
  std::string name_field = "name";        // unique within the parent among live objects
  bool has_put = true;
  bool has_user = true;  // documents carry the creator's user_id
  bool has_deleted_at = true;
  // Checks and normalizes a create body before the document is built.
  std::function<Status(Api&, const Call&, json::Value& body)> validate;
  // Applies a PATCH body; ApplyPatch over patch_fields when unset.
  std::function<Status(Api&, const Call&, const json::Value& patch, json::Value& doc)> patch;
  // The unique name of a document (default: its name_field).
  std::function<std::string(const json::Value& doc)> unique_name;
};

void RegisterResource(Api& api, Resource resource);

// Registration by area (wire_rest_*.cc).
void RegisterProjectRoutes(Api& api);
void RegisterPromptRoutes(Api& api);
void RegisterAclRoutes(Api& api);
void RegisterOrgRoutes(Api& api);
void RegisterConfigRoutes(Api& api);

}  // namespace spanlake::server::rest
