// The segment object's framing: footer, section directory, and the records
// shared by the builder and the reader. The byte grammar is in
// docs/formats/segment.md; this file is that grammar in code.
//
// A segment holds row VERSIONS (validated writes, control fields included),
// grouped by container, then by row in PageKey-descending order, each row's
// versions in (xact, pos) order. Versions are stored in zstd blocks addressed
// by version ordinal; sections describe containers, rows, trace membership,
// column statistics and postings.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::segment {

inline constexpr std::string_view kMagic{"SPLKSEG\n", 8};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kFooterSize = 32;

// Section ids (docs/formats/segment.md). Unknown ids are ignored by readers,
// so new sections are a compatible addition.
enum SectionId : uint32_t {
  kSectionMeta = 1,
  kSectionBlocks = 2,
  kSectionContainers = 3,
  kSectionRows = 4,
  kSectionRootSpans = 5,
  kSectionColumns = 6,
  kSectionPostings = 7,
  kSectionColumnExtras = 8,
};

enum Codec : uint32_t { kCodecRaw = 0, kCodecZstd = 1 };

// A row's paging key: (xact, pos) of its first write; fixed for the row's life.
struct Key {
  uint64_t xact = 0;
  uint32_t pos = 0;
  auto operator<=>(const Key&) const = default;
};

// One write of a row.
struct Version {
  uint64_t xact = 0;
  uint32_t pos = 0;
  std::shared_ptr<const json::Object> write;
};

struct Footer {
  uint64_t directory_offset = 0;
  uint32_t directory_length = 0;
  uint32_t directory_crc = 0;  // masked crc32c of the directory bytes
  uint32_t format_version = kFormatVersion;

  std::string Encode() const;
  // `bytes` are the object's last kFooterSize bytes.
  static Result<Footer> Decode(std::string_view bytes);
};

struct SectionEntry {
  uint32_t id = 0;
  uint32_t codec = kCodecRaw;
  uint64_t offset = 0;      // from the start of the object
  uint64_t stored_len = 0;  // bytes in the object
  uint64_t raw_len = 0;     // bytes once decoded
  uint32_t crc = 0;         // masked crc32c of the stored bytes
};

std::string EncodeDirectory(const std::vector<SectionEntry>& entries);
Result<std::vector<SectionEntry>> DecodeDirectory(std::string_view bytes);

// Segment-wide numbers (section kSectionMeta).
struct SegmentMeta {
  uint64_t created_ms = 0;
  uint64_t row_count = 0;
  uint64_t version_count = 0;
  uint64_t min_xact = 0;
  uint64_t max_xact = 0;
};

// A block of versions (section kSectionBlocks).
struct BlockEntry {
  uint64_t offset = 0;
  uint32_t stored_len = 0;
  uint32_t raw_len = 0;
  uint64_t first_version = 0;  // ordinal of its first version
  uint64_t min_xact = 0;       // of its versions: the `_xact_id` column's stats
  uint64_t max_xact = 0;
  uint32_t crc = 0;  // masked crc32c of the stored (compressed) bytes
};

struct ContainerEntry {
  std::string name;  // "<kind>:<id>"
  std::string org_id;
  std::string project_id;
  uint32_t first_row = 0;
  uint32_t row_count = 0;
};

enum RowFlags : uint8_t {
  kRowComment = 1,     // a comment row: surfaces in its target's `comments`
  kRowLastDelete = 2,  // the row's last version here is a delete
};

struct RowEntry {
  std::string_view id;      // points into the decoded rows section
  std::string_view target;  // comment rows: the id they comment on
  Key key;
  uint64_t first_version = 0;
  uint32_t version_count = 0;
  uint64_t last_xact = 0;  // xact of its last version here
  uint8_t flags = 0;

  bool is_comment() const { return flags & kRowComment; }
};

// Zstd helpers; errors name `what`.
Result<std::string> Compress(std::string_view raw, int level);
Result<std::string> Decompress(std::string_view stored, uint64_t raw_len, std::string_view what);

// Block payload: versions back to back.
void EncodeVersion(std::string* dst, uint64_t xact, uint32_t pos, const json::Object& write);
Result<std::vector<Version>> DecodeBlock(std::string_view raw, uint64_t count);

}  // namespace spanlake::segment
