#include "otel/proto.h"

#include <gtest/gtest.h>

namespace spanlake::otel {
namespace {

TEST(Proto, ReadsEveryWireType) {
  std::string buf;
  PutVarintField(&buf, 1, 300);
  PutFixed64Field(&buf, 2, 0x0102030405060708ull);
  PutLenField(&buf, 3, "abc");
  PutTag(&buf, 4, WireType::kFixed32);
  buf.append("\x01\x00\x00\x80", 4);
  PutVarintField(&buf, 536870911, ~uint64_t{0});  // the largest field number, a 10-byte varint

  ProtoReader r(buf);
  ProtoField f;
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(f.type, WireType::kVarint);
  EXPECT_EQ(f.scalar, 300u);
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.type, WireType::kFixed64);
  EXPECT_EQ(f.scalar, 0x0102030405060708ull);
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.type, WireType::kLen);
  EXPECT_EQ(f.bytes, "abc");
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.type, WireType::kFixed32);
  EXPECT_EQ(f.scalar, 0x80000001u);
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.number, 536870911u);
  EXPECT_EQ(f.scalar, ~uint64_t{0});
  EXPECT_EQ(f.as_int64(), -1);
  EXPECT_TRUE(r.done());
}

TEST(Proto, DoubleBits) {
  std::string buf;
  PutDoubleField(&buf, 4, -2.5);
  ProtoReader r(buf);
  ProtoField f;
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.as_double(), -2.5);
}

Status ReadAll(std::string_view bytes) {
  ProtoReader r(bytes);
  while (!r.done()) {
    ProtoField f;
    RETURN_IF_ERROR(r.Next(&f));
  }
  return Status::Ok();
}

TEST(Proto, RejectsMalformedInput) {
  const std::string_view bad[] = {
      std::string_view("\x08", 1),      // varint value missing
      std::string_view("\x08\x80", 2),  // truncated varint
      std::string_view("\x1a\x05"
                       "ab",
                       4),                  // length past the end
      std::string_view("\x11\x01\x02", 3),  // truncated fixed64
      std::string_view("\x15\x01", 2),      // truncated fixed32
      std::string_view("\x00\x01", 2),      // field number 0
      std::string_view("\x0b", 1),          // start group (deprecated)
      std::string_view("\x0c", 1),          // end group
      std::string_view("\x0e", 1),          // wire type 6
      std::string_view("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11),  // > 64 bits
      std::string_view("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),
      std::string_view("\x1a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11),  // huge length
  };
  for (std::string_view b : bad) {
    Status st = ReadAll(b);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << "input of " << b.size() << " bytes";
    EXPECT_NE(st.message().find("malformed protobuf at byte"), std::string::npos) << st.message();
  }
}

TEST(Proto, ExpectTypeNamesTheField) {
  ProtoField f;
  f.number = 5;
  f.type = WireType::kVarint;
  Status st = ExpectType(f, WireType::kLen, "name");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("'name'"), std::string::npos);
}

}  // namespace
}  // namespace spanlake::otel
