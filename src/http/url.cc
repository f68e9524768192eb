#include "http/url.h"

namespace spanlake::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Drops "scheme://authority" from an absolute-form target.
std::string_view StripAuthority(std::string_view target) {
  size_t scheme_end = target.find("://");
  if (target.empty() || target[0] == '/' || scheme_end == std::string_view::npos) return target;
  size_t path_start = target.find_first_of("/?", scheme_end + 3);
  if (path_start == std::string_view::npos) return {};
  return target.substr(path_start);
}

}  // namespace

TargetParts SplitTarget(std::string_view target) {
  target = StripAuthority(target);
  target = target.substr(0, target.find('#'));
  TargetParts parts;
  size_t q = target.find('?');
  parts.path = target.substr(0, q);
  if (q != std::string_view::npos) parts.query = target.substr(q + 1);
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

std::string PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    out->emplace(PercentDecode(key, true), PercentDecode(value, true));
  }
}

}  // namespace spanlake::http
