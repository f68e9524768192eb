// FoldTerm: the normalization every indexed and queried term goes through.
// See tokenizer.h for the rules and docs/formats/postings.md for the reasons.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <unordered_map>

#include "index/tokenizer.h"

namespace spanlake::index {

namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string FoldAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Scripts whose combining marks are accents a user leaves out when typing;
// in other scripts (Devanagari vowel signs, Thai, kana voicing) a mark changes
// the letter and is kept.
bool StripsMarks(UScriptCode script) {
  return script == USCRIPT_LATIN || script == USCRIPT_GREEK || script == USCRIPT_CYRILLIC ||
         script == USCRIPT_ARABIC || script == USCRIPT_HEBREW || script == USCRIPT_COMMON;
}

// Letters that have no canonical decomposition but are "a letter with an
// accent" to their readers, and Arabic letters that writers use
// interchangeably. Returns the replacement, or nullptr to keep `c`.
const char16_t* LetterFold(UChar32 c) {
  switch (c) {
    case 0x0142: return u"l";   // ł
    case 0x00F8: return u"o";   // ø
    case 0x0111: return u"d";   // đ
    case 0x0127: return u"h";   // ħ
    case 0x0131: return u"i";   // dotless ı
    case 0x00E6: return u"ae";  // æ
    case 0x0153: return u"oe";  // œ
    case 0x2018:
    case 0x2019: return u"'";   // typographic apostrophes
    case 0x0640: return u"";    // Arabic tatweel (kashida), a stretching glyph
    case 0x0649: return u"\u064A";  // alef maksura → yeh
    case 0x0629: return u"\u0647";  // teh marbuta → heh
    default: return nullptr;
  }
}

// Drops accents (marks after a letter of a StripsMarks script), maps
// LetterFold letters and turns every decimal digit into its ASCII digit.
// `in` is NFD, so precomposed letters arrive as base + marks.
icu::UnicodeString StripAndMap(const icu::UnicodeString& in) {
  icu::UnicodeString out;
  bool strip = false;
  for (int32_t i = 0; i < in.length();) {
    UChar32 c = in.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) {
      if (!strip) out.append(c);
      continue;
    }
    UErrorCode st = U_ZERO_ERROR;
    strip = StripsMarks(uscript_getScript(c, &st));
    if (const char16_t* repl = LetterFold(c)) {
      out.append(icu::UnicodeString(repl));
    } else if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) {
      out.append(static_cast<UChar32>('0' + u_charDigitValue(c)));
    } else {
      out.append(c);
    }
  }
  return out;
}

// One character from the blocks that folding leaves unchanged: unified Han
// ideographs, kana and Hangul syllables (NFD splits voiced kana and Hangul,
// NFC puts them back together, and no mark is stripped in those scripts).
// Most CJK text folds character by character, so this path matters.
bool IsInertCjk(std::string_view s) {
  if (s.size() != 3) return false;
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  if ((b(0) & 0xF0) != 0xE0 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return false;
  UChar32 c = (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3041 && c <= 0x3096) ||
         (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c >= 0xAC00 && c <= 0xD7A3);
}

std::string FoldWithIcu(std::string_view utf8) {
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(st);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(st);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(st);
  if (U_FAILURE(st)) return {};  // no ICU data: index nothing rather than crash
  // fromUTF8 turns every ill-formed sequence into U+FFFD.
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(),
                                                                     static_cast<int32_t>(utf8.size())));
  icu::UnicodeString folded = nfkc_cf->normalize(s, st);
  icu::UnicodeString stripped = StripAndMap(nfd->normalize(folded, st));
  icu::UnicodeString composed = nfc->normalize(stripped, st);
  if (U_FAILURE(st)) return {};
  std::string out;
  composed.toUTF8String(out);
  return out;
}

// Words repeat (Zipf), and ICU normalization costs microseconds, so each
// thread remembers recent foldings of non-ASCII words.
class FoldCache {
 public:
  const std::string& Fold(std::string_view utf8) {
    auto it = map_.find(utf8);
    if (it != map_.end()) return it->second;
    if (map_.size() >= kMaxEntries) map_.clear();
    return map_.emplace(std::string(utf8), FoldWithIcu(utf8)).first->second;
  }

 private:
  static constexpr size_t kMaxEntries = 1 << 14;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> map_;
};

}  // namespace

std::string FoldTerm(std::string_view utf8) {
  if (IsAscii(utf8)) return FoldAscii(utf8);
  if (IsInertCjk(utf8)) return std::string(utf8);
  if (utf8.size() > kMaxTermBytes * 4) return FoldWithIcu(utf8);  // rare; not worth caching
  thread_local FoldCache cache;
  return cache.Fold(utf8);
}

}  // namespace spanlake::index
