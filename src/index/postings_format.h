// Byte layout of a postings index, shared by IndexBuilder and PostingsReader.
// Internal to src/index. docs/formats/postings.md is the grammar in prose;
// keep the two in step.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace spanlake::index::format {

// index := postings dictionary block_index fields footer
inline constexpr std::string_view kMagic{"SPLKPST\n", 8};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kFooterSize = 64;

// Writer parameters; stored in the footer so a reader never assumes them.
inline constexpr uint32_t kTermsPerBlock = 16;
inline constexpr uint32_t kSkipInterval = 64;
// Sanity bounds a reader enforces on the stored parameters and tables.
inline constexpr uint32_t kMaxTermsPerBlock = 4096;
inline constexpr uint32_t kMaxFields = 1 << 16;
inline constexpr uint32_t kMaxFieldNameBytes = 4096;
// A text yields fewer tokens than it has bytes, and texts are capped.
inline constexpr uint32_t kMaxPositionsPerText = 1u << 30;
inline constexpr uint32_t kMaxDocId = UINT32_MAX - 1;  // so doc_limit fits in u32

// How a field's doc set is stored (low bit of docs_len_kind).
enum DocsKind : uint32_t {
  kDeltaVarints = 0,  // doc_count varints: first doc, then gaps (each ≥ 1)
  kRoaring = 1,       // a Roaring bitmap, portable serialization
};

struct Footer {
  uint64_t dict_offset = 0;   // postings region is [0, dict_offset)
  uint64_t index_offset = 0;  // dictionary is [dict_offset, index_offset)
  uint64_t fields_offset = 0; // block index is [index_offset, fields_offset)
  uint32_t num_terms = 0;
  uint32_t terms_per_block = kTermsPerBlock;
  uint32_t doc_limit = 0;     // every doc id is < doc_limit
  uint32_t tokenizer_version = 0;
  uint32_t skip_interval = kSkipInterval;
  uint32_t flags = 0;         // reserved, 0 in version 1
};

// Appends the footer of `file` (everything written so far) to it.
void AppendFooter(std::string* file, const Footer& footer);

// Validates the footer of `file` — size, magic, version, checksum (when
// `verify_checksum`), region offsets and parameters — and returns it.
// Errors are Status::Corruption saying what is wrong.
Result<Footer> ReadFooter(std::string_view file, bool verify_checksum);

// Recomputes the checksum of `file` (≥ kFooterSize bytes) in place. For
// tests and fuzzers that mutate an index and want the decoders, not the
// checksum, to meet the damage.
void RewriteChecksum(std::string* file);

inline uint64_t NumBlocks(const Footer& f) {
  return (uint64_t{f.num_terms} + f.terms_per_block - 1) / f.terms_per_block;
}

}  // namespace spanlake::index::format
