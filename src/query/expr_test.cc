#include "query/expr.h"

#include <gtest/gtest.h>

#include "query/value_ops.h"

namespace spanlake::query {
namespace {

json::Value J(const char* text) { return json::Value::Parse(text).value(); }

bool Filter(const char* expr, const char* row) {
  json::Value e = J(expr);
  Status st = ValidateExpr(e, "filter");
  EXPECT_TRUE(st.ok()) << st.ToString();
  return Truthy(Eval(e, J(row)));
}

const char* kRow = R"({"id":"a","span_attributes":{"purpose":"scorer","type":"score"},
  "metadata":{"model":"gpt-4o","n":3},"metrics":{"start":1.0,"end":3.5},"tags":["x","y"],
  "input":[{"role":"user","content":"Refund my ORDER please"}],"scores":{"acc":0.25}})";

TEST(Expr, ComparisonsOnPaths) {
  EXPECT_TRUE(Filter(
      R"({"op":"eq","left":{"op":"ident","name":["metadata","model"]},"right":{"op":"literal","value":"gpt-4o"}})",
      kRow));
  EXPECT_FALSE(Filter(
      R"({"op":"ne","left":{"op":"ident","name":["metadata","model"]},"right":{"op":"literal","value":"gpt-4o"}})",
      kRow));
  EXPECT_TRUE(Filter(
      R"({"op":"lt","left":{"op":"ident","name":["scores","acc"]},"right":{"op":"literal","value":0.5}})",
      kRow));
  EXPECT_FALSE(Filter(
      R"({"op":"gt","left":{"op":"ident","name":["missing"]},"right":{"op":"literal","value":0}})",
      kRow));
  EXPECT_TRUE(Filter(
      R"({"op":"in","left":{"op":"ident","name":["span_attributes","type"]},"right":{"op":"literal","value":["llm","score"]}})",
      kRow));
}

TEST(Expr, NullChecksBooleansAndArithmetic) {
  EXPECT_TRUE(Filter(R"({"op":"isnull","expr":{"op":"ident","name":["error"]}})", kRow));
  EXPECT_TRUE(Filter(
      R"({"op":"isnotnull","expr":{"op":"ident","name":["span_attributes","purpose"]}})", kRow));
  EXPECT_TRUE(Filter(R"({"op":"and","children":[{"op":"literal","value":true},
      {"op":"ge","left":{"op":"sub","left":{"op":"ident","name":["metrics","end"]},"right":{"op":"ident","name":["metrics","start"]}},"right":{"op":"literal","value":2.5}}]})",
                     kRow));
  EXPECT_FALSE(Filter(
      R"({"op":"or","children":[{"op":"literal","value":false},{"op":"not","expr":{"op":"literal","value":true}}]})",
      kRow));
  EXPECT_TRUE(Filter(
      R"({"op":"eq","left":{"op":"ident","name":["input",-1,"role"]},"right":{"op":"literal","value":"user"}})",
      kRow));
}

TEST(Expr, TextOperators) {
  EXPECT_TRUE(Filter(
      R"({"op":"match","left":{"op":"ident","name":["input"]},"right":{"op":"literal","value":"my order"}})",
      kRow));
  EXPECT_FALSE(Filter(  // a phrase: the words in this order, next to each other
      R"({"op":"match","left":{"op":"ident","name":["input"]},"right":{"op":"literal","value":"order refund"}})",
      kRow));
  EXPECT_FALSE(Filter(
      R"({"op":"match","left":{"op":"ident","name":["input"]},"right":{"op":"literal","value":"refunds"}})",
      kRow));
  EXPECT_TRUE(Filter(
      R"({"op":"ilike","left":{"op":"ident","name":["metadata","model"]},"right":{"op":"literal","value":"GPT-%"}})",
      kRow));
  EXPECT_FALSE(Filter(
      R"({"op":"like","left":{"op":"ident","name":["metadata","model"]},"right":{"op":"literal","value":"GPT-%"}})",
      kRow));
  EXPECT_TRUE(Filter(
      R"({"op":"includes","haystack":{"op":"ident","name":["tags"]},"needle":{"op":"literal","value":"y"}})",
      kRow));
}

TEST(Expr, InvalidTreesNameThePlace) {
  Status st = ValidateExpr(
      J(R"({"op":"and","children":[{"op":"eq","left":{"op":"literal","value":1}},{"op":"bogus"}]})"),
      "filter");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("filter.children[0]"), std::string::npos) << st.message();
  st = ValidateExpr(J(R"({"op":"bogus"})"), "filter");
  EXPECT_NE(st.message().find("unknown op 'bogus'"), std::string::npos);
  EXPECT_FALSE(ValidateExpr(J(R"({"btql":"a = 1"})"), "filter").ok());
  EXPECT_FALSE(ValidateExpr(J(R"(42)"), "filter").ok());
}

TEST(ValueOps, TimestampsAndIntervals) {
  json::Value later =
      Arith("add", json::Value("2024-01-01T00:00:00Z"), IntervalValue(2, TimeUnit::kHour));
  EXPECT_EQ(later, json::Value("2024-01-01T02:00:00.000Z"));
  EXPECT_EQ(*Compare(json::Value("2024-01-01T00:00:00Z"), json::Value("2024-01-01T00:00:00.000Z")),
            0);
  EXPECT_EQ(*Compare(json::Value("2024-01-02"), json::Value("2024-01-01T23:00:00Z")), 1);
}

TEST(ValueOps, LikeIsUtf8Aware) {
  EXPECT_TRUE(Like("héllo", "h_llo"));
  EXPECT_TRUE(Like("héllo wörld", "%wör%"));
  EXPECT_FALSE(Like("hello", "h_lo"));
  EXPECT_TRUE(Like("50%", "50\\%"));
  EXPECT_FALSE(Like("500", "50\\%"));
}

}  // namespace
}  // namespace spanlake::query
