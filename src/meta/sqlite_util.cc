#include "meta/sqlite_util.h"

#include <utility>

namespace spanlake::meta {

Status SqlError(sqlite3* db, std::string_view what) {
  return Status::IOError(std::string(what) + ": " + sqlite3_errmsg(db));
}

Status ExecSql(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqlError(db, "sqlite exec");
  }
  return Status::Ok();
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqlError(db, "sqlite prepare");
  }
  return Statement(db, stmt);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::Bind(int index, int64_t number) {
  int rc = sqlite3_bind_int64(stmt_, index, number);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

int Statement::StepCode() {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(stmt_);
}

Result<bool> Statement::Next() {
  int rc = StepCode();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlError(db_, "sqlite step");
}

Status Statement::Run() {
  ASSIGN_OR_RETURN(bool row, Next());
  if (row) return Status::Internal("sqlite: statement unexpectedly returned a row");
  return Status::Ok();
}

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Transaction::~Transaction() {
  // Best effort: a failed rollback leaves SQLite to roll back on close.
  if (active_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Begin() {
  RETURN_IF_ERROR(ExecSql(db_, "BEGIN IMMEDIATE").WithContext("begin transaction"));
  active_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  RETURN_IF_ERROR(ExecSql(db_, "COMMIT").WithContext("commit"));
  active_ = false;
  return Status::Ok();
}

}  // namespace spanlake::meta
