#include "engine/memtable.h"

#include <algorithm>
#include <charconv>
#include <mutex>

#include "engine/row.h"

namespace spanlake::engine {

namespace {

struct RowHistory {
  PageKey key;
  bool is_comment = false;
  std::vector<Version> versions;  // ordered by (xact, pos)
};

// The trace a write places its row in: its root_span_id, else the row's id.
const std::string& RootOf(const json::Object& write, const std::string& id) {
  const json::Value* root = write.find("root_span_id");
  return root && root->is_string() ? root->as_string() : id;
}

}  // namespace

struct Memtable::Container {
  ContainerInfo info;
  std::unordered_map<std::string, RowHistory> rows;
  std::map<PageKey, std::string, std::greater<>> by_page;  // newest first; every row
  std::unordered_map<std::string, std::vector<std::string>> comments_by_target;
  std::unordered_map<std::string, std::vector<std::string>> by_root;
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
    slot->info = ContainerInfo{w.org_id, w.project_id};
  }
  return slot.get();
}

void Memtable::Apply(uint64_t xact, std::vector<RowWrite> rows, const KeyLookup& inherited) {
  std::unique_lock lock(mu_);
  for (uint32_t pos = 0; pos < rows.size(); ++pos) {
    RowWrite& w = rows[pos];
    Container* c = FindOrCreate(w);
    const std::string& id = w.row.find("id")->as_string();
    auto [it, inserted] = c->rows.try_emplace(id);
    RowHistory& h = it->second;
    if (inserted) {
      std::optional<InheritedKey> old = inherited ? inherited(w.container, id) : std::nullopt;
      h.key = old ? old->key : PageKey{xact, pos};
      h.is_comment = old ? old->is_comment : IsCommentRow(w.row);
      c->by_page.emplace(h.key, id);
      if (h.is_comment && !old) {
        c->comments_by_target[w.row.find("origin")->find("id")->as_string()].push_back(id);
      }
    }
    if (!h.is_comment) {
      std::vector<std::string>& ids = c->by_root[RootOf(w.row, id)];
      if (ids.empty() || ids.back() != id) ids.push_back(id);
    }
    // Last: `id` points into the row being moved.
    h.versions.push_back(Version{xact, pos, std::make_shared<const json::Object>(std::move(w.row))});
  }
}

bool Memtable::NextRow(const std::string& container, const std::optional<PageKey>& after,
                       MemRow* out) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return false;
  const Container& c = *cit->second;
  for (auto it = after ? c.by_page.upper_bound(*after) : c.by_page.begin(); it != c.by_page.end(); ++it) {
    const RowHistory& h = c.rows.at(it->second);
    if (h.is_comment) continue;
    *out = MemRow{h.key, it->second, false, h.versions};
    return true;
  }
  return false;
}

bool Memtable::FindRow(const std::string& container, const std::string& id, MemRow* out) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return false;
  auto it = cit->second->rows.find(id);
  if (it == cit->second->rows.end()) return false;
  *out = MemRow{it->second.key, id, it->second.is_comment, it->second.versions};
  return true;
}

std::vector<std::string> Memtable::CommentsOf(const std::string& container,
                                              const std::string& target) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return {};
  auto it = cit->second->comments_by_target.find(target);
  return it == cit->second->comments_by_target.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> Memtable::RowsWithRoot(const std::string& container,
                                                const std::string& root) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return {};
  auto it = cit->second->by_root.find(root);
  return it == cit->second->by_root.end() ? std::vector<std::string>{} : it->second;
}

std::optional<ContainerInfo> Memtable::Info(const std::string& container) const {
  std::shared_lock lock(mu_);
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return std::nullopt;
  return cit->second->info;
}

std::vector<std::string> Memtable::Containers() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, c] : containers_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<MemRow> Memtable::AllRows(const std::string& container) const {
  std::shared_lock lock(mu_);
  std::vector<MemRow> out;
  auto cit = containers_.find(container);
  if (cit == containers_.end()) return out;
  for (const auto& [key, id] : cit->second->by_page) {
    const RowHistory& h = cit->second->rows.at(id);
    out.push_back(MemRow{h.key, id, h.is_comment, h.versions});
  }
  return out;
}

bool Memtable::empty() const {
  std::shared_lock lock(mu_);
  return containers_.empty();
}

}  // namespace spanlake::engine
