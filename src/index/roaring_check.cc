// The portable Roaring format, as validated here:
//   cookie u32: 12346 (no run containers), then size u32; or
//               12347 | (size - 1) << 16, then a run flag bitset of (size + 7) / 8 bytes
//   size × {key u16, cardinality - 1 u16}, keys strictly increasing
//   size × offset u32, unless run containers exist and size < 4
//   size containers: run (flag set): n_runs u16, n_runs × {start u16, length - 1 u16};
//                    bitset (cardinality > 4096): 1024 × u64;
//                    array: cardinality × u16, strictly increasing
#include "index/roaring_check.h"

#include <bit>
#include <string>

#include "index/coding.h"

namespace spanlake::index {

namespace {

constexpr uint32_t kCookieNoRuns = 12346;
constexpr uint32_t kCookieRuns = 12347;
constexpr uint32_t kMaxArrayCardinality = 4096;
constexpr size_t kNoOffsetThreshold = 4;
constexpr size_t kBitsetBytes = 8192;

uint16_t U16(std::string_view b, size_t i) {
  return static_cast<uint16_t>(static_cast<unsigned char>(b[i]) |
                               static_cast<unsigned char>(b[i + 1]) << 8);
}

Status Bad(size_t container, const std::string& what) {
  return Status::Corruption("roaring bitmap container " + std::to_string(container) + ": " + what);
}

// Each Check* consumes one container of cardinality `card` from `c` and
// returns its largest 16-bit value.
Result<uint16_t> CheckRun(coding::Cursor* c, size_t k, uint32_t card) {
  std::string_view b;
  if (!c->GetBytes(2, &b)) return Bad(k, "truncated run count");
  uint32_t n_runs = U16(b, 0);
  if (n_runs == 0) return Bad(k, "run container without runs");
  if (!c->GetBytes(4 * size_t{n_runs}, &b)) return Bad(k, "truncated runs");
  uint64_t total = 0;
  int64_t prev_end = -1;
  for (size_t r = 0; r < n_runs; ++r) {
    int64_t start = U16(b, 4 * r), end = start + U16(b, 4 * r + 2);
    if (start <= prev_end) return Bad(k, "runs overlap or are out of order");
    if (end > 0xFFFF) return Bad(k, "run extends past 65535");
    total += static_cast<uint64_t>(end - start + 1);
    prev_end = end;
  }
  if (total != card) return Bad(k, "runs hold " + std::to_string(total) + " values, header says " +
                                       std::to_string(card));
  return static_cast<uint16_t>(prev_end);
}

Result<uint16_t> CheckBitset(coding::Cursor* c, size_t k, uint32_t card) {
  std::string_view b;
  if (!c->GetBytes(kBitsetBytes, &b)) return Bad(k, "truncated bitset");
  uint64_t total = 0;
  int last = -1;
  for (size_t i = 0; i < kBitsetBytes; ++i) {
    auto byte = static_cast<unsigned char>(b[i]);
    total += static_cast<uint64_t>(std::popcount(byte));
    if (byte != 0) last = static_cast<int>(8 * i) + 7 - std::countl_zero(byte);
  }
  if (total != card) return Bad(k, "bitset holds " + std::to_string(total) +
                                       " values, header says " + std::to_string(card));
  return static_cast<uint16_t>(last);
}

Result<uint16_t> CheckArray(coding::Cursor* c, size_t k, uint32_t card) {
  std::string_view b;
  if (!c->GetBytes(2 * size_t{card}, &b)) return Bad(k, "truncated array");
  for (size_t i = 1; i < card; ++i) {
    if (U16(b, 2 * i) <= U16(b, 2 * (i - 1))) return Bad(k, "array values not increasing");
  }
  return U16(b, 2 * (card - 1));
}

}  // namespace

Result<RoaringShape> ValidatePortableRoaring(std::string_view bytes) {
  coding::Cursor c(bytes);
  uint32_t cookie = 0, size = 0;
  if (!c.GetFixed32(&cookie)) return Status::Corruption("roaring bitmap: truncated cookie");
  bool has_runs = (cookie & 0xFFFF) == kCookieRuns;
  std::string_view run_flags, headers;
  if (has_runs) {
    size = (cookie >> 16) + 1;
    if (!c.GetBytes((size + 7) / 8, &run_flags)) return Status::Corruption("roaring bitmap: truncated run flags");
  } else if (cookie != kCookieNoRuns || !c.GetFixed32(&size) || size > 0x10000) {
    return Status::Corruption("roaring bitmap: bad cookie or container count");
  }
  if (!c.GetBytes(4 * size_t{size}, &headers)) return Status::Corruption("roaring bitmap: truncated keys");
  if ((!has_runs || size >= kNoOffsetThreshold) && !c.Skip(4 * size_t{size})) {
    return Status::Corruption("roaring bitmap: truncated offsets");
  }
  RoaringShape shape;
  for (size_t k = 0; k < size; ++k) {
    uint16_t key = U16(headers, 4 * k);
    uint32_t card = uint32_t{U16(headers, 4 * k + 2)} + 1;
    if (k > 0 && key <= U16(headers, 4 * (k - 1))) return Bad(k, "keys not increasing");
    bool run = has_runs && (static_cast<unsigned char>(run_flags[k / 8]) >> (k % 8)) & 1;
    Result<uint16_t> top = run ? CheckRun(&c, k, card)
                           : card > kMaxArrayCardinality ? CheckBitset(&c, k, card)
                                                         : CheckArray(&c, k, card);
    if (!top.ok()) return top.status();
    shape.cardinality += card;
    shape.max_value = uint32_t{key} << 16 | *top;
  }
  if (!c.empty()) {
    return Status::Corruption("roaring bitmap: " + std::to_string(c.remaining()) +
                              " trailing bytes");
  }
  return shape;
}

}  // namespace spanlake::index
