#include "index/tokenizer.h"

#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

namespace spanlake::index {
namespace {

std::set<std::string> Terms(std::string_view text) {
  std::set<std::string> out;
  for (const Token& t : Tokenize(text)) out.insert(t.term);
  return out;
}

bool HasTerm(std::string_view text, const std::string& term) { return Terms(text).count(term) > 0; }

// What the index does, in miniature: the query's tokens must all occur in the
// text's tokens at the same relative positions.
bool Finds(std::string_view text, std::string_view query) {
  std::map<std::string, std::set<uint32_t>> index;
  for (const Token& t : Tokenize(text)) index[t.term].insert(t.position);
  std::vector<Token> q = TokenizeQuery(query);
  if (q.empty()) return false;
  for (uint32_t start : index[q[0].term]) {
    if (start < q[0].position) continue;
    bool all = std::all_of(q.begin(), q.end(), [&](const Token& t) {
      return index[t.term].count(start - q[0].position + t.position) > 0;
    });
    if (all) return true;
  }
  return false;
}

TEST(Tokenizer, LatinWordsAreLowercasedWithOffsets) {
  std::vector<Token> t = Tokenize("Hello, Wörld!");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].term, "hello");
  EXPECT_EQ(t[0].position, 0u);
  EXPECT_EQ(t[0].begin, 0u);
  EXPECT_EQ(t[0].end, 5u);
  EXPECT_EQ(t[1].term, "world");
  EXPECT_EQ(t[1].position, 1u);
  EXPECT_EQ(t[1].begin, 7u);
  EXPECT_EQ(t[1].end, 13u);  // ö is two bytes
  EXPECT_TRUE(Tokenize("  ... !!! ").empty());
  EXPECT_TRUE(Tokenize("").empty());
}

TEST(Tokenizer, Chinese) {
  const char* text = "我们在北京工作。";
  EXPECT_TRUE(Finds(text, "北京"));
  EXPECT_TRUE(Finds(text, "在北京工作"));
  EXPECT_TRUE(Finds(text, "工作"));
  EXPECT_TRUE(Finds(text, "京"));  // a single character
  EXPECT_TRUE(Finds(text, "北京 工作"));
  EXPECT_FALSE(Finds(text, "上海"));
  EXPECT_FALSE(Finds(text, "北工"));
  // One position per character: bigram i at position i.
  std::vector<Token> q = TokenizeQuery("北京工作");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].term, "北京");
  EXPECT_EQ(q[2].term, "工作");
  EXPECT_EQ(q[2].position, 2u);
}

TEST(Tokenizer, Japanese) {
  const char* text = "東京タワーに行きました";
  EXPECT_TRUE(Finds(text, "東京"));
  EXPECT_TRUE(Finds(text, "タワー"));
  EXPECT_TRUE(Finds(text, "東京タワー"));
  EXPECT_TRUE(Finds(text, "行きました"));
  EXPECT_TRUE(Finds(text, "ﾀﾜｰ"));  // half-width katakana folds to full width
  EXPECT_FALSE(Finds(text, "大阪"));
  // Voicing marks change the letter: が is not か.
  EXPECT_FALSE(Finds("かき", "がき"));
  EXPECT_TRUE(Finds("ガギ", "ｶﾞｷﾞ"));
}

TEST(Tokenizer, Korean) {
  const char* text = "서울에서 만나요";
  EXPECT_TRUE(Finds(text, "서울"));  // the noun without its particle
  EXPECT_TRUE(Finds(text, "만나요"));
  EXPECT_TRUE(Finds(text, "서울에서 만나요"));
  EXPECT_FALSE(Finds(text, "부산"));
}

TEST(Tokenizer, ArabicDiacriticsAndLetterVariants) {
  EXPECT_TRUE(Finds("مُحَمَّد", "محمد"));           // harakat
  EXPECT_TRUE(Finds("مـحـمـد", "محمد"));             // tatweel
  EXPECT_TRUE(Finds("أحمد إبراهيم آمن", "احمد ابراهيم امن"));  // hamza and madda on alef
  EXPECT_TRUE(Finds("المدرسة", "المدرسه"));          // teh marbuta
  EXPECT_TRUE(Finds("مرحبا بالعالم", "مرحبا"));
  EXPECT_TRUE(Finds("السعر ٣٠ دولار", "30"));        // Arabic-Indic digits
  EXPECT_FALSE(Finds("مرحبا", "محمد"));
}

TEST(Tokenizer, AccentedLatin) {
  EXPECT_TRUE(Finds("Die Straße ist schön", "strasse ist schon"));
  EXPECT_TRUE(Finds("Café crème à l'École", "cafe creme"));
  EXPECT_TRUE(Finds("Café crème à l'École", "ecole"));
  EXPECT_TRUE(Finds("naïve façade", "NAIVE FACADE"));
  EXPECT_TRUE(Finds("Łódź", "lodz"));
  EXPECT_TRUE(Finds("Œuvre", "oeuvre"));
  EXPECT_TRUE(Finds("resume", "résumé"));  // folding works from the query side too
  EXPECT_TRUE(HasTerm("ÉCOLE", "ecole"));
  EXPECT_FALSE(HasTerm("ÉCOLE", "école"));  // only the folded form is indexed
}

TEST(Tokenizer, CyrillicAndGreekCase) {
  EXPECT_TRUE(Finds("ПРИВЕТ Мир", "привет мир"));
  EXPECT_TRUE(HasTerm("МОСКВА", "москва"));
  EXPECT_TRUE(Finds("ΣΟΦΟΣ", "σοφος"));  // final sigma folds like sigma
}

TEST(Tokenizer, OtherScripts) {
  EXPECT_TRUE(Finds("ภาษาไทยง่ายนิดเดียว", "ไทย"));  // Thai by dictionary
  EXPECT_TRUE(HasTerm("हिंदी भाषा", "हिंदी"));         // Devanagari signs are kept
  EXPECT_TRUE(Finds("ＡＢＣ１２３", "abc123"));        // full-width forms
}

TEST(Tokenizer, EmojiMakeNoTokensAndDoNotBreakWords) {
  EXPECT_EQ(Terms("I ❤️ pizza 🍕👨‍👩‍👧 🏳️‍🌈"), (std::set<std::string>{"i", "pizza"}));
  EXPECT_TRUE(Finds("deploy🚀done", "deploy"));
  EXPECT_TRUE(Tokenize("😀😀😀").empty());
}

TEST(Tokenizer, SnakeCase) {
  std::set<std::string> terms = Terms("max_new_tokens");
  EXPECT_EQ(terms, (std::set<std::string>{"max", "new", "tokens", "max_new_tokens"}));
  EXPECT_TRUE(Finds("call max_new_tokens=5", "max_new_tokens"));
  EXPECT_TRUE(Finds("call max_new_tokens=5", "new_tokens"));
  EXPECT_TRUE(Finds("call max_new_tokens=5", "tokens"));
  EXPECT_TRUE(Finds("__init__", "init"));
}

TEST(Tokenizer, CamelCase) {
  EXPECT_EQ(Terms("camelCase"), (std::set<std::string>{"camel", "case", "camelcase"}));
  EXPECT_EQ(Terms("HTTPServer"), (std::set<std::string>{"http", "server", "httpserver"}));
  EXPECT_TRUE(Finds("getUserById(42)", "user"));
  EXPECT_TRUE(Finds("getUserById(42)", "getUserById"));
  EXPECT_TRUE(Finds("getUserById(42)", "getuserbyid"));  // typed in lower case
  EXPECT_TRUE(Finds("getUserById(42)", "UserById"));
  // Base64-like noise is not split into dozens of pieces.
  EXPECT_EQ(Terms("aGVsbG8gV29ybGQgaGVsbG8gV29ybGQgaGVsbG8gV29ybGQ").size(), 1u);
}

TEST(Tokenizer, DottedNames) {
  EXPECT_EQ(Terms("os.path.join"), (std::set<std::string>{"os", "path", "join", "os.path.join"}));
  EXPECT_TRUE(Finds("import os.path.join", "path.join"));
  EXPECT_TRUE(Finds("metadata.model_name", "model_name"));
  EXPECT_TRUE(Finds("std::vector<int>", "std::vector"));
  EXPECT_TRUE(HasTerm("std::vector<int>", "std::vector"));
}

TEST(Tokenizer, EmailAddresses) {
  const char* text = "mail John.Doe@Example.com.";
  std::set<std::string> terms = Terms(text);
  for (const char* t : {"john", "doe", "example", "com", "john.doe", "example.com",
                        "john.doe@example.com"}) {
    EXPECT_TRUE(terms.count(t)) << t;
  }
  EXPECT_TRUE(Finds(text, "john.doe@example.com"));
  EXPECT_TRUE(Finds(text, "example.com"));
  EXPECT_TRUE(Finds(text, "john"));
  EXPECT_FALSE(Finds(text, "jane.doe@example.com"));
}

TEST(Tokenizer, Urls) {
  const char* text = "see https://docs.example.com/guide/getting-started?lang=en.";
  std::set<std::string> terms = Terms(text);
  EXPECT_TRUE(terms.count("https://docs.example.com/guide/getting-started?lang=en"));
  EXPECT_TRUE(terms.count("docs.example.com"));
  EXPECT_TRUE(Finds(text, "https://docs.example.com/guide/getting-started?lang=en"));
  EXPECT_TRUE(Finds(text, "example.com"));
  EXPECT_TRUE(Finds(text, "getting started"));
  EXPECT_TRUE(Finds(text, "getting-started"));
  EXPECT_TRUE(Finds(text, "example.com/guide"));
  EXPECT_FALSE(Finds(text, "example.org"));
}

TEST(Tokenizer, ModelNamesAndVersions) {
  EXPECT_TRUE(Finds("model: gpt-4o-mini", "gpt-4o-mini"));
  EXPECT_TRUE(Finds("model: gpt-4o-mini", "gpt-4o"));
  EXPECT_TRUE(HasTerm("model: gpt-4o-mini", "gpt-4o-mini"));
  EXPECT_TRUE(Finds("claude-3-5-sonnet-20241022", "sonnet"));
  EXPECT_TRUE(Finds("release v1.2.3", "v1.2.3"));
}

TEST(Tokenizer, NumbersStayWhole) {
  std::set<std::string> terms = Terms("pi is 3.14, year 2024, total 1,000.");
  EXPECT_TRUE(terms.count("3.14"));
  EXPECT_TRUE(terms.count("2024"));
  EXPECT_TRUE(terms.count("1,000"));
  EXPECT_FALSE(terms.count("14"));
  EXPECT_TRUE(Finds("pi is 3.14", "3.14"));
  EXPECT_FALSE(Finds("pi is 3.14", "314"));
}

// ASCII chunks take a fast path, others go through ICU; an accent must not
// change how an identifier is cut.
TEST(Tokenizer, AsciiAndIcuPathsCutAlike) {
  for (const char* id : {"snake_case", "camelCase", "HTTPServer", "os.path.join", "it's",
                         "user@example.com", "gpt-4o-mini", "a_b.c@d-e/f", "3.14", "v1.2.3"}) {
    std::string ascii = std::string("cafe ") + id;
    std::string accented = std::string("café ") + id;
    EXPECT_EQ(Terms(ascii), Terms(accented)) << id;
    std::set<std::string> want = Terms(id);
    want.insert("e");
    EXPECT_EQ(Terms(std::string("é,") + id), want) << id;  // one chunk, through ICU
  }
}

// Differential: random ASCII chunks of letters, digits and punctuation give
// the same tokens (terms, kinds, relative positions and offsets) on the ASCII
// fast path as through ICU (forced by a non-ASCII prefix in the same chunk).
// '_' and '@' are left out: runs of them next to connectors still cut
// differently on the two paths (e.g. "z?_" makes the compound "z?_" only on
// the ASCII path); aligning that changes tokens, so it waits for tokenizer v2.
TEST(Tokenizer, AsciiPathMatchesIcuOnRandomChunks) {
  using Key = std::tuple<uint32_t, std::string, TokenKind, uint32_t, uint32_t>;
  auto keys = [](const std::vector<Token>& tokens, uint32_t shift, uint32_t skip) {
    std::vector<Key> out;
    for (const Token& t : tokens) {
      if (t.begin < skip) continue;  // the prefix's own token
      out.emplace_back(t.position - shift, t.term, t.kind, t.begin - skip, t.end - skip);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::string alphabet = "abcXYZ019.'-/:,;+#~=&?%\\\"()[]{}<>!*$^|`";
  std::mt19937 rng(29);
  for (int n = 0; n < 10000; ++n) {
    std::string chunk;
    for (size_t i = 0, len = 1 + rng() % 12; i < len; ++i) chunk += alphabet[rng() % alphabet.size()];
    const std::string prefixed = "\xc3\xa9\x01" + chunk;  // "é", a control char, the chunk
    ASSERT_EQ(keys(Tokenize(chunk), 0, 0), keys(Tokenize(prefixed), 1, 3)) << chunk;
  }
}

TEST(Tokenizer, QueryKeepsOnlyWords) {
  for (const Token& t : TokenizeQuery("snake_case user@example.com 北京 东")) {
    EXPECT_EQ(t.kind, TokenKind::kWord) << t.term;
  }
  std::vector<Token> q = TokenizeQuery("snake_case");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].term, "snake");
  EXPECT_EQ(q[1].position, q[0].position + 1);
}

TEST(Tokenizer, PositionsPerTermIncrease) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "a.b a_b aB 北京 a-b-a.b ";
  // Found by tokenizer_fuzz: a compound whose soft hyphen and diacritic fold
  // away equals its first word; it must not repeat that word's position.
  const std::string folded_compound = "\xd8\xa3\xc2\xad\xd9\x8e\xd9\xd8\xaf\x91 \xd8\xa3\xc2\xad";
  for (const std::string& s : {text, folded_compound}) {
    std::map<std::string, uint32_t> last;
    Tokenize(s, [&](const Token& t) {
      auto it = last.find(t.term);
      if (it != last.end()) {
        EXPECT_LT(it->second, t.position) << t.term;
      }
      last[t.term] = t.position;
    });
  }
}

bool ValidUtf8(const std::string& s) {
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c < 0) return false;
  }
  return true;
}

TEST(Tokenizer, InvalidUtf8IsASeparator) {
  EXPECT_EQ(Terms("ab\xff" "cd \xc3 ef \xe4\xb8 gh\xed\xa0\x80"),
            (std::set<std::string>{"ab", "cd", "ef", "gh"}));
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string s(1 + rng() % 300, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? 'a' + rng() % 26 : rng() % 256);
    for (const Token& t : Tokenize(s)) {
      ASSERT_TRUE(ValidUtf8(t.term));
      ASSERT_LE(t.end, s.size());
      ASSERT_LT(t.begin, t.end);
      ASSERT_LE(t.term.size(), kMaxTermBytes);
    }
  }
}

TEST(Tokenizer, LongInput) {
  std::string text;
  while (text.size() < (1u << 20)) text += "The quick brown fox_jumps over the lazyDog 北京 3.14. ";
  size_t count = 0;
  uint32_t last_pos = 0;
  Tokenize(text, [&](const Token& t) {
    ++count;
    last_pos = std::max(last_pos, t.position);
  });
  EXPECT_GT(count, 150000u);
  EXPECT_GT(last_pos, 150000u);
  // One huge word is dropped, not indexed as a 1 MB term.
  EXPECT_TRUE(Tokenize(std::string(1 << 20, 'x')).empty());
}

}  // namespace
}  // namespace spanlake::index
