// Ad hoc benchmark of the full-text index on span JSONL (e.g. from
// /work/shared/bench/gen_spans.py): tokenize and build throughput, index
// size, term and phrase lookup latency.
//   ninja -C build index_bench && build/src/index/index_bench spans.jsonl [--all]
// By default it indexes the content fields (input, output, expected, error,
// metadata.*, tags, span_attributes.*); --all adds ids and timestamps.
// Times are CPU seconds of this process.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "index/index_builder.h"
#include "index/postings_reader.h"
#include "json/value.h"

namespace spanlake::index {
namespace {

struct Text {
  uint32_t doc;
  std::string field;
  std::string text;
};

// CPU time of this (single-threaded) process: steadier than wall time on a
// shared machine.
double Now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Collect(uint32_t doc, const std::string& field, const json::Value& v, std::vector<Text>* out) {
  if (v.is_string()) {
    out->push_back({doc, field, v.as_string()});
  } else if (v.is_array()) {
    for (const json::Value& e : v.as_array()) Collect(doc, field, e, out);
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) Collect(doc, field, e, out);
  }
}

bool IsContent(const std::string& key) {
  for (const char* k : {"input", "output", "expected", "error", "metadata", "tags", "span_attributes"}) {
    if (key == k) return true;
  }
  return false;
}

std::vector<Text> Load(const char* path, bool all) {
  std::ifstream in(path);
  std::vector<Text> texts;
  std::string line;
  for (uint32_t doc = 0; std::getline(in, line); ++doc) {
    Result<json::Value> v = json::Value::Parse(line);
    if (!v.ok() || !v->is_object()) continue;
    for (const auto& [key, value] : v->as_object()) {
      if (!all && !IsContent(key)) continue;
      // metadata and span_attributes are indexed per key: metadata.model.
      if ((key == "metadata" || key == "span_attributes") && value.is_object()) {
        for (const auto& [sub, e] : value.as_object()) Collect(doc, key + "." + sub, e, &texts);
      } else {
        Collect(doc, key, value, &texts);
      }
    }
  }
  return texts;
}

void Latency(const char* what, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double u : us) sum += u;
  std::printf("%-28s n=%zu mean=%.1fus p50=%.1fus p99=%.1fus max=%.1fus\n", what, us.size(),
              sum / us.size(), us[us.size() / 2], us[us.size() * 99 / 100], us.back());
}

int Run(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: index_bench spans.jsonl [--all]\n"), 2;
  std::vector<Text> texts = Load(argv[1], argc > 2 && std::string(argv[2]) == "--all");
  size_t bytes = 0;
  for (const Text& t : texts) bytes += t.text.size();
  std::printf("texts=%zu docs=%u text_bytes=%.1f MB\n", texts.size(), texts.back().doc + 1, bytes / 1e6);

  double t0 = Now();
  size_t tokens = 0;
  for (const Text& t : texts) Tokenize(t.text, [&](const Token&) { ++tokens; });
  double tok_s = Now() - t0;
  std::printf("tokenize: %zu tokens, %.2f s, %.1f MB/s, %.2f M tokens/s\n", tokens, tok_s,
              bytes / tok_s / 1e6, tokens / tok_s / 1e6);

  IndexBuilder builder;
  t0 = Now();
  for (const Text& t : texts) {
    if (!builder.Add(t.doc, t.field, t.text).ok()) return 1;
  }
  double add_s = Now() - t0;
  size_t postings = builder.num_postings(), memory = builder.ApproximateMemoryUsage();
  t0 = Now();
  std::string index = builder.Finish();
  double finish_s = Now() - t0;
  std::printf("build: add %.2f s + finish %.2f s = %.1f MB/s; %zu (term, field) postings; builder memory ~%.0f MB\n",
              add_s, finish_s, bytes / (add_s + finish_s) / 1e6, postings, memory / 1e6);
  std::printf("index: %.1f MB = %.1f%% of text\n", index.size() / 1e6, 100.0 * index.size() / bytes);

  t0 = Now();
  Result<PostingsReader> reader = PostingsReader::Open(index);
  if (!reader.ok()) return std::fprintf(stderr, "%s\n", reader.status().ToString().c_str()), 1;
  std::printf("open (checksum): %.2f ms\n", (Now() - t0) * 1e3);
  t0 = Now();
  PostingsReader::Stats stats;
  Status verified = reader->Verify(&stats);
  std::printf("verify: %s, %.0f ms\n", verified.ToString().c_str(), (Now() - t0) * 1e3);
  std::printf("bytes: dictionary %.1f MB, doc sets %.1f MB, positions %.1f MB; %llu postings, "
              "%llu as Roaring\n", stats.dictionary_bytes / 1e6, stats.docs_bytes / 1e6,
              stats.positions_bytes / 1e6, (unsigned long long)stats.postings,
              (unsigned long long)stats.roaring_postings);

  std::mt19937 rng(1);
  std::vector<double> term_us, phrase_us, needle_us;
  size_t hits = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<Token> q = TokenizeQuery(texts[rng() % texts.size()].text);
    if (q.size() < 3) continue;
    size_t at = rng() % (q.size() - 2);
    double s = Now();
    Result<Roaring> d = reader->Docs(q[at].term);
    term_us.push_back((Now() - s) * 1e6);
    hits += d.ok() ? d->cardinality() : 0;
    std::vector<Token> phrase(q.begin() + at, q.begin() + at + 2 + rng() % 2);
    s = Now();
    Result<Roaring> p = reader->Phrase(phrase);
    phrase_us.push_back((Now() - s) * 1e6);
  }
  for (const char* needle : {"zqx1", "zqx2", "zqx9"}) {
    double s = Now();
    Result<Roaring> d = reader->Match(needle);
    needle_us.push_back((Now() - s) * 1e6);
    std::printf("Match(%s): %llu docs\n", needle, d.ok() ? (unsigned long long)d->cardinality() : 0ULL);
  }
  Latency("term Docs() (random word)", term_us);
  std::printf("  mean docs per term lookup: %.0f\n", double(hits) / term_us.size());
  Latency("phrase of 2-3 words", phrase_us);
  return 0;
}

}  // namespace
}  // namespace spanlake::index

int main(int argc, char** argv) { return spanlake::index::Run(argc, argv); }
