// The engine facade: the write path (validate elsewhere → xact → WAL → fsync
// → memtable → seal into segments) and the read API the query layer uses.
//
// Write(): one call is one transaction. Its rows get one xact id, are
// appended to the WAL as one record and fsynced (group commit with other
// concurrent writers) before the call returns; then they are visible to
// reads. Transactions become visible in xact order, so a reader that sees
// xact X sees every transaction before X.
//
// Seal: when the active memtable passes Options::seal_bytes (or is older
// than seal_seconds) it is frozen — swapped for a fresh one at a transaction
// boundary — and a background thread writes it as a segment to the object
// store, publishes a manifest naming it (the commit point), then releases
// the WAL files it covers. Frozen memtables stay readable until their
// segment is published. See docs/architecture.md and docs/formats/.
//
// Backpressure: the WAL bytes held in frozen memtables are bounded
// (Options::max_frozen_bytes). A Write() arriving past the bound waits for a
// seal to make room, at most Options::max_write_stall, then fails
// Unavailable (HTTP 503, retryable) before touching the WAL: a refused
// transaction is not written anywhere. The sealer builds up to seal_threads
// frozen memtables at once but publishes their manifests oldest first, so
// the manifest's WAL high-water mark only rises.
//
// Compaction (compact_engine.cc): a background thread (or Compact()) merges
// runs of adjacent segments as compact_policy.h plans, folding history older
// than history_seconds and purging rows past retention, and publishes a
// manifest replacing the run by the output, like a seal. Replaced objects are
// deleted after delete_grace_seconds once no snapshot holds them.
//
// Open() (recovery): loads the newest valid manifest and its segments,
// replays the WAL records past the manifest's high-water mark into the
// memtable (dropping a torn tail), resumes the xact clock, and deletes
// segment objects no manifest references (left by a crash mid-seal or
// mid-compaction), keeping the manifest's pending deletes until due.
//
// Reads take a Snapshot (memtables + segments), so a seal never changes what
// an in-flight read sees. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/compact.h"
#include "engine/compact_policy.h"
#include "engine/manifest.h"
#include "engine/memtable.h"
#include "engine/read.h"
#include "engine/worker.h"
#include "engine/xact.h"
#include "io/object_store.h"
#include "segment/builder.h"
#include "wal/wal.h"

namespace spanlake::engine {

struct Options {
  std::string data_dir;  // holds the WAL (<data_dir>/wal)
  bool sync = true;      // fsync the WAL before acknowledging
  // Where segments and manifests live. Not owned; must outlive the engine.
  // When null, opened from object_store_url, and when that is empty too, a
  // local directory <data_dir>/store.
  io::ObjectStore* object_store = nullptr;
  std::string object_store_url;
  uint64_t seal_bytes = 64 << 20;  // freeze the memtable past this many WAL payload bytes
  uint64_t seal_seconds = 60;      // ... or when its first write is this old (0: never)
  bool background_seal = true;     // false: only Seal() writes segments (tests)
  // Bound on the WAL payload bytes of frozen, not yet sealed memtables;
  // writes past it stall, then fail (see above). 0: 4 × seal_bytes.
  uint64_t max_frozen_bytes = 0;
  std::chrono::milliseconds max_write_stall{10000};
  // Frozen memtables built into segments concurrently (one thread each).
  int seal_threads = 2;
  size_t block_cache_bytes = 256 << 20;
  size_t segment_block_bytes = 256 << 10;

  // Compaction (docs/architecture.md, "Compaction and retention").
  bool background_compaction = false;  // a thread merges segments; else only Compact()
  PolicyOptions compaction;
  // Version history kept by compaction: versions older than this are folded
  // into the row's state then, so "as of" reads older than the horizon see
  // later data. UINT64_MAX: keep every version.
  uint64_t history_seconds = 7 * 86400;
  // How long a replaced segment object outlives the manifest that dropped
  // it, for readers of older manifests (other nodes, long scans).
  uint64_t delete_grace_seconds = 600;
  uint32_t retention_days = 0;  // rows older than this are purged (0: forever)
  RetentionFn retention;        // per container override / deleted containers; may be empty
  // A segment holding expired rows is rewritten at most this often.
  uint64_t retention_recheck_seconds = 3600;
};

struct EngineStats {
  uint64_t manifest_seq = 0;
  uint64_t wal_high_water = 0;
  size_t segments = 0;
  size_t frozen_memtables = 0;
  uint64_t seals = 0;         // segments published since Open()
  uint64_t seal_failures = 0;
  uint64_t frozen_bytes = 0;      // WAL payload bytes in frozen memtables
  uint64_t write_stalls = 0;      // writes that waited for a seal to make room
  uint64_t write_stall_ms = 0;    // their total wait
  uint64_t writes_refused = 0;    // writes that gave up waiting (Unavailable)
  size_t writes_stalled_now = 0;  // writes waiting at this moment
  uint64_t compactions = 0;         // jobs published since Open()
  uint64_t compaction_failures = 0;
  uint64_t rows_expired = 0;        // by retention, since Open()
  size_t pending_deletes = 0;       // replaced segment objects not yet deleted
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const Options& options);
  // Stops the seal thread (finishing a seal in progress). Does not seal:
  // the WAL still holds everything not yet in a segment.
  ~Engine();

  // REQUIRES: every row is validated (an object with a string "id").
  // Returns the transaction's xact id once durable and visible.
  Result<uint64_t> Write(std::vector<RowWrite> rows);

  // The newest visible transaction (the current version).
  uint64_t last_xact() const;
  // The newest visible transaction that wrote to `container` ("<kind>:<id>")
  // since this engine opened (0 when none has). Thread-safe.
  uint64_t ContainerXact(const std::string& container) const;
  // Blocks until a transaction newer than `after` that wrote to `container`
  // is visible or `timeout` passes, then returns ContainerXact(container).
  // Writes to other containers wake the thread only to re-check (under the
  // apply lock, no I/O); the UI's live tail per page waits on it.
  uint64_t WaitForContainerXactAfter(const std::string& container, uint64_t after,
                                     std::chrono::milliseconds timeout);

  // --- reads (the query layer's view of the engine) ---
  std::shared_ptr<const Snapshot> GetSnapshot() const;
  // Visits the live rows of `container` (e.g. "experiment:<id>"), newest
  // first by PageKey, strictly after `after` when given, until `visit`
  // returns false. Rows are the folded current state (or as of
  // `options.as_of`) with server fields; see Materialize(). A storage error
  // ends the scan early and is logged; ScanRows returns it instead.
  void Scan(const std::string& container, const ReadOptions& options,
            const std::optional<PageKey>& after, const RowVisitor& visit) const;
  Status ScanRows(const std::string& container, const ReadOptions& options,
                  const std::optional<PageKey>& after, const RowVisitor& visit) const;
  // Live rows (comments excluded) in `container` as of `as_of`.
  size_t CountRows(const std::string& container, std::optional<uint64_t> as_of) const;
  // The row `id` of `container`, or nullopt.
  Result<std::optional<json::Value>> LookupId(const std::string& container, const std::string& id,
                                              const ReadOptions& options) const;
  // The rows of trace `root` (folded root_span_id == root), newest first.
  Status LookupRoot(const std::string& container, const std::string& root,
                    const ReadOptions& options, const std::optional<PageKey>& after,
                    const RowVisitor& visit) const;

  // Full-text candidates (see SnapshotReader::MatchCandidates): a superset
  // of the rows whose text matches `query`; the caller re-checks.
  Status MatchCandidates(const std::string& container, const std::string& query,
                         const std::optional<std::string>& field, const ReadOptions& options,
                         const std::optional<PageKey>& after, const RowVisitor& visit) const;

  // --- sealing ---
  // Freezes the active memtable (when not empty) and seals every frozen
  // memtable now, in the calling thread; returns the first error (the
  // memtable then stays frozen and readable, and is retried later).
  Status Seal();
  EngineStats stats() const;
  io::ObjectStore& store() { return *store_; }

  // --- compaction ---
  // Runs compaction jobs until the policy has none, then deletes replaced
  // segments whose grace has passed and no snapshot of this process holds.
  // Serialized with the background compactor; never blocks writes or reads.
  Status Compact();

 private:
  Engine() = default;
  Status OpenStore();
  Status LoadSegments();
  Status Replay(const std::string& wal_dir);
  void DeleteOrphans();

  std::shared_ptr<const Snapshot> current() const;
  std::optional<InheritedKey> InheritedKeyOf(const Snapshot& snap, const std::string& container,
                                             const std::string& id) const;
  void FreezeLocked();  // REQUIRES: apply_mu_ held
  void MaybeFreezeByAge();
  Status WaitForRoom();
  Status SealFrozen();
  struct BuiltSegment {
    std::string bytes;
    segment::BuildStats stats;
    uint64_t min_row_ms = 0;
  };
  Result<BuiltSegment> BuildSegment(const FrozenMemtable& f) const;
  std::vector<Result<BuiltSegment>> BuildAll(const std::vector<const FrozenMemtable*>& batch) const;
  Status PublishSeal(const FrozenMemtable& f, BuiltSegment built);
  void Install(const FrozenMemtable& f, std::shared_ptr<segment::Reader> reader);
  void DeleteOldManifests(uint64_t current_seq);
  Result<bool> SealerStep();

  // compact_engine.cc
  struct Doomed {
    std::string key;
    uint64_t due_ms = 0;
    std::weak_ptr<segment::Reader> reader;  // expired: no snapshot holds it
  };
  Result<bool> CompactStep();  // false when nothing is due
  std::vector<SegmentStat> SegmentStats(const Manifest& m, int64_t now_ms) const;
  MergeOptions MergeOptionsNow(int64_t now_ms) const;
  Status RunJob(const Manifest& m, const CompactJob& job, int64_t now_ms);
  Status PublishCompaction(const std::vector<std::shared_ptr<segment::Reader>>& inputs,
                           std::optional<SegmentInfo> output, std::shared_ptr<segment::Reader> reader,
                           int64_t now_ms);
  void InstallCompaction(const std::set<std::string>& gone, std::shared_ptr<segment::Reader> reader);
  void DeleteDue();
  Result<bool> CompactorStep();
  void NoteContainersLocked(uint64_t xact, const std::vector<RowWrite>& rows);  // REQUIRES apply_mu_

  Options options_;
  std::unique_ptr<io::ObjectStore> owned_store_;
  io::ObjectStore* store_ = nullptr;
  std::shared_ptr<segment::BlockCache> cache_;
  std::unique_ptr<wal::Writer> wal_;
  XactClock clock_;

  std::mutex append_mu_;  // orders xact assignment with WAL append
  uint64_t next_seq_ = 0;  // WAL append order, under append_mu_

  mutable std::mutex apply_mu_;  // makes transactions visible in order; guards below
  std::condition_variable apply_cv_;
  uint64_t applied_seq_ = 0;
  uint64_t visible_xact_ = 0;
  // Container → its newest applied xact (engine_wait.cc). One small entry per
  // container written since open: containers number in the thousands at most.
  std::unordered_map<std::string, uint64_t> container_xact_;
  uint64_t active_bytes_ = 0;
  std::chrono::steady_clock::time_point active_since_;

  mutable std::mutex snap_mu_;  // guards snapshot_ (the pointer, not what it points to)
  std::shared_ptr<const Snapshot> snapshot_;

  mutable std::mutex room_mu_;  // backpressure; guards below (a leaf lock)
  std::condition_variable room_cv_;  // signalled when a seal installs
  uint64_t frozen_bytes_ = 0;
  uint64_t write_stalls_ = 0, write_stall_ms_ = 0, writes_refused_ = 0;
  size_t writes_stalled_now_ = 0;

  std::mutex sealing_mu_;       // one SealFrozen() pass at a time
  mutable std::mutex seal_mu_;  // manifest publication (seals, compactions); guards below
  Manifest manifest_;
  uint64_t max_manifest_seq_ = 0;
  bool keep_orphans_ = false;
  std::atomic<uint64_t> seals_{0}, seal_failures_{0};

  std::mutex compact_mu_;  // one compaction job at a time; guards below
  std::map<std::string, int64_t> retention_checked_;  // segment key → last rewrite for retention
  std::atomic<uint64_t> compactions_{0}, compaction_failures_{0}, rows_expired_{0};
  mutable std::mutex doomed_mu_;
  std::vector<Doomed> doomed_;

  // Last, so that they stop before the state they use goes.
  std::unique_ptr<BackgroundWorker> compactor_;
  std::unique_ptr<BackgroundWorker> sealer_;
};

// WAL payload encoding of a transaction's rows. See docs/formats/wal.md.
std::string EncodeTransaction(const std::vector<RowWrite>& rows);
Result<std::vector<RowWrite>> DecodeTransaction(std::string_view payload);

}  // namespace spanlake::engine
