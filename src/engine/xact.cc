#include "engine/xact.h"

#include <charconv>
#include <cstdio>

#include "base/time.h"

namespace spanlake::engine {

namespace {
constexpr int64_t kEpoch2020Millis = 1577836800000;
constexpr uint64_t kPrettyMul = 205891132094649ull;
constexpr uint64_t kPrettyInv = 1522336535492693385ull;
}  // namespace

std::string XactToString(uint64_t xact) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%019llu", static_cast<unsigned long long>(xact));
  return buf;
}

std::string XactToPretty(uint64_t xact) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(xact * kPrettyMul));
  return buf;
}

std::optional<uint64_t> ParseXact(std::string_view s) {
  uint64_t v = 0;
  if (s.size() == 16) {  // pretty form
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return (v * kPrettyInv) | kXactBase;
  }
  if (s.empty() || s.size() > 20) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

int64_t XactMillis(uint64_t xact) {
  return static_cast<int64_t>((xact & ((uint64_t{1} << 48) - 1)) >> 8) + kEpoch2020Millis;
}

uint64_t XactAtMillis(int64_t ms) {
  if (ms <= kEpoch2020Millis) return kXactBase;
  return kXactBase + (static_cast<uint64_t>(ms - kEpoch2020Millis) << 8);
}

void XactClock::AdvancePast(uint64_t floor) {
  std::lock_guard<std::mutex> l(mu_);
  if (floor > last_) last_ = floor;
}

uint64_t XactClock::Next() {
  uint64_t wall = XactAtMillis(NowMillis());
  std::lock_guard<std::mutex> l(mu_);
  last_ = wall > last_ ? wall : last_ + 1;
  return last_;
}

uint64_t XactClock::last() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_;
}

}  // namespace spanlake::engine
