// Compaction and retention on an in-memory store: merged segments read the
// same (rows, keys, comments, as-of), deletes and expired rows leave the
// store, readers keep their snapshots, and a crash at each step recovers.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "base/time.h"
#include "engine/engine.h"
#include "engine/xact.h"
#include "io/faulty_store.h"
#include "io/mem_store.h"

namespace spanlake::engine {
namespace {

class CompactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/spanlake-compact-XXXXXX";
    dir_ = mkdtemp(tmpl);
    mem_ = std::make_shared<io::MemObjectStore>();
    faulty_ = std::make_unique<io::FaultyObjectStore>(mem_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Options Opts() {
    Options o{.data_dir = dir_, .sync = false, .object_store = faulty_.get(), .seal_bytes = 1 << 30,
              .background_seal = false, .segment_block_bytes = 256};
    o.compaction = PolicyOptions{.fanout = 4, .base_bytes = 1 << 20, .max_output_bytes = 1 << 30};
    o.history_seconds = UINT64_MAX;
    o.delete_grace_seconds = 0;
    return o;
  }
  std::unique_ptr<Engine> Open(Options o) {
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  static RowWrite W(const std::string& text, const char* container = "dataset:d") {
    return RowWrite{container, "org", "proj", json::Value::Parse(text)->as_object()};
  }

  // Every row as read, with its paging key, as one comparable string each.
  static std::vector<std::string> Dump(const Engine& e, ReadOptions opts = {}, const char* c = "dataset:d") {
    std::vector<std::string> out;
    Status st = e.ScanRows(c, opts, std::nullopt, [&](json::Value row, const PageKey& key) {
      out.push_back(key.Encode() + " " + row.Dump());
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::set<std::string> StoredSegments() {
    std::set<std::string> out;
    std::vector<io::ObjectInfo> objects = mem_->List(kSegmentPrefix).value();
    for (const io::ObjectInfo& o : objects) out.insert(o.key);
    return out;
  }
  std::set<std::string> ManifestSegments() {
    std::set<std::string> out;
    Manifest m = LoadLatestManifest(*mem_).value().manifest;  // a local: value() is a reference
    for (const SegmentInfo& s : m.segments) out.insert(s.key);
    return out;
  }

  // Four sealed segments: updates, merges, a delete, comments, two containers.
  std::vector<uint64_t> WriteHistory(Engine& e) {
    std::vector<uint64_t> x;
    x.push_back(e.Write({W(R"({"id":"a","input":"one","tags":["t1"]})"), W(R"({"id":"b","input":"bee"})"),
                         W(R"({"id":"gone","input":"soon deleted"})"), W(R"({"id":"x"})", "experiment:e")}).value());
    EXPECT_TRUE(e.Seal().ok());
    x.push_back(e.Write({W(R"({"id":"a","_is_merge":true,"output":"two","tags":["t2"]})"),
                         W(R"({"id":"c1","origin":{"id":"a"},"comment":{"text":"nice"}})")}).value());
    EXPECT_TRUE(e.Seal().ok());
    x.push_back(e.Write({W(R"({"id":"gone","_object_delete":true})"), W(R"({"id":"c","input":"see"})")}).value());
    EXPECT_TRUE(e.Seal().ok());
    x.push_back(e.Write({W(R"({"id":"a","_is_merge":true,"metadata":{"k":3}})"), W(R"({"id":"b","input":"bee2"})")}).value());
    EXPECT_TRUE(e.Seal().ok());
    return x;
  }

  std::string dir_;
  std::shared_ptr<io::MemObjectStore> mem_;
  std::unique_ptr<io::FaultyObjectStore> faulty_;
};

TEST_F(CompactTest, MergeKeepsRowsKeysCommentsAndHistory) {
  auto e = Open(Opts());
  std::vector<uint64_t> x = WriteHistory(*e);
  std::vector<std::string> now = Dump(*e), exp = Dump(*e, {}, "experiment:e");
  std::vector<std::vector<std::string>> as_of;
  for (uint64_t v : x) as_of.push_back(Dump(*e, {.as_of = v}));
  ASSERT_EQ(now.size(), 3u);  // a, b, c; "gone" deleted; comment attached to a
  EXPECT_NE(now.back().find("nice"), std::string::npos);
  ASSERT_EQ(e->stats().segments, 4u);

  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(e->stats().segments, 1u);
  EXPECT_EQ(e->stats().compactions, 1u);
  EXPECT_EQ(Dump(*e), now);
  EXPECT_EQ(Dump(*e, {}, "experiment:e"), exp);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(Dump(*e, {.as_of = x[i]}), as_of[i]) << i;
  EXPECT_EQ(StoredSegments(), ManifestSegments());  // grace 0, no snapshot holds the inputs
  e.reset();
  e = Open(Opts());
  EXPECT_EQ(Dump(*e), now);
  EXPECT_EQ(Dump(*e, {.as_of = x[1]}), as_of[1]);
}

TEST_F(CompactTest, FoldingPastTheHorizonKeepsCurrentStateAndDropsTombstones) {
  Options o = Opts();
  o.history_seconds = 0;  // fold everything
  auto e = Open(o);
  WriteHistory(*e);
  std::vector<std::string> now = Dump(*e);
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(Dump(*e), now);
  Manifest m = LoadLatestManifest(*mem_).value().manifest;
  ASSERT_EQ(m.segments.size(), 1u);
  // a, b, c, comment c1, experiment x: "gone" left no tombstone; one version each.
  EXPECT_EQ(m.segments[0].rows, 5u);
  EXPECT_EQ(m.segments[0].versions, 5u);
  // Writes after folding still merge onto the folded state.
  e->Write({W(R"({"id":"a","_is_merge":true,"scores":{"s":1}})")}).value();
  std::vector<std::string> after = Dump(*e);
  EXPECT_NE(after.back().find("\"output\":\"two\""), std::string::npos);
  EXPECT_NE(after.back().find("\"scores\""), std::string::npos);
}

// The merge alone: a delete of an id that an older segment outside the job
// holds must keep its tombstone (and not fold), else the old row returns.
TEST_F(CompactTest, TombstoneKeptWhileAnOlderSegmentHoldsTheId) {
  Options opts = Opts();
  opts.compaction.fanout = 2;
  auto e = Open(opts);
  e->Write({W(R"({"id":"old","input":"in the oldest segment"})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  e->Write({W(R"({"id":"old","_object_delete":true})"), W(R"({"id":"k","input":1})")}).value();
  e->Write({W(R"({"id":"k","_is_merge":true,"output":2})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  std::shared_ptr<const Snapshot> snap = e->GetSnapshot();
  ASSERT_EQ(snap->segments.size(), 2u);
  const segment::Reader* oldest = snap->segments[1].get();
  const segment::Reader* newer = snap->segments[0].get();
  MergeOptions o{.history_horizon_xact = e->last_xact()};  // fold everything
  auto rows_of = [](const MergeResult& r) { return r.stats.rows; };
  Result<MergeResult> with_older = MergeSegments({newer}, {oldest}, o);
  ASSERT_TRUE(with_older.ok()) << with_older.status().ToString();
  EXPECT_EQ(rows_of(*with_older), 2u);  // the tombstone of "old" and k
  EXPECT_EQ(with_older->tombstones_dropped, 0u);
  EXPECT_EQ(with_older->stats.versions, 2u);  // k folded to one version, the tombstone kept
  Result<MergeResult> alone = MergeSegments({newer}, {}, o);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(rows_of(*alone), 1u);  // nothing older: the tombstone goes
  EXPECT_EQ(alone->tombstones_dropped, 1u);
  // And through the engine: after compaction "old" stays deleted.
  std::vector<std::string> now = Dump(*e);
  snap.reset();
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(e->stats().segments, 1u);
  EXPECT_EQ(Dump(*e), now);
  ASSERT_EQ(now.size(), 1u);
}

TEST_F(CompactTest, ReaderSnapshotOutlivesCompaction) {
  auto e = Open(Opts());
  WriteHistory(*e);
  std::vector<std::string> now = Dump(*e);
  std::shared_ptr<const Snapshot> held = e->GetSnapshot();
  std::set<std::string> before = StoredSegments();
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(e->stats().pending_deletes, 4u);
  for (const std::string& k : before) EXPECT_TRUE(StoredSegments().count(k)) << k;  // still readable
  size_t n = 0;
  ASSERT_TRUE(SnapshotReader(held, "dataset:d").Scan({}, std::nullopt, [&](json::Value, const PageKey&) {
    ++n;
    return true;
  }).ok());
  EXPECT_EQ(n, now.size());
  held.reset();
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(e->stats().pending_deletes, 0u);
  EXPECT_EQ(StoredSegments(), ManifestSegments());
}

TEST_F(CompactTest, GraceKeepsReplacedObjectsAcrossRestart) {
  Options o = Opts();
  o.delete_grace_seconds = 3600;
  auto e = Open(o);
  WriteHistory(*e);
  std::set<std::string> before = StoredSegments();
  ASSERT_TRUE(e->Compact().ok());
  e.reset();
  e = Open(o);  // recovery must not treat them as orphans
  EXPECT_EQ(StoredSegments().size(), before.size() + 1);
  EXPECT_EQ(LoadLatestManifest(*mem_).value().manifest.pending_deletes.size(), 4u);
  e.reset();
  o.delete_grace_seconds = 0;
  e = Open(o);  // still due at the old time: kept
  EXPECT_EQ(StoredSegments().size(), before.size() + 1);
}

TEST_F(CompactTest, CrashAtEachStepLeavesOldOrNewState) {
  struct Fault {
    const char* name;
    io::FaultRule rule;
    size_t kept_orphans = 0;  // a torn manifest makes recovery keep unlisted segments
  };
  std::vector<Fault> faults = {
      {"segment put", io::FaultRule::FailNth(io::Ops(io::StoreOp::kPut), "segments/", 1)},
      {"segment reopen", io::FaultRule::FailNth(io::Ops(io::StoreOp::kGetRange) | io::Ops(io::StoreOp::kGet), "segments/", 1)},
      {"manifest publish", io::FaultRule::FailNth(io::Ops(io::StoreOp::kPutIfAbsent), "manifest/", 1)},
      {"torn manifest", io::FaultRule::TearNext("manifest/", 10), 1},
      {"delete", io::FaultRule::FailFrom(io::Ops(io::StoreOp::kDelete), "segments/", 1)},
  };
  for (const Fault& f : faults) {
    SetUp();
    auto e = Open(Opts());
    WriteHistory(*e);
    std::vector<std::string> now = Dump(*e);
    faulty_->AddRule(f.rule);
    (void)e->Compact();  // may fail: the engine must still read the same
    EXPECT_EQ(Dump(*e), now) << f.name;
    e.reset();  // the crash
    faulty_->ClearRules();
    e = Open(Opts());
    ASSERT_NE(e, nullptr) << f.name;
    EXPECT_EQ(Dump(*e), now) << f.name;
    ASSERT_TRUE(e->Compact().ok()) << f.name;
    EXPECT_EQ(Dump(*e), now) << f.name;
    EXPECT_EQ(e->stats().segments, 1u) << f.name;
    EXPECT_EQ(StoredSegments().size(), ManifestSegments().size() + f.kept_orphans) << f.name;
    for (const std::string& k : ManifestSegments()) EXPECT_TRUE(StoredSegments().count(k)) << f.name;
    e.reset();
    TearDown();
  }
}

TEST_F(CompactTest, RetentionPurgesExpiredRowsFromTheStore) {
  Options o = Opts();
  o.retention_days = 2;
  auto e = Open(o);
  std::string old = FormatIsoMillis(NowMillis() - 5 * 86'400'000LL);
  e->Write({W(R"({"id":"old","input":"secret","created":")" + old + R"("})"), W(R"({"id":"new"})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  ASSERT_TRUE(e->Compact().ok());
  std::vector<std::string> rows = Dump(*e);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("\"new\""), std::string::npos);
  EXPECT_EQ(e->stats().rows_expired, 1u);
  EXPECT_EQ(StoredSegments(), ManifestSegments());
  for (const std::string& k : StoredSegments()) {
    EXPECT_EQ(mem_->Get(k).value().find("secret"), std::string::npos) << k;  // (uncompressed short strings)
  }
  ASSERT_TRUE(e->Compact().ok());  // no rewrite loop
  EXPECT_EQ(e->stats().compactions, 1u);
}

TEST_F(CompactTest, DeletedContainerIsPurgedAndItsSegmentDropped) {
  Options o = Opts();
  std::atomic<bool> deleted{false};
  o.retention = [&](const std::string& c) { return Retention{.deleted = deleted && c == "experiment:e"}; };
  auto e = Open(o);
  e->Write({W(R"({"id":"x"})", "experiment:e")}).value();
  ASSERT_TRUE(e->Seal().ok());
  e->Write({W(R"({"id":"y"})", "experiment:e"), W(R"({"id":"k"})")}).value();
  ASSERT_TRUE(e->Seal().ok());
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(Dump(*e, {}, "experiment:e").size(), 2u);
  deleted = true;
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_TRUE(Dump(*e, {}, "experiment:e").empty());
  EXPECT_EQ(Dump(*e).size(), 1u);
  EXPECT_EQ(e->stats().segments, 1u);  // the first dropped whole, the second rewritten
  EXPECT_EQ(StoredSegments(), ManifestSegments());
  EXPECT_EQ(StoredSegments().size(), 1u);
}

TEST_F(CompactTest, ConcurrentWritesAndReadsDuringBackgroundCompaction) {
  Options o = Opts();
  o.seal_bytes = 2000;
  o.background_seal = true;
  o.background_compaction = true;
  o.compaction.base_bytes = 4096;
  auto e = Open(o);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    size_t last = 0;
    while (!done) {
      size_t n = e->CountRows("dataset:d", std::nullopt);
      if (n < last) ++bad;  // rows never disappear
      last = n;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        std::string id = "w" + std::to_string(t) + "-" + std::to_string(i);
        e->Write({W("{\"id\":\"" + id + "\",\"input\":\"some text to fill the memtable\"}")}).value();
        if (i % 3 == 0) e->Write({W("{\"id\":\"" + id + "\",\"_is_merge\":true,\"output\":" + std::to_string(i) + "}")}).value();
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_EQ(bad, 0);
  ASSERT_TRUE(e->Seal().ok());
  ASSERT_TRUE(e->Compact().ok());
  EXPECT_EQ(e->CountRows("dataset:d", std::nullopt), 600u);
  EXPECT_LT(e->stats().segments, 12u);
  EXPECT_EQ(e->LookupId("dataset:d", "w1-297", {}).value()->find("output")->as_int(), 297);
  e.reset();
  e = Open(Opts());
  EXPECT_EQ(e->CountRows("dataset:d", std::nullopt), 600u);
}

}  // namespace
}  // namespace spanlake::engine
