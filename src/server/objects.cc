#include "server/objects.h"

#include "base/random.h"
#include "base/time.h"

namespace spanlake::server {

json::Value NullOr(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  return v ? *v : json::Value();
}

Result<json::Value> GetOrCreate(meta::Store& store, const std::string& kind, const std::string& org,
                                const std::string& parent, const std::string& name,
                                const std::function<json::Value()>& make) {
  ASSIGN_OR_RETURN(std::optional<json::Value> found,
                   store.FindObjectByName(kind, org, parent, name));
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

json::Value NewProjectDoc(const meta::Principal& who, const std::string& name,
                          const json::Value& description) {
  return json::Value(json::Object{{"id", NewUuid()},
                                  {"org_id", who.org_id},
                                  {"name", name},
                                  {"description", description},
                                  {"created", NowIso()},
                                  {"deleted_at", nullptr},
                                  {"user_id", who.user_id},
                                  {"settings", nullptr}});
}

Result<json::Value> EnsureProject(Api& api, const meta::Principal& who, const std::string& name) {
  return GetOrCreate(api.store(), "project", who.org_id, "", name,
                     [&] { return NewProjectDoc(who, name, json::Value()); });
}

Result<std::string> FreeExperimentName(Api& api, const std::string& org, const std::string& project,
                                       const std::string& name) {
  for (int i = 0; i < 10000; ++i) {
    std::string candidate = i == 0 ? name : name + "-" + std::to_string(i);
    ASSIGN_OR_RETURN(auto found,
                     api.store().FindObjectByName("experiment", org, project, candidate));
    if (!found) return candidate;
  }
  return Status::AlreadyExists("no free experiment name derived from '" + name + "'");
}

json::Value NewExperimentDoc(const json::Value& body, const meta::Principal& who,
                             const std::string& project_id, const std::string& name,
                             const std::string& base_id) {
  const json::Value* is_public = body.find("public");
  json::Object e{{"id", NewUuid()},
                 {"project_id", project_id},
                 {"name", name},
                 {"description", NullOr(body, "description")},
                 {"created", NowIso()},
                 {"repo_info", NullOr(body, "repo_info")},
                 {"commit", nullptr},
                 {"base_exp_id", base_id.empty() ? json::Value() : json::Value(base_id)},
                 {"deleted_at", nullptr},
                 {"dataset_id", NullOr(body, "dataset_id")},
                 {"dataset_version", NullOr(body, "dataset_version")},
                 {"internal_metadata", NullOr(body, "internal_metadata")},
                 {"parameters_id", NullOr(body, "parameters_id")},
                 {"parameters_version", NullOr(body, "parameters_version")},
                 {"public", is_public && is_public->is_bool() ? *is_public : json::Value(false)},
                 {"user_id", who.user_id},
                 {"metadata", NullOr(body, "metadata")},
                 {"tags", NullOr(body, "tags")}};
  if (const json::Value* repo = body.find("repo_info"); repo && repo->find("commit")) {
    e.set("commit", *repo->find("commit"));
  }
  return json::Value(std::move(e));
}

json::Value NewDatasetDoc(const json::Value& body, const meta::Principal& who,
                          const std::string& project_id, const std::string& name) {
  return json::Value(json::Object{{"id", NewUuid()},
                                  {"project_id", project_id},
                                  {"name", name},
                                  {"description", NullOr(body, "description")},
                                  {"created", NowIso()},
                                  {"deleted_at", nullptr},
                                  {"user_id", who.user_id},
                                  {"metadata", NullOr(body, "metadata")},
                                  {"tags", NullOr(body, "tags")},
                                  {"url_slug", name}});
}

}  // namespace spanlake::server
