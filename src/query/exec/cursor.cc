#include "query/exec/cursor.h"

#include "query/value_ops.h"

namespace spanlake::query::exec {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kPrefix = "c1.";

int Digit(char c) {
  for (int i = 0; i < 64; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

Status NotACursor() {
  return Status::InvalidArgument("'cursor' is not a cursor this server issued for this query");
}

}  // namespace

json::Value PageKeyValue(const engine::PageKey& k) {
  return json::Array{json::Value(k.xact), json::Value(static_cast<int64_t>(k.pos))};
}

std::optional<engine::PageKey> PageKeyFrom(const json::Value& v) {
  if (!v.is_array() || v.as_array().size() != 2 || !v.as_array()[0].is_int() ||
      !v.as_array()[1].is_int()) {
    return std::nullopt;
  }
  int64_t x = v.as_array()[0].as_int(), p = v.as_array()[1].as_int();
  if (x < 0 || p < 0 || p > UINT32_MAX) return std::nullopt;
  return engine::PageKey{static_cast<uint64_t>(x), static_cast<uint32_t>(p)};
}

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int d = Digit(c);
    if (d < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string EncodeCursor(const Position& p) {
  if (p.keys.empty()) {
    if (std::optional<engine::PageKey> k = PageKeyFrom(p.tiebreak)) return k->Encode();
  }
  json::Array all = p.keys;
  all.push_back(p.tiebreak);
  return std::string(kPrefix) + Base64UrlEncode(json::Value(std::move(all)).Dump());
}

Result<Position> DecodeCursor(const std::string& text, size_t num_keys) {
  if (text.rfind(kPrefix, 0) != 0) {
    std::optional<engine::PageKey> k = engine::PageKey::Decode(text);
    if (!k || num_keys != 0) return NotACursor();
    return Position{{}, PageKeyValue(*k)};
  }
  std::optional<std::string> bytes = Base64UrlDecode(std::string_view(text).substr(kPrefix.size()));
  if (!bytes) return NotACursor();
  Result<json::Value> doc = json::Value::Parse(*bytes);
  if (!doc.ok() || !doc->is_array() || doc->as_array().size() != num_keys + 1) return NotACursor();
  Position p;
  p.tiebreak = doc->as_array().back();
  p.keys.assign(doc->as_array().begin(), doc->as_array().end() - 1);
  return p;
}

int ComparePositions(const Position& a, const Position& b, const std::vector<bool>& desc) {
  for (size_t i = 0; i < a.keys.size() && i < b.keys.size(); ++i) {
    int c = SortCompare(a.keys[i], b.keys[i]);
    if (c != 0) return i < desc.size() && desc[i] ? -c : c;
  }
  std::optional<engine::PageKey> ka = PageKeyFrom(a.tiebreak), kb = PageKeyFrom(b.tiebreak);
  if (ka && kb) return *ka > *kb ? -1 : (*ka < *kb ? 1 : 0);  // newest first
  return SortCompare(a.tiebreak, b.tiebreak);
}

}  // namespace spanlake::query::exec
