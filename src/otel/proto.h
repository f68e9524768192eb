// A small reader and writer for the protobuf wire format, enough for OTLP:
// varints, fixed32/fixed64 and length-delimited fields. No schema, no
// reflection: callers switch on field numbers (see trace_proto.cc).
//
// The reader never reads outside its buffer and never aborts: every malformed
// input (truncated field, overlong varint, deprecated group, field number 0)
// is an InvalidArgument naming the byte offset. Depth limits are the caller's
// job, since nesting is only known from the schema.
//
// Thread-safety: a ProtoReader is a cursor over borrowed bytes; one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace spanlake::otel {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// One decoded field. Varint and fixed-width values are in `scalar` (fixed32
// zero-extended); a length-delimited payload is `bytes`, a view into the input.
struct ProtoField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t scalar = 0;
  std::string_view bytes;

  // The scalar reinterpreted per the proto type it is declared as.
  int64_t as_int64() const { return static_cast<int64_t>(scalar); }
  bool as_bool() const { return scalar != 0; }
  double as_double() const;
};

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }

  // Reads the next field (tag and payload). REQUIRES: !done().
  Status Next(ProtoField* field);

 private:
  Status ReadVarint(uint64_t* v);
  Status Malformed(const std::string& what) const;

  std::string_view data_;
  size_t pos_ = 0;
};

// Calls `visit(const ProtoField&) -> Status` for each field of the message
// `data`, in order; stops at the first error (malformed bytes or visit's).
template <typename Visit>
Status ForEachField(std::string_view data, Visit&& visit) {
  ProtoReader r(data);
  while (!r.done()) {
    ProtoField f;
    RETURN_IF_ERROR(r.Next(&f));
    RETURN_IF_ERROR(visit(f));
  }
  return Status::Ok();
}

// InvalidArgument unless `field` has wire type `type`; `name` is the field's
// proto name for the message.
Status ExpectType(const ProtoField& field, WireType type, const char* name);

// Appenders for the writer side (responses, tests, the fuzz seed corpus).
void PutVarint(std::string* out, uint64_t v);
void PutTag(std::string* out, uint32_t number, WireType type);
void PutLenField(std::string* out, uint32_t number, std::string_view bytes);
void PutVarintField(std::string* out, uint32_t number, uint64_t v);
void PutFixed64Field(std::string* out, uint32_t number, uint64_t v);
void PutDoubleField(std::string* out, uint32_t number, double v);

}  // namespace spanlake::otel
