#include <gtest/gtest.h>

#include "io/mem_store.h"
#include "segment/builder.h"
#include "segment/coding.h"
#include "segment/reader.h"

namespace spanlake::segment {
namespace {

Version V(uint64_t xact, uint32_t pos, const char* json) {
  return Version{xact, pos, std::make_shared<const json::Object>(json::Value::Parse(json)->as_object())};
}

// Two containers; "a" has 3 rows (one with 3 versions), a comment; "b" one row.
std::string BuildSample(size_t block_bytes) {
  Builder b({.block_bytes = block_bytes, .created_ms = 1234});
  EXPECT_TRUE(b.StartContainer("dataset:a", "org1", "proj1").ok());
  EXPECT_TRUE(b.AddRow({"c1", {40, 0}, true, "r1",
                        {V(40, 0, R"({"id":"c1","origin":{"id":"r1"},"comment":{"text":"hi"}})")}})
                  .ok());
  EXPECT_TRUE(b.AddRow({"r3", {30, 1}, false, "",
                        {V(30, 1, R"({"id":"r3","root_span_id":"t1","span_attributes":{"name":"llm","type":"llm"},"metrics":{"tokens":7}})")}})
                  .ok());
  EXPECT_TRUE(b.AddRow({"r2", {30, 0}, false, "", {V(30, 0, R"({"id":"r2","scores":{"acc":0.5}})")}}).ok());
  EXPECT_TRUE(b.AddRow({"r1", {10, 0}, false, "",
                        {V(10, 0, R"({"id":"r1","root_span_id":"t1","input":"one","created":"2024-01-01"})"),
                         V(20, 0, R"({"id":"r1","_is_merge":true,"output":"two","metrics":{"tokens":3}})"),
                         V(50, 2, R"({"id":"r1","_object_delete":true})")}})
                  .ok());
  EXPECT_TRUE(b.StartContainer("experiment:b", "org1", "proj2").ok());
  EXPECT_TRUE(b.AddRow({"x", {15, 0}, false, "", {V(15, 0, R"({"id":"x","scores":{"acc":1}})")}}).ok());
  Result<std::string> bytes = b.Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return *bytes;
}

std::shared_ptr<Reader> OpenBytes(io::MemObjectStore& store, const std::string& bytes) {
  EXPECT_TRUE(store.Put("segments/s.seg", bytes).ok());
  auto r = Reader::Open(&store, "segments/s.seg", 0, std::make_shared<BlockCache>(1 << 20));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

class SegmentTest : public ::testing::TestWithParam<size_t> {};

TEST_P(SegmentTest, RoundTripsRowsVersionsAndIndexes) {
  io::MemObjectStore store;
  auto r = OpenBytes(store, BuildSample(GetParam()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->meta().row_count, 5u);
  EXPECT_EQ(r->meta().version_count, 7u);
  EXPECT_EQ(r->meta().min_xact, 10u);
  EXPECT_EQ(r->meta().max_xact, 50u);
  EXPECT_EQ(r->meta().created_ms, 1234u);
  int a = r->FindContainer("dataset:a");
  ASSERT_EQ(a, 0);
  EXPECT_EQ(r->FindContainer("experiment:b"), 1);
  EXPECT_EQ(r->FindContainer("nope"), -1);
  EXPECT_EQ(r->containers()[0].org_id, "org1");
  EXPECT_EQ(r->containers()[1].project_id, "proj2");

  auto r1 = r->FindRow(a, "r1");
  ASSERT_TRUE(r1);
  EXPECT_EQ(r->row(*r1).key, (Key{10, 0}));
  EXPECT_TRUE(r->row(*r1).flags & kRowLastDelete);
  EXPECT_EQ(r->row(*r1).last_xact, 50u);
  std::vector<Version> versions;
  ASSERT_TRUE(r->ReadVersions(*r1, &versions).ok());
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[1].xact, 20u);
  EXPECT_EQ(*versions[1].write->find("output"), json::Value("two"));
  EXPECT_FALSE(r->FindRow(a, "x"));
  EXPECT_TRUE(r->FindRow(1, "x"));

  EXPECT_EQ(r->RowAfter(a, Key{30, 1}), 2u);  // r2 follows r3
  EXPECT_EQ(r->RowAfter(a, Key{100, 0}), 0u);
  EXPECT_EQ(r->RowAfter(a, Key{1, 0}), 4u);  // the container's end
  auto comments = r->CommentsOf(a, "r1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(r->row(comments[0]).id, "c1");
  EXPECT_TRUE(r->row(comments[0]).is_comment());

  auto trace = r->RowsWithRoot(a, "t1");
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->size(), 2u);  // r3 and r1 (by its first version)
  EXPECT_EQ(r->RowsWithRoot(a, "r2")->size(), 1u);  // no root_span_id: the id
  EXPECT_TRUE(r->RowsWithRoot(1, "t1")->empty());

  auto cols = r->Columns();
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  const Column* tokens = (*cols)->Find("metrics.tokens");
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->values.size(), 2u);
  double lo = 1e9, hi = -1e9;
  for (const BlockStat& s : tokens->blocks) {
    if (s.present == 0) continue;
    lo = std::min(lo, s.min_num);
    hi = std::max(hi, s.max_num);
  }
  EXPECT_EQ(lo, 3);
  EXPECT_EQ(hi, 7);
  EXPECT_TRUE((*cols)->Find("span_attributes.name"));
  EXPECT_TRUE((*cols)->Find("created"));
  EXPECT_TRUE((*cols)->Find("scores.acc"));
  auto hits = r->MatchRows(a, "TWO", std::nullopt);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(*hits, (std::vector<uint32_t>{*r1}));
  EXPECT_EQ(r->MatchRows(a, "two", "input")->size(), 0u);  // it is in output
  EXPECT_EQ(r->MatchRows(a, "llm", "span_attributes")->size(), 1u);
  EXPECT_EQ(r->MatchRows(1, "two", std::nullopt)->size(), 0u);  // other container
  EXPECT_EQ(r->MatchRows(a, "hi", std::nullopt)->size(), 0u);    // comments are not indexed
  EXPECT_TRUE(r->VerifyAll().ok());
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, SegmentTest, ::testing::Values(1, 100, 64 << 10));

// Metadata columns and the extras section: `ints` and `others` per column,
// and the distinct-value bound that drops a metadata column.
TEST(SegmentColumns, MetadataColumnsAreExactAndBounded) {
  Builder b({.block_bytes = 100, .created_ms = 1});
  ASSERT_TRUE(b.StartContainer("project_logs:p", "o", "").ok());
  std::string long_model(kMaxMetadataValueBytes + 1, 'x');
  std::vector<std::string> writes = {
      R"({"id":"r0","metadata":{"model":"gpt-4o","user":"u0","a.b":"dotted"},"metrics":{"tokens":10,"start":1.5}})",
      R"({"id":"r1","metadata":{"model":")" + long_model + R"(","user":"u1"},"metrics":{"tokens":2.0}})",
      R"({"id":"r2","metadata":{"model":7,"user":"u2"},"metrics":{"tokens":"many"}})",
      R"({"id":"r3","metadata":{"model":null},"metrics":{"tokens":12345678901234567}})",
      R"({"id":"r4","metrics":{"tokens":1e300}})",
  };
  for (size_t i = 0; i < kMaxMetadataDistinct; ++i) {  // u0 .. u_(max+3): too many users
    writes.push_back(R"({"id":"s)" + std::to_string(i) + R"(","metadata":{"user":"v)" +
                     std::to_string(i) + R"("}})");
  }
  for (size_t i = 0; i < writes.size(); ++i) {
    uint64_t x = 1000 - i;  // rows by PageKey descending
    std::string id = json::Value::Parse(writes[i])->find("id")->as_string();
    ASSERT_TRUE(b.AddRow({id, {x, 0}, false, "", {V(x, 0, writes[i].c_str())}}).ok()) << i;
  }
  io::MemObjectStore store;
  auto r = OpenBytes(store, b.Finish().value());
  ASSERT_TRUE(r);
  auto cols = r->Columns();
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  const Column* model = (*cols)->Find("metadata.model");
  ASSERT_TRUE(model);
  EXPECT_TRUE(model->exact);
  EXPECT_EQ(model->type, ColumnType::kString);
  ASSERT_EQ(model->values.size(), 1u);
  EXPECT_EQ(model->values[0].str, "gpt-4o");
  EXPECT_EQ(model->others, (std::vector<uint64_t>{1, 2, 3}));  // too long, a number, null
  EXPECT_EQ((*cols)->Find("metadata.user"), nullptr);  // more than kMaxMetadataDistinct values
  EXPECT_EQ((*cols)->Find("metadata.a.b"), nullptr);   // a dotted key names no column
  const Column* tokens = (*cols)->Find("metrics.tokens");
  ASSERT_TRUE(tokens);
  EXPECT_TRUE(tokens->exact);
  EXPECT_EQ(tokens->values.size(), 4u);  // 10, 2.0, 12345678901234567, 1e300
  EXPECT_EQ(tokens->ints, (std::vector<uint64_t>{0, 1}));  // 2.0 is written back as 2
  EXPECT_EQ(tokens->others, (std::vector<uint64_t>{2, 3}));  // a string; beyond 2^53
  const Column* start = (*cols)->Find("metrics.start");
  ASSERT_TRUE(start);
  EXPECT_TRUE(start->ints.empty());
  EXPECT_TRUE(r->VerifyAll().ok());
}

TEST(SegmentCorruption, EveryFlippedByteIsRejectedOrHarmless) {
  io::MemObjectStore store;
  std::string good = BuildSample(100);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x20;
    ASSERT_TRUE(store.Put("segments/s.seg", bad).ok());
    auto r = Reader::Open(&store, "segments/s.seg", 0, nullptr);
    Status st = r.ok() ? (*r)->VerifyAll() : r.status();
    // Every byte is covered by a checksum: blocks, sections, directory, footer.
    EXPECT_EQ(st.code(), Code::kCorruption) << "byte " << i << ": " << st.ToString();
  }
}

TEST(SegmentCorruption, TruncationIsRejected) {
  io::MemObjectStore store;
  std::string good = BuildSample(100);
  for (size_t n : {size_t{0}, size_t{10}, good.size() / 2, good.size() - 1}) {
    ASSERT_TRUE(store.Put("segments/s.seg", good.substr(0, n)).ok());
    auto r = Reader::Open(&store, "segments/s.seg", 0, nullptr);
    Status st = r.ok() ? (*r)->VerifyAll() : r.status();
    EXPECT_EQ(st.code(), Code::kCorruption) << n;
  }
}

TEST(SegmentBuilder, RejectsOutOfOrderInput) {
  Builder b;
  EXPECT_FALSE(b.AddRow({"r", {1, 0}, false, "", {V(1, 0, R"({"id":"r"})")}}).ok());
  ASSERT_TRUE(b.StartContainer("b", "o", "").ok());
  EXPECT_FALSE(b.StartContainer("a", "o", "").ok());
  ASSERT_TRUE(b.AddRow({"r", {5, 0}, false, "", {V(5, 0, R"({"id":"r"})")}}).ok());
  EXPECT_FALSE(b.AddRow({"s", {6, 0}, false, "", {V(6, 0, R"({"id":"s"})")}}).ok());
  EXPECT_FALSE(b.AddRow({"s", {4, 0}, false, "", {}}).ok());
}

TEST(SegmentBuilder, EmptySegmentRoundTrips) {
  io::MemObjectStore store;
  Builder b;
  auto bytes = b.Finish();
  ASSERT_TRUE(bytes.ok());
  auto r = OpenBytes(store, *bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->meta().row_count, 0u);
  EXPECT_TRUE(r->VerifyAll().ok());
}

TEST(BlockCacheTest, EvictsLeastRecentlyUsed) {
  BlockCache cache(100);
  auto block = std::make_shared<const Block>();
  cache.Insert(1, 0, block, 60);
  cache.Insert(1, 1, block, 30);
  EXPECT_TRUE(cache.Lookup(1, 0));  // now most recent
  cache.Insert(2, 0, block, 30);    // evicts (1,1)
  EXPECT_TRUE(cache.Lookup(1, 0));
  EXPECT_FALSE(cache.Lookup(1, 1));
  EXPECT_TRUE(cache.Lookup(2, 0));
}

}  // namespace
}  // namespace spanlake::segment
