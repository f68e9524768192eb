// Seal benchmark: writes spans from a JSONL file (bench/gen_spans.py) into an
// engine over an in-memory object store, seals, and reports seal throughput,
// segment size against the JSON input, and scan / lookup speed across
// memtable vs segments. Seal time is also given as CPU seconds of the sealing
// thread, which a loaded machine disturbs less than wall time.
// usage: engine_seal_bench SPANS.jsonl [rows_per_write=100] [seal_threads=1] [seal_mb=0]
// With seal_mb > 0 the memtable freezes every seal_mb MB of WAL payload and
// Seal() builds seal_threads of them at once (Options::seal_threads); then
// the process CPU time is the fair cost, and wall time the throughput.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "engine/engine.h"
#include "io/mem_store.h"
#include "segment/reader.h"

namespace spanlake::engine {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double CpuSeconds(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Stored bytes of every segment by section (blocks = the row store), per row.
void PrintSplit(io::MemObjectStore& store, size_t rows) {
  static constexpr const char* kNames[] = {"?",          "meta",    "blocks",  "containers", "rows",
                                           "root_spans", "columns", "postings", "column_extras"};
  constexpr uint32_t kIds = 9;
  uint64_t by_id[kIds] = {}, blocks = 0;
  std::vector<io::ObjectInfo> objects = store.List("segments/").value();
  for (const io::ObjectInfo& o : objects) {
    auto r = segment::Reader::Open(&store, o.key, o.size, nullptr).value();
    for (const segment::BlockEntry& b : r->blocks()) blocks += b.stored_len;
    for (const segment::SectionEntry& e : r->directory()) {
      by_id[e.id < kIds ? e.id : 0] += e.stored_len;
      // The checksum of the postings tells whether two builds index alike.
      if (e.id == segment::kSectionPostings) std::printf("%s: postings crc %08x\n", o.key.c_str(), e.crc);
    }
  }
  std::printf("bytes per row: row store %.0f", static_cast<double>(blocks) / rows);
  for (uint32_t i = 1; i < kIds; ++i) std::printf(", %s %.0f", kNames[i], static_cast<double>(by_id[i]) / rows);
  std::printf("\n");
}

std::vector<std::vector<RowWrite>> Load(const char* path, size_t per_write, size_t* json_bytes) {
  std::ifstream in(path);
  std::vector<std::vector<RowWrite>> batches(1);
  std::string line;
  while (std::getline(in, line)) {
    *json_bytes += line.size() + 1;
    Result<json::Value> v = json::Value::Parse(line);
    if (!v.ok()) continue;
    std::string project = v->find("project_id")->as_string();
    if (batches.back().size() == per_write) batches.emplace_back();
    batches.back().push_back(RowWrite{"project_logs:" + project, "org", "", std::move(v->as_object())});
  }
  return batches;
}

size_t ScanAll(const Engine& e, const std::vector<std::string>& containers) {
  size_t n = 0;
  for (const std::string& c : containers) {
    Status st = e.ScanRows(c, {}, std::nullopt, [&](json::Value, const PageKey&) { return ++n > 0; });
    if (!st.ok()) std::fprintf(stderr, "scan: %s\n", st.ToString().c_str());
  }
  return n;
}

struct BenchOptions {
  size_t per_write = 100;
  int seal_threads = 1;
  uint64_t seal_bytes = uint64_t{1} << 40;
};

int Run(const char* path, const BenchOptions& bench) {
  size_t per_write = bench.per_write;
  size_t json_bytes = 0;
  auto batches = Load(path, per_write, &json_bytes);
  std::set<std::string> names;
  for (const auto& b : batches) {
    for (const RowWrite& w : b) names.insert(w.container);
  }
  std::vector<std::string> containers(names.begin(), names.end());
  std::string dir = std::filesystem::temp_directory_path() / "spanlake-seal-bench";
  std::filesystem::remove_all(dir);
  io::MemObjectStore store;
  auto e = Engine::Open({.data_dir = dir, .sync = false, .object_store = &store,
                         .seal_bytes = bench.seal_bytes, .background_seal = false,
                         .max_frozen_bytes = UINT64_MAX, .seal_threads = bench.seal_threads}).value();
  auto t0 = std::chrono::steady_clock::now();
  size_t rows = 0;
  for (auto& b : batches) {
    rows += b.size();
    (void)e->Write(std::move(b)).value();
  }
  double write_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  size_t mem_rows = ScanAll(*e, containers);
  double mem_scan_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  size_t memtables = e->stats().frozen_memtables + 1;
  double cpu0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID), proc0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  if (Status st = e->Seal(); !st.ok()) {
    std::fprintf(stderr, "seal: %s\n", st.ToString().c_str());
    return 1;
  }
  double seal_s = Seconds(t0);
  double seal_cpu_s = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  double seal_proc_s = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - proc0;
  uint64_t seg_bytes = 0;
  std::vector<io::ObjectInfo> segments = store.List("segments/").value();
  for (const io::ObjectInfo& o : segments) seg_bytes += o.size;
  t0 = std::chrono::steady_clock::now();
  size_t seg_rows = ScanAll(*e, containers);
  double cold_scan_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  ScanAll(*e, containers);
  double warm_scan_s = Seconds(t0);
  double mb = json_bytes / 1e6;
  std::printf("input: %zu rows, %.1f MB JSONL, %zu containers\n", rows, mb, containers.size());
  std::printf("write (no fsync): %.2f s, %.1f MB/s\n", write_s, mb / write_s);
  std::printf("seal: %zu memtables, %d threads: %.2f s, %.1f MB/s of JSON input, %.0f rows/s\n", memtables,
              bench.seal_threads, seal_s, mb / seal_s, rows / seal_s);
  std::printf("seal process CPU: %.2f s\n", seal_proc_s);
  std::printf("seal CPU: %.2f s, %.1f MB/s, %.0f rows/s\n", seal_cpu_s, mb / seal_cpu_s, rows / seal_cpu_s);
  std::printf("segment: %.2f MB = %.1f%% of the JSON input, %.0f bytes per row\n", seg_bytes / 1e6,
              100.0 * seg_bytes / json_bytes, static_cast<double>(seg_bytes) / rows);
  PrintSplit(store, rows);
  std::printf("scan memtable: %zu rows in %.2f s = %.0f rows/s\n", mem_rows, mem_scan_s, mem_rows / mem_scan_s);
  std::printf("scan segment (cold cache): %zu rows in %.2f s = %.0f rows/s\n", seg_rows, cold_scan_s,
              seg_rows / cold_scan_s);
  std::printf("scan segment (warm cache): %.2f s = %.0f rows/s\n", warm_scan_s, seg_rows / warm_scan_s);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace spanlake::engine

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SPANS.jsonl [rows_per_write] [seal_threads] [seal_mb]\n", argv[0]);
    return 2;
  }
  spanlake::engine::BenchOptions o;
  if (argc > 2) o.per_write = std::stoul(argv[2]);
  if (argc > 3) o.seal_threads = std::stoi(argv[3]);
  if (argc > 4 && std::stoul(argv[4]) > 0) o.seal_bytes = std::stoul(argv[4]) << 20;
  return spanlake::engine::Run(argv[1], o);
}
