// Tokenizer throughput (src/index/tokenizer.h): English span text and CJK text.
#include <benchmark/benchmark.h>

#include "corpus.h"
#include "index/tokenizer.h"

namespace spanlake::bench {
namespace {

void Run(benchmark::State& state, const std::string& text) {
  size_t tokens = 0;
  for (auto _ : state) {
    index::Tokenize(text, [&tokens](const index::Token&) { ++tokens; });
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_TokenizeEnglish(benchmark::State& state) {
  Rng rng(1);
  Run(state, EnglishText(rng, static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_TokenizeEnglish)->Arg(50)->Arg(2000);

void BM_TokenizeChinese(benchmark::State& state) {
  Rng rng(2);
  Run(state, ChineseText(rng, static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_TokenizeChinese)->Arg(2000);

void BM_TokenizeQuery(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(index::TokenizeQuery("ledger quartz reconciliation"));
}
BENCHMARK(BM_TokenizeQuery);

}  // namespace
}  // namespace spanlake::bench
