#include "meta/pg_util.h"

#include <cstdlib>
#include <utility>

#include "base/log.h"

namespace spanlake::meta {
namespace {

// SQLSTATEs of text PostgreSQL cannot store: invalid UTF-8, characters the
// server encoding lacks.
bool IsBadText(const std::string& sqlstate) {
  return sqlstate == "22021" || sqlstate == "22P05";
}

std::string TrimNewline(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

// libpq prints server notices to stderr by default. NOTICEs are expected
// chatter ("relation already exists, skipping"); warnings go to the log.
void OnNotice(void*, const PGresult* res) {
  const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == nullptr || std::string_view(severity) != "WARNING") return;
  const char* message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  LogWarn(std::string("PostgreSQL: ") + (message != nullptr ? message : "warning"));
}

}  // namespace

// --- PgResult ---

bool PgResult::ok() const {
  if (!early_.ok() || connection_lost_ || res_ == nullptr) return false;
  ExecStatusType st = PQresultStatus(res_.get());
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

std::string PgResult::Field(int field) const {
  const char* value = res_ ? PQresultErrorField(res_.get(), field) : nullptr;
  return value != nullptr ? value : "";
}

Status PgResult::status(std::string_view what) const {
  if (ok()) return Status::Ok();
  const std::string where(what);
  if (!early_.ok()) return early_.WithContext(where);
  std::string message = Field(PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && res_) message = TrimNewline(PQresultErrorMessage(res_.get()));
  if (message.empty()) message = "no result from server";
  if (connection_lost_) {
    return Status::Unavailable(where + ": connection to PostgreSQL lost: " + message);
  }
  if (IsBadText(sqlstate())) return Status::InvalidArgument(where + ": " + message);
  return Status::IOError(where + ": " + message + " (SQLSTATE " + sqlstate() + ")");
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(res_.get(), row, column),
                     static_cast<size_t>(PQgetlength(res_.get(), row, column)));
}

int64_t PgResult::affected() const {
  const char* n = res_ ? PQcmdTuples(res_.get()) : "";
  return *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

// --- PgConn ---

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
  // Keywords before "dbname" are defaults that the expanded conninfo
  // overrides; keywords after it override the conninfo. Documents are
  // UTF-8 JSON, so the client encoding is not the user's to choose.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                        "client_encoding", nullptr};
  const char* values[] = {"10", "spanlake", conninfo.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  std::unique_ptr<PgConn> owned(new PgConn(conn));  // finishes conn on every path
  if (conn == nullptr) return Status::IOError("connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status::IOError("connect to PostgreSQL: " + TrimNewline(PQerrorMessage(conn)));
  }
  PQsetNoticeReceiver(conn, OnNotice, nullptr);  // kept across PQreset
  return owned;
}

PgConn::~PgConn() { PQfinish(conn_); }

PgResult PgConn::Wrap(PGresult* res) {
  bool lost = PQstatus(conn_) == CONNECTION_BAD;
  PgResult result(res, lost, Status::Ok());
  if (res == nullptr && !lost) {
    result.early_ = Status::IOError(TrimNewline(PQerrorMessage(conn_)));
  }
  return result;
}

PgResult PgConn::Exec(std::string_view sql, const std::vector<std::string>& params) {
  // Text-format parameters are C strings: a NUL would silently cut a value.
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) {
    if (p.find('\0') != std::string::npos) {
      return PgResult(nullptr, false,
                      Status::InvalidArgument("text contains a NUL byte (PostgreSQL "
                                              "cannot store it)"));
    }
    values.push_back(p.c_str());
  }
  const std::string query(sql);
  return Wrap(PQexecParams(conn_, query.c_str(), static_cast<int>(values.size()), nullptr,
                           values.data(), nullptr, nullptr, /*resultFormat=*/0));
}

Result<PgResult> PgConn::Query(std::string_view sql, const std::vector<std::string>& params,
                               std::string_view what) {
  PgResult res = Exec(sql, params);
  RETURN_IF_ERROR(res.status(what));
  return res;
}

Status PgConn::Script(std::string_view sql, std::string_view what) {
  const std::string script(sql);
  return Wrap(PQexec(conn_, script.c_str())).status(what);
}

Status PgConn::Reset() {
  PQreset(conn_);
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  return Status::Unavailable("reconnect to PostgreSQL: " + TrimNewline(PQerrorMessage(conn_)));
}

// --- PgTxn ---

PgTxn::~PgTxn() {
  if (active_ && !conn_.broken()) (void)conn_.Script("ROLLBACK", "rollback");
}

Status PgTxn::Begin() {
  RETURN_IF_ERROR(conn_.Script("BEGIN", "begin transaction"));
  active_ = true;
  return Status::Ok();
}

Status PgTxn::Commit() {
  active_ = false;
  Status st = conn_.Script("COMMIT", "commit");
  if (st.code() == Code::kUnavailable) {
    return Status::IOError(st.message() + " (the write may or may not have been applied)");
  }
  return st;
}

// --- PgPool ---

Result<std::unique_ptr<PgConn>> PgPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  bool ready = released_.wait_for(lock, kAcquireTimeout,
                                  [this] { return !idle_.empty() || open_ < size_; });
  if (!ready) {
    return Status::Unavailable("all " + std::to_string(size_) +
                               " metadata store connections stayed busy");
  }
  if (!idle_.empty()) {
    std::unique_ptr<PgConn> conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();  // connecting takes a round trip or several; do not block others
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(conninfo_);
  if (!conn.ok()) {
    Release(nullptr);
    return Status::Unavailable(conn.status().message());
  }
  return conn;
}

// A null `conn` gives its slot back (a connection that could not be opened).
void PgPool::Release(std::unique_ptr<PgConn> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (conn != nullptr) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  released_.notify_one();
}

Status PgPool::Run(const std::function<Status(PgConn&)>& fn) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, Acquire());
  Status st = conn->broken() ? conn->Reset() : Status::Ok();
  if (st.ok()) st = fn(*conn);
  if (st.code() == Code::kUnavailable && conn->broken()) {
    // Broken while idle (server restart, dropped TCP) or during `fn`, which
    // then changed nothing: one more try on a fresh connection.
    st = conn->Reset();
    if (st.ok()) st = fn(*conn);
  }
  Release(std::move(conn));
  return st;
}

}  // namespace spanlake::meta
