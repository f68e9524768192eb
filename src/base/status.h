// Status and Result<T>: errors as values across module boundaries.
// A Status carries a Code (which the server maps to an HTTP status in one
// place) and a human-readable message that says what and where.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace spanlake {

enum class Code {
  kOk = 0,
  kInvalidArgument,   // bad input from a client (400)
  kUnauthenticated,   // missing or unknown key (401)
  kPermissionDenied,  // key may not do this (403)
  kNotFound,          // (404)
  kAlreadyExists,     // (409)
  kTooLarge,          // body or payload over a limit (413)
  kCorruption,        // stored bytes fail their checksum or grammar
  kIOError,           // the OS or a store failed
  kUnavailable,       // try again later (503)
  kInternal,          // a bug (500)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Prefixes the message with where the error happened: "rows[3].scores: ...".
  Status WithContext(const std::string& where) const {
    return ok() ? *this : Status(code_, where + ": " + message_);
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

#define SPANLAKE_CONCAT_INNER(a, b) a##b
#define SPANLAKE_CONCAT(a, b) SPANLAKE_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not ok.
#define RETURN_IF_ERROR(expr)               \
  do {                                      \
    ::spanlake::Status _st = (expr);        \
    if (!_st.ok()) return _st;              \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(SPANLAKE_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(res, lhs, expr) \
  auto res = (expr);                          \
  if (!res.ok()) return res.status();         \
  lhs = std::move(res).value()

}  // namespace spanlake
