// Byte coding shared by the postings writer and reader: little-endian fixed
// integers, LEB128 varints and a bounds-checked cursor for decoding untrusted
// bytes. Internal to src/index. See docs/formats/postings.md.
#pragma once

#include "base/coding.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace spanlake::index::coding {

using ::spanlake::coding::PutFixed32;
using ::spanlake::coding::PutFixed64;
using ::spanlake::coding::DecodeFixed32;
using ::spanlake::coding::DecodeFixed64;
using ::spanlake::coding::MaskCrc;
using ::spanlake::coding::PutVarint32;
using ::spanlake::coding::PutVarint64;

// REQUIRES: p points at 4 (8) readable bytes.

// A CRC stored inside bytes that may themselves be checksummed again (this
// index embedded in a segment) is masked, as in the WAL, so the outer CRC
// stays strong.

// Reads from a view it never leaves. Every Get* returns false, consuming
// nothing, when the bytes run out or a varint is malformed (too long, or
// overflowing its type); callers turn false into Status::Corruption naming
// the field.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : rest_(bytes) {}

  bool GetVarint32(uint32_t* v);
  bool GetVarint64(uint64_t* v);
  bool GetFixed32(uint32_t* v);
  bool GetBytes(size_t n, std::string_view* out);
  bool Skip(size_t n);

  bool empty() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace spanlake::index::coding
