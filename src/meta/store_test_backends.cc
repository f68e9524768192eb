#include "meta/store_test_backends.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "base/random.h"

namespace spanlake::meta {
namespace {

// --- SQLite: a file per location in one temporary directory ---

int CollectRow(void* arg, int n, char** values, char** names) {
  Table* table = static_cast<Table*>(arg);
  if (table->columns.empty()) table->columns.assign(names, names + n);
  std::vector<std::string>& row = table->rows.emplace_back();
  for (int i = 0; i < n; ++i) row.push_back(values[i] != nullptr ? values[i] : "");
  return 0;
}

class SqliteBackend final : public TestBackend {
 public:
  SqliteBackend() {
    char tmpl[] = "/tmp/meta_test_XXXXXX";
    if (mkdtemp(tmpl) != nullptr) dir_ = tmpl;
  }
  ~SqliteBackend() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Result<std::string> NewLocation() override {
    if (dir_.empty()) return Status::IOError("mkdtemp failed");
    return dir_ + "/meta-" + std::to_string(++files_) + ".sqlite";
  }

  // A fresh (multi-)statement callback fills the table; a statement that
  // returns rows replaces what earlier ones returned.
  Result<Table> Query(const std::string& location, const std::string& sql) override {
    sqlite3* db = nullptr;
    int rc = sqlite3_open(location.c_str(), &db);
    Table table;
    char* error = nullptr;
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), CollectRow, &table, &error);
    std::string why = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    sqlite3_close(db);
    if (rc != SQLITE_OK) return Status::IOError("sqlite: " + why);
    return table;
  }

  std::string SchemaVersionSql() const override { return "PRAGMA user_version"; }
  std::string SetSchemaVersionSql(int64_t version) const override {
    return "PRAGMA user_version = " + std::to_string(version);
  }
  std::string Unreachable() const override { return dir_ + "/no/such/dir/meta.sqlite"; }
  Result<int> KillConnections(const std::string&) override {
    return Status::InvalidArgument("SQLite has no server connections");
  }

 private:
  std::string dir_;
  int files_ = 0;
};

// --- PostgreSQL: a schema per location in one database ---

Result<Table> PgQuery(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    return Status::IOError("connect: " + why);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType st = PQresultStatus(res);
  Table table;
  for (int c = 0; c < PQnfields(res); ++c) table.columns.push_back(PQfname(res, c));
  for (int r = 0; r < PQntuples(res); ++r) {
    std::vector<std::string>& row = table.rows.emplace_back();
    for (int c = 0; c < PQnfields(res); ++c) row.push_back(PQgetvalue(res, r, c));
  }
  std::string why = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Status::IOError("pg: " + why);
  return table;
}

class PostgresBackend final : public TestBackend {
 public:
  explicit PostgresBackend(std::string base_url) : base_(std::move(base_url)) {}
  ~PostgresBackend() override {
    for (const std::string& schema : schemas_) {
      (void)PgQuery(base_, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  // The name is ours (hex), so it is safe in SQL text; it doubles as the
  // application_name that KillConnections finds the store's sessions by.
  Result<std::string> NewLocation() override {
    std::string schema = "spanlake_test_" + RandomHex(8);
    RETURN_IF_ERROR(PgQuery(base_, "CREATE SCHEMA " + schema).status());
    schemas_.push_back(schema);
    const char sep = base_.find('?') == std::string::npos ? '?' : '&';
    return base_ + sep + "options=-csearch_path%3D" + schema + "&application_name=" + schema;
  }

  Result<Table> Query(const std::string& location, const std::string& sql) override {
    return PgQuery(location, sql);
  }

  std::string SchemaVersionSql() const override {
    return "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
  }
  std::string SetSchemaVersionSql(int64_t version) const override {
    return "INSERT INTO schema_migrations (version, applied_at) VALUES (" +
           std::to_string(version) + ", 'test')";
  }
  std::string Unreachable() const override {
    return "postgresql://postgres@127.0.0.1:1/none?connect_timeout=3";
  }

  // Waits (bounded, 5 s each) until each session has ended.
  Result<int> KillConnections(const std::string& location) override {
    std::string schema = location.substr(location.rfind('=') + 1);
    Result<Table> killed = PgQuery(base_,
                                   "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                   "WHERE application_name = '" + schema + "'");
    if (!killed.ok()) return killed.status();
    return static_cast<int>(killed->rows.size());
  }

 private:
  const std::string base_;
  std::vector<std::string> schemas_;
};

}  // namespace

std::unique_ptr<TestBackend> MakeSqliteBackend() { return std::make_unique<SqliteBackend>(); }

Result<std::unique_ptr<TestBackend>> MakePostgresBackend(const std::string& base_url) {
  RETURN_IF_ERROR(PgQuery(base_url, "SELECT 1").status().WithContext("SPANLAKE_TEST_PG_URL"));
  return std::unique_ptr<TestBackend>(std::make_unique<PostgresBackend>(base_url));
}

}  // namespace spanlake::meta
