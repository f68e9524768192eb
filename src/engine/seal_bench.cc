// Seal benchmark: writes spans from a JSONL file (bench/gen_spans.py) into an
// engine over an in-memory object store, seals, and reports seal throughput,
// segment size against the JSON input, and scan / lookup speed across
// memtable vs segments.
// usage: engine_seal_bench SPANS.jsonl [rows_per_write=100]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "engine/engine.h"
#include "io/mem_store.h"

namespace spanlake::engine {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
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

int Run(const char* path, size_t per_write) {
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
                         .seal_bytes = uint64_t{1} << 40, .background_seal = false}).value();
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
  if (Status st = e->Seal(); !st.ok()) {
    std::fprintf(stderr, "seal: %s\n", st.ToString().c_str());
    return 1;
  }
  double seal_s = Seconds(t0);
  uint64_t seg_bytes = 0;
  for (const io::ObjectInfo& o : store.List("segments/").value()) seg_bytes += o.size;
  t0 = std::chrono::steady_clock::now();
  size_t seg_rows = ScanAll(*e, containers);
  double cold_scan_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  ScanAll(*e, containers);
  double warm_scan_s = Seconds(t0);
  double mb = json_bytes / 1e6;
  std::printf("input: %zu rows, %.1f MB JSONL, %zu containers\n", rows, mb, containers.size());
  std::printf("write (no fsync): %.2f s, %.1f MB/s\n", write_s, mb / write_s);
  std::printf("seal: %.2f s, %.1f MB/s of JSON input\n", seal_s, mb / seal_s);
  std::printf("segment: %.2f MB = %.1f%% of the JSON input\n", seg_bytes / 1e6, 100.0 * seg_bytes / json_bytes);
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
    std::fprintf(stderr, "usage: %s SPANS.jsonl [rows_per_write]\n", argv[0]);
    return 2;
  }
  return spanlake::engine::Run(argv[1], argc > 2 ? std::stoul(argv[2]) : 100);
}
