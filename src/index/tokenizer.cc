// Word segmentation for full-text search. See tokenizer.h for the contract
// and docs/formats/postings.md ("Analysis") for why each rule exists.
#include "index/tokenizer.h"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>

namespace spanlake::index {

namespace {

// A camelCase word splitting into more pieces than this is not an identifier
// but base64 or similar noise; it stays one word.
constexpr size_t kMaxCamelPieces = 8;
// At most this many connector characters may join two words into a compound
// ("://" is three).
constexpr int kMaxConnectorChars = 3;

icu::BreakIterator* WordIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> it = [] {
    UErrorCode st = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> bi(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    return U_SUCCESS(st) ? std::move(bi) : nullptr;
  }();
  return it.get();
}

// Decodes the code point at byte `*i` of `s`, advancing `*i`; U+FFFD for an
// ill-formed sequence.
UChar32 NextCodePoint(std::string_view s, size_t* i) {
  auto byte = static_cast<unsigned char>(s[*i]);
  if (byte < 0x80) {
    ++*i;
    return byte;
  }
  int32_t off = static_cast<int32_t>(*i);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), off, static_cast<int32_t>(s.size()), c);
  *i = static_cast<size_t>(off);
  return c < 0 ? 0xFFFD : c;
}

bool IsMark(UChar32 c) {
  int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK ||
         (c >= 0x3099 && c <= 0x309C) || c == 0xFF9E || c == 0xFF9F;  // kana voicing marks
}

// Characters indexed by n-grams: the scripts written without spaces between
// words (Han, kana) and Hangul, whose words carry attached particles.
bool IsCjk(UChar32 c) {
  if (c < 0x1100) return false;  // fast path for Latin and friends
  if (c == 0x30FC || c == 0xFF70) return true;  // prolonged sound mark (script Common)
  UErrorCode st = U_ZERO_ERROR;
  UScriptCode s = uscript_getScript(c, &st);
  return s == USCRIPT_HAN || s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA ||
         s == USCRIPT_HANGUL;
}

bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiWordChar(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '_' || c == '@'; }

// Whether `mid` keeps `prev` and `next` in one word (UAX #29 WB6/7, WB11/12).
bool JoinsAscii(char prev, char mid, char next) {
  bool letters = IsAsciiAlpha(prev) && IsAsciiAlpha(next);
  bool digits = IsAsciiDigit(prev) && IsAsciiDigit(next);
  if (mid == '.' || mid == '\'') return letters || digits;
  return (mid == ',' || mid == ';') && digits;
}

// Whether the code point at byte `i` is a letter, digit or mark: something
// a word can hold.
bool IsWordStart(std::string_view s, size_t i) {
  UChar32 c = NextCodePoint(s, &i);
  return c < 0x80 ? IsAsciiAlpha(static_cast<char>(c)) || IsAsciiDigit(static_cast<char>(c))
                  : u_isalnum(c) || IsMark(c);
}

bool IsConnector(char c) {
  switch (c) {
    case '-': case '/': case ':': case '.': case '@': case '+': case '#':
    case '~': case '=': case '&': case '?': case '%': case '\\':
      return true;
    default:
      return false;
  }
}

// "2024", "3.14", "1,000": digits with single '.' or ',' between them.
bool IsPureNumber(std::string_view s) {
  bool prev_digit = false;
  for (size_t i = 0; i < s.size();) {
    UChar32 c = NextCodePoint(s, &i);
    bool digit = u_charType(c) == U_DECIMAL_DIGIT_NUMBER;
    if (!digit && !((c == '.' || c == ',') && prev_digit)) return false;
    prev_digit = digit;
  }
  return prev_digit;
}

// The common case, decided in one pass over the bytes: ASCII letters and
// digits that no rule splits (no separator, no lower-to-upper case change).
bool IsPlainAsciiWord(std::string_view s) {
  bool lower = false, upper_inside = false, digit_then_upper = false, prev_digit = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool is_upper = c >= 'A' && c <= 'Z', is_digit = c >= '0' && c <= '9';
    if (!is_upper && !is_digit && !(c >= 'a' && c <= 'z')) return false;
    lower |= !is_upper && !is_digit;
    upper_inside |= is_upper && i > 0;
    digit_then_upper |= is_upper && prev_digit;
    prev_digit = is_digit;
  }
  return !upper_inside || (!lower && !digit_then_upper);
}

// Separators of identifier levels: 0 '@', 1 '.' and ':', 2 anything that is
// neither alphanumeric nor a mark ('_', apostrophes, middle dot).
bool IsSeparator(UChar32 c, int level) {
  switch (level) {
    case 0: return c == '@';
    case 1: return c == '.' || c == ':';
    default:
      if (c < 0x80) return !IsAsciiAlpha(static_cast<char>(c)) && !IsAsciiDigit(static_cast<char>(c));
      return !u_isalnum(c) && !IsMark(c);
  }
}

// Letter case for camelCase splitting, with the ASCII answers inline.
bool IsUpper(UChar32 c) { return c < 0x80 ? c >= 'A' && c <= 'Z' : u_isupper(c); }
bool IsLower(UChar32 c) { return c < 0x80 ? c >= 'a' && c <= 'z' : u_islower(c); }
bool IsDigit(UChar32 c) { return c < 0x80 ? c >= '0' && c <= '9' : u_isdigit(c); }

class Segmenter {
 public:
  Segmenter(std::string_view text, const TokenSink& sink) : text_(text), sink_(sink) {}

  void Run();

 private:
  void ScanAscii(size_t b, size_t e);
  void ScanRegion(size_t b, size_t e);
  void RunIcu(size_t b, size_t e);
  void OnGap(size_t b, size_t e);
  void OnWord(size_t b, size_t e);
  void AddCjk(size_t b, size_t e);
  void FlushCjk();
  void AddIdentifier(size_t b, size_t e);
  void CloseJoin();
  bool RepeatsAtItsPosition(size_t i) const;
  size_t Split(size_t b, size_t e, int level);
  bool HasSeparator(size_t b, size_t e, int level) const;
  std::vector<size_t> CamelCuts(size_t b, size_t e, size_t max) const;
  size_t SplitCamel(size_t b, size_t e);
  bool EmitAtom(size_t b, size_t e);
  void EmitCompound(size_t b, size_t e, uint32_t position);
  void Emit(std::string term, uint32_t position, size_t b, size_t e, TokenKind kind);

  std::string_view text_;
  const TokenSink& sink_;
  uint32_t next_pos_ = 0;
  // The open CJK run: its characters (with attached marks) as byte ranges.
  std::vector<std::pair<size_t, size_t>> cjk_units_;
  // The open join: words linked by short connector runs ("gpt-4o", "a/b").
  bool join_open_ = false;
  std::vector<Token> held_;  // tokens of the open join, not yet emitted
  size_t join_begin_ = 0, join_end_ = 0;
  uint32_t join_pos_ = 0;
  int join_words_ = 0;
  int gap_chars_ = 0;
};

// Text is cut at ASCII whitespace into chunks. A chunk of pure ASCII (most
// span text: English, JSON, code) is segmented by ScanAscii; maximal runs of
// chunks holding other bytes go to ICU. ICU's word iterator is the slow part
// of tokenizing (~20 MB/s), and UAX #29 breaks at ASCII whitespace anyway;
// since the choice depends only on the chunk, a query chunk is segmented
// exactly as the same chunk in a document.
void Segmenter::Run() {
  const size_t n = text_.size();
  size_t region = n;  // start of the pending run of non-ASCII chunks, or n
  for (size_t i = 0; i < n;) {
    size_t j = i;
    if (IsAsciiSpace(text_[i])) {
      while (j < n && IsAsciiSpace(text_[j])) ++j;
      if (region == n) OnGap(i, j);
      i = j;
      continue;
    }
    bool ascii = true;
    for (; j < n && !IsAsciiSpace(text_[j]); ++j) ascii &= static_cast<unsigned char>(text_[j]) < 0x80;
    if (ascii) {
      if (region != n) ScanRegion(region, i);
      region = n;
      ScanAscii(i, j);
    } else if (region == n) {
      region = i;
    }
    i = j;
  }
  if (region != n) ScanRegion(region, n);
  FlushCjk();
  CloseJoin();
}

// Words of an ASCII chunk, by the UAX #29 rules as they apply to ASCII:
// letters, digits, '_' and '@' make words; '.' and '\'' join two letters or
// two digits ("e.g", "it's", "3.14"); ',' and ';' join two digits.
void Segmenter::ScanAscii(size_t b, size_t e) {
  for (size_t i = b; i < e;) {
    if (!IsAsciiWordChar(text_[i])) {
      OnGap(i, i + 1);
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < e) {
      if (IsAsciiWordChar(text_[j])) {
        ++j;
      } else if (j + 1 < e && JoinsAscii(text_[j - 1], text_[j], text_[j + 1])) {
        j += 2;
      } else {
        break;
      }
    }
    AddIdentifier(i, j);  // ASCII holds no CJK and no marks
    i = j;
  }
}

// Cuts a run of non-ASCII chunks into CJK runs, which AddCjk indexes by
// n-grams (ICU's CJK dictionary would cost most of the time and its words
// are not used), and the rest, which ICU segments unless it holds no letter
// or digit at all (punctuation, emoji).
void Segmenter::ScanRegion(size_t b, size_t e) {
  for (size_t i = b; i < e;) {
    size_t j = i;
    const bool cjk = IsCjk(NextCodePoint(text_, &j));
    bool words = !cjk && IsWordStart(text_, i);
    while (j < e) {
      size_t k = j;
      UChar32 c = NextCodePoint(text_, &k);
      if (!IsMark(c) && IsCjk(c) != cjk) break;
      words = words || (!cjk && IsWordStart(text_, j));
      j = k;
    }
    if (cjk) {
      AddCjk(i, j);
    } else if (words) {
      RunIcu(i, j);
    } else {
      OnGap(i, j);
    }
    i = j;
  }
}

void Segmenter::RunIcu(size_t b, size_t e) {
  icu::BreakIterator* bi = WordIterator();
  if (bi == nullptr) return;  // no ICU data; nothing can be segmented
  UErrorCode st = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, text_.data() + b, static_cast<int64_t>(e - b), &st);
  bi->setText(&ut, st);
  if (U_SUCCESS(st)) {
    for (int32_t p = bi->first(), q = bi->next(); q != icu::BreakIterator::DONE; p = q, q = bi->next()) {
      size_t pb = b + static_cast<size_t>(p), pe = b + static_cast<size_t>(q);
      if (bi->getRuleStatus() < UBRK_WORD_NONE_LIMIT) {
        OnGap(pb, pe);
      } else {
        OnWord(pb, pe);
      }
    }
  }
  utext_close(&ut);
}

void Segmenter::OnGap(size_t b, size_t e) {
  if (!join_open_) return;
  bool extends = e - b == 1 && IsConnector(text_[b]) && gap_chars_ < kMaxConnectorChars &&
                 join_end_ + static_cast<size_t>(gap_chars_) == b;
  if (extends) {
    ++gap_chars_;
  } else {
    CloseJoin();
  }
}

// Splits an ICU word into runs of CJK and other characters; marks stay with
// the character before them.
void Segmenter::OnWord(size_t b, size_t e) {
  size_t run_begin = b;
  bool run_cjk = false;
  for (size_t i = b; i < e;) {
    size_t at = i;
    UChar32 c = NextCodePoint(text_, &i);
    if (IsMark(c) && at != b) continue;
    bool cjk = IsCjk(c);
    if (at != b && cjk != run_cjk) {
      run_cjk ? AddCjk(run_begin, at) : AddIdentifier(run_begin, at);
      run_begin = at;
    }
    run_cjk = cjk;
  }
  run_cjk ? AddCjk(run_begin, e) : AddIdentifier(run_begin, e);
}

void Segmenter::AddCjk(size_t b, size_t e) {
  CloseJoin();
  if (!cjk_units_.empty() && cjk_units_.back().second != b) FlushCjk();
  for (size_t i = b; i < e;) {
    size_t at = i;
    UChar32 c = NextCodePoint(text_, &i);
    if (IsMark(c) && !cjk_units_.empty() && cjk_units_.back().second == at) {
      cjk_units_.back().second = i;
    } else {
      cjk_units_.emplace_back(at, i);
    }
  }
}

// Emits the open CJK run: each character at its own position (kWord when the
// run is one character, else kGram) and each adjacent pair (kWord).
void Segmenter::FlushCjk() {
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> units;
  for (auto [b, e] : cjk_units_) {
    std::string folded = FoldTerm(text_.substr(b, e - b));
    if (!folded.empty()) units.push_back({std::move(folded), {b, e}});
  }
  cjk_units_.clear();
  TokenKind single = units.size() == 1 ? TokenKind::kWord : TokenKind::kGram;
  for (size_t i = 0; i < units.size(); ++i) {
    auto [b, e] = units[i].second;
    Emit(units[i].first, next_pos_ + static_cast<uint32_t>(i), b, e, single);
    if (i + 1 < units.size()) {
      Emit(units[i].first + units[i + 1].first, next_pos_ + static_cast<uint32_t>(i), b,
           units[i + 1].second.second, TokenKind::kWord);
    }
  }
  next_pos_ += static_cast<uint32_t>(units.size());
}

void Segmenter::AddIdentifier(size_t b, size_t e) {
  FlushCjk();
  bool continues = join_open_ && gap_chars_ > 0 && join_end_ + static_cast<size_t>(gap_chars_) == b;
  if (continues) {
    ++join_words_;
  } else {
    CloseJoin();
    join_open_ = true;
    join_begin_ = b;
    join_pos_ = next_pos_;
    join_words_ = 1;
  }
  join_end_ = e;
  gap_chars_ = 0;
  std::string_view word = text_.substr(b, e - b);
  if (IsPlainAsciiWord(word) || IsPureNumber(word)) {
    EmitAtom(b, e);
  } else {
    Split(b, e, 0);
  }
}

// Ends the open join: emits its compound, then the held-back tokens of its
// words, all in position order.
void Segmenter::CloseJoin() {
  if (join_open_ && join_words_ >= 2) EmitCompound(join_begin_, join_end_, join_pos_);
  join_open_ = false;
  if (held_.size() > 1) {
    std::stable_sort(held_.begin(), held_.end(),
                     [](const Token& a, const Token& b) { return a.position < b.position; });
  }
  for (size_t i = 0; i < held_.size(); ++i) {
    if (!RepeatsAtItsPosition(i)) sink_(held_[i]);
  }
  held_.clear();
  gap_chars_ = 0;
}

// Whether held_[i] repeats the term of an earlier token at its position: a
// compound whose ignorable characters fold away leaves one of its words (e.g.
// "a<soft hyphen><diacritic>"), and a term comes out once per position.
// REQUIRES: held_ sorted by position.
bool Segmenter::RepeatsAtItsPosition(size_t i) const {
  for (size_t j = i; j-- > 0 && held_[j].position == held_[i].position;) {
    if (held_[j].term == held_[i].term) return true;
  }
  return false;
}

// Splits [b, e) at the separators of `level` and recurses into the parts;
// returns the number of words emitted. A part holding two or more words is
// also emitted whole, as a compound.
size_t Segmenter::Split(size_t b, size_t e, int level) {
  if (level == 3) return SplitCamel(b, e);
  if (!HasSeparator(b, e, level)) return Split(b, e, level + 1);
  const uint32_t first_pos = next_pos_;
  size_t words = 0, part = b;
  for (size_t i = b; i < e;) {
    size_t at = i;
    if (!IsSeparator(NextCodePoint(text_, &i), level)) continue;
    if (at > part) words += Split(part, at, level + 1);
    part = i;
  }
  if (e > part) words += Split(part, e, level + 1);
  if (words >= 2) EmitCompound(b, e, first_pos);
  return words;
}

bool Segmenter::HasSeparator(size_t b, size_t e, int level) const {
  for (size_t i = b; i < e;) {
    if (IsSeparator(NextCodePoint(text_, &i), level)) return true;
  }
  return false;
}

// The byte offsets where camelCase pieces start after `b`: camelCase →
// camel|Case; HTTPServer → HTTP|Server; abc123Def → abc123|Def. Stops
// collecting after `max` cuts.
std::vector<size_t> Segmenter::CamelCuts(size_t b, size_t e, size_t max) const {
  std::vector<size_t> cuts;
  UChar32 prev = 0;
  for (size_t i = b; i < e && cuts.size() <= max;) {
    size_t at = i;
    UChar32 c = NextCodePoint(text_, &i);
    if (at != b && IsUpper(c)) {
      size_t peek = i;
      UChar32 next = i < e ? NextCodePoint(text_, &peek) : 0;
      if (IsLower(prev) || IsDigit(prev) || (IsUpper(prev) && IsLower(next))) cuts.push_back(at);
    }
    prev = c;
  }
  return cuts;
}

size_t Segmenter::SplitCamel(size_t b, size_t e) {
  std::vector<size_t> cuts = CamelCuts(b, e, kMaxCamelPieces);
  if (cuts.empty() || cuts.size() >= kMaxCamelPieces) return EmitAtom(b, e) ? 1 : 0;
  const uint32_t first_pos = next_pos_;
  size_t words = 0, piece = b;
  for (size_t cut : cuts) {
    words += EmitAtom(piece, cut) ? 1 : 0;
    piece = cut;
  }
  words += EmitAtom(piece, e) ? 1 : 0;
  if (words >= 2) EmitCompound(b, e, first_pos);
  return words;
}

// Emits one word; returns false (consuming no position) when it folds to
// nothing. A word too long to index still takes its position, so a phrase
// does not match across it.
bool Segmenter::EmitAtom(size_t b, size_t e) {
  std::string term = FoldTerm(text_.substr(b, e - b));
  if (term.empty()) return false;
  uint32_t pos = next_pos_++;
  if (term.size() <= kMaxTermBytes) Emit(std::move(term), pos, b, e, TokenKind::kWord);
  return true;
}

void Segmenter::EmitCompound(size_t b, size_t e, uint32_t position) {
  if (e - b > 4 * kMaxTermBytes) return;  // cannot fold to kMaxTermBytes or less
  std::string term = FoldTerm(text_.substr(b, e - b));
  if (term.empty() || term.size() > kMaxTermBytes) return;
  Emit(std::move(term), position, b, e, TokenKind::kCompound);
}

// Tokens of an open join are held back: a compound comes out only after its
// words, but its position is its first word's.
void Segmenter::Emit(std::string term, uint32_t position, size_t b, size_t e, TokenKind kind) {
  Token t{std::move(term), position, static_cast<uint32_t>(b), static_cast<uint32_t>(e), kind};
  if (join_open_) {
    held_.push_back(std::move(t));
  } else {
    sink_(t);
  }
}

}  // namespace

void Tokenize(std::string_view utf8, const TokenSink& sink) {
  if (utf8.size() > kMaxTextBytes) utf8 = utf8.substr(0, kMaxTextBytes);
  Segmenter(utf8, sink).Run();
}

std::vector<Token> Tokenize(std::string_view utf8) {
  std::vector<Token> tokens;
  Tokenize(utf8, [&tokens](const Token& t) { tokens.push_back(t); });
  return tokens;
}

std::vector<Token> TokenizeQuery(std::string_view utf8) {
  std::vector<Token> tokens = Tokenize(utf8);
  std::erase_if(tokens, [](const Token& t) { return t.kind != TokenKind::kWord; });
  return tokens;
}

}  // namespace spanlake::index
