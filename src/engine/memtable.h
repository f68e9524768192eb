// The memtable: writes not yet sealed into a segment, by container and row
// id, each row with its full version history (the validated writes), so that
// "as of version X" reads work. It is not indexed beyond id and root span:
// reads scan it, and sealing keeps it small. Reads merge it with frozen
// memtables and segments (engine/read.h); it does no folding itself.
//
// Rows are ordered for paging by their PageKey — the xact id and position of
// the row's first write — which never changes for a row, so a cursor taken
// from a PageKey neither skips nor repeats a row while new rows arrive. A row
// whose older versions live in a segment or an older memtable keeps the key
// it got there: Apply() asks `inherited` for it.
//
// Thread-safety: Apply() takes an exclusive lock, reads a shared one. Every
// read returns copies (versions are shared immutable objects), never
// references into the table.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "json/value.h"
#include "segment/format.h"

namespace spanlake::engine {

struct PageKey {
  uint64_t xact = 0;
  uint32_t pos = 0;
  auto operator<=>(const PageKey&) const = default;
  std::string Encode() const;  // opaque cursor text
  static std::optional<PageKey> Decode(const std::string& cursor);
};

// A write as applied: the container it belongs to and the row.
struct RowWrite {
  std::string container;   // "<kind>:<id>", e.g. "experiment:1b2c..."
  std::string org_id;
  std::string project_id;  // empty for project logs (the row carries it)
  json::Object row;        // validated, control fields included
};

struct ColumnarRead;  // read.h

struct ReadOptions {
  std::optional<uint64_t> as_of;  // fold only writes with xact <= as_of
  bool audit_log = false;         // include `audit_data`
  // Set: a scan may build a row from segment columns (read.h, ColumnarRead).
  std::shared_ptr<ColumnarRead> columnar;
};

using Version = segment::Version;

// One row's versions held by one memtable.
struct MemRow {
  PageKey key;
  std::string id;
  bool is_comment = false;
  std::vector<Version> versions;  // (xact, pos) order
};

// A row's key as known to older data, for inheritance.
struct InheritedKey {
  PageKey key;
  bool is_comment = false;
};
using KeyLookup =
    std::function<std::optional<InheritedKey>(const std::string& container, const std::string& id)>;

struct ContainerInfo {
  std::string org_id;
  std::string project_id;
};

class Memtable {
 public:
  Memtable();
  ~Memtable();

  // Applies one transaction's rows in order. Rows of one transaction may
  // touch the same id. `inherited` (may be null) gives the key of an id this
  // memtable has not seen that lives in older data.
  // REQUIRES: `xact` is greater than that of every earlier Apply().
  // Takes the rows (pass std::move(rows) to spare a copy of every row).
  void Apply(uint64_t xact, std::vector<RowWrite> rows, const KeyLookup& inherited);

  // The first non-comment row of `container` with key < `after` (any key when
  // unset), newest first. False when there is none.
  bool NextRow(const std::string& container, const std::optional<PageKey>& after, MemRow* out) const;
  // The row `id` of `container` (comment or not). False when absent.
  bool FindRow(const std::string& container, const std::string& id, MemRow* out) const;
  // Ids of comment rows on `target`, in first-write order.
  std::vector<std::string> CommentsOf(const std::string& container, const std::string& target) const;
  // Ids of rows any of whose versions names `root` as root_span_id (the id
  // itself when a version has none).
  std::vector<std::string> RowsWithRoot(const std::string& container, const std::string& root) const;
  std::optional<ContainerInfo> Info(const std::string& container) const;

  // Every container name, ascending.
  std::vector<std::string> Containers() const;
  // Every row of `container` (comments included), PageKey-descending.
  std::vector<MemRow> AllRows(const std::string& container) const;
  bool empty() const;

 private:
  struct Container;
  Container* FindOrCreate(const RowWrite& w);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Container>> containers_;
};

}  // namespace spanlake::engine
