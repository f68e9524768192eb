#include "query/value_ops.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "index/index_builder.h"
#include "index/tokenizer.h"

namespace spanlake::query {

namespace {

// The index stops at this depth of nested objects (segment/builder.cc).
constexpr int kMaxMatchDepth = 16;

int KindRank(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kNull: return 0;
    case json::Type::kBool: return 1;
    case json::Type::kInt:
    case json::Type::kDouble: return 2;
    case json::Type::kString: return 3;
    case json::Type::kArray: return 4;
    case json::Type::kObject: return 5;
  }
  return 6;
}

int Sign(double d) { return d < 0 ? -1 : (d > 0 ? 1 : 0); }

int CompareStrings(const std::string& a, const std::string& b) {
  if (LooksLikeTimestamp(a) && LooksLikeTimestamp(b)) {
    std::optional<int64_t> x = ParseTimestamp(a), y = ParseTimestamp(b);
    if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int CompareNumbers(const json::Value& a, const json::Value& b) {
  if (a.is_int() && b.is_int()) {
    return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
  }
  return Sign(a.as_double() - b.as_double());
}

// Length in bytes of the UTF-8 sequence starting with `c` (1 for stray bytes).
size_t SeqLen(unsigned char c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

// Positions of each term of one string.
using TermPositions = std::unordered_map<std::string, std::vector<uint32_t>>;

bool PhraseIn(const TermPositions& text, const std::vector<index::Token>& phrase) {
  auto first = text.find(phrase[0].term);
  if (first == text.end()) return false;
  for (uint32_t p0 : first->second) {
    if (p0 < phrase[0].position) continue;
    uint32_t base = p0 - phrase[0].position;
    bool all = true;
    for (size_t i = 1; all && i < phrase.size(); ++i) {
      auto it = text.find(phrase[i].term);
      all = it != text.end() && std::find(it->second.begin(), it->second.end(),
                                          base + phrase[i].position) != it->second.end();
    }
    if (all) return true;
  }
  return false;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool ContainsFolded(std::string_view text, std::string_view lower_term) {
  auto same = [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; };
  return std::search(text.begin(), text.end(), lower_term.begin(), lower_term.end(), same) != text.end();
}

// Whether `text` may hold `phrase`. ASCII text folds to its lower case and
// nothing else (docs/formats/postings.md, "Folding"), and a phrase's terms
// are words of it, so an ASCII term absent from ASCII text, case aside,
// rules the text out without tokenizing it — most strings a re-check sees.
bool MayHoldPhrase(std::string_view text, const std::vector<index::Token>& phrase) {
  for (const index::Token& t : phrase) {
    if (!IsAscii(t.term)) return true;
  }
  if (!IsAscii(text)) return true;
  return std::all_of(phrase.begin(), phrase.end(),
                     [&](const index::Token& t) { return ContainsFolded(text, t.term); });
}

bool MatchStrings(const json::Value& v, const std::vector<index::Token>& phrase, int depth) {
  if (depth > kMaxMatchDepth) return false;
  if (v.is_string()) {
    if (!MayHoldPhrase(v.as_string(), phrase)) return false;
    TermPositions text;
    index::Tokenize(v.as_string(),
                    [&](const index::Token& t) { text[t.term].push_back(t.position); });
    return PhraseIn(text, phrase);
  }
  if (v.is_array()) {
    for (const json::Value& e : v.as_array()) {
      if (MatchStrings(e, phrase, depth)) return true;  // elements share their array's field
    }
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) {
      if (MatchStrings(e, phrase, depth + 1)) return true;
    }
  }
  return false;
}

std::optional<json::Value> TimestampArith(std::string_view op, const json::Value& a,
                                          const json::Value& b) {
  int64_t n = 0;
  TimeUnit unit;
  if (a.is_string() && AsInterval(b, &n, &unit) && (op == "add" || op == "sub")) {
    std::optional<int64_t> t = ParseTimestamp(a.as_string());
    if (!t || n == INT64_MIN) return json::Value();
    std::optional<int64_t> sum = AddInterval(*t, op == "add" ? n : -n, unit);
    return sum ? json::Value(FormatTimestamp(*sum)) : json::Value();
  }
  if (b.is_string() && AsInterval(a, &n, &unit) && op == "add") {
    return TimestampArith(op, b, a);
  }
  if (a.is_string() && b.is_string() && op == "sub" && LooksLikeTimestamp(a.as_string())) {
    std::optional<int64_t> x = ParseTimestamp(a.as_string()), y = ParseTimestamp(b.as_string());
    if (x && y) return json::Value(static_cast<double>(*x - *y) / 1e6);  // seconds
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> Compare(const json::Value& a, const json::Value& b) {
  if (a.is_null() || b.is_null() || KindRank(a) != KindRank(b)) return std::nullopt;
  if (a.is_number()) return CompareNumbers(a, b);
  if (a.is_string()) return CompareStrings(a.as_string(), b.as_string());
  if (a.is_bool()) return int(a.as_bool()) - int(b.as_bool());
  if (a == b) return 0;
  return std::nullopt;
}

int SortCompare(const json::Value& a, const json::Value& b) {
  int ra = KindRank(a), rb = KindRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (a.is_null()) return 0;
  if (std::optional<int> c = Compare(a, b)) return *c;
  std::string x = a.Dump(), y = b.Dump();
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    size_t n = SeqLen(static_cast<unsigned char>(s[si]));
    if (pi < p.size() && p[pi] == '\\' && pi + 1 < p.size() && p[pi + 1] == s[si]) {
      pi += 2;
      ++si;
    } else if (pi < p.size() && p[pi] == '_') {
      ++pi;
      si += n;
    } else if (pi < p.size() && p[pi] != '%' && p[pi] != '\\' && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '%') {
      star_p = pi++;
      star_s = si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      star_s += SeqLen(static_cast<unsigned char>(s[star_s]));
      si = star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

std::vector<index::Token> QueryPhrase(const json::Value& needle) {
  std::string query = needle.is_string()   ? needle.as_string()
                      : needle.is_number() ? needle.Dump()
                                           : "";
  return index::TokenizeQuery(query);
}

bool Match(const json::Value& haystack, const json::Value& needle) {
  std::vector<index::Token> phrase = QueryPhrase(needle);
  return !phrase.empty() && MatchStrings(haystack, phrase, 0);
}

bool SearchRow(const json::Value& row, const json::Value& needle) {
  std::vector<index::Token> phrase = QueryPhrase(needle);
  if (phrase.empty() || !row.is_object()) return false;
  for (const auto& [k, v] : row.as_object()) {
    if (!index::IsUnindexedField(k) && MatchStrings(v, phrase, 1)) return true;
  }
  return false;
}

const json::Value* LookupPath(const json::Value& row, const json::Array& path) {
  const json::Value* cur = &row;
  for (const json::Value& k : path) {
    if (k.is_string() && cur->is_object()) {
      cur = cur->find(k.as_string());
    } else if (k.is_int() && cur->is_array()) {
      int64_t i = k.as_int();
      int64_t n = static_cast<int64_t>(cur->as_array().size());
      if (i < 0) i += n;
      cur = (i >= 0 && i < n) ? &cur->as_array()[static_cast<size_t>(i)] : nullptr;
    } else if (k.is_int() && cur->is_object()) {
      cur = cur->find(std::to_string(k.as_int()));  // numeric object keys
    } else {
      cur = nullptr;
    }
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

json::Value IntervalValue(int64_t n, TimeUnit unit) {
  return json::Object{{"$interval", json::Array{json::Value(n), json::Value(TimeUnitName(unit))}}};
}

bool AsInterval(const json::Value& v, int64_t* n, TimeUnit* unit) {
  const json::Value* iv = v.find("$interval");
  if (iv == nullptr || !iv->is_array() || iv->as_array().size() != 2) return false;
  const json::Array& a = iv->as_array();
  if (!a[0].is_int() || !a[1].is_string()) return false;
  std::optional<TimeUnit> u = ParseTimeUnit(a[1].as_string());
  if (!u) return false;
  *n = a[0].as_int();
  *unit = *u;
  return true;
}

json::Value Arith(std::string_view op, const json::Value& a, const json::Value& b) {
  if (std::optional<json::Value> t = TimestampArith(op, a, b)) return *t;
  if (!a.is_number() || !b.is_number()) return json::Value();
  if (a.is_int() && b.is_int() && op != "div") {
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    bool overflow = false;
    if (op == "add") overflow = __builtin_add_overflow(x, y, &r);
    if (op == "sub") overflow = __builtin_sub_overflow(x, y, &r);
    if (op == "mul") overflow = __builtin_mul_overflow(x, y, &r);
    if (op == "mod") {
      if (y == 0) return json::Value();
      return (y == -1) ? json::Value(int64_t{0}) : json::Value(x % y);
    }
    if (!overflow) return r;
  }
  double x = a.as_double(), y = b.as_double();
  if (op == "add") return x + y;
  if (op == "sub") return x - y;
  if (op == "mul") return x * y;
  if (op == "div") return y == 0 ? json::Value() : json::Value(x / y);
  return y == 0 ? json::Value() : json::Value(std::fmod(x, y));
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += SeqLen(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

std::string_view Utf8Prefix(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < s.size(); ++k) i += SeqLen(static_cast<unsigned char>(s[i]));
  return s.substr(0, std::min(i, s.size()));
}

}  // namespace spanlake::query
