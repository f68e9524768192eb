// Byte coding for segment and manifest objects: little-endian fixed integers,
// LEB128 varints, length-prefixed strings, masked CRCs, and a bounds-checked
// reader for untrusted bytes. See docs/formats/segment.md.
#pragma once

#include "base/coding.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace spanlake::segment {

using ::spanlake::coding::PutFixed32;
using ::spanlake::coding::PutFixed64;
using ::spanlake::coding::DecodeFixed32;
using ::spanlake::coding::DecodeFixed64;
using ::spanlake::coding::MaskCrc;
using ::spanlake::coding::PutVarint64;

// varint length, then the bytes.
void PutString(std::string* dst, std::string_view s);
void PutDouble(std::string* dst, double d);  // IEEE-754 bits as fixed64

// REQUIRES: p points at 4 (8) readable bytes.

// CRCs stored in an object that is itself checksummed are masked, as in the
// WAL (docs/formats/wal.md), so that a CRC over bytes containing CRCs stays
// strong.
uint32_t MaskedCrc(std::string_view bytes);

// Reads a view it never leaves. Every Get* returns false, consuming nothing,
// when the bytes run out or a varint is malformed; callers turn false into
// Status::Corruption naming the field.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : rest_(bytes) {}

  bool GetFixed32(uint32_t* v);
  bool GetFixed64(uint64_t* v);
  bool GetVarint64(uint64_t* v);
  bool GetVarint32(uint32_t* v);
  bool GetString(std::string_view* s);
  bool GetBytes(size_t n, std::string_view* out);
  bool GetDouble(double* d);
  bool GetByte(uint8_t* b);

  bool empty() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

}  // namespace spanlake::segment
