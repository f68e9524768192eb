// Value::Parse: simdjson's DOM parser, then a recursive copy into Values.
#include <simdjson.h>

#include <optional>
#include <unordered_map>

#include "json/value.h"

namespace spanlake::json {

// Appends members without the per-key lookup of Object::set (which would make
// parsing an object quadratic), then restores the unique-key invariant once.
class ObjectBuilder {
 public:
  static std::vector<Object::Member>& Members(Object& o) { return o.members_; }
};

namespace {

using Members = std::vector<Object::Member>;

// first[i] = index of the first member whose key equals members[i]'s key.
// Returns false when all keys are distinct (the usual case).
bool FindFirstIndexes(const Members& members, std::vector<size_t>& first) {
  const size_t n = members.size();
  first.resize(n);
  bool repeated = false;
  if (n <= 16) {
    for (size_t i = 0; i < n; ++i) {
      first[i] = i;
      for (size_t j = 0; j < i; ++j) {
        if (members[j].first == members[i].first) {
          first[i] = j;
          repeated = true;
          break;
        }
      }
    }
    return repeated;
  }
  std::unordered_map<std::string_view, size_t> seen;
  seen.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = seen.emplace(members[i].first, i);
    first[i] = it->second;
    repeated |= !inserted;
  }
  return repeated;
}

// A repeated key keeps its first position and its last value.
void DedupeKeys(Members& members) {
  std::vector<size_t> first;
  if (members.size() < 2 || !FindFirstIndexes(members, first)) return;
  for (size_t i = 0; i < members.size(); ++i) {
    if (first[i] != i) members[first[i]].second = std::move(members[i].second);
  }
  size_t out = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (first[i] != i) continue;
    if (out != i) members[out] = std::move(members[i]);
    ++out;
  }
  members.resize(out);
}

Value Convert(simdjson::dom::element e);

Value ConvertArray(simdjson::dom::array a) {
  Array out;
  out.reserve(a.size());
  for (simdjson::dom::element child : a) out.push_back(Convert(child));
  return Value(std::move(out));
}

Value ConvertObject(simdjson::dom::object o) {
  Object out;
  Members& members = ObjectBuilder::Members(out);
  members.reserve(o.size());
  for (simdjson::dom::key_value_pair field : o) {
    members.emplace_back(std::string(field.key), Convert(field.value));
  }
  DedupeKeys(members);
  return Value(std::move(out));
}

// Recursion depth is bounded by the parser's max depth (1024).
Value Convert(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY:
      return ConvertArray(e.get_array().value_unsafe());
    case element_type::OBJECT:
      return ConvertObject(e.get_object().value_unsafe());
    case element_type::INT64:
      return Value(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return Value(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return Value(e.get_double().value_unsafe());
    case element_type::STRING:
      return Value(e.get_string().value_unsafe());
    case element_type::BOOL:
      return Value(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Value();
  }
  return Value();
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters that may precede a digit inside one number token.
bool ContinuesNumber(char c) {
  return IsDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

// simdjson rejects integer literals beyond 64 bits, which are valid JSON
// (JavaScript prints 1e20 as "100000000000000000000"). Appending ".0" to such
// literals makes simdjson read them as doubles, as we would anyway. Returns
// nullopt when there is no such literal. Strings are skipped; anything else
// that was malformed stays malformed.
std::optional<std::string> WidenBigIntegers(std::string_view text) {
  std::string out;
  bool changed = false;
  bool in_string = false;
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (!(c == '-' || IsDigit(c)) || (i > 0 && ContinuesNumber(text[i - 1]))) continue;
    size_t end = c == '-' ? i + 1 : i;
    while (end < text.size() && IsDigit(text[end])) ++end;
    const size_t digits = end - (c == '-' ? i + 1 : i);
    const bool fraction_follows =
        end < text.size() && (text[end] == '.' || text[end] == 'e' || text[end] == 'E');
    if (digits >= 20 && !fraction_follows) {
      out.append(text.substr(copied, end - copied)).append(".0");
      copied = end;
      changed = true;
    }
    i = end - 1;
  }
  if (!changed) return std::nullopt;
  out.append(text.substr(copied));
  return out;
}

// Reads the 4 hex digits of a "\uXXXX" escape starting at text[i] ('\\').
std::optional<unsigned> EscapeCodeUnit(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return std::nullopt;
  unsigned v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    char c = text[k];
    unsigned d = IsDigit(c) ? unsigned(c - '0')
                 : (c >= 'a' && c <= 'f') ? unsigned(c - 'a' + 10)
                 : (c >= 'A' && c <= 'F') ? unsigned(c - 'A' + 10) : 16u;
    if (d == 16) return std::nullopt;
    v = v * 16 + d;
  }
  return v;
}

// JSON.stringify writes half of a surrogate pair (a string cut inside an
// emoji) as a lone "\ud83d" escape: valid JSON syntax that simdjson rejects.
// Such escapes become U+FFFD, as browsers and Python do when they decode.
// Returns nullopt when there is none.
std::optional<std::string> ReplaceLoneSurrogates(std::string_view text) {
  std::string out;
  bool changed = false;
  size_t copied = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '\\') continue;
    std::optional<unsigned> u = EscapeCodeUnit(text, i);
    if (!u) {
      ++i;  // skip the escaped character
      continue;
    }
    if (*u >= 0xD800 && *u <= 0xDBFF) {
      std::optional<unsigned> low = EscapeCodeUnit(text, i + 6);
      if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
        i += 11;  // a proper pair
        continue;
      }
    } else if (!(*u >= 0xDC00 && *u <= 0xDFFF)) {
      i += 5;
      continue;
    }
    out.append(text.substr(copied, i - copied)).append("\\ufffd");
    copied = i + 6;
    changed = true;
    i += 5;
  }
  if (!changed) return std::nullopt;
  out.append(text.substr(copied));
  return out;
}

// Beyond this size a document gets a parser of its own: a parser keeps
// buffers of about 15 times the largest document it has seen, and a pooled
// server thread should not hold that for one big request forever.
constexpr size_t kThreadParserMaxBytes = 1 << 20;

Status MalformedError(simdjson::error_code err) {
  return Status::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(err));
}

Result<Value> ParseWith(simdjson::dom::parser& parser, std::string_view text) {
  if (text.empty()) return MalformedError(simdjson::EMPTY);
  simdjson::dom::element root;
  simdjson::error_code err = parser.parse(text.data(), text.size(), true).get(root);
  if (err == simdjson::NUMBER_ERROR) {
    if (std::optional<std::string> widened = WidenBigIntegers(text)) {
      err = parser.parse(widened->data(), widened->size(), true).get(root);
    }
  }
  if (err == simdjson::STRING_ERROR) {
    if (std::optional<std::string> fixed = ReplaceLoneSurrogates(text)) {
      err = parser.parse(fixed->data(), fixed->size(), true).get(root);
    }
  }
  if (err) return MalformedError(err);
  return Convert(root);
}

}  // namespace

Result<Value> Value::Parse(std::string_view text) {
  if (text.size() > kThreadParserMaxBytes) {
    simdjson::dom::parser parser;
    return ParseWith(parser, text);
  }
  thread_local simdjson::dom::parser parser;
  return ParseWith(parser, text);
}

}  // namespace spanlake::json
