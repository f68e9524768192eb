#include "engine/memtable.h"

#include <charconv>
#include <mutex>

#include "engine/row.h"
#include "engine/xact.h"

namespace spanlake::engine {

namespace {

struct Version {
  uint64_t xact;
  uint32_t pos;
  std::shared_ptr<const json::Object> write;
};

struct RowHistory {
  PageKey key;
  bool is_comment = false;
  std::vector<Version> versions;  // ordered by (xact, pos)
  // The fold of every version, kept up to date for reads of the latest state.
  std::optional<json::Object> current;
  uint64_t current_xact = 0;

  // State as of `as_of` (all versions when unset), and the xact of its last write.
  std::optional<json::Object> StateAsOf(std::optional<uint64_t> as_of, uint64_t* xact) const {
    if (!as_of || *as_of >= current_xact) {
      *xact = current_xact;
      return current;
    }
    std::optional<json::Object> state;
    for (const Version& v : versions) {
      if (v.xact > *as_of) break;
      ApplyWrite(state, *v.write, v.xact);
      *xact = v.xact;
    }
    return state;
  }

  bool LiveAsOf(std::optional<uint64_t> as_of) const {
    if (!as_of || *as_of >= current_xact) return current.has_value();
    uint64_t xact = 0;
    return StateAsOf(as_of, &xact).has_value();
  }
};

}  // namespace

struct Memtable::Container {
  std::string org_id;
  std::string project_id;
  std::unordered_map<std::string, RowHistory> rows;
  std::map<PageKey, std::string, std::greater<>> by_page;  // newest first; spans only
  std::unordered_map<std::string, std::vector<std::string>> comments_by_target;
};

std::string PageKey::Encode() const { return std::to_string(xact) + "." + std::to_string(pos); }

std::optional<PageKey> PageKey::Decode(const std::string& cursor) {
  size_t dot = cursor.find('.');
  if (dot == std::string::npos) return std::nullopt;
  PageKey k;
  const char* b = cursor.data();
  const char* e = b + cursor.size();
  auto r1 = std::from_chars(b, b + dot, k.xact);
  auto r2 = std::from_chars(b + dot + 1, e, k.pos);
  if (r1.ec != std::errc() || r1.ptr != b + dot || r2.ec != std::errc() || r2.ptr != e) {
    return std::nullopt;
  }
  return k;
}

Memtable::Memtable() = default;
Memtable::~Memtable() = default;

Memtable::Container* Memtable::FindOrCreate(const RowWrite& w) {
  auto& slot = containers_[w.container];
  if (!slot) {
    slot = std::make_unique<Container>();
    slot->org_id = w.org_id;
    slot->project_id = w.project_id;
  }
  return slot.get();
}

void Memtable::Apply(uint64_t xact, const std::vector<RowWrite>& rows) {
  std::unique_lock lock(mu_);
  for (uint32_t pos = 0; pos < rows.size(); ++pos) {
    const RowWrite& w = rows[pos];
    Container* c = FindOrCreate(w);
    const std::string& id = w.row.find("id")->as_string();
    auto [it, inserted] = c->rows.try_emplace(id);
    RowHistory& h = it->second;
    Version v{xact, pos, std::make_shared<const json::Object>(w.row)};
    if (inserted) {
      h.key = PageKey{xact, pos};
      h.is_comment = IsCommentRow(w.row);
      if (h.is_comment) {
        c->comments_by_target[w.row.find("origin")->find("id")->as_string()].push_back(id);
      } else {
        c->by_page.emplace(h.key, id);
      }
    }
    h.versions.push_back(v);
    ApplyWrite(h.current, *v.write, xact);
    h.current_xact = xact;
  }
}

void Memtable::Scan(const std::string& container, const ReadOptions& options,
                    const std::optional<PageKey>& after,
                    const std::function<bool(json::Value, const PageKey&)>& visit) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return;
  const Container& c = *cit->second;
  auto it = after ? c.by_page.upper_bound(*after) : c.by_page.begin();
  for (; it != c.by_page.end(); ++it) {
    if (options.as_of && it->first.xact > *options.as_of) continue;
    const RowHistory& h = c.rows.at(it->second);
    RowContext ctx;
    std::optional<json::Object> state = h.StateAsOf(options.as_of, &ctx.xact);
    if (!state) continue;
    ctx.org_id = &c.org_id;
    ctx.project_id = c.project_id.empty() ? nullptr : &c.project_id;
    ctx.include_audit = options.audit_log;
    if (auto cm = c.comments_by_target.find(it->second); cm != c.comments_by_target.end()) {
      for (const std::string& comment_id : cm->second) {
        uint64_t comment_xact = 0;
        std::optional<json::Object> cs = c.rows.at(comment_id).StateAsOf(options.as_of, &comment_xact);
        if (!cs) continue;
        if (!options.audit_log) cs->erase("audit_data");
        cs->set("_xact_id", XactToString(comment_xact));
        ctx.comments.push_back(json::Value(std::move(*cs)));
      }
    }
    if (!visit(Materialize(*state, std::move(ctx)), it->first)) return;
  }
}

size_t Memtable::CountRows(const std::string& container, std::optional<uint64_t> as_of) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return 0;
  size_t n = 0;
  for (const auto& [key, id] : cit->second->by_page) {
    if (cit->second->rows.at(id).LiveAsOf(as_of)) ++n;
  }
  return n;
}

}  // namespace spanlake::engine
