#include "engine/compact.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "engine/read.h"
#include "engine/xact.h"
#include "base/datetime.h"

namespace spanlake::engine {

namespace {

struct MergedRow {
  segment::Key key;
  bool is_comment = false;
  std::string target;
  std::vector<Version> versions;
};

using RowMap = std::map<std::string, MergedRow>;

Status Collect(const segment::Reader& r, const std::string& container, RowMap* rows) {
  int c = r.FindContainer(container);
  if (c < 0) return Status::Ok();
  const segment::ContainerEntry& ce = r.containers()[static_cast<size_t>(c)];
  for (uint32_t ord = ce.first_row; ord < ce.first_row + ce.row_count; ++ord) {
    const segment::RowEntry& e = r.row(ord);
    MergedRow& m = (*rows)[std::string(e.id)];
    m.key = e.key;
    m.is_comment = e.is_comment();
    if (!e.target.empty()) m.target = std::string(e.target);
    RETURN_IF_ERROR(r.ReadVersions(ord, &m.versions));
  }
  return Status::Ok();
}

bool InOlder(const std::vector<const segment::Reader*>& older, const std::string& container,
             const std::string& id) {
  for (const segment::Reader* r : older) {
    int c = r->FindContainer(container);
    if (c >= 0 && r->FindRow(c, id)) return true;
  }
  return false;
}

// Replaces the versions at or below the horizon with one version holding
// the state they fold to (none when that state is deleted).
void FoldHistory(std::vector<Version>& versions, uint64_t horizon, MergeResult* result) {
  size_t n = 0;
  while (n < versions.size() && versions[n].xact <= horizon) ++n;
  if (n == 0) return;
  std::vector<Version> prefix(versions.begin(), versions.begin() + static_cast<long>(n));
  uint64_t xact = 0;
  std::optional<json::Object> state = FoldVersions(prefix, std::nullopt, &xact);
  if (n == 1 && state) return;  // one live version: already its own state
  Version last = versions[n - 1];
  versions.erase(versions.begin(), versions.begin() + static_cast<long>(n));
  result->versions_folded += n;
  if (state) versions.insert(versions.begin(), Version{last.xact, last.pos, std::make_shared<const json::Object>(std::move(*state))});
}

Status AddContainer(segment::Builder& b, const segment::Reader& info_src, const std::string& name,
                    RowMap& rows, const std::vector<const segment::Reader*>& older,
                    const MergeOptions& o, MergeResult* result) {
  int64_t horizon_ms = RetentionHorizonMs(name, o);
  std::vector<std::pair<std::string, MergedRow*>> keep;
  for (auto& [id, row] : rows) {
    ++result->rows_in;
    std::sort(row.versions.begin(), row.versions.end(), [](const Version& a, const Version& c) {
      return std::tie(a.xact, a.pos) < std::tie(c.xact, c.pos);
    });
    int64_t row_ms = RowTimeMs(row.versions);
    if (horizon_ms > 0 && row_ms < horizon_ms) {
      ++result->rows_expired;
      continue;
    }
    if (o.history_horizon_xact > 0 && !InOlder(older, name, id)) {
      FoldHistory(row.versions, o.history_horizon_xact, result);
      if (row.versions.empty()) {
        ++result->tombstones_dropped;
        continue;
      }
    }
    keep.emplace_back(id, &row);
    result->min_row_ms = result->min_row_ms == 0 ? row_ms : std::min(result->min_row_ms, row_ms);
  }
  if (keep.empty()) return Status::Ok();
  std::sort(keep.begin(), keep.end(), [](const auto& a, const auto& c) {
    return std::tie(c.second->key.xact, c.second->key.pos) < std::tie(a.second->key.xact, a.second->key.pos);
  });
  const segment::ContainerEntry& ce = info_src.containers()[static_cast<size_t>(info_src.FindContainer(name))];
  RETURN_IF_ERROR(b.StartContainer(name, std::string(ce.org_id), std::string(ce.project_id)));
  for (auto& [id, row] : keep) {
    RETURN_IF_ERROR(b.AddRow(segment::RowInput{id, row->key, row->is_comment, row->target, std::move(row->versions)}));
  }
  return Status::Ok();
}

}  // namespace

int64_t RowTimeMs(const std::vector<Version>& versions) {
  int64_t t = XactMillis(versions.front().xact);
  for (const Version& v : versions) {
    const json::Value* created = v.write->find("created");
    if (created == nullptr || !created->is_string()) continue;
    if (std::optional<int64_t> us = ParseTimestamp(created->as_string())) t = std::min(t, *us / 1000);
    break;
  }
  return t;
}

int64_t RetentionHorizonMs(const std::string& container, const MergeOptions& o) {
  Retention r = o.retention ? o.retention(container) : Retention{};
  if (r.deleted) return std::numeric_limits<int64_t>::max();
  uint32_t days = r.days.value_or(o.default_retention_days);
  if (days == 0) return 0;
  return o.now_ms - static_cast<int64_t>(days) * 86'400'000;
}

Result<MergeResult> MergeSegments(const std::vector<const segment::Reader*>& inputs,
                                  const std::vector<const segment::Reader*>& older,
                                  const MergeOptions& options) {
  std::map<std::string, const segment::Reader*> containers;  // name → a segment holding it
  for (const segment::Reader* r : inputs) {
    for (const segment::ContainerEntry& ce : r->containers()) containers.emplace(std::string(ce.name), r);
  }
  segment::BuilderOptions bo = options.builder;
  for (const segment::Reader* r : inputs) bo.created_ms = std::max(bo.created_ms, r->meta().created_ms);
  segment::Builder b(bo);
  MergeResult result;
  for (const auto& [name, src] : containers) {
    RowMap rows;
    for (const segment::Reader* r : inputs) RETURN_IF_ERROR(Collect(*r, name, &rows));
    RETURN_IF_ERROR(AddContainer(b, *src, name, rows, older, options, &result));
  }
  if (b.stats().rows == 0) return result;
  ASSIGN_OR_RETURN(result.bytes, b.Finish());
  result.stats = b.stats();
  return result;
}

}  // namespace spanlake::engine
