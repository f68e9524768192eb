#include "segment/builder.h"

#include <algorithm>

#include "segment/coding.h"
#include "segment/sections.h"

namespace spanlake::segment {

namespace {

constexpr int kMaxIndexDepth = 16;

}  // namespace

Builder::Builder(BuilderOptions options) : options_(options) {}
Builder::~Builder() = default;

Status Builder::StartContainer(std::string name, std::string org_id, std::string project_id) {
  if (!containers_.empty() && name <= containers_.back().name) {
    return Status::Internal("segment builder: container " + name + " out of order");
  }
  stats_.containers.push_back(name);
  containers_.push_back(ContainerEntry{std::move(name), std::move(org_id), std::move(project_id),
                                       static_cast<uint32_t>(row_count_), 0});
  has_last_key_ = false;
  return Status::Ok();
}

Status Builder::AddRow(const RowInput& row) {
  if (containers_.empty()) return Status::Internal("segment builder: row before any container");
  if (row.versions.empty()) return Status::Internal("segment builder: row " + row.id + " has no versions");
  if (has_last_key_ && !(row.key < last_key_)) {
    return Status::Internal("segment builder: row " + row.id + " out of PageKey order");
  }
  has_last_key_ = true;
  last_key_ = row.key;
  uint32_t ordinal = static_cast<uint32_t>(row_count_++);
  ++containers_.back().row_count;
  RowEntry entry{row.id, row.target, row.key, version_count_,
                 static_cast<uint32_t>(row.versions.size()), row.versions.back().xact, 0};
  if (row.is_comment) entry.flags |= kRowComment;
  const json::Value* del = row.versions.back().write->find("_object_delete");
  if (del && del->is_bool() && del->as_bool()) entry.flags |= kRowLastDelete;
  AppendRow(&rows_, entry);
  IndexRow(row, ordinal);
  if (options_.build_postings && !row.is_comment) {
    for (const Version& v : row.versions) {
      for (const auto& [k, value] : *v.write) {
        if (!index::IsUnindexedField(k)) RETURN_IF_ERROR(IndexText(ordinal, k, value));
      }
    }
  }
  for (const Version& v : row.versions) {
    size_t before = block_.size();
    EncodeVersion(&block_, v.xact, v.pos, *v.write);
    stats_.raw_version_bytes += block_.size() - before;
    columns_.AddVersion(version_count_, *v.write);
    block_min_xact_ = std::min(block_min_xact_, v.xact);
    block_max_xact_ = std::max(block_max_xact_, v.xact);
    stats_.min_xact = stats_.versions == 0 ? v.xact : std::min(stats_.min_xact, v.xact);
    stats_.max_xact = std::max(stats_.max_xact, v.xact);
    ++version_count_;
    ++stats_.versions;
    if (block_.size() >= options_.block_bytes) RETURN_IF_ERROR(FlushBlock());
  }
  ++stats_.rows;
  return Status::Ok();
}

// The root_span_id index lists a row under every root any of its versions
// names (the id itself when a version has none): reads re-check the folded row.
void Builder::IndexRow(const RowInput& row, uint32_t ordinal) {
  if (row.is_comment) return;
  uint32_t container = static_cast<uint32_t>(containers_.size() - 1);
  for (const Version& v : row.versions) {
    const json::Value* root = v.write->find("root_span_id");
    std::string name = root && root->is_string() ? root->as_string() : row.id;
    std::vector<uint32_t>& rows = root_spans_[{container, std::move(name)}];
    if (rows.empty() || rows.back() != ordinal) rows.push_back(ordinal);
  }
}

// Strings anywhere under `v`, each under its dotted path ("metadata.model";
// array elements take their array's path).
Status Builder::IndexText(uint32_t ordinal, const std::string& field, const json::Value& v) {
  if (std::count(field.begin(), field.end(), '.') > kMaxIndexDepth) return Status::Ok();
  if (v.is_string()) {
    // A field the index cannot take (name too long, too many fields) stays
    // unsearchable rather than failing the seal.
    Status st = text_.Add(ordinal, field, v.as_string());
    return st.code() == Code::kInvalidArgument ? Status::Ok() : st;
  }
  if (v.is_array()) {
    for (const json::Value& e : v.as_array()) RETURN_IF_ERROR(IndexText(ordinal, field, e));
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) RETURN_IF_ERROR(IndexText(ordinal, field + "." + k, e));
  }
  return Status::Ok();
}

Status Builder::FlushBlock() {
  if (block_.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::string stored, Compress(block_, options_.zstd_level));
  BlockEntry b;
  b.offset = out_.size();
  b.stored_len = static_cast<uint32_t>(stored.size());
  b.raw_len = static_cast<uint32_t>(block_.size());
  b.first_version = block_first_version_;
  b.min_xact = block_min_xact_;
  b.max_xact = block_max_xact_;
  b.crc = MaskedCrc(stored);
  out_ += stored;
  blocks_.push_back(b);
  block_.clear();
  block_first_version_ = version_count_;
  block_min_xact_ = UINT64_MAX;
  block_max_xact_ = 0;
  return Status::Ok();
}

Status Builder::AddSection(uint32_t id, std::string raw, bool compress,
                           std::vector<SectionEntry>* dir) {
  SectionEntry e;
  e.id = id;
  e.raw_len = raw.size();
  if (compress) {
    ASSIGN_OR_RETURN(raw, Compress(raw, options_.zstd_level));
    e.codec = kCodecZstd;
  }
  e.offset = out_.size();
  e.stored_len = raw.size();
  e.crc = MaskedCrc(raw);
  out_ += raw;
  dir->push_back(e);
  return Status::Ok();
}

Status Builder::Sections(std::vector<SectionEntry>* dir) {
  SegmentMeta meta{options_.created_ms, row_count_, version_count_, stats_.min_xact, stats_.max_xact};
  RETURN_IF_ERROR(AddSection(kSectionMeta, EncodeMeta(meta), false, dir));
  RETURN_IF_ERROR(AddSection(kSectionBlocks, EncodeBlocks(blocks_), false, dir));
  RETURN_IF_ERROR(AddSection(kSectionContainers, EncodeContainers(containers_), false, dir));
  RETURN_IF_ERROR(AddSection(kSectionRows, std::move(rows_), true, dir));
  std::vector<RootSpanEntry> roots;
  roots.reserve(root_spans_.size());
  for (auto& [k, rows] : root_spans_) roots.push_back(RootSpanEntry{k.first, k.second, std::move(rows)});
  RETURN_IF_ERROR(AddSection(kSectionRootSpans, EncodeRootSpans(roots), true, dir));
  std::vector<uint64_t> firsts;
  for (const BlockEntry& b : blocks_) firsts.push_back(b.first_version);
  RETURN_IF_ERROR(AddSection(kSectionColumns, columns_.Encode(firsts), true, dir));
  RETURN_IF_ERROR(AddSection(kSectionColumnExtras, columns_.EncodeExtras(), true, dir));
  if (options_.build_postings) RETURN_IF_ERROR(AddSection(kSectionPostings, text_.Finish(), true, dir));
  return Status::Ok();
}

Result<std::string> Builder::Finish() {
  RETURN_IF_ERROR(FlushBlock());
  std::vector<SectionEntry> dir;
  RETURN_IF_ERROR(Sections(&dir));
  Footer footer;
  footer.directory_offset = out_.size();
  std::string directory = EncodeDirectory(dir);
  footer.directory_length = static_cast<uint32_t>(directory.size());
  footer.directory_crc = MaskedCrc(directory);
  out_ += directory;
  out_ += footer.Encode();
  return std::move(out_);
}

}  // namespace spanlake::segment
