// The traces and summary shapes. A filter is evaluated one span at a time; a
// trace matches when any of its spans does. The first pass finds the traces
// (their place: the PageKey of their first write, newest first) and which
// match; the second reads the spans of the chosen traces. With segments, the
// second pass becomes root_span_id index lookups.
#include <algorithm>

#include "query/exec/executor_internal.h"
#include "query/exec/summary.h"

namespace spanlake::query::exec {

namespace {

bool IsRoot(const json::Value& row) {
  const json::Value* r = row.find("is_root");
  return r != nullptr && r->is_bool() && r->as_bool();
}

}  // namespace

Status Executor::CollectTraces() {
  Status st;
  bool root_sort = q_.shape == Shape::kTraces && !q_.sort.empty() && !q_.aggregated();
  Status scan =
      access_.source->Scan(std::nullopt, [&](json::Value row, const engine::PageKey& key) {
        st = budget_.Tick();
        if (!st.ok()) return false;
        std::string root = RootOf(row);
        auto [it, fresh] = traces_.try_emplace(root);
        TraceInfo& t = it->second;
        if (fresh) {
          st = budget_.Hold(static_cast<int64_t>(128 + root.size()));
          t.key = key;
        }
        if (key < t.key) t.key = key;
        if (!t.matched && Keep(row)) t.matched = true;
        if (root_sort && IsRoot(row)) t.sort_values = SortValues(row);
        return st.ok();
      });
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(scan);
  return access_.narrowed ? PlaceMatchedTraces(root_sort) : Status::Ok();
}

// A narrowed path saw only some spans of a trace: its place (its first
// write) and its root's sort values come from all of its spans.
Status Executor::PlaceMatchedTraces(bool root_sort) {
  std::unordered_set<std::string> roots;
  for (const auto& [root, t] : traces_) {
    if (t.matched) roots.insert(root);
  }
  return ForEachTraceSpan(roots, [&](json::Value row, const engine::PageKey& key) {
    TraceInfo& t = traces_[RootOf(row)];
    if (key < t.key) t.key = key;
    if (root_sort && IsRoot(row)) t.sort_values = SortValues(row);
    return Status::Ok();
  });
}

std::vector<std::string> Executor::MatchedTraces() {
  std::vector<std::string> out;
  for (const auto& [root, t] : traces_) {
    if (t.matched && SampledByRate(root)) out.push_back(root);
  }
  if (q_.sample && !q_.sample->by_rate) {
    std::vector<std::pair<std::string, engine::PageKey>> keys;
    for (const std::string& r : out) keys.emplace_back(r, traces_[r].key);
    std::unordered_set<std::string> chosen = SampleByCount(keys).value();
    std::erase_if(out, [&](const std::string& r) { return !chosen.count(r); });
  }
  return out;
}

Status Executor::ForEachTraceSpan(
    const std::unordered_set<std::string>& roots,
    const std::function<Status(json::Value, const engine::PageKey&)>& fn) {
  Status st;
  auto visit = [&](json::Value row, const engine::PageKey& key) {
    st = budget_.Tick();
    if (access_.pagination_key && row.is_object()) {
      row.as_object().set(kPaginationKeyField, PaginationKey(key));
    }
    if (st.ok() && roots.count(RootOf(row))) st = fn(std::move(row), key);
    return st.ok();
  };
  if (roots.size() > kMaxLookupKeys) {  // many traces: one scan beats many lookups
    Status scan = access_.full->Scan(std::nullopt, visit);
    RETURN_IF_ERROR(st);
    return scan;
  }
  for (const std::string& root : roots) {
    Status scan = reader_->LookupRoot(root, opts_.read, std::nullopt, visit);
    RETURN_IF_ERROR(st);
    RETURN_IF_ERROR(scan);
  }
  return Status::Ok();
}

Result<Page> Executor::RunTraces() {
  RETURN_IF_ERROR(CollectTraces());
  std::vector<bool> desc = SortDirections();
  std::vector<Candidate> traces;  // row = the root id
  for (const std::string& root : MatchedTraces()) {
    const TraceInfo& t = traces_[root];
    json::Array values = t.sort_values;
    values.resize(q_.sort.size());
    Position pos{std::move(values), PageKeyValue(t.key)};
    if (after_ && ComparePositions(pos, *after_, desc) <= 0) continue;
    traces.push_back(Candidate{std::move(pos), json::Value(root)});
  }
  std::sort(traces.begin(), traces.end(), [&](const Candidate& a, const Candidate& b) {
    return ComparePositions(a.pos, b.pos, desc) < 0;
  });
  bool more = static_cast<int64_t>(traces.size()) > q_.limit;
  if (more) traces.resize(static_cast<size_t>(q_.limit));
  std::unordered_map<std::string, std::vector<json::Value>> spans;
  std::unordered_set<std::string> chosen;
  for (const Candidate& c : traces) chosen.insert(c.row.as_string());
  RETURN_IF_ERROR(ForEachTraceSpan(chosen, [&](json::Value row, const engine::PageKey&) {
    if (!q_.span_filter.is_null() && !Truthy(Eval(q_.span_filter, row, ctx_))) return Status::Ok();
    json::Value out = Project(row);
    if (!PassesFinal(out)) return Status::Ok();
    RETURN_IF_ERROR(HoldRow(out));
    spans[RootOf(row)].push_back(std::move(out));
    return Status::Ok();
  }));
  Page page;
  size_t bytes = 0;
  for (size_t i = 0; i < traces.size(); ++i) {
    std::vector<json::Value>& rows = spans[traces[i].row.as_string()];
    size_t n = 0;
    for (const json::Value& r : rows) n += r.Dump().size();
    if (bytes + n > opts_.limits.result_bytes) {
      if (i == 0)
        return Status::TooLarge("one trace is larger than the result cap of " +
                                std::to_string(opts_.limits.result_bytes) + " bytes");
      page.last = traces[i - 1].pos;
      return page;
    }
    bytes += n;
    for (json::Value& r : rows) page.rows.push_back(std::move(r));
  }
  if (more && !traces.empty()) page.last = traces.back().pos;
  return page;
}

Result<std::vector<Candidate>> Executor::Summaries(const std::unordered_set<std::string>& roots) {
  MeasureSet trace_measures(q_.trace_measures);
  struct Building {
    TraceSummary summary;
    MeasureSet::State state;
  };
  std::unordered_map<std::string, Building> building;
  RETURN_IF_ERROR(ForEachTraceSpan(roots, [&](json::Value row, const engine::PageKey& key) {
    auto [it, fresh] = building.try_emplace(RootOf(row));
    if (fresh) it->second.state = trace_measures.NewState();
    size_t bytes =
        it->second.summary.Add(row, key) + trace_measures.Add(it->second.state, row, ctx_);
    return budget_.Hold(static_cast<int64_t>(bytes));
  }));
  std::vector<Candidate> out;
  for (auto& [root, b] : building) {
    json::Value row = b.summary.Finish(q_.preview_length);
    trace_measures.Finish(b.state, row.as_object(), ctx_);
    Position pos{SortValues(row), PageKeyValue(traces_[root].key)};
    out.push_back(Candidate{std::move(pos), std::move(row)});
  }
  return out;
}

Result<Page> Executor::RunSummary() {
  RETURN_IF_ERROR(CollectTraces());
  std::vector<std::string> matched = MatchedTraces();
  std::unordered_set<std::string> roots;
  if (q_.sort.empty() && q_.final_filter.is_null()) {
    // Newest first by the trace's key: only the page's traces need summaries.
    std::vector<std::pair<engine::PageKey, std::string>> keyed;
    std::optional<engine::PageKey> after = after_ ? PageKeyFrom(after_->tiebreak) : std::nullopt;
    for (const std::string& r : matched) {
      if (!after || traces_[r].key < *after) keyed.emplace_back(traces_[r].key, r);
    }
    size_t n = std::min(keyed.size(), static_cast<size_t>(q_.limit) + 1);
    std::partial_sort(keyed.begin(), keyed.begin() + static_cast<ptrdiff_t>(n), keyed.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < n; ++i) roots.insert(keyed[i].second);
  } else {
    roots.insert(matched.begin(), matched.end());
  }
  ASSIGN_OR_RETURN(std::vector<Candidate> cands, Summaries(roots));
  std::vector<Candidate> kept;
  for (Candidate& c : cands) {
    if (!PassesFinal(c.row)) continue;
    for (const Named& m : q_.trace_measures) c.row.as_object().erase(m.alias);
    c.row = Project(c.row);
    kept.push_back(std::move(c));
  }
  return TakePage(std::move(kept));
}

}  // namespace spanlake::query::exec
