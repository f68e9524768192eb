// Columns: hot scalar paths of every version, stored apart from the row
// blocks so that lists, sorts, charts and range filters read them without
// decoding rows, with min/max per block for pruning. See
// docs/formats/segment.md ("columns section").
//
// Which paths: `created`, `span_attributes.type`, `span_attributes.name`
// (strings), every numeric `metrics.<k>` and `scores.<k>` (doubles), and
// (since the extras section) the low-cardinality string `metadata.<k>`: a key
// without a dot whose string values are short (<= kMaxMetadataValueBytes)
// and few (<= kMaxMetadataDistinct distinct per segment), at most
// kMaxMetadataColumns of them per segment.
//
// The extras section (docs/formats/segment.md "column_extras") makes a
// column exact: per column, the versions whose value reads back as an
// integer, and the versions that hold a value at the path which the column
// does not (another type, too long, null). With it, a version's value at the
// path is known without decoding the version: the column's value, or
// "other" (decode), or absent.
// `_xact_id` needs no column: each block's min/max xact is in the blocks
// section. Values are sparse: only versions that carry the path.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::segment {

enum class ColumnType : uint8_t { kDouble = 1, kString = 2 };

struct ColumnValue {
  uint64_t version = 0;  // version ordinal
  double num = 0;
  std::string_view str;
};

struct BlockStat {
  uint64_t present = 0;  // versions of the block that carry the path
  double min_num = 0, max_num = 0;
  std::string_view min_str, max_str;
};

inline constexpr size_t kMaxMetadataValueBytes = 128;
inline constexpr size_t kMaxMetadataDistinct = 256;
inline constexpr size_t kMaxMetadataColumns = 64;

struct Column {
  std::string name;  // dotted path, e.g. "metrics.tokens"
  ColumnType type = ColumnType::kDouble;
  std::vector<BlockStat> blocks;    // one per block of the segment
  std::vector<ColumnValue> values;  // ascending version ordinal
  // From the extras section; `exact` is false for segments written without it.
  bool exact = false;
  std::vector<uint64_t> ints;    // versions whose double value reads back as an integer
  std::vector<uint64_t> others;  // versions holding a value at the path not in `values`
};

// Accumulates column values while a segment is built. Not thread-safe.
class ColumnsBuilder {
 public:
  void AddVersion(uint64_t ordinal, const json::Object& write);
  // `block_first_versions`: first version ordinal of every block, ascending.
  std::string Encode(const std::vector<uint64_t>& block_first_versions) const;
  // The extras section (call after Encode() with the same blocks).
  std::string EncodeExtras() const;

 private:
  struct Values {
    ColumnType type;
    std::vector<std::pair<uint64_t, json::Value>> values;
    std::vector<uint64_t> ints, others;
    bool metadata = false;
    std::set<std::string, std::less<>> distinct;
    uint64_t last = UINT64_MAX;  // the last version added: one value per version  // metadata: up to kMaxMetadataDistinct + 1
  };
  void Add(const std::string& name, ColumnType type, uint64_t ordinal, const json::Value& v);
  void AddMetadata(uint64_t ordinal, const json::Object& metadata);
  // Whether a column is written: a metadata column with too many distinct
  // values is dropped whole.
  static bool Kept(const Values& col);

  std::map<std::string, Values> columns_;
  size_t metadata_columns_ = 0;
  bool metadata_complete_ = true;  // every metadata key met is in columns_
};

// The decoded columns section: immutable, thread-safe.
class ColumnSet {
 public:
  // `extras`: the extras section, nullopt when the segment has none.
  static Result<std::shared_ptr<const ColumnSet>> Decode(std::string bytes,
                                                         std::optional<std::string> extras,
                                                         uint64_t block_count,
                                                         uint64_t version_count);
  const std::vector<Column>& columns() const { return columns_; }
  const Column* Find(std::string_view name) const;
  // Whether every version's value at column path `name` is known without
  // decoding (the extras section): its column is exact, or, without a column,
  // no version of the segment holds a value there (the path is one the
  // builder tracks and the segment did not drop it).
  bool Knows(std::string_view name) const;

 private:
  Status DecodeExtras(std::string_view extras, uint64_t version_count);

  std::string bytes_;  // the string_views point here
  std::vector<Column> columns_;
  bool has_extras_ = false;
  bool metadata_complete_ = false;
  std::set<std::string, std::less<>> dropped_;  // metadata columns not written
};

}  // namespace spanlake::segment
