// The expression parser shared by the BTQL and SQL front ends (internal to
// query/syntax). Precedence, lowest first: `? :` (BTQL), OR, AND, NOT,
// comparisons (= != <> < <= > >= [NOT] LIKE/ILIKE/MATCH/IN/INCLUDES/CONTAINS,
// IS [NOT] NULL, BETWEEN), + - ||, * / %, unary -, `::type`, primaries.
//
// Every node it builds is a JSON query-tree node with a `loc`.
#pragma once

#include <string>
#include <vector>

#include "json/value.h"
#include "query/syntax/lexer.h"

namespace spanlake::query::syntax {

enum class Dialect { kBtql, kSql };

// Nesting deeper than this is a syntax error.
inline constexpr int kMaxNesting = 200;

class Parser {
 public:
  Parser(std::vector<Token> tokens, Dialect dialect)
      : toks_(std::move(tokens)), dialect_(dialect) {}

  Result<json::Value> Expr();
  // `expr [AS alias]`, alias implied from the expression when absent.
  Result<json::Value> AliasedExpr();
  // Comma-separated AliasedExpr()s, or `*` alone when `allow_star`.
  Result<json::Array> AliasedList(bool allow_star);
  // `source(args…)` with `shape => 'x'` / BTQL's trailing shape word.
  Result<json::Value> FromClause();

  const Token& Peek(size_t k = 0) const;
  const Token& Take();
  bool AtEnd() const { return Peek().kind == Tok::kEnd; }
  bool TakeWord(std::string_view keyword);
  bool TakePunct(std::string_view p);
  Status ExpectPunct(std::string_view p, const std::string& what);
  Status ExpectWord(std::string_view keyword, const std::string& what);
  Status Unexpected(const std::string& expected) const;
  Result<int64_t> Integer(const std::string& what);
  Result<std::string> StringLiteral(const std::string& what);
  // A bare word (a column alias), else "expected <what>".
  Result<std::string> Name(const std::string& what);
  Dialect dialect() const { return dialect_; }

  // Builders that stamp `loc` (start from `from`, end at the last token taken).
  json::Value Node(const Token& from, json::Object fields) const;

 private:
  Result<json::Value> Ternary();
  Result<json::Value> Or();
  Result<json::Value> And();
  Result<json::Value> Not();
  Result<json::Value> Comparison();
  Result<json::Value> ComparisonTail(const Token& start, json::Value left);
  Result<json::Value> InList(const Token& start, json::Value left, bool negate);
  Result<json::Value> Additive();
  Result<json::Value> Multiplicative();
  Result<json::Value> Unary();
  Result<json::Value> Postfix();
  Result<json::Value> Primary();
  Result<json::Value> PathTail(const Token& start, json::Array path);
  Result<json::Value> FunctionCall(const Token& name);
  Result<json::Value> IncludesCall(const Token& name);
  Result<json::Value> Interval(const Token& start);
  Result<json::Value> Case(const Token& start);
  Result<json::Value> Cast(const Token& start);
  Result<json::Value> ArrayLiteral(const Token& start);
  Result<json::Value> ObjectLiteral(const Token& start);
  Result<json::Value> Cast(const Token& start, json::Value expr, const Token& type);
  bool IsReserved(const Token& t) const;

  // Bounds recursion (nested parentheses, NOT NOT …, - - …) so that no input
  // can exhaust the stack.
  class DepthGuard;
  Status Enter();

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  Dialect dialect_;
};

// The alias a select item gets without AS: the last name of a path, the
// function name of a call, else "expr".
std::string ImpliedAlias(const json::Value& expr);

}  // namespace spanlake::query::syntax
