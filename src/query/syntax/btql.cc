// BTQL: `clause: body` pairs separated by '|' (or just whitespace), e.g.
//   select: id, scores.acc as acc | from: experiment('e1') | filter: acc > 0.5
#include <cstdlib>
#include <set>

#include "query/syntax/parser.h"
#include "query/syntax/syntax.h"
#include "query/value_ops.h"

namespace spanlake::query::syntax {

namespace {

const std::set<std::string> kClauses = {
    "select", "from",           "filter",      "sort",         "limit",
    "cursor", "dimensions",     "measures",    "pivot",        "unpivot",
    "sample", "preview_length", "span_filter", "trace_filter", "final_filter"};

bool AtClauseStart(const Parser& p) {
  return p.Peek().kind == Tok::kWord && p.Peek(1).IsPunct(":") &&
         kClauses.count(LowerAscii(p.Peek().text)) > 0;
}

Result<json::Array> SortList(Parser& p) {
  json::Array out;
  do {
    ASSIGN_OR_RETURN(json::Value e, p.Expr());
    std::string dir = "asc";
    if (p.TakeWord("desc")) {
      dir = "desc";
    } else {
      p.TakeWord("asc");
    }
    out.push_back(json::Object{{"expr", std::move(e)}, {"dir", dir}});
  } while (p.TakePunct(","));
  return out;
}

// `expr AS name` (arrays: one row per element) or `expr AS (key, value)` (objects).
Result<json::Array> UnpivotList(Parser& p) {
  json::Array out;
  do {
    ASSIGN_OR_RETURN(json::Value e, p.Expr());
    RETURN_IF_ERROR(p.ExpectWord("as", "AS in 'unpivot: <expr> AS <name>'"));
    json::Value alias;
    if (p.TakePunct("(")) {
      ASSIGN_OR_RETURN(std::string k, p.Name("the key alias"));
      RETURN_IF_ERROR(p.ExpectPunct(",", "',' between the key and value aliases"));
      ASSIGN_OR_RETURN(std::string v, p.Name("the value alias"));
      RETURN_IF_ERROR(p.ExpectPunct(")", "')'"));
      alias = json::Array{json::Value(k), json::Value(v)};
    } else {
      ASSIGN_OR_RETURN(alias, p.Name("an alias"));
    }
    out.push_back(json::Object{{"expr", std::move(e)}, {"alias", std::move(alias)}});
  } while (p.TakePunct(","));
  return out;
}

// `sample: 10%`, `sample: 0.1`, `sample: 50 rows`, each with an optional `seed N`.
Result<json::Value> Sample(Parser& p) {
  const Token& t = p.Peek();
  if (t.kind != Tok::kInt && t.kind != Tok::kFloat)
    return p.Unexpected("a sample rate or row count");
  double v = std::strtod(p.Take().text.c_str(), nullptr);
  json::Object method;
  if (p.TakePunct("%")) {
    method = json::Object{{"type", "rate"}, {"value", v / 100}};
  } else if (p.TakeWord("rows")) {
    if (t.kind != Tok::kInt) return SyntaxError(t, "a row count must be an integer");
    method = json::Object{{"type", "count"}, {"value", static_cast<int64_t>(v)}};
  } else {
    method = json::Object{{"type", "rate"}, {"value", v}};
  }
  json::Object out{{"method", std::move(method)}};
  if (p.TakeWord("seed")) {
    ASSIGN_OR_RETURN(int64_t seed, p.Integer("a seed"));
    out.set("seed", seed);
  }
  return json::Value(std::move(out));
}

Result<json::Value> ClauseBody(Parser& p, const std::string& name) {
  if (name == "select") {
    ASSIGN_OR_RETURN(json::Array items, p.AliasedList(true));
    return json::Value(std::move(items));
  }
  if (name == "dimensions" || name == "measures" || name == "pivot") {
    ASSIGN_OR_RETURN(json::Array items, p.AliasedList(false));
    return json::Value(std::move(items));
  }
  if (name == "from") return p.FromClause();
  if (name == "sort") {
    ASSIGN_OR_RETURN(json::Array items, SortList(p));
    return json::Value(std::move(items));
  }
  if (name == "unpivot") {
    ASSIGN_OR_RETURN(json::Array items, UnpivotList(p));
    return json::Value(std::move(items));
  }
  if (name == "limit" || name == "preview_length") {
    ASSIGN_OR_RETURN(int64_t n, p.Integer("an integer"));
    return json::Value(n);
  }
  if (name == "cursor") {
    ASSIGN_OR_RETURN(std::string c, p.StringLiteral("a quoted cursor"));
    return json::Value(c);
  }
  if (name == "sample") return Sample(p);
  return p.Expr();  // filter, span_filter, trace_filter, final_filter
}

}  // namespace

Result<json::Value> ParseBtql(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  Parser p(std::move(tokens), Dialect::kBtql);
  json::Object query;
  while (true) {
    while (p.TakePunct("|")) {
    }
    if (p.AtEnd()) break;
    if (!AtClauseStart(p) && p.Peek().kind == Tok::kWord &&
        kClauses.count(LowerAscii(p.Peek().text)) > 0) {
      return SyntaxError(p.Peek(), "expected ':' after '" + p.Peek().text + "' (clauses are "
                                   "written '" + LowerAscii(p.Peek().text) + ": …')");
    }
    if (!AtClauseStart(p)) {
      return p.Unexpected(
          "a clause (select:, from:, filter:, sort:, limit:, cursor:, dimensions:, "
          "measures:, pivot:, unpivot:, sample:, preview_length:)");
    }
    const Token& at = p.Take();
    std::string name = LowerAscii(at.text);
    p.Take();  // ':'
    if (query.contains(name)) return SyntaxError(at, "the clause '" + name + ":' appears twice");
    ASSIGN_OR_RETURN(json::Value body, ClauseBody(p, name));
    query.set(name, std::move(body));
    if (!p.AtEnd() && !p.Peek().IsPunct("|") && !AtClauseStart(p)) {
      return p.Unexpected("'|' or the next clause after '" + name + ":'");
    }
  }
  if (query.empty()) return Status::InvalidArgument("line 1, column 1: the query is empty");
  return json::Value(std::move(query));
}

Result<json::Value> ParseBtqlExpr(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  Parser p(std::move(tokens), Dialect::kBtql);
  ASSIGN_OR_RETURN(json::Value e, p.Expr());
  if (!p.AtEnd()) return p.Unexpected("end of the expression");
  return e;
}

Result<json::Value> ParseQueryText(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  bool sql = tokens.size() > 1 && tokens[0].IsWord("select") && !tokens[1].IsPunct(":");
  return sql ? ParseSql(text) : ParseBtql(text);
}

}  // namespace spanlake::query::syntax
