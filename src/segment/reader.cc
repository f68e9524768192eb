#include "segment/reader.h"

#include <algorithm>
#include <atomic>

#include "segment/coding.h"

namespace spanlake::segment {

namespace {

constexpr uint64_t kTailBytes = 64 << 10;  // read at Open: footer, directory, small sections
std::atomic<uint64_t> next_reader_id{1};

}  // namespace

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t reader_id, uint64_t block) {
  std::lock_guard lock(mu_);
  auto [b, e] = index_.equal_range(Hash(reader_id, block));
  for (auto it = b; it != e; ++it) {
    auto entry = it->second;
    if (entry->key_reader == reader_id && entry->key_block == block) {
      lru_.splice(lru_.begin(), lru_, entry);
      return entry->value;
    }
  }
  return nullptr;
}

void BlockCache::Insert(uint64_t reader_id, uint64_t block, std::shared_ptr<const Block> value,
                        size_t charge) {
  std::lock_guard lock(mu_);
  if (charge > capacity_) return;
  lru_.push_front(Entry{reader_id, block, std::move(value), charge});
  index_.emplace(Hash(reader_id, block), lru_.begin());
  used_ += charge;
  while (used_ > capacity_ && !lru_.empty()) {
    const Entry& victim = lru_.back();
    auto [b, e] = index_.equal_range(Hash(victim.key_reader, victim.key_block));
    for (auto it = b; it != e; ++it) {
      if (&*it->second == &victim) {
        index_.erase(it);
        break;
      }
    }
    used_ -= victim.charge;
    lru_.pop_back();
  }
}

Status Reader::Corrupt(std::string_view what) const {
  return Status::Corruption("segment " + key_ + ": " + std::string(what));
}

Result<std::shared_ptr<Reader>> Reader::Open(io::ObjectStore* store, std::string key, uint64_t size,
                                             std::shared_ptr<BlockCache> cache) {
  std::shared_ptr<Reader> r(new Reader());
  r->store_ = store;
  r->key_ = std::move(key);
  r->cache_ = std::move(cache);
  r->id_ = next_reader_id.fetch_add(1);
  if (size == 0) {
    ASSIGN_OR_RETURN(size, store->Size(r->key_));
  }
  r->size_ = size;
  if (size < kFooterSize) return r->Corrupt("object shorter than a footer");
  uint64_t tail_offset = size > kTailBytes ? size - kTailBytes : 0;
  ASSIGN_OR_RETURN(std::string tail, store->GetRange(r->key_, tail_offset, size - tail_offset));
  if (tail.size() != size - tail_offset) return r->Corrupt("object shorter than its recorded size");
  RETURN_IF_ERROR(r->LoadCore(tail, tail_offset));
  r->BuildIndexes();
  return r;
}

Result<std::string> Reader::Fetch(const SectionEntry& e, std::string_view tail,
                                  uint64_t tail_offset) const {
  if (e.offset > size_ || e.stored_len > size_ - e.offset) return Corrupt("section past the object's end");
  std::string stored;
  if (e.offset >= tail_offset && !tail.empty()) {
    stored = tail.substr(e.offset - tail_offset, e.stored_len);
  } else {
    ASSIGN_OR_RETURN(stored, store_->GetRange(key_, e.offset, e.stored_len));
  }
  if (stored.size() != e.stored_len) return Corrupt("short read of section " + std::to_string(e.id));
  if (MaskedCrc(stored) != e.crc) return Corrupt("checksum mismatch in section " + std::to_string(e.id));
  if (e.codec == kCodecRaw) {
    if (e.raw_len != e.stored_len) return Corrupt("raw section length mismatch");
    return stored;
  }
  Result<std::string> raw = Decompress(stored, e.raw_len, "section " + std::to_string(e.id));
  if (!raw.ok()) return Corrupt(raw.status().message());
  return raw;
}

const SectionEntry* Reader::FindSection(uint32_t id) const {
  for (const SectionEntry& e : directory_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

Status Reader::LoadCore(std::string_view tail, uint64_t tail_offset) {
  Result<Footer> footer = Footer::Decode(tail.substr(tail.size() - kFooterSize));
  if (!footer.ok()) return Corrupt(footer.status().message());
  uint64_t dir_end = footer->directory_offset + footer->directory_length;
  if (footer->directory_offset > size_ || dir_end > size_ - kFooterSize) {
    return Corrupt("directory outside the object");
  }
  SectionEntry dir{0, kCodecRaw, footer->directory_offset, footer->directory_length,
                   footer->directory_length, footer->directory_crc};
  ASSIGN_OR_RETURN(std::string dir_bytes, Fetch(dir, tail, tail_offset));
  Result<std::vector<SectionEntry>> entries = DecodeDirectory(dir_bytes);
  if (!entries.ok()) return Corrupt(entries.status().message());
  directory_ = std::move(*entries);
  std::string parts[4];
  const uint32_t ids[4] = {kSectionMeta, kSectionBlocks, kSectionContainers, kSectionRows};
  for (int i = 0; i < 4; ++i) {
    const SectionEntry* e = FindSection(ids[i]);
    if (e == nullptr) return Corrupt("missing section " + std::to_string(ids[i]));
    ASSIGN_OR_RETURN(parts[i], Fetch(*e, tail, tail_offset));
  }
  Result<SegmentMeta> meta = DecodeMeta(parts[0]);
  if (!meta.ok()) return Corrupt(meta.status().message());
  meta_ = *meta;
  Result<std::vector<BlockEntry>> blocks = DecodeBlocks(parts[1], meta_.version_count);
  if (!blocks.ok()) return Corrupt(blocks.status().message());
  blocks_ = std::move(*blocks);
  for (const BlockEntry& b : blocks_) {
    if (b.offset > size_ || b.stored_len > size_ - b.offset) return Corrupt("block outside the object");
  }
  Result<std::vector<ContainerEntry>> containers = DecodeContainers(parts[2], meta_.row_count);
  if (!containers.ok()) return Corrupt(containers.status().message());
  containers_ = std::move(*containers);
  rows_bytes_ = std::move(parts[3]);
  Result<std::vector<RowEntry>> rows = DecodeRows(rows_bytes_, meta_.row_count, meta_.version_count);
  if (!rows.ok()) return Corrupt(rows.status().message());
  rows_ = std::move(*rows);
  for (const ContainerEntry& c : containers_) {
    for (uint32_t i = c.first_row + 1; i < c.first_row + c.row_count; ++i) {
      if (!(rows_[i].key < rows_[i - 1].key)) return Corrupt("rows of " + c.name + " out of key order");
    }
  }
  return Status::Ok();
}

void Reader::BuildIndexes() {
  by_id_.resize(rows_.size());
  for (uint32_t i = 0; i < rows_.size(); ++i) by_id_[i] = i;
  for (uint32_t c = 0; c < containers_.size(); ++c) {
    auto begin = by_id_.begin() + containers_[c].first_row;
    std::sort(begin, begin + containers_[c].row_count,
              [&](uint32_t a, uint32_t b) { return rows_[a].id < rows_[b].id; });
    for (uint32_t i = containers_[c].first_row; i < containers_[c].first_row + containers_[c].row_count; ++i) {
      if (rows_[i].is_comment()) comments_.push_back(CommentRef{c, rows_[i].target, i});
    }
  }
  std::sort(comments_.begin(), comments_.end(), [](const CommentRef& a, const CommentRef& b) {
    return std::tie(a.container, a.target, a.row) < std::tie(b.container, b.target, b.row);
  });
}

int Reader::FindContainer(std::string_view name) const {
  auto it = std::lower_bound(containers_.begin(), containers_.end(), name,
                             [](const ContainerEntry& c, std::string_view n) { return c.name < n; });
  if (it == containers_.end() || it->name != name) return -1;
  return static_cast<int>(it - containers_.begin());
}

std::optional<uint32_t> Reader::FindRow(int c, std::string_view id) const {
  const ContainerEntry& ce = containers_[c];
  auto begin = by_id_.begin() + ce.first_row;
  auto end = begin + ce.row_count;
  auto it = std::lower_bound(begin, end, id, [&](uint32_t r, std::string_view v) { return rows_[r].id < v; });
  if (it == end || rows_[*it].id != id) return std::nullopt;
  return *it;
}

uint32_t Reader::RowAfter(int c, const Key& after) const {
  const ContainerEntry& ce = containers_[c];
  auto begin = rows_.begin() + ce.first_row;
  auto end = begin + ce.row_count;
  // Rows descend by key: find the first with key < after.
  auto it = std::partition_point(begin, end, [&](const RowEntry& r) { return !(r.key < after); });
  return static_cast<uint32_t>(it - rows_.begin());
}

std::vector<uint32_t> Reader::CommentsOf(int c, std::string_view target) const {
  auto lo = std::lower_bound(comments_.begin(), comments_.end(), std::make_pair(uint32_t(c), target),
                             [](const CommentRef& a, const std::pair<uint32_t, std::string_view>& k) {
                               return std::tie(a.container, a.target) < std::tie(k.first, k.second);
                             });
  std::vector<uint32_t> out;
  for (; lo != comments_.end() && lo->container == uint32_t(c) && lo->target == target; ++lo) {
    out.push_back(lo->row);
  }
  return out;
}

size_t Reader::BlockOf(uint64_t v) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), v,
                             [](uint64_t x, const BlockEntry& b) { return x < b.first_version; });
  return static_cast<size_t>(it - blocks_.begin()) - 1;
}

Result<std::shared_ptr<const Block>> Reader::ReadBlock(size_t b) const {
  if (cache_) {
    if (auto hit = cache_->Lookup(id_, b)) return hit;
  }
  const BlockEntry& e = blocks_[b];
  uint64_t end = b + 1 < blocks_.size() ? blocks_[b + 1].first_version : meta_.version_count;
  SectionEntry as_section{0, kCodecZstd, e.offset, e.stored_len, e.raw_len, e.crc};
  Result<std::string> raw = Fetch(as_section, {}, 0);
  if (!raw.ok()) return raw.status().WithContext("block " + std::to_string(b));
  Result<Block> versions = DecodeBlock(*raw, end - e.first_version);
  if (!versions.ok()) return Corrupt("block " + std::to_string(b) + ": " + versions.status().message());
  auto block = std::make_shared<const Block>(std::move(*versions));
  if (cache_) cache_->Insert(id_, b, block, e.raw_len + 64 * block->size());
  return block;
}

Status Reader::ReadVersions(uint32_t ordinal, std::vector<Version>* out) const {
  const RowEntry& r = rows_[ordinal];
  uint64_t v = r.first_version, end = r.first_version + r.version_count;
  while (v < end) {
    size_t b = BlockOf(v);
    ASSIGN_OR_RETURN(std::shared_ptr<const Block> block, ReadBlock(b));
    uint64_t first = blocks_[b].first_version;
    for (; v < end && v - first < block->size(); ++v) out->push_back((*block)[v - first]);
  }
  return Status::Ok();
}

Result<std::vector<uint32_t>> Reader::RowsWithRoot(int c, std::string_view root) const {
  std::lock_guard lock(lazy_mu_);
  if (!roots_) {
    const SectionEntry* e = FindSection(kSectionRootSpans);
    if (e == nullptr) return std::vector<uint32_t>{};
    ASSIGN_OR_RETURN(roots_bytes_, Fetch(*e, {}, 0));
    Result<std::vector<RootSpanEntry>> decoded = DecodeRootSpans(roots_bytes_, rows_.size());
    if (!decoded.ok()) return Corrupt(decoded.status().message());
    roots_ = std::move(*decoded);
  }
  auto it = std::lower_bound(roots_->begin(), roots_->end(), std::make_pair(uint32_t(c), root),
                             [](const RootSpanEntry& a, const std::pair<uint32_t, std::string_view>& k) {
                               return std::tie(a.container, a.root) < std::tie(k.first, k.second);
                             });
  if (it == roots_->end() || it->container != uint32_t(c) || it->root != root) return std::vector<uint32_t>{};
  return it->rows;
}

Result<std::shared_ptr<const ColumnSet>> Reader::Columns() const {
  std::lock_guard lock(lazy_mu_);
  if (columns_) return columns_;
  const SectionEntry* e = FindSection(kSectionColumns);
  std::string bytes;
  if (e != nullptr) {
    ASSIGN_OR_RETURN(bytes, Fetch(*e, {}, 0));
  } else {
    PutVarint64(&bytes, 0);
  }
  std::optional<std::string> extras;
  if (const SectionEntry* x = FindSection(kSectionColumnExtras); x != nullptr && e != nullptr) {
    ASSIGN_OR_RETURN(extras, Fetch(*x, {}, 0));
  }
  Result<std::shared_ptr<const ColumnSet>> set =
      ColumnSet::Decode(std::move(bytes), std::move(extras), blocks_.size(), meta_.version_count);
  if (!set.ok()) return Corrupt(set.status().message());
  columns_ = *set;
  return columns_;
}

Result<const Reader::Postings*> Reader::LoadPostings() const {
  std::lock_guard lock(lazy_mu_);
  if (postings_) return postings_.get();
  auto p = std::make_unique<Postings>();
  if (const SectionEntry* e = FindSection(kSectionPostings)) {
    ASSIGN_OR_RETURN(p->bytes, Fetch(*e, {}, 0));
    // The section's own checksum was just checked.
    Result<index::PostingsReader> r = index::PostingsReader::Open(p->bytes, {.verify_checksum = false});
    if (!r.ok()) return Corrupt("postings: " + r.status().message());
    p->reader.emplace(std::move(*r));
  }
  postings_ = std::move(p);
  return postings_.get();
}

Result<std::vector<uint32_t>> Reader::MatchRows(int c, std::string_view query,
                                                std::optional<std::string_view> field) const {
  ASSIGN_OR_RETURN(const Postings* p, LoadPostings());
  std::vector<uint32_t> out;
  if (!p->reader) return out;
  Result<Roaring> docs = p->reader->Match(query, field);
  if (!docs.ok()) return docs.status().code() == Code::kCorruption ? Corrupt(docs.status().message()) : docs.status();
  const ContainerEntry& ce = containers_[c];
  for (uint32_t doc : *docs) {
    if (doc >= ce.first_row && doc < ce.first_row + ce.row_count) out.push_back(doc);
  }
  return out;
}

Result<std::string> Reader::ReadSection(uint32_t id) const {
  const SectionEntry* e = FindSection(id);
  if (e == nullptr) return Status::NotFound("segment " + key_ + " has no section " + std::to_string(id));
  return Fetch(*e, {}, 0);
}

Status Reader::VerifyAll() const {
  for (size_t b = 0; b < blocks_.size(); ++b) RETURN_IF_ERROR(ReadBlock(b).status());
  for (const SectionEntry& e : directory_) RETURN_IF_ERROR(Fetch(e, {}, 0).status());
  RETURN_IF_ERROR(RowsWithRoot(0, "").status());
  RETURN_IF_ERROR(Columns().status());
  ASSIGN_OR_RETURN(const Postings* p, LoadPostings());
  if (p->reader) {
    if (Status st = p->reader->Verify(); !st.ok()) return Corrupt("postings: " + st.message());
    if (p->reader->doc_limit() > rows_.size()) return Corrupt("postings: doc ids past the last row");
  }
  // Every version of a row must carry the row's id.
  for (uint32_t i = 0; i < rows_.size(); ++i) {
    std::vector<Version> versions;
    RETURN_IF_ERROR(ReadVersions(i, &versions));
    for (const Version& v : versions) {
      const json::Value* id = v.write->find("id");
      if (id == nullptr || !id->is_string() || id->as_string() != rows_[i].id) {
        return Corrupt("a version of row " + std::string(rows_[i].id) + " carries another id");
      }
    }
  }
  return Status::Ok();
}

}  // namespace spanlake::segment
