// `spanlake dump TARGET [--store DIR|URL] [--versions=false]`: prints what a
// stored object holds, for debugging. TARGET is a WAL file (*.wal: one line
// per record, "xact <id> <payload>"), a segment file on disk, a segment key
// in the store given by --store (a data directory or URL), or "manifest"
// (the current manifest of --store). Read-only.
#include <cstdio>

#include "base/file.h"
#include "engine/manifest.h"
#include "io/mem_store.h"
#include "segment/reader.h"
#include "tools/commands.h"
#include "tools/inspect.h"

namespace spanlake::tools {

namespace {

int Fail(const Status& st) {
  std::fprintf(stderr, "spanlake dump: %s\n", st.ToString().c_str());
  return 1;
}

int DumpWal(const std::string& path) {
  WalFileSummary s;
  Status st = ReadWalFile(path, [](uint64_t xact, std::string_view payload) {
    std::printf("xact %llu %.*s\n", static_cast<unsigned long long>(xact), static_cast<int>(payload.size()),
                payload.data());
    return true;
  }, &s);
  if (!st.ok()) return Fail(st);
  std::printf("# %llu records, %llu bytes of torn tail\n", static_cast<unsigned long long>(s.records),
              static_cast<unsigned long long>(s.torn_bytes));
  return 0;
}

void PrintHeader(const segment::Reader& r) {
  const segment::SegmentMeta& m = r.meta();
  std::printf("segment %s: %llu bytes, %llu rows, %llu versions, %zu blocks, xact %llu..%llu, created_ms %llu\n",
              r.key().c_str(), static_cast<unsigned long long>(r.size()),
              static_cast<unsigned long long>(m.row_count), static_cast<unsigned long long>(m.version_count),
              r.blocks().size(), static_cast<unsigned long long>(m.min_xact),
              static_cast<unsigned long long>(m.max_xact), static_cast<unsigned long long>(m.created_ms));
  for (const segment::SectionEntry& e : r.directory()) {
    std::printf("  section %u: codec %u, %llu stored / %llu raw bytes at %llu\n", e.id, e.codec,
                static_cast<unsigned long long>(e.stored_len), static_cast<unsigned long long>(e.raw_len),
                static_cast<unsigned long long>(e.offset));
  }
}

Status DumpRows(const segment::Reader& r, bool versions) {
  for (const segment::ContainerEntry& c : r.containers()) {
    std::printf("container %s org=%s project=%s rows=%u\n", c.name.c_str(), c.org_id.c_str(),
                c.project_id.c_str(), c.row_count);
    for (uint32_t i = c.first_row; i < c.first_row + c.row_count; ++i) {
      const segment::RowEntry& row = r.row(i);
      std::printf("  row %u id=%.*s key=%llu.%u versions=%u%s%s\n", i, static_cast<int>(row.id.size()),
                  row.id.data(), static_cast<unsigned long long>(row.key.xact), row.key.pos,
                  row.version_count, row.is_comment() ? " comment" : "",
                  (row.flags & segment::kRowLastDelete) ? " deleted" : "");
      if (!versions) continue;
      std::vector<segment::Version> vs;
      RETURN_IF_ERROR(r.ReadVersions(i, &vs));
      for (const segment::Version& v : vs) {
        std::printf("    %llu.%u %s\n", static_cast<unsigned long long>(v.xact), v.pos,
                    json::Value(*v.write).Dump().c_str());
      }
    }
  }
  return Status::Ok();
}

int DumpSegment(io::ObjectStore& store, const std::string& key, bool versions) {
  auto r = segment::Reader::Open(&store, key, 0, nullptr);
  if (!r.ok()) return Fail(r.status());
  PrintHeader(**r);
  Status st = DumpRows(**r, versions);
  return st.ok() ? 0 : Fail(st);
}

int DumpManifest(io::ObjectStore& store) {
  auto loaded = engine::LoadLatestManifest(store);
  if (!loaded.ok()) return Fail(loaded.status());
  for (const std::string& key : loaded->invalid) std::printf("# skipped invalid %s\n", key.c_str());
  std::string body = loaded->manifest.Encode();
  std::printf("%s\n", body.substr(0, body.size() - 20).c_str());
  return 0;
}

}  // namespace

int Dump(const std::vector<std::string>& args) {
  if (args.empty() || args[0].rfind("--", 0) == 0) {
    std::fprintf(stderr, "usage: spanlake dump FILE.wal | FILE.seg | KEY --store DIR|URL | manifest --store DIR|URL\n"
                         "  [--versions=false]  segment rows without their versions\n");
    return 2;
  }
  std::map<std::string, std::string> flags{{"store", ""}, {"versions", "true"}};
  if (!ParseFlags({args.begin() + 1, args.end()}, flags)) return 2;
  const std::string& target = args[0];
  bool versions = flags["versions"] != "false";
  if (flags["store"].empty()) {
    if (target.size() > 4 && target.substr(target.size() - 4) == ".wal") return DumpWal(target);
    auto bytes = ReadFile(target);
    if (!bytes.ok()) return Fail(bytes.status());
    io::MemObjectStore mem;  // the reader reads through a store
    if (Status st = mem.Put("segments/file.seg", *bytes); !st.ok()) return Fail(st);
    return DumpSegment(mem, "segments/file.seg", versions);
  }
  auto store = OpenStoreFor(flags["store"]);
  if (!store.ok()) return Fail(store.status());
  if (target == "manifest") return DumpManifest(**store);
  return DumpSegment(**store, target, versions);
}

}  // namespace spanlake::tools
