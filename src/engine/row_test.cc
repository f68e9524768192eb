#include "engine/row.h"

#include <gtest/gtest.h>

namespace spanlake::engine {
namespace {

json::Object Obj(const char* text) { return json::Value::Parse(text)->as_object(); }

std::optional<json::Object> Fold(std::initializer_list<const char*> writes) {
  std::optional<json::Object> state;
  uint64_t xact = 100;
  for (const char* w : writes) ApplyWrite(state, Obj(w), xact++);
  return state;
}

TEST(Row, ReplaceKeepsFirstCreated) {
  auto s = Fold({R"({"id":"a","created":"t1","input":1,"output":2})",
                 R"({"id":"a","created":"t2","input":3})"});
  ASSERT_TRUE(s);
  EXPECT_EQ(json::Value(*s), json::Value::Parse(R"({"id":"a","created":"t1","input":3})").value());
}

TEST(Row, MergeIsDeepAndFirstWriteWinsForSpanIds) {
  auto s = Fold({R"({"id":"a","span_id":"s1","root_span_id":"r1","metadata":{"x":1,"y":{"z":1}},"metrics":{"start":1}})",
                 R"({"id":"a","span_id":"s2","_is_merge":true,"metadata":{"y":{"w":2}},"metrics":{"end":2}})"});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->find("span_id"), json::Value("s1"));
  EXPECT_EQ(*s->find("metadata"), json::Value::Parse(R"({"x":1,"y":{"z":1,"w":2}})").value());
  EXPECT_EQ(*s->find("metrics"), json::Value::Parse(R"({"start":1,"end":2})").value());
  EXPECT_FALSE(s->contains("_is_merge"));
}

TEST(Row, MergePathsReplaceWholesale) {
  auto s = Fold({R"({"id":"a","metadata":{"x":1,"y":2}})",
                 R"({"id":"a","_is_merge":true,"_merge_paths":[["metadata"]],"metadata":{"z":3}})"});
  EXPECT_EQ(*s->find("metadata"), json::Value::Parse(R"({"z":3})").value());
}

TEST(Row, TagsUnionOnMergeAndArrayDelete) {
  auto s = Fold({R"({"id":"a","tags":["x","y"]})", R"({"id":"a","_is_merge":true,"tags":["y","z"]})"});
  EXPECT_EQ(*s->find("tags"), json::Value::Parse(R"(["x","y","z"])").value());
  s = Fold({R"({"id":"a","tags":["x","y"]})",
            R"({"id":"a","_is_merge":true,"_array_delete":[{"path":["tags"],"delete":["x"]}]})"});
  EXPECT_EQ(*s->find("tags"), json::Value::Parse(R"(["y"])").value());
}

TEST(Row, DeleteThenReinsert) {
  EXPECT_FALSE(Fold({R"({"id":"a","input":1})", R"({"id":"a","_object_delete":true})"}));
  auto s = Fold({R"({"id":"a","input":1})", R"({"id":"a","_object_delete":true})",
                 R"({"id":"a","_is_merge":true,"input":2})"});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->find("input"), json::Value(2));
}

TEST(Row, AuditFieldsBecomeAuditData) {
  auto s = Fold({R"({"id":"a","input":1})",
                 R"({"id":"a","_is_merge":true,"scores":{"q":1},"_audit_source":"external","_audit_metadata":{"by":"bob"}})"});
  EXPECT_FALSE(s->contains("_audit_source"));
  const json::Value* audit = s->find("audit_data");
  ASSERT_TRUE(audit && audit->is_array());
  ASSERT_EQ(audit->as_array().size(), 1u);
  EXPECT_EQ(*audit->as_array()[0].find("source"), json::Value("external"));
  EXPECT_EQ(*audit->as_array()[0].find("metadata"), json::Value::Parse(R"({"by":"bob"})").value());
}

TEST(Row, MaterializeAddsServerFields) {
  std::string org = "org1", project = "p1";
  RowContext ctx{.xact = 1000192656880881099ull, .org_id = &org, .project_id = &project};
  json::Value row = Materialize(Obj(R"({"id":"d1","input":1,"audit_data":[]})"), ctx);
  EXPECT_EQ(*row.find("_xact_id"), json::Value("1000192656880881099"));
  EXPECT_EQ(*row.find("org_id"), json::Value("org1"));
  EXPECT_EQ(*row.find("project_id"), json::Value("p1"));
  EXPECT_EQ(*row.find("span_id"), json::Value("d1"));
  EXPECT_EQ(*row.find("root_span_id"), json::Value("d1"));
  EXPECT_EQ(*row.find("is_root"), json::Value(true));
  EXPECT_EQ(row.find("audit_data"), nullptr);
  row = Materialize(Obj(R"({"id":"c","span_parents":["p"]})"), {});
  EXPECT_EQ(*row.find("is_root"), json::Value(false));
}

TEST(Row, CommentRowsAreRecognized) {
  EXPECT_TRUE(IsCommentRow(Obj(R"({"id":"c","origin":{"id":"a"},"comment":{"text":"hi"}})")));
  EXPECT_FALSE(IsCommentRow(Obj(R"({"id":"c","origin":{"id":"a","object_type":"dataset"}})")));
}

}  // namespace
}  // namespace spanlake::engine
