// The literal-like forms of the expression parser: intervals, CASE, CAST,
// array and object literals (see parser.h).
#include <cstdlib>

#include "base/datetime.h"
#include "query/expr.h"
#include "query/syntax/parser.h"

namespace spanlake::query::syntax {

namespace {

bool IsLiteral(const json::Value& v) {
  const json::Value* op = v.find("op");
  return op != nullptr && *op == json::Value("literal");
}

json::Value Equal(json::Value l, json::Value r) {
  return json::Object{{"op", "eq"}, {"left", std::move(l)}, {"right", std::move(r)}};
}

}  // namespace

// `interval 7 day`, `interval '15 minutes'`, `interval '1' day`.
Result<json::Value> Parser::Interval(const Token& start) {
  int64_t n = 0;
  std::string unit_text;
  if (Peek().kind == Tok::kSingle) {
    std::string text = Take().text;
    size_t i = 0;
    while (i < text.size() && text[i] == ' ') ++i;
    char* end = nullptr;
    n = std::strtoll(text.c_str() + i, &end, 10);
    if (end == text.c_str() + i) return SyntaxError(start, "interval '" + text + "' has no number");
    unit_text = std::string(end);
    while (!unit_text.empty() && unit_text.front() == ' ') unit_text.erase(0, 1);
  } else {
    ASSIGN_OR_RETURN(n, Integer("the number of an interval"));
  }
  if (unit_text.empty()) {
    if (Peek().kind != Tok::kWord) return Unexpected("an interval unit (day, hour, …)");
    unit_text = Take().text;
  }
  std::optional<TimeUnit> unit = ParseTimeUnit(unit_text);
  if (!unit) return SyntaxError(start, "unknown interval unit '" + unit_text + "'");
  return Node(start, {{"op", "interval"}, {"value", n}, {"unit", TimeUnitName(*unit)}});
}

// CASE [x] WHEN a THEN b … [ELSE c] END → {op:"if"}.
Result<json::Value> Parser::Case(const Token& start) {
  json::Value subject;
  if (!Peek().IsWord("when")) {
    ASSIGN_OR_RETURN(subject, Expr());
  }
  json::Array conds;
  while (TakeWord("when")) {
    ASSIGN_OR_RETURN(json::Value cond, Expr());
    if (!subject.is_null()) cond = Equal(subject, std::move(cond));
    RETURN_IF_ERROR(ExpectWord("then", "THEN"));
    ASSIGN_OR_RETURN(json::Value then, Expr());
    conds.push_back(json::Object{{"cond", std::move(cond)}, {"then", std::move(then)}});
  }
  if (conds.empty()) return Unexpected("WHEN");
  json::Value otherwise = Literal(json::Value());
  if (TakeWord("else")) {
    ASSIGN_OR_RETURN(otherwise, Expr());
  }
  RETURN_IF_ERROR(ExpectWord("end", "END of CASE"));
  return Node(start, {{"op", "if"}, {"conds", std::move(conds)}, {"else", std::move(otherwise)}});
}

Result<json::Value> Parser::Cast(const Token& start) {
  Take();  // (
  ASSIGN_OR_RETURN(json::Value e, Expr());
  RETURN_IF_ERROR(ExpectWord("as", "AS in CAST(x AS type)"));
  if (Peek().kind != Tok::kWord) return Unexpected("a type name");
  const Token& type = Take();
  RETURN_IF_ERROR(ExpectPunct(")", "')' of CAST"));
  return Cast(start, std::move(e), type);
}

Result<json::Value> Parser::ArrayLiteral(const Token& start) {
  json::Array values;
  if (!Peek().IsPunct("]")) {
    do {
      ASSIGN_OR_RETURN(json::Value e, Expr());
      if (!IsLiteral(e)) return SyntaxError(start, "array literals may hold only literal values");
      values.push_back(std::move(*e.find("value")));
    } while (TakePunct(","));
  }
  RETURN_IF_ERROR(ExpectPunct("]", "',' or ']'"));
  return Node(start, {{"op", "literal"}, {"value", std::move(values)}});
}

// A JSON object literal: {"key": <literal>, ...}.
Result<json::Value> Parser::ObjectLiteral(const Token& start) {
  json::Object fields;
  if (!Peek().IsPunct("}")) {
    do {
      const Token& k = Peek();
      if (k.kind != Tok::kDouble && k.kind != Tok::kSingle && k.kind != Tok::kWord) {
        return Unexpected("a key in an object literal");
      }
      std::string key = Take().text;
      RETURN_IF_ERROR(ExpectPunct(":", "':' after an object key"));
      ASSIGN_OR_RETURN(json::Value e, Expr());
      if (!IsLiteral(e)) return SyntaxError(k, "object literals may hold only literal values");
      fields.set(key, std::move(*e.find("value")));
    } while (TakePunct(","));
  }
  RETURN_IF_ERROR(ExpectPunct("}", "',' or '}'"));
  return Node(start, {{"op", "literal"}, {"value", std::move(fields)}});
}

}  // namespace spanlake::query::syntax
