// Control-plane object documents shared by the SDK's wire endpoints
// (wire_objects.cc) and the REST resources (wire_rest*.cc): the shape of a
// new project, experiment or dataset, and get-or-create by name.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "json/value.h"
#include "meta/store.h"
#include "server/api.h"

namespace spanlake::server {

// body[key], or null when absent.
json::Value NullOr(const json::Value& body, const char* key);

// The live object of `kind` named `name`, created with make() when absent. A
// concurrent creator may win the race; then theirs is returned.
Result<json::Value> GetOrCreate(meta::Store& store, const std::string& kind, const std::string& org,
                                const std::string& parent, const std::string& name,
                                const std::function<json::Value()>& make);

json::Value NewProjectDoc(const meta::Principal& who, const std::string& name,
                          const json::Value& description);
Result<json::Value> EnsureProject(Api& api, const meta::Principal& who, const std::string& name);

// A name not yet taken by a live experiment of the project: name, name-1, ...
Result<std::string> FreeExperimentName(Api& api, const std::string& org, const std::string& project,
                                       const std::string& name);

// Documents built from a create request's body (fields the body lacks are null).
json::Value NewExperimentDoc(const json::Value& body, const meta::Principal& who,
                             const std::string& project_id, const std::string& name,
                             const std::string& base_id);
json::Value NewDatasetDoc(const json::Value& body, const meta::Principal& who,
                          const std::string& project_id, const std::string& name);

}  // namespace spanlake::server
