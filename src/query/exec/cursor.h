// Cursors: opaque text naming a position in an ordered result, strictly
// after which the next page starts. A position is the sort values of the last
// row returned plus a tiebreak that no other row shares (a span's PageKey, a
// trace's first PageKey, a group's dimension values), so a page boundary
// never falls between equal rows and paging while rows arrive neither skips
// nor repeats a row.
//
// In the default order (newest first) the position is just the PageKey and
// the cursor is PageKey::Encode() ("<xact>.<pos>"), as before. Other orders
// encode "c1." + base64url(JSON [sort values…, tiebreak]).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/memtable.h"
#include "json/value.h"

namespace spanlake::query::exec {

struct Position {
  json::Array keys;      // sort values, one per sort key
  json::Value tiebreak;  // PageKey as [xact, pos], or group dimension values
};

json::Value PageKeyValue(const engine::PageKey& k);
std::optional<engine::PageKey> PageKeyFrom(const json::Value& v);

std::string EncodeCursor(const Position& p);
// InvalidArgument when the text is not a cursor this server issued, or was
// issued for a different order (`num_keys` sort keys).
Result<Position> DecodeCursor(const std::string& text, size_t num_keys);

// Orders positions as the result does: sort keys in their directions
// (`desc[i]`), then the tiebreak (PageKeys newest first; dimension values
// ascending). Negative when `a` comes first.
int ComparePositions(const Position& a, const Position& b, const std::vector<bool>& desc);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace spanlake::query::exec
