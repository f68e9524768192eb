// Replay: reads a WAL directory back and repairs a torn tail.
// See docs/formats/wal.md for the grammar and the recovery rules.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/crc32c.h"
#include "base/file.h"
#include "base/log.h"
#include "wal/format.h"
#include "wal/wal.h"

namespace spanlake::wal {

namespace {

using RecordFn = std::function<Status(uint64_t xact_id, std::string_view payload)>;

// A whole file mapped read-only; Replay reads records in place, without copies.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { Close(); }

  Status Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError(ErrnoMessage("open", path));
    struct stat st {};
    Status status;
    if (::fstat(fd, &st) != 0) {
      status = Status::IOError(ErrnoMessage("stat", path));
    } else if (st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        status = Status::IOError(ErrnoMessage("mmap", path));
        size_ = 0;
      } else {
        addr_ = p;
        ::madvise(addr_, size_, MADV_SEQUENTIAL);
      }
    }
    ::close(fd);
    return status;
  }

  void Close() {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = nullptr;
    size_ = 0;
  }

  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// What scanning one file found.
struct FileScan {
  uint64_t records = 0;
  size_t good_end = 0;     // offset just past the last good record (or the header)
  bool torn = false;       // stopped at a bad record or header; bytes from good_end are bad
  std::string bad_reason;  // why, when torn
};

// Validates the file header. Sets scan->torn for a header a crash could have
// left behind (short, or zeros because the size reached disk before the data);
// any other mismatch is Corruption whatever the file's position.
Status CheckHeader(std::string_view data, uint64_t name_xact, FileScan* scan) {
  std::string_view h = data.substr(0, format::kFileHeaderSize);
  bool zeros = std::all_of(h.begin(), h.end(), [](char c) { return c == 0; });
  if (h.size() < format::kFileHeaderSize || zeros) {
    scan->torn = true;
    bool short_header = h.size() < format::kFileHeaderSize;
    scan->bad_reason = short_header ? "file header is incomplete" : "file header is all zeros";
    return Status::Ok();
  }
  if (h.substr(0, format::kMagic.size()) != format::kMagic) {
    return Status::Corruption("bad magic: not a Spanlake WAL file");
  }
  uint32_t version = format::DecodeFixed32(h.data() + 8);
  if (version != format::kVersion) {
    return Status::Corruption("unsupported WAL format version " + std::to_string(version) +
                              " (this build reads version " + std::to_string(format::kVersion) +
                              ")");
  }
  uint32_t crc = format::UnmaskCrc(format::DecodeFixed32(h.data() + 20));
  if (crc != crc32c::Value(h.data(), 20)) {
    return Status::Corruption("file header checksum mismatch");
  }
  uint64_t first = format::DecodeFixed64(h.data() + 12);
  if (first != name_xact) {
    return Status::Corruption("header names first xact " + std::to_string(first) +
                              " but the file name says " + std::to_string(name_xact));
  }
  scan->good_end = format::kFileHeaderSize;
  return Status::Ok();
}

// Why the record at the start of `rest` is unreadable, or "" if it is sound.
std::string CheckRecord(std::string_view rest) {
  if (rest.size() < format::kRecordHeaderSize) return "incomplete record header";
  uint32_t len = format::DecodeFixed32(rest.data());
  if (len > format::kMaxPayload) return "record length " + std::to_string(len) + " exceeds limit";
  if (len > rest.size() - format::kRecordHeaderSize) {
    return "record length " + std::to_string(len) + " runs past end of file";
  }
  std::string_view payload = rest.substr(format::kRecordHeaderSize, len);
  uint32_t stored = format::DecodeFixed32(rest.data() + 12);
  if (stored != format::RecordCrc(rest.data(), payload)) return "checksum mismatch";
  return "";
}

// Delivers the file's sound records to `fn`, stopping at the first bad one.
// Returns fn's errors as they are, and Corruption (prefixed by `where`) for
// xact ids out of order: sound records in the wrong order are a bug, not a tear.
Status ScanRecords(std::string_view data, uint64_t name_xact, const std::string& where,
                   const RecordFn& fn, ReplayStats* stats, FileScan* scan) {
  size_t pos = scan->good_end;
  while (pos < data.size()) {
    std::string_view rest = data.substr(pos);
    scan->bad_reason = CheckRecord(rest);
    if (!scan->bad_reason.empty()) {
      scan->torn = true;
      return Status::Ok();
    }
    uint32_t len = format::DecodeFixed32(rest.data());
    uint64_t xact = format::DecodeFixed64(rest.data() + 4);
    if (scan->records == 0 && xact != name_xact) {
      return Status::Corruption(where + " at offset " + std::to_string(pos) +
                                ": first record has xact " + std::to_string(xact) +
                                ", not the file's " + std::to_string(name_xact));
    }
    if (stats->records > 0 && xact <= stats->max_xact_id) {
      return Status::Corruption(where + " at offset " + std::to_string(pos) + ": xact " +
                                std::to_string(xact) + " follows xact " +
                                std::to_string(stats->max_xact_id));
    }
    RETURN_IF_ERROR(fn(xact, rest.substr(format::kRecordHeaderSize, len)));
    ++scan->records;
    ++stats->records;
    stats->max_xact_id = xact;
    pos += format::kRecordHeaderSize + len;
    scan->good_end = pos;
  }
  return Status::Ok();
}

// Cuts the last file back to `keep` bytes, or removes it when no record
// survives (so a restarted writer may reuse its name).
Status DropTail(const std::string& dir, const std::string& path, size_t keep) {
  if (keep == 0) {
    if (::unlink(path.c_str()) != 0) return Status::IOError(ErrnoMessage("unlink", path));
    return SyncDir(dir);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(ErrnoMessage("open", path));
  Status st;
  if (::ftruncate(fd, static_cast<off_t>(keep)) != 0) {
    st = Status::IOError(ErrnoMessage("ftruncate", path));
  } else if (::fsync(fd) != 0) {
    st = Status::IOError(ErrnoMessage("fsync", path));
  }
  ::close(fd);
  return st;
}

Status ReplayFile(const std::string& dir, const format::FileEntry& f, bool last,
                  const RecordFn& fn, ReplayStats* stats) {
  std::string path = dir + "/" + f.name;
  std::string where = "wal file " + path;
  MappedFile file;
  RETURN_IF_ERROR(file.Open(path));
  std::string_view data = file.data();
  size_t size = data.size();
  FileScan scan;
  Status st = CheckHeader(data, f.first_xact_id, &scan).WithContext(where);
  if (st.ok() && !scan.torn) st = ScanRecords(data, f.first_xact_id, where, fn, stats, &scan);
  file.Close();
  if (!st.ok()) return st;
  // A last file without records is dropped even if sound, so a restarted
  // writer can never collide with its name.
  bool empty_last = last && scan.records == 0;
  if (!scan.torn && !empty_last) return Status::Ok();
  where += " at offset " + std::to_string(scan.good_end);
  if (!last) return Status::Corruption(where + ": " + scan.bad_reason);
  size_t keep = empty_last ? 0 : scan.good_end;
  RETURN_IF_ERROR(DropTail(dir, path, keep));
  stats->truncated_bytes += size - keep;
  LogWarn(where + ": " + (scan.torn ? scan.bad_reason : "no records") + "; dropped " +
          std::to_string(size - keep) + " bytes of torn tail");
  return Status::Ok();
}

}  // namespace

Result<ReplayStats> Replay(const std::string& dir, const RecordFn& fn) {
  Result<std::vector<format::FileEntry>> files = format::ListFiles(dir);
  if (!files.ok()) {
    if (files.status().code() == Code::kNotFound) return ReplayStats{};
    return files.status();
  }
  ReplayStats stats;
  for (size_t i = 0; i < files->size(); ++i) {
    bool last = i + 1 == files->size();
    RETURN_IF_ERROR(ReplayFile(dir, (*files)[i], last, fn, &stats));
  }
  return stats;
}

}  // namespace spanlake::wal
