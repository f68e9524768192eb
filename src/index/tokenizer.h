// The analyzer of full-text search: UTF-8 text in, folded terms with phrase
// positions out. The index and the query side run the same pipeline, so a
// query finds text that was written the way the user types it. The rules
// below are "tokenizer v1" (kTokenizerVersion); an index records the version
// it was built with, because changing a rule changes which terms exist.
//
// Rules (details and reasons in docs/formats/postings.md, "Analysis"):
//  - Words come from ICU's UAX #29 word break iterator (dictionary based for
//    Thai, Lao, Khmer, Burmese). Spaces, punctuation and emoji make no token.
//  - Every term is NFKC-normalized and case-folded, with accents stripped from
//    Latin, Greek and Cyrillic letters (é → e), harakat and tatweel removed
//    from Arabic and niqqud from Hebrew, and a few letters without a
//    decomposition mapped (ß → ss, ł → l, ø → o, æ → ae). Only the folded form
//    is indexed; queries are folded the same way.
//  - Han, Hiragana, Katakana and Hangul text is indexed as every character
//    (kGram) and every overlapping pair of characters (kWord), one position per
//    character, so any substring of two or more characters is a phrase of
//    bigrams and a single character is a unigram.
//  - Identifiers are split into words and kept whole: `snake_case`, `camelCase`,
//    `a.b.c`, `user@example.com`, `gpt-4o-mini`, `https://host/path`. The
//    words are kWord tokens at consecutive positions; every span made of two or
//    more words (the whole identifier, each dotted or `@` part) is also a
//    kCompound token at the position of its first word.
//  - Numbers made of digits with `.` or `,` inside are one word: "3.14", "1,000".
//  - Invalid UTF-8 reads as U+FFFD (a separator). Terms longer than
//    kMaxTermBytes are dropped. Text past kMaxTextBytes is not indexed.
//
// Thread-safe: each thread uses its own ICU break iterator.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace spanlake::index {

inline constexpr uint32_t kTokenizerVersion = 1;
inline constexpr size_t kMaxTermBytes = 128;
inline constexpr size_t kMaxTextBytes = size_t{1} << 30;

enum class TokenKind : uint8_t {
  kWord,      // a word, number or CJK bigram: what queries are made of
  kCompound,  // a whole identifier / e-mail / URL whose words are also tokens
  kGram,      // a CJK character inside a longer run (a query uses its bigrams)
};

struct Token {
  std::string term;    // folded UTF-8, 1..kMaxTermBytes bytes
  uint32_t position;   // ordinal; a compound shares its first word's position
  uint32_t begin;      // byte offsets of the source text in the input
  uint32_t end;
  TokenKind kind;
};

using TokenSink = std::function<void(const Token&)>;

// Calls `sink` for every token of `utf8`, in position order (tokens at one
// position in no particular order); a term occurs at most once per position.
void Tokenize(std::string_view utf8, const TokenSink& sink);

// All tokens of `utf8`, in position order.
std::vector<Token> Tokenize(std::string_view utf8);

// The tokens a query for `utf8` must match: the kWord tokens of Tokenize, with
// their positions (a phrase). Compounds are left out so that `foo.bar` finds
// `x.foo.bar` and `snake_case` finds `my_snake_case`; a query word equal to a
// compound (`camelcase`) still finds it, because compounds share the term space.
std::vector<Token> TokenizeQuery(std::string_view utf8);

// The folding applied to every term (see the rules above), exposed for prefix
// queries. Returns valid UTF-8 even for invalid input.
std::string FoldTerm(std::string_view utf8);

}  // namespace spanlake::index
