// The engine facade: the write path (validate elsewhere → xact → WAL → fsync
// → memtable) and the read API the query layer uses.
//
// Write(): one call is one transaction. Its rows get one xact id, are
// appended to the WAL as one record and fsynced (group commit with other
// concurrent writers) before the call returns; then they are visible to
// reads. Transactions become visible in xact order, so a reader that sees
// xact X sees every transaction before X.
//
// Open(): replays the WAL into the memtable (dropping a torn tail) and
// resumes the xact clock past the last id.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/memtable.h"
#include "engine/xact.h"
#include "wal/wal.h"

namespace spanlake::engine {

struct Options {
  std::string data_dir;
  bool sync = true;  // fsync the WAL before acknowledging
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const Options& options);
  ~Engine();

  // REQUIRES: every row is validated (an object with a string "id").
  // Returns the transaction's xact id once durable and visible.
  Result<uint64_t> Write(std::vector<RowWrite> rows);

  // The newest visible transaction (the current version).
  uint64_t last_xact() const;

  // --- reads (the query layer's view of the engine) ---
  // Visits the live rows of `container` (e.g. "experiment:<id>"), newest
  // first by PageKey, strictly after `after` when given, until `visit`
  // returns false. Rows are the folded current state (or as of
  // `options.as_of`) with server fields; see Materialize().
  void Scan(const std::string& container, const ReadOptions& options,
            const std::optional<PageKey>& after,
            const std::function<bool(json::Value row, const PageKey& key)>& visit) const {
    memtable_.Scan(container, options, after, visit);
  }
  // Live rows (comments excluded) in `container` as of `as_of`.
  size_t CountRows(const std::string& container, std::optional<uint64_t> as_of) const {
    return memtable_.CountRows(container, as_of);
  }

 private:
  Engine() = default;
  Status Replay(const std::string& wal_dir);

  std::unique_ptr<wal::Writer> wal_;
  Memtable memtable_;
  XactClock clock_;

  std::mutex append_mu_;  // orders xact assignment with WAL append
  uint64_t next_seq_ = 0;  // WAL append order, under append_mu_

  mutable std::mutex apply_mu_;  // makes transactions visible in order
  std::condition_variable apply_cv_;
  uint64_t applied_seq_ = 0;
  uint64_t visible_xact_ = 0;
};

// WAL payload encoding of a transaction's rows. See docs/formats/wal.md.
std::string EncodeTransaction(const std::vector<RowWrite>& rows);
Result<std::vector<RowWrite>> DecodeTransaction(std::string_view payload);

}  // namespace spanlake::engine
