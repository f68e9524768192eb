// How writes fold into a row's state (api/braintrust-wire.md §1.5), and how a
// stored state becomes the row a reader sees. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json/value.h"

namespace spanlake::engine {

// Write-only control fields; never stored.
inline constexpr const char* kIsMerge = "_is_merge";
inline constexpr const char* kMergePaths = "_merge_paths";
inline constexpr const char* kArrayDelete = "_array_delete";
inline constexpr const char* kObjectDelete = "_object_delete";
inline constexpr const char* kAuditSource = "_audit_source";
inline constexpr const char* kAuditMetadata = "_audit_metadata";

// Folds one write (a validated row, control fields included) made in
// transaction `xact` into `state` (nullopt = the row does not exist):
// delete, replace, or deep merge with merge paths, array deletes and a set
// union of `tags`. On merge the first write's span ids and `created` win.
// Audit inputs become an entry of the state's `audit_data`.
void ApplyWrite(std::optional<json::Object>& state, const json::Object& write, uint64_t xact);

// True for comment rows ({origin:{id}, comment:{...}}), which are not spans:
// they surface in their target's `comments`.
bool IsCommentRow(const json::Object& row);

// What a reader needs besides the state to present a row.
struct RowContext {
  uint64_t xact = 0;              // of the latest write
  const std::string* org_id = nullptr;
  const std::string* project_id = nullptr;  // set for experiment and dataset rows
  bool include_audit = false;
  std::vector<json::Value> comments;  // materialized comment rows, oldest first
};

// The row as read: state plus `_xact_id`, `org_id`, `project_id`, `is_root`,
// span ids defaulted to the row id when absent, `comments`, and `audit_data`
// only when asked for.
// Takes the state `row` (pass std::move: a scan presents every row it visits).
json::Value Materialize(json::Object row, RowContext ctx);

}  // namespace spanlake::engine
