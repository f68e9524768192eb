// PostingsReader: queries over the bytes IndexBuilder::Finish produced
// (docs/formats/postings.md), read in place. Open() checks the footer, the
// checksum, the field table and the block index; everything else is checked
// as it is decoded, so corrupt bytes give Status::Corruption, never a crash
// or a wrong read outside the buffer. Verify() checks every byte.
//
// The reader does not own the bytes: they must outlive it (a segment reader
// keeps them mapped). Doc bitmaps are deserialized per lookup; nothing else
// is copied. Thread-safe: all methods are const and keep no mutable state.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/coding.h"
#include "index/postings_format.h"
#include "index/tokenizer.h"

namespace spanlake::index {

class PostingsReader {
 public:
  struct Options {
    // Off only for callers that already checked a checksum covering the
    // bytes (a segment's own), to save a pass over them.
    bool verify_checksum = true;
  };

  static Result<PostingsReader> Open(std::string_view bytes, Options options);
  static Result<PostingsReader> Open(std::string_view bytes) { return Open(bytes, Options()); }

  uint32_t num_terms() const { return footer_.num_terms; }
  uint32_t doc_limit() const { return footer_.doc_limit; }
  // The analyzer the index was built with; a query should be tokenized by
  // the same version (kTokenizerVersion).
  uint32_t tokenizer_version() const { return footer_.tokenizer_version; }
  const std::vector<std::string_view>& fields() const { return fields_; }

  // A field restriction: nullopt means every field; "metadata" means the
  // field "metadata" and every field under it ("metadata.model").
  using FieldFilter = std::optional<std::string_view>;

  // The docs holding the folded `term` (a Token's term) in the fields chosen.
  Result<Roaring> Docs(std::string_view term, FieldFilter field = std::nullopt) const;

  // The docs holding every token of `phrase` at the same relative positions,
  // all within one field: "new york" needs "york" right after "new". Tokens
  // may share a position (then all must be there). An empty phrase is
  // InvalidArgument.
  Result<Roaring> Phrase(std::span<const Token> phrase, FieldFilter field = std::nullopt) const;

  // Phrase(TokenizeQuery(query)); a query with no tokens matches nothing.
  Result<Roaring> Match(std::string_view query, FieldFilter field = std::nullopt) const;

  // Up to `limit` terms starting with `prefix` (folded), in order.
  Result<std::vector<std::string>> TermsWithPrefix(std::string_view prefix, size_t limit) const;

  // Where the bytes go; filled by Verify.
  struct Stats {
    uint64_t dictionary_bytes = 0;  // terms and postings headers
    uint64_t docs_bytes = 0;
    uint64_t positions_bytes = 0;
    uint64_t postings = 0;          // (term, field) pairs
    uint64_t roaring_postings = 0;  // of which doc sets stored as Roaring
  };

  // Decodes and checks every term, bitmap and position list; fills `stats`
  // when given.
  Status Verify(Stats* stats = nullptr) const;

  // One field's postings of a term, as located by the dictionary. Public for
  // the decoding helpers in postings_reader.cc; not part of the API.
  struct FieldEntry {
    uint32_t field = 0;
    uint32_t doc_count = 0;
    format::DocsKind kind = format::kDeltaVarints;
    std::string_view docs;       // the encoded doc set
    std::string_view positions;  // skip table + position lists
  };
  struct TermEntry {
    std::string term;
    uint64_t postings_offset = 0;
    uint64_t postings_end = 0;
    std::vector<FieldEntry> fields;
  };

 private:
  PostingsReader(std::string_view bytes, const format::Footer& footer)
      : bytes_(bytes), footer_(footer) {}

  Status ReadFields();
  Status ReadBlockIndex();
  uint64_t NumBlocks() const { return format::NumBlocks(footer_); }
  std::string_view Block(uint64_t b) const;
  uint32_t BlockTerms(uint64_t b) const;
  Result<std::string_view> BlockFirstTerm(uint64_t b) const;
  Status DecodeEntry(coding::Cursor* block, TermEntry* entry) const;
  Result<std::optional<TermEntry>> Find(std::string_view term) const;
  Result<uint64_t> FindBlock(std::string_view term) const;
  std::vector<bool> MatchingFields(FieldFilter field) const;
  Result<Roaring> DecodeDocs(const FieldEntry& f) const;
  Result<Roaring> PhraseInField(const std::vector<const FieldEntry*>& entries,
                                const std::vector<size_t>& token_entry,
                                const std::vector<uint32_t>& offsets) const;
  Status VerifyBlock(uint64_t b, std::string* prev, uint64_t* next_postings, Stats* stats) const;

  std::string_view bytes_;
  format::Footer footer_;
  std::vector<std::string_view> fields_;
  std::string_view dict_;
  std::string_view block_index_;  // u32 offset into dict_ per block
};

}  // namespace spanlake::index
