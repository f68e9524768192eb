#include "io/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/file.h"
#include "base/random.h"

namespace spanlake::io {

namespace fs = std::filesystem;

namespace {

constexpr char kTempDir[] = ".tmp";

bool IsMissing(int err) { return err == ENOENT || err == ENOTDIR; }

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(ErrnoMessage("write", path));
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string ParentOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Opens `path` for reading and returns its fd and size. A missing file or a
// directory (a key that is only a prefix of others) is NotFound.
Result<std::pair<int, uint64_t>> OpenObject(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (IsMissing(errno)) return Status::NotFound(ErrnoMessage("object", path));
    return Status::IOError(ErrnoMessage("open", path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    bool is_dir = S_ISDIR(st.st_mode);
    Status s = is_dir ? Status::NotFound("object " + path + " is a directory")
                      : Status::IOError(ErrnoMessage("fstat", path));
    ::close(fd);
    return s;
  }
  return std::make_pair(fd, static_cast<uint64_t>(st.st_size));
}

Result<std::string> PreadAll(int fd, uint64_t offset, uint64_t length, const std::string& path) {
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(ErrnoMessage("pread", path));
    }
    if (n == 0) break;  // shrank under us: a concurrent Put replaced it with a shorter object
    done += static_cast<uint64_t>(n);
  }
  out.resize(done);
  return out;
}

}  // namespace

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root) {
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  RETURN_IF_ERROR(CreateDirs(clean + "/" + kTempDir));
  // Temp files are only ever half-written puts of a process that died.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(clean + "/" + kTempDir, ec)) {
    fs::remove(entry.path(), ec);
  }
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(clean));
}

Status LocalObjectStore::MakeParents(std::string_view key) const {
  // Walk down from the root, creating each missing directory and fsyncing
  // its parent so the new entry survives a crash.
  size_t slash = key.find('/');
  while (slash != std::string_view::npos) {
    std::string dir = PathOf(key.substr(0, slash));
    if (::mkdir(dir.c_str(), 0755) == 0) {
      RETURN_IF_ERROR(SyncDir(ParentOf(dir)));
    } else if (errno != EEXIST) {
      return Status::IOError(ErrnoMessage("mkdir", dir));
    }
    slash = key.find('/', slash + 1);
  }
  return Status::Ok();
}

Result<std::string> LocalObjectStore::WriteTemp(std::string_view bytes) const {
  std::string tmp = root_ + "/" + kTempDir + "/" + RandomHex(12);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(ErrnoMessage("create", tmp));
  Status st = WriteAll(fd, bytes, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = Status::IOError(ErrnoMessage("fsync", tmp));
  ::close(fd);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return tmp;
}

Status LocalObjectStore::Put(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(MakeParents(key));
  ASSIGN_OR_RETURN(std::string tmp, WriteTemp(bytes));
  std::string path = PathOf(key);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = Status::IOError(ErrnoMessage("rename to", path));
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(ParentOf(path));
}

Status LocalObjectStore::PutIfAbsent(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(MakeParents(key));
  ASSIGN_OR_RETURN(std::string tmp, WriteTemp(bytes));
  std::string path = PathOf(key);
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    errno = err;
    if (err == EEXIST) return Status::AlreadyExists("object " + path + " already exists");
    return Status::IOError(ErrnoMessage("link to", path));
  }
  return SyncDir(ParentOf(path));
}

Result<std::string> LocalObjectStore::Get(std::string_view key) {
  return GetRange(key, 0, UINT64_MAX);
}

Result<std::string> LocalObjectStore::GetRange(std::string_view key, uint64_t offset,
                                               uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::string path = PathOf(key);
  ASSIGN_OR_RETURN(auto opened, OpenObject(path));
  auto [fd, size] = opened;
  Status in_range = CheckRangeStart(path, offset, size);
  Result<std::string> out = in_range.ok()
                                ? PreadAll(fd, offset, std::min(length, size - offset), path)
                                : Result<std::string>(in_range);
  ::close(fd);
  return out;
}

Result<uint64_t> LocalObjectStore::Size(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::string path = PathOf(key);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (IsMissing(errno)) return Status::NotFound(ErrnoMessage("object", path));
    return Status::IOError(ErrnoMessage("stat", path));
  }
  if (!S_ISREG(st.st_mode)) return Status::NotFound("object " + path + " is not a file");
  return static_cast<uint64_t>(st.st_size);
}

Result<std::vector<ObjectInfo>> LocalObjectStore::List(std::string_view prefix) {
  RETURN_IF_ERROR(ValidatePrefix(prefix));
  // Only the directory named by the prefix up to its last '/' can hold matches.
  size_t slash = prefix.rfind('/');
  std::string start = slash == std::string_view::npos
                          ? root_
                          : PathOf(prefix.substr(0, slash));
  std::vector<ObjectInfo> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(start, ec), end;
  if (ec) {
    if (IsMissing(ec.value())) return out;
    return Status::IOError("list " + start + ": " + ec.message());
  }
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError("list " + start + ": " + ec.message());
    std::string name = it->path().filename().string();
    if (name.starts_with(".")) {  // the temp dir and anything not ours
      it.disable_recursion_pending();
      continue;
    }
    std::error_code fec;
    if (!it->is_regular_file(fec)) continue;
    std::string key = it->path().string().substr(root_.size() + 1);
    if (!key.starts_with(prefix)) continue;
    uint64_t size = it->file_size(fec);
    if (fec) continue;  // deleted while we listed
    out.push_back({std::move(key), size});
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status LocalObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::string path = PathOf(key);
  if (::unlink(path.c_str()) != 0) {
    if (IsMissing(errno) || errno == EISDIR) return Status::Ok();
    return Status::IOError(ErrnoMessage("unlink", path));
  }
  return SyncDir(ParentOf(path));
}

}  // namespace spanlake::io
