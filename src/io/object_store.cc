#include "io/object_store.h"

#include <algorithm>

#include "io/local_store.h"
#include "io/mem_store.h"
#include "io/s3_store.h"

namespace spanlake::io {

namespace {

constexpr size_t kMaxKeyBytes = 1024;

Status BadKey(std::string_view key, std::string_view why) {
  return Status::InvalidArgument("object key \"" + std::string(key) + "\" " + std::string(why));
}

// Checks the components of `path` ('/'-separated, none empty).
Status CheckComponents(std::string_view whole, std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return BadKey(whole, "has an empty component");
    if (part.front() == '.') return BadKey(whole, "has a component starting with '.'");
    start = end + 1;
  }
  return Status::Ok();
}

Status CheckCharacters(std::string_view key) {
  if (key.size() > kMaxKeyBytes) return BadKey(key.substr(0, 64), "is longer than 1024 bytes");
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return BadKey(key, "has a control character");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  RETURN_IF_ERROR(CheckCharacters(key));
  if (key.front() == '/') return BadKey(key, "starts with '/'");
  if (key.back() == '/') return BadKey(key, "ends with '/'");
  return CheckComponents(key, key);
}

Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();
  RETURN_IF_ERROR(CheckCharacters(prefix));
  if (prefix.front() == '/') return BadKey(prefix, "starts with '/'");
  std::string_view body = prefix.back() == '/' ? prefix.substr(0, prefix.size() - 1) : prefix;
  if (body.empty()) return BadKey(prefix, "has an empty component");
  return CheckComponents(prefix, body);
}

Status CheckRangeStart(std::string_view key, uint64_t offset, uint64_t size) {
  if (offset <= size) return Status::Ok();
  return Status::InvalidArgument("range offset " + std::to_string(offset) + " is past the end of " +
                                 std::string(key) + " (" + std::to_string(size) + " bytes)");
}

Result<std::string> SliceForRange(std::string_view key, std::string_view bytes, uint64_t offset,
                                  uint64_t length) {
  RETURN_IF_ERROR(CheckRangeStart(key, offset, bytes.size()));
  uint64_t n = std::min<uint64_t>(length, bytes.size() - offset);
  return std::string(bytes.substr(offset, n));
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& location) {
  if (location.starts_with("s3://")) {
    ASSIGN_OR_RETURN(S3Config config, S3ConfigFromUrl(location, GetEnvironment));
    ASSIGN_OR_RETURN(auto s3, S3ObjectStore::Open(std::move(config)));
    return std::unique_ptr<ObjectStore>(std::move(s3));
  }
  if (location == "mem:") return std::unique_ptr<ObjectStore>(new MemObjectStore());
  std::string dir = location;
  if (dir.starts_with("file://")) {
    dir = dir.substr(7);
  } else if (dir.starts_with("file:")) {
    dir = dir.substr(5);
  }
  if (dir.empty() || dir.find("://") != std::string::npos) {
    return Status::InvalidArgument("object store location \"" + location +
                                   "\" is not s3://bucket/prefix, file:/dir, mem: or a directory");
  }
  ASSIGN_OR_RETURN(auto local, LocalObjectStore::Open(dir));
  return std::unique_ptr<ObjectStore>(std::move(local));
}

}  // namespace spanlake::io
