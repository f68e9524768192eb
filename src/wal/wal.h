// The write-ahead log: every write transaction is framed, checksummed and
// fsynced here before the API acknowledges it. See docs/formats/wal.md.
//
// A WAL is a directory of files named by the xact id of their first record
// ("00000000000000000042.wal"), each a sequence of records. A record carries
// one transaction: its xact id and an opaque payload (the engine's encoding of
// the request's rows). Records are never rewritten; files roll at a size bound
// and whole files are deleted once the engine has persisted everything in them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace spanlake::wal {

struct Options {
  size_t max_file_bytes = 64 << 20;  // roll to a new file past this size
  bool sync = true;                  // fdatasync before acknowledging (tests may turn off)
  // Test hook, null in production: called before each I/O step of a commit
  // ("create", "write", "sync"); a non-OK result is handled as if that step
  // had failed with it.
  std::function<Status(std::string_view step)> fault_hook;
};

// Counters since Open(), for tests and metrics.
struct WriterStats {
  uint64_t records = 0;        // records made durable
  uint64_t batches = 0;        // group commits (one write() loop each)
  uint64_t syncs = 0;          // fdatasync calls on WAL files
  uint64_t files_created = 0;
};

// Thread-safe. Append() buffers a record and returns a ticket; records reach
// the file in Append() order. Sync(ticket) blocks until that record and every
// earlier one is on stable storage; concurrent Sync() callers share one
// write+fdatasync (group commit). A batch never spans two files, so a file may
// pass max_file_bytes by one batch. After any I/O error the writer is failed:
// every later Sync() of a record not yet durable returns that error (what
// reached the disk is unknown, so nothing more may be acknowledged; restart
// and replay).
class Writer {
 public:
  // Opens `dir` (created if missing) for appending to a new file.
  // REQUIRES: Replay() has been run on `dir` first (it truncates a torn tail).
  static Result<std::unique_ptr<Writer>> Open(const std::string& dir, Options options);
  // Writes (best effort) records appended but never synced.
  // REQUIRES: no other call in progress.
  ~Writer();

  // Buffers one record; returns its ticket (1, 2, 3, ... in Append order).
  // REQUIRES: xact_id is greater than that of every record already in the
  //   log (allocate the id and Append under one lock), and payload.size() <=
  //   1 GiB. A violation fails the writer (Internal / InvalidArgument) rather
  //   than write a record Replay would reject or misorder.
  uint64_t Append(uint64_t xact_id, std::string_view payload);
  // OK once record `ticket` and every earlier one are durable (written, and
  // fdatasynced when options.sync). An error means the outcome is unknown: the
  // record may or may not be replayed after a restart.
  // REQUIRES: `ticket` was returned by Append().
  Status Sync(uint64_t ticket);

  // Deletes every file whose records all have xact id <= `xact_id` (never the
  // file being written). Called once those records are persisted elsewhere.
  // Files found at Open() are bounded by their successor's name (their last
  // xact id is not read), so the newest of them goes once this writer has
  // started its first file and `xact_id` reaches that file's first id - 1.
  Status ReleaseThrough(uint64_t xact_id);

  // Bytes appended so far across live files (for seal decisions), including
  // files found at Open() and records not yet synced.
  uint64_t live_bytes() const;
  WriterStats stats() const;

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ReplayStats {
  uint64_t records = 0;
  uint64_t max_xact_id = 0;
  uint64_t truncated_bytes = 0;  // torn tail dropped from the last file
};

// Calls `fn` for every complete record in `dir`, in log order. Everything from
// the first bad record (incomplete, bad checksum, impossible length) of the
// *last* file to its end is a torn tail from a crash mid-append: it is
// truncated away (the file removed if no record survives) and counted in
// truncated_bytes. Records after the bad one are not looked for: a torn
// group-commit write can leave whole records behind garbage, and none of
// them was acknowledged. A bad record or header in an earlier file, an
// unknown format version, or xact ids out of order anywhere are Corruption
// naming the file and offset. A missing `dir` is an empty log. An error
// returned by `fn` stops the replay and is returned.
// Not thread-safe with a Writer on the same `dir`: run it before Open().
Result<ReplayStats> Replay(
    const std::string& dir,
    const std::function<Status(uint64_t xact_id, std::string_view payload)>& fn);

}  // namespace spanlake::wal
