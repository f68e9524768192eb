// The SQLite backend of the metadata store. See docs/formats/metadata.md for
// the schema and the migration scheme.
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <utility>

#include "base/random.h"
#include "base/sha256.h"
#include "base/time.h"
#include "meta/schema.h"
#include "meta/sqlite_util.h"
#include "meta/store.h"

namespace spanlake::meta {
namespace {

// Long enough for an operator's `spanlake keys create` to finish its write
// while the server holds the lock, or the other way round.
constexpr int kBusyTimeoutMs = 10000;
// Keys are added on behalf of one user per org.
constexpr char kKeyUserName[] = "admin";
constexpr char kOrgColumns[] = "SELECT id, name, created FROM orgs";

// Enough of the key for an operator to tell keys apart, never more than a
// quarter of it.
std::string KeyPreview(const std::string& key) {
  return key.substr(0, std::min<size_t>(6, key.size() / 4)) + "...";
}

Org ReadOrg(const Statement& stmt) {
  return Org{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2)};
}

Result<json::Value> ParseDoc(const std::string& text) {
  Result<json::Value> doc = json::Value::Parse(text);
  if (!doc.ok()) return Status::Corruption("metadata object document: " + doc.status().message());
  return doc;
}

// The document's "created" when it has one, so the column matches the API.
std::string CreatedOf(const json::Value& doc) {
  const json::Value* created = doc.find("created");
  return created != nullptr && created->is_string() ? created->as_string() : NowIso();
}

Result<int64_t> UserVersion(sqlite3* db) {
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db, "PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, stmt.Next());
  if (!row) return Status::IOError("PRAGMA user_version returned no row");
  return stmt.ColumnInt64(0);
}

// Applies the migrations the file has not seen yet, one transaction each.
// The version is re-read under the write lock, so two processes opening a
// fresh file at once apply each migration exactly once.
Status Migrate(sqlite3* db) {
  const int64_t latest = static_cast<int64_t>(kMigrations.size());
  for (;;) {
    Transaction txn(db);
    RETURN_IF_ERROR(txn.Begin());
    ASSIGN_OR_RETURN(int64_t version, UserVersion(db));
    if (version == latest) return txn.Commit();
    if (version < 0 || version > latest) {
      return Status::IOError("schema version " + std::to_string(version) +
                             " is newer than this binary supports (" + std::to_string(latest) +
                             ")");
    }
    std::string sql(kMigrations[version]);
    RETURN_IF_ERROR(ExecSql(db, sql.c_str()).WithContext("migration " + std::to_string(version)));
    std::string bump = "PRAGMA user_version = " + std::to_string(version + 1);
    RETURN_IF_ERROR(ExecSql(db, bump.c_str()));
    RETURN_IF_ERROR(txn.Commit());
  }
}

class SqliteStore final : public Store {
 public:
  // Takes ownership of `db` (which may be null after a failed open).
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  // Connection settings and migrations; called once before sharing.
  Status Init();

  Result<Org> EnsureOrg(const std::string& name) override;
  Result<std::optional<Org>> GetOrg(const std::string& org_id) override;
  Result<std::vector<Org>> ListOrgs() override;
  Result<Principal> AddApiKey(const std::string& org_id, const std::string& plaintext_key,
                              const std::string& key_name) override;
  Result<Principal> Authenticate(const std::string& plaintext_key) override;
  Result<Principal> AddUserApiKey(const std::string& org_id, const std::string& user_id,
                                  const std::string& plaintext_key,
                                  const std::string& key_name) override;
  Result<std::vector<ApiKeyInfo>> ListApiKeys(const std::string& org_id) override;
  Status DeleteApiKey(const std::string& org_id, const std::string& key_id) override;

  Status CreateObject(const std::string& kind, const std::string& org_id,
                      const std::string& parent_id, const std::string& name,
                      const json::Value& doc) override;
  Result<std::optional<ObjectState>> GetObjectState(const std::string& kind,
                                                    const std::string& id) override;
  Result<std::optional<json::Value>> GetObject(const std::string& kind,
                                               const std::string& org_id,
                                               const std::string& id) override;
  Result<std::optional<json::Value>> FindObjectByName(const std::string& kind,
                                                      const std::string& org_id,
                                                      const std::string& parent_id,
                                                      const std::string& name) override;
  Result<std::vector<json::Value>> ListObjects(const std::string& kind,
                                               const std::string& org_id,
                                               const ListOptions& options) override;
  Status UpdateObject(const std::string& kind, const std::string& org_id, const std::string& id,
                      const std::string& name, const json::Value& doc) override;
  Status DeleteObject(const std::string& kind, const std::string& org_id,
                      const std::string& id) override;

 private:
  // All REQUIRE mu_ held.
  Result<std::optional<Org>> QueryOrg(const char* where, const std::string& arg);
  Result<std::string> EnsureKeyUser(const std::string& org_id);
  Result<std::string> EnsureMemberUser(const std::string& org_id, const std::string& user_id);
  // Adds a key of the owner user (member_user null) or of a member user.
  Result<Principal> AddKey(const std::string& org_id, const std::string* member_user,
                           const std::string& plaintext_key, const std::string& key_name);
  Status InsertKey(const Principal& principal, const std::string& plaintext_key,
                   const std::string& key_name);
  Result<std::optional<json::Value>> QueryDoc(Statement& stmt);
  Status InsertConflict(const std::string& kind, const std::string& id, const std::string& name);

  std::mutex mu_;
  sqlite3* const db_;  // guarded by mu_ after Init
};

Status SqliteStore::Init() {
  sqlite3_extended_result_codes(db_, 1);
  if (sqlite3_busy_timeout(db_, kBusyTimeoutMs) != SQLITE_OK) return SqlError(db_, "busy timeout");
  RETURN_IF_ERROR(ExecSql(db_, "PRAGMA journal_mode=WAL").WithContext("journal mode"));
  RETURN_IF_ERROR(ExecSql(db_, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  return Migrate(db_);
}

// --- orgs and keys ---

Result<std::optional<Org>> SqliteStore::QueryOrg(const char* where, const std::string& arg) {
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, std::string(kOrgColumns) + where));
  stmt.Bind(1, arg);
  ASSIGN_OR_RETURN(bool row, stmt.Next());
  if (!row) return std::optional<Org>();
  return std::optional<Org>(ReadOrg(stmt));
}

Result<Org> SqliteStore::EnsureOrg(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("org name is empty");
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(std::optional<Org> found, QueryOrg(" WHERE name = ?1", name));
  if (found) return *std::move(found);
  Org org{NewUuid(), name, NowIso()};
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_, "INSERT INTO orgs (id, name, created) "
                                           "VALUES (?1, ?2, ?3)"));
  stmt.Bind(1, org.id);
  stmt.Bind(2, org.name);
  stmt.Bind(3, org.created);
  RETURN_IF_ERROR(stmt.Run().WithContext("insert org"));
  RETURN_IF_ERROR(txn.Commit());
  return org;
}

Result<std::optional<Org>> SqliteStore::GetOrg(const std::string& org_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryOrg(" WHERE id = ?1", org_id);
}

Result<std::vector<Org>> SqliteStore::ListOrgs() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_, std::string(kOrgColumns) + " ORDER BY name"));
  std::vector<Org> orgs;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Next());
    if (!row) return orgs;
    orgs.push_back(ReadOrg(stmt));
  }
}

Result<std::string> SqliteStore::EnsureKeyUser(const std::string& org_id) {
  ASSIGN_OR_RETURN(Statement find,
                   Statement::Prepare(db_, "SELECT id FROM users "
                                           "WHERE org_id = ?1 AND name = ?2"));
  find.Bind(1, org_id);
  find.Bind(2, kKeyUserName);
  ASSIGN_OR_RETURN(bool row, find.Next());
  if (row) return find.ColumnText(0);
  std::string user_id = NewUuid();
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_, "INSERT INTO users (id, org_id, name, created) "
                                           "VALUES (?1, ?2, ?3, ?4)"));
  insert.Bind(1, user_id);
  insert.Bind(2, org_id);
  insert.Bind(3, kKeyUserName);
  insert.Bind(4, NowIso());
  RETURN_IF_ERROR(insert.Run().WithContext("insert user"));
  return user_id;
}

// Member users get a users row only to anchor their keys; its name can never
// be the owner's.
std::string MemberUserName(const std::string& user_id) { return "member:" + user_id; }

Result<std::string> SqliteStore::EnsureMemberUser(const std::string& org_id,
                                                  const std::string& user_id) {
  ASSIGN_OR_RETURN(Statement find,
                   Statement::Prepare(db_, "SELECT org_id, name FROM users WHERE id = ?1"));
  find.Bind(1, user_id);
  ASSIGN_OR_RETURN(bool row, find.Next());
  if (row) {
    if (find.ColumnText(0) != org_id || find.ColumnText(1) == kKeyUserName) {
      return Status::InvalidArgument("user '" + user_id + "' cannot hold member keys of this org");
    }
    return user_id;
  }
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_, "INSERT INTO users (id, org_id, name, created) "
                                           "VALUES (?1, ?2, ?3, ?4)"));
  insert.Bind(1, user_id);
  insert.Bind(2, org_id);
  insert.Bind(3, MemberUserName(user_id));
  insert.Bind(4, NowIso());
  RETURN_IF_ERROR(insert.Run().WithContext("insert user"));
  return user_id;
}

Status SqliteStore::InsertKey(const Principal& principal, const std::string& plaintext_key,
                              const std::string& key_name) {
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(
                                       db_,
                                       "INSERT INTO api_keys (id, org_id, user_id, name, key_hash, "
                                       "preview, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  stmt.Bind(1, principal.key_id);
  stmt.Bind(2, principal.org_id);
  stmt.Bind(3, principal.user_id);
  stmt.Bind(4, key_name);
  stmt.Bind(5, Sha256Hex(plaintext_key));
  stmt.Bind(6, KeyPreview(plaintext_key));
  stmt.Bind(7, NowIso());
  int rc = stmt.StepCode();
  if (rc == SQLITE_CONSTRAINT_UNIQUE) return Status::AlreadyExists("API key is already registered");
  if (rc != SQLITE_DONE) return SqlError(db_, "insert API key");
  return Status::Ok();
}

Result<Principal> SqliteStore::AddKey(const std::string& org_id, const std::string* member_user,
                                      const std::string& plaintext_key,
                                      const std::string& key_name) {
  if (plaintext_key.empty()) return Status::InvalidArgument("API key is empty");
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(std::optional<Org> org, QueryOrg(" WHERE id = ?1", org_id));
  if (!org) return Status::NotFound("org '" + org_id + "' not found");
  Principal principal{org->id, org->name, "", NewUuid(), member_user == nullptr};
  if (member_user == nullptr) {
    ASSIGN_OR_RETURN(principal.user_id, EnsureKeyUser(org_id));
  } else {
    ASSIGN_OR_RETURN(principal.user_id, EnsureMemberUser(org_id, *member_user));
  }
  RETURN_IF_ERROR(InsertKey(principal, plaintext_key, key_name));
  RETURN_IF_ERROR(txn.Commit());
  return principal;
}

Result<Principal> SqliteStore::AddApiKey(const std::string& org_id,
                                         const std::string& plaintext_key,
                                         const std::string& key_name) {
  return AddKey(org_id, nullptr, plaintext_key, key_name);
}

Result<Principal> SqliteStore::AddUserApiKey(const std::string& org_id,
                                             const std::string& user_id,
                                             const std::string& plaintext_key,
                                             const std::string& key_name) {
  if (user_id.empty()) return Status::InvalidArgument("user id is empty");
  return AddKey(org_id, &user_id, plaintext_key, key_name);
}

Result<Principal> SqliteStore::Authenticate(const std::string& plaintext_key) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_,
                                      "SELECT o.id, o.name, k.user_id, k.id, u.name = ?2 "
                                      "FROM api_keys k JOIN orgs o ON o.id = k.org_id "
                                      "JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?1"));
  stmt.Bind(1, Sha256Hex(plaintext_key));
  stmt.Bind(2, kKeyUserName);
  ASSIGN_OR_RETURN(bool row, stmt.Next());
  if (!row) return Status::Unauthenticated("invalid API key");
  return Principal{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2), stmt.ColumnText(3),
                   stmt.ColumnInt64(4) != 0};
}

Result<std::vector<ApiKeyInfo>> SqliteStore::ListApiKeys(const std::string& org_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_,
                                      "SELECT k.id, k.org_id, k.user_id, k.name, k.preview, "
                                      "k.created, u.name = ?2 FROM api_keys k "
                                      "JOIN users u ON u.id = k.user_id WHERE k.org_id = ?1 "
                                      "ORDER BY k.rowid"));
  stmt.Bind(1, org_id);
  stmt.Bind(2, kKeyUserName);
  std::vector<ApiKeyInfo> keys;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Next());
    if (!row) return keys;
    keys.push_back(ApiKeyInfo{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2),
                              stmt.ColumnText(3), stmt.ColumnText(4), stmt.ColumnText(5),
                              stmt.ColumnInt64(6) != 0});
  }
}

Status SqliteStore::DeleteApiKey(const std::string& org_id, const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_, "DELETE FROM api_keys WHERE org_id = ?1 AND id = ?2"));
  stmt.Bind(1, org_id);
  stmt.Bind(2, key_id);
  RETURN_IF_ERROR(stmt.Run().WithContext("delete API key"));
  if (sqlite3_changes(db_) == 0) return Status::NotFound("API key '" + key_id + "' not found");
  return txn.Commit();
}

// --- generic objects ---

Result<std::optional<json::Value>> SqliteStore::QueryDoc(Statement& stmt) {
  ASSIGN_OR_RETURN(bool row, stmt.Next());
  if (!row) return std::optional<json::Value>();
  ASSIGN_OR_RETURN(json::Value doc, ParseDoc(stmt.ColumnText(0)));
  return std::optional<json::Value>(std::move(doc));
}

// Tells which unique constraint an insert hit: ids are unique across the
// whole table, names only among live objects of one kind/org/parent.
Status SqliteStore::InsertConflict(const std::string& kind, const std::string& id,
                                   const std::string& name) {
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, "SELECT 1 FROM objects WHERE id = ?1"));
  stmt.Bind(1, id);
  ASSIGN_OR_RETURN(bool id_taken, stmt.Next());
  if (id_taken) return Status::AlreadyExists(kind + " with id '" + id + "' already exists");
  return Status::AlreadyExists(kind + " named '" + name + "' already exists");
}

Status SqliteStore::CreateObject(const std::string& kind, const std::string& org_id,
                                 const std::string& parent_id, const std::string& name,
                                 const json::Value& doc) {
  const json::Value* id = doc.find("id");
  if (id == nullptr || !id->is_string() || id->as_string().empty()) {
    return Status::InvalidArgument(kind + " document has no string \"id\"");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_,
                                      "INSERT INTO objects (kind, id, org_id, parent_id, name, "
                                      "doc, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  stmt.Bind(1, kind);
  stmt.Bind(2, id->as_string());
  stmt.Bind(3, org_id);
  stmt.Bind(4, parent_id);
  stmt.Bind(5, name);
  stmt.Bind(6, doc.Dump());
  stmt.Bind(7, CreatedOf(doc));
  int rc = stmt.StepCode();
  if (rc == SQLITE_CONSTRAINT_UNIQUE) return InsertConflict(kind, id->as_string(), name);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Status::NotFound("org '" + org_id + "' not found");
  if (rc != SQLITE_DONE) return SqlError(db_, "insert " + kind);
  return txn.Commit();
}

Result<std::optional<json::Value>> SqliteStore::GetObject(const std::string& kind,
                                                          const std::string& org_id,
                                                          const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_,
                                      "SELECT doc FROM objects WHERE kind = ?1 AND org_id = ?2 "
                                      "AND id = ?3 AND deleted_at IS NULL"));
  stmt.Bind(1, kind);
  stmt.Bind(2, org_id);
  stmt.Bind(3, id);
  return QueryDoc(stmt);
}

Result<std::optional<ObjectState>> SqliteStore::GetObjectState(const std::string& kind,
                                                                const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (bool deleted : {false, true}) {
    ASSIGN_OR_RETURN(Statement stmt,
                     Statement::Prepare(db_, deleted ? "SELECT doc FROM objects WHERE kind = ?1 AND id = ?2 "
                                                       "AND deleted_at IS NOT NULL LIMIT 1"
                                                     : "SELECT doc FROM objects WHERE kind = ?1 AND id = ?2 "
                                                       "AND deleted_at IS NULL LIMIT 1"));
    stmt.Bind(1, kind);
    stmt.Bind(2, id);
    ASSIGN_OR_RETURN(std::optional<json::Value> doc, QueryDoc(stmt));
    if (doc) return std::optional<ObjectState>(ObjectState{std::move(*doc), deleted});
  }
  return std::optional<ObjectState>();
}

Result<std::optional<json::Value>> SqliteStore::FindObjectByName(const std::string& kind,
                                                                 const std::string& org_id,
                                                                 const std::string& parent_id,
                                                                 const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(
                                       db_,
                                       "SELECT doc FROM objects WHERE kind = ?1 AND org_id = ?2 "
                                       "AND parent_id = ?3 AND name = ?4 AND deleted_at IS NULL"));
  stmt.Bind(1, kind);
  stmt.Bind(2, org_id);
  stmt.Bind(3, parent_id);
  stmt.Bind(4, name);
  return QueryDoc(stmt);
}

// The cursor's position, looked up within the caller's kind and org so that
// another org's id never serves as one. An unknown cursor compares as NULL
// and yields an empty page.
std::string CursorSeq(int param) {
  return "(SELECT seq FROM objects WHERE id = ?" + std::to_string(param) +
         " AND kind = ?1 AND org_id = ?2)";
}

// Parameters: ?1 kind, ?2 org, ?3 parent, ?4 name, ?5 ids (a JSON array),
// ?6 starting_after, ?7 ending_before, ?8 limit.
std::string ListSql(const ListOptions& options) {
  std::string sql =
      "SELECT doc FROM objects WHERE kind = ?1 AND org_id = ?2 AND deleted_at IS NULL";
  if (options.parent_id) sql += " AND parent_id = ?3";
  if (options.name) sql += " AND name = ?4";
  if (!options.ids.empty()) sql += " AND id IN (SELECT value FROM json_each(?5))";
  if (options.starting_after) sql += " AND seq < " + CursorSeq(6);
  if (options.ending_before) sql += " AND seq > " + CursorSeq(7);
  // ending_before pages toward newer objects: take the nearest ones first,
  // then reverse into newest-first order.
  sql += options.ending_before ? " ORDER BY seq ASC" : " ORDER BY seq DESC";
  return sql + " LIMIT ?8";
}

Result<std::vector<json::Value>> SqliteStore::ListObjects(const std::string& kind,
                                                          const std::string& org_id,
                                                          const ListOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, ListSql(options)));
  stmt.Bind(1, kind);
  stmt.Bind(2, org_id);
  if (options.parent_id) stmt.Bind(3, *options.parent_id);
  if (options.name) stmt.Bind(4, *options.name);
  if (!options.ids.empty()) {
    stmt.Bind(5, json::Value(json::Array(options.ids.begin(), options.ids.end())).Dump());
  }
  if (options.starting_after) stmt.Bind(6, *options.starting_after);
  if (options.ending_before) stmt.Bind(7, *options.ending_before);
  constexpr size_t kMaxLimit = std::numeric_limits<int64_t>::max();
  stmt.Bind(8, static_cast<int64_t>(std::min(options.limit, kMaxLimit)));
  std::vector<json::Value> docs;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Next());
    if (!row) break;
    ASSIGN_OR_RETURN(json::Value doc, ParseDoc(stmt.ColumnText(0)));
    docs.push_back(std::move(doc));
  }
  if (options.ending_before) std::reverse(docs.begin(), docs.end());
  return docs;
}

Status SqliteStore::UpdateObject(const std::string& kind, const std::string& org_id,
                                 const std::string& id, const std::string& name,
                                 const json::Value& doc) {
  const json::Value* doc_id = doc.find("id");
  if (doc_id != nullptr && !(doc_id->is_string() && doc_id->as_string() == id)) {
    return Status::InvalidArgument(kind + " document \"id\" does not match '" + id + "'");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_,
                                      "UPDATE objects SET name = ?1, doc = ?2 WHERE kind = ?3 AND "
                                      "org_id = ?4 AND id = ?5 AND deleted_at IS NULL"));
  stmt.Bind(1, name);
  stmt.Bind(2, doc.Dump());
  stmt.Bind(3, kind);
  stmt.Bind(4, org_id);
  stmt.Bind(5, id);
  int rc = stmt.StepCode();
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    return Status::AlreadyExists(kind + " named '" + name + "' already exists");
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "update " + kind);
  if (sqlite3_changes(db_) == 0) return Status::NotFound(kind + " '" + id + "' not found");
  return txn.Commit();
}

Status SqliteStore::DeleteObject(const std::string& kind, const std::string& org_id,
                                 const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_,
                                      "UPDATE objects SET deleted_at = ?1 WHERE kind = ?2 AND "
                                      "org_id = ?3 AND id = ?4 AND deleted_at IS NULL"));
  stmt.Bind(1, NowIso());
  stmt.Bind(2, kind);
  stmt.Bind(3, org_id);
  stmt.Bind(4, id);
  RETURN_IF_ERROR(stmt.Run().WithContext("delete " + kind));
  if (sqlite3_changes(db_) == 0) return Status::NotFound(kind + " '" + id + "' not found");
  return txn.Commit();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: the store's own mutex serializes use of the connection.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  auto store = std::make_unique<SqliteStore>(db);  // closes db on every path
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return Status::IOError("open metadata store " + path + ": " + why);
  }
  RETURN_IF_ERROR(store->Init().WithContext("open metadata store " + path));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace spanlake::meta
