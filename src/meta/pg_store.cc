// The PostgreSQL backend of the metadata store: the same tables and
// semantics as the SQLite backend, behind a small connection pool. See
// docs/formats/metadata.md for the schema and the migration scheme.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "base/random.h"
#include "base/sha256.h"
#include "base/time.h"
#include "meta/pg_schema.h"
#include "meta/pg_util.h"
#include "meta/store.h"

namespace spanlake::meta {
namespace {

// Enough for a server's concurrent requests; metadata calls are short.
constexpr size_t kPoolSize = 4;
// Keys are added on behalf of one user per org.
constexpr char kKeyUserName[] = "admin";
constexpr char kOrgColumns[] = "SELECT id, name, created FROM orgs";

// Enough of the key for an operator to tell keys apart, never more than a
// quarter of it.
std::string KeyPreview(const std::string& key) {
  return key.substr(0, std::min<size_t>(6, key.size() / 4)) + "...";
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

// SQL text with its parameters, numbered as they are added.
struct Query {
  std::string sql;
  std::vector<std::string> params;

  // Adds a value; returns its placeholder ("$3").
  std::string Param(std::string value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  }
};

// One migration step in its own transaction, under the advisory lock that
// serializes nodes starting at once. Sets *done when the schema is current.
Status MigrateStep(PgConn& conn, bool* done) {
  const int64_t latest = static_cast<int64_t>(kPgMigrations.size());
  PgTxn txn(conn);
  RETURN_IF_ERROR(txn.Begin());
  RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock($1::bigint)",
                             {std::string(kPgMigrationLockKey)}, "migration lock")
                      .status());
  RETURN_IF_ERROR(conn.Script(kPgMigrationsTable, "create schema_migrations"));
  ASSIGN_OR_RETURN(PgResult res,
                   conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                              "read schema version"));
  const int64_t version = std::stoll(res.Text(0, 0));
  if (version == latest) {
    *done = true;
    return txn.Commit();
  }
  if (version < 0 || version > latest) {
    return Status::IOError("schema version " + std::to_string(version) +
                           " is newer than this binary supports (" + std::to_string(latest) + ")");
  }
  const std::string step = "migration " + std::to_string(version);
  RETURN_IF_ERROR(conn.Script(kPgMigrations[version], step));
  RETURN_IF_ERROR(conn.Query("INSERT INTO schema_migrations (version, applied_at) "
                             "VALUES ($1, $2)",
                             {std::to_string(version + 1), NowIso()}, step)
                      .status());
  return txn.Commit();
}

Status Migrate(PgConn& conn) {
  bool done = false;
  while (!done) RETURN_IF_ERROR(MigrateStep(conn, &done));
  return Status::Ok();
}

Org ReadOrg(const PgResult& res, int row) {
  return Org{res.Text(row, 0), res.Text(row, 1), res.Text(row, 2)};
}

Result<std::optional<Org>> QueryOrg(PgConn& conn, const char* column, const std::string& arg) {
  ASSIGN_OR_RETURN(PgResult res,
                   conn.Query(std::string(kOrgColumns) + " WHERE " + column + " = $1", {arg},
                              "read org"));
  if (res.rows() == 0) return std::optional<Org>();
  return std::optional<Org>(ReadOrg(res, 0));
}

// The org's key user, created on first use. ON CONFLICT makes concurrent
// first keys of one org agree on one user instead of one of them failing.
Result<std::string> EnsureKeyUser(PgConn& conn, const std::string& org_id) {
  RETURN_IF_ERROR(conn.Query("INSERT INTO users (id, org_id, name, created) "
                             "VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, name) DO NOTHING",
                             {NewUuid(), org_id, kKeyUserName, NowIso()}, "insert user")
                      .status());
  ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT id FROM users WHERE org_id = $1 AND name = $2",
                                            {org_id, kKeyUserName}, "read user"));
  if (res.rows() == 0) return Status::Internal("key user of org '" + org_id + "' vanished");
  return res.Text(0, 0);
}

// A member user gets a users row only to anchor its keys; the name can
// never be the owner's. Insert-if-absent, then check whose user it is.
Result<std::string> EnsureMemberUser(PgConn& conn, const std::string& org_id,
                                     const std::string& user_id) {
  RETURN_IF_ERROR(conn.Query("INSERT INTO users (id, org_id, name, created) "
                             "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                             {user_id, org_id, "member:" + user_id, NowIso()}, "insert user")
                      .status());
  ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT org_id, name FROM users WHERE id = $1",
                                            {user_id}, "read user"));
  if (res.rows() == 0 || res.Text(0, 0) != org_id || res.Text(0, 1) == kKeyUserName) {
    return Status::InvalidArgument("user '" + user_id + "' cannot hold member keys of this org");
  }
  return user_id;
}

Status InsertKey(PgConn& conn, const Principal& principal, const std::string& plaintext_key,
                 const std::string& key_name) {
  PgResult res = conn.Exec(
      "INSERT INTO api_keys (id, org_id, user_id, name, key_hash, preview, created) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {principal.key_id, principal.org_id, principal.user_id, key_name, Sha256Hex(plaintext_key),
       KeyPreview(plaintext_key), NowIso()});
  if (res.sqlstate() == kPgUniqueViolation) {
    return Status::AlreadyExists("API key is already registered");
  }
  return res.status("insert API key");
}

Result<std::optional<json::Value>> FirstDoc(const PgResult& res) {
  if (res.rows() == 0) return std::optional<json::Value>();
  ASSIGN_OR_RETURN(json::Value doc, ParseDoc(res.Text(0, 0)));
  return std::optional<json::Value>(std::move(doc));
}

// Live objects of one kind and org, filtered and paged as ListOptions says;
// newest first except for ending_before pages (reversed by the caller).
Query ListQuery(const std::string& kind, const std::string& org_id, const ListOptions& options) {
  Query q;
  const std::string k = q.Param(kind), org = q.Param(org_id);
  q.sql = "SELECT doc FROM objects WHERE kind = " + k + " AND org_id = " + org +
          " AND deleted_at IS NULL";
  if (options.parent_id) q.sql += " AND parent_id = " + q.Param(*options.parent_id);
  if (options.name) q.sql += " AND name = " + q.Param(*options.name);
  if (!options.ids.empty()) {
    std::string ids = json::Value(json::Array(options.ids.begin(), options.ids.end())).Dump();
    q.sql += " AND id IN (SELECT jsonb_array_elements_text(" + q.Param(ids) + "::jsonb))";
  }
  // A cursor is resolved within the caller's kind and org, so another org's
  // id is no cursor; an unknown one compares as NULL: an empty page.
  auto cursor = [&](const std::string& id) {
    return "(SELECT seq FROM objects WHERE id = " + q.Param(id) + " AND kind = " + k +
           " AND org_id = " + org + ")";
  };
  if (options.starting_after) q.sql += " AND seq < " + cursor(*options.starting_after);
  if (options.ending_before) q.sql += " AND seq > " + cursor(*options.ending_before);
  q.sql += options.ending_before ? " ORDER BY seq ASC" : " ORDER BY seq DESC";
  constexpr size_t kMaxLimit = std::numeric_limits<int64_t>::max();
  q.sql += " LIMIT " + q.Param(std::to_string(std::min(options.limit, kMaxLimit)));
  return q;
}

class PgStore final : public Store {
 public:
  explicit PgStore(std::string conninfo) : pool_(std::move(conninfo), kPoolSize) {}

  // Migrations; called once before sharing.
  Status Init() { return pool_.Run(Migrate); }

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
  // Adds a key of the owner user (member_user null) or of a member user.
  Result<Principal> AddKey(const std::string& org_id, const std::string* member_user,
                           const std::string& plaintext_key, const std::string& key_name);
  // Runs one statement that changes at most one row, in a transaction (so a
  // retry after a lost connection cannot apply it twice). NotFound when it
  // changed nothing.
  Status UpdateOne(const std::string& sql, const std::vector<std::string>& params,
                   const std::string& kind, const std::string& id, const std::string& name);

  PgPool pool_;
};

// --- orgs and keys ---

// Insert-if-absent, then read: idempotent, and concurrent callers agree on
// one org (the loser's INSERT waits for the winner and does nothing).
Result<Org> PgStore::EnsureOrg(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("org name is empty");
  return pool_.Run<Org>([&](PgConn& conn) -> Result<Org> {
    RETURN_IF_ERROR(conn.Query("INSERT INTO orgs (id, name, created) VALUES ($1, $2, $3) "
                               "ON CONFLICT (name) DO NOTHING",
                               {NewUuid(), name, NowIso()}, "insert org")
                        .status());
    ASSIGN_OR_RETURN(std::optional<Org> org, QueryOrg(conn, "name", name));
    if (!org) return Status::Internal("org '" + name + "' vanished after insert");
    return *std::move(org);
  });
}

Result<std::optional<Org>> PgStore::GetOrg(const std::string& org_id) {
  return pool_.Run<std::optional<Org>>(
      [&](PgConn& conn) { return QueryOrg(conn, "id", org_id); });
}

Result<std::vector<Org>> PgStore::ListOrgs() {
  return pool_.Run<std::vector<Org>>([&](PgConn& conn) -> Result<std::vector<Org>> {
    // COLLATE "C": byte order, as SQLite sorts, whatever the database locale.
    ASSIGN_OR_RETURN(PgResult res, conn.Query(std::string(kOrgColumns) +
                                                  " ORDER BY name COLLATE \"C\"",
                                              {}, "list orgs"));
    std::vector<Org> orgs;
    for (int row = 0; row < res.rows(); ++row) orgs.push_back(ReadOrg(res, row));
    return orgs;
  });
}

Result<Principal> PgStore::AddKey(const std::string& org_id, const std::string* member_user,
                                  const std::string& plaintext_key, const std::string& key_name) {
  if (plaintext_key.empty()) return Status::InvalidArgument("API key is empty");
  return pool_.Run<Principal>([&](PgConn& conn) -> Result<Principal> {
    PgTxn txn(conn);
    RETURN_IF_ERROR(txn.Begin());
    ASSIGN_OR_RETURN(std::optional<Org> org, QueryOrg(conn, "id", org_id));
    if (!org) return Status::NotFound("org '" + org_id + "' not found");
    Principal principal{org->id, org->name, "", NewUuid(), member_user == nullptr};
    if (member_user == nullptr) {
      ASSIGN_OR_RETURN(principal.user_id, EnsureKeyUser(conn, org_id));
    } else {
      ASSIGN_OR_RETURN(principal.user_id, EnsureMemberUser(conn, org_id, *member_user));
    }
    RETURN_IF_ERROR(InsertKey(conn, principal, plaintext_key, key_name));
    RETURN_IF_ERROR(txn.Commit());
    return principal;
  });
}

Result<Principal> PgStore::AddApiKey(const std::string& org_id, const std::string& plaintext_key,
                                     const std::string& key_name) {
  return AddKey(org_id, nullptr, plaintext_key, key_name);
}

Result<Principal> PgStore::AddUserApiKey(const std::string& org_id, const std::string& user_id,
                                         const std::string& plaintext_key,
                                         const std::string& key_name) {
  if (user_id.empty()) return Status::InvalidArgument("user id is empty");
  return AddKey(org_id, &user_id, plaintext_key, key_name);
}

Result<Principal> PgStore::Authenticate(const std::string& plaintext_key) {
  return pool_.Run<Principal>([&](PgConn& conn) -> Result<Principal> {
    ASSIGN_OR_RETURN(PgResult res,
                     conn.Query("SELECT o.id, o.name, k.user_id, k.id, u.name = $2 "
                                "FROM api_keys k JOIN orgs o ON o.id = k.org_id "
                                "JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1",
                                {Sha256Hex(plaintext_key), kKeyUserName}, "authenticate"));
    if (res.rows() == 0) return Status::Unauthenticated("invalid API key");
    return Principal{res.Text(0, 0), res.Text(0, 1), res.Text(0, 2), res.Text(0, 3),
                     res.Text(0, 4) == "t"};
  });
}

Result<std::vector<ApiKeyInfo>> PgStore::ListApiKeys(const std::string& org_id) {
  using Keys = std::vector<ApiKeyInfo>;
  return pool_.Run<Keys>([&](PgConn& conn) -> Result<Keys> {
    ASSIGN_OR_RETURN(PgResult res,
                     conn.Query("SELECT k.id, k.org_id, k.user_id, k.name, k.preview, k.created, "
                                "u.name = $2 FROM api_keys k JOIN users u ON u.id = k.user_id "
                                "WHERE k.org_id = $1 ORDER BY k.seq",
                                {org_id, kKeyUserName}, "list API keys"));
    Keys keys;
    for (int r = 0; r < res.rows(); ++r) {
      keys.push_back(ApiKeyInfo{res.Text(r, 0), res.Text(r, 1), res.Text(r, 2), res.Text(r, 3),
                                res.Text(r, 4), res.Text(r, 5), res.Text(r, 6) == "t"});
    }
    return keys;
  });
}

Status PgStore::DeleteApiKey(const std::string& org_id, const std::string& key_id) {
  return pool_.Run([&](PgConn& conn) -> Status {
    PgTxn txn(conn);
    RETURN_IF_ERROR(txn.Begin());
    ASSIGN_OR_RETURN(PgResult res, conn.Query("DELETE FROM api_keys WHERE org_id = $1 AND id = $2",
                                              {org_id, key_id}, "delete API key"));
    if (res.affected() == 0) return Status::NotFound("API key '" + key_id + "' not found");
    return txn.Commit();
  });
}

// --- generic objects ---

Status PgStore::CreateObject(const std::string& kind, const std::string& org_id,
                             const std::string& parent_id, const std::string& name,
                             const json::Value& doc) {
  const json::Value* id = doc.find("id");
  if (id == nullptr || !id->is_string() || id->as_string().empty()) {
    return Status::InvalidArgument(kind + " document has no string \"id\"");
  }
  const std::string& object_id = id->as_string();
  return pool_.Run([&](PgConn& conn) -> Status {
    PgTxn txn(conn);
    RETURN_IF_ERROR(txn.Begin());
    PgResult res = conn.Exec(
        "INSERT INTO objects (kind, id, org_id, parent_id, name, doc, created) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {kind, object_id, org_id, parent_id, name, doc.Dump(), CreatedOf(doc)});
    // Ids are unique across the whole table, names only among live objects
    // of one kind/org/parent (the partial index objects_live_name).
    if (res.sqlstate() == kPgUniqueViolation) {
      if (res.constraint() == "objects_live_name") {
        return Status::AlreadyExists(kind + " named '" + name + "' already exists");
      }
      return Status::AlreadyExists(kind + " with id '" + object_id + "' already exists");
    }
    if (res.sqlstate() == kPgForeignKeyViolation) {
      return Status::NotFound("org '" + org_id + "' not found");
    }
    RETURN_IF_ERROR(res.status("insert " + kind));
    return txn.Commit();
  });
}

Result<std::optional<json::Value>> PgStore::GetObject(const std::string& kind,
                                                      const std::string& org_id,
                                                      const std::string& id) {
  using Doc = std::optional<json::Value>;
  return pool_.Run<Doc>([&](PgConn& conn) -> Result<Doc> {
    ASSIGN_OR_RETURN(PgResult res,
                     conn.Query("SELECT doc FROM objects WHERE kind = $1 AND org_id = $2 "
                                "AND id = $3 AND deleted_at IS NULL",
                                {kind, org_id, id}, "get " + kind));
    return FirstDoc(res);
  });
}

Result<std::optional<ObjectState>> PgStore::GetObjectState(const std::string& kind,
                                                            const std::string& id) {
  using State = std::optional<ObjectState>;
  return pool_.Run<State>([&](PgConn& conn) -> Result<State> {
    ASSIGN_OR_RETURN(PgResult res,
                     conn.Query("SELECT doc, deleted_at IS NOT NULL FROM objects WHERE kind = $1 "
                                "AND id = $2 ORDER BY (deleted_at IS NULL) DESC LIMIT 1",
                                {kind, id}, "state of " + kind));
    ASSIGN_OR_RETURN(std::optional<json::Value> doc, FirstDoc(res));
    if (!doc) return State();
    return State(ObjectState{std::move(*doc), res.Text(0, 1) == "t"});
  });
}

Result<std::optional<json::Value>> PgStore::FindObjectByName(const std::string& kind,
                                                             const std::string& org_id,
                                                             const std::string& parent_id,
                                                             const std::string& name) {
  using Doc = std::optional<json::Value>;
  return pool_.Run<Doc>([&](PgConn& conn) -> Result<Doc> {
    ASSIGN_OR_RETURN(PgResult res,
                     conn.Query("SELECT doc FROM objects WHERE kind = $1 AND org_id = $2 "
                                "AND parent_id = $3 AND name = $4 AND deleted_at IS NULL",
                                {kind, org_id, parent_id, name}, "find " + kind));
    return FirstDoc(res);
  });
}

Result<std::vector<json::Value>> PgStore::ListObjects(const std::string& kind,
                                                      const std::string& org_id,
                                                      const ListOptions& options) {
  const Query q = ListQuery(kind, org_id, options);
  using Docs = std::vector<json::Value>;
  return pool_.Run<Docs>([&](PgConn& conn) -> Result<Docs> {
    ASSIGN_OR_RETURN(PgResult res, conn.Query(q.sql, q.params, "list " + kind));
    Docs docs;
    for (int row = 0; row < res.rows(); ++row) {
      ASSIGN_OR_RETURN(json::Value doc, ParseDoc(res.Text(row, 0)));
      docs.push_back(std::move(doc));
    }
    if (options.ending_before) std::reverse(docs.begin(), docs.end());
    return docs;
  });
}

Status PgStore::UpdateOne(const std::string& sql, const std::vector<std::string>& params,
                          const std::string& kind, const std::string& id,
                          const std::string& name) {
  return pool_.Run([&](PgConn& conn) -> Status {
    PgTxn txn(conn);
    RETURN_IF_ERROR(txn.Begin());
    PgResult res = conn.Exec(sql, params);
    if (res.sqlstate() == kPgUniqueViolation) {
      return Status::AlreadyExists(kind + " named '" + name + "' already exists");
    }
    RETURN_IF_ERROR(res.status("update " + kind));
    if (res.affected() == 0) return Status::NotFound(kind + " '" + id + "' not found");
    return txn.Commit();
  });
}

Status PgStore::UpdateObject(const std::string& kind, const std::string& org_id,
                             const std::string& id, const std::string& name,
                             const json::Value& doc) {
  const json::Value* doc_id = doc.find("id");
  if (doc_id != nullptr && !(doc_id->is_string() && doc_id->as_string() == id)) {
    return Status::InvalidArgument(kind + " document \"id\" does not match '" + id + "'");
  }
  return UpdateOne("UPDATE objects SET name = $1, doc = $2 WHERE kind = $3 AND org_id = $4 "
                   "AND id = $5 AND deleted_at IS NULL",
                   {name, doc.Dump(), kind, org_id, id}, kind, id, name);
}

Status PgStore::DeleteObject(const std::string& kind, const std::string& org_id,
                             const std::string& id) {
  return UpdateOne("UPDATE objects SET deleted_at = $1 WHERE kind = $2 AND org_id = $3 "
                   "AND id = $4 AND deleted_at IS NULL",
                   {NowIso(), kind, org_id, id}, kind, id, "");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo) {
  auto store = std::make_unique<PgStore>(conninfo);
  Status st = store->Init();
  // Open failures are IOError, as with SQLite; Unavailable is for calls.
  if (st.code() == Code::kUnavailable) st = Status::IOError(st.message());
  RETURN_IF_ERROR(st.WithContext("open metadata store (PostgreSQL)"));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace spanlake::meta
