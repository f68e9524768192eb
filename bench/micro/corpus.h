// Deterministic synthetic inputs for the micro benchmarks: span-like English
// text with a Zipf-ish word mix, CJK text, and span JSON documents. Generated
// in memory (no file needed), identical on every run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spanlake::bench {

// A small xorshift generator: the benchmarks need reproducible, not random.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  // Skewed towards small values: roughly Zipf over [0, n).
  size_t Skewed(size_t n) { return (Next() % n) * (Next() % n) / n; }

 private:
  uint64_t s_;
};

// `words` words of English-like text (words, numbers, identifiers, URLs).
std::string EnglishText(Rng& rng, size_t words);
// `chars` CJK characters of running Chinese text (no spaces).
std::string ChineseText(Rng& rng, size_t chars);
// One span document in the generator's shape (input chat messages, output,
// metadata, metrics, scores), about `text_words` words of text.
std::string SpanJson(Rng& rng, int n, size_t text_words);

}  // namespace spanlake::bench
