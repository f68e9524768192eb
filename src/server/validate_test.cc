#include "server/validate.h"

#include <gtest/gtest.h>

namespace spanlake::server {
namespace {

Status Shape(const char* text) {
  return ValidateRowShape(json::Value::Parse(text)->as_object(), "rows[0]");
}

TEST(Validate, AcceptsWhatTheSdkSends) {
  EXPECT_TRUE(Shape(R"({"id":"a","span_id":"s","root_span_id":"r","span_parents":["p"],
    "scores":{"x":0,"y":1,"z":0.5,"n":null},"metrics":{"start":1.5,"tokens":10},"tags":["t"],
    "metadata":{"k":[1]},"_is_merge":true,"_merge_paths":[["metadata","k"]],
    "_array_delete":[{"path":["tags"],"delete":["t"]}],"input":{"any":"thing"}})").ok());
}

TEST(Validate, RejectsBadTypesWithTheirPlace) {
  Status st = Shape(R"({"id":"a","scores":{"acc":1.5}})");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("rows[0].scores.acc"), std::string::npos) << st.message();
  EXPECT_FALSE(Shape(R"({"id":"a","scores":{"acc":"high"}})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","scores":{"acc":true}})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","scores":[1]})").ok());
  st = Shape(R"({"id":"a","span_parents":"abc"})");
  EXPECT_NE(st.message().find("rows[0].span_parents"), std::string::npos);
  EXPECT_FALSE(Shape(R"({"id":"a","span_parents":[1]})").ok());
  EXPECT_FALSE(Shape(R"({"id":7})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","tags":"x"})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","metrics":{"start":"now"}})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","_is_merge":"yes"})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","_merge_paths":[["a",1]]})").ok());
  EXPECT_FALSE(Shape(R"({"id":"a","metadata":"m"})").ok());
}

TEST(Validate, ContainerFromIdFields) {
  auto c = [](const char* text) { return RowContainer(json::Value::Parse(text)->as_object(), "rows[0]"); };
  const char* uuid = "7a9c7cd5-5caf-4b35-bf29-5e52b54db80e";
  auto r = c((std::string(R"({"experiment_id":")") + uuid + "\"}").c_str());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, "experiment");
  r = c((std::string(R"({"project_id":")") + uuid + R"(","log_id":"g"})").c_str());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, "project_logs");
  EXPECT_FALSE(c((std::string(R"({"project_id":")") + uuid + "\"}").c_str()).ok());
  EXPECT_FALSE(c(R"({"experiment_id":"not-a-uuid"})").ok());
  EXPECT_FALSE(c(R"({"id":"x"})").ok());
  EXPECT_FALSE(c((std::string(R"({"experiment_id":")") + uuid + R"(","dataset_id":")" + uuid + "\"}").c_str()).ok());
}

}  // namespace
}  // namespace spanlake::server
