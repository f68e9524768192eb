#include "query/syntax/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_set>

#include "base/datetime.h"
#include "query/expr.h"
#include "query/functions.h"
#include "query/value_ops.h"

namespace spanlake::query::syntax {

namespace {

const std::unordered_set<std::string> kReserved = {
    "and",      "or",       "not",     "like",        "ilike",    "match",   "in",     "is",
    "includes", "contains", "between", "as",          "asc",      "desc",    "when",   "then",
    "else",     "end",      "from",    "where",       "group",    "by",      "having", "order",
    "limit",    "offset",   "select",  "tablesample", "settings", "distinct"};

json::Value Pos(int line, int col) { return json::Object{{"line", line}, {"col", col}}; }

json::Value Binary(const char* op, json::Value l, json::Value r) {
  return json::Object{{"op", op}, {"left", std::move(l)}, {"right", std::move(r)}};
}

json::Value Wrap(const char* op, json::Value e) {
  return json::Object{{"op", op}, {"expr", std::move(e)}};
}

bool IsLiteral(const json::Value& v) {
  const json::Value* op = v.find("op");
  return op != nullptr && *op == json::Value("literal");
}

json::Value NumberValue(const Token& t) {
  if (t.kind == Tok::kInt) {
    errno = 0;
    long long v = std::strtoll(t.text.c_str(), nullptr, 10);
    if (errno != ERANGE) return json::Value(static_cast<int64_t>(v));
  }
  return json::Value(std::strtod(t.text.c_str(), nullptr));
}

}  // namespace

std::string ImpliedAlias(const json::Value& expr) {
  const json::Value* op = expr.find("op");
  if (op != nullptr && *op == json::Value("ident")) {
    const json::Array& path = expr.find("name")->as_array();
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      if (it->is_string()) return it->as_string();
    }
  }
  std::string fn = FunctionName(expr);
  return fn.empty() ? "expr" : fn;
}

const Token& Parser::Peek(size_t k) const {
  return pos_ + k < toks_.size() ? toks_[pos_ + k] : toks_.back();
}

const Token& Parser::Take() {
  const Token& t = Peek();
  if (pos_ + 1 < toks_.size()) ++pos_;
  return t;
}

bool Parser::TakeWord(std::string_view keyword) {
  if (!Peek().IsWord(keyword)) return false;
  Take();
  return true;
}

bool Parser::TakePunct(std::string_view p) {
  if (!Peek().IsPunct(p)) return false;
  Take();
  return true;
}

Status Parser::Unexpected(const std::string& expected) const {
  return SyntaxError(Peek(), "expected " + expected + ", found " + Peek().Describe());
}

Status Parser::ExpectPunct(std::string_view p, const std::string& what) {
  return TakePunct(p) ? Status::Ok() : Unexpected(what);
}

Status Parser::ExpectWord(std::string_view keyword, const std::string& what) {
  return TakeWord(keyword) ? Status::Ok() : Unexpected(what);
}

Result<int64_t> Parser::Integer(const std::string& what) {
  bool negative = TakePunct("-");
  if (Peek().kind != Tok::kInt) return Unexpected(what);
  json::Value v = NumberValue(Take());
  if (!v.is_int()) return SyntaxError(toks_[pos_ - 1], what + " is out of range");
  return negative ? -v.as_int() : v.as_int();
}

Result<std::string> Parser::StringLiteral(const std::string& what) {
  if (Peek().kind == Tok::kSingle || (dialect_ == Dialect::kBtql && Peek().kind == Tok::kDouble)) {
    return Take().text;
  }
  return Unexpected(what);
}

Result<std::string> Parser::Name(const std::string& what) {
  if (Peek().kind != Tok::kWord) return Unexpected(what);
  return Take().text;
}

json::Value Parser::Node(const Token& from, json::Object fields) const {
  const Token& last = pos_ > 0 ? toks_[pos_ - 1] : from;
  int end_col = last.col + static_cast<int>(Utf8Length(last.text));
  fields.set("loc",
             json::Object{{"start", Pos(from.line, from.col)}, {"end", Pos(last.line, end_col)}});
  return json::Value(std::move(fields));
}

bool Parser::IsReserved(const Token& t) const {
  return t.kind == Tok::kWord && kReserved.count(LowerAscii(t.text)) > 0;
}

class Parser::DepthGuard {
 public:
  explicit DepthGuard(Parser& p) : p_(p) { ++p_.depth_; }
  ~DepthGuard() { --p_.depth_; }

 private:
  Parser& p_;
};

Status Parser::Enter() {
  if (depth_ >= kMaxNesting) {
    return SyntaxError(Peek(), "expression nested deeper than " + std::to_string(kMaxNesting));
  }
  return Status::Ok();
}

Result<json::Value> Parser::Expr() {
  DepthGuard guard(*this);
  RETURN_IF_ERROR(Enter());
  return Ternary();
}

Result<json::Value> Parser::Ternary() {
  DepthGuard guard(*this);
  RETURN_IF_ERROR(Enter());
  const Token& start = Peek();
  ASSIGN_OR_RETURN(json::Value cond, Or());
  if (!TakePunct("?")) return cond;
  ASSIGN_OR_RETURN(json::Value then, Ternary());
  RETURN_IF_ERROR(ExpectPunct(":", "':' of a ternary 'cond ? a : b'"));
  ASSIGN_OR_RETURN(json::Value otherwise, Ternary());
  json::Array conds{json::Object{{"cond", std::move(cond)}, {"then", std::move(then)}}};
  return Node(start, {{"op", "if"}, {"conds", std::move(conds)}, {"else", std::move(otherwise)}});
}

// OR and AND chains become one n-ary node ({op, children}), so that long
// chains stay shallow.
Result<json::Value> Parser::Or() {
  const Token& start = Peek();
  json::Array children;
  do {
    ASSIGN_OR_RETURN(json::Value e, And());
    children.push_back(std::move(e));
  } while (TakeWord("or") || (dialect_ == Dialect::kBtql && TakePunct("||")));
  if (children.size() == 1) return std::move(children[0]);
  return Node(start, {{"op", "or"}, {"children", std::move(children)}});
}

Result<json::Value> Parser::And() {
  const Token& start = Peek();
  json::Array children;
  do {
    ASSIGN_OR_RETURN(json::Value e, Not());
    children.push_back(std::move(e));
  } while (TakeWord("and") || TakePunct("&&"));
  if (children.size() == 1) return std::move(children[0]);
  return Node(start, {{"op", "and"}, {"children", std::move(children)}});
}

Result<json::Value> Parser::Not() {
  DepthGuard guard(*this);
  RETURN_IF_ERROR(Enter());
  const Token& start = Peek();
  if (TakeWord("not") || TakePunct("!")) {
    ASSIGN_OR_RETURN(json::Value e, Not());
    return Node(start, {{"op", "not"}, {"expr", std::move(e)}});
  }
  return Comparison();
}

Result<json::Value> Parser::Comparison() {
  const Token& start = Peek();
  ASSIGN_OR_RETURN(json::Value left, Additive());
  return ComparisonTail(start, std::move(left));
}

Result<json::Value> Parser::ComparisonTail(const Token& start, json::Value left) {
  static const std::pair<const char*, const char*> kOps[] = {
      {"=", "eq"},  {"!=", "ne"}, {"<>", "ne"}, {"<", "lt"},
      {"<=", "le"}, {">", "gt"},  {">=", "ge"}};
  for (const auto& [text, op] : kOps) {
    if (TakePunct(text)) {
      ASSIGN_OR_RETURN(json::Value right, Additive());
      return Node(start, {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}});
    }
  }
  if (TakeWord("is")) {
    bool negate = TakeWord("not");
    json::Value e;
    if (TakeWord("null")) {
      e = Wrap(negate ? "isnotnull" : "isnull", std::move(left));
    } else if (Peek().IsWord("true") || Peek().IsWord("false")) {
      e = Binary("eq", std::move(left), Literal(Take().IsWord("true")));
      if (negate) e = Wrap("not", std::move(e));
    } else {
      return Unexpected("NULL, TRUE or FALSE after IS");
    }
    json::Object fields = std::move(e.as_object());
    return Node(start, std::move(fields));
  }
  bool negate = Peek().IsWord("not") &&
                (Peek(1).IsWord("like") || Peek(1).IsWord("ilike") || Peek(1).IsWord("match") ||
                 Peek(1).IsWord("in") || Peek(1).IsWord("includes") || Peek(1).IsWord("contains") ||
                 Peek(1).IsWord("between"));
  if (negate) Take();
  json::Value out;
  if (Peek().IsWord("like") || Peek().IsWord("ilike") || Peek().IsWord("match")) {
    std::string op = LowerAscii(Take().text);
    ASSIGN_OR_RETURN(json::Value right, Additive());
    out = Node(start, {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}});
  } else if (TakeWord("in")) {
    ASSIGN_OR_RETURN(out, InList(start, std::move(left), false));
  } else if (Peek().IsWord("includes") || Peek().IsWord("contains")) {
    // Both dialects: Braintrust's SQL reference uses `tags INCLUDES 'x'` too.
    Take();
    ASSIGN_OR_RETURN(json::Value needle, Additive());
    out = Node(start,
               {{"op", "includes"}, {"haystack", std::move(left)}, {"needle", std::move(needle)}});
  } else if (TakeWord("between")) {
    ASSIGN_OR_RETURN(json::Value lo, Additive());
    RETURN_IF_ERROR(ExpectWord("and", "AND of BETWEEN … AND …"));
    ASSIGN_OR_RETURN(json::Value hi, Additive());
    out = Node(start, {{"op", "and"},
                       {"left", Binary("ge", left, std::move(lo))},
                       {"right", Binary("le", left, std::move(hi))}});
  } else {
    return left;
  }
  if (!negate) return out;
  return Node(start, {{"op", "not"}, {"expr", std::move(out)}});
}

// `IN (a, b, …)` or `IN [a, b]`: a literal array when every item is a
// literal, else an OR of equalities.
Result<json::Value> Parser::InList(const Token& start, json::Value left, bool) {
  std::string close = Peek().IsPunct("[") ? "]" : ")";
  if (!TakePunct("(") && !TakePunct("[")) {
    ASSIGN_OR_RETURN(json::Value right, Additive());
    return Node(start, {{"op", "in"}, {"left", std::move(left)}, {"right", std::move(right)}});
  }
  json::Array items;
  if (!Peek().IsPunct(close)) {
    do {
      ASSIGN_OR_RETURN(json::Value item, Expr());
      items.push_back(std::move(item));
    } while (TakePunct(","));
  }
  RETURN_IF_ERROR(ExpectPunct(close, "',' or '" + close + "' in an IN list"));
  bool literal = true;
  for (const json::Value& i : items) literal = literal && IsLiteral(i);
  if (literal) {
    json::Array values;
    for (json::Value& i : items) values.push_back(std::move(*i.find("value")));
    return Node(start,
                {{"op", "in"}, {"left", std::move(left)}, {"right", Literal(std::move(values))}});
  }
  json::Array eqs;
  for (json::Value& i : items) eqs.push_back(Binary("eq", left, std::move(i)));
  return Node(start, {{"op", "or"}, {"children", std::move(eqs)}});
}

Result<json::Value> Parser::Additive() {
  const Token& start = Peek();
  ASSIGN_OR_RETURN(json::Value left, Multiplicative());
  for (int chain = 1;; ++chain) {
    const char* op = Peek().IsPunct("+") ? "add" : Peek().IsPunct("-") ? "sub" : nullptr;
    bool concat = dialect_ == Dialect::kSql && Peek().IsPunct("||");
    if (op == nullptr && !concat) return left;
    if (depth_ + chain >= kMaxNesting) return SyntaxError(Peek(), "expression too long; split it");
    Take();
    ASSIGN_OR_RETURN(json::Value right, Multiplicative());
    if (concat) {
      json::Value call = Call("concat", json::Array{std::move(left), std::move(right)});
      left = Node(start, std::move(call.as_object()));
    } else {
      left = Node(start, {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}});
    }
  }
}

Result<json::Value> Parser::Multiplicative() {
  const Token& start = Peek();
  ASSIGN_OR_RETURN(json::Value left, Unary());
  for (int chain = 1;; ++chain) {
    const char* op = Peek().IsPunct("*")   ? "mul"
                     : Peek().IsPunct("/") ? "div"
                     : Peek().IsPunct("%") ? "mod"
                                           : nullptr;
    if (op == nullptr) return left;
    if (depth_ + chain >= kMaxNesting) return SyntaxError(Peek(), "expression too long; split it");
    Take();
    ASSIGN_OR_RETURN(json::Value right, Unary());
    left = Node(start, {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}});
  }
}

Result<json::Value> Parser::Unary() {
  DepthGuard guard(*this);
  RETURN_IF_ERROR(Enter());
  const Token& start = Peek();
  if (TakePunct("-")) {
    ASSIGN_OR_RETURN(json::Value e, Unary());
    if (IsLiteral(e) && e.find("value")->is_number()) {  // fold -5 into a literal
      const json::Value& v = *e.find("value");
      json::Value neg = v.is_int() && v.as_int() != INT64_MIN ? json::Value(-v.as_int())
                                                              : json::Value(-v.as_double());
      return Node(start, {{"op", "literal"}, {"value", std::move(neg)}});
    }
    return Node(start, {{"op", "neg"}, {"expr", std::move(e)}});
  }
  if (TakePunct("+")) return Unary();
  return Postfix();
}

Result<json::Value> Parser::Postfix() {
  const Token& start = Peek();
  ASSIGN_OR_RETURN(json::Value e, Primary());
  while (TakePunct("::")) {
    if (Peek().kind != Tok::kWord) return Unexpected("a type name after '::'");
    ASSIGN_OR_RETURN(e, Cast(start, std::move(e), Take()));
  }
  return e;
}

Result<json::Value> Parser::Cast(const Token& start, json::Value expr, const Token& type) {
  const char* fn = CastFunctionFor(type.text);
  if (fn == nullptr) return SyntaxError(type, "unknown type '" + type.text + "'");
  json::Value call = Call(fn, json::Array{std::move(expr)});
  return Node(start, std::move(call.as_object()));
}

Result<json::Value> Parser::Primary() {
  const Token& t = Peek();
  switch (t.kind) {
    case Tok::kInt:
    case Tok::kFloat: {
      Take();
      json::Value v = NumberValue(t);
      if (v.is_double() && !std::isfinite(v.as_double()))
        return SyntaxError(t, "number out of range");
      return Node(t, {{"op", "literal"}, {"value", std::move(v)}});
    }
    case Tok::kSingle: Take(); return Node(t, {{"op", "literal"}, {"value", t.text}});
    case Tok::kDouble:
      Take();
      if (dialect_ == Dialect::kBtql) return Node(t, {{"op", "literal"}, {"value", t.text}});
      return PathTail(t, json::Array{json::Value(t.text)});
    case Tok::kBacktick: Take(); return PathTail(t, json::Array{json::Value(t.text)});
    case Tok::kEnd: return Unexpected("an expression");
    default: break;
  }
  if (TakePunct("(")) {
    ASSIGN_OR_RETURN(json::Value e, Expr());
    RETURN_IF_ERROR(ExpectPunct(")", "')'"));
    return e;
  }
  if (TakePunct("[")) return ArrayLiteral(t);
  if (TakePunct("{")) return ObjectLiteral(t);
  if (TakePunct("*")) return Node(t, {{"op", "star"}});
  if ((t.IsWord("contains") || t.IsWord("includes")) && Peek(1).IsPunct("(")) {
    Take();
    return IncludesCall(t);
  }
  if (t.kind != Tok::kWord || IsReserved(t)) return Unexpected("an expression");
  Take();
  if (t.IsWord("true") || t.IsWord("false"))
    return Node(t, {{"op", "literal"}, {"value", t.IsWord("true")}});
  if (t.IsWord("null")) return Node(t, {{"op", "literal"}, {"value", nullptr}});
  if (t.IsWord("interval")) return Interval(t);
  if (t.IsWord("case")) return Case(t);
  if (t.IsWord("cast") && Peek().IsPunct("(")) return Cast(t);
  if (Peek().IsPunct("(")) return FunctionCall(t);
  if (t.IsWord("current_timestamp") || t.IsWord("current_date")) {
    json::Value call = Call(LowerAscii(t.text), json::Array{});
    return Node(t, std::move(call.as_object()));
  }
  return PathTail(t, json::Array{json::Value(t.text)});
}

Result<json::Value> Parser::PathTail(const Token& start, json::Array path) {
  while (true) {
    if (TakePunct(".")) {
      const Token& k = Peek();
      if (k.kind == Tok::kWord || k.kind == Tok::kDouble || k.kind == Tok::kBacktick ||
          k.kind == Tok::kSingle) {
        path.push_back(json::Value(Take().text));
      } else if (k.kind == Tok::kInt) {
        path.push_back(NumberValue(Take()));
      } else {
        return Unexpected("a field name after '.'");
      }
    } else if (TakePunct("[")) {
      if (Peek().kind == Tok::kSingle || Peek().kind == Tok::kDouble) {
        path.push_back(json::Value(Take().text));
      } else {
        ASSIGN_OR_RETURN(int64_t i, Integer("an array index or a quoted key inside '[ ]'"));
        path.push_back(json::Value(i));
      }
      RETURN_IF_ERROR(ExpectPunct("]", "']'"));
    } else {
      return Node(start, {{"op", "ident"}, {"name", std::move(path)}});
    }
  }
}

// The function form of the operator: `contains(haystack, needle)`.
Result<json::Value> Parser::IncludesCall(const Token& name) {
  Take();  // (
  ASSIGN_OR_RETURN(json::Value haystack, Expr());
  RETURN_IF_ERROR(ExpectPunct(",", "',' in " + LowerAscii(name.text) + "(haystack, needle)"));
  ASSIGN_OR_RETURN(json::Value needle, Expr());
  RETURN_IF_ERROR(ExpectPunct(")", "')' of " + LowerAscii(name.text) + "(haystack, needle)"));
  return Node(name,
              {{"op", "includes"}, {"haystack", std::move(haystack)}, {"needle", std::move(needle)}});
}

Result<json::Value> Parser::FunctionCall(const Token& name) {
  Take();  // (
  std::string fn = LowerAscii(name.text);
  if (TakeWord("distinct")) {
    if (fn != "count") return SyntaxError(name, "DISTINCT is only supported in count(DISTINCT x)");
    fn = "count_distinct";
  }
  json::Array args;
  if (!Peek().IsPunct(")")) {
    do {
      ASSIGN_OR_RETURN(json::Value a, Expr());
      args.push_back(std::move(a));
    } while (TakePunct(","));
  }
  RETURN_IF_ERROR(ExpectPunct(")", "',' or ')' in the arguments of " + name.text + "()"));
  json::Value call = Call(fn, std::move(args));
  return Node(name, std::move(call.as_object()));
}

Result<json::Value> Parser::AliasedExpr() {
  ASSIGN_OR_RETURN(json::Value e, Expr());
  std::string alias;
  if (TakeWord("as")) {
    const Token& a = Peek();
    if (a.kind != Tok::kWord && a.kind != Tok::kDouble && a.kind != Tok::kBacktick &&
        a.kind != Tok::kSingle) {
      return Unexpected("an alias after AS");
    }
    alias = Take().text;
  } else {
    alias = ImpliedAlias(e);
  }
  return json::Value(json::Object{{"expr", std::move(e)}, {"alias", alias}});
}

Result<json::Array> Parser::AliasedList(bool allow_star) {
  json::Array out;
  if (allow_star && Peek().IsPunct("*") &&
      (Peek(1).kind == Tok::kEnd || Peek(1).IsPunct("|") || Peek(1).kind == Tok::kWord)) {
    const Token& t = Take();
    out.push_back(Node(t, {{"op", "star"}}));
    return out;
  }
  do {
    ASSIGN_OR_RETURN(json::Value item, AliasedExpr());
    out.push_back(std::move(item));
  } while (TakePunct(","));
  return out;
}

Result<json::Value> Parser::FromClause() {
  const Token& name = Peek();
  if (name.kind != Tok::kWord || !Peek(1).IsPunct("(")) {
    return Unexpected(
        "a source such as project_logs('<id>'), experiment('<id>') or dataset('<id>')");
  }
  Take();
  Take();
  json::Array args;
  std::string shape;
  if (!Peek().IsPunct(")")) {
    do {
      if (Peek().kind == Tok::kWord && Peek(1).IsPunct("=>")) {
        const Token& key = Take();
        Take();
        if (!key.IsWord("shape"))
          return SyntaxError(key, "unknown source argument '" + key.text + "'");
        ASSIGN_OR_RETURN(shape, StringLiteral("a shape: 'spans', 'traces' or 'summary'"));
        continue;
      }
      ASSIGN_OR_RETURN(json::Value a, Expr());
      args.push_back(std::move(a));
    } while (TakePunct(","));
  }
  RETURN_IF_ERROR(ExpectPunct(")", "')' after the source arguments"));
  if (dialect_ == Dialect::kBtql &&
      (Peek().IsWord("spans") || Peek().IsWord("traces") || Peek().IsWord("summary"))) {
    shape = LowerAscii(Take().text);
  }
  json::Value from = Node(name, {{"op", "function"},
                                 {"name", Ident(json::Array{json::Value(name.text)})},
                                 {"args", std::move(args)}});
  if (!shape.empty()) from.as_object().set("shape", shape);
  return from;
}

}  // namespace spanlake::query::syntax
