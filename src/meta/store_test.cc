#include "meta/store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "base/sha256.h"
#include "gtest/gtest.h"
#include "meta/schema.h"

namespace spanlake::meta {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meta_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/meta.sqlite";
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    org_a_ = MustEnsureOrg("org-a");
    org_b_ = MustEnsureOrg("org-b");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string MustEnsureOrg(const std::string& name) {
    Result<Org> org = store_->EnsureOrg(name);
    EXPECT_TRUE(org.ok()) << org.status().ToString();
    return org.ok() ? org->id : "";
  }

  static json::Value Doc(const std::string& id, const std::string& name, int version = 1) {
    return json::Value(json::Object{{"id", id}, {"name", name}, {"version", version}});
  }

  // Creates a project named `name` in `org` under `parent`; returns its id.
  std::string MustCreate(const std::string& org, const std::string& name,
                         const std::string& parent = "", Store* store = nullptr) {
    std::string id = NewUuid();
    Status st = (store ? store : store_.get())->CreateObject("project", org, parent, name,
                                                              Doc(id, name));
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  std::vector<std::string> ListIds(const std::string& org, const ListOptions& options) {
    Result<std::vector<json::Value>> docs = store_->ListObjects("project", org, options);
    EXPECT_TRUE(docs.ok()) << docs.status().ToString();
    std::vector<std::string> ids;
    if (!docs.ok()) return ids;
    for (const json::Value& doc : *docs) ids.push_back(doc.find("id")->as_string());
    return ids;
  }

  // Runs `sql` on the file through the C API, as another tool would.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  // The first column of the first row of `sql`, read through the C API.
  std::string RawQuery(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    std::string value = text ? reinterpret_cast<const char*>(text) : "";
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }
  int64_t RawUserVersion() { return std::stoll(RawQuery("PRAGMA user_version")); }

  std::string dir_, path_, org_a_, org_b_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, OrgsEnsureGetList) {
  Result<Org> again = store_->EnsureOrg("org-a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, org_a_);
  EXPECT_TRUE(IsUuid(org_a_));
  EXPECT_NE(org_a_, org_b_);

  Result<std::optional<Org>> got = store_->GetOrg(org_b_);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->name, "org-b");
  EXPECT_FALSE((*got)->created.empty());
  Result<std::optional<Org>> absent = store_->GetOrg(NewUuid());
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());

  MustEnsureOrg("aardvark");
  Result<std::vector<Org>> all = store_->ListOrgs();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "aardvark");
  EXPECT_EQ((*all)[1].id, org_a_);
  EXPECT_EQ((*all)[2].id, org_b_);
  EXPECT_EQ(store_->EnsureOrg("").status().code(), Code::kInvalidArgument);
}

TEST_F(StoreTest, KeysAddAndAuthenticate) {
  Result<Principal> added = store_->AddApiKey(org_a_, "sk-first-secret-key", "ci");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->org_id, org_a_);
  EXPECT_EQ(added->org_name, "org-a");
  EXPECT_FALSE(added->user_id.empty());
  EXPECT_FALSE(added->key_id.empty());

  Result<Principal> auth = store_->Authenticate("sk-first-secret-key");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->org_id, org_a_);
  EXPECT_EQ(auth->org_name, "org-a");
  EXPECT_EQ(auth->user_id, added->user_id);
  EXPECT_EQ(auth->key_id, added->key_id);

  // A second key of the org acts as the same user; another org's key does not.
  Result<Principal> second = store_->AddApiKey(org_a_, "sk-second-secret-key", "laptop");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->user_id, added->user_id);
  EXPECT_NE(second->key_id, added->key_id);
  Result<Principal> other = store_->AddApiKey(org_b_, "sk-org-b-secret-key", "ci");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->user_id, added->user_id);
  EXPECT_EQ(store_->Authenticate("sk-org-b-secret-key")->org_id, org_b_);

  EXPECT_EQ(store_->AddApiKey(org_b_, "sk-first-secret-key", "dup").status().code(),
            Code::kAlreadyExists);
  EXPECT_EQ(store_->AddApiKey(NewUuid(), "sk-orphan-key-000", "x").status().code(),
            Code::kNotFound);
  EXPECT_EQ(store_->AddApiKey(org_a_, "", "x").status().code(), Code::kInvalidArgument);
}

TEST_F(StoreTest, UnknownKeyIsUnauthenticatedWithoutEcho) {
  ASSERT_TRUE(store_->AddApiKey(org_a_, "sk-known-key-123456", "ci").ok());
  for (const std::string key : {"sk-guessed-key-987654", "", "sk-known-key-12345"}) {
    Result<Principal> auth = store_->Authenticate(key);
    ASSERT_FALSE(auth.ok());
    EXPECT_EQ(auth.status().code(), Code::kUnauthenticated);
    EXPECT_EQ(auth.status().message(), "invalid API key");
  }
}

TEST_F(StoreTest, KeyIsStoredOnlyHashed) {
  const std::string key = "sk-plaintext-" + RandomHex(16);
  ASSERT_TRUE(store_->AddApiKey(org_a_, key, "ci").ok());

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT * FROM api_keys", -1, &stmt, nullptr), SQLITE_OK);
  int rows = 0;
  bool hash_seen = false;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ++rows;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const unsigned char* text = sqlite3_column_text(stmt, c);
      std::string value = text ? reinterpret_cast<const char*>(text) : "";
      EXPECT_EQ(value.find(key), std::string::npos) << "column " << c;
      if (value == Sha256Hex(key)) hash_seen = true;
      if (std::string(sqlite3_column_name(stmt, c)) == "preview") {
        EXPECT_LT(value.size(), key.size());
        EXPECT_EQ(value.substr(value.size() - 3), "...");
      }
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(rows, 1);
  EXPECT_TRUE(hash_seen);
}

TEST_F(StoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->AddApiKey(org_a_, "sk-added-by-other-process", "ops").ok());
  Result<Principal> auth = store_->Authenticate("sk-added-by-other-process");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->org_id, org_a_);

  std::string id = MustCreate(org_a_, "shared");
  Result<std::optional<json::Value>> seen = other->GetObject("project", org_a_, id);
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->has_value());
  EXPECT_EQ(other->EnsureOrg("org-b")->id, org_b_);
  EXPECT_EQ(other->CreateObject("project", org_a_, "", "shared", Doc(NewUuid(), "shared")).code(),
            Code::kAlreadyExists);
}

TEST_F(StoreTest, ObjectCrud) {
  std::string id = NewUuid();
  ASSERT_TRUE(store_->CreateObject("project", org_a_, "", "alpha", Doc(id, "alpha")).ok());
  Result<std::optional<json::Value>> got = store_->GetObject("project", org_a_, id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, Doc(id, "alpha"));
  EXPECT_FALSE(store_->GetObject("experiment", org_a_, id)->has_value());
  EXPECT_EQ(*store_->FindObjectByName("project", org_a_, "", "alpha"), Doc(id, "alpha"));

  ASSERT_TRUE(store_->UpdateObject("project", org_a_, id, "beta", Doc(id, "beta", 2)).ok());
  EXPECT_EQ(*store_->GetObject("project", org_a_, id), Doc(id, "beta", 2));
  EXPECT_FALSE(store_->FindObjectByName("project", org_a_, "", "alpha")->has_value());
  EXPECT_EQ(*store_->FindObjectByName("project", org_a_, "", "beta"), Doc(id, "beta", 2));
  EXPECT_EQ(store_->UpdateObject("project", org_a_, id, "beta", Doc(NewUuid(), "beta")).code(),
            Code::kInvalidArgument);

  ASSERT_TRUE(store_->DeleteObject("project", org_a_, id).ok());
  EXPECT_FALSE(store_->GetObject("project", org_a_, id)->has_value());
  EXPECT_FALSE(store_->FindObjectByName("project", org_a_, "", "beta")->has_value());
  EXPECT_TRUE(ListIds(org_a_, {}).empty());
  EXPECT_EQ(store_->DeleteObject("project", org_a_, id).code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteObject("project", org_a_, NewUuid()).code(), Code::kNotFound);
  EXPECT_EQ(store_->UpdateObject("project", org_a_, id, "beta", Doc(id, "beta")).code(),
            Code::kNotFound);
}

TEST_F(StoreTest, CreateRejectsBadInput) {
  json::Value no_id(json::Object{{"name", "x"}});
  EXPECT_EQ(store_->CreateObject("project", org_a_, "", "x", no_id).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->CreateObject("project", NewUuid(), "", "x", Doc(NewUuid(), "x")).code(),
            Code::kNotFound);
  std::string id = MustCreate(org_a_, "x");
  Status dup_id = store_->CreateObject("dataset", org_a_, "", "y", Doc(id, "y"));
  EXPECT_EQ(dup_id.code(), Code::kAlreadyExists);
  EXPECT_NE(dup_id.message().find("id"), std::string::npos) << dup_id.message();
}

TEST_F(StoreTest, NamesUniquePerKindOrgAndParent) {
  std::string parent1 = NewUuid(), parent2 = NewUuid();
  std::string first = MustCreate(org_a_, "n", parent1);
  Status conflict = store_->CreateObject("project", org_a_, parent1, "n", Doc(NewUuid(), "n"));
  EXPECT_EQ(conflict.code(), Code::kAlreadyExists);
  EXPECT_EQ(conflict.message(), "project named 'n' already exists");

  EXPECT_TRUE(store_->CreateObject("dataset", org_a_, parent1, "n", Doc(NewUuid(), "n")).ok());
  MustCreate(org_a_, "n", parent2);
  MustCreate(org_a_, "n", "");
  MustCreate(org_b_, "n", parent1);

  std::string other = MustCreate(org_a_, "m", parent1);
  EXPECT_EQ(store_->UpdateObject("project", org_a_, other, "n", Doc(other, "n")).code(),
            Code::kAlreadyExists);
  ASSERT_TRUE(store_->DeleteObject("project", org_a_, first).ok());
  std::string reborn = MustCreate(org_a_, "n", parent1);
  EXPECT_EQ(store_->FindObjectByName("project", org_a_, parent1, "n")
                ->value()
                .find("id")
                ->as_string(),
            reborn);
}

TEST_F(StoreTest, OrgIsolation) {
  std::string id = MustCreate(org_a_, "secret");
  EXPECT_FALSE(store_->GetObject("project", org_b_, id)->has_value());
  EXPECT_FALSE(store_->FindObjectByName("project", org_b_, "", "secret")->has_value());
  EXPECT_TRUE(ListIds(org_b_, {}).empty());
  ListOptions by_id;
  by_id.ids = {id};
  EXPECT_TRUE(ListIds(org_b_, by_id).empty());
  ListOptions cursor;
  cursor.ending_before = id;
  MustCreate(org_b_, "b-newer");
  EXPECT_TRUE(ListIds(org_b_, cursor).empty());  // another org's id is no cursor
  EXPECT_EQ(store_->UpdateObject("project", org_b_, id, "stolen", Doc(id, "stolen")).code(),
            Code::kNotFound);
  EXPECT_EQ(store_->DeleteObject("project", org_b_, id).code(), Code::kNotFound);
  EXPECT_EQ(*store_->GetObject("project", org_a_, id), Doc(id, "secret"));
}

TEST_F(StoreTest, ListOrderFiltersAndPagination) {
  std::string parent = NewUuid();
  std::vector<std::string> p;  // p[i] created i-th
  for (int i = 0; i < 5; ++i) p.push_back(MustCreate(org_a_, "p" + std::to_string(i), parent));
  std::string loose = MustCreate(org_a_, "loose");
  ASSERT_TRUE(store_->CreateObject("dataset", org_a_, parent, "d", Doc(NewUuid(), "d")).ok());

  using Ids = std::vector<std::string>;
  EXPECT_EQ(ListIds(org_a_, {}), (Ids{loose, p[4], p[3], p[2], p[1], p[0]}));
  ListOptions o;
  o.limit = 2;
  EXPECT_EQ(ListIds(org_a_, o), (Ids{loose, p[4]}));
  o = {};
  o.parent_id = parent;
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[4], p[3], p[2], p[1], p[0]}));
  o.name = "p2";
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[2]}));
  o = {};
  o.ids = {p[1], p[3], NewUuid()};
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[3], p[1]}));

  o = {};
  o.parent_id = parent;
  o.starting_after = p[3];
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[2], p[1], p[0]}));
  o.limit = 1;
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[2]}));
  o = {};
  o.parent_id = parent;
  o.ending_before = p[1];
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[4], p[3], p[2]}));
  o.limit = 2;  // the page nearest the cursor
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[3], p[2]}));
  o = {};
  o.starting_after = p[4];
  o.ending_before = p[1];
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[3], p[2]}));

  // A deleted object leaves the list but still marks a position.
  ASSERT_TRUE(store_->DeleteObject("project", org_a_, p[2]).ok());
  o = {};
  o.starting_after = p[2];
  EXPECT_EQ(ListIds(org_a_, o), (Ids{p[1], p[0]}));
  o = {};
  o.starting_after = NewUuid();
  EXPECT_TRUE(ListIds(org_a_, o).empty());
  o = {};
  o.limit = 0;
  EXPECT_TRUE(ListIds(org_a_, o).empty());
}

TEST_F(StoreTest, ReopenPreservesEverything) {
  ASSERT_TRUE(store_->AddApiKey(org_a_, "sk-survives-restart-1", "ci").ok());
  std::string id = MustCreate(org_a_, "kept");
  std::string gone = MustCreate(org_a_, "gone");
  ASSERT_TRUE(store_->DeleteObject("project", org_a_, gone).ok());
  store_.reset();
  EXPECT_EQ(RawUserVersion(), static_cast<int64_t>(kMigrations.size()));
  EXPECT_EQ(RawQuery("PRAGMA journal_mode"), "wal");  // persistent in the file

  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->Authenticate("sk-survives-restart-1")->org_id, org_a_);
  EXPECT_EQ(store_->EnsureOrg("org-a")->id, org_a_);
  EXPECT_EQ(store_->ListOrgs()->size(), 2u);
  EXPECT_EQ(*store_->GetObject("project", org_a_, id), Doc(id, "kept"));
  EXPECT_FALSE(store_->GetObject("project", org_a_, gone)->has_value());
  EXPECT_EQ(ListIds(org_a_, {}), std::vector<std::string>{id});
  // Sequence numbers keep growing: a new object lists before the old one.
  std::string later = MustCreate(org_a_, "later");
  EXPECT_EQ(ListIds(org_a_, {}), (std::vector<std::string>{later, id}));
  store_.reset();
  EXPECT_EQ(RawUserVersion(), static_cast<int64_t>(kMigrations.size()));
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  store_.reset();
  RawExec("PRAGMA user_version = 99");
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(path_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kIOError);
  EXPECT_NE(opened.status().message().find("newer"), std::string::npos);
}

TEST_F(StoreTest, UnreadableDocumentIsCorruption) {
  std::string id = MustCreate(org_a_, "bad");
  RawExec("UPDATE objects SET doc = '{\"id\":' WHERE id = '" + id + "'");
  EXPECT_EQ(store_->GetObject("project", org_a_, id).status().code(), Code::kCorruption);
  EXPECT_EQ(store_->ListObjects("project", org_a_, {}).status().code(), Code::kCorruption);
}

TEST_F(StoreTest, OpenFailsInMissingDirectory) {
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(dir_ + "/no/such/dir/meta.sqlite");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kIOError);
}

TEST_F(StoreTest, ConcurrentWritersFromThreadsAndConnections) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 4, kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* store = t % 2 == 0 ? store_.get() : other.get();
    threads.emplace_back([this, store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        MustCreate(org_a_, "t" + std::to_string(t) + "-" + std::to_string(i), "", store);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::string> ids = ListIds(org_a_, {});
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace spanlake::meta
