// Shared by `spanlake verify` and `spanlake dump`: opening the object store
// a data directory or URL names, and reading WAL files without changing them
// (wal::Replay truncates torn tails; these tools never write).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "io/object_store.h"

namespace spanlake::tools {

// "s3://...", "file:...", "mem:" are URLs; anything else is a data directory.
bool IsStoreUrl(const std::string& arg);
// The store of a URL, or <dir>/store for a data directory (which must exist).
Result<std::unique_ptr<io::ObjectStore>> OpenStoreFor(const std::string& arg);

struct WalFileSummary {
  uint64_t records = 0;
  uint64_t torn_bytes = 0;  // bytes after the last good record
};
// Calls `fn` for each good record of one WAL file until it returns false.
// A bad header is an error; a bad record ends the file (counted as torn).
Status ReadWalFile(const std::string& path,
                   const std::function<bool(uint64_t xact, std::string_view payload)>& fn,
                   WalFileSummary* summary);

}  // namespace spanlake::tools
