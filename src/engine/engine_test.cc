#include "engine/engine.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

namespace spanlake::engine {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/spanlake-engine-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Engine> Open() {
    auto e = Engine::Open({.data_dir = dir_});
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }

  static RowWrite W(const char* text) {
    return RowWrite{"dataset:d", "org", "proj", json::Value::Parse(text)->as_object()};
  }

  static std::vector<json::Value> Rows(const Engine& e, ReadOptions opts = {}) {
    std::vector<json::Value> out;
    e.Scan("dataset:d", opts, std::nullopt, [&](json::Value row, const PageKey&) {
      out.push_back(std::move(row));
      return true;
    });
    return out;
  }

  std::string dir_;
};

// The UI's live tail: a waiter wakes only for a write to its container.
TEST_F(EngineTest, WaitForContainerXactAfterIgnoresOtherContainers) {
  auto e = Open();
  EXPECT_EQ(e->ContainerXact("dataset:d"), 0u);
  uint64_t x1 = e->Write({W(R"({"id":"a"})")}).value();
  EXPECT_EQ(e->ContainerXact("dataset:d"), x1);
  RowWrite other = W(R"({"id":"z"})");
  other.container = "dataset:other";
  uint64_t x2 = e->Write({other}).value();
  EXPECT_EQ(e->ContainerXact("dataset:d"), x1);  // another container's write is not ours
  EXPECT_EQ(e->ContainerXact("dataset:other"), x2);
  // Only the other container was written after x1: times out with our newest.
  EXPECT_EQ(e->WaitForContainerXactAfter("dataset:d", x1, std::chrono::milliseconds(1)), x1);
  uint64_t x3 = 0;
  std::thread writer([&] {
    RowWrite more = W(R"({"id":"y"})");
    more.container = "dataset:other";
    EXPECT_TRUE(e->Write({more}).ok());
    x3 = e->Write({W(R"({"id":"b"})")}).value();
  });
  uint64_t seen = e->WaitForContainerXactAfter("dataset:d", x1, std::chrono::minutes(5));
  writer.join();
  EXPECT_EQ(seen, x3);
  EXPECT_EQ(e->ContainerXact("dataset:d"), x3);
}

TEST_F(EngineTest, WritesAreVisibleAndSurviveReopen) {
  uint64_t x1, x2;
  {
    auto e = Open();
    x1 = e->Write({W(R"({"id":"a","input":1})"), W(R"({"id":"b","input":2})")}).value();
    x2 = e->Write({W(R"({"id":"a","_is_merge":true,"output":9})")}).value();
    EXPECT_GT(x2, x1);
    EXPECT_EQ(e->last_xact(), x2);
    ASSERT_EQ(Rows(*e).size(), 2u);
  }
  auto e = Open();
  EXPECT_EQ(e->last_xact(), x2);
  auto rows = Rows(*e);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0].find("id"), json::Value("b"));  // newest first
  EXPECT_EQ(*rows[1].find("output"), json::Value(9));
  EXPECT_EQ(*rows[1].find("_xact_id"), json::Value(XactToString(x2)));
  EXPECT_GT(e->Write({W(R"({"id":"c"})")}).value(), x2);  // the clock resumes past the log
}

TEST_F(EngineTest, AsOfReadsFoldOnlyEarlierWrites) {
  auto e = Open();
  uint64_t x1 = e->Write({W(R"({"id":"a","input":1})")}).value();
  e->Write({W(R"({"id":"a","input":2})"), W(R"({"id":"b"})")}).value();
  e->Write({W(R"({"id":"a","_object_delete":true})")}).value();
  EXPECT_EQ(Rows(*e).size(), 1u);
  auto old = Rows(*e, {.as_of = x1});
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(*old[0].find("input"), json::Value(1));
  EXPECT_EQ(e->CountRows("dataset:d", x1), 1u);
}

TEST_F(EngineTest, CommentsSurfaceInTheirTarget) {
  auto e = Open();
  e->Write({W(R"({"id":"a","input":1})")}).value();
  e->Write({W(R"({"id":"c1","origin":{"id":"a"},"comment":{"text":"nice"}})")}).value();
  auto rows = Rows(*e);
  ASSERT_EQ(rows.size(), 1u);
  const json::Value* comments = rows[0].find("comments");
  ASSERT_TRUE(comments && comments->is_array());
  ASSERT_EQ(comments->as_array().size(), 1u);
  EXPECT_EQ(*comments->as_array()[0].find("comment"), json::Value::Parse(R"({"text":"nice"})").value());
}

TEST_F(EngineTest, PagingByKeyNeitherSkipsNorRepeatsWhileWriting) {
  auto e = Open();
  for (int i = 0; i < 20; ++i) e->Write({W(("{\"id\":\"r" + std::to_string(i) + "\"}").c_str())}).value();
  std::vector<std::string> seen;
  std::optional<PageKey> cursor;
  for (int page = 0; page < 100; ++page) {
    int n = 0;
    std::optional<PageKey> last;
    e->Scan("dataset:d", {}, cursor, [&](json::Value row, const PageKey& k) {
      seen.push_back(row.find("id")->as_string());
      last = k;
      return ++n < 3;
    });
    e->Write({W(("{\"id\":\"new" + std::to_string(page) + "\"}").c_str())}).value();
    if (!last) break;
    cursor = PageKey::Decode(last->Encode());
  }
  ASSERT_EQ(seen.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[i], "r" + std::to_string(19 - i));
}

TEST_F(EngineTest, ConcurrentWritersAllLand) {
  auto e = Open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string row = "{\"id\":\"t" + std::to_string(t) + "-" + std::to_string(i) + "\"}";
        ASSERT_TRUE(e->Write({W(row.c_str())}).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Rows(*e).size(), 400u);
  e.reset();
  EXPECT_EQ(Rows(*Open()).size(), 400u);
}

TEST(Transaction, EncodeDecodeRoundTrip) {
  std::vector<RowWrite> rows{{"experiment:e", "o", "p", json::Value::Parse(R"({"id":"x","a":[1,"b"]})")->as_object()},
                             {"project_logs:q", "o", "", json::Value::Parse(R"({"id":"y"})")->as_object()}};
  auto back = DecodeTransaction(EncodeTransaction(rows));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].container, "experiment:e");
  EXPECT_EQ((*back)[0].project_id, "p");
  EXPECT_EQ(json::Value((*back)[0].row), json::Value(rows[0].row));
  EXPECT_EQ((*back)[1].project_id, "");
  EXPECT_FALSE(DecodeTransaction(R"({"v":2,"rows":[]})").ok());
}

}  // namespace
}  // namespace spanlake::engine
