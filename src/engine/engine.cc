#include "engine/engine.h"

#include <set>

#include "base/log.h"

namespace spanlake::engine {

std::string EncodeTransaction(const std::vector<RowWrite>& rows) {
  std::string out = "{\"v\":1,\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::Object entry{{"c", rows[i].container}, {"o", rows[i].org_id}};
    if (!rows[i].project_id.empty()) entry.set("p", rows[i].project_id);
    entry.set("r", rows[i].row);
    json::Value(std::move(entry)).DumpTo(out);
  }
  out += "]}";
  return out;
}

Result<std::vector<RowWrite>> DecodeTransaction(std::string_view payload) {
  ASSIGN_OR_RETURN(json::Value doc, json::Value::Parse(payload));
  const json::Value* v = doc.find("v");
  const json::Value* rows = doc.find("rows");
  if (v == nullptr || !v->is_int() || v->as_int() != 1 || rows == nullptr || !rows->is_array()) {
    return Status::Corruption("wal transaction: unknown payload version or shape");
  }
  std::vector<RowWrite> out;
  for (json::Value& e : doc.find("rows")->as_array()) {
    const json::Value* c = e.find("c");
    const json::Value* o = e.find("o");
    json::Value* r = e.find("r");
    if (!c || !c->is_string() || !o || !o->is_string() || !r || !r->is_object() ||
        !r->find("id") || !r->find("id")->is_string()) {
      return Status::Corruption("wal transaction: malformed row entry");
    }
    const json::Value* p = e.find("p");
    out.push_back(RowWrite{c->as_string(), o->as_string(), p && p->is_string() ? p->as_string() : "",
                           std::move(r->as_object())});
  }
  return out;
}

Result<std::unique_ptr<Engine>> Engine::Open(const Options& options) {
  std::unique_ptr<Engine> engine(new Engine());
  engine->options_ = options;
  engine->cache_ = std::make_shared<segment::BlockCache>(options.block_cache_bytes);
  RETURN_IF_ERROR(engine->OpenStore());
  RETURN_IF_ERROR(engine->LoadSegments());
  std::string wal_dir = options.data_dir + "/wal";
  RETURN_IF_ERROR(engine->Replay(wal_dir));
  ASSIGN_OR_RETURN(engine->wal_, wal::Writer::Open(wal_dir, wal::Options{.sync = options.sync}));
  if (Status st = engine->wal_->ReleaseThrough(engine->manifest_.wal_high_water); !st.ok()) {
    LogWarn("wal: release after recovery: " + st.ToString());
  }
  engine->DeleteOrphans();
  engine->DeleteDue();
  engine->active_since_ = std::chrono::steady_clock::now();
  if (engine->options_.max_frozen_bytes == 0) {
    engine->options_.max_frozen_bytes = options.seal_bytes > UINT64_MAX / 4 ? UINT64_MAX : 4 * options.seal_bytes;
  }
  Engine* e = engine.get();
  if (options.background_compaction) {
    e->compactor_ = std::make_unique<BackgroundWorker>([e] { return e->CompactorStep(); }, std::chrono::seconds(60));
  }
  if (options.background_seal) {
    e->sealer_ = std::make_unique<BackgroundWorker>([e] { return e->SealerStep(); }, std::chrono::seconds(30));
  }
  return engine;
}

Engine::~Engine() {
  sealer_.reset();  // first: a seal kicks the compactor
  compactor_.reset();
  EngineStats s = stats();
  if (s.write_stalls > 0) {
    LogInfo("engine: " + std::to_string(s.write_stalls) + " writes waited for sealing (" +
            std::to_string(s.write_stall_ms) + " ms in all), " + std::to_string(s.writes_refused) + " refused");
  }
}

Status Engine::OpenStore() {
  if (options_.object_store != nullptr) {
    store_ = options_.object_store;
    return Status::Ok();
  }
  std::string url = options_.object_store_url.empty() ? options_.data_dir + "/store"
                                                      : options_.object_store_url;
  ASSIGN_OR_RETURN(owned_store_, io::OpenObjectStore(url));
  store_ = owned_store_.get();
  return Status::Ok();
}

Status Engine::LoadSegments() {
  ASSIGN_OR_RETURN(LoadedManifest loaded, LoadLatestManifest(*store_));
  for (const std::string& key : loaded.invalid) LogWarn("manifest: skipped invalid " + key);
  keep_orphans_ = !loaded.invalid.empty();
  manifest_ = loaded.manifest;
  for (const PendingDelete& p : manifest_.pending_deletes) doomed_.push_back(Doomed{p.key, p.due_ms, {}});
  max_manifest_seq_ = loaded.max_seq;
  auto snap = std::make_shared<Snapshot>();
  snap->active = std::make_shared<Memtable>();
  for (const SegmentInfo& info : manifest_.segments) {
    Result<std::shared_ptr<segment::Reader>> r = segment::Reader::Open(store_, info.key, info.bytes, cache_);
    if (!r.ok()) return r.status().WithContext("manifest " + std::to_string(manifest_.seq));
    snap->segments.insert(snap->segments.begin(), *r);
  }
  snapshot_ = std::move(snap);
  LogInfo("engine: manifest " + std::to_string(manifest_.seq) + " with " +
          std::to_string(manifest_.segments.size()) + " segments on " + store_->Describe());
  return Status::Ok();
}

Status Engine::Replay(const std::string& wal_dir) {
  uint64_t max_xact = manifest_.wal_high_water, skipped = 0;
  for (const SegmentInfo& s : manifest_.segments) max_xact = std::max(max_xact, s.max_xact);
  std::shared_ptr<const Snapshot> snap = snapshot_;
  KeyLookup lookup = [&](const std::string& c, const std::string& id) { return InheritedKeyOf(*snap, c, id); };
  auto apply = [&](uint64_t xact, std::string_view payload) -> Status {
    max_xact = std::max(max_xact, xact);
    if (xact <= manifest_.wal_high_water) {
      ++skipped;  // already in a segment
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::vector<RowWrite> rows, DecodeTransaction(payload));
    snap->active->Apply(xact, std::move(rows), lookup);
    active_bytes_ += payload.size();
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(wal::ReplayStats stats, wal::Replay(wal_dir, apply));
  if (stats.truncated_bytes > 0) {
    LogWarn("wal: dropped a torn tail of " + std::to_string(stats.truncated_bytes) +
            " bytes (a write that was never acknowledged)");
  }
  LogInfo("wal: replayed " + std::to_string(stats.records - skipped) + " transactions (" +
          std::to_string(skipped) + " already in segments)");
  clock_.AdvancePast(max_xact);
  visible_xact_ = max_xact;
  return Status::Ok();
}

// Segment objects that no manifest references were written by a seal or
// compaction that crashed before publishing. Only this process writes
// segments, and it has not started sealing yet, so they are garbage. Those
// the manifest lists as pending deletes were replaced by a compaction and
// may still be read through an older manifest: DeleteDue() removes them
// when due — unless an invalid manifest
// was skipped: it may be bit rot in what was current, and then its segments
// are the only copy (the WAL was released), so they are kept for an operator.
void Engine::DeleteOrphans() {
  if (keep_orphans_) {
    LogWarn("engine: invalid manifests found; keeping unreferenced segments (see spanlake verify)");
    return;
  }
  Result<std::vector<io::ObjectInfo>> objects = store_->List(kSegmentPrefix);
  if (!objects.ok()) {
    LogWarn("engine: listing segments: " + objects.status().ToString());
    return;
  }
  std::set<std::string> live;
  for (const SegmentInfo& s : manifest_.segments) live.insert(s.key);
  for (const PendingDelete& p : manifest_.pending_deletes) live.insert(p.key);
  for (const io::ObjectInfo& o : *objects) {
    if (live.count(o.key)) continue;
    LogInfo("engine: deleting orphan segment " + o.key);
    if (Status st = store_->Delete(o.key); !st.ok()) LogWarn("engine: " + st.ToString());
  }
}

std::shared_ptr<const Snapshot> Engine::current() const {
  std::lock_guard l(snap_mu_);
  return snapshot_;
}

std::shared_ptr<const Snapshot> Engine::GetSnapshot() const { return current(); }

std::optional<InheritedKey> Engine::InheritedKeyOf(const Snapshot& snap, const std::string& container,
                                                   const std::string& id) const {
  for (const FrozenMemtable& f : snap.frozen) {
    MemRow row;
    if (f.mem->FindRow(container, id, &row)) return InheritedKey{row.key, row.is_comment};
  }
  for (const auto& seg : snap.segments) {
    int c = seg->FindContainer(container);
    if (c < 0) continue;
    if (std::optional<uint32_t> ord = seg->FindRow(c, id)) {
      const segment::RowEntry& r = seg->row(*ord);
      return InheritedKey{PageKey{r.key.xact, r.key.pos}, r.is_comment()};
    }
  }
  return std::nullopt;
}

// Waits while frozen memtables hold more than max_frozen_bytes, so that
// ingest faster than sealing cannot grow memory without bound. Called
// before the WAL append: a refused write leaves no trace.
Status Engine::WaitForRoom() {
  std::unique_lock l(room_mu_);
  auto room = [&] { return frozen_bytes_ < options_.max_frozen_bytes; };
  if (room()) return Status::Ok();
  auto start = std::chrono::steady_clock::now();
  ++write_stalls_;
  ++writes_stalled_now_;
  bool ok = room_cv_.wait_for(l, options_.max_write_stall, room);
  --writes_stalled_now_;
  write_stall_ms_ += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - start).count());
  if (ok) return Status::Ok();
  if (writes_refused_++ % 100 == 0) {  // the first refusal, then every 100th
    LogWarn("engine: refusing writes, sealing is behind (" + std::to_string(writes_refused_) + " so far)");
  }
  return Status::Unavailable(
      "ingest is ahead of sealing: " + std::to_string(frozen_bytes_ >> 20) + " MiB of writes wait to be " +
      "sealed into segments (limit " + std::to_string(options_.max_frozen_bytes >> 20) +
      " MiB, --max-unsealed-mb); nothing of this request was written, retry later");
}

Result<uint64_t> Engine::Write(std::vector<RowWrite> rows) {
  RETURN_IF_ERROR(WaitForRoom());
  std::string payload = EncodeTransaction(rows);
  uint64_t xact, seq, ticket;
  {
    std::lock_guard<std::mutex> l(append_mu_);
    xact = clock_.Next();
    seq = next_seq_++;
    ticket = wal_->Append(xact, payload);
  }
  Status synced = wal_->Sync(ticket);
  std::unique_lock<std::mutex> l(apply_mu_);
  apply_cv_.wait(l, [&] { return applied_seq_ == seq; });
  if (synced.ok()) {
    NoteContainersLocked(xact, rows);
    std::shared_ptr<const Snapshot> snap = current();
    snap->active->Apply(xact, std::move(rows), [&](const std::string& c, const std::string& id) {
      return InheritedKeyOf(*snap, c, id);
    });
    visible_xact_ = xact;
    if (active_bytes_ == 0) active_since_ = std::chrono::steady_clock::now();
    active_bytes_ += payload.size();
    if (active_bytes_ >= options_.seal_bytes) FreezeLocked();
  }
  ++applied_seq_;
  apply_cv_.notify_all();
  if (!synced.ok()) return synced;
  return xact;
}

uint64_t Engine::last_xact() const {
  std::lock_guard<std::mutex> l(apply_mu_);
  return visible_xact_;
}

Status Engine::ScanRows(const std::string& container, const ReadOptions& options,
                        const std::optional<PageKey>& after, const RowVisitor& visit) const {
  return SnapshotReader(current(), container).Scan(options, after, visit);
}

void Engine::Scan(const std::string& container, const ReadOptions& options,
                  const std::optional<PageKey>& after, const RowVisitor& visit) const {
  Status st = ScanRows(container, options, after, visit);
  if (!st.ok()) LogError("scan of " + container + ": " + st.ToString());
}

size_t Engine::CountRows(const std::string& container, std::optional<uint64_t> as_of) const {
  Result<size_t> n = SnapshotReader(current(), container).Count(as_of);
  if (n.ok()) return *n;
  LogError("count of " + container + ": " + n.status().ToString());
  return 0;
}

Result<std::optional<json::Value>> Engine::LookupId(const std::string& container, const std::string& id,
                                                    const ReadOptions& options) const {
  return SnapshotReader(current(), container).Lookup(id, options);
}

Status Engine::LookupRoot(const std::string& container, const std::string& root,
                          const ReadOptions& options, const std::optional<PageKey>& after,
                          const RowVisitor& visit) const {
  return SnapshotReader(current(), container).LookupRoot(root, options, after, visit);
}

Status Engine::MatchCandidates(const std::string& container, const std::string& query,
                               const std::optional<std::string>& field, const ReadOptions& options,
                               const std::optional<PageKey>& after, const RowVisitor& visit) const {
  return SnapshotReader(current(), container).MatchCandidates(query, field, options, after, visit);
}

}  // namespace spanlake::engine
