// IndexBuilder: the mutable side of the full-text index. It collects the
// tokens of every (doc, field, text) it is given and serializes them once, in
// Finish(), into the immutable bytes PostingsReader reads (format:
// docs/formats/postings.md). It knows nothing of segments; the segment writer
// stores the bytes as one of its sections.
//
// Not thread-safe. Memory grows with the text added (roughly 4–12 bytes per
// token plus 120 per distinct term and field); ApproximateMemoryUsage() lets
// a caller cap it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "index/tokenizer.h"

namespace spanlake::index {

// Whether the top-level row field `key` stays out of the full-text index: ids,
// timestamps and control fields ("_…"), which nobody searches as text.
// search() leaves them out too, so postings find every row it matches.
bool IsUnindexedField(std::string_view key);

class IndexBuilder {
 public:
  IndexBuilder() = default;
  IndexBuilder(const IndexBuilder&) = delete;
  IndexBuilder& operator=(const IndexBuilder&) = delete;

  // Indexes the tokens of `text` for `doc` under `field`. The field is a name
  // chosen by the caller, typically the top-level row field ("input",
  // "output") or a dotted path under it ("metadata.model"); a reader's field
  // restriction "metadata" also covers "metadata.model". Several calls for the
  // same doc and field (one per string value) append, with a position gap, so
  // that a phrase never spans two values.
  // REQUIRES: doc ids never decrease from one call to the next.
  // Errors: InvalidArgument for a decreasing doc id, an empty or too long
  // field name, or too many fields.
  Status Add(uint32_t doc, std::string_view field, std::string_view text);

  // Like Add, with tokens from Tokenize() (positions relative to the text).
  Status AddTokens(uint32_t doc, std::string_view field, const std::vector<Token>& tokens);

  // Serializes everything added and resets the builder to empty.
  std::string Finish();

  bool empty() const { return postings_.empty(); }
  // Distinct (term, field) pairs added so far.
  size_t num_postings() const { return postings_.size(); }
  size_t ApproximateMemoryUsage() const { return memory_; }

 private:
  // One term in one field. `data` is a flat run of uint32: for each doc,
  // [doc, n, position × n], positions increasing; the n of the last doc is
  // kept in `count` and written into data[count_at] only when the next doc
  // starts (or at Finish), so adding a token reads nothing but this entry —
  // the data array is only appended to, which costs no cache-miss stall.
  struct Posting {
    std::string term;
    uint32_t field = 0;
    uint32_t last_doc = 0;
    uint32_t last_position = 0;
    uint32_t count = 0;     // positions of last_doc so far; 0 before the first
    uint32_t count_at = 0;  // index in data of last_doc's n
    std::vector<uint32_t> data;
  };

  // A token waiting in the batch (see Queue).
  struct Pending {
    std::string term;
    uint64_t hash = 0;
    uint32_t field = 0, doc = 0, position = 0;
  };
  static constexpr size_t kBatch = 16;

  Result<uint32_t> StartText(uint32_t doc, std::string_view field);
  void Queue(std::string_view term, uint32_t field, uint32_t doc, uint32_t position);
  void Drain();
  uint32_t Intern(std::string_view term, uint32_t field, uint64_t hash);
  void GrowTable();
  void AddPosition(Posting* p, uint32_t doc, uint32_t position);
  void FinishText(uint32_t field, uint32_t max_position);
  void AppendTermPostings(const std::vector<uint32_t>& ids, std::string* out, std::string* dict);
  void Reset();

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<Posting> postings_;  // by posting id
  // Open addressing over postings_, keyed by (field, term): (hash tag << 32 |
  // posting id), 0 when empty; at most half full.
  std::vector<uint64_t> slots_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> field_ids_;
  std::vector<std::string> fields_;  // by field id
  // Per field, the position the next text of the current doc starts at.
  std::vector<uint32_t> next_position_;
  bool has_doc_ = false;
  uint32_t current_doc_ = 0;
  size_t memory_ = 0;
  // Tokens are added in batches: the hash slots and entries of a whole batch
  // are prefetched before the first is used, so their cache misses overlap
  // instead of coming one after another. Empty between public calls.
  std::array<Pending, kBatch> batch_;
  size_t batch_size_ = 0;
};

}  // namespace spanlake::index
