#include "otel/proto.h"

#include <cstring>

namespace spanlake::otel {

double ProtoField::as_double() const {
  double d;
  std::memcpy(&d, &scalar, sizeof(d));
  return d;
}

Status ProtoReader::Malformed(const std::string& what) const {
  return Status::InvalidArgument("malformed protobuf at byte " + std::to_string(pos_) + ": " +
                                 what);
}

Status ProtoReader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Malformed("truncated varint");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && b > 1) return Malformed("varint longer than 64 bits");
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::Ok();
    }
  }
  return Malformed("varint longer than 10 bytes");
}

Status ProtoReader::Next(ProtoField* f) {
  uint64_t tag = 0;
  RETURN_IF_ERROR(ReadVarint(&tag));
  uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff) return Malformed("invalid field number");
  f->number = static_cast<uint32_t>(number);
  f->scalar = 0;
  f->bytes = {};
  switch (tag & 7) {
    case 0:
      f->type = WireType::kVarint;
      return ReadVarint(&f->scalar);
    case 1:
    case 5: {
      size_t width = (tag & 7) == 1 ? 8 : 4;
      f->type = width == 8 ? WireType::kFixed64 : WireType::kFixed32;
      if (data_.size() - pos_ < width) return Malformed("truncated fixed-width field");
      for (size_t i = 0; i < width; ++i) {
        f->scalar |= uint64_t{static_cast<uint8_t>(data_[pos_ + i])} << (8 * i);
      }
      pos_ += width;
      return Status::Ok();
    }
    case 2: {
      f->type = WireType::kLen;
      uint64_t len = 0;
      RETURN_IF_ERROR(ReadVarint(&len));
      if (len > data_.size() - pos_) return Malformed("length-delimited field runs past the end");
      f->bytes = data_.substr(pos_, len);
      pos_ += len;
      return Status::Ok();
    }
    default:
      return Malformed("unsupported wire type " + std::to_string(tag & 7));
  }
}

Status ExpectType(const ProtoField& field, WireType type, const char* name) {
  if (field.type == type) return Status::Ok();
  return Status::InvalidArgument(std::string("field '") + name + "' (number " +
                                 std::to_string(field.number) + ") has the wrong wire type");
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutTag(std::string* out, uint32_t number, WireType type) {
  PutVarint(out, (uint64_t{number} << 3) | static_cast<uint64_t>(type));
}

void PutLenField(std::string* out, uint32_t number, std::string_view bytes) {
  PutTag(out, number, WireType::kLen);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

void PutVarintField(std::string* out, uint32_t number, uint64_t v) {
  PutTag(out, number, WireType::kVarint);
  PutVarint(out, v);
}

void PutFixed64Field(std::string* out, uint32_t number, uint64_t v) {
  PutTag(out, number, WireType::kFixed64);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutDoubleField(std::string* out, uint32_t number, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  PutFixed64Field(out, number, bits);
}

}  // namespace spanlake::otel
