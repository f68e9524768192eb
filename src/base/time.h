// Wall-clock helpers. Timestamps on the wire are ISO-8601 UTC with
// milliseconds ("2026-11-27T04:56:47.501Z").
#pragma once

#include <cstdint>
#include <string>

namespace spanlake {

int64_t NowMillis();
std::string FormatIsoMillis(int64_t unix_millis);
inline std::string NowIso() { return FormatIsoMillis(NowMillis()); }

}  // namespace spanlake
