#include "tools/inspect.h"

#include "base/file.h"
#include "io/local_store.h"
#include "wal/format.h"

namespace spanlake::tools {

bool IsStoreUrl(const std::string& arg) {
  return arg.rfind("s3://", 0) == 0 || arg.rfind("file:", 0) == 0 || arg == "mem:";
}

Result<std::unique_ptr<io::ObjectStore>> OpenStoreFor(const std::string& arg) {
  if (IsStoreUrl(arg)) return io::OpenObjectStore(arg);
  if (!FileExists(arg)) return Status::NotFound("no data directory " + arg);
  ASSIGN_OR_RETURN(std::unique_ptr<io::LocalObjectStore> local, io::LocalObjectStore::Open(arg + "/store"));
  return std::unique_ptr<io::ObjectStore>(std::move(local));
}

// The grammar is docs/formats/wal.md; the checks mirror wal::Replay's.
Status ReadWalFile(const std::string& path,
                   const std::function<bool(uint64_t xact, std::string_view payload)>& fn,
                   WalFileSummary* summary) {
  namespace f = wal::format;
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  std::string_view rest(bytes);
  if (rest.size() < f::kFileHeaderSize || rest.substr(0, 8) != f::kMagic) {
    return Status::Corruption(path + ": not a WAL file (bad header or magic)");
  }
  uint32_t version = f::DecodeFixed32(rest.data() + 8);
  if (version != f::kVersion) return Status::Corruption(path + ": unknown WAL version " + std::to_string(version));
  rest.remove_prefix(f::kFileHeaderSize);
  while (!rest.empty()) {
    if (rest.size() < f::kRecordHeaderSize) break;
    uint32_t len = f::DecodeFixed32(rest.data());
    uint64_t xact = f::DecodeFixed64(rest.data() + 4);
    uint32_t crc = f::DecodeFixed32(rest.data() + 12);
    if (len > f::kMaxPayload || len > rest.size() - f::kRecordHeaderSize) break;
    std::string_view payload = rest.substr(f::kRecordHeaderSize, len);
    if (f::RecordCrc(rest.data(), payload) != crc) break;
    ++summary->records;
    rest.remove_prefix(f::kRecordHeaderSize + len);
    if (!fn(xact, payload)) return Status::Ok();
  }
  summary->torn_bytes = rest.size();
  return Status::Ok();
}

}  // namespace spanlake::tools
