// Encoders and decoders of the segment's fixed sections (meta, blocks,
// containers, rows, root spans). Grammar in docs/formats/segment.md.
// Decoders treat their input as untrusted: every malformed byte is a
// Corruption naming the section, never a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "segment/format.h"

namespace spanlake::segment {

std::string EncodeMeta(const SegmentMeta& m);
Result<SegmentMeta> DecodeMeta(std::string_view bytes);

std::string EncodeBlocks(const std::vector<BlockEntry>& blocks);
// Checks that first_version ascends from 0 and stays below `version_count`.
Result<std::vector<BlockEntry>> DecodeBlocks(std::string_view bytes, uint64_t version_count);

std::string EncodeContainers(const std::vector<ContainerEntry>& containers);
// Checks that the row ranges are contiguous and cover exactly `row_count` rows.
Result<std::vector<ContainerEntry>> DecodeContainers(std::string_view bytes, uint64_t row_count);

void AppendRow(std::string* dst, const RowEntry& row);
// RowEntry ids point into `bytes`, which must outlive them. first_version is
// the running sum of version counts, checked against `version_count`.
Result<std::vector<RowEntry>> DecodeRows(std::string_view bytes, uint64_t row_count,
                                         uint64_t version_count);

// root_span_id → rows of one container, sorted by (container, root).
struct RootSpanEntry {
  uint32_t container = 0;
  std::string_view root;  // into the section bytes (decoder) or the builder's strings
  std::vector<uint32_t> rows;  // ascending row ordinals
};
std::string EncodeRootSpans(const std::vector<RootSpanEntry>& entries);
Result<std::vector<RootSpanEntry>> DecodeRootSpans(std::string_view bytes, uint64_t row_count);

}  // namespace spanlake::segment
