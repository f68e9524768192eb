// Experiment summaries (experiment-comparison2): per-score means over traces
// and metric means, with diffs, improvements and regressions against a base
// experiment. Scores come from every span of a trace (the SDK writes them on
// score spans, not the root): per trace, the mean of each score's values;
// then the mean over traces. Traces of the two experiments are matched by
// their root span's `input`.
#include <cmath>
#include <map>
#include <set>

#include "server/api.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;

struct TraceStats {
  std::string match_key;                              // root input, as JSON text
  std::map<std::string, std::pair<double, int>> scores;  // name → (sum, count)
  std::map<std::string, double> metrics;              // name → value for the trace
};

struct MetricDef {
  const char* name;
  const char* unit;
  bool lower_is_better;
};
constexpr MetricDef kMetrics[] = {{"duration", "s", true},
                                  {"llm_duration", "s", true},
                                  {"prompt_tokens", "tok", true},
                                  {"completion_tokens", "tok", true},
                                  {"total_tokens", "tok", true},
                                  {"estimated_cost", "$", true}};

void AddSpan(TraceStats& t, const json::Value& row) {
  if (const json::Value* scores = row.find("scores"); scores && scores->is_object()) {
    for (const auto& [name, v] : scores->as_object()) {
      if (!v.is_number()) continue;
      auto& [sum, n] = t.scores[name];
      sum += v.as_double();
      ++n;
    }
  }
  const json::Value* metrics = row.find("metrics");
  auto metric = [&](const char* k) -> std::optional<double> {
    const json::Value* v = metrics ? metrics->find(k) : nullptr;
    return v && v->is_number() ? std::optional<double>(v->as_double()) : std::nullopt;
  };
  bool is_root = row.find("is_root") && row.find("is_root")->as_bool();
  if (is_root) {
    if (const json::Value* in = row.find("input")) t.match_key = in->Dump();
    auto start = metric("start"), end = metric("end");
    if (start && end) t.metrics["duration"] = *end - *start;
  }
  auto attrs = row.find("span_attributes");
  bool is_llm = attrs && attrs->find("type") && *attrs->find("type") == json::Value("llm");
  if (is_llm) {
    auto start = metric("start"), end = metric("end");
    if (start && end) t.metrics["llm_duration"] += *end - *start;
  }
  if (auto v = metric("prompt_tokens")) t.metrics["prompt_tokens"] += *v;
  if (auto v = metric("completion_tokens")) t.metrics["completion_tokens"] += *v;
  if (auto v = metric("tokens")) t.metrics["total_tokens"] += *v;
  if (auto v = metric("estimated_cost")) t.metrics["estimated_cost"] += *v;
}

std::map<std::string, TraceStats> CollectTraces(Api& api, const ContainerInfo& c) {
  std::map<std::string, TraceStats> traces;
  api.engine().Scan(c.key, {}, std::nullopt, [&](json::Value row, const engine::PageKey&) {
    const json::Value* root = row.find("root_span_id");
    if (root && root->is_string()) AddSpan(traces[root->as_string()], row);
    return true;
  });
  return traces;
}

double TraceScore(const TraceStats& t, const std::string& name, bool* has) {
  auto it = t.scores.find(name);
  *has = it != t.scores.end() && it->second.second > 0;
  return *has ? it->second.first / it->second.second : 0;
}

struct Comparison {
  double mean = 0;
  int count = 0;
  int improvements = 0;
  int regressions = 0;
};

// Mean of `value` over `traces`, and per matched trace whether it went up or down vs `base`.
template <typename ValueFn>
Comparison Compare(const std::map<std::string, TraceStats>& traces,
                   const std::map<std::string, const TraceStats*>& base_by_key, ValueFn value,
                   bool lower_is_better) {
  Comparison c;
  double sum = 0;
  for (const auto& [id, t] : traces) {
    bool has = false;
    double v = value(t, &has);
    if (!has) continue;
    sum += v;
    ++c.count;
    auto b = base_by_key.find(t.match_key);
    if (b == base_by_key.end()) continue;
    bool base_has = false;
    double bv = value(*b->second, &base_has);
    if (!base_has || std::fabs(v - bv) < 1e-12) continue;
    bool up = v > bv;
    ((up != lower_is_better) ? c.improvements : c.regressions)++;
  }
  c.mean = c.count ? sum / c.count : 0;
  return c;
}

template <typename ValueFn>
std::optional<double> BaseMean(const std::map<std::string, TraceStats>& base, ValueFn value) {
  double sum = 0;
  int n = 0;
  for (const auto& [id, t] : base) {
    bool has = false;
    double v = value(t, &has);
    if (has) {
      sum += v;
      ++n;
    }
  }
  return n ? std::optional<double>(sum / n) : std::nullopt;
}

json::Value Summarize(const std::map<std::string, TraceStats>& traces,
                      const std::map<std::string, TraceStats>* base) {
  std::map<std::string, const TraceStats*> base_by_key;
  if (base) {
    for (const auto& [id, t] : *base) base_by_key.emplace(t.match_key, &t);
  }
  std::set<std::string> score_names;
  for (const auto& [id, t] : traces) {
    for (const auto& [name, v] : t.scores) score_names.insert(name);
  }
  json::Object scores;
  for (const std::string& name : score_names) {
    auto value = [&](const TraceStats& t, bool* has) { return TraceScore(t, name, has); };
    Comparison c = Compare(traces, base_by_key, value, false);
    json::Object s{{"name", name}, {"score", c.mean}};
    if (base) {
      if (auto bm = BaseMean(*base, value)) s.set("diff", c.mean - *bm);
    }
    s.set("improvements", c.improvements);
    s.set("regressions", c.regressions);
    scores.set(name, std::move(s));
  }
  json::Object metrics;
  for (const MetricDef& m : kMetrics) {
    auto value = [&](const TraceStats& t, bool* has) {
      auto it = t.metrics.find(m.name);
      *has = it != t.metrics.end();
      return *has ? it->second : 0.0;
    };
    Comparison c = Compare(traces, base_by_key, value, m.lower_is_better);
    if (c.count == 0) continue;
    json::Object s{{"name", m.name}, {"metric", c.mean}, {"unit", m.unit}};
    if (base) {
      if (auto bm = BaseMean(*base, value)) s.set("diff", c.mean - *bm);
    }
    s.set("improvements", c.improvements);
    s.set("regressions", c.regressions);
    metrics.set(m.name, std::move(s));
  }
  return json::Object{{"scores", std::move(scores)}, {"metrics", std::move(metrics)}};
}

Result<http::Response> ExperimentComparison(Api& api, Call& call) {
  const std::string* id = call.req.Query("experiment_id");
  if (id == nullptr) return Status::InvalidArgument("query parameter 'experiment_id' is required");
  ASSIGN_OR_RETURN(ContainerInfo exp, api.ResolveContainer(call.who, "experiment", *id));
  auto traces = CollectTraces(api, exp);
  const std::string* base_id = call.req.Query("base_experiment_id");
  if (base_id == nullptr) base_id = call.req.Query("comparison_experiment_id");
  if (base_id == nullptr || base_id->empty()) return JsonResponse(Summarize(traces, nullptr));
  ASSIGN_OR_RETURN(ContainerInfo base, api.ResolveContainer(call.who, "experiment", *base_id));
  auto base_traces = CollectTraces(api, base);
  return JsonResponse(Summarize(traces, &base_traces));
}

}  // namespace

void RegisterSummaryRoutes(Api& api) {
  api.Route("GET", "/experiment-comparison2", Bind(api, ExperimentComparison));
}

}  // namespace spanlake::server
