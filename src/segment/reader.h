// Reader: an open segment object. Open() reads the footer, the section
// directory and the small sections every read needs (meta, blocks,
// containers, rows) — usually in one ranged GET of the object's tail — and
// keeps them in memory: the id → row table, row keys, comment targets.
// Everything else (version blocks, root spans, columns, postings) is fetched
// with ObjectStore::GetRange when first needed; decoded blocks go through a
// shared BlockCache. See docs/formats/segment.md.
//
// Thread-safe: immutable after Open() except for the lazily loaded
// sections, which are guarded.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "index/postings_reader.h"
#include "io/object_store.h"
#include "segment/columns.h"
#include "segment/format.h"
#include "segment/sections.h"

namespace spanlake::segment {

using Block = std::vector<Version>;

// Decoded version blocks shared by every reader, evicted least recently used
// by raw size. Thread-safe.
class BlockCache {
 public:
  explicit BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  std::shared_ptr<const Block> Lookup(uint64_t reader_id, uint64_t block);
  void Insert(uint64_t reader_id, uint64_t block, std::shared_ptr<const Block> value, size_t charge);

 private:
  struct Entry {
    uint64_t key_reader, key_block;
    std::shared_ptr<const Block> value;
    size_t charge;
  };
  static uint64_t Hash(uint64_t r, uint64_t b) { return r * 0x9E3779B97F4A7C15ull ^ b; }

  std::mutex mu_;
  const size_t capacity_;
  size_t used_ = 0;
  std::list<Entry> lru_;  // front = most recent
  std::unordered_multimap<uint64_t, std::list<Entry>::iterator> index_;
};

class Reader {
 public:
  // `size` is the object's byte size when known (from the manifest), else 0.
  // `cache` may be null (no caching).
  static Result<std::shared_ptr<Reader>> Open(io::ObjectStore* store, std::string key,
                                              uint64_t size, std::shared_ptr<BlockCache> cache);

  const std::string& key() const { return key_; }
  uint64_t size() const { return size_; }
  const SegmentMeta& meta() const { return meta_; }
  const std::vector<ContainerEntry>& containers() const { return containers_; }
  const std::vector<BlockEntry>& blocks() const { return blocks_; }
  const std::vector<SectionEntry>& directory() const { return directory_; }

  // Index of container `name`, or -1.
  int FindContainer(std::string_view name) const;
  const RowEntry& row(uint32_t ordinal) const { return rows_[ordinal]; }
  // The row of `id` in container `c`.
  std::optional<uint32_t> FindRow(int c, std::string_view id) const;
  // First row of container `c` (rows are PageKey-descending) with key < `after`;
  // the container's end when there is none.
  uint32_t RowAfter(int c, const Key& after) const;
  // Comment rows of container `c` whose target is `target`, ascending ordinal.
  std::vector<uint32_t> CommentsOf(int c, std::string_view target) const;

  // Appends the versions of row `ordinal` in (xact, pos) order, decoding only
  // the blocks that hold them.
  Status ReadVersions(uint32_t ordinal, std::vector<Version>* out) const;
  // Block `b`, decoded (through the cache).
  Result<std::shared_ptr<const Block>> ReadBlock(size_t b) const;
  // The block holding version ordinal `v`.
  size_t BlockOf(uint64_t v) const;

  // Rows of container `c` that any version places in trace `root`.
  Result<std::vector<uint32_t>> RowsWithRoot(int c, std::string_view root) const;
  Result<std::shared_ptr<const ColumnSet>> Columns() const;
  // Rows of container `c` whose text matches `query` as a phrase
  // (index::PostingsReader::Match), in `field` and the fields under it when
  // given. Rows are candidates: any version's text counts, so the caller
  // re-checks the folded row. A segment without postings matches nothing.
  Result<std::vector<uint32_t>> MatchRows(int c, std::string_view query,
                                          std::optional<std::string_view> field) const;
  // The stored bytes of section `id` (decoded), or NotFound.
  Result<std::string> ReadSection(uint32_t id) const;

  // Reads every block and section and checks its checksum and grammar.
  Status VerifyAll() const;

 private:
  Reader() = default;
  Status LoadCore(std::string_view tail, uint64_t tail_offset);
  Result<std::string> Fetch(const SectionEntry& e, std::string_view tail, uint64_t tail_offset) const;
  const SectionEntry* FindSection(uint32_t id) const;
  void BuildIndexes();
  Status Corrupt(std::string_view what) const;

  io::ObjectStore* store_ = nullptr;
  std::string key_;
  uint64_t size_ = 0;
  uint64_t id_ = 0;  // cache namespace
  std::shared_ptr<BlockCache> cache_;
  std::vector<SectionEntry> directory_;
  SegmentMeta meta_;
  std::vector<BlockEntry> blocks_;
  std::vector<ContainerEntry> containers_;
  std::string rows_bytes_;  // RowEntry views point here
  std::vector<RowEntry> rows_;
  std::vector<uint32_t> by_id_;  // per container range: row ordinals sorted by id
  struct CommentRef {
    uint32_t container;
    std::string_view target;
    uint32_t row;
  };
  std::vector<CommentRef> comments_;  // sorted by (container, target, row)

  mutable std::mutex lazy_mu_;
  mutable std::string roots_bytes_;
  mutable std::optional<std::vector<RootSpanEntry>> roots_;
  mutable std::shared_ptr<const ColumnSet> columns_;
  struct Postings {
    std::string bytes;
    std::optional<index::PostingsReader> reader;
  };
  Result<const Postings*> LoadPostings() const;
  mutable std::unique_ptr<Postings> postings_;
};

}  // namespace spanlake::segment
