// Compaction in the engine: plan (compact_policy.h) over the current
// manifest, merge (compact.h) outside every lock but compact_mu_, then
// publish like a seal — under seal_mu_, PutIfAbsent of the next manifest
// seq, which replaces the inputs by the output atomically — and swap the
// snapshot. The order makes a crash at any point safe:
//   1. Put segments/<seq>.seg       crash after: an orphan, deleted at Open
//   2. open it back (verifies)
//   3. PutIfAbsent manifest/<seq>   the commit point; lists the inputs in
//                                   pending_deletes with a due time
//   4. install the new snapshot     old snapshots keep the inputs' readers
//   5. later, DeleteDue(): an input object is deleted once it is due and no
//                                   snapshot of this process holds its reader
#include <algorithm>

#include "base/log.h"
#include "base/time.h"
#include "engine/engine.h"

namespace spanlake::engine {

namespace {

constexpr int64_t kMsPerSecond = 1000;

int64_t SecondsAfter(int64_t now_ms, uint64_t seconds) {
  uint64_t cap = static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - now_ms) / kMsPerSecond;
  return now_ms + static_cast<int64_t>(std::min(seconds, cap)) * kMsPerSecond;
}

}  // namespace

MergeOptions Engine::MergeOptionsNow(int64_t now_ms) const {
  MergeOptions o;
  o.now_ms = now_ms;
  if (options_.history_seconds != UINT64_MAX) {
    int64_t back = static_cast<int64_t>(std::min<uint64_t>(options_.history_seconds, uint64_t{1} << 40));
    o.history_horizon_xact = XactAtMillis(now_ms - back * kMsPerSecond);
  }
  o.default_retention_days = options_.retention_days;
  o.retention = options_.retention;
  o.builder = segment::BuilderOptions{.block_bytes = options_.segment_block_bytes};
  return o;
}

// Per segment: size, and whether retention wants it rewritten or dropped.
// A segment's row times are at least min(min_row_ms, min_xact's time), and
// none is after max_xact's time (a row time is clamped to its write time).
std::vector<SegmentStat> Engine::SegmentStats(const Manifest& m, int64_t now_ms) const {
  MergeOptions mo = MergeOptionsNow(now_ms);
  int64_t recheck_ms = SecondsAfter(0, options_.retention_recheck_seconds);
  std::vector<SegmentStat> out;
  for (const SegmentInfo& s : m.segments) {
    SegmentStat st{s.bytes};
    bool all = !s.containers.empty(), any = false;
    int64_t oldest = XactMillis(s.min_xact);
    if (s.min_row_ms != 0) oldest = std::min(oldest, static_cast<int64_t>(s.min_row_ms));
    for (const std::string& c : s.containers) {
      int64_t h = RetentionHorizonMs(c, mo);
      any = any || (h > 0 && oldest < h);
      all = all && h > 0 && XactMillis(s.max_xact) < h;
    }
    auto checked = retention_checked_.find(s.key);
    bool recent = checked != retention_checked_.end() && now_ms - checked->second < recheck_ms;
    st.wholly_expired = all;
    st.has_expired = any && !recent;
    out.push_back(st);
  }
  return out;
}

Status Engine::Compact() {
  while (true) {
    ASSIGN_OR_RETURN(bool did, CompactStep());
    if (!did) break;
  }
  DeleteDue();
  return Status::Ok();
}

Result<bool> Engine::CompactStep() {
  std::lock_guard c(compact_mu_);
  Manifest m;
  {
    std::lock_guard l(seal_mu_);
    m = manifest_;
  }
  int64_t now_ms = NowMillis();
  std::vector<CompactJob> jobs = PlanCompaction(SegmentStats(m, now_ms), options_.compaction);
  if (jobs.empty()) return false;
  Status st = RunJob(m, jobs.front(), now_ms);
  if (!st.ok()) {
    ++compaction_failures_;
    return st;
  }
  ++compactions_;
  return true;
}

Status Engine::RunJob(const Manifest& m, const CompactJob& job, int64_t now_ms) {
  std::map<std::string, std::shared_ptr<segment::Reader>> by_key;
  // Held in a local: the range of a for loop does not keep the temporary
  // snapshot alive, and a seal may replace (and free) it meanwhile.
  std::shared_ptr<const Snapshot> snap = current();
  for (const auto& r : snap->segments) by_key[r->key()] = r;
  std::vector<std::shared_ptr<segment::Reader>> inputs;
  std::vector<const segment::Reader*> in_ptrs, older;
  for (size_t i = 0; i < job.first + job.count; ++i) {
    const std::shared_ptr<segment::Reader>& r = by_key[m.segments[i].key];
    if (r == nullptr) return Status::Internal("compact: no reader for " + m.segments[i].key);
    if (i < job.first) {
      older.push_back(r.get());
    } else {
      inputs.push_back(r);
      in_ptrs.push_back(r.get());
    }
  }
  if (job.kind == CompactJob::Kind::kDrop) return PublishCompaction(inputs, std::nullopt, nullptr, now_ms);
  ASSIGN_OR_RETURN(MergeResult merged, MergeSegments(in_ptrs, older, MergeOptionsNow(now_ms)));
  rows_expired_ += merged.rows_expired;
  if (merged.bytes.empty()) return PublishCompaction(inputs, std::nullopt, nullptr, now_ms);
  uint64_t seq;
  {
    std::lock_guard l(seal_mu_);  // reserve a name no seal will take
    seq = max_manifest_seq_ = std::max(manifest_.seq, max_manifest_seq_) + 1;
  }
  SegmentInfo info{SegmentKey(seq), merged.bytes.size(), merged.stats.rows, merged.stats.versions,
                   merged.stats.min_xact, merged.stats.max_xact, merged.stats.containers,
                   static_cast<uint64_t>(merged.min_row_ms)};
  RETURN_IF_ERROR(store_->Put(info.key, merged.bytes).WithContext("compact: put " + info.key));
  ASSIGN_OR_RETURN(std::shared_ptr<segment::Reader> reader,
                   segment::Reader::Open(store_, info.key, info.bytes, cache_));
  retention_checked_[info.key] = now_ms;
  for (const auto& r : inputs) retention_checked_.erase(r->key());
  return PublishCompaction(inputs, std::move(info), std::move(reader), now_ms);
}

// Replaces `inputs` (adjacent in the manifest; only compaction removes
// segments, and it holds compact_mu_) by `output` in the next manifest.
Status Engine::PublishCompaction(const std::vector<std::shared_ptr<segment::Reader>>& inputs,
                                 std::optional<SegmentInfo> output, std::shared_ptr<segment::Reader> reader,
                                 int64_t now_ms) {
  std::lock_guard l(seal_mu_);
  Manifest next = manifest_;
  std::set<std::string> gone;
  for (const auto& r : inputs) gone.insert(r->key());
  auto first = std::find_if(next.segments.begin(), next.segments.end(),
                            [&](const SegmentInfo& s) { return gone.count(s.key) > 0; });
  if (first == next.segments.end()) return Status::Internal("compact: inputs left the manifest");
  size_t at = static_cast<size_t>(first - next.segments.begin());
  std::erase_if(next.segments, [&](const SegmentInfo& s) { return gone.count(s.key) > 0; });
  if (output) next.segments.insert(next.segments.begin() + static_cast<long>(at), *output);
  uint64_t due = static_cast<uint64_t>(SecondsAfter(now_ms, options_.delete_grace_seconds));
  for (const std::string& k : gone) next.pending_deletes.push_back(PendingDelete{k, due});
  next.seq = std::max(manifest_.seq, max_manifest_seq_) + 1;
  Status published = PublishManifest(*store_, &next);
  max_manifest_seq_ = std::max(max_manifest_seq_, next.seq);
  RETURN_IF_ERROR(published);
  manifest_ = next;
  {
    std::lock_guard d(doomed_mu_);
    for (const auto& r : inputs) doomed_.push_back(Doomed{r->key(), due, r});
  }
  InstallCompaction(gone, std::move(reader));
  DeleteOldManifests(next.seq);
  return Status::Ok();
}

void Engine::InstallCompaction(const std::set<std::string>& gone, std::shared_ptr<segment::Reader> reader) {
  std::lock_guard l(snap_mu_);
  auto next = std::make_shared<Snapshot>(*snapshot_);
  auto& segs = next->segments;  // newest first
  auto first = std::find_if(segs.begin(), segs.end(), [&](const auto& r) { return gone.count(r->key()) > 0; });
  size_t at = static_cast<size_t>(first - segs.begin());
  std::erase_if(segs, [&](const auto& r) { return gone.count(r->key()) > 0; });
  if (reader) segs.insert(segs.begin() + static_cast<long>(std::min(at, segs.size())), std::move(reader));
  snapshot_ = std::move(next);
}

// Deletes replaced segment objects that are due and that no snapshot holds,
// and forgets them in the next manifest's pending_deletes.
void Engine::DeleteDue() {
  int64_t now_ms = NowMillis();
  std::set<std::string> deleted;
  {
    std::lock_guard d(doomed_mu_);
    std::erase_if(doomed_, [&](const Doomed& x) {
      if (static_cast<int64_t>(x.due_ms) > now_ms || !x.reader.expired()) return false;
      Status st = store_->Delete(x.key);
      if (!st.ok()) LogWarn("compact: delete " + x.key + " (retried later): " + st.ToString());
      if (st.ok()) deleted.insert(x.key);
      return st.ok();
    });
  }
  if (deleted.empty()) return;
  std::lock_guard l(seal_mu_);
  std::erase_if(manifest_.pending_deletes, [&](const PendingDelete& p) { return deleted.count(p.key) > 0; });
}

Result<bool> Engine::CompactorStep() {
  Result<bool> did = CompactStep();
  DeleteDue();
  if (!did.ok()) LogWarn("compaction failed (inputs stay live; retrying): " + did.status().ToString());
  return did;  // true: more may be due
}

}  // namespace spanlake::engine
