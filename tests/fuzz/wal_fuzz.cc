// libFuzzer target for WAL replay (src/wal/wal.h): arbitrary bytes as the last
// file of a WAL directory must replay to records or a Status (a torn tail is
// truncated), never a crash, a hang or a sanitizer report. A valid file header
// is prepended to half of the inputs so that mutations reach the record
// decoder behind it. Seeds: tests/fuzz/corpus/wal_fuzz/.
//
// Built only with clang (src/wal/CMakeLists.txt); run by tests/fuzz/run.sh.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "wal/format.h"
#include "wal/wal.h"

namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/spanlake-wal-fuzz-XXXXXX";
  return mkdtemp(tmpl);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = TempDir();
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size > 0 && (data[0] & 1)) bytes = spanlake::wal::format::EncodeFileHeader(1) + bytes.substr(1);
  std::string path = dir + "/00000000000000000001.wal";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  uint64_t records = 0;
  (void)spanlake::wal::Replay(dir, [&](uint64_t, std::string_view) {
    ++records;
    return spanlake::Status::Ok();
  });
  std::filesystem::remove(path);
  return 0;
}
