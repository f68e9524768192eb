// The WAL writer: group commit over a directory of files. See docs/formats/wal.md.
//
// Appenders encode records into `pending` under `mu`. The first Sync() caller
// that finds its ticket not yet durable and no commit in flight becomes the
// leader: it takes all of `pending` as one batch, writes and fdatasyncs it
// with `mu` released, then publishes the new durable ticket and wakes everyone.
// Records appended meanwhile wait for the next leader. Only one leader runs at
// a time, so the file descriptor and batch buffer need no lock of their own:
// they pass from leader to leader through `mu`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <filesystem>

#include "base/file.h"
#include "base/log.h"
#include "wal/format.h"
#include "wal/wal.h"

namespace spanlake::wal {

namespace {

// A file of the log as the writer tracks it, for ReleaseThrough.
struct LiveFile {
  uint64_t first_xact_id = 0;
  uint64_t max_xact_id = 0;  // meaningful only when max_known
  bool max_known = false;    // false for files found at Open(): we do not read them
  uint64_t bytes = 0;
};

// What one leader commits: the records taken from `pending` in one go.
struct Batch {
  uint64_t first_xact_id = 0;
  uint64_t max_xact_id = 0;
  uint64_t records = 0;
  uint64_t last_ticket = 0;
  bool roll = false;  // starts a new file named by first_xact_id
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(ErrnoMessage("write", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string ParentDir(const std::string& dir) {
  std::filesystem::path p(dir);
  if (p.filename().empty()) p = p.parent_path();  // "a/b/" names "a/b"
  std::filesystem::path parent = p.parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

struct Writer::Impl {
  std::string dir;
  Options options;

  mutable std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu.
  Status failed;           // first error; once set, nothing more is acknowledged
  std::string pending;     // encoded records not yet taken by a leader
  uint64_t pending_first_xact = 0;
  uint64_t pending_max_xact = 0;
  uint64_t pending_records = 0;
  uint64_t last_ticket = 0;  // last issued
  uint64_t durable_ticket = 0;
  bool has_last_xact = false;
  uint64_t last_xact = 0;  // every Append must exceed it
  bool leader_active = false;
  std::vector<LiveFile> files;  // oldest first
  bool writing_file = false;    // files.back() is the file this writer appends to
  uint64_t live_bytes = 0;
  WriterStats stats;

  // Owned by the current leader; handed over through mu.
  int fd = -1;
  std::string path;  // of fd
  uint64_t file_bytes = 0;
  std::string batch;

  Status CheckAppend(uint64_t xact_id, size_t payload_size) const;
  Batch TakePending();
  Status Commit(const Batch& b);
  Status StartFile(uint64_t first_xact_id);
  void Finish(const Batch& b, const Status& st);
  bool Covered(size_t i, uint64_t xact_id) const;

  Status Step(std::string_view step) const {
    return options.fault_hook ? options.fault_hook(step) : Status::Ok();
  }
};

Status Writer::Impl::CheckAppend(uint64_t xact_id, size_t payload_size) const {
  if (payload_size > format::kMaxPayload) {
    return Status::InvalidArgument("wal record of " + std::to_string(payload_size) +
                                   " bytes exceeds the 1 GiB limit");
  }
  if (has_last_xact && xact_id <= last_xact) {
    return Status::Internal("wal append of xact " + std::to_string(xact_id) +
                            " after xact " + std::to_string(last_xact) + ": ids must increase");
  }
  return Status::Ok();
}

// REQUIRES: mu held, no leader active, pending non-empty.
Batch Writer::Impl::TakePending() {
  Batch b;
  b.first_xact_id = pending_first_xact;
  b.max_xact_id = pending_max_xact;
  b.records = pending_records;
  b.last_ticket = last_ticket;
  b.roll = fd < 0 || file_bytes >= options.max_file_bytes;
  batch.swap(pending);  // `pending` inherits the previous batch's capacity
  pending_records = 0;
  leader_active = true;
  return b;
}

// Runs with mu released. Any error leaves the writer failed.
Status Writer::Impl::Commit(const Batch& b) {
  if (b.roll) RETURN_IF_ERROR(StartFile(b.first_xact_id));
  RETURN_IF_ERROR(Step("write"));
  RETURN_IF_ERROR(WriteAll(fd, batch, path));
  file_bytes += batch.size();
  if (options.sync) {
    RETURN_IF_ERROR(Step("sync"));
    if (::fdatasync(fd) != 0) return Status::IOError(ErrnoMessage("fdatasync", path));
  }
  return Status::Ok();
}

// A new file is never appended to an existing one: O_EXCL makes a name
// collision (a non-increasing xact id across restarts) an error, not a merge.
Status Writer::Impl::StartFile(uint64_t first_xact_id) {
  if (fd >= 0) ::close(fd);  // already durable: every batch in it was synced
  fd = -1;
  path = dir + "/" + format::FileName(first_xact_id);
  RETURN_IF_ERROR(Step("create"));
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return errno == EEXIST ? Status::Internal("wal file already exists: " + path)
                           : Status::IOError(ErrnoMessage("create", path));
  }
  RETURN_IF_ERROR(WriteAll(fd, format::EncodeFileHeader(first_xact_id), path));
  file_bytes = format::kFileHeaderSize;
  // The new name must survive a crash along with the records in it.
  if (options.sync) RETURN_IF_ERROR(SyncDir(dir));
  return Status::Ok();
}

// REQUIRES: mu held. Publishes the leader's outcome and wakes all waiters.
void Writer::Impl::Finish(const Batch& b, const Status& st) {
  leader_active = false;
  if (st.ok()) {
    if (b.roll) {
      files.push_back({b.first_xact_id, b.max_xact_id, true, format::kFileHeaderSize});
      writing_file = true;
      live_bytes += format::kFileHeaderSize;
      ++stats.files_created;
    }
    files.back().max_xact_id = b.max_xact_id;
    files.back().bytes += batch.size();
    durable_ticket = b.last_ticket;
    stats.records += b.records;
    ++stats.batches;
    if (options.sync) ++stats.syncs;
  } else {
    LogError("wal writer failed, refusing further commits: " + st.message());
    failed = st;
    pending.clear();
    pending_records = 0;
  }
  batch.clear();
  cv.notify_all();
}

// REQUIRES: mu held. Whether every record of files[i] has xact id <= xact_id.
bool Writer::Impl::Covered(size_t i, uint64_t xact_id) const {
  bool last = i + 1 == files.size();
  if (last && writing_file) return false;
  if (files[i].max_known) return files[i].max_xact_id <= xact_id;
  // Ids increase through the log, so a file ends below its successor's name.
  return !last && files[i + 1].first_xact_id - 1 <= xact_id;
}

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Writer::~Writer() {
  uint64_t last = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->failed.ok() && impl_->durable_ticket < impl_->last_ticket) last = impl_->last_ticket;
  }
  if (last != 0) (void)Sync(last);  // best effort: unsynced records were never acknowledged
  if (impl_->fd >= 0) ::close(impl_->fd);
}

Result<std::unique_ptr<Writer>> Writer::Open(const std::string& dir, Options options) {
  bool existed = FileExists(dir);
  RETURN_IF_ERROR(CreateDirs(dir));
  if (!existed && options.sync) RETURN_IF_ERROR(SyncDir(ParentDir(dir)));
  ASSIGN_OR_RETURN(std::vector<format::FileEntry> entries, format::ListFiles(dir));
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = std::move(options);
  for (const format::FileEntry& e : entries) {
    std::string path = dir + "/" + e.name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::IOError(ErrnoMessage("stat", path));
    impl->files.push_back({e.first_xact_id, 0, false, static_cast<uint64_t>(st.st_size)});
    impl->live_bytes += static_cast<uint64_t>(st.st_size);
  }
  if (!entries.empty()) {
    impl->has_last_xact = true;  // a weak floor: the newest file's records are >= its name
    impl->last_xact = entries.back().first_xact_id;
  }
  return std::unique_ptr<Writer>(new Writer(std::move(impl)));
}

uint64_t Writer::Append(uint64_t xact_id, std::string_view payload) {
  char header[format::kRecordHeaderSize];
  bool fits = payload.size() <= format::kMaxPayload;
  if (fits) format::EncodeRecordHeader(header, xact_id, payload);  // the CRC, outside the lock
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  uint64_t ticket = ++m.last_ticket;
  if (!m.failed.ok()) return ticket;
  if (Status st = m.CheckAppend(xact_id, payload.size()); !st.ok()) {
    assert(fits || !"callers must bound WAL payloads");
    LogError("wal writer failed: " + st.message());
    m.failed = st;
    m.pending.clear();
    m.pending_records = 0;
    return ticket;
  }
  if (m.pending_records++ == 0) m.pending_first_xact = xact_id;
  m.pending_max_xact = xact_id;
  m.has_last_xact = true;
  m.last_xact = xact_id;
  m.pending.append(header, sizeof header);
  m.pending.append(payload);
  m.live_bytes += sizeof header + payload.size();
  return ticket;
}

Status Writer::Sync(uint64_t ticket) {
  Impl& m = *impl_;
  std::unique_lock lock(m.mu);
  if (ticket > m.last_ticket) {
    return Status::Internal("wal Sync of ticket " + std::to_string(ticket) + " never issued");
  }
  for (;;) {
    if (m.durable_ticket >= ticket) return Status::Ok();
    if (!m.failed.ok()) return m.failed;
    if (m.leader_active) {
      m.cv.wait(lock);
      continue;
    }
    assert(m.pending_records > 0);
    Batch b = m.TakePending();
    lock.unlock();
    Status st = m.Commit(b);
    lock.lock();
    m.Finish(b, st);
  }
}

Status Writer::ReleaseThrough(uint64_t xact_id) {
  Impl& m = *impl_;
  std::vector<std::string> doomed;
  {
    std::lock_guard lock(m.mu);
    size_t n = 0;
    while (n < m.files.size() && m.Covered(n, xact_id)) ++n;
    for (size_t i = 0; i < n; ++i) {
      doomed.push_back(m.dir + "/" + format::FileName(m.files[i].first_xact_id));
      m.live_bytes -= m.files[i].bytes;
    }
    m.files.erase(m.files.begin(), m.files.begin() + static_cast<ptrdiff_t>(n));
  }
  Status result;
  for (const std::string& path : doomed) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && result.ok()) {
      result = Status::IOError(ErrnoMessage("unlink", path));  // left for the next restart
    }
  }
  if (!doomed.empty() && m.options.sync && result.ok()) result = SyncDir(m.dir);
  return result;
}

uint64_t Writer::live_bytes() const {
  std::lock_guard lock(impl_->mu);
  return impl_->live_bytes;
}

WriterStats Writer::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace spanlake::wal
