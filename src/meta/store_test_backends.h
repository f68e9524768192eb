// Test support: where a metadata store test keeps its stores — a fresh
// SQLite file or a fresh PostgreSQL schema — and raw SQL access to it that
// bypasses the Store, as an operator's tool would.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace spanlake::meta {

// Rows of a raw query; NULL reads as "".
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

class TestBackend {
 public:
  virtual ~TestBackend() = default;

  // A new, empty location for OpenStore(): removed by the destructor.
  virtual Result<std::string> NewLocation() = 0;
  // Runs `sql` (one or more statements) at `location`; the last one's rows.
  virtual Result<Table> Query(const std::string& location, const std::string& sql) = 0;
  // The schema version the location records.
  virtual std::string SchemaVersionSql() const = 0;
  virtual std::string SetSchemaVersionSql(int64_t version) const = 0;
  // A location whose open must fail with IOError.
  virtual std::string Unreachable() const = 0;
  // Closes every server connection that stores opened at `location`, as a
  // server restart would; returns how many there were. PostgreSQL only.
  virtual Result<int> KillConnections(const std::string& location) = 0;
};

std::unique_ptr<TestBackend> MakeSqliteBackend();

// Each location is a schema of its own (selected with search_path in the
// URL's options) in the database at `base_url`, dropped at destruction.
Result<std::unique_ptr<TestBackend>> MakePostgresBackend(const std::string& base_url);

}  // namespace spanlake::meta
