#include "segment/coding.h"

#include <cstring>

#include "base/crc32c.h"

namespace spanlake::segment {

namespace {
constexpr uint32_t kMaskDelta = 0xa282ead8u;
}  // namespace

void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  dst->append(b, sizeof b);
}

void PutFixed64(std::string* dst, uint64_t v) {
  PutFixed32(dst, static_cast<uint32_t>(v));
  PutFixed32(dst, static_cast<uint32_t>(v >> 32));
}

void PutVarint64(std::string* dst, uint64_t v) {
  char b[10];
  size_t n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  dst->append(b, n);
}

void PutString(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s);
}

void PutDouble(std::string* dst, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutFixed64(dst, bits);
}

uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

uint64_t DecodeFixed64(const char* p) {
  return uint64_t{DecodeFixed32(p)} | uint64_t{DecodeFixed32(p + 4)} << 32;
}

uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

uint32_t MaskedCrc(std::string_view bytes) { return MaskCrc(crc32c::Value(bytes)); }

bool Decoder::GetFixed32(uint32_t* v) {
  if (rest_.size() < 4) return false;
  *v = DecodeFixed32(rest_.data());
  rest_.remove_prefix(4);
  return true;
}

bool Decoder::GetFixed64(uint64_t* v) {
  if (rest_.size() < 8) return false;
  *v = DecodeFixed64(rest_.data());
  rest_.remove_prefix(8);
  return true;
}

bool Decoder::GetVarint64(uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < rest_.size() && i < 10; ++i) {
    uint64_t byte = static_cast<unsigned char>(rest_[i]);
    if (i == 9 && byte > 1) return false;  // the tenth byte holds only bit 63
    result |= (byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      rest_.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool Decoder::GetVarint32(uint32_t* v) {
  std::string_view saved = rest_;
  uint64_t wide;
  if (!GetVarint64(&wide) || wide > UINT32_MAX) {
    rest_ = saved;
    return false;
  }
  *v = static_cast<uint32_t>(wide);
  return true;
}

bool Decoder::GetBytes(size_t n, std::string_view* out) {
  if (rest_.size() < n) return false;
  *out = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return true;
}

bool Decoder::GetString(std::string_view* s) {
  std::string_view saved = rest_;
  uint64_t n;
  if (!GetVarint64(&n) || n > rest_.size()) {
    rest_ = saved;
    return false;
  }
  return GetBytes(static_cast<size_t>(n), s);
}

bool Decoder::GetDouble(double* d) {
  uint64_t bits;
  if (!GetFixed64(&bits)) return false;
  std::memcpy(d, &bits, sizeof bits);
  return true;
}

bool Decoder::GetByte(uint8_t* b) {
  if (rest_.empty()) return false;
  *b = static_cast<uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  return true;
}

}  // namespace spanlake::segment
