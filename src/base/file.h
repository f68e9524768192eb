// Small POSIX file helpers with errors as Status.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace spanlake {

Result<std::string> ReadFile(const std::string& path);
// Writes `data` to `path` durably: temp file, fsync, rename, fsync of the
// directory. Readers see the old or the new contents, never a mix.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);
Status CreateDirs(const std::string& path);
Status SyncDir(const std::string& dir);
bool FileExists(const std::string& path);
// Describes errno for messages: "open /x: No such file or directory".
std::string ErrnoMessage(std::string_view what, const std::string& path);

}  // namespace spanlake
