// The manifest: which segments are live, and up to which xact the WAL is
// covered by them. See docs/formats/manifest.md.
//
// Manifests are objects "manifest/<20-digit seq>", each written once with
// PutIfAbsent and never changed; the valid one with the highest seq is
// current. Publishing seq N+1 is the atomic commit point of a seal: a crash
// before it leaves manifest N current (the new segment an unreferenced
// orphan, its rows still in the WAL), a crash after it leaves N+1. A torn or
// corrupt manifest (a store that lost atomicity) is skipped as if absent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "io/object_store.h"

namespace spanlake::engine {

inline constexpr std::string_view kManifestPrefix = "manifest/";
inline constexpr std::string_view kSegmentPrefix = "segments/";

struct SegmentInfo {
  std::string key;  // object key, "segments/<20 digits>.seg"
  uint64_t bytes = 0;
  uint64_t rows = 0;
  uint64_t versions = 0;
  uint64_t min_xact = 0;
  uint64_t max_xact = 0;
  std::vector<std::string> containers;  // ascending
  // The oldest row time (compact.h RowTimeMs) in it, unix ms; 0 when not
  // recorded (v1, or written with retention off). Lets retention find
  // segments holding rows with an old `created` without reading them.
  uint64_t min_row_ms = 0;
  bool operator==(const SegmentInfo&) const = default;
};

// A segment a compaction replaced or retention dropped: no longer live, but
// readers of an older manifest (this process's snapshots, other nodes) may
// still read it until `due_ms` (unix ms). Deleted after that; recovery
// keeps such objects until then instead of treating them as orphans.
struct PendingDelete {
  std::string key;
  uint64_t due_ms = 0;
  bool operator==(const PendingDelete&) const = default;
};

struct Manifest {
  uint64_t seq = 0;             // 0: no manifest was ever published
  uint64_t wal_high_water = 0;  // every xact <= this lives in the segments
  std::vector<SegmentInfo> segments;  // oldest first; adjacent xact ranges
  std::vector<PendingDelete> pending_deletes;  // format v2; empty in v1

  std::string Encode() const;
  static Result<Manifest> Decode(std::string_view bytes);
  bool operator==(const Manifest&) const = default;
};

std::string ManifestKey(uint64_t seq);
std::string SegmentKey(uint64_t seq);

struct LoadedManifest {
  Manifest manifest;     // the newest valid one (seq 0 when there is none)
  uint64_t max_seq = 0;  // the highest seq present, valid or not
  std::vector<std::string> invalid;  // keys of manifests skipped as corrupt
};

// Lists manifest/ and decodes from the newest down. A manifest that fails its
// checksum or grammar is skipped; any other error (the store failing) is
// returned, so a transient failure never makes an older manifest current.
Result<LoadedManifest> LoadLatestManifest(io::ObjectStore& store);

// Writes `m` as manifest/<m.seq> with PutIfAbsent. When that key exists with
// the same bytes (an earlier attempt that did land) this is success; when it
// holds garbage (a torn write), the seq is bumped past it and retried. Another
// valid manifest at the key means another writer: Internal. On success
// `m->seq` is the seq published.
Status PublishManifest(io::ObjectStore& store, Manifest* m);

}  // namespace spanlake::engine
