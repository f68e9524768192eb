// Thin RAII wrappers over the SQLite C API for the metadata store: a prepared
// statement that finalizes itself and a transaction that rolls back unless
// committed. Failures become Status::IOError carrying sqlite3_errmsg, which
// names tables and columns but never bound values (so never a key).
//
// Thread-safety: none; the owner serializes access to the connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace spanlake::meta {

// IOError("<what>: <sqlite3_errmsg(db)>").
Status SqlError(sqlite3* db, std::string_view what);

// Runs one or more statements that bind nothing and whose rows are ignored.
Status ExecSql(sqlite3* db, const char* sql);

class Statement {
 public:
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based. A bind failure is remembered and reported by
  // the next Step.
  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t number);

  // The raw sqlite3_step code (extended), or the first bind failure.
  int StepCode();
  // True when a row is ready, false when done; IOError otherwise.
  Result<bool> Next();
  // Steps a statement that returns no rows.
  Status Run();

  // REQUIRES: the last step returned a row.
  std::string ColumnText(int column) const;
  int64_t ColumnInt64(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// BEGIN IMMEDIATE takes the write lock up front, so two processes never
// deadlock upgrading read locks; the busy timeout makes the loser wait.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Begin();
  Status Commit();

 private:
  sqlite3* db_;
  bool active_ = false;
};

}  // namespace spanlake::meta
