#include "query/expr.h"

#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_set>

namespace spanlake::query {

namespace {

const std::unordered_set<std::string_view> kBinary = {
    "eq", "is", "ne", "lt", "le", "gt", "ge", "like", "ilike", "match", "in",
    "add", "sub", "mul", "div", "mod"};
const std::unordered_set<std::string_view> kUnary = {"not", "isnull", "isnotnull", "neg"};
const std::unordered_set<std::string_view> kFunctions = {"coalesce", "lower", "upper", "length",
                                                         "concat", "abs", "least", "greatest"};

std::string OpOf(const json::Value& node) {
  const json::Value* op = node.find("op");
  return op != nullptr && op->is_string() ? op->as_string() : "";
}

Status Need(const json::Value& node, const char* key, const std::string& where) {
  const json::Value* v = node.find(key);
  if (v == nullptr) return Status::InvalidArgument(where + ": missing '" + key + "'");
  return ValidateExpr(*v, where + "." + key);
}

Status ValidateList(const json::Value& node, const char* key, const std::string& where) {
  const json::Value* list = node.find(key);
  if (list == nullptr || !list->is_array()) {
    return Status::InvalidArgument(where + ": '" + key + "' must be an array");
  }
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const json::Value& item = list->as_array()[i];
    const json::Value* inner = item.find("expr");  // AliasExpr
    RETURN_IF_ERROR(ValidateExpr(inner != nullptr && !item.find("op") ? *inner : item,
                                 where + "." + key + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

Status ValidateIdent(const json::Value& node, const std::string& where) {
  const json::Value* name = node.find("name");
  if (name == nullptr || !name->is_array()) {
    return Status::InvalidArgument(where + ": ident 'name' must be an array of keys");
  }
  for (const json::Value& k : name->as_array()) {
    if (!k.is_string() && !k.is_int()) {
      return Status::InvalidArgument(where + ": ident keys must be strings or integers");
    }
  }
  return Status::Ok();
}

// A value for comparisons: numbers as double, others as they are.
int TypeRank(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kBool: return 1;
    case json::Type::kInt:
    case json::Type::kDouble: return 2;
    case json::Type::kString: return 3;
    default: return 4;
  }
}

// Three-way comparison; nullopt when the values are not comparable.
std::optional<int> Compare(const json::Value& a, const json::Value& b) {
  if (a.is_null() || b.is_null() || TypeRank(a) != TypeRank(b)) return std::nullopt;
  if (a.is_number()) {
    double x = a.as_double(), y = b.as_double();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_bool()) return int(a.as_bool()) - int(b.as_bool());
  if (a == b) return 0;
  return std::nullopt;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// SQL LIKE: % any run, _ one byte, \ escapes.
bool Like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '\\' && pi + 1 < p.size() && p[pi + 1] == s[si]) {
      pi += 2;
      ++si;
    } else if (pi < p.size() && (p[pi] == '_' || (p[pi] == s[si] && p[pi] != '%'))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '%') {
      star_p = pi++;
      star_s = si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

// Lowercased words: runs of letters/digits (any non-ASCII byte counts as a
// letter, so UTF-8 text stays whole). The real tokenizer lives in the index.
void Tokens(std::string_view s, std::set<std::string>& out) {
  std::string cur;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      cur.push_back(static_cast<char>(std::tolower(c)));
    } else if (!cur.empty()) {
      out.insert(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.insert(std::move(cur));
}

void CollectTokens(const json::Value& v, std::set<std::string>& out) {
  if (v.is_string()) {
    Tokens(v.as_string(), out);
  } else if (v.is_number()) {
    Tokens(v.Dump(), out);
  } else if (v.is_array()) {
    for (const auto& e : v.as_array()) CollectTokens(e, out);
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) CollectTokens(e, out);
  }
}

bool Match(const json::Value& haystack, const json::Value& needle) {
  std::set<std::string> have, want;
  CollectTokens(haystack, have);
  CollectTokens(needle, want);
  if (want.empty()) return false;
  for (const auto& t : want) {
    if (!have.count(t)) return false;
  }
  return true;
}

json::Value Lookup(const json::Value& row, const json::Array& path) {
  const json::Value* cur = &row;
  for (const json::Value& k : path) {
    if (k.is_string() && cur->is_object()) {
      cur = cur->find(k.as_string());
    } else if (k.is_int() && cur->is_array()) {
      int64_t i = k.as_int();
      int64_t n = static_cast<int64_t>(cur->as_array().size());
      if (i < 0) i += n;
      cur = (i >= 0 && i < n) ? &cur->as_array()[static_cast<size_t>(i)] : nullptr;
    } else {
      cur = nullptr;
    }
    if (cur == nullptr) return json::Value();
  }
  return *cur;
}

json::Value Arith(const std::string& op, const json::Value& a, const json::Value& b) {
  if (!a.is_number() || !b.is_number()) return json::Value();
  if (a.is_int() && b.is_int() && op != "div") {
    int64_t x = a.as_int(), y = b.as_int();
    if (op == "add") return x + y;
    if (op == "sub") return x - y;
    if (op == "mul") return x * y;
    if (op == "mod") return y == 0 ? json::Value() : json::Value(x % y);
  }
  double x = a.as_double(), y = b.as_double();
  if (op == "add") return x + y;
  if (op == "sub") return x - y;
  if (op == "mul") return x * y;
  if (op == "div") return y == 0 ? json::Value() : json::Value(x / y);
  return y == 0 ? json::Value() : json::Value(std::fmod(x, y));
}

json::Value Binary(const std::string& op, const json::Value& l, const json::Value& r) {
  if (op == "eq" || op == "is") {
    if (op == "is" && r.is_null()) return l.is_null();
    auto c = Compare(l, r);
    return c ? json::Value(*c == 0) : json::Value(!l.is_null() && l == r);
  }
  if (op == "ne") {
    auto c = Compare(l, r);
    return c ? json::Value(*c != 0) : json::Value(!l.is_null() && !r.is_null() && !(l == r));
  }
  if (op == "lt" || op == "le" || op == "gt" || op == "ge") {
    auto c = Compare(l, r);
    if (!c) return false;
    if (op == "lt") return *c < 0;
    if (op == "le") return *c <= 0;
    if (op == "gt") return *c > 0;
    return *c >= 0;
  }
  if (op == "like" || op == "ilike") {
    if (!l.is_string() || !r.is_string()) return false;
    return op == "like" ? Like(l.as_string(), r.as_string())
                        : Like(Lower(l.as_string()), Lower(r.as_string()));
  }
  if (op == "match") return Match(l, r);
  if (op == "in") {
    if (!r.is_array()) return false;
    for (const json::Value& e : r.as_array()) {
      auto c = Compare(l, e);
      if ((c && *c == 0) || (!l.is_null() && l == e)) return true;
    }
    return false;
  }
  return Arith(op, l, r);
}

json::Value Function(const std::string& name, const json::Array& args, const json::Value& row) {
  std::vector<json::Value> v;
  for (const json::Value& a : args) {
    const json::Value* inner = a.find("expr");
    v.push_back(Eval(inner != nullptr && !a.find("op") ? *inner : a, row));
  }
  if (name == "coalesce") {
    for (auto& x : v) {
      if (!x.is_null()) return x;
    }
    return json::Value();
  }
  if (name == "least" || name == "greatest") {
    json::Value best;
    for (auto& x : v) {
      auto c = Compare(x, best);
      if (best.is_null() || (c && (name == "least" ? *c < 0 : *c > 0))) best = x;
    }
    return best;
  }
  if (v.empty()) return json::Value();
  if (name == "lower" || name == "upper") {
    if (!v[0].is_string()) return json::Value();
    std::string s = v[0].as_string();
    for (char& c : s) {
      c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                            : std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
  }
  if (name == "length") {
    if (v[0].is_string()) return static_cast<int64_t>(v[0].as_string().size());
    if (v[0].is_array()) return static_cast<int64_t>(v[0].as_array().size());
    return json::Value();
  }
  if (name == "abs") return v[0].is_number() ? json::Value(std::fabs(v[0].as_double())) : json::Value();
  std::string out;  // concat
  for (auto& x : v) out += x.is_string() ? x.as_string() : (x.is_null() ? "" : x.Dump());
  return out;
}

std::string FunctionName(const json::Value& node) {
  const json::Value* name = node.find("name");
  if (name == nullptr) return "";
  const json::Value* parts = name->find("name");
  if (parts == nullptr || !parts->is_array() || parts->as_array().size() != 1 ||
      !parts->as_array()[0].is_string()) {
    return "";
  }
  return Lower(parts->as_array()[0].as_string());
}

}  // namespace

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

Status ValidateExpr(const json::Value& node, const std::string& where) {
  if (!node.is_object()) return Status::InvalidArgument(where + ": expected an expression object");
  if (node.find("btql") != nullptr) {
    return Status::InvalidArgument(where + ": BTQL text snippets are not supported in the JSON tree");
  }
  std::string op = OpOf(node);
  if (op == "literal") return node.find("value") ? Status::Ok() : Need(node, "value", where);
  if (op == "ident") return ValidateIdent(node, where);
  if (op == "star") return Status::Ok();
  if (op == "interval") return Status::Ok();
  if (kBinary.count(op)) {
    RETURN_IF_ERROR(Need(node, "left", where));
    return Need(node, "right", where);
  }
  if (kUnary.count(op)) return Need(node, "expr", where);
  if (op == "singlespanfilter") return Need(node, "expr", where);
  if (op == "includes") {
    RETURN_IF_ERROR(Need(node, "haystack", where));
    return Need(node, "needle", where);
  }
  if (op == "and" || op == "or") {
    if (node.find("children")) return ValidateList(node, "children", where);
    if (node.find("left")) RETURN_IF_ERROR(Need(node, "left", where));
    if (node.find("right")) RETURN_IF_ERROR(Need(node, "right", where));
    return Status::Ok();
  }
  if (op == "if") {
    const json::Value* conds = node.find("conds");
    if (conds == nullptr || !conds->is_array()) {
      return Status::InvalidArgument(where + ": 'conds' must be an array");
    }
    for (size_t i = 0; i < conds->as_array().size(); ++i) {
      std::string at = where + ".conds[" + std::to_string(i) + "]";
      RETURN_IF_ERROR(Need(conds->as_array()[i], "cond", at));
      RETURN_IF_ERROR(Need(conds->as_array()[i], "then", at));
    }
    return node.find("else") ? Need(node, "else", where) : Status::Ok();
  }
  if (op == "function") {
    std::string name = FunctionName(node);
    if (!kFunctions.count(name)) {
      return Status::InvalidArgument(where + ": unknown function '" + name + "'");
    }
    return ValidateList(node, "args", where);
  }
  if (op.empty()) return Status::InvalidArgument(where + ": missing 'op'");
  return Status::InvalidArgument(where + ": unknown op '" + op + "'");
}

json::Value Eval(const json::Value& node, const json::Value& row) {
  std::string op = OpOf(node);
  if (op == "literal") return *node.find("value");
  if (op == "ident") return Lookup(row, node.find("name")->as_array());
  if (op == "and" || op == "or") {
    bool is_and = op == "and";
    std::vector<const json::Value*> kids;
    if (const json::Value* c = node.find("children")) {
      for (const auto& k : c->as_array()) kids.push_back(&k);
    }
    if (const json::Value* l = node.find("left")) kids.push_back(l);
    if (const json::Value* r = node.find("right")) kids.push_back(r);
    for (const json::Value* k : kids) {
      if (Truthy(Eval(*k, row)) != is_and) return !is_and;
    }
    return is_and;
  }
  if (op == "not") return !Truthy(Eval(*node.find("expr"), row));
  if (op == "isnull") return Eval(*node.find("expr"), row).is_null();
  if (op == "isnotnull") return !Eval(*node.find("expr"), row).is_null();
  if (op == "singlespanfilter") return Eval(*node.find("expr"), row);
  if (op == "neg") {
    json::Value v = Eval(*node.find("expr"), row);
    if (v.is_int()) return -v.as_int();
    return v.is_double() ? json::Value(-v.as_double()) : json::Value();
  }
  if (op == "includes") {
    json::Value hay = Eval(*node.find("haystack"), row);
    json::Value needle = Eval(*node.find("needle"), row);
    if (hay.is_array()) {
      for (const auto& e : hay.as_array()) {
        if (e == needle) return true;
      }
      return false;
    }
    if (hay.is_string() && needle.is_string()) {
      return hay.as_string().find(needle.as_string()) != std::string::npos;
    }
    return false;
  }
  if (op == "if") {
    for (const json::Value& c : node.find("conds")->as_array()) {
      if (Truthy(Eval(*c.find("cond"), row))) return Eval(*c.find("then"), row);
    }
    const json::Value* e = node.find("else");
    return e ? Eval(*e, row) : json::Value();
  }
  if (op == "function") return Function(FunctionName(node), node.find("args")->as_array(), row);
  if (kBinary.count(op)) {
    return Binary(op, Eval(*node.find("left"), row), Eval(*node.find("right"), row));
  }
  return json::Value();  // star, interval: not values in a filter
}

}  // namespace spanlake::query
