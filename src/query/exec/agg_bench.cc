// Aggregation benchmark: loads spans from a JSONL file (bench/gen_spans.py)
// into an engine over an in-memory object store, seals them, and times the
// benchmark's q5 (per project, as bench/harness/spanlake_phase.py fans it
// out) and chart (the largest project) on the sealed data, through the
// columnar path and through the row path (the same query with a filter on
// `id`, which no column holds), with the rows each path read.
// usage: query_agg_bench SPANS.jsonl [runs=3] [row_path=1]  (0: time the columnar path only)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "engine/engine.h"
#include "io/mem_store.h"
#include "query/exec/executor.h"
#include "query/exec/query.h"
#include "query/syntax/syntax.h"

namespace spanlake::query::exec {
namespace {

constexpr const char* kQ5 =
    "dimensions: metadata.model as model | measures: count(1) as spans, "
    "avg(metrics.end - metrics.start) as avg_latency_s, "
    "count(metrics.end - metrics.start) as n_latency, sum(metrics.tokens) as tokens";
constexpr const char* kChart =
    "dimensions: metadata.model as model, hour(created) as hour | measures: "
    "percentile(metrics.end - metrics.start, 0.95) as p95 | limit: 100000";

// Loads the file in writes of 100 rows; returns rows per project.
std::map<std::string, size_t> Load(engine::Engine& e, const char* path) {
  std::ifstream in(path);
  std::map<std::string, size_t> projects;
  std::vector<engine::RowWrite> batch;
  std::string line;
  auto flush = [&] {
    if (!batch.empty()) (void)e.Write(std::move(batch)).value();
    batch.clear();
  };
  while (std::getline(in, line)) {
    Result<json::Value> v = json::Value::Parse(line);
    if (!v.ok()) continue;
    std::string project = v->find("project_id")->as_string();
    ++projects[project];
    batch.push_back(engine::RowWrite{"project_logs:" + project, "org", "", std::move(v->as_object())});
    if (batch.size() == 100) flush();
  }
  flush();
  return projects;
}

struct Timing {
  double best_ms = 1e18;
  int64_t from_columns = 0, decoded = 0, groups = 0;
};

// Runs `tail` on each of `projects` (`filter` appended), `runs` times; the best run.
Timing Time(const engine::Engine& e, const std::vector<std::string>& projects,
            const std::string& tail, const std::string& filter, int runs) {
  Timing t;
  for (int r = 0; r < runs; ++r) {
    Timing one;
    auto t0 = std::chrono::steady_clock::now();
    for (const std::string& p : projects) {
      std::string text = "from: project_logs('" + p + "') | " + tail + filter;
      Query q = BindQuery(syntax::ParseQueryText(text).value()).value();
      QueryResult res = Execute(e, "project_logs:" + p, q, {}).value();
      one.groups += static_cast<int64_t>(res.rows.size());
      if (const json::Value* c = res.stats.find("columnar")) {
        one.from_columns += c->find("rows_from_columns")->as_int();
        one.decoded += c->find("rows_decoded")->as_int();
      }
    }
    one.best_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (one.best_ms < t.best_ms) t = one;
  }
  return t;
}

void Report(const char* name, const Timing& cols, const Timing& rows) {
  std::printf("%s: columnar %.1f ms (%lld rows from columns, %lld decoded, %lld groups); "
              "row path %.1f ms (%lld groups)\n",
              name, cols.best_ms, static_cast<long long>(cols.from_columns),
              static_cast<long long>(cols.decoded), static_cast<long long>(cols.groups),
              rows.best_ms, static_cast<long long>(rows.groups));
}

int Run(const char* path, int runs, bool row_path) {
  std::string dir = std::filesystem::temp_directory_path() / "spanlake-agg-bench";
  std::filesystem::remove_all(dir);
  io::MemObjectStore store;
  auto e = engine::Engine::Open({.data_dir = dir, .sync = false, .object_store = &store,
                                 .seal_bytes = uint64_t{1} << 40, .background_seal = false})
               .value();
  std::map<std::string, size_t> projects = Load(*e, path);
  if (Status st = e->Seal(); !st.ok()) {
    std::fprintf(stderr, "seal: %s\n", st.ToString().c_str());
    return 1;
  }
  std::vector<std::string> all;
  std::string big;
  size_t spans = 0;
  for (const auto& [p, n] : projects) {
    all.push_back(p);
    spans += n;
    if (big.empty() || n > projects[big]) big = p;
  }
  std::printf("%zu spans in %zu projects, sealed; largest project %zu spans; best of %d\n", spans,
              all.size(), projects[big], runs);
  const std::string rowwise = " | filter: id != ''";
  Timing none;
  Report("q5 (every project)", Time(*e, all, kQ5, "", runs),
         row_path ? Time(*e, all, kQ5, rowwise, runs) : none);
  Report("chart (largest)", Time(*e, {big}, kChart, "", runs),
         row_path ? Time(*e, {big}, kChart, rowwise, runs) : none);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace spanlake::query::exec

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SPANS.jsonl [runs]\n", argv[0]);
    return 2;
  }
  return spanlake::query::exec::Run(argv[1], argc > 2 ? std::stoi(argv[2]) : 3,
                                    argc > 3 ? std::stoi(argv[3]) != 0 : true);
}
