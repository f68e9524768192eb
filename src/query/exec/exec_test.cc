#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "engine/engine.h"
#include "query/exec/cursor.h"
#include "query/exec/executor.h"
#include "query/exec/plan.h"
#include "query/exec/query.h"
#include "query/expr.h"
#include "query/syntax/syntax.h"

namespace spanlake::query::exec {
namespace {

json::Value J(const char* text) { return json::Value::Parse(text).value(); }

TEST(Cursor, DefaultOrderKeepsThePageKeyForm) {
  Position p{{}, PageKeyValue(engine::PageKey{1234, 5})};
  EXPECT_EQ(EncodeCursor(p), "1234.5");
  Result<Position> back = DecodeCursor("1234.5", 0);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->tiebreak, p.tiebreak);
}

TEST(Cursor, SortedPositionsRoundTripAndOrder) {
  Position a{json::Array{json::Value(5), json::Value("x")}, PageKeyValue(engine::PageKey{9, 0})};
  std::string text = EncodeCursor(a);
  EXPECT_EQ(text.rfind("c1.", 0), 0u);
  Result<Position> back = DecodeCursor(text, 2);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(json::Value(back->keys), json::Value(a.keys));
  EXPECT_FALSE(DecodeCursor(text, 1).ok());  // issued for another order
  EXPECT_FALSE(DecodeCursor("c1.!!", 2).ok());
  Position b{json::Array{json::Value(5), json::Value("x")}, PageKeyValue(engine::PageKey{8, 0})};
  EXPECT_LT(ComparePositions(a, b, {false, false}), 0);  // equal keys: newer first
  Position c{json::Array{json::Value(4), json::Value("x")}, PageKeyValue(engine::PageKey{1, 0})};
  EXPECT_GT(ComparePositions(a, c, {false, false}), 0);
  EXPECT_LT(ComparePositions(a, c, {true, false}), 0);
}

TEST(Cursor, Base64Url) {
  for (std::string s : {"", "a", "ab", "abc", "\xff\x00\x10 zz"}) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(s)).value(), s);
  }
}

TEST(Plan, FindsIndexablePredicates) {
  json::Value f = WithoutLoc(
      syntax::ParseBtqlExpr("id in ['a', 'b'] and (root_span_id = 'r') and input match 'hi' and "
                            "created >= '2024-01-01' and (x = 1 or id = 'c')")
          .value());
  std::vector<IndexCandidate> c = FindIndexCandidates(f);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].kind, "id_lookup");
  EXPECT_EQ(c[0].keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c[1].kind, "root_span_lookup");
  EXPECT_EQ(c[2].kind, "postings");
  EXPECT_EQ(c[3].kind, "range");
  EXPECT_TRUE(FindIndexCandidates(J(R"({"op":"eq","left":{"op":"ident","name":["id"]},
      "right":{"op":"literal","value":3}})"))[0]
                  .keys.empty());  // not a string: no lookup
}

// 64 rows sealed into one segment of small blocks, scores.acc = i / 64 in
// write order; then row 0 gets a high score by a merge left in the memtable.
class PruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/spanlake-prune-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto opened = engine::Engine::Open(
        {.data_dir = dir_, .sync = false, .background_seal = false, .segment_block_bytes = 256});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(opened).value();
    std::vector<engine::RowWrite> rows;
    for (int i = 0; i < 64; ++i) {
      json::Object row{{"id", "r" + std::to_string(i)},
                       {"scores", json::Object{{"acc", i / 64.0}}}};
      rows.push_back(engine::RowWrite{"project_logs:p", "org0", "", std::move(row)});
    }
    ASSERT_TRUE(engine_->Write(std::move(rows)).ok());
    ASSERT_TRUE(engine_->Seal().ok());
    json::Object merge{{"id", "r0"}, {"_is_merge", true}, {"scores", json::Object{{"acc", 0.99}}}};
    ASSERT_TRUE(engine_->Write({engine::RowWrite{"project_logs:p", "org0", "", merge}}).ok());
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(PruneTest, SkipsBlocksAndRowsTheColumnsRuleOut) {
  Query q = BindQuery(syntax::ParseQueryText(
                          "select: id | from: project_logs('p') | filter: scores.acc >= 0.9")
                          .value())
                .value();
  auto reader = std::make_shared<engine::SnapshotReader>(engine_->GetSnapshot(), "project_logs:p");
  AccessPlan plan = ChooseAccess(reader, {}, q);
  json::Value d = plan.source->Describe();
  ASSERT_EQ(*d.find("type"), json::Value("pruned_scan")) << d.Dump();
  const json::Value& p = *d.find("pruning");
  EXPECT_EQ(*p.find("segments"), json::Value(1));
  EXPECT_EQ(*p.find("segment_rows"), json::Value(64));
  EXPECT_EQ(*p.find("segment_rows_pruned"), json::Value(58));  // only 58/64 .. 63/64 pass
  EXPECT_GT(p.find("blocks_skipped")->as_int(), 0) << d.Dump();
  std::vector<std::string> ids;
  engine::PruneStats stats;
  ASSERT_TRUE(reader
                  ->ScanPruned({}, std::nullopt, {}, [&](json::Value row, const engine::PageKey&) {
                    ids.push_back(row.find("id")->as_string());
                    return true;
                  }, &stats)
                  .ok());
  EXPECT_EQ(ids.size(), 64u);  // no tests: every row
  ids.clear();
  ASSERT_TRUE(plan.source->Scan(std::nullopt, [&](json::Value row, const engine::PageKey&) {
                ids.push_back(row.find("id")->as_string());
                return true;
              }).ok());
  // r0's passing value lives in the memtable: the merged row is still found.
  std::vector<std::string> want{"r63", "r62", "r61", "r60", "r59", "r58", "r0"};
  EXPECT_EQ(ids, want);
}

Result<QueryResult> RunText(const engine::Engine& e, const std::string& text) {
  Result<Query> q = BindQuery(syntax::ParseQueryText(text).value());
  if (!q.ok()) return q.status();
  return Execute(e, "project_logs:p", *q, {});
}

// The fixture's 64 sealed rows plus metadata.model on each (and an int
// metric): every single-version segment row aggregates from columns, r0
// (also in the memtable) is decoded, and the results equal the row path's.
TEST_F(PruneTest, AggregatesSingleVersionRowsFromColumns) {
  std::vector<engine::RowWrite> rows;
  for (int i = 0; i < 8; ++i) {
    json::Object row{{"id", "m" + std::to_string(i)},
                     {"metadata", json::Object{{"model", i % 2 ? "a" : "b"}}},
                     {"metrics", json::Object{{"tokens", i}}}};
    rows.push_back(engine::RowWrite{"project_logs:p", "org0", "", std::move(row)});
  }
  ASSERT_TRUE(engine_->Write(std::move(rows)).ok());
  ASSERT_TRUE(engine_->Seal().ok());
  const std::string agg = "dimensions: metadata.model as m | measures: count(1) as n, "
                          "sum(metrics.tokens) as t, sum(scores.acc) as s, "
                          "percentile(scores.acc, 0.5) as p | from: project_logs('p')";
  Result<QueryResult> cols = RunText(*engine_, agg);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  const json::Value* c = cols->stats.find("columnar");
  ASSERT_NE(c, nullptr) << cols->stats.Dump();
  EXPECT_EQ(*c->find("rows_from_columns"), json::Value(71)) << c->Dump();
  EXPECT_EQ(*c->find("rows_decoded"), json::Value(1)) << c->Dump();  // r0: merged in the memtable
  // `id != ''` reads a field that is no column: the row path.
  Result<QueryResult> rowwise = RunText(*engine_, agg + " | filter: id != ''");
  ASSERT_TRUE(rowwise.ok()) << rowwise.status().ToString();
  EXPECT_EQ(rowwise->stats.find("columnar"), nullptr);
  EXPECT_EQ(json::Value(cols->rows).Dump(), json::Value(rowwise->rows).Dump());
  ASSERT_EQ(cols->rows.size(), 3u);  // "a", "b", and null for the fixture's rows
  for (const json::Value& row : cols->rows) {
    if (*row.find("m") == json::Value("a")) {
      EXPECT_TRUE(row.find("t")->is_int()) << row.Dump();  // integers stay exact
      EXPECT_EQ(*row.find("t"), json::Value(16));           // 1 + 3 + 5 + 7
    }
  }
}

TEST(Bind, HavingAggregatesBecomeHiddenMeasures) {
  Result<Query> q = BindQuery(syntax::ParseSql("SELECT metadata.model AS m, count(*) AS n FROM "
                                               "project_logs('p') GROUP BY 1 HAVING avg(x) > 1 "
                                               "AND count(*) > 2 ORDER BY max(y) DESC")
                                  .value());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->measures.size(), 3u);  // n, then hidden max(y) (sort) and avg(x) (HAVING)
  EXPECT_FALSE(q->measures[0].hidden);
  EXPECT_TRUE(q->measures[1].hidden);
  EXPECT_TRUE(q->measures[2].hidden);
  EXPECT_EQ(WithoutLoc(q->sort[0].expr), J(R"({"op":"ident","name":["$sort1"]})"));
}

TEST(Bind, SummaryHavingComputesPerTrace) {
  Result<Query> q =
      BindQuery(syntax::ParseSql(
                    "SELECT id FROM experiment('e', shape => 'summary') HAVING avg(scores.a) > 0.5")
                    .value());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->shape, Shape::kSummary);
  ASSERT_EQ(q->trace_measures.size(), 1u);
  EXPECT_EQ(q->trace_measures[0].alias, "$agg0");
}

TEST(Syntax, RejectsInvalidUtf8WithItsPlace) {
  Result<json::Value> r = syntax::ParseQueryText("select: 'ok' |\n from: x\xff");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "line 2, column 9: invalid UTF-8");
}

}  // namespace
}  // namespace spanlake::query::exec
