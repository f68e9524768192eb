// Tokens of BTQL and SQL text. One lexer serves both: the parsers decide what
// a double-quoted token means (a string in BTQL, a name in SQL).
//
// Every token carries its 1-based line and column so that errors can say
// where they are.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace spanlake::query::syntax {

enum class Tok {
  kEnd,
  kWord,      // bare word: identifiers and keywords (case kept)
  kBacktick,  // `quoted name`
  kDouble,    // "double quoted"
  kSingle,    // 'single quoted'
  kInt,
  kFloat,
  kPunct,  // operators and punctuation, e.g. "(", "<=", "=>", "::"
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // unquoted and unescaped for quoted kinds
  int line = 1;
  int col = 1;
  size_t offset = 0;

  bool Is(Tok k, std::string_view t) const { return kind == k && text == t; }
  bool IsPunct(std::string_view t) const { return Is(Tok::kPunct, t); }
  // Case-insensitive keyword test on a bare word.
  bool IsWord(std::string_view keyword) const;
  // How the token reads in an error message: "'select'", "end of input".
  std::string Describe() const;
};

// Splits `text` into tokens ending with kEnd. Skips whitespace, `-- line` and
// `/* block */` comments. Errors (an unterminated string, a stray byte) say
// the line and column.
Result<std::vector<Token>> Lex(std::string_view text);

// "line 3, column 7: <what>" as an InvalidArgument.
Status SyntaxError(const Token& at, const std::string& what);

}  // namespace spanlake::query::syntax
