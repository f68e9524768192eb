#include "segment/coding.h"

#include <cstring>

#include "base/crc32c.h"

namespace spanlake::segment {

void PutString(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s);
}

void PutDouble(std::string* dst, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutFixed64(dst, bits);
}

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
