// ObjectStore: the one interface through which Spanlake reads and writes its
// durable objects (WAL objects, segments, manifests). Implementations: a
// local directory (the embedded default), S3-compatible over HTTP, in-memory
// (tests), and fault-injecting (crash tests). See docs/decisions.md.
//
// Keys are '/'-separated relative paths ("segments/000017.seg"). A valid key
// is 1..1024 bytes, has no leading or trailing '/', no empty component, no
// component that starts with '.' (so "." and ".." are out, and hidden names
// stay free for a store's own bookkeeping), and no control characters.
// Every call validates its key and returns InvalidArgument for a bad one.
//
// Semantics every implementation keeps (the conformance suite checks them):
// - Put replaces the whole object atomically: a reader sees the old bytes or
//   the new ones, never a mix; once Put returns OK the bytes are durable.
// - PutIfAbsent creates the object only when no object has that key, else
//   returns AlreadyExists; a store that cannot guarantee this says so in its
//   header (see S3ObjectStore).
// - A missing key is NotFound for Get, GetRange and Size. Delete of a missing
//   key is OK (S3 cannot tell the difference, so no store does).
// - GetRange returns bytes [offset, min(offset + length, size)): short at the
//   end, empty when offset == size, InvalidArgument when offset > size.
// - List returns every key that starts with `prefix` (a plain string prefix,
//   not a directory), sorted bytewise, with its size.
// Thread-safety: every implementation is safe to call from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace spanlake::io {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;

  bool operator==(const ObjectInfo&) const = default;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual Status Put(std::string_view key, std::string_view bytes) = 0;
  virtual Status PutIfAbsent(std::string_view key, std::string_view bytes) = 0;
  virtual Result<std::string> Get(std::string_view key) = 0;
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset,
                                       uint64_t length) = 0;
  virtual Result<uint64_t> Size(std::string_view key) = 0;
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  virtual Status Delete(std::string_view key) = 0;

  // Where the objects live, for logs and messages: "file:/var/lib/x",
  // "s3://bucket/prefix", "mem:".
  virtual std::string Describe() const = 0;
};

// OK when `key` is a valid key (see above); otherwise InvalidArgument naming it.
Status ValidateKey(std::string_view key);
// A List prefix is a key prefix: empty, or like a key but may end in '/'.
Status ValidatePrefix(std::string_view prefix);

// For implementations: the GetRange contract. CheckRangeStart is
// InvalidArgument when `offset` lies past the end of an object of `size` bytes.
Status CheckRangeStart(std::string_view key, uint64_t offset, uint64_t size);
Result<std::string> SliceForRange(std::string_view key, std::string_view bytes, uint64_t offset,
                                  uint64_t length);

// Opens the store that `location` names:
//   "s3://bucket[/prefix]"  S3ObjectStore configured from the AWS environment
//                           variables (see s3_store.h);
//   "mem:"                  a fresh MemObjectStore;
//   "file:/dir" or "/dir"   LocalObjectStore rooted at that directory (created).
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& location);

}  // namespace spanlake::io
