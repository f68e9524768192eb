#include "engine/read.h"

#include <algorithm>
#include <set>
#include <unordered_set>

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

bool HasColumns(const segment::Reader& seg) {
  for (const segment::SectionEntry& e : seg.directory()) {
    if (e.id == segment::kSectionColumns) return true;
  }
  return false;
}

json::Value ColumnJson(segment::ColumnType type, double num, std::string_view str) {
  return type == segment::ColumnType::kDouble ? json::Value(num) : json::Value(std::string(str));
}

// Per block of `seg`: 0 = some value passes `test`, 1 = min/max (or no value)
// rules it out, 2 = its values were read and none passes. Marks the passing
// versions in `pass`.
std::vector<uint8_t> MarkVersions(const segment::Reader& seg, const segment::Column* col,
                                  const ColumnTest& test, std::vector<bool>& pass) {
  const std::vector<segment::BlockEntry>& blocks = seg.blocks();
  std::vector<uint8_t> verdict(blocks.size(), 1);
  if (col == nullptr) return verdict;
  size_t i = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    uint64_t end = b + 1 < blocks.size() ? blocks[b + 1].first_version : UINT64_MAX;
    size_t begin = i;
    while (i < col->values.size() && col->values[i].version < end) ++i;
    const segment::BlockStat& st = col->blocks[b];
    if (st.present == 0 ||
        !test.range_may_match(ColumnJson(col->type, st.min_num, st.min_str),
                              ColumnJson(col->type, st.max_num, st.max_str))) {
      continue;
    }
    verdict[b] = 2;
    for (size_t k = begin; k < i; ++k) {
      const segment::ColumnValue& v = col->values[k];
      if (v.version < pass.size() && test.may_match(ColumnJson(col->type, v.num, v.str))) {
        pass[v.version] = true;
        verdict[b] = 0;
      }
    }
  }
  return verdict;
}

// Versions holding a value the column lacks (exact columns list them) may pass.
void MarkOthers(const segment::Reader& seg, const segment::Column& col, std::vector<bool>& pass,
                std::vector<uint8_t>& verdict) {
  const std::vector<segment::BlockEntry>& blocks = seg.blocks();
  size_t b = 0;
  for (uint64_t v : col.others) {
    while (b + 1 < blocks.size() && blocks[b + 1].first_version <= v) ++b;
    if (v < pass.size()) pass[v] = true;
    if (b < verdict.size()) verdict[b] = 0;
  }
}

// A metadata path is only known with the extras section: a segment without
// it, or one that dropped the column, says nothing about the path.
bool Unknowable(const segment::ColumnSet& cols, std::string_view column) {
  return column.starts_with("metadata.") && !cols.Knows(column);
}

// Moves `at` to the first entry of `list` at or after version `v` (calls
// come with rising `v`); true when that entry is `v`.
template <typename T, typename Version>
bool SeekVersion(const std::vector<T>& list, size_t& at, uint64_t v, Version version) {
  while (at < list.size() && version(list[at]) < v) ++at;
  return at < list.size() && version(list[at]) == v;
}

uint64_t Self(uint64_t v) { return v; }
uint64_t OfValue(const segment::ColumnValue& c) { return c.version; }

// Sets `row`[head][tail] (or `row`[head] when `tail` is empty) to `v`.
void SetPath(json::Object& row, const std::string& head, const std::string& tail, json::Value v) {
  if (tail.empty()) {
    row.set(head, std::move(v));
    return;
  }
  json::Value* obj = row.find(head);
  if (obj == nullptr) {
    row.set(head, json::Object{});
    obj = row.find(head);
  }
  obj->as_object().set(tail, std::move(v));
}

bool RangePasses(const std::vector<bool>& pass, uint64_t first, uint32_t count) {
  for (uint64_t v = first; v < first + count && v < pass.size(); ++v) {
    if (pass[v]) return true;
  }
  return false;
}

// Adds one segment's block verdicts and pruned rows of container `c` to `stats`.
void CountPrune(const segment::Reader& seg, int c, const std::vector<std::vector<bool>>& pass,
                const std::vector<uint8_t>& verdict, PruneStats* stats) {
  ++stats->segments;
  stats->blocks += verdict.size();
  for (uint8_t v : verdict) {
    if (v == 1) ++stats->blocks_skipped;
    if (v == 2) ++stats->blocks_no_match;
  }
  const segment::ContainerEntry& ce = seg.containers()[c];
  for (uint32_t r = ce.first_row; r < ce.first_row + ce.row_count; ++r) {
    const segment::RowEntry& row = seg.row(r);
    if (row.is_comment()) continue;
    ++stats->rows;
    for (const std::vector<bool>& p : pass) {
      if (!RangePasses(p, row.first_version, row.version_count)) {
        ++stats->rows_pruned;
        break;
      }
    }
  }
}

// The value a memtable write carries at a dotted column path, or null.
const json::Value* WriteValue(const json::Object& write, std::string_view column) {
  const json::Object* obj = &write;
  while (true) {
    size_t dot = column.find('.');
    const json::Value* v = obj->find(column.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    obj = &v->as_object();
    column.remove_prefix(dot + 1);
  }
}

bool WritesPass(const std::vector<Version>& versions, const ColumnTest& test) {
  for (const Version& v : versions) {
    const json::Value* x = WriteValue(*v.write, test.column);
    if (x != nullptr && (x->is_number() || x->is_string()) && test.may_match(*x)) return true;
  }
  return false;
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

// Which versions of one source pass each column test.
struct SnapshotReader::SourcePrune {
  bool all = true;                      // no column information: every row may pass
  std::vector<std::vector<bool>> pass;  // [test][version ordinal] (segment sources)
};

// The columns of a ColumnarRead in one segment source, with the scan's place
// in each list (rows are visited in ascending version order).
struct SnapshotReader::SourceColumns {
  std::shared_ptr<const segment::ColumnSet> set;
  std::vector<const segment::Column*> cols;
  std::vector<std::pair<std::string, std::string>> paths;  // each name split at its first '.'
  bool exact = false;  // the segment knows every column's values (ColumnSet::Knows)
  std::vector<size_t> at_value, at_int, at_other;
};

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
  return std::optional<json::Value>(Materialize(std::move(*state), std::move(ctx)));
}

Status SnapshotReader::Scan(const ReadOptions& options, const std::optional<PageKey>& after,
                            const RowVisitor& visit) const {
  return ScanPruned(options, after, {}, visit, nullptr);
}

Status SnapshotReader::ScanPruned(const ReadOptions& options, const std::optional<PageKey>& after,
                                  const std::vector<ColumnTest>& tests, const RowVisitor& visit,
                                  PruneStats* stats) const {
  ASSIGN_OR_RETURN(std::vector<SourcePrune> prunes, PrepareTests(tests, stats));
  ASSIGN_OR_RETURN(std::vector<SourceColumns> columnar, PrepareColumnar(options));
  std::vector<SourceColumns>* use = options.columnar ? &columnar : nullptr;
  std::vector<Cursor> cursors(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    cursors[i].src = &sources_[i];
    RETURN_IF_ERROR(Init(cursors[i], after));
  }
  std::vector<Cursor*> group;
  while (NewestGroup(cursors, &group)) {
    ASSIGN_OR_RETURN(bool more, VisitGroup(group, options, tests, prunes, visit, stats, use));
    for (Cursor* c : group) RETURN_IF_ERROR(Advance(*c));
    if (!more) return Status::Ok();
  }
  return Status::Ok();
}

Result<std::vector<SnapshotReader::SourceColumns>> SnapshotReader::PrepareColumnar(
    const ReadOptions& options) const {
  std::vector<SourceColumns> out;
  if (!options.columnar) return out;
  const std::vector<std::string>& names = options.columnar->columns;
  out.resize(sources_.size());
  for (size_t s = 0; s < sources_.size(); ++s) {
    const segment::Reader* seg = sources_[s].seg;
    if (seg == nullptr || !HasColumns(*seg)) continue;
    SourceColumns& sc = out[s];
    ASSIGN_OR_RETURN(sc.set, seg->Columns());
    sc.exact = true;
    for (const std::string& name : names) {
      sc.exact = sc.exact && sc.set->Knows(name);
      sc.cols.push_back(sc.set->Find(name));  // null: no version holds the path
      size_t dot = name.find('.');
      sc.paths.emplace_back(name.substr(0, dot), dot == std::string::npos ? "" : name.substr(dot + 1));
    }
    sc.at_value.assign(names.size(), 0);
    sc.at_int.assign(names.size(), 0);
    sc.at_other.assign(names.size(), 0);
  }
  return out;
}

std::optional<json::Value> SnapshotReader::ColumnRow(const Cursor& cur, SourceColumns& sc) const {
  const segment::RowEntry& r = cur.src->seg->row(cur.ord);
  if (!sc.exact || r.version_count != 1 || (r.flags & segment::kRowLastDelete)) return std::nullopt;
  uint64_t v = r.first_version;
  json::Object row;
  for (size_t k = 0; k < sc.cols.size(); ++k) {
    if (sc.cols[k] == nullptr) continue;
    const segment::Column& col = *sc.cols[k];
    if (SeekVersion(col.others, sc.at_other[k], v, Self)) return std::nullopt;
    bool is_int = SeekVersion(col.ints, sc.at_int[k], v, Self);
    if (!SeekVersion(col.values, sc.at_value[k], v, OfValue)) continue;
    const segment::ColumnValue& cv = col.values[sc.at_value[k]];
    json::Value x;
    if (col.type == segment::ColumnType::kString) {
      x = json::Value(std::string(cv.str));
    } else {
      x = is_int ? json::Value(static_cast<int64_t>(cv.num)) : json::Value(cv.num);
    }
    SetPath(row, sc.paths[k].first, sc.paths[k].second, std::move(x));
  }
  return json::Value(std::move(row));
}

Result<bool> SnapshotReader::VisitGroup(const std::vector<Cursor*>& group,
                                        const ReadOptions& options,
                                        const std::vector<ColumnTest>& tests,
                                        const std::vector<SourcePrune>& prunes,
                                        const RowVisitor& visit, PruneStats* stats,
                                        std::vector<SourceColumns>* columnar) const {
  PageKey key = group[0]->key;
  if (options.as_of && key.xact > *options.as_of) return true;
  if (!tests.empty() && !GroupMayMatch(group, tests, prunes)) {
    if (stats != nullptr) ++stats->rows_skipped;
    return true;
  }
  const Cursor& head = *group[0];
  if (columnar != nullptr && group.size() == 1 && head.src->seg != nullptr) {
    SourceColumns& sc = (*columnar)[static_cast<size_t>(head.src - sources_.data())];
    if (std::optional<json::Value> row = ColumnRow(head, sc)) {
      ++options.columnar->rows_from_columns;
      return visit(std::move(*row), key);
    }
  }
  std::string id = head.src->mem ? head.row.id : std::string(head.src->seg->row(head.ord).id);
  std::vector<Version> versions;
  for (const Cursor* c : group) RETURN_IF_ERROR(CursorVersions(*c, &versions));
  ASSIGN_OR_RETURN(std::optional<json::Value> row, Present(id, std::move(versions), options));
  if (row && columnar != nullptr) ++options.columnar->rows_decoded;
  return !row || visit(std::move(*row), key);
}

std::vector<SnapshotReader::Cursor> SnapshotReader::CursorsOf(const std::string& id) const {
  std::vector<Cursor> out;
  for (const Source& s : sources_) {
    Cursor c;
    c.src = &s;
    if (s.mem != nullptr) {
      if (!s.mem->FindRow(container_, id, &c.row)) continue;
      c.key = c.row.key;
    } else {
      std::optional<uint32_t> ord = s.seg->FindRow(s.c, id);
      if (!ord) continue;
      c.ord = *ord;
      c.key = FromSeg(s.seg->row(*ord).key);
    }
    c.valid = true;
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<std::optional<int64_t>>> SnapshotReader::BlockBounds(
    const Source& s, const ColumnOrder& order) const {
  const segment::Reader& seg = *s.seg;
  const segment::ContainerEntry& ce = seg.containers()[s.c];
  const std::vector<segment::BlockEntry>& blocks = seg.blocks();
  std::vector<std::optional<int64_t>> out(blocks.size());
  if (ce.row_count == 0) return out;
  const segment::RowEntry& last = seg.row(ce.first_row + ce.row_count - 1);
  uint64_t lo = seg.row(ce.first_row).first_version, hi = last.first_version + last.version_count;
  ASSIGN_OR_RETURN(std::shared_ptr<const segment::ColumnSet> cols, seg.Columns());
  const segment::Column* col = cols->Find(order.column);
  bool strings = col == nullptr || col->type == segment::ColumnType::kString;
  for (size_t b = 0; b < blocks.size(); ++b) {
    uint64_t end = b + 1 < blocks.size() ? blocks[b + 1].first_version : UINT64_MAX;
    if (blocks[b].first_version < hi && end > lo) out[b] = strings ? INT64_MIN : INT64_MAX;
  }
  if (col == nullptr || !strings) return out;
  auto it = std::lower_bound(col->values.begin(), col->values.end(), lo,
                             [](const segment::ColumnValue& v, uint64_t x) { return v.version < x; });
  size_t b = 0;
  for (; it != col->values.end() && it->version < hi; ++it) {
    while (b + 1 < blocks.size() && blocks[b + 1].first_version <= it->version) ++b;
    std::optional<int64_t> k = order.key(it->str);
    out[b] = std::max(*out[b], k ? *k : INT64_MAX);
  }
  return out;
}

namespace {

// Per block of `seg`, whether it holds a version of one of `rows`.
std::vector<bool> BlocksHolding(const segment::Reader& seg, const std::vector<uint32_t>& rows) {
  std::vector<bool> out(seg.blocks().size(), false);
  for (uint32_t r : rows) {
    const segment::RowEntry& e = seg.row(r);
    if (e.version_count == 0) continue;
    size_t last = seg.BlockOf(e.first_version + e.version_count - 1);
    for (size_t b = seg.BlockOf(e.first_version); b <= last; ++b) out[b] = true;
  }
  return out;
}

}  // namespace

Status SnapshotReader::ScanTopDesc(const ReadOptions& options, const std::vector<ColumnTest>& tests,
                                   const ColumnOrder& order,
                                   const std::function<std::optional<int64_t>()>& floor,
                                   const RowVisitor& visit, TopKStats* stats) const {
  return TopDesc(options, tests, order, floor, visit, stats, RowSubset(sources_.size()));
}

Status SnapshotReader::MatchTopDesc(const std::string& query, const std::optional<std::string>& field,
                                    const ReadOptions& options, const ColumnOrder& order,
                                    const std::function<std::optional<int64_t>()>& floor,
                                    const RowVisitor& visit, TopKStats* stats) const {
  ASSIGN_OR_RETURN(RowSubset subset, MatchSubset(query, field));
  return TopDesc(options, {}, order, floor, visit, stats, subset);
}

Result<SnapshotReader::RowSubset> SnapshotReader::MatchSubset(
    const std::string& query, const std::optional<std::string>& field) const {
  RowSubset out(sources_.size());
  std::optional<std::string_view> f;
  if (field) f = *field;
  for (size_t s = 0; s < sources_.size(); ++s) {
    if (sources_[s].seg == nullptr) continue;
    ASSIGN_OR_RETURN(out[s], sources_[s].seg->MatchRows(sources_[s].c, query, f));
  }
  return out;
}

Status SnapshotReader::TopDesc(const ReadOptions& options, const std::vector<ColumnTest>& tests,
                               const ColumnOrder& order,
                               const std::function<std::optional<int64_t>()>& floor,
                               const RowVisitor& visit, TopKStats* stats, const RowSubset& subset) const {
  ASSIGN_OR_RETURN(std::vector<SourcePrune> prunes, PrepareTests(tests, nullptr));
  TopKStats local;
  TopKStats& st = stats != nullptr ? *stats : local;
  std::unordered_set<std::string> seen;
  RowVisitor counted = [&](json::Value row, const PageKey& key) {
    ++st.rows_decoded;
    return visit(std::move(row), key);
  };
  // Visits row `id` (all its sources) once; false when `visit` asked to stop.
  auto visit_id = [&](std::string id) -> Result<bool> {
    if (!seen.insert(id).second) return true;
    std::vector<Cursor> cursors = CursorsOf(id);
    std::vector<Cursor*> group;
    for (Cursor& c : cursors) {
      if (c.src->mem != nullptr ? c.row.is_comment : c.src->seg->row(c.ord).is_comment()) return true;
      group.push_back(&c);
    }
    if (group.empty()) return true;
    return VisitGroup(group, options, tests, prunes, counted, nullptr);
  };
  struct Unit {
    int64_t bound;
    size_t source, block;
  };
  std::vector<Unit> units;
  for (size_t s = 0; s < sources_.size(); ++s) {
    const Source& src = sources_[s];
    if (src.mem != nullptr) {
      MemRow row;
      for (std::optional<PageKey> k; src.mem->NextRow(container_, k, &row); k = row.key) {
        ASSIGN_OR_RETURN(bool more, visit_id(row.id));
        if (!more) return Status::Ok();
      }
      continue;
    }
    std::vector<std::optional<int64_t>> bounds;
    if (HasColumns(*src.seg)) {
      ASSIGN_OR_RETURN(bounds, BlockBounds(src, order));
    } else {  // every block unbounded
      bounds.assign(src.seg->blocks().size(), std::optional<int64_t>(INT64_MAX));
    }
    std::vector<bool> wanted = subset[s] ? BlocksHolding(*src.seg, *subset[s]) : std::vector<bool>();
    for (size_t b = 0; b < bounds.size(); ++b) {
      if (bounds[b] && (wanted.empty() || wanted[b])) units.push_back(Unit{*bounds[b], s, b});
    }
  }
  std::stable_sort(units.begin(), units.end(),
                   [](const Unit& a, const Unit& b) { return a.bound > b.bound; });
  st.blocks = units.size();
  for (const Unit& u : units) {
    std::optional<int64_t> f = floor();
    if (f && *f > u.bound) {
      st.stopped_early = true;
      return Status::Ok();
    }
    ++st.blocks_read;
    const segment::Reader& seg = *sources_[u.source].seg;
    const segment::ContainerEntry& ce = seg.containers()[sources_[u.source].c];
    const std::vector<segment::BlockEntry>& blocks = seg.blocks();
    uint64_t first = blocks[u.block].first_version;
    uint64_t end = u.block + 1 < blocks.size() ? blocks[u.block + 1].first_version : UINT64_MAX;
    // The container's rows are in version order: the first one ending after `first`.
    uint32_t lo = ce.first_row, hi = ce.first_row + ce.row_count;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      const segment::RowEntry& r = seg.row(mid);
      if (r.first_version + r.version_count <= first) lo = mid + 1; else hi = mid;
    }
    const std::optional<std::vector<uint32_t>>& only = subset[u.source];
    for (uint32_t r = lo; r < ce.first_row + ce.row_count && seg.row(r).first_version < end; ++r) {
      if (seg.row(r).is_comment() || (only && !std::binary_search(only->begin(), only->end(), r))) continue;
      ASSIGN_OR_RETURN(bool more, visit_id(std::string(seg.row(r).id)));
      if (!more) return Status::Ok();
    }
  }
  return Status::Ok();
}

bool SnapshotReader::NewestGroup(std::vector<Cursor>& cursors, std::vector<Cursor*>* group) const {
  group->clear();
  const Cursor* top = nullptr;
  for (const Cursor& c : cursors) {
    if (c.valid && (top == nullptr || c.key > top->key)) top = &c;
  }
  if (top == nullptr) return false;
  PageKey key = top->key;
  for (Cursor& c : cursors) {
    if (c.valid && c.key == key) group->push_back(&c);  // sources are newest first
  }
  return true;
}

Result<std::vector<SnapshotReader::SourcePrune>> SnapshotReader::PrepareTests(
    const std::vector<ColumnTest>& tests, PruneStats* stats) const {
  std::vector<SourcePrune> out(sources_.size());
  if (tests.empty()) return out;
  for (size_t s = 0; s < sources_.size(); ++s) {
    const segment::Reader* seg = sources_[s].seg;
    if (seg == nullptr || !HasColumns(*seg)) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<const segment::ColumnSet> cols, seg->Columns());
    SourcePrune& p = out[s];
    p.all = false;
    std::vector<uint8_t> verdict(seg->blocks().size(), 0);  // as MarkVersions, worst first
    for (const ColumnTest& t : tests) {
      const segment::Column* col = cols->Find(t.column);
      p.pass.emplace_back(seg->meta().version_count, Unknowable(*cols, t.column));
      if (Unknowable(*cols, t.column)) continue;
      std::vector<uint8_t> v = MarkVersions(*seg, col, t, p.pass.back());
      if (col != nullptr && col->exact) MarkOthers(*seg, *col, p.pass.back(), v);
      for (size_t b = 0; b < v.size(); ++b) {
        if (verdict[b] != 1 && v[b] != 0) verdict[b] = v[b];
      }
    }
    if (stats != nullptr) CountPrune(*seg, sources_[s].c, p.pass, verdict, stats);
  }
  return out;
}

// Whether the rows of one key (its cursors in `group`) may pass every test:
// each test needs a passing version in some source of the row.
bool SnapshotReader::GroupMayMatch(const std::vector<Cursor*>& group,
                                   const std::vector<ColumnTest>& tests,
                                   const std::vector<SourcePrune>& prunes) const {
  for (size_t t = 0; t < tests.size(); ++t) {
    bool passes = false;
    for (const Cursor* c : group) {
      const SourcePrune& p = prunes[static_cast<size_t>(c->src - sources_.data())];
      if (c->src->mem != nullptr) {
        passes = WritesPass(c->row.versions, tests[t]);
      } else if (p.all) {
        passes = true;
      } else {
        const segment::RowEntry& row = c->src->seg->row(c->ord);
        passes = RangePasses(p.pass[t], row.first_version, row.version_count);
      }
      if (passes) break;
    }
    if (!passes) return false;
  }
  return true;
}

Result<PruneStats> SnapshotReader::EstimatePrune(const std::vector<ColumnTest>& tests) const {
  PruneStats stats;
  RETURN_IF_ERROR(PrepareTests(tests, &stats).status());
  return stats;
}

Result<std::optional<json::Value>> SnapshotReader::Lookup(const std::string& id,
                                                          const ReadOptions& options) const {
  ASSIGN_OR_RETURN(Gathered g, Gather(id));
  if (!g.found || g.is_comment) return std::optional<json::Value>();
  return Present(id, std::move(g.versions), options);
}

Status SnapshotReader::LookupRoot(const std::string& root, const ReadOptions& options,
                                  const std::optional<PageKey>& after, const RowVisitor& visit) const {
  std::vector<Candidate> candidates;
  for (const Source& s : sources_) {
    if (s.mem != nullptr) {
      MemRow row;
      for (std::string& id : s.mem->RowsWithRoot(container_, root)) {
        if (s.mem->FindRow(container_, id, &row)) candidates.emplace_back(row.key, std::move(id));
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<uint32_t> rows, s.seg->RowsWithRoot(s.c, root));
    for (uint32_t ord : rows) candidates.emplace_back(FromSeg(s.seg->row(ord).key), s.seg->row(ord).id);
  }
  return VisitIds(std::move(candidates), options, after, [&](const json::Value& row) {
    const json::Value* r = row.find("root_span_id");
    return r != nullptr && r->is_string() && r->as_string() == root;
  }, visit);
}

Status SnapshotReader::MatchCandidates(const std::string& query, const std::optional<std::string>& field,
                                       const ReadOptions& options, const std::optional<PageKey>& after,
                                       const RowVisitor& visit) const {
  ASSIGN_OR_RETURN(RowSubset subset, MatchSubset(query, field));
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const Source& s = sources_[i];
    if (s.mem != nullptr) {
      MemRow row;
      for (std::optional<PageKey> k; s.mem->NextRow(container_, k, &row); k = row.key) {
        candidates.emplace_back(row.key, row.id);
      }
      continue;
    }
    for (uint32_t ord : *subset[i]) candidates.emplace_back(FromSeg(s.seg->row(ord).key), s.seg->row(ord).id);
  }
  return VisitIds(std::move(candidates), options, after, [](const json::Value&) { return true; }, visit);
}

Status SnapshotReader::VisitIds(std::vector<Candidate> candidates, const ReadOptions& options,
                                const std::optional<PageKey>& after,
                                const std::function<bool(const json::Value&)>& keep,
                                const RowVisitor& visit) const {
  // Newest first; an id held by several sources appears once per source
  // with the same key, so its duplicates are adjacent.
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (Candidate& c : candidates) {
    if ((after && !(c.first < *after)) || (options.as_of && c.first.xact > *options.as_of)) continue;
    ASSIGN_OR_RETURN(Gathered g, Gather(c.second));
    if (!g.found || g.is_comment) continue;
    ASSIGN_OR_RETURN(std::optional<json::Value> row, Present(c.second, std::move(g.versions), options));
    if (row && keep(*row) && !visit(std::move(*row), c.first)) break;
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
  std::vector<Cursor*> group;
  while (NewestGroup(cursors, &group)) {
    if (!as_of || group[0]->key.xact <= *as_of) {
      ASSIGN_OR_RETURN(bool live, LiveGroup(group, as_of));
      if (live) ++n;
    }
    for (Cursor* c : group) RETURN_IF_ERROR(Advance(*c));
  }
  return n;
}

}  // namespace spanlake::engine
