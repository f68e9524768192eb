// LocalObjectStore: objects as files under a root directory (the embedded
// default, inside the data directory). Key "a/b/c" is the file <root>/a/b/c.
//
// Durability: Put writes a temp file in <root>/.tmp, fsyncs it, renames it
// over the target and fsyncs the target's directory, so a crash leaves the
// old object or the new one. PutIfAbsent link()s the temp file to the target,
// which the kernel refuses when the target exists: exact conditional create.
// Directories created for a key are fsynced into their parents.
//
// Limits: a key cannot also be a "directory" of another key (Put "a" and
// "a/b" in one store fails with IOError); empty directories are left behind
// by Delete (harmless, never listed). One process per root: Open removes
// temp files left by a crash.
// Thread-safe: the file system serializes; the object holds no mutable state.
#pragma once

#include <memory>
#include <string>

#include "io/object_store.h"

namespace spanlake::io {

class LocalObjectStore : public ObjectStore {
 public:
  // Creates `root` (and parents) when missing.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root);

  Status Put(std::string_view key, std::string_view bytes) override;
  Status PutIfAbsent(std::string_view key, std::string_view bytes) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<uint64_t> Size(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override { return "file:" + root_; }

  const std::string& root() const { return root_; }

 private:
  explicit LocalObjectStore(std::string root) : root_(std::move(root)) {}

  std::string PathOf(std::string_view key) const { return root_ + "/" + std::string(key); }
  Status MakeParents(std::string_view key) const;
  Result<std::string> WriteTemp(std::string_view bytes) const;

  const std::string root_;  // no trailing '/'
};

}  // namespace spanlake::io
