// Decoders for the two per-field parts of a term's postings: the doc set and
// the position lists (docs/formats/postings.md, "Postings"). Each validates
// the untrusted bytes it reads and reports Status::Corruption. Internal to
// src/index.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/postings_format.h"

namespace spanlake::index {

// The doc set of `doc_count` docs, each < doc_limit, encoded as `kind`.
Result<Roaring> DecodeDocSet(format::DocsKind kind, std::string_view bytes, uint32_t doc_count,
                             uint32_t doc_limit);

// Random access to the position lists of one term in one field: list i
// belongs to the i-th doc of the field's doc set (in increasing doc order).
class PositionLists {
 public:
  // Checks the skip table; the lists themselves are checked when read.
  static Result<PositionLists> Open(std::string_view bytes, uint32_t doc_count,
                                    uint32_t skip_interval);

  // The positions of list `index` (< doc_count), increasing.
  Status Get(uint32_t index, std::vector<uint32_t>* positions) const;

  // Reads lists at increasing indexes, continuing from the last one read
  // unless the skip table gets closer. For walking a phrase's candidates.
  class Cursor {
   public:
    explicit Cursor(const PositionLists* lists) : lists_(lists) {}
    // REQUIRES: index greater than at the previous call.
    Status Get(uint32_t index, std::vector<uint32_t>* positions);

   private:
    const PositionLists* lists_;
    uint32_t next_ = 0;     // index of the list at offset_
    uint64_t offset_ = 0;   // into lists_
  };

  // Checks that there are exactly doc_count well-formed lists and nothing else.
  Status VerifyAll() const;

 private:
  PositionLists(std::string_view skips, std::string_view lists, uint32_t doc_count,
                uint32_t skip_interval)
      : skips_(skips), lists_(lists), doc_count_(doc_count), skip_interval_(skip_interval) {}

  std::string_view skips_;  // u32 offsets into lists_ of lists k * skip_interval, k ≥ 1
  std::string_view lists_;
  uint32_t doc_count_;
  uint32_t skip_interval_;
};

}  // namespace spanlake::index
