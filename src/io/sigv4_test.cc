// The signer against AWS's published examples: the worked S3 examples of
// "Authenticating Requests: Using the Authorization Header (AWS Signature
// Version 4)" in the S3 API reference, the signing-key derivation example of
// the general SigV4 docs, and two cases of AWS's SigV4 test suite. The
// expected values are AWS's; only the test code is ours.
#include "io/sigv4.h"

#include <gtest/gtest.h>

namespace spanlake::io::sigv4 {
namespace {

// The S3 examples: bucket "examplebucket", 24 May 2013, us-east-1.
const Credentials kS3Creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr char kS3Date[] = "20130524T000000Z";
constexpr char kS3Host[] = "examplebucket.s3.amazonaws.com";
constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string SignatureOf(const std::string& authorization) {
  size_t at = authorization.find("Signature=");
  return at == std::string::npos ? "" : authorization.substr(at + 10);
}

Request S3Get(std::string path, Pairs query, Pairs extra = {}) {
  Request r{"GET", std::move(path), std::move(query), {}, kEmptyHash};
  r.headers = {{"Host", kS3Host}, {"x-amz-date", kS3Date}, {"x-amz-content-sha256", kEmptyHash}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  return r;
}

TEST(SigV4, S3GetObjectExample) {
  Request r = S3Get("/test.txt", {}, {{"Range", "bytes=0-9"}});
  EXPECT_EQ(CanonicalRequest(r),
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "range:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(kS3Date, "us-east-1", "s3", CanonicalRequest(r)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Authorization(kS3Creds, kS3Date, "us-east-1", "s3", r),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3PutObjectExample) {
  std::string hash = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  Request r{"PUT", "/test" + UriEncode("$file.text", true), {}, {}, hash};
  r.headers = {{"Host", kS3Host},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", kS3Date},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", hash}};
  EXPECT_EQ(r.encoded_path, "/test%24file.text");
  EXPECT_EQ(SignedHeaders(r), "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(SignatureOf(Authorization(kS3Creds, kS3Date, "us-east-1", "s3", r)),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, S3GetBucketLifecycleExample) {
  // A valueless query parameter ("?lifecycle") is signed as "lifecycle=".
  Request r = S3Get("/", {{"lifecycle", ""}});
  EXPECT_EQ(SignatureOf(Authorization(kS3Creds, kS3Date, "us-east-1", "s3", r)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, S3ListObjectsExample) {
  // Given out of order: the canonical query is sorted.
  Request r = S3Get("/", {{"prefix", "J"}, {"max-keys", "2"}});
  EXPECT_EQ(CanonicalQuery(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(SignatureOf(Authorization(kS3Creds, kS3Date, "us-east-1", "s3", r)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, DerivesTheDocumentedSigningKey) {
  EXPECT_EQ(Hex(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1",
                           "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

// AWS SigV4 test suite: service "service", 30 Aug 2015 12:36:00 UTC.
TEST(SigV4, TestSuiteGetVanillaAndQueryOrder) {
  const Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  Request r{"GET", "/", {}, {}, kEmptyHash};
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  std::string auth = Authorization(creds, "20150830T123600Z", "us-east-1", "service", r);
  EXPECT_EQ(SignatureOf(auth), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_NE(auth.find("SignedHeaders=host;x-amz-date,"), std::string::npos);

  r.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  EXPECT_EQ(SignatureOf(Authorization(creds, "20150830T123600Z", "us-east-1", "service", r)),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, UriEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UriEncode("A-z_0.9~", false), "A-z_0.9~");
  EXPECT_EQ(UriEncode("a b+c=d&e", false), "a%20b%2Bc%3Dd%26e");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("a/b", true), "a/b");
  EXPECT_EQ(UriEncode("!'()*$", true), "%21%27%28%29%2A%24");
  EXPECT_EQ(UriEncode("\xc3\xbc", true), "%C3%BC");  // UTF-8 bytes, uppercase hex
  EXPECT_EQ(UriEncode("100%", true), "100%25");
}

TEST(SigV4, CanonicalQueryEncodesThenSorts) {
  EXPECT_EQ(CanonicalQuery({}), "");
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"uploadId", "a/b+c=="}, {"partNumber", "2"}}),
            "partNumber=2&uploadId=a%2Fb%2Bc%3D%3D");
  EXPECT_EQ(CanonicalQuery({{"prefix", "dir/a b"}, {"list-type", "2"}}),
            "list-type=2&prefix=dir%2Fa%20b");
}

TEST(SigV4, HeadersAreLowercasedTrimmedAndMerged) {
  Request r{"GET", "/", {}, {}, kEmptyHash};
  r.headers = {{"X-Amz-Meta-B", "  two   words  "}, {"x-amz-meta-a", "1"}, {"X-AMZ-META-A", "2"}};
  EXPECT_EQ(CanonicalRequest(r),
            "GET\n/\n\nx-amz-meta-a:1,2\nx-amz-meta-b:two words\n\n"
            "x-amz-meta-a;x-amz-meta-b\n" + std::string(kEmptyHash));
}

TEST(SigV4, AmzDateIsCompactUtc) {
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
}

}  // namespace
}  // namespace spanlake::io::sigv4
