// The retention callback reads project settings and soft deletes from a
// real (SQLite) metadata store; the PATCH setting is validated.
#include "server/retention.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace spanlake::server {
namespace {

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/spanlake-retention-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = meta::OpenSqliteStore(dir_ + "/meta.db").value();
    org_ = store_->EnsureOrg("org").value().id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Create(const std::string& kind, const std::string& id, const std::string& parent, json::Object doc) {
    doc.set("id", id);
    ASSERT_TRUE(store_->CreateObject(kind, org_, parent, id, json::Value(std::move(doc))).ok());
  }

  std::string dir_, org_;
  std::unique_ptr<meta::Store> store_;
};

TEST_F(RetentionTest, ProjectSettingsAndSoftDeletes) {
  Create("project", "p1", "", json::Object{{"settings", json::Object{{"retention_days", 30}}}});
  Create("project", "p2", "", json::Object{{"settings", nullptr}});
  Create("experiment", "e1", "p1", json::Object{{"project_id", "p1"}});
  Create("dataset", "d2", "p2", json::Object{{"project_id", "p2"}});
  engine::RetentionFn fn = MakeRetentionFn(store_.get(), std::chrono::seconds(0));
  EXPECT_EQ(fn("project_logs:p1").days, std::optional<uint32_t>(30));
  EXPECT_EQ(fn("experiment:e1").days, std::optional<uint32_t>(30));
  EXPECT_FALSE(fn("experiment:e1").deleted);
  EXPECT_FALSE(fn("dataset:d2").days.has_value());  // the server default
  EXPECT_FALSE(fn("dataset:unknown").deleted);      // unknown: never purged
  EXPECT_FALSE(fn("prompt_session:x").deleted);
  ASSERT_TRUE(store_->DeleteObject("dataset", org_, "d2").ok());
  EXPECT_TRUE(fn("dataset:d2").deleted);
  ASSERT_TRUE(store_->DeleteObject("project", org_, "p1").ok());
  EXPECT_TRUE(fn("project_logs:p1").deleted);
  EXPECT_TRUE(fn("experiment:e1").deleted);  // through its project
}

TEST_F(RetentionTest, AnswersAreCached) {
  Create("project", "p1", "", json::Object{});
  engine::RetentionFn fn = MakeRetentionFn(store_.get(), std::chrono::seconds(3600));
  EXPECT_FALSE(fn("project_logs:p1").deleted);
  ASSERT_TRUE(store_->DeleteObject("project", org_, "p1").ok());
  EXPECT_FALSE(fn("project_logs:p1").deleted);  // until the ttl passes
}

TEST_F(RetentionTest, SettingIsValidated) {
  auto check = [](const char* body) { return CheckRetentionSetting(json::Value::Parse(body).value()); };
  EXPECT_TRUE(check(R"({"settings":{"retention_days":7}})").ok());
  EXPECT_TRUE(check(R"({"settings":{"retention_days":null}})").ok());
  EXPECT_TRUE(check(R"({"name":"x"})").ok());
  Status bad = check(R"({"settings":{"retention_days":-1}})");
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_NE(bad.message().find("settings.retention_days"), std::string::npos);
  EXPECT_FALSE(check(R"({"settings":{"retention_days":"7"}})").ok());
  EXPECT_FALSE(check(R"({"settings":{"retention_days":1.5}})").ok());
}

}  // namespace
}  // namespace spanlake::server
