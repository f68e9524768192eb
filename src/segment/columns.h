// Columns: hot scalar paths of every version, stored apart from the row
// blocks so that lists, sorts, charts and range filters read them without
// decoding rows, with min/max per block for pruning. See
// docs/formats/segment.md ("columns section").
//
// Which paths: `created`, `span_attributes.type`, `span_attributes.name`
// (strings), and every numeric `metrics.<k>` and `scores.<k>` (doubles).
// `_xact_id` needs no column: each block's min/max xact is in the blocks
// section. Values are sparse: only versions that carry the path.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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

struct Column {
  std::string name;  // dotted path, e.g. "metrics.tokens"
  ColumnType type = ColumnType::kDouble;
  std::vector<BlockStat> blocks;    // one per block of the segment
  std::vector<ColumnValue> values;  // ascending version ordinal
};

// Accumulates column values while a segment is built. Not thread-safe.
class ColumnsBuilder {
 public:
  void AddVersion(uint64_t ordinal, const json::Object& write);
  // `block_first_versions`: first version ordinal of every block, ascending.
  std::string Encode(const std::vector<uint64_t>& block_first_versions) const;

 private:
  struct Values {
    ColumnType type;
    std::vector<std::pair<uint64_t, json::Value>> values;
  };
  void Add(const std::string& name, ColumnType type, uint64_t ordinal, const json::Value& v);

  std::map<std::string, Values> columns_;
};

// The decoded columns section: immutable, thread-safe.
class ColumnSet {
 public:
  static Result<std::shared_ptr<const ColumnSet>> Decode(std::string bytes, uint64_t block_count,
                                                         uint64_t version_count);
  const std::vector<Column>& columns() const { return columns_; }
  const Column* Find(std::string_view name) const;

 private:
  std::string bytes_;  // the string_views point here
  std::vector<Column> columns_;
};

}  // namespace spanlake::segment
