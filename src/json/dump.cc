// Value::Dump: compact JSON appended into one string.
#include <array>
#include <charconv>
#include <cmath>

#include "json/value.h"

namespace spanlake::json {
namespace {

// Bytes the quoting loop must stop at: control characters, '"', '\\', and
// every non-ASCII byte (checked for valid UTF-8).
constexpr std::array<bool, 256> MakeStopTable() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return t;
}
constexpr std::array<bool, 256> kStop = MakeStopTable();

bool InRange(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

// Length of the well-formed UTF-8 sequence at p[0] (a non-ASCII byte) within
// `avail` bytes, or 0 when it is not well-formed (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(const unsigned char* p, size_t avail) {
  const unsigned char c = p[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (InRange(c, 0xC2, 0xDF)) {
    len = 2;
  } else if (InRange(c, 0xE0, 0xEF)) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (InRange(c, 0xF0, 0xF4)) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (avail < len || !InRange(p[1], lo, hi)) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (!InRange(p[i], 0x80, 0xBF)) return 0;
  }
  return len;
}

void AppendEscaped(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out.append("\\\""); return;
    case '\\': out.append("\\\\"); return;
    case '\b': out.append("\\b"); return;
    case '\f': out.append("\\f"); return;
    case '\n': out.append("\\n"); return;
    case '\r': out.append("\\r"); return;
    case '\t': out.append("\\t"); return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof(u));
    }
  }
}

void AppendInt(std::string& out, int64_t i) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), i).ptr);
}

void AppendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  char buf[64];
  char* end = std::to_chars(buf, buf + sizeof(buf), d).ptr;
  // The shortest form of a double in [1e19, 1e22) may be a plain integer of
  // 20+ digits, which many parsers (simdjson among them) reject or read slowly.
  const size_t digits = static_cast<size_t>(end - buf) - (d < 0 ? 1 : 0);
  const std::string_view shortest(buf, end - buf);
  if (digits >= 20 && shortest.find_first_of(".e") == std::string_view::npos) {
    end = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific).ptr;
  }
  out.append(buf, end);
}

void AppendValue(std::string& out, const Value& v);

void AppendArray(std::string& out, const Array& a) {
  out.push_back('[');
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendValue(out, a[i]);
  }
  out.push_back(']');
}

void AppendObject(std::string& out, const Object& o) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : o) {
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(out, key);
    out.push_back(':');
    AppendValue(out, value);
  }
  out.push_back('}');
}

void AppendValue(std::string& out, const Value& v) {
  switch (v.type()) {
    case Type::kNull: out.append("null"); return;
    case Type::kBool: out.append(v.as_bool() ? "true" : "false"); return;
    case Type::kInt: AppendInt(out, v.as_int()); return;
    case Type::kDouble: AppendDouble(out, v.as_double()); return;
    case Type::kString: AppendQuoted(out, v.as_string()); return;
    case Type::kArray: AppendArray(out, v.as_array()); return;
    case Type::kObject: AppendObject(out, v.as_object()); return;
  }
}

}  // namespace

void AppendQuoted(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out.push_back('"');
  size_t i = 0;
  while (i < n) {
    const size_t run_start = i;
    while (i < n && !kStop[p[i]]) ++i;
    out.append(s.data() + run_start, i - run_start);
    if (i == n) break;
    if (p[i] < 0x80) {
      AppendEscaped(out, p[i]);
      ++i;
    } else if (size_t len = Utf8SequenceLength(p + i, n - i); len > 0) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    }
  }
  out.push_back('"');
}

std::string Value::Dump() const {
  std::string out;
  DumpTo(out);
  return out;
}

void Value::DumpTo(std::string& out) const { AppendValue(out, *this); }

void Object::DumpTo(std::string& out) const { AppendObject(out, *this); }

}  // namespace spanlake::json
