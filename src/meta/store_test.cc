// The metadata store's test suite, run against every backend: SQLite always,
// PostgreSQL when SPANLAKE_TEST_PG_URL names a server (tests/pg/start-pg.sh
// starts one). Without it the PostgreSQL cases are skipped, or fail when
// SPANLAKE_REQUIRE_PG=1 (CI sets it, so CI never skips them silently).
#include "meta/store.h"

#include <stdlib.h>

#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "base/sha256.h"
#include "gtest/gtest.h"
#include "meta/pg_schema.h"
#include "meta/schema.h"
#include "meta/store_test_backends.h"

namespace spanlake::meta {
namespace {

enum class Backend { kSqlite, kPostgres };

void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      backend_ = MakeSqliteBackend();
    } else {
      const char* url = getenv("SPANLAKE_TEST_PG_URL");
      const char* require = getenv("SPANLAKE_REQUIRE_PG");
      if (url == nullptr || *url == '\0') {
        if (require != nullptr && std::string(require) == "1") {
          FAIL() << "SPANLAKE_REQUIRE_PG=1 but SPANLAKE_TEST_PG_URL is not set";
        }
        GTEST_SKIP() << "SPANLAKE_TEST_PG_URL is not set (tests/pg/start-pg.sh starts a server)";
      }
      Result<std::unique_ptr<TestBackend>> pg = MakePostgresBackend(url);
      ASSERT_TRUE(pg.ok()) << pg.status().ToString();
      backend_ = std::move(pg).value();
    }
    location_ = NewLocation();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    org_a_ = MustEnsureOrg("org-a");
    org_b_ = MustEnsureOrg("org-b");
  }
  void TearDown() override {
    store_.reset();
    backend_.reset();  // removes the locations
  }

  std::string NewLocation() {
    Result<std::string> location = backend_->NewLocation();
    EXPECT_TRUE(location.ok()) << location.status().ToString();
    return location.ok() ? *location : "";
  }

  std::unique_ptr<Store> Open(const std::string& location = "") {
    Result<std::unique_ptr<Store>> store = OpenStore(location.empty() ? location_ : location);
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

  // Runs `sql` on the location, bypassing the store, as another tool would.
  Table Raw(const std::string& sql, const std::string& location = "") {
    Result<Table> table = backend_->Query(location.empty() ? location_ : location, sql);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? *std::move(table) : Table{};
  }
  // The first column of the first row of `sql`.
  std::string RawValue(const std::string& sql, const std::string& location = "") {
    Table table = Raw(sql, location);
    EXPECT_FALSE(table.rows.empty()) << sql;
    return table.rows.empty() ? "" : table.rows[0][0];
  }
  int64_t RawSchemaVersion(const std::string& location = "") {
    return std::stoll(RawValue(backend_->SchemaVersionSql(), location));
  }
  int64_t LatestVersion() const {
    return static_cast<int64_t>(GetParam() == Backend::kSqlite ? kMigrations.size()
                                                               : kPgMigrations.size());
  }

  std::unique_ptr<TestBackend> backend_;
  std::string location_, org_a_, org_b_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, OrgsEnsureGetList) {
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

TEST_P(StoreTest, KeysAddAndAuthenticate) {
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

TEST_P(StoreTest, UnknownKeyIsUnauthenticatedWithoutEcho) {
  ASSERT_TRUE(store_->AddApiKey(org_a_, "sk-known-key-123456", "ci").ok());
  for (const std::string key : {"sk-guessed-key-987654", "", "sk-known-key-12345"}) {
    Result<Principal> auth = store_->Authenticate(key);
    ASSERT_FALSE(auth.ok());
    EXPECT_EQ(auth.status().code(), Code::kUnauthenticated);
    EXPECT_EQ(auth.status().message(), "invalid API key");
  }
}

TEST_P(StoreTest, KeyIsStoredOnlyHashed) {
  const std::string key = "sk-plaintext-" + RandomHex(16);
  ASSERT_TRUE(store_->AddApiKey(org_a_, key, "ci").ok());

  Table table = Raw("SELECT * FROM api_keys");
  bool hash_seen = false;
  for (const std::vector<std::string>& row : table.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      EXPECT_EQ(row[c].find(key), std::string::npos) << "column " << table.columns[c];
      if (row[c] == Sha256Hex(key)) hash_seen = true;
      if (table.columns[c] == "preview") {
        EXPECT_LT(row[c].size(), key.size());
        EXPECT_EQ(row[c].substr(row[c].size() - 3), "...");
      }
    }
  }
  EXPECT_EQ(table.rows.size(), 1u);
  EXPECT_TRUE(hash_seen);
}

TEST_P(StoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
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

TEST_P(StoreTest, ObjectCrud) {
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

TEST_P(StoreTest, CreateRejectsBadInput) {
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

TEST_P(StoreTest, NamesUniquePerKindOrgAndParent) {
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

TEST_P(StoreTest, OrgIsolation) {
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

TEST_P(StoreTest, ListOrderFiltersAndPagination) {
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

TEST_P(StoreTest, ReopenPreservesEverything) {
  ASSERT_TRUE(store_->AddApiKey(org_a_, "sk-survives-restart-1", "ci").ok());
  std::string id = MustCreate(org_a_, "kept");
  std::string gone = MustCreate(org_a_, "gone");
  ASSERT_TRUE(store_->DeleteObject("project", org_a_, gone).ok());
  store_.reset();
  EXPECT_EQ(RawSchemaVersion(), LatestVersion());
  if (GetParam() == Backend::kSqlite) {
    EXPECT_EQ(RawValue("PRAGMA journal_mode"), "wal");  // persistent in the file
  }

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
  EXPECT_EQ(RawSchemaVersion(), LatestVersion());
}

TEST_P(StoreTest, NewerSchemaIsRefused) {
  store_.reset();
  Raw(backend_->SetSchemaVersionSql(99));
  Result<std::unique_ptr<Store>> opened = OpenStore(location_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kIOError);
  EXPECT_NE(opened.status().message().find("newer"), std::string::npos);
}

TEST_P(StoreTest, UnreadableDocumentIsCorruption) {
  std::string id = MustCreate(org_a_, "bad");
  Raw("UPDATE objects SET doc = '{\"id\":' WHERE id = '" + id + "'");
  EXPECT_EQ(store_->GetObject("project", org_a_, id).status().code(), Code::kCorruption);
  EXPECT_EQ(store_->ListObjects("project", org_a_, {}).status().code(), Code::kCorruption);
}

TEST_P(StoreTest, OpenFailsWhenUnreachable) {
  Result<std::unique_ptr<Store>> opened = OpenStore(backend_->Unreachable());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kIOError);
}

TEST_P(StoreTest, ConcurrentWritersFromThreadsAndConnections) {
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

// Several nodes (or `keys create` beside a server) opening a fresh store at
// once: each migration is applied exactly once and every store works.
TEST_P(StoreTest, ConcurrentOpensMigrateOnce) {
  const std::string fresh = NewLocation();
  constexpr int kOpeners = 4;
  std::vector<std::unique_ptr<Store>> stores(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([this, &stores, &fresh, i] { stores[i] = Open(fresh); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::unique_ptr<Store>& store : stores) ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawSchemaVersion(fresh), LatestVersion());
  if (GetParam() == Backend::kPostgres) {
    EXPECT_EQ(RawValue("SELECT COUNT(*) FROM schema_migrations", fresh),
              std::to_string(LatestVersion()));
  }
  Result<Org> org = stores[0]->EnsureOrg("shared");
  ASSERT_TRUE(org.ok()) << org.status().ToString();
  for (const std::unique_ptr<Store>& store : stores) {
    EXPECT_EQ(store->EnsureOrg("shared")->id, org->id);
  }
}

// Concurrent first calls for one org, from several stores, agree on one org
// and one key user rather than failing on the unique constraints.
TEST_P(StoreTest, ConcurrentEnsureOrgAndFirstKeysAgree) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 4;
  std::vector<std::string> org_ids(kThreads), user_ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* store = t % 2 == 0 ? store_.get() : other.get();
    threads.emplace_back([store, t, &org_ids, &user_ids] {
      Result<Org> org = store->EnsureOrg("raced");
      ASSERT_TRUE(org.ok()) << org.status().ToString();
      org_ids[t] = org->id;
      Result<Principal> key = store->AddApiKey(org->id, "sk-raced-key-" + std::to_string(t), "k");
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      user_ids[t] = key->user_id;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 1; t < kThreads; ++t) {
    EXPECT_EQ(org_ids[t], org_ids[0]);
    EXPECT_EQ(user_ids[t], user_ids[0]);
  }
  EXPECT_EQ(store_->ListOrgs()->size(), 3u);
}

// Quotes, semicolons and non-ASCII text are values, never SQL.
TEST_P(StoreTest, ValuesAreDataNotSql) {
  const std::string name = "it's \"x\"; DROP TABLE objects; -- \xC3\xA9\xE2\x9C\x93";
  const std::string kind = "pro'ject";
  std::string id = NewUuid();
  ASSERT_TRUE(store_->CreateObject(kind, org_a_, "pa'rent", name, Doc(id, name)).ok());
  EXPECT_EQ(*store_->FindObjectByName(kind, org_a_, "pa'rent", name), Doc(id, name));
  ListOptions o;
  o.name = name;
  o.ids = {id, "'); --"};
  Result<std::vector<json::Value>> docs = store_->ListObjects(kind, org_a_, o);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ(docs->size(), 1u);
  EXPECT_EQ(store_->EnsureOrg("o'rg; --")->name, "o'rg; --");
  EXPECT_EQ(store_->Authenticate("' OR '1'='1").status().code(), Code::kUnauthenticated);
}

TEST_P(StoreTest, OrgsListInByteOrder) {
  MustEnsureOrg("apple");
  MustEnsureOrg("Zebra");
  MustEnsureOrg("\xC3\xA9" "clair");
  Result<std::vector<Org>> all = store_->ListOrgs();
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (const Org& org : *all) names.push_back(org.name);
  const std::vector<std::string> bytewise = {"Zebra", "apple", "org-a", "org-b",
                                             "\xC3\xA9" "clair"};
  EXPECT_EQ(names, bytewise);
}

// Member keys, listing and revocation on every backend (store_keys_test.cc
// covers the finer points on SQLite).
TEST_P(StoreTest, MemberKeysListAndRevoke) {
  Result<Principal> owner = store_->AddApiKey(org_a_, "sk-owner-key-0000000000", "ops");
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_TRUE(owner->owner);
  const std::string alice = NewUuid();
  Result<Principal> member =
      store_->AddUserApiKey(org_a_, alice, "sk-alice-key-00000000", "laptop");
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  EXPECT_FALSE(member->owner);
  EXPECT_EQ(member->user_id, alice);
  EXPECT_FALSE(store_->Authenticate("sk-alice-key-00000000")->owner);
  EXPECT_TRUE(store_->Authenticate("sk-owner-key-0000000000")->owner);
  EXPECT_EQ(store_->AddUserApiKey(org_a_, owner->user_id, "sk-x-0000000000", "x").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->AddUserApiKey(org_b_, alice, "sk-y-0000000000", "y").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      store_->AddUserApiKey(org_a_, NewUuid(), "sk-owner-key-0000000000", "d").status().code(),
      Code::kAlreadyExists);

  Result<std::vector<ApiKeyInfo>> keys = store_->ListApiKeys(org_a_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].name, "ops");
  EXPECT_TRUE((*keys)[0].owner);
  EXPECT_EQ((*keys)[1].user_id, alice);
  EXPECT_FALSE((*keys)[1].owner);
  EXPECT_TRUE(store_->ListApiKeys(org_b_)->empty());

  EXPECT_EQ(store_->DeleteApiKey(org_b_, member->key_id).code(), Code::kNotFound);
  ASSERT_TRUE(store_->DeleteApiKey(org_a_, member->key_id).ok());
  EXPECT_EQ(store_->Authenticate("sk-alice-key-00000000").status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(store_->DeleteApiKey(org_a_, member->key_id).code(), Code::kNotFound);
  EXPECT_EQ(store_->ListApiKeys(org_a_)->size(), 1u);
}

// Retention's view: live or soft-deleted, across orgs, and unknown ids.
TEST_P(StoreTest, ObjectStateSeesSoftDeletedObjects) {
  std::string id = MustCreate(org_b_, "retained");
  Result<std::optional<ObjectState>> live = store_->GetObjectState("project", id);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_TRUE(live->has_value());
  EXPECT_FALSE((*live)->deleted);
  EXPECT_EQ((*live)->doc, Doc(id, "retained"));
  ASSERT_TRUE(store_->DeleteObject("project", org_b_, id).ok());
  Result<std::optional<ObjectState>> gone = store_->GetObjectState("project", id);
  ASSERT_TRUE(gone.ok() && gone->has_value());
  EXPECT_TRUE((*gone)->deleted);
  EXPECT_FALSE(store_->GetObjectState("experiment", id)->has_value());
  EXPECT_FALSE(store_->GetObjectState("project", NewUuid())->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

// --- PostgreSQL only ---

using PgStoreTest = StoreTest;

// The server dropped every connection (a restart, a proxy timeout): the
// next calls reconnect, and a write is applied exactly once.
TEST_P(PgStoreTest, ReconnectsAfterConnectionsAreLost) {
  ASSERT_TRUE(store_->AddApiKey(org_a_, "sk-before-the-restart", "ci").ok());
  Result<int> killed = backend_->KillConnections(location_);
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  EXPECT_GE(*killed, 1);
  EXPECT_EQ(store_->Authenticate("sk-before-the-restart")->org_id, org_a_);

  ASSERT_EQ(*backend_->KillConnections(location_), 1);
  std::string id = MustCreate(org_a_, "after-restart");
  EXPECT_EQ(ListIds(org_a_, {}), std::vector<std::string>{id});

  // Several pooled connections, all lost while idle.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this] { EXPECT_TRUE(store_->ListOrgs().ok()); });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(backend_->KillConnections(location_).ok());
  for (int i = 0; i < 6; ++i) {
    Result<std::vector<Org>> orgs = store_->ListOrgs();
    ASSERT_TRUE(orgs.ok()) << orgs.status().ToString();
  }
}

// Text-format parameters cannot carry a NUL byte; it must not cut a value.
TEST_P(PgStoreTest, NulByteIsInvalidArgument) {
  const std::string name("a\0b", 3);
  EXPECT_EQ(store_->CreateObject("project", org_a_, "", name, Doc(NewUuid(), "x")).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->EnsureOrg(name).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(store_->FindObjectByName("project", org_a_, "", "a")->has_value());
}

TEST_P(PgStoreTest, MigrationsAreRecordedOnePerVersion) {
  Table table = Raw("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(table.rows.size(), kPgMigrations.size());
  for (size_t i = 0; i < table.rows.size(); ++i) {
    EXPECT_EQ(table.rows[i][0], std::to_string(i + 1));
    EXPECT_FALSE(table.rows[i][1].empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PgStoreTest, ::testing::Values(Backend::kPostgres),
                         BackendName);

TEST(OpenStoreTest, PicksTheBackendByUrlScheme) {
  EXPECT_TRUE(IsPostgresUrl("postgres://u@127.0.0.1:5432/db"));
  EXPECT_TRUE(IsPostgresUrl("postgresql://localhost/db"));
  EXPECT_FALSE(IsPostgresUrl("/var/lib/spanlake/meta.db"));
  EXPECT_FALSE(IsPostgresUrl("postgres.db"));
  EXPECT_FALSE(IsPostgresUrl("mysql://localhost/db"));
}

}  // namespace
}  // namespace spanlake::meta
