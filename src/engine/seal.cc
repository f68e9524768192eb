// Sealing: frozen memtable → segment object → manifest → WAL release.
// The order is what makes a crash at any point safe (docs/formats/manifest.md):
//   1. Put segments/<seq>.seg       crash after: an orphan, deleted at Open
//   2. open it back (verifies)      the rows are still in the WAL
//   3. PutIfAbsent manifest/<seq>   the commit point
//   4. install the new snapshot     readers move from the memtable to the segment
//   5. release the WAL through the memtable's high-water mark
//                                   crash before: Open skips records <= high water
#include <algorithm>
#include <thread>

#include "base/log.h"
#include "base/time.h"
#include "engine/engine.h"
#include "segment/builder.h"

namespace spanlake::engine {

namespace {

constexpr int kManifestsKept = 2;

// A comment row's target: the origin.id of its first write that has one.
std::string CommentTarget(const MemRow& row) {
  for (const Version& v : row.versions) {
    const json::Value* origin = v.write->find("origin");
    const json::Value* id = origin ? origin->find("id") : nullptr;
    if (id && id->is_string()) return id->as_string();
  }
  return "";
}

// The oldest row time in `mem` (see RowTimeMs); 0 when it is empty.
int64_t MinRowTime(const Memtable& mem) {
  int64_t t = 0;
  for (const std::string& name : mem.Containers()) {
    for (const MemRow& row : mem.AllRows(name)) {
      int64_t r = RowTimeMs(row.versions);
      t = t == 0 ? r : std::min(t, r);
    }
  }
  return t;
}

}  // namespace

void Engine::FreezeLocked() {
  if (active_bytes_ == 0) return;
  {
    std::lock_guard l(snap_mu_);
    auto next = std::make_shared<Snapshot>(*snapshot_);
    next->frozen.insert(next->frozen.begin(), FrozenMemtable{next->active, visible_xact_,
                                                             static_cast<uint64_t>(NowMillis()), active_bytes_});
    next->active = std::make_shared<Memtable>();
    snapshot_ = std::move(next);
  }
  {
    std::lock_guard r(room_mu_);
    frozen_bytes_ += active_bytes_;
  }
  active_bytes_ = 0;
  if (sealer_) sealer_->Kick();
}

void Engine::MaybeFreezeByAge() {
  if (options_.seal_seconds == 0) return;
  std::lock_guard l(apply_mu_);
  auto age = std::chrono::steady_clock::now() - active_since_;
  if (active_bytes_ > 0 && age >= std::chrono::seconds(options_.seal_seconds)) FreezeLocked();
}

Status Engine::Seal() {
  {
    std::lock_guard l(apply_mu_);
    FreezeLocked();
  }
  return SealFrozen();
}

// Builds the oldest few frozen memtables at once (building is CPU work and
// const), then publishes them one by one, oldest first, so the manifest's
// WAL high-water mark only rises. A failed build or publish stops the pass:
// the memtables not published stay frozen and readable, and are retried.
Status Engine::SealFrozen() {
  std::lock_guard l(sealing_mu_);
  while (true) {
    std::shared_ptr<const Snapshot> snap = current();
    if (snap->frozen.empty()) return Status::Ok();
    size_t n = std::min(snap->frozen.size(), static_cast<size_t>(std::max(options_.seal_threads, 1)));
    std::vector<const FrozenMemtable*> batch;  // oldest first
    for (size_t i = 0; i < n; ++i) batch.push_back(&snap->frozen[snap->frozen.size() - 1 - i]);
    std::vector<Result<BuiltSegment>> built = BuildAll(batch);
    for (size_t i = 0; i < n; ++i) {
      Status st = built[i].ok() ? PublishSeal(*batch[i], std::move(built[i]).value()) : built[i].status();
      if (!st.ok()) {
        ++seal_failures_;
        return st;
      }
      ++seals_;
    }
  }
}

std::vector<Result<Engine::BuiltSegment>> Engine::BuildAll(const std::vector<const FrozenMemtable*>& batch) const {
  std::vector<Result<BuiltSegment>> out(batch.size(), Status::Internal("seal: segment not built"));
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < batch.size(); ++i) {
    helpers.emplace_back([this, &out, &batch, i] { out[i] = BuildSegment(*batch[i]); });
  }
  out[0] = BuildSegment(*batch[0]);
  for (std::thread& t : helpers) t.join();
  return out;
}

Result<Engine::BuiltSegment> Engine::BuildSegment(const FrozenMemtable& f) const {
  segment::Builder b({.block_bytes = options_.segment_block_bytes, .created_ms = f.frozen_ms});
  for (const std::string& name : f.mem->Containers()) {
    std::optional<ContainerInfo> info = f.mem->Info(name);
    RETURN_IF_ERROR(b.StartContainer(name, info->org_id, info->project_id));
    for (MemRow& row : f.mem->AllRows(name)) {
      segment::RowInput in{std::move(row.id), segment::Key{row.key.xact, row.key.pos}, row.is_comment,
                           row.is_comment ? CommentTarget(row) : "", std::move(row.versions)};
      RETURN_IF_ERROR(b.AddRow(in));
    }
  }
  BuiltSegment out;
  ASSIGN_OR_RETURN(out.bytes, b.Finish());
  out.stats = b.stats();
  // Only retention reads it, and it costs a pass over the rows.
  if (options_.retention_days > 0 || options_.retention) out.min_row_ms = static_cast<uint64_t>(MinRowTime(*f.mem));
  return out;
}

// The commit of one seal, in the order the file comment gives.
Status Engine::PublishSeal(const FrozenMemtable& f, BuiltSegment built) {
  std::lock_guard l(seal_mu_);
  Manifest next = manifest_;
  next.seq = std::max(manifest_.seq, max_manifest_seq_) + 1;
  next.wal_high_water = f.high_water;
  const segment::BuildStats& stats = built.stats;
  SegmentInfo info{SegmentKey(next.seq), built.bytes.size(), stats.rows, stats.versions,
                   stats.min_xact, stats.max_xact, stats.containers};
  info.min_row_ms = built.min_row_ms;
  RETURN_IF_ERROR(store_->Put(info.key, built.bytes).WithContext("seal: put " + info.key));
  built.bytes = std::string();  // the reader fetches what it needs; free the copy now
  ASSIGN_OR_RETURN(std::shared_ptr<segment::Reader> reader,
                   segment::Reader::Open(store_, info.key, info.bytes, cache_));
  next.segments.push_back(std::move(info));
  Status published = PublishManifest(*store_, &next);
  max_manifest_seq_ = std::max(max_manifest_seq_, next.seq);
  RETURN_IF_ERROR(published);
  manifest_ = next;
  Install(f, std::move(reader));
  if (Status st = wal_->ReleaseThrough(f.high_water); !st.ok()) {
    LogWarn("seal: wal release (retried at the next seal): " + st.ToString());
  }
  DeleteOldManifests(next.seq);
  return Status::Ok();
}

void Engine::Install(const FrozenMemtable& f, std::shared_ptr<segment::Reader> reader) {
  std::lock_guard l(snap_mu_);
  auto next = std::make_shared<Snapshot>(*snapshot_);
  std::erase_if(next->frozen, [&](const FrozenMemtable& x) { return x.mem == f.mem; });
  next->segments.insert(next->segments.begin(), std::move(reader));
  snapshot_ = std::move(next);
  {
    std::lock_guard r(room_mu_);
    frozen_bytes_ -= f.bytes;
  }
  room_cv_.notify_all();
}

// Old manifests are not needed for recovery; the newest few are kept for
// debugging. Failure here is harmless.
void Engine::DeleteOldManifests(uint64_t current_seq) {
  Result<std::vector<io::ObjectInfo>> objects = store_->List(kManifestPrefix);
  if (!objects.ok()) return;
  for (const io::ObjectInfo& o : *objects) {
    if (o.key >= ManifestKey(current_seq > kManifestsKept ? current_seq - kManifestsKept + 1 : 0)) break;
    (void)store_->Delete(o.key);
  }
}

Result<bool> Engine::SealerStep() {
  MaybeFreezeByAge();
  Status st = SealFrozen();
  if (!st.ok()) {
    LogWarn("seal failed (the memtable stays readable; retrying): " + st.ToString());
    return st;
  }
  if (compactor_) compactor_->Kick();
  return false;
}

EngineStats Engine::stats() const {
  EngineStats s;
  {
    std::lock_guard l(seal_mu_);
    s.manifest_seq = manifest_.seq;
    s.wal_high_water = manifest_.wal_high_water;
  }
  s.seals = seals_;
  s.seal_failures = seal_failures_;
  {
    std::lock_guard r(room_mu_);
    s.frozen_bytes = frozen_bytes_;
    s.write_stalls = write_stalls_;
    s.write_stall_ms = write_stall_ms_;
    s.writes_refused = writes_refused_;
    s.writes_stalled_now = writes_stalled_now_;
  }
  std::shared_ptr<const Snapshot> snap = current();
  s.segments = snap->segments.size();
  s.frozen_memtables = snap->frozen.size();
  s.compactions = compactions_;
  s.compaction_failures = compaction_failures_;
  s.rows_expired = rows_expired_;
  {
    std::lock_guard d(doomed_mu_);
    s.pending_deletes = doomed_.size();
  }
  return s;
}

}  // namespace spanlake::engine
