// Damaged bytes must give Status::Corruption, never a crash: the Roaring
// validator, then every single-byte mutation and truncation of an index,
// with the checksum on (it must catch all) and rewritten (the grammar checks
// and decoders meet the damage). Run under ASan.
#include <gtest/gtest.h>

#include "index/index_builder.h"
#include "index/postings_reader.h"
#include "index/roaring_check.h"

namespace spanlake::index {
namespace {

std::string Serialize(const Roaring& r) {
  std::string out(r.getSizeInBytes(true), '\0');
  r.write(out.data(), true);
  return out;
}

TEST(RoaringCheck, AcceptsWhatCRoaringWrites) {
  Roaring array, bitset, runs;
  for (uint32_t i = 0; i < 100; ++i) array.add(i * 7 + 70000);
  for (uint32_t i = 0; i < 10000; ++i) bitset.add(i * 3);
  runs.addRange(5, 60000);
  runs.addRange(200000, 200100);
  runs.runOptimize();
  for (const Roaring* r : {&array, &bitset, &runs}) {
    Result<RoaringShape> shape = ValidatePortableRoaring(Serialize(*r));
    ASSERT_TRUE(shape.ok()) << shape.status().ToString();
    EXPECT_EQ(shape->cardinality, r->cardinality());
    EXPECT_EQ(shape->max_value, r->maximum());
  }
}

TEST(RoaringCheck, RejectsBrokenInvariants) {
  Roaring array;
  array.add(3);
  array.add(9);
  std::string bytes = Serialize(array);  // no-run cookie: 4 + 4 + 4 + 4 + 2 * 2 bytes
  ASSERT_EQ(bytes.size(), 20u);
  std::string swapped = bytes;
  std::swap(swapped[16], swapped[18]);  // values 9, 3
  EXPECT_NE(ValidatePortableRoaring(swapped).status().message().find("not increasing"),
            std::string::npos);
  EXPECT_NE(ValidatePortableRoaring(bytes + "x").status().message().find("trailing"),
            std::string::npos);
  EXPECT_FALSE(ValidatePortableRoaring(bytes.substr(0, 19)).ok());
  EXPECT_FALSE(ValidatePortableRoaring("").ok());

  Roaring run;
  run.addRange(65000, 65536);
  run.runOptimize();
  std::string r = Serialize(run);  // cookie(4) flags(1) key,card(4) n_runs(2) start,len(4)
  ASSERT_EQ(r.size(), 15u);
  std::string past = r;
  past[13] = static_cast<char>(0xFF);  // length - 1 = 0xFFFF: past 65535
  past[14] = static_cast<char>(0xFF);
  EXPECT_NE(ValidatePortableRoaring(past).status().message().find("past 65535"), std::string::npos);
  std::string card = r;
  card[7] = 0;  // header cardinality no longer matches the run
  EXPECT_NE(ValidatePortableRoaring(card).status().message().find("header says"), std::string::npos);
}

std::string SampleIndex() {
  IndexBuilder b;
  for (uint32_t doc = 0; doc < 80; ++doc) {
    EXPECT_TRUE(b.Add(doc, "input", "span number " + std::to_string(doc % 7) + " ok").ok());
    if (doc % 5 == 0) {
      EXPECT_TRUE(b.Add(doc, "output", "北京 snake_case user@example.com").ok());
    }
  }
  return b.Finish();
}

// Exercises every read path; statuses may be errors but only Corruption.
void ReadEverything(std::string_view bytes) {
  Result<PostingsReader> r = PostingsReader::Open(bytes);
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), Code::kCorruption) << r.status().ToString();
    return;
  }
  auto check = [](const Status& s) {
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Code::kCorruption) << s.ToString();
    }
  };
  check(r->Verify());
  for (const char* term : {"span", "ok", "3", "snake_case", "北京", "zzz", "a"}) {
    check(r->Docs(term).status());
    check(r->Docs(term, "output").status());
  }
  static const std::vector<std::vector<Token>> phrases = [] {
    std::vector<std::vector<Token>> out;
    for (const char* q : {"span number", "number 3 ok", "北京", "snake_case", "user@example.com"}) {
      out.push_back(TokenizeQuery(q));
    }
    return out;
  }();
  for (const std::vector<Token>& p : phrases) check(r->Phrase(p).status());
  check(r->TermsWithPrefix("s", 100).status());
}

TEST(Corruption, EveryByteFlipIsCaughtByTheChecksum) {
  const std::string good = SampleIndex();
  ASSERT_TRUE(PostingsReader::Open(good).ok());
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x10;
    Result<PostingsReader> r = PostingsReader::Open(bad);
    ASSERT_FALSE(r.ok()) << "flip at " << i;
    ASSERT_EQ(r.status().code(), Code::kCorruption);
  }
}

TEST(Corruption, EveryTruncationIsRejected) {
  const std::string good = SampleIndex();
  for (size_t n = 0; n < good.size(); ++n) {
    Result<PostingsReader> r = PostingsReader::Open(std::string_view(good).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n;
    ASSERT_EQ(r.status().code(), Code::kCorruption);
  }
}

TEST(Corruption, MutationsPastTheChecksumNeverCrash) {
  const std::string good = SampleIndex();
  ASSERT_LT(good.size(), 2000u);  // keeps this test quick under ASan
  ReadEverything(good);
  const char patterns[] = {0x01, static_cast<char>(0xFF)};  // a small and a large change
  for (size_t i = 0; i + format::kFooterSize / 2 < good.size(); ++i) {
    for (char p : patterns) {
      std::string bad = good;
      bad[i] = p == static_cast<char>(0xFF) ? p : static_cast<char>(bad[i] ^ p);
      format::RewriteChecksum(&bad);
      ReadEverything(bad);
    }
  }
  // Cut the body and keep a valid footer: offsets then point past the data.
  const std::string footer = good.substr(good.size() - format::kFooterSize);
  for (size_t n = 0; n + format::kFooterSize < good.size(); n += 7) {
    std::string bad = good.substr(0, n) + footer;
    format::RewriteChecksum(&bad);
    ReadEverything(bad);
  }
}

}  // namespace
}  // namespace spanlake::index
