#include "json/merge.h"

#include <algorithm>
#include <unordered_set>

namespace spanlake::json {
namespace {

bool IsStopPath(const Path& path, const std::vector<Path>& stop_paths) {
  return std::find(stop_paths.begin(), stop_paths.end(), path) != stop_paths.end();
}

// `path` is where `target` sits relative to the merge root; it is only
// maintained when there are stop paths to compare it with.
void MergeAt(Value& target, const Value& patch, Path& path, const std::vector<Path>& stop_paths) {
  const bool stop = !stop_paths.empty() && IsStopPath(path, stop_paths);
  if (stop || !patch.is_object() || !target.is_object()) {
    target = patch;
    return;
  }
  Object& into = target.as_object();
  for (const auto& [key, value] : patch.as_object()) {
    Value* existing = into.find(key);
    if (existing == nullptr) {
      into.set(key, value);
      continue;
    }
    if (!stop_paths.empty()) path.push_back(key);
    MergeAt(*existing, value, path, stop_paths);
    if (!stop_paths.empty()) path.pop_back();
  }
}

bool AllStrings(const Array& values) {
  return std::all_of(values.begin(), values.end(), [](const Value& v) { return v.is_string(); });
}

}  // namespace

void DeepMerge(Value& target, const Value& patch, const std::vector<Path>& stop_paths) {
  if (&target == &patch) return;  // merging a value into itself changes nothing
  Path path;
  MergeAt(target, patch, path, stop_paths);
}

void ArrayDelete(Value& target, const Path& path, const Array& values) {
  Value* v = &target;
  for (const std::string& key : path) {
    v = v->find(key);
    if (v == nullptr) return;
  }
  if (!v->is_array() || values.empty()) return;
  Array& array = v->as_array();
  if (AllStrings(values)) {
    // The usual case (tags); a hash set keeps big deletes linear.
    std::unordered_set<std::string_view> doomed;
    for (const Value& d : values) doomed.insert(d.as_string());
    std::erase_if(array,
                  [&](const Value& e) { return e.is_string() && doomed.count(e.as_string()) > 0; });
    return;
  }
  std::erase_if(array, [&](const Value& e) {
    return std::find(values.begin(), values.end(), e) != values.end();
  });
}

void UnionInto(Array& into, const Array& from) {
  if (&into == &from) return;
  // No reallocation below, so views of the strings in `into` stay valid
  // (moving a short string moves its bytes).
  into.reserve(into.size() + from.size());
  std::unordered_set<std::string_view> present;
  for (const Value& v : into) {
    if (v.is_string()) present.insert(v.as_string());
  }
  for (const Value& v : from) {
    if (!v.is_string()) {
      into.push_back(v);
    } else if (present.insert(v.as_string()).second) {
      into.push_back(v);
    }
  }
}

}  // namespace spanlake::json
