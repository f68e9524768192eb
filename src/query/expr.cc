#include "query/expr.h"

#include <string_view>
#include <unordered_set>

#include "base/time.h"
#include "query/functions.h"
#include "query/value_ops.h"

namespace spanlake::query {

namespace {

const std::unordered_set<std::string_view> kComparison = {
    "eq", "is", "ne", "lt", "le", "gt", "ge", "like", "ilike", "match", "in"};
const std::unordered_set<std::string_view> kArithmetic = {"add", "sub", "mul", "div", "mod"};
const std::unordered_set<std::string_view> kUnary = {"not", "isnull", "isnotnull", "neg"};
constexpr std::string_view kAnySpanSlot = "$any_span";

const std::string& OpOf(const json::Value& node) {
  static const std::string kNone;
  const json::Value* op = node.find("op");
  return op != nullptr && op->is_string() ? op->as_string() : kNone;
}

// " (line 3, column 7)" when the node came from text with a location.
std::string LocSuffix(const json::Value& node) {
  const json::Value* start = node.find("loc") ? node.find("loc")->find("start") : nullptr;
  if (start == nullptr) return "";
  const json::Value* line = start->find("line");
  const json::Value* col = start->find("col");
  if (line == nullptr || col == nullptr || !line->is_int() || !col->is_int()) return "";
  return " (line " + std::to_string(line->as_int()) + ", column " + std::to_string(col->as_int()) +
         ")";
}

Status Invalid(const json::Value& node, const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + LocSuffix(node) + ": " + what);
}

Status Need(const json::Value& node, const char* key, const std::string& where, ExprRules rules) {
  const json::Value* v = node.find(key);
  if (v == nullptr) return Invalid(node, where, std::string("missing '") + key + "'");
  return ValidateExpr(*v, where + "." + key, rules);
}

Status ValidateIdent(const json::Value& node, const std::string& where) {
  const json::Value* name = node.find("name");
  if (name == nullptr || !name->is_array() || name->as_array().empty()) {
    return Invalid(node, where, "ident 'name' must be a non-empty array of keys");
  }
  for (const json::Value& k : name->as_array()) {
    if (!k.is_string() && !k.is_int())
      return Invalid(node, where, "ident keys must be strings or integers");
  }
  return Status::Ok();
}

Status ValidateFunction(const json::Value& node, const std::string& where, ExprRules rules) {
  std::string name = FunctionName(node);
  const json::Value* args = node.find("args");
  if (name.empty())
    return Invalid(node, where, "function 'name' must be {op:\"ident\", name:[<name>]}");
  if (args == nullptr || !args->is_array())
    return Invalid(node, where, "function 'args' must be an array");
  bool aggregate = IsAggregateFunction(name);
  if (aggregate && !rules.allow_aggregates) {
    return Invalid(node, where, "aggregate " + name + "() is only allowed in measures and HAVING");
  }
  if (name == "filter_spans") {
    return Invalid(node, where,
                   "FILTER_SPANS() narrows the spans returned and must be a top-level AND term "
                   "of the filter (WHERE)");
  }
  if (name == "any_span") {
    if (!rules.allow_any_span) return Invalid(node, where, "any_span() is only allowed in filters");
    if (args->as_array().size() != 1) return Invalid(node, where, "any_span() takes one condition");
  } else {
    RETURN_IF_ERROR(CheckFunctionCall(name, args->as_array(), where + LocSuffix(node)));
  }
  ExprRules inner = rules;
  if (aggregate) inner.allow_aggregates = false;  // no nested aggregates
  for (size_t i = 0; i < args->as_array().size(); ++i) {
    const json::Value& a = ArgExpr(args->as_array()[i]);
    if (aggregate && name == "count" && OpOf(a) == "star") continue;
    RETURN_IF_ERROR(ValidateExpr(a, where + ".args[" + std::to_string(i) + "]", inner));
  }
  return Status::Ok();
}

Status ValidateBoolean(const json::Value& node, const std::string& where, ExprRules rules) {
  if (const json::Value* c = node.find("children")) {
    if (!c->is_array()) return Invalid(node, where, "'children' must be an array");
    for (size_t i = 0; i < c->as_array().size(); ++i) {
      RETURN_IF_ERROR(
          ValidateExpr(c->as_array()[i], where + ".children[" + std::to_string(i) + "]", rules));
    }
  }
  if (node.find("left")) RETURN_IF_ERROR(Need(node, "left", where, rules));
  if (node.find("right")) RETURN_IF_ERROR(Need(node, "right", where, rules));
  return Status::Ok();
}

Status ValidateIf(const json::Value& node, const std::string& where, ExprRules rules) {
  const json::Value* conds = node.find("conds");
  if (conds == nullptr || !conds->is_array())
    return Invalid(node, where, "'conds' must be an array");
  for (size_t i = 0; i < conds->as_array().size(); ++i) {
    std::string at = where + ".conds[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(Need(conds->as_array()[i], "cond", at, rules));
    RETURN_IF_ERROR(Need(conds->as_array()[i], "then", at, rules));
  }
  return node.find("else") ? Need(node, "else", where, rules) : Status::Ok();
}

Status ValidateInterval(const json::Value& node, const std::string& where) {
  const json::Value* v = node.find("value");
  const json::Value* unit = node.find("unit");
  if (v == nullptr || !v->is_int() || unit == nullptr || !unit->is_string() ||
      !ParseTimeUnit(unit->as_string())) {
    return Invalid(node, where,
                   "interval needs an integer 'value' and a 'unit' (year…microsecond)");
  }
  return Status::Ok();
}

// --- evaluation ---

json::Value CompareOp(const std::string& op, const json::Value& l, const json::Value& r) {
  if (l.is_null() || r.is_null()) return json::Value();
  std::optional<int> c = Compare(l, r);
  if (op == "eq" || op == "is") return c ? *c == 0 : false;
  if (op == "ne") return c ? *c != 0 : true;
  if (!c) return json::Value();
  if (op == "lt") return *c < 0;
  if (op == "le") return *c <= 0;
  if (op == "gt") return *c > 0;
  return *c >= 0;
}

bool InList(const json::Value& l, const json::Value& list) {
  if (!list.is_array()) {
    std::optional<int> c = Compare(l, list);
    return c && *c == 0;
  }
  for (const json::Value& e : list.as_array()) {
    std::optional<int> c = Compare(l, e);
    if ((c && *c == 0) || (l.is_array() && l == e)) return true;
  }
  return false;
}

json::Value In(const json::Value& l, const json::Value& r) {
  if (l.is_null()) return json::Value();
  if (l.is_array()) {  // array membership: any element in the list
    for (const json::Value& e : l.as_array()) {
      if (InList(e, r)) return true;
    }
    return InList(l, r);
  }
  return InList(l, r);
}

json::Value Binary(const std::string& op, const json::Value& l, const json::Value& r) {
  if (op == "is" && r.is_null()) return l.is_null();
  if (op == "like" || op == "ilike") {
    if (l.is_null() || r.is_null()) return json::Value();
    if (!l.is_string() || !r.is_string()) return false;
    return op == "like" ? Like(l.as_string(), r.as_string())
                        : Like(LowerAscii(l.as_string()), LowerAscii(r.as_string()));
  }
  if (op == "match") return l.is_null() ? json::Value() : json::Value(Match(l, r));
  if (op == "in") return In(l, r);
  if (kArithmetic.count(op)) return Arith(op, l, r);
  return CompareOp(op, l, r);
}

bool Includes(const json::Value& hay, const json::Value& needle) {
  if (hay.is_string() && needle.is_string())
    return hay.as_string().find(needle.as_string()) != std::string::npos;
  if (hay.is_array()) {
    if (needle.is_array()) {
      for (const json::Value& n : needle.as_array()) {
        if (!Includes(hay, n)) return false;
      }
      return true;
    }
    for (const json::Value& e : hay.as_array()) {
      if (e == needle) return true;
    }
    return false;
  }
  if (hay.is_object()) {
    if (needle.is_object()) {
      for (const auto& [k, v] : needle.as_object()) {
        const json::Value* have = hay.find(k);
        if (have == nullptr || !(*have == v || (have->is_object() && Includes(*have, v))))
          return false;
      }
      return true;
    }
    for (const auto& [k, v] : hay.as_object()) {
      if (v == needle) return true;
    }
    return false;
  }
  return !hay.is_null() && hay == needle;
}

json::Value Logical(const json::Value& node, const json::Value& row, const EvalContext& ctx,
                    bool is_and) {
  std::vector<const json::Value*> kids;
  if (const json::Value* c = node.find("children")) {
    for (const auto& k : c->as_array()) kids.push_back(&k);
  }
  if (const json::Value* l = node.find("left")) kids.push_back(l);
  if (const json::Value* r = node.find("right")) kids.push_back(r);
  bool saw_null = false;
  for (const json::Value* k : kids) {
    json::Value v = Eval(*k, row, ctx);
    if (v.is_null()) {
      saw_null = true;
    } else if (Truthy(v) != is_and) {
      return !is_and;
    }
  }
  return saw_null ? json::Value() : json::Value(is_and);
}

json::Value AnySpanSlot(const json::Value& node, const json::Value& row, const EvalContext& ctx) {
  const json::Value& slot = ArgExpr(node.find("args")->as_array()[0]);
  const json::Value* root = row.find("root_span_id");
  if (ctx.span_sets == nullptr || root == nullptr || !root->is_string()) return false;
  size_t i = static_cast<size_t>(slot.find("value")->as_int());
  return i < ctx.span_sets->size() && (*ctx.span_sets)[i].count(root->as_string()) > 0;
}

json::Value CallFunction(const json::Value& node, const json::Value& row, const EvalContext& ctx) {
  std::string name = FunctionName(node);
  if (name == kAnySpanSlot) return AnySpanSlot(node, row, ctx);
  const FunctionDef* f = FindFunction(name);
  if (f == nullptr) return json::Value();  // aggregates are evaluated by the executor
  std::vector<json::Value> args;
  for (const json::Value& a : node.find("args")->as_array())
    args.push_back(Eval(ArgExpr(a), row, ctx));
  FunctionContext fctx{ctx.now_micros, ctx.tz_offset_minutes, &row};
  return f->fn(args, fctx);
}

json::Value Unary(const std::string& op, const json::Value& node, const json::Value& row,
                  const EvalContext& ctx) {
  json::Value v = Eval(*node.find("expr"), row, ctx);
  if (op == "isnull") return v.is_null();
  if (op == "isnotnull") return !v.is_null();
  if (op == "not") return v.is_null() ? json::Value() : json::Value(!Truthy(v));
  if (v.is_int() && v.as_int() != INT64_MIN) return -v.as_int();  // neg
  return v.is_number() ? json::Value(-v.as_double()) : json::Value();
}

json::Value If(const json::Value& node, const json::Value& row, const EvalContext& ctx) {
  for (const json::Value& c : node.find("conds")->as_array()) {
    if (Truthy(Eval(*c.find("cond"), row, ctx))) return Eval(*c.find("then"), row, ctx);
  }
  const json::Value* e = node.find("else");
  return e ? Eval(*e, row, ctx) : json::Value();
}

}  // namespace

const json::Value& ArgExpr(const json::Value& arg) {
  const json::Value* inner = arg.find("expr");
  return inner != nullptr && arg.find("alias") != nullptr && !arg.find("op") ? *inner : arg;
}

std::string FunctionName(const json::Value& node) {
  const json::Value* name = node.find("name");
  if (name == nullptr) return "";
  const json::Value* parts = name->find("name");
  if (parts == nullptr || !parts->is_array() || parts->as_array().size() != 1 ||
      !parts->as_array()[0].is_string()) {
    return "";
  }
  return LowerAscii(parts->as_array()[0].as_string());
}

bool Truthy(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kBool: return v.as_bool();
    case json::Type::kInt: return v.as_int() != 0;
    case json::Type::kDouble: return v.as_double() != 0;
    case json::Type::kString: return !v.as_string().empty();
    case json::Type::kNull: return false;
    default: return true;
  }
}

Status ValidateExpr(const json::Value& node, const std::string& where, ExprRules rules) {
  if (!node.is_object()) return Status::InvalidArgument(where + ": expected an expression object");
  if (node.find("btql") != nullptr) {
    return Status::InvalidArgument(where + ": a {btql} snippet must be parsed before validation");
  }
  const std::string& op = OpOf(node);
  if (op == "literal")
    return node.find("value") ? Status::Ok() : Invalid(node, where, "missing 'value'");
  if (op == "ident") return ValidateIdent(node, where);
  if (op == "star") return Invalid(node, where, "'*' is only allowed in select and count(*)");
  if (op == "interval") return ValidateInterval(node, where);
  if (kComparison.count(op) || kArithmetic.count(op)) {
    RETURN_IF_ERROR(Need(node, "left", where, rules));
    return Need(node, "right", where, rules);
  }
  if (kUnary.count(op) || op == "singlespanfilter") return Need(node, "expr", where, rules);
  if (op == "includes") {
    RETURN_IF_ERROR(Need(node, "haystack", where, rules));
    return Need(node, "needle", where, rules);
  }
  if (op == "and" || op == "or") return ValidateBoolean(node, where, rules);
  if (op == "if") return ValidateIf(node, where, rules);
  if (op == "function") return ValidateFunction(node, where, rules);
  if (op.empty()) return Invalid(node, where, "missing 'op'");
  return Invalid(node, where, "unknown op '" + op + "'");
}

json::Value Eval(const json::Value& node, const json::Value& row) {
  EvalContext ctx;
  return Eval(node, row, ctx);
}

json::Value Eval(const json::Value& node, const json::Value& row, const EvalContext& ctx_in) {
  if (ctx_in.now_micros == 0) {
    EvalContext ctx = ctx_in;
    ctx.now_micros = NowMillis() * 1000;
    return Eval(node, row, ctx);
  }
  const EvalContext& ctx = ctx_in;
  const std::string& op = OpOf(node);
  if (op == "literal") return *node.find("value");
  if (op == "ident") {
    const json::Value* v = LookupPath(row, node.find("name")->as_array());
    return v ? *v : json::Value();
  }
  if (op == "and" || op == "or") return Logical(node, row, ctx, op == "and");
  if (kUnary.count(op)) return Unary(op, node, row, ctx);
  if (op == "singlespanfilter") return Eval(*node.find("expr"), row, ctx);
  if (op == "includes") {
    json::Value hay = Eval(*node.find("haystack"), row, ctx);
    json::Value needle = Eval(*node.find("needle"), row, ctx);
    if (hay.is_null() || needle.is_null()) return json::Value();
    return Includes(hay, needle);
  }
  if (op == "if") return If(node, row, ctx);
  if (op == "function") return CallFunction(node, row, ctx);
  if (op == "interval") {
    return IntervalValue(node.find("value")->as_int(),
                         *ParseTimeUnit(node.find("unit")->as_string()));
  }
  if (kComparison.count(op) || kArithmetic.count(op)) {
    return Binary(op, Eval(*node.find("left"), row, ctx), Eval(*node.find("right"), row, ctx));
  }
  return json::Value();  // star: not a value
}

bool ContainsAggregate(const json::Value& node) {
  if (node.is_array()) {
    for (const json::Value& e : node.as_array()) {
      if (ContainsAggregate(e)) return true;
    }
    return false;
  }
  if (!node.is_object()) return false;
  if (OpOf(node) == "literal") return false;
  if (OpOf(node) == "function" && IsAggregateFunction(FunctionName(node))) return true;
  for (const auto& [k, v] : node.as_object()) {
    if (k != "loc" && k != "name" && ContainsAggregate(v)) return true;
  }
  return false;
}

json::Value WithoutLoc(const json::Value& node) {
  if (node.is_array()) {
    json::Array out;
    for (const json::Value& e : node.as_array()) out.push_back(WithoutLoc(e));
    return out;
  }
  if (!node.is_object() || OpOf(node) == "literal") {
    if (!node.is_object() || !node.find("loc")) return node;
    return json::Object{{"op", "literal"}, {"value", *node.find("value")}};
  }
  json::Object out;
  for (const auto& [k, v] : node.as_object()) {
    if (k != "loc") out.set(k, WithoutLoc(v));
  }
  return out;
}

json::Value Literal(json::Value v) {
  return json::Object{{"op", "literal"}, {"value", std::move(v)}};
}

json::Value Ident(json::Array path) {
  return json::Object{{"op", "ident"}, {"name", std::move(path)}};
}

json::Value Call(std::string_view name, json::Array args) {
  return json::Object{{"op", "function"},
                      {"name", Ident(json::Array{json::Value(name)})},
                      {"args", std::move(args)}};
}

}  // namespace spanlake::query
