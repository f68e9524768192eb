#include "server/retention.h"

#include <map>
#include <memory>
#include <mutex>

#include "base/log.h"

namespace spanlake::server {

namespace {

constexpr int64_t kMaxRetentionDays = 100000;

using Clock = std::chrono::steady_clock;

// Settings of project `id`: deleted, and retention_days when set.
engine::Retention ProjectRetention(meta::Store& store, const std::string& id) {
  Result<std::optional<meta::ObjectState>> p = store.GetObjectState("project", id);
  if (!p.ok()) {
    LogWarn("retention: project " + id + ": " + p.status().ToString());
    return {};
  }
  if (!p->has_value()) return {};
  engine::Retention r{.deleted = (*p)->deleted};
  const json::Value* settings = (*p)->doc.find("settings");
  const json::Value* days = settings ? settings->find("retention_days") : nullptr;
  if (days && days->is_int() && days->as_int() >= 0 && days->as_int() <= kMaxRetentionDays) {
    r.days = static_cast<uint32_t>(days->as_int());
  }
  return r;
}

engine::Retention Lookup(meta::Store& store, const std::string& container) {
  size_t colon = container.find(':');
  if (colon == std::string::npos) return {};
  std::string kind = container.substr(0, colon), id = container.substr(colon + 1);
  if (kind == "project_logs") return ProjectRetention(store, id);
  if (kind != "experiment" && kind != "dataset") return {};
  Result<std::optional<meta::ObjectState>> o = store.GetObjectState(kind, id);
  if (!o.ok()) {
    LogWarn("retention: " + container + ": " + o.status().ToString());
    return {};
  }
  if (!o->has_value()) return {};
  const json::Value* project = (*o)->doc.find("project_id");
  engine::Retention r = project && project->is_string() ? ProjectRetention(store, project->as_string())
                                                        : engine::Retention{};
  r.deleted = r.deleted || (*o)->deleted;
  return r;
}

struct Cache {
  std::mutex mu;
  std::map<std::string, std::pair<engine::Retention, Clock::time_point>> entries;
};

}  // namespace

engine::RetentionFn MakeRetentionFn(meta::Store* store, std::chrono::seconds ttl) {
  auto cache = std::make_shared<Cache>();
  return [store, ttl, cache](const std::string& container) {
    Clock::time_point now = Clock::now();
    {
      std::lock_guard l(cache->mu);
      auto it = cache->entries.find(container);
      if (it != cache->entries.end() && now - it->second.second < ttl) return it->second.first;
    }
    engine::Retention r = Lookup(*store, container);
    std::lock_guard l(cache->mu);
    cache->entries[container] = {r, now};
    return r;
  };
}

Status CheckRetentionSetting(const json::Value& body) {
  const json::Value* settings = body.find("settings");
  const json::Value* days = settings && settings->is_object() ? settings->find("retention_days") : nullptr;
  if (days == nullptr || days->is_null()) return Status::Ok();
  if (!days->is_int() || days->as_int() < 0 || days->as_int() > kMaxRetentionDays) {
    return Status::InvalidArgument("'settings.retention_days' must be an integer from 0 (keep forever) to " +
                                   std::to_string(kMaxRetentionDays) + " or null");
  }
  return Status::Ok();
}

}  // namespace spanlake::server
