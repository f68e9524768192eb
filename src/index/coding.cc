#include "index/coding.h"

namespace spanlake::index::coding {

bool Cursor::GetVarint64(uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < rest_.size() && i < 10; ++i) {
    uint64_t byte = static_cast<unsigned char>(rest_[i]);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (i == 9 && byte > 1) return false;
    result |= (byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      rest_.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool Cursor::GetVarint32(uint32_t* v) {
  if (!rest_.empty() && static_cast<unsigned char>(rest_[0]) < 0x80) {  // most varints
    *v = static_cast<unsigned char>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  std::string_view saved = rest_;
  uint64_t wide;
  if (!GetVarint64(&wide) || wide > UINT32_MAX) {
    rest_ = saved;
    return false;
  }
  *v = static_cast<uint32_t>(wide);
  return true;
}

bool Cursor::GetFixed32(uint32_t* v) {
  if (rest_.size() < 4) return false;
  *v = DecodeFixed32(rest_.data());
  rest_.remove_prefix(4);
  return true;
}

bool Cursor::GetBytes(size_t n, std::string_view* out) {
  if (rest_.size() < n) return false;
  *out = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return true;
}

bool Cursor::Skip(size_t n) {
  if (rest_.size() < n) return false;
  rest_.remove_prefix(n);
  return true;
}

}  // namespace spanlake::index::coding
