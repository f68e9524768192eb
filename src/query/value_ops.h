// Operations on JSON values as the query language defines them: comparison
// (numbers by value, ISO timestamps as instants, strings by bytes), SQL LIKE,
// full-text MATCH, field paths and arithmetic (timestamps ± intervals too).
// Pure functions shared by the evaluator and the executor (sorting, grouping).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "base/datetime.h"

namespace spanlake::query {

// Three-way comparison of two non-null values of one kind; nullopt when either
// is null or their kinds differ (a number and a string never compare).
std::optional<int> Compare(const json::Value& a, const json::Value& b);

// Total order for sorting and grouping: null < bool < number < string < array
// < object; within a kind as Compare(), arrays and objects by their JSON text.
int SortCompare(const json::Value& a, const json::Value& b);

// SQL LIKE: '%' any run, '_' one character (UTF-8 aware), '\' escapes.
bool Like(std::string_view s, std::string_view pattern);
std::string LowerAscii(std::string_view s);

// Full-text MATCH with the index's analyzer (index/tokenizer.h): the query's
// words, folded (case, accents, width), occur as a phrase — at the same
// relative positions — within one string anywhere inside `haystack` (at most
// 16 levels down, as the index goes). So `'value'` matches "value-added" and
// "Valüe", and `'new york'` needs "york" right after "new". Exactly what the
// postings of a segment answer, so the postings path never drops a match.
bool Match(const json::Value& haystack, const json::Value& needle);

// search(): Match over the row's text fields, i.e. every top-level field the
// full-text index covers (index::IsUnindexedField), so postings answer it.
bool SearchRow(const json::Value& row, const json::Value& needle);

// Follows `path` (object keys as strings, array indices as integers, negative
// from the end). Null when any step is missing.
const json::Value* LookupPath(const json::Value& row, const json::Array& path);

// Intervals are values too (`now() - interval 1 day`): an object
// {"$interval": [n, "unit"]} that only arithmetic understands.
json::Value IntervalValue(int64_t n, TimeUnit unit);
bool AsInterval(const json::Value& v, int64_t* n, TimeUnit* unit);

// add, sub, mul, div, mod. Integers stay integers except for div; division by
// zero and non-numbers give null; timestamp ± interval gives a timestamp.
json::Value Arith(std::string_view op, const json::Value& a, const json::Value& b);

// Number of UTF-8 code points.
size_t Utf8Length(std::string_view s);
// The first `n` code points of `s`.
std::string_view Utf8Prefix(std::string_view s, size_t n);

}  // namespace spanlake::query
