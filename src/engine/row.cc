#include "engine/row.h"

#include "engine/xact.h"
#include "json/merge.h"

namespace spanlake::engine {

namespace {

// Fields that the first write of a row fixes; merges do not change them.
constexpr const char* kFirstWriteWins[] = {"span_id", "root_span_id", "span_parents", "created"};

bool IsTrue(const json::Object& row, std::string_view key) {
  const json::Value* v = row.find(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

std::vector<json::Path> MergePaths(const json::Object& write) {
  std::vector<json::Path> paths;
  const json::Value* v = write.find(kMergePaths);
  if (v == nullptr || !v->is_array()) return paths;
  for (const json::Value& p : v->as_array()) {
    json::Path path;
    for (const json::Value& k : p.as_array()) path.push_back(k.as_string());
    paths.push_back(std::move(path));
  }
  return paths;
}

bool HasPath(const std::vector<json::Path>& paths, const json::Path& p) {
  for (const auto& q : paths) {
    if (q == p) return true;
  }
  return false;
}

bool IsControlField(std::string_view k) {
  return k == kIsMerge || k == kMergePaths || k == kArrayDelete || k == kObjectDelete ||
         k == kAuditSource || k == kAuditMetadata ||
         k == "_parent_id";  // deprecated; span ids carry the tree
}

// The user-visible part of a write: everything but control fields.
json::Object UserFields(const json::Object& write) {
  json::Object out;
  for (const auto& [k, v] : write) {
    if (!IsControlField(k)) out.set(k, v);
  }
  return out;
}

void AppendAudit(json::Object& state, const json::Object& write, uint64_t xact, bool merge) {
  const json::Value* source = write.find(kAuditSource);
  const json::Value* metadata = write.find(kAuditMetadata);
  json::Object entry{{"_xact_id", XactToString(xact)},
                     {"audit_data", json::Object{{"action", merge ? "merge" : "upsert"}}}};
  if (source != nullptr) entry.set("source", *source);
  if (metadata != nullptr) entry.set("metadata", *metadata);
  json::Value& log = state["audit_data"];
  if (!log.is_array()) log = json::Array{};
  log.as_array().push_back(std::move(entry));
}

void MergeInto(json::Object& state, json::Object patch, const json::Object& write) {
  std::vector<json::Path> stop = MergePaths(write);
  for (const char* key : kFirstWriteWins) {
    if (state.contains(key)) patch.erase(key);
  }
  json::Value* new_tags = patch.find("tags");
  json::Value* old_tags = state.find("tags");
  if (new_tags != nullptr && old_tags != nullptr && new_tags->is_array() && old_tags->is_array() &&
      !HasPath(stop, {"tags"})) {
    json::UnionInto(old_tags->as_array(), new_tags->as_array());
    patch.erase("tags");
  }
  json::Value target(std::move(state));
  json::DeepMerge(target, json::Value(std::move(patch)), stop);
  if (const json::Value* deletes = write.find(kArrayDelete); deletes && deletes->is_array()) {
    for (const json::Value& d : deletes->as_array()) {
      json::Path path;
      for (const json::Value& k : d.find("path")->as_array()) path.push_back(k.as_string());
      json::ArrayDelete(target, path, d.find("delete")->as_array());
    }
  }
  state = std::move(target.as_object());
}

}  // namespace

bool IsCommentRow(const json::Object& row) {
  const json::Value* origin = row.find("origin");
  const json::Value* comment = row.find("comment");
  return comment != nullptr && comment->is_object() && origin != nullptr && origin->is_object() &&
         origin->find("id") != nullptr && !row.contains("span_id");
}

void ApplyWrite(std::optional<json::Object>& state, const json::Object& write, uint64_t xact) {
  if (IsTrue(write, kObjectDelete)) {
    state.reset();
    return;
  }
  bool merge = IsTrue(write, kIsMerge) && state.has_value();
  json::Object fields = UserFields(write);
  if (merge) {
    MergeInto(*state, std::move(fields), write);
  } else {
    json::Value audit;
    json::Value created;
    if (state) {
      if (json::Value* a = state->find("audit_data")) audit = std::move(*a);
      if (json::Value* c = state->find("created")) created = std::move(*c);
    }
    state = std::move(fields);
    if (!created.is_null()) state->set("created", std::move(created));
    if (!audit.is_null()) state->set("audit_data", std::move(audit));
  }
  if (write.contains(kAuditSource) || write.contains(kAuditMetadata)) {
    AppendAudit(*state, write, xact, merge);
  }
}

json::Value Materialize(json::Object row, RowContext ctx) {
  if (!ctx.include_audit) row.erase("audit_data");
  row.set("_xact_id", XactToString(ctx.xact));
  if (ctx.org_id != nullptr) row.set("org_id", *ctx.org_id);
  if (ctx.project_id != nullptr && !row.contains("project_id")) row.set("project_id", *ctx.project_id);
  if (const json::Value* found = row.find("id")) {
    json::Value id = *found;  // copied: set() may move the members
    if (!row.contains("span_id")) row.set("span_id", id);
    if (!row.contains("root_span_id")) row.set("root_span_id", std::move(id));
  }
  const json::Value* parents = row.find("span_parents");
  bool is_root = parents == nullptr || parents->is_null() ||
                 (parents->is_array() && parents->as_array().empty());
  row.set("is_root", is_root);
  if (!ctx.comments.empty()) row.set("comments", json::Array(std::move(ctx.comments)));
  return json::Value(std::move(row));
}

}  // namespace spanlake::engine
