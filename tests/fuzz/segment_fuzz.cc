// libFuzzer target for the segment reader (src/segment/reader.h): arbitrary
// bytes stored as a segment object must open to a reader or a Status, never a
// crash, a hang or a sanitizer report; an opened segment is verified and every
// row's versions are read. Seeds: tests/fuzz/corpus/segment_fuzz/ (the golden
// segments of tests/compat/segment/).
//
// Built only with clang (src/segment/CMakeLists.txt); run by tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/mem_store.h"
#include "segment/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  spanlake::io::MemObjectStore store;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!store.Put("segments/fuzz.seg", bytes).ok()) return 0;
  auto reader = spanlake::segment::Reader::Open(&store, "segments/fuzz.seg", size, nullptr);
  if (!reader.ok()) return 0;
  (void)(*reader)->VerifyAll();
  for (uint32_t c = 0; c < (*reader)->containers().size(); ++c) {
    (void)(*reader)->RowsWithRoot(static_cast<int>(c), "root");
    (void)(*reader)->MatchRows(static_cast<int>(c), "hello world", std::nullopt);
  }
  std::vector<spanlake::segment::Version> versions;
  for (uint64_t i = 0; i < (*reader)->meta().row_count && i < 10000; ++i) {
    versions.clear();
    if (!(*reader)->ReadVersions(static_cast<uint32_t>(i), &versions).ok()) break;
  }
  return 0;
}
