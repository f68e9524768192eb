// SQL text → the JSON query tree. A query with GROUP BY or aggregate calls
// becomes `dimensions` (the GROUP BY expressions) and `measures` (the select
// items holding aggregates); HAVING becomes `final_filter`; OFFSET takes the
// cursor string of a previous page. `FROM (SELECT …)` nests the inner query's
// tree as {op:"subquery", query}.
#include <optional>

#include "query/expr.h"
#include "query/syntax/parser.h"
#include "query/syntax/syntax.h"

namespace spanlake::query::syntax {

namespace {

struct SqlParts {
  json::Array select;
  json::Value from;
  json::Value sample;
  json::Array unpivot;
  json::Value where;
  json::Array group_by;
  json::Value having;
  json::Array order_by;
  std::optional<int64_t> limit;
  std::optional<std::string> cursor;
  Token group_at;
};

bool IsStar(const json::Value& item) {
  const json::Value* op = item.find("op");
  return op != nullptr && *op == json::Value("star");
}

// GROUP BY / ORDER BY items may name a select item by position or alias.
Result<json::Value> ResolveItem(const json::Value& e, const json::Array& select, const Token& at,
                                bool* is_alias) {
  *is_alias = false;
  const json::Value* op = e.find("op");
  if (op != nullptr && *op == json::Value("literal") && e.find("value")->is_int()) {
    int64_t i = e.find("value")->as_int();
    if (i < 1 || i > static_cast<int64_t>(select.size()) || IsStar(select[i - 1])) {
      return SyntaxError(at, "position " + std::to_string(i) + " names no select item");
    }
    *is_alias = true;
    return select[i - 1];
  }
  if (op != nullptr && *op == json::Value("ident") && e.find("name")->as_array().size() == 1) {
    const json::Value& name = e.find("name")->as_array()[0];
    for (const json::Value& item : select) {
      if (!IsStar(item) && name.is_string() && *item.find("alias") == name) {
        *is_alias = true;
        return item;
      }
    }
  }
  return json::Value(json::Object{{"expr", e}, {"alias", ImpliedAlias(e)}});
}

// TABLESAMPLE [BERNOULLI|SYSTEM] (n PERCENT | n ROWS) [REPEATABLE (seed)]
Result<json::Value> TableSample(Parser& p) {
  if (!p.TakeWord("bernoulli")) p.TakeWord("system");
  bool paren = p.TakePunct("(");
  const Token& t = p.Peek();
  if (t.kind != Tok::kInt && t.kind != Tok::kFloat) return p.Unexpected("a sample size");
  double v = std::strtod(p.Take().text.c_str(), nullptr);
  json::Object method;
  if (p.TakeWord("rows")) {
    if (t.kind != Tok::kInt) return SyntaxError(t, "a row count must be an integer");
    method = json::Object{{"type", "count"}, {"value", static_cast<int64_t>(v)}};
  } else {
    if (!p.TakeWord("percent")) p.TakePunct("%");
    method = json::Object{{"type", "rate"}, {"value", v / 100}};
  }
  if (paren) RETURN_IF_ERROR(p.ExpectPunct(")", "')' of TABLESAMPLE"));
  json::Object out{{"method", std::move(method)}};
  if (p.TakeWord("repeatable")) {
    RETURN_IF_ERROR(p.ExpectPunct("(", "'(' after REPEATABLE"));
    ASSIGN_OR_RETURN(int64_t seed, p.Integer("a seed"));
    RETURN_IF_ERROR(p.ExpectPunct(")", "')'"));
    out.set("seed", seed);
  }
  return json::Value(std::move(out));
}

// UNPIVOT (value FOR name IN (expr)): one row per key of the object `expr`,
// with its key as `name` and its value as `value` (BTQL's
// `unpivot: expr as (name, value)`).
Result<json::Value> Unpivot(Parser& p) {
  RETURN_IF_ERROR(p.ExpectPunct("(", "'(' after UNPIVOT"));
  ASSIGN_OR_RETURN(std::string value, p.Name("the value column name"));
  RETURN_IF_ERROR(p.ExpectWord("for", "FOR in UNPIVOT (value FOR name IN (field))"));
  ASSIGN_OR_RETURN(std::string name, p.Name("the name column name"));
  RETURN_IF_ERROR(p.ExpectWord("in", "IN in UNPIVOT (value FOR name IN (field))"));
  RETURN_IF_ERROR(p.ExpectPunct("(", "'(' after IN"));
  ASSIGN_OR_RETURN(json::Value e, p.Expr());
  RETURN_IF_ERROR(p.ExpectPunct(")", "')': UNPIVOT takes one field"));
  RETURN_IF_ERROR(p.ExpectPunct(")", "')' of UNPIVOT"));
  return json::Value(json::Object{{"expr", std::move(e)},
                                  {"alias", json::Array{json::Value(name), json::Value(value)}}});
}

// SETTINGS name = literal, …: per-query hints to the engine, which by
// definition do not change results; accepted and ignored.
Status Settings(Parser& p) {
  do {
    RETURN_IF_ERROR(p.Name("a setting name").status());
    RETURN_IF_ERROR(p.ExpectPunct("=", "'=' after a setting name"));
    const Token& v = p.Peek();
    if (v.kind != Tok::kInt && v.kind != Tok::kFloat && v.kind != Tok::kSingle &&
        !v.IsWord("true") && !v.IsWord("false")) {
      return p.Unexpected("a number, string, true or false as a setting value");
    }
    p.Take();
  } while (p.TakePunct(","));
  return Status::Ok();
}

Result<json::Array> ExprList(Parser& p) {
  json::Array out;
  do {
    ASSIGN_OR_RETURN(json::Value e, p.Expr());
    out.push_back(std::move(e));
  } while (p.TakePunct(","));
  return out;
}

Status OrderBy(Parser& p, SqlParts& parts) {
  do {
    const Token& at = p.Peek();
    ASSIGN_OR_RETURN(json::Value e, p.Expr());
    std::string dir = "asc";
    if (p.TakeWord("desc")) {
      dir = "desc";
    } else {
      p.TakeWord("asc");
    }
    bool is_alias = false;
    ASSIGN_OR_RETURN(json::Value item, ResolveItem(e, parts.select, at, &is_alias));
    if (is_alias) e = Ident(json::Array{*item.find("alias")});
    parts.order_by.push_back(json::Object{{"expr", std::move(e)}, {"dir", dir}});
  } while (p.TakePunct(","));
  return Status::Ok();
}

// The words that may follow a source in FROM (so are no bare alias).
bool IsSqlClauseWord(const Token& t) {
  for (const char* w : {"unpivot", "tablesample", "where", "group", "having", "order", "limit",
                        "offset", "settings"}) {
    if (t.IsWord(w)) return true;
  }
  return false;
}

// After FROM: the optional clauses in order; a nested query ends at its ')'.
Status Tail(Parser& p, SqlParts& parts, bool nested) {
  while (p.TakeWord("unpivot")) {
    ASSIGN_OR_RETURN(json::Value u, Unpivot(p));
    parts.unpivot.push_back(std::move(u));
  }
  if (p.TakeWord("tablesample")) {
    ASSIGN_OR_RETURN(parts.sample, TableSample(p));
  }
  if (p.TakeWord("where")) {
    ASSIGN_OR_RETURN(parts.where, p.Expr());
  }
  if (p.Peek().IsWord("group")) {
    parts.group_at = p.Take();
    RETURN_IF_ERROR(p.ExpectWord("by", "BY after GROUP"));
    ASSIGN_OR_RETURN(parts.group_by, ExprList(p));
  }
  if (p.TakeWord("having")) {
    ASSIGN_OR_RETURN(parts.having, p.Expr());
  }
  if (p.TakeWord("order")) {
    RETURN_IF_ERROR(p.ExpectWord("by", "BY after ORDER"));
    RETURN_IF_ERROR(OrderBy(p, parts));
  }
  if (p.TakeWord("limit")) {
    ASSIGN_OR_RETURN(parts.limit, p.Integer("a number after LIMIT"));
  }
  if (p.TakeWord("offset")) {
    if (p.Peek().kind == Tok::kInt) {
      return SyntaxError(p.Peek(),
                         "OFFSET takes the cursor string of a previous page, not a row count");
    }
    ASSIGN_OR_RETURN(parts.cursor, p.StringLiteral("a cursor string after OFFSET"));
  }
  if (p.TakeWord("settings")) RETURN_IF_ERROR(Settings(p));
  if (nested) return p.Peek().IsPunct(")") ? Status::Ok() : p.Unexpected("')' after the subquery");
  p.TakePunct(";");
  if (!p.AtEnd()) return p.Unexpected("end of query");
  return Status::Ok();
}

// Splits select items into dimensions and measures.
Status Aggregate(SqlParts& parts, json::Object& query) {
  json::Array dims, measures;
  for (const json::Value& g : parts.group_by) {
    bool is_alias = false;
    ASSIGN_OR_RETURN(json::Value item, ResolveItem(g, parts.select, parts.group_at, &is_alias));
    if (ContainsAggregate(*item.find("expr"))) {
      return SyntaxError(parts.group_at, "GROUP BY cannot hold an aggregate");
    }
    dims.push_back(std::move(item));
  }
  for (const json::Value& item : parts.select) {
    if (IsStar(item))
      return SyntaxError(parts.group_at, "SELECT * cannot be combined with GROUP BY or aggregates");
    if (ContainsAggregate(*item.find("expr"))) {
      measures.push_back(item);
      continue;
    }
    bool grouped = false;
    json::Value bare = WithoutLoc(*item.find("expr"));
    for (json::Value& d : dims) {
      if (WithoutLoc(*d.find("expr")) == bare) {
        d.as_object().set("alias", *item.find("alias"));
        grouped = true;
      }
    }
    if (!grouped) {
      return Status::InvalidArgument(
          "select item '" + item.find("alias")->as_string() +
          "' must appear in GROUP BY or be used in an aggregate function");
    }
  }
  query.set("dimensions", std::move(dims));
  query.set("measures", std::move(measures));
  return Status::Ok();
}

Result<json::Value> Select(Parser& p, bool nested);

// FROM (SELECT …) [[AS] alias]: the inner query's result rows are the outer
// query's input. One level only, so that no input nests without bound.
Result<json::Value> FromSubquery(Parser& p, bool nested) {
  const Token& open = p.Take();  // (
  if (nested) return SyntaxError(open, "subqueries in FROM nest one level only");
  ASSIGN_OR_RETURN(json::Value inner, Select(p, true));
  RETURN_IF_ERROR(p.ExpectPunct(")", "')' after the subquery"));
  if (p.TakeWord("as")) {
    RETURN_IF_ERROR(p.Name("an alias for the subquery").status());
  } else if (p.Peek().kind == Tok::kWord && !IsSqlClauseWord(p.Peek())) {
    p.Take();  // a bare alias: fields are named without it
  }
  return p.Node(open, {{"op", "subquery"}, {"query", std::move(inner)}});
}

Result<json::Value> Select(Parser& p, bool nested) {
  SqlParts parts;
  parts.group_at = p.Peek();
  RETURN_IF_ERROR(p.ExpectWord("select", "SELECT"));
  if (p.Peek().IsWord("distinct"))
    return SyntaxError(p.Peek(), "SELECT DISTINCT is not supported; use GROUP BY");
  ASSIGN_OR_RETURN(parts.select, p.AliasedList(true));
  RETURN_IF_ERROR(p.ExpectWord("from", "',' or FROM"));
  if (p.Peek().IsPunct("(") && p.Peek(1).IsWord("select")) {
    ASSIGN_OR_RETURN(parts.from, FromSubquery(p, nested));
  } else {
    ASSIGN_OR_RETURN(parts.from, p.FromClause());
  }
  RETURN_IF_ERROR(Tail(p, parts, nested));

  json::Object query{{"from", parts.from}};
  bool aggregated = !parts.group_by.empty();
  for (const json::Value& item : parts.select) aggregated = aggregated || ContainsAggregate(item);
  if (aggregated) {
    RETURN_IF_ERROR(Aggregate(parts, query));
  } else {
    query.set("select", parts.select);
  }
  if (!parts.where.is_null()) query.set("filter", parts.where);
  if (!parts.having.is_null()) query.set("final_filter", parts.having);
  if (!parts.sample.is_null()) query.set("sample", parts.sample);
  if (!parts.unpivot.empty()) query.set("unpivot", parts.unpivot);
  if (!parts.order_by.empty()) query.set("sort", parts.order_by);
  if (parts.limit) query.set("limit", *parts.limit);
  if (parts.cursor) query.set("cursor", *parts.cursor);
  return json::Value(std::move(query));
}

}  // namespace

Result<json::Value> ParseSql(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  Parser p(std::move(tokens), Dialect::kSql);
  return Select(p, false);
}

}  // namespace spanlake::query::syntax
