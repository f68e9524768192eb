// Seal, segments, manifest and recovery: reads across memtables and
// segments, versions split across them, and crashes at every step of a seal.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <thread>

#include "engine/engine.h"
#include "io/faulty_store.h"
#include "io/mem_store.h"

namespace spanlake::engine {
namespace {

class SealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/spanlake-seal-XXXXXX";
    dir_ = mkdtemp(tmpl);
    mem_ = std::make_shared<io::MemObjectStore>();
    faulty_ = std::make_unique<io::FaultyObjectStore>(mem_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Engine> Open(uint64_t seal_bytes = 1 << 30, size_t block_bytes = 256) {
    Options o{.data_dir = dir_, .sync = false, .object_store = faulty_.get(), .seal_bytes = seal_bytes,
              .background_seal = false, .segment_block_bytes = block_bytes};
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  static RowWrite W(const std::string& text, const char* container = "dataset:d") {
    return RowWrite{container, "org", "proj", json::Value::Parse(text)->as_object()};
  }

  static std::vector<json::Value> Rows(const Engine& e, ReadOptions opts = {}, const char* c = "dataset:d") {
    std::vector<json::Value> out;
    Status st = e.ScanRows(c, opts, std::nullopt, [&](json::Value row, const PageKey&) {
      out.push_back(std::move(row));
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  static std::vector<std::string> Ids(const std::vector<json::Value>& rows) {
    std::vector<std::string> ids;
    for (const json::Value& r : rows) ids.push_back(r.find("id")->as_string());
    return ids;
  }

  std::string dir_;
  std::shared_ptr<io::MemObjectStore> mem_;
  std::unique_ptr<io::FaultyObjectStore> faulty_;
};

TEST_F(SealTest, SealedRowsReadTheSameAndSurviveReopen) {
  auto e = Open();
  for (int i = 0; i < 50; ++i) {
    e->Write({W("{\"id\":\"r" + std::to_string(i) + "\",\"input\":\"text " + std::to_string(i) +
                "\",\"metrics\":{\"tokens\":" + std::to_string(i) + "}}")})
        .value();
  }
  e->Write({W(R"({"id":"x","input":1})", "experiment:e")}).value();
  std::vector<json::Value> before = Rows(*e);
  ASSERT_EQ(before.size(), 50u);
  ASSERT_TRUE(e->Seal().ok());
  EXPECT_EQ(e->stats().segments, 1u);
  EXPECT_EQ(e->stats().manifest_seq, 1u);
  EXPECT_EQ(Rows(*e), before);
  EXPECT_EQ(Rows(*e, {}, "experiment:e").size(), 1u);
  uint64_t last = e->last_xact();
  e.reset();
  e = Open();
  EXPECT_EQ(Rows(*e), before);
  EXPECT_EQ(e->last_xact(), last);
  EXPECT_GT(e->Write({W(R"({"id":"new"})")}).value(), last);
  EXPECT_EQ(e->CountRows("dataset:d", std::nullopt), 51u);
}

TEST_F(SealTest, VersionsSplitAcrossSegmentsAndMemtableFoldInOrder) {
  auto e = Open();
  uint64_t x1 = e->Write({W(R"({"id":"a","input":"one","tags":["t1"]})"), W(R"({"id":"b"})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  uint64_t x2 = e->Write({W(R"({"id":"a","_is_merge":true,"output":"two","tags":["t2"]})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  uint64_t x3 = e->Write({W(R"({"id":"a","_is_merge":true,"metadata":{"k":3}})")}).value();
  e->Write({W(R"({"id":"c"})")}).value();
  EXPECT_EQ(e->stats().segments, 2u);

  auto check = [&](Engine& eng) {
    std::vector<json::Value> rows = Rows(eng);
    ASSERT_EQ(Ids(rows), (std::vector<std::string>{"c", "b", "a"}));  // a keeps its first key
    const json::Value& a = rows[2];
    EXPECT_EQ(*a.find("input"), json::Value("one"));
    EXPECT_EQ(*a.find("output"), json::Value("two"));
    EXPECT_EQ(*a.find("metadata"), json::Value::Parse(R"({"k":3})").value());
    EXPECT_EQ(*a.find("tags"), json::Value::Parse(R"(["t1","t2"])").value());
    EXPECT_EQ(*a.find("_xact_id"), json::Value(XactToString(x3)));
    auto old = Rows(eng, {.as_of = x2});
    ASSERT_EQ(Ids(old), (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(old[1].find("metadata"), nullptr);
    EXPECT_EQ(*old[1].find("output"), json::Value("two"));
    auto oldest = Rows(eng, {.as_of = x1});
    ASSERT_EQ(oldest.size(), 2u);
    EXPECT_EQ(oldest[1].find("output"), nullptr);
    EXPECT_EQ(eng.CountRows("dataset:d", x1), 2u);
  };
  check(*e);
  e.reset();
  e = Open();
  check(*e);
}

TEST_F(SealTest, DeletesInNewerSourcesHideOlderVersions) {
  auto e = Open();
  uint64_t x1 = e->Write({W(R"({"id":"a","input":1})"), W(R"({"id":"b","input":2})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  e->Write({W(R"({"id":"a","_object_delete":true})")}).value();
  EXPECT_EQ(Ids(Rows(*e)), (std::vector<std::string>{"b"}));
  EXPECT_EQ(e->CountRows("dataset:d", std::nullopt), 1u);
  EXPECT_EQ(e->CountRows("dataset:d", x1), 2u);
  EXPECT_FALSE(e->LookupId("dataset:d", "a", {}).value().has_value());
  ASSERT_TRUE(e->Seal().ok());
  EXPECT_EQ(e->CountRows("dataset:d", std::nullopt), 1u);
  EXPECT_EQ(Ids(Rows(*e, {.as_of = x1})), (std::vector<std::string>{"b", "a"}));
  e->Write({W(R"({"id":"a","input":"back"})")}).value();  // re-created: keeps its place
  EXPECT_EQ(Ids(Rows(*e)), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(*e->LookupId("dataset:d", "a", {}).value()->find("input"), json::Value("back"));
}

TEST_F(SealTest, CommentsAttachAcrossSources) {
  auto e = Open();
  e->Write({W(R"({"id":"a","input":1})"), W(R"({"id":"b","input":2})")}).value();
  e->Write({W(R"({"id":"c1","origin":{"id":"a"},"comment":{"text":"sealed"}})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  e->Write({W(R"({"id":"c2","origin":{"id":"a"},"comment":{"text":"fresh"}})")}).value();
  e->Write({W(R"({"id":"c1","origin":{"id":"a"},"comment":{"text":"edited"}})")}).value();
  std::vector<json::Value> rows = Rows(*e);
  ASSERT_EQ(Ids(rows), (std::vector<std::string>{"b", "a"}));
  const json::Value* comments = rows[1].find("comments");
  ASSERT_TRUE(comments && comments->is_array());
  ASSERT_EQ(comments->as_array().size(), 2u);
  EXPECT_EQ(*comments->as_array()[0].find("comment")->find("text"), json::Value("edited"));
  EXPECT_EQ(*comments->as_array()[1].find("comment")->find("text"), json::Value("fresh"));
  EXPECT_EQ(rows[0].find("comments"), nullptr);
  EXPECT_EQ(e->CountRows("dataset:d", std::nullopt), 2u);
}

TEST_F(SealTest, PagingNeitherSkipsNorRepeatsAcrossSeals) {
  auto e = Open();
  for (int i = 0; i < 30; ++i) e->Write({W("{\"id\":\"r" + std::to_string(i) + "\"}")}).value();
  std::vector<std::string> seen;
  std::optional<PageKey> cursor;
  for (int page = 0; page < 100; ++page) {
    int n = 0;
    std::optional<PageKey> last;
    ASSERT_TRUE(e->ScanRows("dataset:d", {}, cursor, [&](json::Value row, const PageKey& k) {
                   seen.push_back(row.find("id")->as_string());
                   last = k;
                   return ++n < 4;
                 }).ok());
    e->Write({W("{\"id\":\"new" + std::to_string(page) + "\"}"),
              W("{\"id\":\"r" + std::to_string(page % 30) + "\",\"_is_merge\":true,\"p\":1}")})
        .value();
    if (page % 2 == 0) {
      ASSERT_TRUE(e->Seal().ok());
    }
    if (!last) break;
    cursor = last;
  }
  ASSERT_EQ(seen.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(seen[i], "r" + std::to_string(29 - i));
}

TEST_F(SealTest, LookupsByIdAndRootSpanAcrossSources) {
  auto e = Open();
  e->Write({W(R"({"id":"s1","root_span_id":"t","span_id":"s1"})"),
            W(R"({"id":"s2","root_span_id":"t","span_id":"s2","span_parents":["s1"]})"),
            W(R"({"id":"o","root_span_id":"u"})")})
      .value();
  ASSERT_TRUE(e->Seal().ok());
  e->Write({W(R"({"id":"s3","root_span_id":"t","span_parents":["s1"]})"),
            W(R"({"id":"s2","_is_merge":true,"output":"done"})")})
      .value();
  std::vector<std::string> trace;
  std::vector<json::Value> rows;
  ASSERT_TRUE(e->LookupRoot("dataset:d", "t", {}, std::nullopt, [&](json::Value r, const PageKey&) {
                 trace.push_back(r.find("id")->as_string());
                 rows.push_back(std::move(r));
                 return true;
               }).ok());
  EXPECT_EQ(trace, (std::vector<std::string>{"s3", "s2", "s1"}));
  EXPECT_EQ(*rows[1].find("output"), json::Value("done"));
  auto s2 = e->LookupId("dataset:d", "s2", {});
  ASSERT_TRUE(s2.ok() && s2->has_value());
  EXPECT_EQ(*(*s2)->find("output"), json::Value("done"));
  EXPECT_FALSE(e->LookupId("dataset:d", "nope", {}).value().has_value());
  EXPECT_FALSE(e->LookupId("dataset:other", "s1", {}).value().has_value());
}

TEST_F(SealTest, FullTextCandidatesComeFromPostingsAndTheMemtable) {
  auto e = Open();
  e->Write({W(R"({"id":"a","input":"the capital of France"})"), W(R"({"id":"b","input":"nothing here"})")})
      .value();
  ASSERT_TRUE(e->Seal().ok());
  e->Write({W(R"({"id":"c","output":"unrelated"})")}).value();
  std::vector<std::string> ids;
  auto collect = [&](json::Value r, const PageKey&) {
    ids.push_back(r.find("id")->as_string());
    return true;
  };
  ASSERT_TRUE(e->MatchCandidates("dataset:d", "capital of france", std::nullopt, {}, std::nullopt, collect).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "a"}));  // the memtable row is a candidate
  ids.clear();
  ASSERT_TRUE(e->MatchCandidates("dataset:d", "capital", std::string("output"), {}, std::nullopt, collect).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"c"}));
}

TEST_F(SealTest, BackgroundSealBySize) {
  Options o{.data_dir = dir_, .sync = false, .object_store = mem_.get(), .seal_bytes = 2000};
  auto e = Engine::Open(o).value();
  for (int i = 0; i < 200; ++i) e->Write({W("{\"id\":\"r" + std::to_string(i) + "\",\"input\":\"xxxxxxxxxxxxxxxx\"}")}).value();
  for (int i = 0; i < 500 && e->stats().frozen_memtables > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(e->stats().segments, 3u);
  EXPECT_EQ(Rows(*e).size(), 200u);
  e.reset();
  e = Engine::Open(o).value();
  EXPECT_EQ(Rows(*e).size(), 200u);
}

// The acknowledged rows are all there, each once, with their content.
void ExpectRows(const Engine& e, const std::map<std::string, int>& want) {
  std::map<std::string, int> got;
  Status st = e.ScanRows("dataset:d", {}, std::nullopt, [&](json::Value row, const PageKey&) {
    std::string id = row.find("id")->as_string();
    EXPECT_EQ(got.count(id), 0u) << "row " << id << " seen twice";
    got[id] = static_cast<int>(row.find("n")->as_int());
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(got, want);
}

// A dead store from the n-th write on, for every n that hits a seal: the
// seal fails, the process "crashes" (the engine is dropped), the store comes
// back, and recovery has every acknowledged row exactly once.
TEST_F(SealTest, CrashAtEveryStepOfSealLosesNothing) {
  for (int n = 1; n <= 8; ++n) {
    TearDown();
    SetUp();
    std::map<std::string, int> want;
    {
      auto e = Open();
      for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i) {
          std::string id = "r" + std::to_string(i + round * 3);  // overlaps: updates
          int value = round * 10 + i;
          e->Write({W("{\"id\":\"" + id + "\",\"n\":" + std::to_string(value) + "}")}).value();
          want[id] = value;
        }
        if (round == 1) faulty_->AddRule(io::FaultRule::FailFrom(io::kWriteOps, "", n));
        (void)e->Seal();
      }
    }
    faulty_->ClearRules();
    auto e = Open();
    ExpectRows(*e, want);
    ASSERT_TRUE(e->Seal().ok());
    ExpectRows(*e, want);
    e.reset();
    ExpectRows(*Open(), want);
  }
}

TEST_F(SealTest, TornManifestIsSkippedAndSealingContinues) {
  std::map<std::string, int> want;
  {
    auto e = Open();
    e->Write({W(R"({"id":"a","n":1})")}).value();
    ASSERT_TRUE(e->Seal().ok());
    e->Write({W(R"({"id":"b","n":2})"), W(R"({"id":"a","n":3})")}).value();
    faulty_->AddRule(io::FaultRule::TearNext("manifest/", 10));
    EXPECT_FALSE(e->Seal().ok());
    ExpectRows(*e, {{"a", 3}, {"b", 2}});  // the frozen memtable stays readable
    ASSERT_TRUE(e->Seal().ok());           // retried past the torn name
    ExpectRows(*e, {{"a", 3}, {"b", 2}});
    e->Write({W(R"({"id":"c","n":4})")}).value();
    faulty_->AddRule(io::FaultRule::TearNext("manifest/", 10));
    EXPECT_FALSE(e->Seal().ok());
  }
  auto e = Open();
  ExpectRows(*e, {{"a", 3}, {"b", 2}, {"c", 4}});
  ASSERT_TRUE(e->Seal().ok());
  ExpectRows(*Open(), {{"a", 3}, {"b", 2}, {"c", 4}});
}

TEST_F(SealTest, OrphanSegmentsAreDeletedAtOpen) {
  {
    auto e = Open();
    e->Write({W(R"({"id":"a","n":1})")}).value();
    faulty_->AddRule(io::FaultRule::FailNth(io::Ops(io::StoreOp::kPutIfAbsent), "manifest/", 1));
    EXPECT_FALSE(e->Seal().ok());
  }
  EXPECT_EQ(mem_->List("segments/")->size(), 1u);
  auto e = Open();
  EXPECT_EQ(mem_->List("segments/")->size(), 0u);
  ExpectRows(*e, {{"a", 1}});
}

TEST_F(SealTest, ManifestRoundTripAndCorruption) {
  Manifest m{.seq = 7, .wal_high_water = 123456789012345678ull};
  m.segments.push_back(SegmentInfo{"segments/x.seg", 10, 2, 3, 5, 9, {"a", "b"}});
  std::string bytes = m.Encode();
  auto back = Manifest::Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 1;
    EXPECT_EQ(Manifest::Decode(bad).status().code(), Code::kCorruption) << i;
  }
  EXPECT_FALSE(Manifest::Decode(bytes.substr(0, bytes.size() - 1)).ok());
}

// Backpressure and parallel sealing. Each write below is one row whose WAL
// payload (about 80 bytes) passes seal_bytes, so every write freezes.
Options SmallSeals(const std::string& dir, io::ObjectStore* store) {
  return Options{.data_dir = dir, .sync = false, .object_store = store, .seal_bytes = 50,
                 .background_seal = false, .max_frozen_bytes = uint64_t{1} << 40};
}

std::string Row(int i, int n) { return "{\"id\":\"r" + std::to_string(i) + "\",\"n\":" + std::to_string(n) + "}"; }

// Waits (bounded) until `done` holds; asserts no duration.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 3000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST_F(SealTest, WritesPastTheBoundStallUntilASealMakesRoom) {
  Options o = SmallSeals(dir_, mem_.get());
  o.max_frozen_bytes = 100;
  o.max_write_stall = std::chrono::minutes(5);  // only the seal below ends the wait
  auto e = Engine::Open(o).value();
  e->Write({W(Row(0, 0))}).value();
  e->Write({W(Row(1, 1))}).value();
  ASSERT_GE(e->stats().frozen_bytes, 100u);
  Result<uint64_t> third = Status::Internal("not run");
  std::thread writer([&] { third = e->Write({W(Row(2, 2))}); });
  ASSERT_TRUE(Eventually([&] { return e->stats().writes_stalled_now == 1; }));
  ExpectRows(*e, {{"r0", 0}, {"r1", 1}});  // the stalled write is not visible yet
  ASSERT_TRUE(e->Seal().ok());
  writer.join();
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  ExpectRows(*e, {{"r0", 0}, {"r1", 1}, {"r2", 2}});
  EngineStats st = e->stats();
  EXPECT_EQ(st.write_stalls, 1u);
  EXPECT_EQ(st.writes_refused, 0u);
  EXPECT_EQ(st.writes_stalled_now, 0u);
  EXPECT_LT(st.frozen_bytes, 100u);  // the third write's memtable, unless the seal took it too
}

TEST_F(SealTest, WhenSealingFailsStalledWritesAreRefusedAndLeaveNoTrace) {
  faulty_->AddRule(io::FaultRule::FailFrom(io::kWriteOps, "segments/", 1));
  Options o = SmallSeals(dir_, faulty_.get());
  o.background_seal = true;  // it tries, and fails
  o.max_frozen_bytes = 100;
  o.max_write_stall = std::chrono::milliseconds(100);
  {
    auto e = Engine::Open(o).value();
    e->Write({W(Row(0, 0))}).value();
    e->Write({W(Row(1, 1))}).value();
    Result<uint64_t> refused = e->Write({W(Row(2, 2)), W(Row(0, 9))});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Code::kUnavailable);
    EXPECT_NE(refused.status().message().find("ingest is ahead of sealing"), std::string::npos)
        << refused.status().message();
    ExpectRows(*e, {{"r0", 0}, {"r1", 1}});
    EXPECT_EQ(e->stats().writes_refused, 1u);
  }
  faulty_->ClearRules();
  o.background_seal = false;
  auto e = Engine::Open(o).value();  // replays the WAL: the refused write is not in it
  ExpectRows(*e, {{"r0", 0}, {"r1", 1}});
  ASSERT_TRUE(e->Seal().ok());
  ExpectRows(*Engine::Open(o).value(), {{"r0", 0}, {"r1", 1}});
}

TEST_F(SealTest, ParallelSealPublishesOldestFirst) {
  Options o = SmallSeals(dir_, mem_.get());
  o.seal_threads = 3;
  auto e = Engine::Open(o).value();
  uint64_t last = 0;
  for (int n = 0; n < 7; ++n) last = e->Write({W(Row(n % 2, n))}).value();  // updates of r0, r1
  ASSERT_EQ(e->stats().frozen_memtables, 7u);
  ASSERT_TRUE(e->Seal().ok());
  EXPECT_EQ(e->stats().seals, 7u);
  LoadedManifest m = LoadLatestManifest(*mem_).value();
  ASSERT_EQ(m.manifest.segments.size(), 7u);
  EXPECT_EQ(m.manifest.wal_high_water, last);
  for (size_t i = 1; i < m.manifest.segments.size(); ++i) {
    EXPECT_LT(m.manifest.segments[i - 1].max_xact, m.manifest.segments[i].min_xact) << i;
    EXPECT_LT(m.manifest.segments[i - 1].key, m.manifest.segments[i].key) << i;
  }
  ExpectRows(*e, {{"r0", 6}, {"r1", 5}});
  e.reset();
  ExpectRows(*Engine::Open(o).value(), {{"r0", 6}, {"r1", 5}});
}

// Two memtables built together; the second's segment put fails: the first
// is published, the rest stay in the WAL, and a crash there loses nothing.
TEST_F(SealTest, CrashBetweenTwoParallelBuildsLosesNothing) {
  Options o = SmallSeals(dir_, faulty_.get());
  o.seal_threads = 2;
  uint64_t first = 0;
  {
    auto e = Engine::Open(o).value();
    first = e->Write({W(Row(0, 0))}).value();
    e->Write({W(Row(1, 1))}).value();
    e->Write({W(Row(0, 2))}).value();
    faulty_->AddRule(io::FaultRule::FailNth(io::Ops(io::StoreOp::kPut), "segments/", 2));
    EXPECT_FALSE(e->Seal().ok());
    ExpectRows(*e, {{"r0", 2}, {"r1", 1}});
    EXPECT_EQ(e->stats().frozen_memtables, 2u);
  }
  faulty_->ClearRules();
  LoadedManifest m = LoadLatestManifest(*mem_).value();
  ASSERT_EQ(m.manifest.segments.size(), 1u);
  EXPECT_EQ(m.manifest.wal_high_water, first);
  auto e = Engine::Open(o).value();
  ExpectRows(*e, {{"r0", 2}, {"r1", 1}});
  ASSERT_TRUE(e->Seal().ok());
  e.reset();
  ExpectRows(*Engine::Open(o).value(), {{"r0", 2}, {"r1", 1}});
}

}  // namespace
}  // namespace spanlake::engine
