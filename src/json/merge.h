// Braintrust write semantics on JSON values (see api/braintrust-wire.md §1.5).
#pragma once

#include <string>
#include <vector>

#include "json/value.h"

namespace spanlake::json {

using Path = std::vector<std::string>;

// Deep-merges `patch` into `target`: objects merge recursively; arrays and
// scalars replace. At any path listed in `stop_paths` (relative to the root of
// the merge) the patch value replaces the target value wholesale. A patch value
// of an object merged into a non-object replaces it.
void DeepMerge(Value& target, const Value& patch, const std::vector<Path>& stop_paths = {});

// Removes every element equal to one of `values` from the array at `path` in
// `target`. Does nothing when the path is missing or not an array.
void ArrayDelete(Value& target, const Path& path, const Array& values);

// Set union of two string arrays: `into` keeps its order, new values from
// `from` are appended in their order. Non-string elements are kept as they are.
void UnionInto(Array& into, const Array& from);

}  // namespace spanlake::json
