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

  const Memtable& memtable() const { return memtable_; }

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
