#include "query/syntax/syntax.h"

#include <gtest/gtest.h>

#include "query/expr.h"

namespace spanlake::query::syntax {
namespace {

json::Value J(const char* text) { return json::Value::Parse(text).value(); }

json::Value Parse(const char* text) {
  Result<json::Value> r = ParseQueryText(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? WithoutLoc(*r) : json::Value();
}

std::string Error(const char* text) {
  Result<json::Value> r = ParseQueryText(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(Syntax, BtqlClausesBecomeTheJsonTree) {
  json::Value q = Parse(
      "select: id, scores.acc as acc | from: experiment('e1') traces\n"
      "| filter: acc > 0.5 and tags includes \"x\" | sort: created desc | limit: 10");
  EXPECT_EQ(*q.find("from"), J(R"({"op":"function","name":{"op":"ident","name":["experiment"]},
      "args":[{"op":"literal","value":"e1"}],"shape":"traces"})"));
  EXPECT_EQ(*q.find("select"), J(R"([{"expr":{"op":"ident","name":["id"]},"alias":"id"},
      {"expr":{"op":"ident","name":["scores","acc"]},"alias":"acc"}])"));
  EXPECT_EQ(*q.find("filter"),
            J(R"({"op":"and","children":[{"op":"gt","left":{"op":"ident","name":["acc"]},
      "right":{"op":"literal","value":0.5}},{"op":"includes","haystack":{"op":"ident","name":["tags"]},
      "needle":{"op":"literal","value":"x"}}]})"));
  EXPECT_EQ(*q.find("sort"), J(R"([{"expr":{"op":"ident","name":["created"]},"dir":"desc"}])"));
  EXPECT_EQ(*q.find("limit"), json::Value(10));
}

TEST(Syntax, SqlBecomesTheSameTree) {
  json::Value sql = Parse(
      "SELECT id, scores.acc AS acc FROM experiment('e1', shape => 'traces') "
      "WHERE acc > 0.5 ORDER BY created DESC LIMIT 10");
  json::Value btql = Parse(
      "select: id, scores.acc as acc | from: experiment('e1') traces | "
      "filter: acc > 0.5 | sort: created desc | limit: 10");
  EXPECT_EQ(sql, btql);
}

TEST(Syntax, SqlGroupByMakesDimensionsAndMeasures) {
  json::Value q = Parse(
      "SELECT metadata.model AS model, count(*) AS n, percentile(metrics.tokens, 0.9) AS p90 "
      "FROM project_logs('p') GROUP BY 1 HAVING count(*) > 2 ORDER BY n DESC OFFSET 'c1'");
  EXPECT_EQ(*q.find("dimensions"),
            J(R"([{"expr":{"op":"ident","name":["metadata","model"]},"alias":"model"}])"));
  EXPECT_EQ(q.find("measures")->as_array().size(), 2u);
  EXPECT_EQ(*q.find("sort"), J(R"([{"expr":{"op":"ident","name":["n"]},"dir":"desc"}])"));
  EXPECT_EQ(*q.find("cursor"), json::Value("c1"));
  EXPECT_NE(q.find("final_filter"), nullptr);
}

TEST(Syntax, PathsQuotesAndIndices) {
  json::Value q = Parse(
      R"(select: metadata."my key"[0], input[-1].content, `weird name` | from: dataset('d'))");
  EXPECT_EQ(*q.find("select")->as_array()[0].find("expr"),
            J(R"({"op":"ident","name":["metadata","my key",0]})"));
  EXPECT_EQ(*q.find("select")->as_array()[1].find("expr"),
            J(R"({"op":"ident","name":["input",-1,"content"]})"));
  EXPECT_EQ(*q.find("select")->as_array()[2].find("expr"),
            J(R"({"op":"ident","name":["weird name"]})"));
  json::Value s =
      Parse(R"(SELECT "metadata"."a b" FROM dataset('d') WHERE x IN (1, 2) AND y IS NOT NULL)");
  EXPECT_EQ(*s.find("select")->as_array()[0].find("expr"),
            J(R"({"op":"ident","name":["metadata","a b"]})"));
}

TEST(Syntax, OperatorsAndFunctions) {
  json::Value q = Parse(
      "select: a ? 1 : 2 as t, -x as n, date_trunc('15 minutes', created) as b, "
      "interval 7 day as i, x::integer as c | from: dataset('d') | "
      "filter: not (input match 'refund') and name not ilike 'a%' and x between 1 and 2");
  const json::Array& sel = q.find("select")->as_array();
  EXPECT_EQ(*sel[0].find("expr")->find("op"), json::Value("if"));
  EXPECT_EQ(*sel[1].find("expr"), J(R"({"op":"neg","expr":{"op":"ident","name":["x"]}})"));
  EXPECT_EQ(*sel[3].find("expr"), J(R"({"op":"interval","value":7,"unit":"day"})"));
  EXPECT_EQ(FunctionName(*sel[4].find("expr")), "to_integer");
  EXPECT_TRUE(ValidateExpr(*q.find("filter"), "filter").ok());
}

TEST(Syntax, DeepNestingAndLongChainsAreErrorsNotCrashes) {
  std::string deep = "select: " + std::string(5000, '(') + "1" + std::string(5000, ')') + " | from: dataset('d')";
  EXPECT_NE(Error(deep.c_str()).find("nested deeper than"), std::string::npos);
  std::string nots = "select: id | from: dataset('d') | filter: ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_NE(Error((nots + "x").c_str()).find("nested deeper than"), std::string::npos);
  std::string sum = "select: 1";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  EXPECT_NE(Error((sum + " | from: dataset('d')").c_str()).find("too long"), std::string::npos);
  std::string ors = "select: id | from: dataset('d') | filter: x = 0";
  for (int i = 1; i < 2000; ++i) ors += " or x = " + std::to_string(i);
  json::Value q = Parse(ors.c_str());  // n-ary: a long OR chain stays shallow
  EXPECT_EQ(q.find("filter")->find("children")->as_array().size(), 2000u);
}

TEST(Syntax, BraintrustSqlForms) {
  // UNPIVOT (value FOR name IN (field)) is BTQL's `unpivot: field as (name, value)`.
  json::Value q = Parse("SELECT s, avg(v) AS a FROM experiment('e') UNPIVOT (v FOR s IN (scores)) "
                        "GROUP BY s");
  EXPECT_EQ(*q.find("unpivot"), J(R"([{"expr":{"op":"ident","name":["scores"]},
      "alias":["s","v"]}])"));
  // SETTINGS hints parse and leave no trace in the tree.
  EXPECT_EQ(Parse("SELECT id FROM dataset('d') LIMIT 5 SETTINGS a = 1, b = 'x', c = true"),
            Parse("SELECT id FROM dataset('d') LIMIT 5"));
  // INCLUDES in SQL, and contains(a, b) as a function, are the includes operator.
  json::Value inc = J(R"({"op":"includes","haystack":{"op":"ident","name":["tags"]},
      "needle":{"op":"literal","value":"x"}})");
  EXPECT_EQ(*Parse("SELECT id FROM dataset('d') WHERE tags INCLUDES 'x'").find("filter"), inc);
  EXPECT_EQ(*Parse("select: id | from: dataset('d') | filter: contains(tags, 'x')").find("filter"),
            inc);
  // FILTER_SPANS(…) parses as a call; the binder moves it into span_filter.
  EXPECT_EQ(FunctionName(*Parse("SELECT id FROM dataset('d') WHERE FILTER_SPANS(a = 1)")
                              .find("filter")),
            "filter_spans");
}

TEST(Syntax, FromSubquery) {
  json::Value q = Parse("SELECT m, count(*) AS n FROM (SELECT root_span_id, any_value(x) AS m "
                        "FROM dataset('d') GROUP BY 1) AS t GROUP BY m");
  const json::Value& from = *q.find("from");
  EXPECT_EQ(*from.find("op"), json::Value("subquery"));
  EXPECT_EQ(*from.find("query")->find("from")->find("args"),
            J(R"([{"op":"literal","value":"d"}])"));
  EXPECT_EQ(*q.find("dimensions"), J(R"([{"expr":{"op":"ident","name":["m"]},"alias":"m"}])"));
}

TEST(Syntax, ErrorsSayLineColumnAndWhatWasExpected) {
  EXPECT_EQ(Error("select: id |\nfrom: dataset('d') | filter: a ="),
            "line 2, column 33: expected an expression, found end of input");
  EXPECT_EQ(Error("SELECT id FROM dataset('d') WHERE a = 1 LIMIT"),
            "line 1, column 46: expected a number after LIMIT, found end of input");
  EXPECT_NE(Error("frob: x").find("expected a clause"), std::string::npos);
  EXPECT_EQ(Error("select: id | from dataset('d')"),
            "line 1, column 14: expected ':' after 'from' (clauses are written 'from: …')");
  EXPECT_EQ(Error("SELECT a FROM (SELECT a FROM (SELECT a FROM dataset('d')))"),
            "line 1, column 30: subqueries in FROM nest one level only");
  EXPECT_NE(Error("SELECT a FROM (SELECT a FROM dataset('d') LIMIT 1 OFFSET 'c' x)")
                .find("expected ')' after the subquery"),
            std::string::npos);
  EXPECT_NE(Error("SELECT id FROM dataset('d') SETTINGS a").find("'=' after a setting name"),
            std::string::npos);
  EXPECT_NE(Error("SELECT id FROM dataset('d') UNPIVOT (v s IN (scores))").find("FOR in UNPIVOT"),
            std::string::npos);
  EXPECT_NE(Error("select: 'abc").find("unterminated"), std::string::npos);
  EXPECT_NE(Error("SELECT a, count(*) FROM dataset('d')").find("GROUP BY"), std::string::npos);
  EXPECT_NE(Error("SELECT a FROM dataset('d') OFFSET 10").find("cursor"), std::string::npos);
  EXPECT_NE(Error("select: a | select: b").find("twice"), std::string::npos);
}

}  // namespace
}  // namespace spanlake::query::syntax
