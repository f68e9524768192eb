#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "index/index_builder.h"
#include "index/postings_reader.h"

namespace spanlake::index {
namespace {

using Docs = std::set<uint32_t>;

Docs ToSet(const Roaring& r) {
  Docs out;
  for (uint32_t d : r) out.insert(d);
  return out;
}

// Builds from (doc, field, text) triples and opens a reader over the bytes.
class Index {
 public:
  explicit Index(const std::vector<std::tuple<uint32_t, std::string, std::string>>& rows) {
    IndexBuilder b;
    for (const auto& [doc, field, text] : rows) EXPECT_TRUE(b.Add(doc, field, text).ok());
    bytes_ = b.Finish();
    Result<PostingsReader> r = PostingsReader::Open(bytes_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) reader_.emplace(std::move(r).value());
  }
  const PostingsReader& reader() const { return *reader_; }
  const std::string& bytes() const { return bytes_; }

  Docs Term(std::string_view term, PostingsReader::FieldFilter field = std::nullopt) const {
    Result<Roaring> r = reader_->Docs(term, field);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? ToSet(*r) : Docs{};
  }
  Docs Match(std::string_view query, PostingsReader::FieldFilter field = std::nullopt) const {
    Result<Roaring> r = reader_->Match(query, field);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? ToSet(*r) : Docs{};
  }

 private:
  std::string bytes_;
  std::optional<PostingsReader> reader_;
};

// AddTokens may give one doc's positions out of order and repeated; the
// builder sorts them, drops repeats, and keeps each doc's count right when a
// term's next doc starts.
TEST(Postings, AddTokensOutOfOrderAcrossDocs) {
  auto tok = [](const char* term, uint32_t pos) { return Token{term, pos, 0, 1, TokenKind::kWord}; };
  IndexBuilder b;
  ASSERT_TRUE(b.AddTokens(0, "f", {tok("a", 3), tok("b", 1), tok("a", 1), tok("a", 3), tok("b", 2)}).ok());
  ASSERT_TRUE(b.AddTokens(0, "g", {tok("a", 5)}).ok());
  ASSERT_TRUE(b.AddTokens(2, "f", {tok("a", 0), tok("b", 1)}).ok());
  EXPECT_EQ(b.num_postings(), 3u);  // (a, f), (b, f), (a, g)
  std::string bytes = b.Finish();
  Result<PostingsReader> r = PostingsReader::Open(bytes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->Verify().ok());
  auto phrase = [&](std::vector<Token> p, PostingsReader::FieldFilter f = std::nullopt) {
    Result<Roaring> docs = r->Phrase(p, f);
    EXPECT_TRUE(docs.ok()) << docs.status().ToString();
    return docs.ok() ? ToSet(*docs) : Docs{};
  };
  EXPECT_EQ(phrase({tok("a", 0), tok("b", 1)}), (Docs{0, 2}));  // a@1 b@2 in doc 0
  EXPECT_EQ(phrase({tok("b", 0), tok("a", 1)}), (Docs{0}));     // b@2 a@3
  EXPECT_EQ(phrase({tok("a", 0), tok("a", 1)}), Docs{});        // no a at consecutive positions
  EXPECT_EQ(phrase({tok("a", 0)}, "g"), Docs{0});
  EXPECT_EQ(phrase({tok("b", 0)}, "g"), Docs{});
}

TEST(Postings, TermsFieldsAndPhrases) {
  Index idx({{0, "input", "What is the capital of France?"},
             {0, "output", "Paris is the capital of France."},
             {1, "input", "capital gains tax"},
             {1, "metadata.model", "gpt-4o-mini"},
             {2, "output", "The France capital"},
             {2, "metadata.user", "john.doe@example.com"}});
  const PostingsReader& r = idx.reader();
  EXPECT_EQ(r.doc_limit(), 3u);
  EXPECT_EQ(r.tokenizer_version(), kTokenizerVersion);
  EXPECT_EQ(r.fields().size(), 4u);
  EXPECT_EQ(idx.Term("capital"), (Docs{0, 1, 2}));
  EXPECT_EQ(idx.Term("capital", "input"), (Docs{0, 1}));
  EXPECT_EQ(idx.Term("capital", "output"), (Docs{0, 2}));
  EXPECT_EQ(idx.Term("capital", "nope"), Docs{});
  EXPECT_EQ(idx.Term("paris"), Docs{0});
  EXPECT_EQ(idx.Term("absent"), Docs{});
  EXPECT_EQ(idx.Term("gpt-4o-mini"), Docs{1});          // a compound
  EXPECT_EQ(idx.Term("mini", "metadata"), Docs{1});      // "metadata" covers metadata.*
  EXPECT_EQ(idx.Term("mini", "metadata.model"), Docs{1});
  EXPECT_EQ(idx.Term("mini", "metadata.mod"), Docs{});   // not a path prefix
  EXPECT_EQ(idx.Match("capital of France"), (Docs{0}));
  EXPECT_EQ(idx.Match("capital of France", "output"), (Docs{0}));
  EXPECT_EQ(idx.Match("france capital"), (Docs{2}));
  EXPECT_EQ(idx.Match("FRANCE"), (Docs{0, 2}));
  EXPECT_EQ(idx.Match("example.com", "metadata"), (Docs{2}));
  EXPECT_EQ(idx.Match("capital tax"), Docs{});  // not adjacent
  EXPECT_EQ(idx.Match("?!"), Docs{});
  EXPECT_FALSE(r.Phrase({}).ok());
  EXPECT_TRUE(r.Verify().ok());
}

TEST(Postings, PhraseNeedsOneFieldAndOneValue) {
  Index idx({{0, "input", "new"}, {0, "output", "york"},
             {1, "input", "new"}, {1, "input", "york"},  // two values of one field
             {2, "input", "new york new york"}});
  EXPECT_EQ(idx.Match("new york"), Docs{2});
  EXPECT_EQ(idx.Match("york new york"), Docs{2});
  EXPECT_EQ(idx.Term("york"), (Docs{0, 1, 2}));
}

TEST(Postings, CjkPhrase) {
  Index idx({{0, "output", "我们在北京工作"}, {1, "output", "北京大学"}, {2, "output", "东京"}});
  EXPECT_EQ(idx.Match("北京"), (Docs{0, 1}));
  EXPECT_EQ(idx.Match("在北京工作"), Docs{0});
  EXPECT_EQ(idx.Match("京"), (Docs{0, 1, 2}));
  EXPECT_EQ(idx.Match("北京工业"), Docs{});
}

TEST(Postings, TermsWithPrefix) {
  Index idx({{0, "f", "alpha alphabet alpine beta"}, {1, "f", "alps"}});
  Result<std::vector<std::string>> t = idx.reader().TermsWithPrefix("alp", 10);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, (std::vector<std::string>{"alpha", "alphabet", "alpine", "alps"}));
  t = idx.reader().TermsWithPrefix("alp", 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size(), 2u);
  t = idx.reader().TermsWithPrefix("zzz", 10);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->empty());
}

TEST(Postings, EmptyIndex) {
  Index idx({});
  EXPECT_EQ(idx.reader().num_terms(), 0u);
  EXPECT_EQ(idx.reader().doc_limit(), 0u);
  EXPECT_EQ(idx.Term("x"), Docs{});
  EXPECT_EQ(idx.Match("x y"), Docs{});
  EXPECT_TRUE(idx.reader().Verify().ok());
}

TEST(Postings, BuilderRejectsBadInput) {
  IndexBuilder b;
  EXPECT_TRUE(b.Add(5, "input", "x").ok());
  Status s = b.Add(4, "input", "y");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("must not decrease"), std::string::npos) << s.message();
  EXPECT_EQ(b.Add(6, "", "y").code(), Code::kInvalidArgument);
  EXPECT_EQ(b.Add(UINT32_MAX, "input", "y").code(), Code::kInvalidArgument);
  EXPECT_TRUE(b.Add(5, "input", "z").ok());  // same doc again is fine
}

// Against a brute-force model: many docs (Roaring and varint doc sets, skip
// tables) and random phrases from a small vocabulary, so phrases do hit.
TEST(Postings, AgreesWithBruteForce) {
  std::mt19937 rng(42);
  const std::vector<std::string> vocab = {"a", "b", "c", "d", "e", "f", "g", "h", "snake_case", "北京"};
  const std::vector<std::string> fields = {"input", "output", "metadata.x"};
  std::map<std::pair<uint32_t, std::string>, std::vector<std::string>> texts;
  std::vector<std::tuple<uint32_t, std::string, std::string>> rows;
  for (uint32_t doc = 0; doc < 3000; doc += 1 + rng() % 3) {
    for (int k = 0; k < 2; ++k) {
      std::string text;
      size_t len = 1 + rng() % 12;
      // Skew: low words are frequent, so some doc sets are dense.
      for (size_t i = 0; i < len; ++i) text += vocab[std::min(rng() % 10, rng() % 10)] + " ";
      const std::string& field = fields[rng() % fields.size()];
      rows.emplace_back(doc, field, text);
      texts[{doc, field}].push_back(text);
    }
  }
  Index idx(rows);
  ASSERT_TRUE(idx.reader().Verify().ok());
  auto contains = [](const std::string& hay, const std::string& needle) {
    return (" " + hay).find(" " + needle + " ") != std::string::npos;
  };
  for (int q = 0; q < 300; ++q) {
    std::string phrase;
    size_t len = 1 + rng() % 3;
    for (size_t i = 0; i < len; ++i) phrase += (i ? " " : "") + vocab[rng() % 6];
    std::optional<std::string> field;
    if (rng() % 2) field = rng() % 2 ? "metadata" : fields[rng() % 2];
    Docs want;
    for (const auto& [key, values] : texts) {
      bool in_field = !field || key.second == *field || key.second.starts_with(*field + ".");
      for (const std::string& v : values) {
        if (in_field && contains(v, phrase)) want.insert(key.first);
      }
    }
    EXPECT_EQ(idx.Match(phrase, field), want) << phrase << " in " << field.value_or("*");
  }
}

TEST(Postings, OpenRejectsDamageWithClearErrors) {
  Index idx({{0, "input", "hello world"}, {1, "output", "hello there"}});
  std::string bytes = idx.bytes();
  auto error = [](std::string_view b) {
    Result<PostingsReader> r = PostingsReader::Open(b);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kCorruption);
    return r.status().message();
  };
  EXPECT_NE(error(bytes.substr(0, 10)).find("shorter than"), std::string::npos);
  EXPECT_NE(error(bytes.substr(0, bytes.size() - 1)).find("magic"), std::string::npos);
  std::string flipped = bytes;
  flipped[3] ^= 0x40;
  EXPECT_NE(error(flipped).find("checksum mismatch"), std::string::npos);
  std::string version = bytes;
  version[version.size() - 16] = 9;
  EXPECT_NE(error(version).find("version 9"), std::string::npos);
  // With the checksum rewritten, the grammar checks still catch a bad region.
  std::string offsets = bytes;
  offsets[offsets.size() - format::kFooterSize] = static_cast<char>(0xFF);
  format::RewriteChecksum(&offsets);
  EXPECT_NE(error(offsets).find("regions"), std::string::npos);
}

}  // namespace
}  // namespace spanlake::index
