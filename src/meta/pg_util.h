// Thin RAII wrappers over libpq for the PostgreSQL backend of the metadata
// store: a connection, a statement result, a transaction that rolls back
// unless committed, and a small connection pool that reconnects.
//
// Values always travel as PQexecParams parameters (text format), never
// inside SQL text. Failures become Status values whose message carries the
// server's primary message only: never DETAIL, which may quote values.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace spanlake::meta {

// SQLSTATEs the store maps to Status codes.
inline constexpr std::string_view kPgUniqueViolation = "23505";
inline constexpr std::string_view kPgForeignKeyViolation = "23503";

// The outcome of one statement. Move-only; owns the PGresult.
class PgResult {
 public:
  PgResult(PgResult&&) noexcept = default;
  PgResult& operator=(PgResult&&) noexcept = default;

  bool ok() const;
  // The SQLSTATE of a statement the server rejected; "" otherwise.
  std::string sqlstate() const { return Field(PG_DIAG_SQLSTATE); }
  // The constraint (or unique index) a statement violated; "" otherwise.
  std::string constraint() const { return Field(PG_DIAG_CONSTRAINT_NAME); }
  // Ok, or the failure prefixed with `what`: Unavailable when the connection
  // was lost, InvalidArgument for text PostgreSQL cannot store (a NUL byte,
  // invalid UTF-8), IOError otherwise.
  Status status(std::string_view what) const;

  int rows() const { return res_ ? PQntuples(res_.get()) : 0; }
  // REQUIRES: ok(), row < rows().
  std::string Text(int row, int column) const;
  // Rows an INSERT/UPDATE/DELETE touched.
  int64_t affected() const;

 private:
  friend class PgConn;
  using Owned = std::unique_ptr<PGresult, decltype(&PQclear)>;
  PgResult(PGresult* res, bool connection_lost, Status early)
      : res_(res, &PQclear), connection_lost_(connection_lost), early_(std::move(early)) {}
  std::string Field(int field) const;

  Owned res_;
  bool connection_lost_;
  Status early_;  // a failure found before the statement was sent
};

// One server connection. Not thread-safe: a connection serves one caller at
// a time (the pool hands it out exclusively).
class PgConn {
 public:
  // `conninfo` is a libpq URL or keyword string. Adds defaults the caller
  // may override (connect_timeout, application_name) and forces UTF-8.
  // IOError with libpq's message (which never includes a password).
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs one statement with positional text parameters $1, $2, ...
  PgResult Exec(std::string_view sql, const std::vector<std::string>& params = {});
  // Exec, with a failed statement turned into its status(what).
  Result<PgResult> Query(std::string_view sql, const std::vector<std::string>& params,
                         std::string_view what);
  // Runs a parameterless script of one or more statements (DDL, BEGIN).
  Status Script(std::string_view sql, std::string_view what);

  bool broken() const { return PQstatus(conn_) == CONNECTION_BAD; }
  // Re-establishes a broken connection (same conninfo). Unavailable on failure.
  Status Reset();

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}
  PgResult Wrap(PGresult* res);

  PGconn* const conn_;
};

// BEGIN ... COMMIT on one connection; the destructor rolls back a
// transaction that was begun and not committed (also after a failed
// statement, which leaves PostgreSQL's transaction aborted).
class PgTxn {
 public:
  explicit PgTxn(PgConn& conn) : conn_(conn) {}
  PgTxn(const PgTxn&) = delete;
  PgTxn& operator=(const PgTxn&) = delete;
  ~PgTxn();

  Status Begin();
  // A connection lost during COMMIT leaves the outcome unknown: reported as
  // IOError, never Unavailable, so that the pool does not run it again.
  Status Commit();

 private:
  PgConn& conn_;
  bool active_ = false;
};

// At most `size` connections to one server, opened on demand and shared by
// any number of threads. Thread-safe.
class PgPool {
 public:
  PgPool(std::string conninfo, size_t size) : conninfo_(std::move(conninfo)), size_(size) {}

  // Runs `fn` on a connection it has to itself. When `fn` fails with
  // Unavailable on a connection that turned out broken (server restart,
  // dropped TCP), the connection is re-established and `fn` runs once
  // more. So `fn` must be safe to rerun after an Unavailable: reads,
  // idempotent statements, and transactions (a lost connection before
  // COMMIT rolled them back; PgTxn::Commit never reports Unavailable).
  Status Run(const std::function<Status(PgConn&)>& fn);

  template <typename T>
  Result<T> Run(const std::function<Result<T>(PgConn&)>& fn) {
    std::optional<T> out;
    Status st = Run([&](PgConn& conn) -> Status {
      ASSIGN_OR_RETURN(T value, fn(conn));
      out.emplace(std::move(value));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }

 private:
  // Bounded wait: Unavailable when every connection stays busy this long.
  static constexpr std::chrono::seconds kAcquireTimeout{30};

  Result<std::unique_ptr<PgConn>> Acquire();
  void Release(std::unique_ptr<PgConn> conn);

  const std::string conninfo_;
  const size_t size_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConn>> idle_;  // guarded by mu_
  size_t open_ = 0;                            // idle + in use; guarded by mu_
};

}  // namespace spanlake::meta
