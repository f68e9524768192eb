// Request-target parsing for the HTTP layer: splitting a target into path and
// query, percent-decoding, and query-string parsing. Pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace spanlake::http {

struct TargetParts {
  std::string_view path;   // still percent-encoded; "/" when the target has none
  std::string_view query;  // without the '?', empty when absent
};

// Splits an origin-form ("/a?b") or absolute-form ("http://h/a?b") target.
// A fragment ("#...") is dropped.
TargetParts SplitTarget(std::string_view target);

// Decodes %XX escapes; with plus_as_space, '+' becomes ' ' (query strings).
// Malformed escapes are kept as they are rather than rejected: a lenient
// decoder never turns a reachable URL into an error.
std::string PercentDecode(std::string_view in, bool plus_as_space);

// Parses "a=1&b=x+y&a=2" into `out`, decoding keys and values. A key without
// '=' gets an empty value; empty pairs ("a=1&&b=2") are skipped.
void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out);

}  // namespace spanlake::http
