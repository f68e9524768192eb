// `spanlake verify DIR|URL`: checks every stored object of a data directory
// (or an object store URL): the current manifest and every segment it lists
// (each block and section against its checksum and grammar, and the
// segment's counts against the manifest's), invalid manifests, orphan
// segments, and — for a directory — every WAL record's checksum. Read-only:
// safe while the server runs (a file being appended may show a torn tail).
// Exit status 0 when everything checks, 1 otherwise.
#include <cstdio>
#include <filesystem>
#include <set>

#include "base/file.h"
#include "engine/manifest.h"
#include "segment/reader.h"
#include "tools/commands.h"
#include "tools/inspect.h"

namespace spanlake::tools {

namespace {

struct Report {
  int problems = 0;
  void Problem(const std::string& what) {
    ++problems;
    std::printf("PROBLEM %s\n", what.c_str());
  }
  void Ok(const std::string& what) { std::printf("ok      %s\n", what.c_str()); }
};

void VerifySegment(io::ObjectStore& store, const engine::SegmentInfo& info, Report& report) {
  auto r = segment::Reader::Open(&store, info.key, 0, nullptr);
  if (!r.ok()) return report.Problem(info.key + ": " + r.status().ToString());
  const segment::Reader& seg = **r;
  std::vector<std::string> containers;
  for (const auto& c : seg.containers()) containers.push_back(c.name);
  if (seg.size() != info.bytes || seg.meta().row_count != info.rows ||
      seg.meta().version_count != info.versions || seg.meta().min_xact != info.min_xact ||
      seg.meta().max_xact != info.max_xact || containers != info.containers) {
    return report.Problem(info.key + ": disagrees with the manifest (size, counts, xacts or containers)");
  }
  if (Status st = seg.VerifyAll(); !st.ok()) return report.Problem(st.ToString());
  report.Ok(info.key + ": " + std::to_string(info.rows) + " rows, " + std::to_string(info.versions) +
            " versions, " + std::to_string(seg.blocks().size()) + " blocks, " +
            std::to_string(info.bytes) + " bytes");
}

void VerifyStore(io::ObjectStore& store, Report& report) {
  auto loaded = engine::LoadLatestManifest(store);
  if (!loaded.ok()) return report.Problem("manifest: " + loaded.status().ToString());
  for (const std::string& key : loaded->invalid) report.Problem(key + ": invalid (torn or corrupt)");
  const engine::Manifest& m = loaded->manifest;
  report.Ok("manifest " + std::to_string(m.seq) + ": " + std::to_string(m.segments.size()) +
            " segments, wal high water " + std::to_string(m.wal_high_water));
  std::set<std::string> live;
  for (const engine::SegmentInfo& info : m.segments) {
    if (!live.insert(info.key).second) report.Problem(info.key + ": listed twice in the manifest");
    VerifySegment(store, info, report);
  }
  auto objects = store.List(engine::kSegmentPrefix);
  if (!objects.ok()) return report.Problem("list segments: " + objects.status().ToString());
  std::set<std::string> pending;
  for (const engine::PendingDelete& p : m.pending_deletes) pending.insert(p.key);
  for (const io::ObjectInfo& o : *objects) {
    if (live.count(o.key)) continue;
    if (pending.count(o.key)) {
      std::printf("note    %s: replaced by compaction, deleted after its grace period\n", o.key.c_str());
    } else {
      std::printf("note    %s: orphan (no manifest lists it)\n", o.key.c_str());
    }
  }
}

void VerifyWal(const std::string& dir, Report& report) {
  if (!FileExists(dir)) return;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".wal") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) {
    WalFileSummary s;
    Status st = ReadWalFile(files[i], [](uint64_t, std::string_view) { return true; }, &s);
    std::string name = std::filesystem::path(files[i]).filename().string();
    if (!st.ok()) {
      report.Problem(name + ": " + st.ToString());
    } else if (s.torn_bytes > 0) {
      std::string what = name + ": " + std::to_string(s.torn_bytes) + " bytes of torn tail";
      if (i + 1 == files.size()) {
        std::printf("note    %s (dropped at the next start)\n", what.c_str());
      } else {
        report.Problem(what + " in a file that is not the last");
      }
    } else {
      report.Ok(name + ": " + std::to_string(s.records) + " records");
    }
  }
}

}  // namespace

int Verify(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].rfind("--", 0) == 0) {
    std::fprintf(stderr, "usage: spanlake verify DATA_DIR|s3://bucket/prefix|file:/dir\n");
    return 2;
  }
  Report report;
  auto store = OpenStoreFor(args[0]);
  if (!store.ok()) {
    std::fprintf(stderr, "spanlake verify: %s\n", store.status().ToString().c_str());
    return 1;
  }
  VerifyStore(**store, report);
  if (!IsStoreUrl(args[0])) VerifyWal(args[0] + "/wal", report);
  std::printf("%s: %d problem(s)\n", args[0].c_str(), report.problems);
  return report.problems == 0 ? 0 : 1;
}

}  // namespace spanlake::tools
