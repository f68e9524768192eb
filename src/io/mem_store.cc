#include "io/mem_store.h"

namespace spanlake::io {

namespace {

Status Missing(std::string_view key) {
  return Status::NotFound("object " + std::string(key) + " not found in mem:");
}

}  // namespace

Status MemObjectStore::Put(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  objects_.insert_or_assign(std::string(key), std::string(bytes));
  return Status::Ok();
}

Status MemObjectStore::PutIfAbsent(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto [it, inserted] = objects_.try_emplace(std::string(key), std::string(bytes));
  if (!inserted) return Status::AlreadyExists("object " + std::string(key) + " already exists");
  return Status::Ok();
}

Result<std::string> MemObjectStore::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Missing(key);
  return it->second;
}

Result<std::string> MemObjectStore::GetRange(std::string_view key, uint64_t offset,
                                             uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Missing(key);
  return SliceForRange(key, it->second, offset, length);
}

Result<uint64_t> MemObjectStore::Size(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Missing(key);
  return static_cast<uint64_t>(it->second.size());
}

Result<std::vector<ObjectInfo>> MemObjectStore::List(std::string_view prefix) {
  RETURN_IF_ERROR(ValidatePrefix(prefix));
  std::lock_guard lock(mu_);
  std::vector<ObjectInfo> out;
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.starts_with(prefix); ++it) {
    out.push_back({it->first, it->second.size()});
  }
  return out;
}

Status MemObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return Status::Ok();
}

}  // namespace spanlake::io
