#include "io/s3_xml.h"

#include <gtest/gtest.h>

namespace spanlake::io::s3xml {
namespace {

constexpr char kPage[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>p/a&amp;b &lt;1&gt;</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>p/&#xFC;&#252;</Key><Size>0</Size></Contents>
  <NextContinuationToken>tok/+=</NextContinuationToken>
</ListBucketResult>)";

TEST(S3Xml, ParsesAListPage) {
  auto page = ParseListObjectsV2(kPage);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0], (ObjectInfo{"p/a&b <1>", 123}));
  EXPECT_EQ(page->objects[1], (ObjectInfo{"p/\xc3\xbc\xc3\xbc", 0}));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "tok/+=");
}

TEST(S3Xml, ParsesAnEmptyLastPage) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
      "<Prefix/></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->truncated);
}

TEST(S3Xml, RejectsMalformedPages) {
  EXPECT_EQ(ParseListObjectsV2("<Error><Code>AccessDenied</Code></Error>").status().code(),
            Code::kCorruption);
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>x1</Size>"
                                  "</Contents></ListBucketResult>").ok());
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key></Contents>"
                                  "</ListBucketResult>").ok());
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                  "</ListBucketResult>").ok());
}

TEST(S3Xml, SurvivesTruncatedAndHostileInput) {
  for (std::string_view s : {"<", "<Key", "<Key>", "<Key>abc", "<Key/", "&", "&#;", "&#x;",
                             "&#99999999999;", "&#x110000;", "<Key>&amp</Key>", "</Key><Key>"}) {
    (void)ElementTexts(s, "Key");
    (void)Unescape(s);
    (void)ParseListObjectsV2(s);
  }
  EXPECT_EQ(Unescape("&amp"), "&amp");  // unterminated: kept as written
  EXPECT_EQ(Unescape("a&bogus;b"), "a&bogus;b");
  EXPECT_EQ(Unescape("&#x41;&#66;&apos;"), "AB'");
}

TEST(S3Xml, RandomFragmentsNeverCrash) {
  // Deterministic soup of the tokens the parser looks for (ASan checks the bounds).
  const std::vector<std::string> tokens = {"<", ">", "/", "&", ";", "#x", "#", "amp", "1F",
                                           "<Key>", "</Key>", "<Size>", "</Size>", "<Contents>",
                                           "</Contents>", "<ListBucketResult>", "<Key/>", "9"};
  uint32_t x = 12345;
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    int n = static_cast<int>(i % 24);
    for (int j = 0; j < n; ++j) {
      x = x * 1103515245u + 12345u;
      s += tokens[(x >> 16) % tokens.size()];
    }
    auto page = ParseListObjectsV2(s);
    if (page.ok()) {
      for (const auto& o : page->objects) EXPECT_FALSE(o.key.empty());
    }
  }
}

TEST(S3Xml, MatchesWholeTagNamesOnly) {
  std::string_view xml = "<KeyCount>3</KeyCount><Key>k</Key><Key/><Key a=\"1\">v</Key>";
  auto texts = ElementTexts(xml, "Key");
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], "k");
  EXPECT_EQ(texts[1], "");
  EXPECT_EQ(texts[2], "v");
  EXPECT_EQ(FirstText("<UploadId>id&amp;1</UploadId>", "UploadId"), "id&1");
  EXPECT_EQ(FirstText("<Other/>", "UploadId"), "");
}

TEST(S3Xml, BuildsTheCompleteMultipartBody) {
  EXPECT_EQ(CompleteMultipartBody({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(Escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

}  // namespace
}  // namespace spanlake::io::s3xml
