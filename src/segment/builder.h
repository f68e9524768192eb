// Builder: turns rows with their versions into the bytes of one immutable
// segment object. See docs/formats/segment.md.
//
// Usage: for each container in ascending name order, StartContainer() then
// AddRow() for its rows in PageKey-descending order; then Finish().
// Not thread-safe; one builder makes one segment.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "index/index_builder.h"
#include "segment/columns.h"
#include "segment/format.h"

namespace spanlake::segment {

struct BuilderOptions {
  size_t block_bytes = 256 << 10;  // raw bytes per block before compression
  int zstd_level = 3;
  uint64_t created_ms = 0;  // recorded in the meta section
  bool build_postings = true;
};

struct RowInput {
  std::string id;
  Key key;
  bool is_comment = false;
  std::string target;             // comment rows: the id they comment on
  std::vector<Version> versions;  // (xact, pos) order, at least one
};

// What a built segment holds, for the manifest.
struct BuildStats {
  uint64_t rows = 0;
  uint64_t versions = 0;
  uint64_t min_xact = 0;
  uint64_t max_xact = 0;
  uint64_t raw_version_bytes = 0;  // JSON bytes of all versions before compression
  std::vector<std::string> containers;
};

class Builder {
 public:
  explicit Builder(BuilderOptions options = {});
  ~Builder();

  // REQUIRES: `name` sorts after every earlier container's name.
  Status StartContainer(std::string name, std::string org_id, std::string project_id);
  // REQUIRES: a container is started; `row.key` is below the previous row's
  // key in this container; versions are non-empty and in (xact, pos) order.
  // Also indexes every string of every version for full-text search (doc =
  // row ordinal; field = the dotted path), except ids, timestamps and control fields.
  Status AddRow(const RowInput& row);
  // The complete object. The builder is spent afterwards.
  Result<std::string> Finish();

  const BuildStats& stats() const { return stats_; }

 private:
  Status FlushBlock();
  void IndexRow(const RowInput& row, uint32_t ordinal);
  Status IndexText(uint32_t ordinal, const std::string& field, const json::Value& v);
  Status Sections(std::vector<SectionEntry>* dir);
  Status AddSection(uint32_t id, std::string raw, bool compress, std::vector<SectionEntry>* dir);

  const BuilderOptions options_;
  std::string out_;  // blocks written so far, then sections
  std::string block_;
  uint64_t block_first_version_ = 0;
  uint64_t block_min_xact_ = UINT64_MAX, block_max_xact_ = 0;
  std::vector<BlockEntry> blocks_;
  std::vector<ContainerEntry> containers_;
  std::string rows_;
  uint64_t row_count_ = 0, version_count_ = 0;
  bool has_last_key_ = false;
  Key last_key_;
  std::map<std::pair<uint32_t, std::string>, std::vector<uint32_t>> root_spans_;
  ColumnsBuilder columns_;
  index::IndexBuilder text_;  // doc = row ordinal
  BuildStats stats_;
};

}  // namespace spanlake::segment
