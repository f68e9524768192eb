#include "engine/read.h"

#include <algorithm>
#include <set>

#include "engine/row.h"
#include "engine/xact.h"

namespace spanlake::engine {

namespace {

PageKey FromSeg(const segment::Key& k) { return PageKey{k.xact, k.pos}; }
segment::Key ToSeg(const PageKey& k) { return segment::Key{k.xact, k.pos}; }

bool IsDelete(const json::Object& write) {
  const json::Value* d = write.find("_object_delete");
  return d != nullptr && d->is_bool() && d->as_bool();
}

}  // namespace

std::optional<json::Object> FoldVersions(std::vector<Version>& versions,
                                         std::optional<uint64_t> as_of, uint64_t* xact) {
  std::sort(versions.begin(), versions.end(), [](const Version& a, const Version& b) {
    return std::tie(a.xact, a.pos) < std::tie(b.xact, b.pos);
  });
  std::optional<json::Object> state;
  for (const Version& v : versions) {
    if (as_of && v.xact > *as_of) break;
    ApplyWrite(state, *v.write, v.xact);
    *xact = v.xact;
  }
  return state;
}

struct SnapshotReader::Cursor {
  const Source* src = nullptr;
  bool valid = false;
  PageKey key;
  MemRow row;                 // memtable sources
  uint32_t ord = 0, end = 0;  // segment sources: current row, container end
};

SnapshotReader::SnapshotReader(std::shared_ptr<const Snapshot> snapshot, std::string container)
    : snapshot_(std::move(snapshot)), container_(std::move(container)) {
  std::vector<const Memtable*> mems{snapshot_->active.get()};
  for (const FrozenMemtable& f : snapshot_->frozen) mems.push_back(f.mem.get());
  bool have_info = false;
  for (const Memtable* m : mems) {
    std::optional<ContainerInfo> info = m->Info(container_);
    if (!info) continue;
    sources_.push_back(Source{m, nullptr, -1});
    if (!have_info) info_ = *info;
    have_info = true;
  }
  for (const auto& seg : snapshot_->segments) {
    int c = seg->FindContainer(container_);
    if (c < 0) continue;
    sources_.push_back(Source{nullptr, seg.get(), c});
    if (!have_info) info_ = ContainerInfo{seg->containers()[c].org_id, seg->containers()[c].project_id};
    have_info = true;
  }
}

Status SnapshotReader::Init(Cursor& cur, const std::optional<PageKey>& after) const {
  if (cur.src->mem != nullptr) {
    cur.valid = cur.src->mem->NextRow(container_, after, &cur.row);
    cur.key = cur.row.key;
    return Status::Ok();
  }
  const segment::ContainerEntry& ce = cur.src->seg->containers()[cur.src->c];
  cur.ord = after ? cur.src->seg->RowAfter(cur.src->c, ToSeg(*after)) : ce.first_row;
  cur.end = ce.first_row + ce.row_count;
  while (cur.ord < cur.end && cur.src->seg->row(cur.ord).is_comment()) ++cur.ord;
  cur.valid = cur.ord < cur.end;
  if (cur.valid) cur.key = FromSeg(cur.src->seg->row(cur.ord).key);
  return Status::Ok();
}

Status SnapshotReader::Advance(Cursor& cur) const {
  if (cur.src->mem != nullptr) return Init(cur, cur.key);
  ++cur.ord;
  while (cur.ord < cur.end && cur.src->seg->row(cur.ord).is_comment()) ++cur.ord;
  cur.valid = cur.ord < cur.end;
  if (cur.valid) cur.key = FromSeg(cur.src->seg->row(cur.ord).key);
  return Status::Ok();
}

Status SnapshotReader::CursorVersions(const Cursor& cur, std::vector<Version>* out) const {
  if (cur.src->mem != nullptr) {
    out->insert(out->end(), cur.row.versions.begin(), cur.row.versions.end());
    return Status::Ok();
  }
  return cur.src->seg->ReadVersions(cur.ord, out);
}

Result<SnapshotReader::Gathered> SnapshotReader::Gather(const std::string& id) const {
  Gathered g;
  for (const Source& s : sources_) {
    if (s.mem != nullptr) {
      MemRow row;
      if (!s.mem->FindRow(container_, id, &row)) continue;
      g.key = row.key;
      g.is_comment = row.is_comment;
      g.versions.insert(g.versions.end(), row.versions.begin(), row.versions.end());
    } else {
      std::optional<uint32_t> ord = s.seg->FindRow(s.c, id);
      if (!ord) continue;
      g.key = FromSeg(s.seg->row(*ord).key);
      g.is_comment = s.seg->row(*ord).is_comment();
      RETURN_IF_ERROR(s.seg->ReadVersions(*ord, &g.versions));
    }
    g.found = true;
  }
  return g;
}

Result<std::vector<json::Value>> SnapshotReader::Comments(const std::string& target,
                                                         const ReadOptions& options) const {
  std::set<std::string> ids;
  for (const Source& s : sources_) {
    if (s.mem != nullptr) {
      for (std::string& id : s.mem->CommentsOf(container_, target)) ids.insert(std::move(id));
    } else {
      for (uint32_t ord : s.seg->CommentsOf(s.c, target)) ids.emplace(s.seg->row(ord).id);
    }
  }
  std::vector<std::pair<PageKey, json::Value>> found;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(Gathered g, Gather(id));
    uint64_t xact = 0;
    std::optional<json::Object> state = FoldVersions(g.versions, options.as_of, &xact);
    if (!state) continue;
    if (!options.audit_log) state->erase("audit_data");
    state->set("_xact_id", XactToString(xact));
    found.emplace_back(g.key, json::Value(std::move(*state)));
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<json::Value> out;
  for (auto& [key, row] : found) out.push_back(std::move(row));
  return out;
}

Result<std::optional<json::Value>> SnapshotReader::Present(const std::string& id,
                                                           std::vector<Version> versions,
                                                           const ReadOptions& options) const {
  RowContext ctx;
  std::optional<json::Object> state = FoldVersions(versions, options.as_of, &ctx.xact);
  if (!state) return std::optional<json::Value>();
  ctx.org_id = &info_.org_id;
  ctx.project_id = info_.project_id.empty() ? nullptr : &info_.project_id;
  ctx.include_audit = options.audit_log;
  ASSIGN_OR_RETURN(ctx.comments, Comments(id, options));
  return std::optional<json::Value>(Materialize(*state, std::move(ctx)));
}

Status SnapshotReader::Scan(const ReadOptions& options, const std::optional<PageKey>& after,
                            const RowVisitor& visit) const {
  std::vector<Cursor> cursors(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    cursors[i].src = &sources_[i];
    RETURN_IF_ERROR(Init(cursors[i], after));
  }
  while (true) {
    const Cursor* top = nullptr;
    for (const Cursor& c : cursors) {
      if (c.valid && (top == nullptr || c.key > top->key)) top = &c;
    }
    if (top == nullptr) return Status::Ok();
    PageKey key = top->key;
    std::string id = top->src->mem ? top->row.id : std::string(top->src->seg->row(top->ord).id);
    std::vector<Version> versions;
    for (Cursor& c : cursors) {
      if (!c.valid || c.key != key) continue;
      RETURN_IF_ERROR(CursorVersions(c, &versions));
      RETURN_IF_ERROR(Advance(c));
    }
    if (options.as_of && key.xact > *options.as_of) continue;
    ASSIGN_OR_RETURN(std::optional<json::Value> row, Present(id, std::move(versions), options));
    if (row && !visit(std::move(*row), key)) return Status::Ok();
  }
}

Result<std::optional<json::Value>> SnapshotReader::Lookup(const std::string& id,
                                                          const ReadOptions& options) const {
  ASSIGN_OR_RETURN(Gathered g, Gather(id));
  if (!g.found || g.is_comment) return std::optional<json::Value>();
  return Present(id, std::move(g.versions), options);
}

Status SnapshotReader::LookupRoot(const std::string& root, const ReadOptions& options,
                                  const std::optional<PageKey>& after, const RowVisitor& visit) const {
  std::set<std::string> ids;
  for (const Source& s : sources_) {
    if (s.mem != nullptr) {
      for (std::string& id : s.mem->RowsWithRoot(container_, root)) ids.insert(std::move(id));
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<uint32_t> rows, s.seg->RowsWithRoot(s.c, root));
    for (uint32_t ord : rows) ids.emplace(s.seg->row(ord).id);
  }
  return VisitIds(ids, options, after, [&](const json::Value& row) {
    const json::Value* r = row.find("root_span_id");
    return r != nullptr && r->is_string() && r->as_string() == root;
  }, visit);
}

Status SnapshotReader::MatchCandidates(const std::string& query, const std::optional<std::string>& field,
                                       const ReadOptions& options, const std::optional<PageKey>& after,
                                       const RowVisitor& visit) const {
  std::set<std::string> ids;
  for (const Source& s : sources_) {
    if (s.mem != nullptr) {
      MemRow row;
      for (std::optional<PageKey> k; s.mem->NextRow(container_, k, &row); k = row.key) ids.insert(row.id);
      continue;
    }
    std::optional<std::string_view> f;
    if (field) f = *field;
    ASSIGN_OR_RETURN(std::vector<uint32_t> rows, s.seg->MatchRows(s.c, query, f));
    for (uint32_t ord : rows) ids.emplace(s.seg->row(ord).id);
  }
  return VisitIds(ids, options, after, [](const json::Value&) { return true; }, visit);
}

Status SnapshotReader::VisitIds(const std::set<std::string>& ids, const ReadOptions& options,
                                const std::optional<PageKey>& after,
                                const std::function<bool(const json::Value&)>& keep,
                                const RowVisitor& visit) const {
  std::vector<std::pair<PageKey, json::Value>> found;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(Gathered g, Gather(id));
    if (!g.found || g.is_comment || (after && !(g.key < *after))) continue;
    if (options.as_of && g.key.xact > *options.as_of) continue;
    ASSIGN_OR_RETURN(std::optional<json::Value> row, Present(id, std::move(g.versions), options));
    if (row && keep(*row)) found.emplace_back(g.key, std::move(*row));
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [key, row] : found) {
    if (!visit(std::move(row), key)) break;
  }
  return Status::Ok();
}

// Whether the row at the head of `group` (cursors on one key, newest source
// first) exists as of `as_of`: its last write up to then is not a delete.
Result<bool> SnapshotReader::LiveGroup(const std::vector<Cursor*>& group,
                                       std::optional<uint64_t> as_of) const {
  const Cursor& newest = *group[0];
  if (newest.src->seg != nullptr) {
    const segment::RowEntry& r = newest.src->seg->row(newest.ord);
    if (!as_of || *as_of >= r.last_xact) return !(r.flags & segment::kRowLastDelete);
  } else if (!as_of || *as_of >= newest.row.versions.back().xact) {
    return !IsDelete(*newest.row.versions.back().write);
  }
  std::vector<Version> versions;
  for (const Cursor* c : group) RETURN_IF_ERROR(CursorVersions(*c, &versions));
  const Version* last = nullptr;
  for (const Version& v : versions) {
    if (v.xact > *as_of) continue;
    if (last == nullptr || std::tie(v.xact, v.pos) > std::tie(last->xact, last->pos)) last = &v;
  }
  return last != nullptr && !IsDelete(*last->write);
}

Result<size_t> SnapshotReader::Count(std::optional<uint64_t> as_of) const {
  std::vector<Cursor> cursors(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    cursors[i].src = &sources_[i];
    RETURN_IF_ERROR(Init(cursors[i], std::nullopt));
  }
  size_t n = 0;
  while (true) {
    const Cursor* top = nullptr;
    for (const Cursor& c : cursors) {
      if (c.valid && (top == nullptr || c.key > top->key)) top = &c;
    }
    if (top == nullptr) return n;
    PageKey key = top->key;
    std::vector<Cursor*> group;
    for (Cursor& c : cursors) {
      if (c.valid && c.key == key) group.push_back(&c);  // sources are newest first
    }
    if (!as_of || key.xact <= *as_of) {
      ASSIGN_OR_RETURN(bool live, LiveGroup(group, as_of));
      if (live) ++n;
    }
    for (Cursor* c : group) RETURN_IF_ERROR(Advance(*c));
  }
}

}  // namespace spanlake::engine
