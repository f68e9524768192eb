#include "segment/sections.h"

#include "segment/coding.h"

namespace spanlake::segment {

namespace {

Status Bad(std::string_view section, std::string_view what) {
  return Status::Corruption("segment " + std::string(section) + " section: " + std::string(what));
}

}  // namespace

std::string EncodeMeta(const SegmentMeta& m) {
  std::string out;
  PutVarint64(&out, m.created_ms);
  PutVarint64(&out, m.row_count);
  PutVarint64(&out, m.version_count);
  PutVarint64(&out, m.min_xact);
  PutVarint64(&out, m.max_xact);
  return out;
}

Result<SegmentMeta> DecodeMeta(std::string_view bytes) {
  Decoder d(bytes);
  SegmentMeta m;
  if (!d.GetVarint64(&m.created_ms) || !d.GetVarint64(&m.row_count) ||
      !d.GetVarint64(&m.version_count) || !d.GetVarint64(&m.min_xact) ||
      !d.GetVarint64(&m.max_xact)) {
    return Bad("meta", "truncated");
  }
  // Later format versions may append fields; v1 readers ignore them.
  if (m.row_count > m.version_count || m.min_xact > m.max_xact) return Bad("meta", "inconsistent counts");
  return m;
}

std::string EncodeBlocks(const std::vector<BlockEntry>& blocks) {
  std::string out;
  PutVarint64(&out, blocks.size());
  for (const BlockEntry& b : blocks) {
    PutFixed64(&out, b.offset);
    PutFixed32(&out, b.stored_len);
    PutFixed32(&out, b.raw_len);
    PutFixed64(&out, b.first_version);
    PutFixed64(&out, b.min_xact);
    PutFixed64(&out, b.max_xact);
    PutFixed32(&out, b.crc);
  }
  return out;
}

Result<std::vector<BlockEntry>> DecodeBlocks(std::string_view bytes, uint64_t version_count) {
  Decoder d(bytes);
  uint64_t n = 0;
  if (!d.GetVarint64(&n) || n > d.remaining() / 44 || n > version_count) return Bad("blocks", "bad count");
  std::vector<BlockEntry> out(n);
  for (uint64_t i = 0; i < n; ++i) {
    BlockEntry& b = out[i];
    if (!d.GetFixed64(&b.offset) || !d.GetFixed32(&b.stored_len) || !d.GetFixed32(&b.raw_len) ||
        !d.GetFixed64(&b.first_version) || !d.GetFixed64(&b.min_xact) ||
        !d.GetFixed64(&b.max_xact) || !d.GetFixed32(&b.crc)) {
      return Bad("blocks", "truncated entry");
    }
    bool ascending = i == 0 ? b.first_version == 0 : b.first_version > out[i - 1].first_version;
    if (!ascending || b.first_version >= version_count) return Bad("blocks", "version ordinals out of order");
  }
  if (version_count > 0 && n == 0) return Bad("blocks", "versions but no blocks");
  return out;
}

std::string EncodeContainers(const std::vector<ContainerEntry>& containers) {
  std::string out;
  PutVarint64(&out, containers.size());
  for (const ContainerEntry& c : containers) {
    PutString(&out, c.name);
    PutString(&out, c.org_id);
    PutString(&out, c.project_id);
    PutVarint64(&out, c.row_count);
  }
  return out;
}

Result<std::vector<ContainerEntry>> DecodeContainers(std::string_view bytes, uint64_t row_count) {
  Decoder d(bytes);
  uint64_t n = 0;
  if (!d.GetVarint64(&n) || n > d.remaining()) return Bad("containers", "bad count");
  std::vector<ContainerEntry> out(n);
  uint64_t next_row = 0;
  for (ContainerEntry& c : out) {
    std::string_view name, org, project;
    if (!d.GetString(&name) || !d.GetString(&org) || !d.GetString(&project) ||
        !d.GetVarint32(&c.row_count)) {
      return Bad("containers", "truncated entry");
    }
    if (!out.empty() && &c != &out[0] && name <= (&c - 1)->name) {
      return Bad("containers", "names not in ascending order");
    }
    c.name = name;
    c.org_id = org;
    c.project_id = project;
    c.first_row = static_cast<uint32_t>(next_row);
    next_row += c.row_count;
  }
  if (next_row != row_count) return Bad("containers", "row ranges do not cover the rows");
  return out;
}

void AppendRow(std::string* dst, const RowEntry& row) {
  PutString(dst, row.id);
  PutVarint64(dst, row.key.xact);
  PutVarint64(dst, row.key.pos);
  PutVarint64(dst, row.version_count);
  PutVarint64(dst, row.last_xact);
  dst->push_back(static_cast<char>(row.flags));
  if (row.is_comment()) PutString(dst, row.target);
}

Result<std::vector<RowEntry>> DecodeRows(std::string_view bytes, uint64_t row_count,
                                         uint64_t version_count) {
  Decoder d(bytes);
  if (row_count > bytes.size()) return Bad("rows", "more rows than bytes");
  std::vector<RowEntry> out(row_count);
  uint64_t next_version = 0;
  for (RowEntry& r : out) {
    if (!d.GetString(&r.id) || !d.GetVarint64(&r.key.xact) || !d.GetVarint32(&r.key.pos) ||
        !d.GetVarint32(&r.version_count) || !d.GetVarint64(&r.last_xact) || !d.GetByte(&r.flags)) {
      return Bad("rows", "truncated row");
    }
    if (r.is_comment() && !d.GetString(&r.target)) return Bad("rows", "truncated comment target");
    if (r.version_count == 0) return Bad("rows", "row without versions");
    r.first_version = next_version;
    next_version += r.version_count;
    if (next_version > version_count) return Bad("rows", "more versions than the segment holds");
  }
  if (next_version != version_count || !d.empty()) return Bad("rows", "version counts do not add up");
  return out;
}

std::string EncodeRootSpans(const std::vector<RootSpanEntry>& entries) {
  std::string out;
  PutVarint64(&out, entries.size());
  for (const RootSpanEntry& e : entries) {
    PutVarint64(&out, e.container);
    PutString(&out, e.root);
    PutVarint64(&out, e.rows.size());
    uint32_t prev = 0;
    for (uint32_t r : e.rows) {
      PutVarint64(&out, r - prev);
      prev = r;
    }
  }
  return out;
}

Result<std::vector<RootSpanEntry>> DecodeRootSpans(std::string_view bytes, uint64_t row_count) {
  Decoder d(bytes);
  uint64_t n = 0;
  if (!d.GetVarint64(&n) || n > d.remaining()) return Bad("root spans", "bad count");
  std::vector<RootSpanEntry> out(n);
  for (RootSpanEntry& e : out) {
    uint64_t count = 0;
    if (!d.GetVarint32(&e.container) || !d.GetString(&e.root) || !d.GetVarint64(&count) ||
        count > d.remaining()) {
      return Bad("root spans", "truncated entry");
    }
    uint64_t row = 0;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t delta = 0;
      if (!d.GetVarint64(&delta)) return Bad("root spans", "truncated row list");
      row += delta;
      if (row >= row_count) return Bad("root spans", "row ordinal out of range");
      e.rows.push_back(static_cast<uint32_t>(row));
    }
  }
  if (!d.empty()) return Bad("root spans", "trailing bytes");
  return out;
}

}  // namespace spanlake::segment
