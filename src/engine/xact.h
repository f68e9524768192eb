// Transaction ids (`_xact_id`). Every write request is one transaction with
// one id. Ids are 64-bit, strictly increasing per server, and written as
// fixed-width (19-digit) decimal strings because the SDK compares them as
// strings. Their top 16 bits are 0x0DE1, as the SDK expects; the low 48 bits
// are a hybrid logical clock: milliseconds since 2020-01-01 shifted left by 8,
// plus a counter, so ids are roughly wall-clock ordered and never repeat even
// when the clock steps back.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace spanlake::engine {

inline constexpr uint64_t kXactBase = uint64_t{0x0DE1} << 48;

std::string XactToString(uint64_t xact);
// Accepts the 19-digit decimal form and the SDK's 16-hex "pretty" form.
std::optional<uint64_t> ParseXact(std::string_view s);
// The SDK's pretty (16-hex) version of an xact id, and back.
std::string XactToPretty(uint64_t xact);

// The wall-clock part of an xact id as unix milliseconds, and the smallest
// xact id at or after unix time `ms` (for horizons: "every xact before T").
int64_t XactMillis(uint64_t xact);
uint64_t XactAtMillis(int64_t ms);

// Thread-safe allocator of increasing xact ids.
class XactClock {
 public:
  // Next() will return ids strictly greater than `floor`.
  void AdvancePast(uint64_t floor);
  uint64_t Next();
  uint64_t last() const;

 private:
  mutable std::mutex mu_;
  uint64_t last_ = kXactBase;
};

}  // namespace spanlake::engine
