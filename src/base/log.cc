#include "base/log.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "base/time.h"

namespace spanlake {

namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
const char* Name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level); }

void Log(LogLevel level, std::string_view message) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  std::string line = NowIso() + " " + Name(level) + " " + std::string(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines do not interleave
}

}  // namespace spanlake
