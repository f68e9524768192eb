// The memtable: every write not yet sealed into a segment, by container and
// row id, with each row's full version history so that "as of version X"
// reads work. Queries scan it directly; it is kept small by sealing (the
// engine issue) and is rebuilt from the WAL on restart.
//
// Rows are ordered for paging by their PageKey — the xact id and position of
// the row's first write — which never changes for a row, so a cursor taken
// from a PageKey neither skips nor repeats a row while new rows arrive.
//
// Thread-safety: Apply() takes an exclusive lock, reads a shared one.
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

struct ReadOptions {
  std::optional<uint64_t> as_of;  // fold only writes with xact <= as_of
  bool audit_log = false;         // include `audit_data`
};

class Memtable {
 public:
  Memtable();
  ~Memtable();

  // Applies one transaction's rows in order. Rows of one transaction may
  // touch the same id; later ones fold over earlier ones.
  // REQUIRES: `xact` is greater than that of every earlier Apply().
  void Apply(uint64_t xact, const std::vector<RowWrite>& rows);

  // Visits the live rows of `container`, newest first by PageKey, starting
  // strictly after `after` when given, until `visit` returns false.
  void Scan(const std::string& container, const ReadOptions& options,
            const std::optional<PageKey>& after,
            const std::function<bool(json::Value row, const PageKey& key)>& visit) const;

  // Live rows (comments excluded) in `container` as of `as_of`.
  size_t CountRows(const std::string& container, std::optional<uint64_t> as_of) const;

 private:
  struct Container;
  Container* FindOrCreate(const RowWrite& w);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Container>> containers_;
};

}  // namespace spanlake::engine
