// Postings (src/index): decoding a term's doc set and intersecting two
// (a phrase and an AND of words), over one index of 100,000 docs shaped like
// a sealed segment's: common words, a 1-in-100 and a 1-in-10,000 term.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "corpus.h"
#include "index/index_builder.h"
#include "index/postings_reader.h"

namespace spanlake::bench {
namespace {

constexpr uint32_t kDocs = 100000;

const index::PostingsReader& Reader() {
  static const std::string bytes = [] {
    index::IndexBuilder b;
    Rng rng(3);
    for (uint32_t d = 0; d < kDocs; ++d) {
      std::string text = EnglishText(rng, 40);
      if (d % 100 == 7) text += " zqxone";
      if (d % 10000 == 77) text += " zqxtwo";
      if (d % 50 == 3) text += " ledger quartz reconciliation";
      if (!b.Add(d, "input", text).ok()) std::abort();
    }
    return b.Finish();
  }();
  static const auto reader = std::make_unique<index::PostingsReader>(*index::PostingsReader::Open(bytes));
  return *reader;
}

void BM_PostingsDocs(benchmark::State& state, const char* term) {
  const index::PostingsReader& r = Reader();
  for (auto _ : state) {
    auto docs = r.Docs(term);
    benchmark::DoNotOptimize(docs->cardinality());
  }
}
BENCHMARK_CAPTURE(BM_PostingsDocs, common_word, "the");
BENCHMARK_CAPTURE(BM_PostingsDocs, one_in_100, "zqxone");
BENCHMARK_CAPTURE(BM_PostingsDocs, one_in_10000, "zqxtwo");

void BM_PostingsAnd(benchmark::State& state) {
  const index::PostingsReader& r = Reader();
  for (auto _ : state) {
    auto a = r.Docs("refund");
    auto b = r.Docs("customer");
    benchmark::DoNotOptimize((*a & *b).cardinality());
  }
}
BENCHMARK(BM_PostingsAnd);

void BM_PostingsPhrase(benchmark::State& state, const char* phrase) {
  const index::PostingsReader& r = Reader();
  for (auto _ : state) {
    auto docs = r.Match(phrase);
    benchmark::DoNotOptimize(docs->cardinality());
  }
}
BENCHMARK_CAPTURE(BM_PostingsPhrase, rare_phrase, "ledger quartz reconciliation");
BENCHMARK_CAPTURE(BM_PostingsPhrase, common_phrase, "to the");

}  // namespace
}  // namespace spanlake::bench
