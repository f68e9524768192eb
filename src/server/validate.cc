#include "server/validate.h"

#include <cmath>
#include <map>

#include "base/random.h"
#include "base/time.h"

namespace spanlake::server {

namespace {

Status Invalid(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + ": " + what);
}

Status CheckStringArray(const json::Value& v, const std::string& where) {
  if (!v.is_array()) return Invalid(where, "must be an array of strings");
  for (const json::Value& e : v.as_array()) {
    if (!e.is_string()) return Invalid(where, "must be an array of strings");
  }
  return Status::Ok();
}

Status CheckScores(const json::Value& v, const std::string& where) {
  if (!v.is_object()) return Invalid(where, "must be an object of name → number in [0, 1] or null");
  for (const auto& [name, s] : v.as_object()) {
    if (s.is_null()) continue;
    if (!s.is_number()) return Invalid(where + "." + name, "score must be a number in [0, 1] or null, got " + s.Dump());
    double d = s.as_double();
    if (!(d >= 0 && d <= 1)) return Invalid(where + "." + name, "score must be between 0 and 1, got " + s.Dump());
  }
  return Status::Ok();
}

Status CheckMetrics(const json::Value& v, const std::string& where) {
  if (!v.is_object()) return Invalid(where, "must be an object of name → number");
  for (const auto& [name, m] : v.as_object()) {
    if (!m.is_null() && !m.is_number()) {
      return Invalid(where + "." + name, "metric must be a number or null, got " + m.Dump());
    }
  }
  return Status::Ok();
}

Status CheckMergePaths(const json::Value& v, const std::string& where) {
  if (!v.is_array()) return Invalid(where, "must be an array of paths (arrays of strings)");
  for (size_t i = 0; i < v.as_array().size(); ++i) {
    RETURN_IF_ERROR(CheckStringArray(v.as_array()[i], where + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

Status CheckArrayDelete(const json::Value& v, const std::string& where) {
  if (!v.is_array()) return Invalid(where, "must be an array of {path, delete}");
  for (size_t i = 0; i < v.as_array().size(); ++i) {
    const json::Value& d = v.as_array()[i];
    std::string at = where + "[" + std::to_string(i) + "]";
    if (!d.is_object() || !d.find("path") || !d.find("delete")) return Invalid(at, "must be {path, delete}");
    RETURN_IF_ERROR(CheckStringArray(*d.find("path"), at + ".path"));
    if (!d.find("delete")->is_array()) return Invalid(at + ".delete", "must be an array");
  }
  return Status::Ok();
}

Status CheckField(const std::string& key, const json::Value& v, const std::string& where) {
  std::string at = where + "." + key;
  if (key == "id" || key == "span_id" || key == "root_span_id" || key == "created") {
    if (!v.is_string() || v.as_string().empty()) return Invalid(at, "must be a non-empty string");
  } else if (key == "span_parents" || key == "tags") {
    if (!v.is_null()) return CheckStringArray(v, at);
  } else if (key == "scores") {
    if (!v.is_null()) return CheckScores(v, at);
  } else if (key == "metrics") {
    if (!v.is_null()) return CheckMetrics(v, at);
  } else if (key == "metadata" || key == "span_attributes" || key == "context" || key == "origin") {
    if (!v.is_null() && !v.is_object()) return Invalid(at, "must be an object");
  } else if (key == "_is_merge" || key == "_object_delete") {
    if (!v.is_bool()) return Invalid(at, "must be a boolean");
  } else if (key == "_merge_paths") {
    return CheckMergePaths(v, at);
  } else if (key == "_array_delete") {
    return CheckArrayDelete(v, at);
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRowShape(const json::Object& row, const std::string& where) {
  for (const auto& [key, v] : row) RETURN_IF_ERROR(CheckField(key, v, where));
  return Status::Ok();
}

Result<std::pair<std::string, std::string>> RowContainer(const json::Object& row,
                                                         const std::string& where) {
  std::vector<std::pair<std::string, std::string>> found;
  auto id_of = [&](const char* key) -> Result<std::optional<std::string>> {
    const json::Value* v = row.find(key);
    if (v == nullptr || v->is_null()) return std::optional<std::string>();
    if (!v->is_string() || !IsUuid(v->as_string())) return Invalid(where + "." + key, "must be a UUID string");
    return std::optional<std::string>(v->as_string());
  };
  ASSIGN_OR_RETURN(auto experiment, id_of("experiment_id"));
  ASSIGN_OR_RETURN(auto dataset, id_of("dataset_id"));
  ASSIGN_OR_RETURN(auto project, id_of("project_id"));
  if (experiment) found.emplace_back("experiment", *experiment);
  if (dataset) found.emplace_back("dataset", *dataset);
  if (project && !experiment && !dataset) {
    const json::Value* log_id = row.find("log_id");
    if (log_id == nullptr || !log_id->is_string() || log_id->as_string() != "g") {
      return Invalid(where, "project log rows need log_id \"g\"");
    }
    found.emplace_back("project_logs", *project);
  }
  if (row.contains("prompt_session_id")) {
    return Invalid(where, "playground (prompt_session_id) rows are not supported yet");
  }
  if (found.empty()) {
    return Invalid(where, "row names no container: set one of experiment_id, dataset_id, or project_id with log_id \"g\"");
  }
  if (found.size() > 1) return Invalid(where, "row names more than one container (experiment_id and dataset_id)");
  return found[0];
}

Result<std::vector<engine::RowWrite>> PrepareRows(Api& api, const meta::Principal& who,
                                                  const json::Value& rows) {
  if (!rows.is_array()) return Status::InvalidArgument("'rows' must be an array of row objects");
  std::vector<engine::RowWrite> out;
  out.reserve(rows.as_array().size());
  std::string now = NowIso();
  std::map<std::pair<std::string, std::string>, ContainerInfo> resolved;
  for (size_t i = 0; i < rows.as_array().size(); ++i) {
    std::string where = "rows[" + std::to_string(i) + "]";
    const json::Value& r = rows.as_array()[i];
    if (!r.is_object()) return Invalid(where, "must be an object");
    json::Object row = r.as_object();
    if (!row.contains("id")) row.set("id", NewUuid());
    RETURN_IF_ERROR(ValidateRowShape(row, where));
    ASSIGN_OR_RETURN(auto container, RowContainer(row, where));
    auto cached = resolved.find(container);  // one lookup and permission check per container
    if (cached == resolved.end()) {
      Result<ContainerInfo> r =
          api.ResolveContainer(who, container.first, container.second, acl::Permission::kUpdate);
      if (!r.ok()) return r.status().WithContext(where);
      cached = resolved.emplace(container, *r).first;
    }
    const ContainerInfo* info = &cached->second;
    bool is_delete = row.find("_object_delete") && row.find("_object_delete")->as_bool();
    if (!row.contains("created") && !is_delete) row.set("created", now);
    std::string project = container.first == "project_logs" ? "" : info->project_id;
    out.push_back(engine::RowWrite{info->key, who.org_id, std::move(project), std::move(row)});
  }
  return out;
}

}  // namespace spanlake::server
