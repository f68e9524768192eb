// The `summary` shape: one row per trace. The row is the trace's root span
// (the earliest span when the root is missing) with
//  * `input`, `output`, `expected`, `error` cut to previews of at most
//    `preview_length` characters (non-strings as their JSON text when longer);
//  * `scores`: per score name, the mean over the spans that carry it;
//  * `metrics`: `start` (earliest), `end` (latest), `duration` (root end −
//    root start, else end − start), sums of `prompt_tokens`,
//    `completion_tokens`, `tokens`, `estimated_cost`, and counts `llm_calls`,
//    `tool_calls`, `errors`;
//  * `_xact_id`: the newest of the trace.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/memtable.h"
#include "json/value.h"

namespace spanlake::query::exec {

class TraceSummary {
 public:
  // Returns the bytes it now holds in addition (for the memory budget).
  size_t Add(const json::Value& span, const engine::PageKey& key);
  json::Value Finish(int64_t preview_length) const;

 private:
  json::Value head_;  // root span, or the earliest span so far
  bool head_is_root_ = false;
  engine::PageKey head_key_;
  std::map<std::string, std::pair<double, int64_t>> scores_;
  std::optional<double> start_, end_;
  std::map<std::string, double> sums_;
  int64_t llm_calls_ = 0, tool_calls_ = 0, errors_ = 0;
  std::string max_xact_;
};

// A value cut to a preview of at most `n` characters.
json::Value Preview(const json::Value& v, int64_t n);

}  // namespace spanlake::query::exec
