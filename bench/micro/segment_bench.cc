// Segment decode (src/segment): opening a sealed segment from an object store
// and decoding its version blocks (zstd + JSON), the work a scan does per
// segment; building one (with postings) for scale.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "corpus.h"
#include "io/mem_store.h"
#include "segment/builder.h"
#include "segment/reader.h"

namespace spanlake::bench {
namespace {

constexpr int kRows = 5000;

std::string BuildSegment() {
  segment::Builder b;
  if (!b.StartContainer("project_logs:p", "org", "p").ok()) std::abort();
  Rng rng(5);
  for (int i = kRows; i > 0; --i) {  // keys descend within a container
    auto doc = json::Value::Parse(SpanJson(rng, i, 300));
    auto write = std::make_shared<const json::Object>(doc->as_object());
    segment::RowInput row{"span-" + std::to_string(i), {static_cast<uint64_t>(i), 0}, false, "",
                          {segment::Version{static_cast<uint64_t>(i), 0, write}}};
    if (!b.AddRow(row).ok()) std::abort();
  }
  return *b.Finish();
}

const std::string& SegmentBytes() {
  static const std::string bytes = BuildSegment();
  return bytes;
}

void BM_SegmentOpen(benchmark::State& state) {
  io::MemObjectStore store;
  if (!store.Put("s.seg", SegmentBytes()).ok()) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(segment::Reader::Open(&store, "s.seg", 0, nullptr));
}
BENCHMARK(BM_SegmentOpen);

void BM_SegmentDecodeAllBlocks(benchmark::State& state) {
  io::MemObjectStore store;
  if (!store.Put("s.seg", SegmentBytes()).ok()) std::abort();
  auto reader = *segment::Reader::Open(&store, "s.seg", 0, nullptr);  // no cache: decode each time
  for (auto _ : state) {
    size_t versions = 0;
    for (size_t b = 0; b < reader->blocks().size(); ++b) versions += (*reader->ReadBlock(b))->size();
    benchmark::DoNotOptimize(versions);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRows);
}
BENCHMARK(BM_SegmentDecodeAllBlocks)->Unit(benchmark::kMillisecond);

void BM_SegmentBuild(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(BuildSegment().size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRows);
}
BENCHMARK(BM_SegmentBuild)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace spanlake::bench
