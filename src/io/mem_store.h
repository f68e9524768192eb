// MemObjectStore: objects in a map, for tests and for engines that want no
// durability. Keeps every ObjectStore contract, PutIfAbsent included.
// Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "io/object_store.h"

namespace spanlake::io {

class MemObjectStore : public ObjectStore {
 public:
  Status Put(std::string_view key, std::string_view bytes) override;
  Status PutIfAbsent(std::string_view key, std::string_view bytes) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<uint64_t> Size(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override { return "mem:"; }

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> objects_;  // guarded by mu_
};

}  // namespace spanlake::io
