#include "query/syntax/lexer.h"

#include <cctype>

namespace spanlake::query::syntax {

namespace {

constexpr std::string_view kTwoCharOps[] = {"!=", "<>", "<=", ">=", "=>", "::", "==", "||", "&&"};
constexpr std::string_view kOneCharOps = "()[]{},.:|+-*/%=<>?!;";

// Length of the valid UTF-8 sequence at the start of `s`, 0 when invalid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = static_cast<unsigned char>(s[1]);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 >= 0x90)) {
    return 0;
  }
  return n;
}

bool IsWordStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsWordChar(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  Result<std::vector<Token>> Run() {
    RETURN_IF_ERROR(CheckUtf8());
    std::vector<Token> out;
    while (true) {
      RETURN_IF_ERROR(SkipSpace());
      Token t;
      t.line = line_;
      t.col = col_;
      t.offset = i_;
      if (i_ >= s_.size()) {
        out.push_back(std::move(t));
        return out;
      }
      RETURN_IF_ERROR(Next(t));
      out.push_back(std::move(t));
    }
  }

 private:
  char Peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

  // Query text must be UTF-8: names and strings go back out in JSON.
  Status CheckUtf8() {
    while (i_ < s_.size()) {
      size_t n = Utf8SequenceLength(s_.substr(i_));
      if (n == 0) return SyntaxError(Token{Tok::kEnd, "", line_, col_, i_}, "invalid UTF-8");
      for (size_t k = 0; k < n; ++k) Advance();
    }
    i_ = 0;
    line_ = col_ = 1;
    return Status::Ok();
  }

  // Whether the previous byte ends an operand, so that ".5" in "input.5" is a
  // path step, not a number.
  bool AfterOperand() const {
    if (i_ == 0) return false;
    unsigned char p = static_cast<unsigned char>(s_[i_ - 1]);
    return IsWordChar(p) || p == '"' || p == '\'' || p == '`' || p == ']' || p == ')';
  }

  void Advance() {
    if (s_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(s_[i_]) & 0xC0) != 0x80) {
      ++col_;  // columns count characters, not UTF-8 continuation bytes
    }
    ++i_;
  }

  Status SkipSpace() {
    while (i_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(Peek()))) {
        Advance();
      } else if (Peek() == '-' && Peek(1) == '-') {
        while (i_ < s_.size() && Peek() != '\n') Advance();
      } else if (Peek() == '/' && Peek(1) == '*') {
        Token at{Tok::kEnd, "", line_, col_, i_};
        Advance();
        Advance();
        while (i_ < s_.size() && !(Peek() == '*' && Peek(1) == '/')) Advance();
        if (i_ >= s_.size()) return SyntaxError(at, "unterminated /* comment");
        Advance();
        Advance();
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  Status Next(Token& t) {
    unsigned char c = static_cast<unsigned char>(Peek());
    if (c == '\'' || c == '"' || c == '`') return Quoted(t, static_cast<char>(c));
    if (std::isdigit(c) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))) && !AfterOperand())) {
      return Number(t);
    }
    if (IsWordStart(c)) {
      t.kind = Tok::kWord;
      while (i_ < s_.size() && IsWordChar(static_cast<unsigned char>(Peek()))) {
        t.text.push_back(Peek());
        Advance();
      }
      return Status::Ok();
    }
    for (std::string_view op : kTwoCharOps) {
      if (Peek() == op[0] && Peek(1) == op[1]) {
        t.kind = Tok::kPunct;
        t.text = op == "==" ? "=" : std::string(op);
        Advance();
        Advance();
        return Status::Ok();
      }
    }
    if (kOneCharOps.find(static_cast<char>(c)) != std::string_view::npos) {
      t.kind = Tok::kPunct;
      t.text = std::string(1, static_cast<char>(c));
      Advance();
      return Status::Ok();
    }
    return SyntaxError(t, "unexpected character '" + std::string(1, static_cast<char>(c)) + "'");
  }

  Status Number(Token& t) {
    bool is_float = false;
    auto digits = [&] {
      while (std::isdigit(static_cast<unsigned char>(Peek()))) {
        t.text.push_back(Peek());
        Advance();
      }
    };
    digits();
    if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      is_float = true;
      t.text.push_back('.');
      Advance();
      digits();
    }
    if ((Peek() == 'e' || Peek() == 'E') && (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
                                             ((Peek(1) == '+' || Peek(1) == '-') &&
                                              std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
      is_float = true;
      t.text.push_back('e');
      Advance();
      if (Peek() == '+' || Peek() == '-') {
        t.text.push_back(Peek());
        Advance();
      }
      digits();
    }
    if (IsWordChar(static_cast<unsigned char>(Peek()))) {
      return SyntaxError(t, "malformed number '" + t.text + Peek() + "'");
    }
    t.kind = is_float ? Tok::kFloat : Tok::kInt;
    return Status::Ok();
  }

  // Quotes double to escape themselves ('it''s'); backslash escapes \n \t \r
  // \\ \' \" too. Any other backslash stays, so LIKE patterns keep '\%'.
  Status Quoted(Token& t, char q) {
    t.kind = q == '\'' ? Tok::kSingle : (q == '"' ? Tok::kDouble : Tok::kBacktick);
    Advance();
    while (true) {
      if (i_ >= s_.size())
        return SyntaxError(t, std::string("unterminated quoted text (opened with ") + q + ")");
      char c = Peek();
      if (c == q && Peek(1) == q) {
        t.text.push_back(q);
        Advance();
        Advance();
      } else if (c == q) {
        Advance();
        return Status::Ok();
      } else if (c == '\\' && q != '`' && i_ + 1 < s_.size() &&
                 std::string_view("ntr\\'\"").find(Peek(1)) != std::string_view::npos) {
        Advance();
        char e = Peek();
        t.text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
        Advance();
      } else {
        t.text.push_back(c);
        Advance();
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

bool Token::IsWord(std::string_view keyword) const {
  if (kind != Tok::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != keyword[i]) return false;
  }
  return true;
}

std::string Token::Describe() const {
  switch (kind) {
    case Tok::kEnd: return "end of input";
    case Tok::kSingle: return "string '" + text + "'";
    case Tok::kDouble: return "\"" + text + "\"";
    case Tok::kBacktick: return "`" + text + "`";
    default: return "'" + text + "'";
  }
}

Result<std::vector<Token>> Lex(std::string_view text) { return Lexer(text).Run(); }

Status SyntaxError(const Token& at, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(at.line) + ", column " +
                                 std::to_string(at.col) + ": " + what);
}

}  // namespace spanlake::query::syntax
