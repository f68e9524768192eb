// The executor's state for one query (internal to query/exec). The spans
// shape and aggregation live in executor.cc, the traces and summary shapes in
// traces.cc.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "query/exec/aggregate.h"
#include "query/exec/cursor.h"
#include "query/exec/executor.h"
#include "query/exec/plan.h"
#include "query/expr.h"

namespace spanlake::query::exec {

// A row that may go into the page, with its place in the result order.
struct Candidate {
  Position pos;
  json::Value row;
};

struct Page {
  json::Array rows;
  std::optional<Position> last;  // set when more rows follow
};

class Executor {
 public:
  Executor(const engine::Engine& engine, std::string container, const Query& q,
           const ExecOptions& opts);
  Result<QueryResult> Run();

  // --- shared by the shapes ---
  Status Prepare();  // snapshot, any_span sets, cursor
  Status RunSubquery();  // FROM (subquery): its rows become the access path
  Status ReadSources();  // several ids in one source: their rows become the access path
  bool Keep(const json::Value& row) const;
  bool SampledByRate(const std::string& key) const;
  json::Value Project(const json::Value& row) const;
  bool PassesFinal(const json::Value& row) const;
  std::vector<bool> SortDirections() const;
  json::Array SortValues(const json::Value& row) const;
  // Orders, cuts after the cursor and to the limit; caps the result size.
  Result<Page> TakePage(std::vector<Candidate> cands);
  Status HoldRow(const json::Value& row) {
    return budget_.Hold(static_cast<int64_t>(ApproxBytes(row)));
  }

  // --- spans (executor.cc) ---
  Result<Page> RunSpansStreamed();
  Result<Page> RunSpansSorted();
  // Rows of the access path that pass the filter. With `floor`, a top_k_scan
  // may stop early (RowSource::ScanTop) and counts into top_k_.
  Status ScanFiltered(const std::function<Status(json::Value, const engine::PageKey&)>& fn,
                      const std::function<std::optional<int64_t>()>* floor = nullptr);
  Result<std::unordered_set<std::string>> SampleByCount(
      const std::vector<std::pair<std::string, engine::PageKey>>& keys) const;

  // --- aggregation (executor.cc) ---
  Result<Page> RunAggregated();
  Status ForEachInput(const std::function<Status(const json::Value&)>& fn);

  // --- traces and summary (traces.cc) ---
  struct TraceInfo {
    engine::PageKey key;  // of the trace's first write: its place, newest first
    bool matched = false;
    json::Array sort_values;  // evaluated on the root span (traces shape)
  };
  Status CollectTraces();
  Status PlaceMatchedTraces(bool root_sort);
  std::vector<std::string> MatchedTraces();
  Result<Page> RunTraces();
  Result<Page> RunSummary();
  Status ForEachTraceSpan(const std::unordered_set<std::string>& roots,
                          const std::function<Status(json::Value, const engine::PageKey&)>& fn);
  Result<std::vector<Candidate>> Summaries(const std::unordered_set<std::string>& roots);

  const engine::Engine& engine_;
  std::string container_;
  const Query& q_;
  ExecOptions opts_;
  EvalContext ctx_;
  Budget budget_;
  Reader reader_;  // one engine snapshot for every pass
  AccessPlan access_;
  json::Value filter_;  // q_.filter with any_span calls bound to span_sets_
  std::vector<std::unordered_set<std::string>> span_sets_;
  std::optional<Position> after_;
  std::unordered_map<std::string, TraceInfo> traces_;
  std::optional<engine::TopKStats> top_k_;  // set when a top_k_scan ran
  std::shared_ptr<engine::ColumnarRead> columnar_;  // set for the columnar aggregation path
};

// The trace a span belongs to: its root_span_id (else its id).
std::string RootOf(const json::Value& row);
// 64-bit hash of `key` under `seed`, for deterministic sampling.
uint64_t SampleHash(const std::string& key, int64_t seed);

}  // namespace spanlake::query::exec
