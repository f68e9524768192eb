#include "query/functions.h"

#include <cctype>
#include <cmath>
#include <string>

#include "base/datetime.h"
#include "query/value_ops.h"

namespace spanlake::query {

namespace {

using Args = std::vector<json::Value>;
using Ctx = FunctionContext;

json::Value Null() { return json::Value(); }

// --- null handling and comparison ---
json::Value Coalesce(Args& a, const Ctx&) {
  for (auto& x : a) {
    if (!x.is_null()) return std::move(x);
  }
  return Null();
}
json::Value NullIf(Args& a, const Ctx&) {
  std::optional<int> c = Compare(a[0], a[1]);
  return (c && *c == 0) ? Null() : std::move(a[0]);
}
json::Value Extreme(Args& a, bool least) {
  json::Value best;
  for (auto& x : a) {
    if (x.is_null()) continue;
    std::optional<int> c = Compare(x, best);
    if (best.is_null() || (c && (least ? *c < 0 : *c > 0))) best = x;
  }
  return best;
}
json::Value Least(Args& a, const Ctx&) { return Extreme(a, true); }
json::Value Greatest(Args& a, const Ctx&) { return Extreme(a, false); }

// --- math ---
json::Value Abs(Args& a, const Ctx&) {
  if (a[0].is_int() && a[0].as_int() != INT64_MIN)
    return static_cast<int64_t>(std::llabs(a[0].as_int()));
  return a[0].is_number() ? json::Value(std::fabs(a[0].as_double())) : Null();
}
json::Value Round(Args& a, const Ctx&) {
  if (!a[0].is_number()) return Null();
  if (a.size() < 2 || !a[1].is_int()) {
    return a[0].is_int() ? a[0] : json::Value(std::round(a[0].as_double()));
  }
  double scale = std::pow(10.0, static_cast<double>(a[1].as_int()));
  return std::round(a[0].as_double() * scale) / scale;
}
json::Value Floor(Args& a, const Ctx&) {
  if (a[0].is_int()) return a[0];
  return a[0].is_number() ? json::Value(std::floor(a[0].as_double())) : Null();
}
json::Value Ceil(Args& a, const Ctx&) {
  if (a[0].is_int()) return a[0];
  return a[0].is_number() ? json::Value(std::ceil(a[0].as_double())) : Null();
}
json::Value Sqrt(Args& a, const Ctx&) {
  return a[0].is_number() && a[0].as_double() >= 0 ? json::Value(std::sqrt(a[0].as_double()))
                                                   : Null();
}
json::Value Pow(Args& a, const Ctx&) {
  if (!a[0].is_number() || !a[1].is_number()) return Null();
  double r = std::pow(a[0].as_double(), a[1].as_double());
  return std::isfinite(r) ? json::Value(r) : Null();
}

// --- strings ---
json::Value CaseMap(Args& a, bool upper) {
  if (!a[0].is_string()) return Null();
  std::string s = a[0].as_string();
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    c = static_cast<char>(upper ? std::toupper(u) : std::tolower(u));
  }
  return s;
}
json::Value Lower(Args& a, const Ctx&) { return CaseMap(a, false); }
json::Value Upper(Args& a, const Ctx&) { return CaseMap(a, true); }
json::Value Length(Args& a, const Ctx&) {
  if (a[0].is_string()) return static_cast<int64_t>(Utf8Length(a[0].as_string()));
  if (a[0].is_array()) return static_cast<int64_t>(a[0].as_array().size());
  if (a[0].is_object()) return static_cast<int64_t>(a[0].as_object().size());
  return Null();
}
json::Value Concat(Args& a, const Ctx&) {
  std::string out;
  for (auto& x : a) out += x.is_string() ? x.as_string() : (x.is_null() ? "" : x.Dump());
  return out;
}
json::Value TrimImpl(Args& a, bool left, bool right) {
  if (!a[0].is_string()) return Null();
  std::string chars = a.size() > 1 && a[1].is_string() ? a[1].as_string() : " \t\r\n";
  std::string_view s = a[0].as_string();
  while (left && !s.empty() && chars.find(s.front()) != std::string::npos) s.remove_prefix(1);
  while (right && !s.empty() && chars.find(s.back()) != std::string::npos) s.remove_suffix(1);
  return s;
}
json::Value Trim(Args& a, const Ctx&) { return TrimImpl(a, true, true); }
json::Value LTrim(Args& a, const Ctx&) { return TrimImpl(a, true, false); }
json::Value RTrim(Args& a, const Ctx&) { return TrimImpl(a, false, true); }
// substring(s, start [, count]): 1-based, in characters.
json::Value Substring(Args& a, const Ctx&) {
  if (!a[0].is_string() || !a[1].is_int()) return Null();
  std::string_view s = a[0].as_string();
  int64_t start = std::max<int64_t>(a[1].as_int(), 1) - 1;
  std::string_view head = Utf8Prefix(s, static_cast<size_t>(start));
  std::string_view rest = s.substr(head.size());
  if (a.size() < 3) return rest;
  if (!a[2].is_int() || a[2].as_int() < 0) return Null();
  int64_t count = a[2].as_int() + std::min<int64_t>(a[1].as_int() - 1, 0);
  return Utf8Prefix(rest, static_cast<size_t>(std::max<int64_t>(count, 0)));
}
json::Value Replace(Args& a, const Ctx&) {
  if (!a[0].is_string() || !a[1].is_string() || !a[2].is_string()) return Null();
  const std::string& from = a[1].as_string();
  if (from.empty()) return a[0];
  std::string s = a[0].as_string(), out;
  size_t i = 0;
  for (size_t j; (j = s.find(from, i)) != std::string::npos; i = j + from.size()) {
    out.append(s, i, j - i);
    out += a[2].as_string();
  }
  out.append(s, i, std::string::npos);
  return out;
}
json::Value StartsWith(Args& a, const Ctx&) {
  if (!a[0].is_string() || !a[1].is_string()) return Null();
  return a[0].as_string().rfind(a[1].as_string(), 0) == 0;
}
json::Value EndsWith(Args& a, const Ctx&) {
  if (!a[0].is_string() || !a[1].is_string()) return Null();
  const std::string &s = a[0].as_string(), &t = a[1].as_string();
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}
json::Value Position(Args& a, const Ctx&) {  // strpos(s, sub): 1-based, 0 when absent
  if (!a[0].is_string() || !a[1].is_string()) return Null();
  size_t at = a[0].as_string().find(a[1].as_string());
  if (at == std::string::npos) return int64_t{0};
  return static_cast<int64_t>(Utf8Length(std::string_view(a[0].as_string()).substr(0, at)) + 1);
}
json::Value Search(Args& a, const Ctx& ctx) { return ctx.row != nullptr && SearchRow(*ctx.row, a[0]); }

// --- JSON ---
// Path text: "$.a.b[0]", "a.b", "$['a b'][1]".
std::optional<json::Array> ParseJsonPath(std::string_view p) {
  json::Array out;
  size_t i = 0;
  if (i < p.size() && p[i] == '$') ++i;
  while (i < p.size()) {
    if (p[i] == '.') ++i;
    if (i < p.size() && p[i] == '[') {
      size_t end = p.find(']', i);
      if (end == std::string_view::npos) return std::nullopt;
      std::string_view in = p.substr(i + 1, end - i - 1);
      if (in.size() >= 2 && (in.front() == '\'' || in.front() == '"')) {
        out.push_back(json::Value(in.substr(1, in.size() - 2)));
      } else {
        char* e = nullptr;
        std::string num(in);
        long long n = std::strtoll(num.c_str(), &e, 10);
        if (num.empty() || *e != '\0') return std::nullopt;
        out.push_back(json::Value(static_cast<int64_t>(n)));
      }
      i = end + 1;
      continue;
    }
    size_t end = p.find_first_of(".[", i);
    if (end == std::string_view::npos) end = p.size();
    if (end == i) return std::nullopt;
    out.push_back(json::Value(p.substr(i, end - i)));
    i = end;
  }
  return out;
}
json::Value JsonExtract(Args& a, const Ctx&) {
  if (!a[1].is_string()) return Null();
  json::Value doc;
  if (a[0].is_string()) {
    Result<json::Value> parsed = json::Value::Parse(a[0].as_string());
    if (!parsed.ok()) return Null();
    doc = std::move(parsed).value();
  } else {
    doc = std::move(a[0]);
  }
  std::optional<json::Array> path = ParseJsonPath(a[1].as_string());
  if (!path) return Null();
  const json::Value* v = LookupPath(doc, *path);
  return v ? *v : Null();
}

// --- casts ---
json::Value ToString(Args& a, const Ctx&) {
  if (a[0].is_null() || a[0].is_string()) return std::move(a[0]);
  return a[0].Dump();
}
json::Value ToNumber(Args& a, const Ctx&) {
  const json::Value& v = a[0];
  if (v.is_number()) return v;
  if (v.is_bool()) return int64_t{v.as_bool() ? 1 : 0};
  if (!v.is_string()) return Null();
  Result<json::Value> n = json::Value::Parse(v.as_string());
  return n.ok() && n->is_number() ? *n : Null();
}
json::Value ToInteger(Args& a, const Ctx& ctx) {
  json::Value n = ToNumber(a, ctx);
  if (!n.is_double()) return n;
  double d = std::trunc(n.as_double());
  return std::fabs(d) < 9.2e18 ? json::Value(static_cast<int64_t>(d)) : Null();
}
json::Value ToBoolean(Args& a, const Ctx&) {
  const json::Value& v = a[0];
  if (v.is_bool() || v.is_null()) return v;
  if (v.is_number()) return v.as_double() != 0;
  if (!v.is_string()) return Null();
  std::string s = LowerAscii(v.as_string());
  if (s == "true" || s == "t" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "f" || s == "0" || s == "no") return false;
  return Null();
}
std::optional<int64_t> AsMicros(const json::Value& v) {
  if (v.is_string()) return ParseTimestamp(v.as_string());
  if (v.is_number() && std::fabs(v.as_double()) < 1e12) {  // unix seconds
    return static_cast<int64_t>(std::llround(v.as_double() * 1e6));
  }
  return std::nullopt;
}
json::Value ToDatetime(Args& a, const Ctx&) {
  std::optional<int64_t> t = AsMicros(a[0]);
  return t ? json::Value(FormatTimestamp(*t)) : Null();
}
json::Value ToDate(Args& a, const Ctx&) {
  std::optional<int64_t> t = AsMicros(a[0]);
  if (!t) return Null();
  return FormatTimestamp(TruncateTime(*t, TruncSpec{TimeUnit::kDay, 1}, 0)).substr(0, 10);
}
json::Value ToJson(Args& a, const Ctx&) {
  if (!a[0].is_string()) return std::move(a[0]);
  Result<json::Value> v = json::Value::Parse(a[0].as_string());
  return v.ok() ? std::move(v).value() : Null();
}

// --- dates ---
json::Value Now(Args&, const Ctx& ctx) { return FormatTimestamp(ctx.now_micros); }
json::Value CurrentDate(Args&, const Ctx& ctx) {
  int64_t day = TruncateTime(ctx.now_micros, TruncSpec{TimeUnit::kDay, 1}, ctx.tz_offset_minutes);
  return FormatTimestamp(day);
}
json::Value DateTrunc(Args& a, const Ctx& ctx) {
  if (!a[0].is_string()) return Null();
  Result<TruncSpec> spec = ParseTruncSpec(a[0].as_string());
  std::optional<int64_t> t = AsMicros(a[1]);
  if (!spec.ok() || !t) return Null();
  return FormatTimestamp(TruncateTime(*t, *spec, ctx.tz_offset_minutes));
}
template <TimeUnit kUnit>
json::Value TruncTo(Args& a, const Ctx& ctx) {
  std::optional<int64_t> t = AsMicros(a[0]);
  if (!t) return Null();
  return FormatTimestamp(TruncateTime(*t, TruncSpec{kUnit, 1}, ctx.tz_offset_minutes));
}
json::Value DatePart(Args& a, const Ctx& ctx) {  // date_part('hour', ts) → number
  if (!a[0].is_string()) return Null();
  std::optional<TimeUnit> unit = ParseTimeUnit(a[0].as_string());
  std::optional<int64_t> t = AsMicros(a[1]);
  if (!unit || !t) return Null();
  CivilTime c = ToCivil(*t - int64_t{ctx.tz_offset_minutes} * 60000000);
  switch (*unit) {
    case TimeUnit::kYear: return c.year;
    case TimeUnit::kMonth: return c.month;
    case TimeUnit::kDay: return c.day;
    case TimeUnit::kHour: return c.hour;
    case TimeUnit::kMinute: return c.minute;
    case TimeUnit::kSecond: return c.second;
    default: return Null();
  }
}
json::Value ToUnix(Args& a, const Ctx&) {  // seconds since the epoch
  std::optional<int64_t> t = AsMicros(a[0]);
  return t ? json::Value(static_cast<double>(*t) / 1e6) : Null();
}

const FunctionDef kFunctions[] = {
    {"coalesce", 1, -1, Coalesce},
    {"nullif", 2, 2, NullIf},
    {"least", 1, -1, Least},
    {"greatest", 1, -1, Greatest},
    {"abs", 1, 1, Abs},
    {"round", 1, 2, Round},
    {"floor", 1, 1, Floor},
    {"ceil", 1, 1, Ceil},
    {"ceiling", 1, 1, Ceil},
    {"sqrt", 1, 1, Sqrt},
    {"pow", 2, 2, Pow},
    {"power", 2, 2, Pow},
    {"lower", 1, 1, Lower},
    {"upper", 1, 1, Upper},
    {"length", 1, 1, Length},
    {"len", 1, 1, Length},
    {"char_length", 1, 1, Length},
    {"concat", 0, -1, Concat},
    {"trim", 1, 2, Trim},
    {"ltrim", 1, 2, LTrim},
    {"rtrim", 1, 2, RTrim},
    {"substring", 2, 3, Substring},
    {"substr", 2, 3, Substring},
    {"replace", 3, 3, Replace},
    {"starts_with", 2, 2, StartsWith},
    {"ends_with", 2, 2, EndsWith},
    {"strpos", 2, 2, Position},
    {"search", 1, 1, Search},
    {"json_extract", 2, 2, JsonExtract},
    {"to_string", 1, 1, ToString},
    {"to_number", 1, 1, ToNumber},
    {"to_integer", 1, 1, ToInteger},
    {"to_boolean", 1, 1, ToBoolean},
    {"to_datetime", 1, 1, ToDatetime},
    {"to_date", 1, 1, ToDate},
    {"to_json", 1, 1, ToJson},
    {"now", 0, 0, Now},
    {"current_timestamp", 0, 0, Now},
    {"current_date", 0, 0, CurrentDate},
    {"date_trunc", 2, 2, DateTrunc},
    {"second", 1, 1, TruncTo<TimeUnit::kSecond>},
    {"minute", 1, 1, TruncTo<TimeUnit::kMinute>},
    {"hour", 1, 1, TruncTo<TimeUnit::kHour>},
    {"day", 1, 1, TruncTo<TimeUnit::kDay>},
    {"week", 1, 1, TruncTo<TimeUnit::kWeek>},
    {"month", 1, 1, TruncTo<TimeUnit::kMonth>},
    {"year", 1, 1, TruncTo<TimeUnit::kYear>},
    {"date_part", 2, 2, DatePart},
    {"to_unixtime", 1, 1, ToUnix},
};

const std::string_view kAggregates[] = {"count", "count_distinct", "sum",      "avg",
                                        "min",   "max",            "any_value", "percentile"};

const json::Value* LiteralArg(const json::Array& args, size_t i) {
  if (i >= args.size()) return nullptr;
  const json::Value* op = args[i].find("op");
  if (op == nullptr || !(*op == json::Value("literal"))) return nullptr;
  return args[i].find("value");
}

int AggregateArity(std::string_view name, int* max_args) {
  *max_args = name == "percentile" ? 2 : 1;
  return name == "percentile" ? 2 : (name == "count" ? 0 : 1);
}

}  // namespace

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : kFunctions) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

bool IsAggregateFunction(std::string_view name) {
  for (std::string_view a : kAggregates) {
    if (a == name) return true;
  }
  return false;
}

Status CheckFunctionCall(std::string_view name, const json::Array& args, const std::string& where) {
  int min_args = 0, max_args = 0;
  if (const FunctionDef* f = FindFunction(name)) {
    min_args = f->min_args;
    max_args = f->max_args;
  } else if (IsAggregateFunction(name)) {
    min_args = AggregateArity(name, &max_args);
  } else if (name == "estimated_cost") {
    return Status::InvalidArgument(
        where + ": estimated_cost() is not supported: it prices tokens by a model price "
                "registry Spanlake does not have; read metrics.estimated_cost as logged");
  } else {
    return Status::InvalidArgument(where + ": unknown function '" + std::string(name) + "'");
  }
  int n = static_cast<int>(args.size());
  if (n < min_args || (max_args >= 0 && n > max_args)) {
    return Status::InvalidArgument(where + ": " + std::string(name) + "() takes " +
                                   std::to_string(min_args) +
                                   (max_args == min_args ? ""
                                    : max_args < 0       ? " or more"
                                                         : " to " + std::to_string(max_args)) +
                                   " argument(s), got " + std::to_string(n));
  }
  if (name == "date_trunc") {
    const json::Value* unit = LiteralArg(args, 0);
    if (unit != nullptr) {
      if (!unit->is_string())
        return Status::InvalidArgument(where + ": date_trunc's interval must be a string");
      RETURN_IF_ERROR(ParseTruncSpec(unit->as_string()).status().WithContext(where));
    }
  }
  if (name == "percentile") {
    const json::Value* p = LiteralArg(args, 1);
    if (p == nullptr || !p->is_number() || p->as_double() < 0 || p->as_double() > 1) {
      return Status::InvalidArgument(where + ": percentile(x, p) needs a literal p from 0 to 1");
    }
  }
  return Status::Ok();
}

const char* CastFunctionFor(std::string_view type_name) {
  std::string t = LowerAscii(type_name);
  if (t == "text" || t == "string" || t == "varchar" || t == "char") return "to_string";
  if (t == "integer" || t == "int" || t == "bigint" || t == "smallint") return "to_integer";
  if (t == "number" || t == "float" || t == "double" || t == "real" || t == "numeric" ||
      t == "decimal") {
    return "to_number";
  }
  if (t == "boolean" || t == "bool") return "to_boolean";
  if (t == "datetime" || t == "timestamp" || t == "timestamptz") return "to_datetime";
  if (t == "date") return "to_date";
  if (t == "json" || t == "jsonb" || t == "object" || t == "array") return "to_json";
  return nullptr;
}

}  // namespace spanlake::query
