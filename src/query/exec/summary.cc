#include "query/exec/summary.h"

#include "query/exec/budget.h"
#include "query/value_ops.h"

namespace spanlake::query::exec {

namespace {

constexpr const char* kSummed[] = {"prompt_tokens", "completion_tokens", "tokens",
                                   "estimated_cost"};
constexpr const char* kPreviewed[] = {"input", "output", "expected", "error"};

std::optional<double> Number(const json::Value* obj, const char* key) {
  const json::Value* v = obj != nullptr ? obj->find(key) : nullptr;
  return v != nullptr && v->is_number() ? std::optional<double>(v->as_double()) : std::nullopt;
}

bool IsRoot(const json::Value& span) {
  const json::Value* r = span.find("is_root");
  return r != nullptr && r->is_bool() && r->as_bool();
}

std::string SpanType(const json::Value& span) {
  const json::Value* attrs = span.find("span_attributes");
  const json::Value* type = attrs != nullptr ? attrs->find("type") : nullptr;
  return type != nullptr && type->is_string() ? type->as_string() : "";
}

json::Value Integral(double d) {
  return d == static_cast<double>(static_cast<int64_t>(d)) && d < 9e15 && d > -9e15
             ? json::Value(static_cast<int64_t>(d))
             : json::Value(d);
}

}  // namespace

json::Value Preview(const json::Value& v, int64_t n) {
  if (v.is_string()) {
    std::string_view s = v.as_string();
    return Utf8Length(s) > static_cast<size_t>(n)
               ? json::Value(Utf8Prefix(s, static_cast<size_t>(n)))
               : v;
  }
  if (v.is_array() || v.is_object()) {
    std::string text = v.Dump();
    if (Utf8Length(text) > static_cast<size_t>(n))
      return json::Value(Utf8Prefix(text, static_cast<size_t>(n)));
  }
  return v;
}

size_t TraceSummary::Add(const json::Value& span, const engine::PageKey& key) {
  size_t bytes = 0;
  bool root = IsRoot(span);
  if (head_.is_null() || (root && !head_is_root_) || (!head_is_root_ && !root && key < head_key_)) {
    bytes = ApproxBytes(span);
    head_ = span;
    head_is_root_ = root;
    head_key_ = key;
  }
  if (const json::Value* scores = span.find("scores"); scores && scores->is_object()) {
    for (const auto& [name, v] : scores->as_object()) {
      if (!v.is_number()) continue;
      auto [it, fresh] = scores_.try_emplace(name, 0.0, 0);
      it->second.first += v.as_double();
      ++it->second.second;
      if (fresh) bytes += 64 + name.size();
    }
  }
  const json::Value* metrics = span.find("metrics");
  if (auto s = Number(metrics, "start"); s && (!start_ || *s < *start_)) start_ = s;
  if (auto e = Number(metrics, "end"); e && (!end_ || *e > *end_)) end_ = e;
  for (const char* k : kSummed) {
    if (auto v = Number(metrics, k)) sums_[k] += *v;
  }
  std::string type = SpanType(span);
  llm_calls_ += type == "llm";
  tool_calls_ += type == "tool";
  const json::Value* error = span.find("error");
  errors_ += error != nullptr && !error->is_null();
  const json::Value* xact = span.find("_xact_id");
  if (xact != nullptr && xact->is_string() && xact->as_string() > max_xact_)
    max_xact_ = xact->as_string();
  return bytes;
}

json::Value TraceSummary::Finish(int64_t preview_length) const {
  json::Object row = head_.is_object() ? head_.as_object() : json::Object{};
  for (const char* k : kPreviewed) {
    if (json::Value* v = row.find(k)) *v = Preview(*v, preview_length);
  }
  json::Object scores;
  for (const auto& [name, sum_n] : scores_)
    scores.set(name, sum_n.first / static_cast<double>(sum_n.second));
  row.set("scores", std::move(scores));
  json::Object metrics;
  if (start_) metrics.set("start", *start_);
  if (end_) metrics.set("end", *end_);
  const json::Value* head_metrics = head_.find("metrics");
  auto rs = Number(head_metrics, "start"), re = Number(head_metrics, "end");
  if (head_is_root_ && rs && re) {
    metrics.set("duration", *re - *rs);
  } else if (start_ && end_) {
    metrics.set("duration", *end_ - *start_);
  }
  for (const auto& [k, v] : sums_) metrics.set(k, Integral(v));
  metrics.set("llm_calls", llm_calls_);
  metrics.set("tool_calls", tool_calls_);
  metrics.set("errors", errors_);
  row.set("metrics", std::move(metrics));
  if (!max_xact_.empty()) row.set("_xact_id", max_xact_);
  return json::Value(std::move(row));
}

}  // namespace spanlake::query::exec
