// JSON (src/json): parsing a span document (simdjson into Value), writing it
// back, and the deep merge that folds a merge write into a row.
#include <benchmark/benchmark.h>

#include "corpus.h"
#include "json/merge.h"
#include "json/value.h"

namespace spanlake::bench {
namespace {

std::string Doc(size_t words) {
  Rng rng(4);
  return SpanJson(rng, 1, words);
}

void BM_JsonParse(benchmark::State& state) {
  const std::string doc = Doc(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(json::Value::Parse(doc));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(BM_JsonParse)->Arg(60)->Arg(2000);

void BM_JsonDump(benchmark::State& state) {
  const json::Value v = *json::Value::Parse(Doc(400));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = v.Dump();
    bytes += out.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_JsonDump);

void BM_JsonDeepMerge(benchmark::State& state) {
  const json::Value base = *json::Value::Parse(Doc(400));
  const json::Value patch = *json::Value::Parse(
      R"({"output":"revised","scores":{"accuracy":1,"factuality":0.5},"metadata":{"request":{"retried":true}},"metrics":{"end":1717200002.5}})");
  for (auto _ : state) {
    json::Value target = base;
    json::DeepMerge(target, patch);
    benchmark::DoNotOptimize(target);
  }
}
BENCHMARK(BM_JsonDeepMerge);

}  // namespace
}  // namespace spanlake::bench
