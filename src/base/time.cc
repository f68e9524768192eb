#include "base/time.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace spanlake {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatIsoMillis(int64_t unix_millis) {
  time_t secs = static_cast<time_t>(unix_millis / 1000);
  int ms = static_cast<int>(unix_millis % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace spanlake
