// S3ObjectStore against a scripted HTTP server: what it sends (addressing,
// signing headers, multipart flow) and how it treats each kind of answer
// (retries, error mapping). The conformance suite covers a real server.
#include "io/s3_store.h"

#include <gtest/gtest.h>

#include "io/scripted_http_server.h"
#include "io/sigv4.h"

namespace spanlake::io {
namespace {

using testing::ScriptedHttpServer;
using Reply = ScriptedHttpServer::Reply;

class S3StoreTest : public ::testing::Test {
 protected:
  S3Config Config() {
    S3Config c;
    c.scheme = "http";
    c.host = "127.0.0.1:" + std::to_string(server_.port());
    c.bucket = "bkt";
    c.prefix = "pre/fix/";
    c.credentials = {"AKID", "SECRET", ""};
    c.max_attempts = 3;
    c.base_backoff = std::chrono::milliseconds(1);
    c.max_backoff = std::chrono::milliseconds(4);
    return c;
  }
  std::unique_ptr<S3ObjectStore> Open(S3Config c) {
    auto store = S3ObjectStore::Open(std::move(c));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  ScriptedHttpServer server_;
};

TEST_F(S3StoreTest, PathStyleRequestsAreSignedAndAddressed) {
  auto store = Open(Config());
  server_.Push({200});
  ASSERT_TRUE(store->Put("dir/a b+c", "hello").ok());
  auto got = server_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[0].target, "/bkt/pre/fix/dir/a%20b%2Bc");
  EXPECT_EQ(got[0].Header("host"), "127.0.0.1:" + std::to_string(server_.port()));
  EXPECT_EQ(got[0].body, "hello");
  EXPECT_EQ(got[0].Header("x-amz-content-sha256"), sigv4::Sha256Hex("hello"));
  EXPECT_EQ(got[0].Header("x-amz-date").size(), 16u);
  std::string auth = got[0].Header("authorization");
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/")) << auth;
  EXPECT_NE(auth.find("/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;"
                      "x-amz-date,Signature="),
            std::string::npos)
      << auth;
  EXPECT_EQ(got[0].Header("x-amz-security-token"), "");
}

TEST_F(S3StoreTest, VirtualHostStyleAndSessionToken) {
  S3Config c = Config();
  c.path_style = false;
  c.host = "localhost:" + std::to_string(server_.port());  // curl resolves *.localhost locally
  c.credentials.session_token = "TOKEN";
  auto store = Open(c);
  server_.Push({200, "body"});
  EXPECT_EQ(store->Get("k").value(), "body");
  auto got = server_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/pre/fix/k");
  EXPECT_EQ(got[0].Header("host"), "bkt.localhost:" + std::to_string(server_.port()));
  EXPECT_EQ(got[0].Header("x-amz-security-token"), "TOKEN");
  EXPECT_NE(got[0].Header("authorization").find("x-amz-security-token"), std::string::npos);
}

TEST_F(S3StoreTest, RetriesServerErrorsAndDroppedConnections) {
  auto store = Open(Config());
  server_.Push({503, "<Error><Code>SlowDown</Code></Error>"});
  server_.Push({.drop = true});
  server_.Push({200});
  EXPECT_TRUE(store->Put("k", "v").ok());
  EXPECT_EQ(server_.received().size(), 3u);
}

TEST_F(S3StoreTest, GivesUpAfterMaxAttemptsAsUnavailable) {
  auto store = Open(Config());
  for (int i = 0; i < 3; ++i) server_.Push({500, "<Error><Code>InternalError</Code></Error>"});
  Status st = store->Delete("k");
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("InternalError"), std::string::npos);
  EXPECT_EQ(server_.received().size(), 3u);
}

TEST_F(S3StoreTest, ClientErrorsAreNotRetriedAndSayWhy) {
  auto store = Open(Config());
  server_.Push({403, "<Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error>"});
  Status st = store->Get("k").status();
  EXPECT_EQ(st.code(), Code::kIOError);
  EXPECT_NE(st.message().find("HTTP 403 SignatureDoesNotMatch: bad sig"), std::string::npos)
      << st.ToString();
  EXPECT_EQ(server_.received().size(), 1u);
  server_.Push({404, "<Error><Code>NoSuchKey</Code></Error>"});
  EXPECT_EQ(store->Get("k").status().code(), Code::kNotFound);
}

TEST_F(S3StoreTest, ConnectionRefusedIsUnavailable) {
  S3Config c = Config();
  {
    ScriptedHttpServer gone;  // a port that was just free and is closed again
    c.host = "127.0.0.1:" + std::to_string(gone.port());
  }
  auto store = Open(c);
  EXPECT_EQ(store->Size("k").status().code(), Code::kUnavailable);
}

TEST_F(S3StoreTest, PutIfAbsentSendsIfNoneMatchAndMaps412) {
  auto store = Open(Config());
  server_.Push({412, "<Error><Code>PreconditionFailed</Code></Error>"});
  EXPECT_EQ(store->PutIfAbsent("m", "x").code(), Code::kAlreadyExists);
  EXPECT_EQ(server_.received()[0].Header("if-none-match"), "*");
  EXPECT_NE(server_.received()[0].Header("authorization").find("if-none-match"),
            std::string::npos);
  server_.Push({501, "<Error><Code>NotImplemented</Code></Error>"});
  EXPECT_EQ(store->PutIfAbsent("m", "x").code(), Code::kIOError);
}

TEST_F(S3StoreTest, RetriedPutIfAbsentThatLandedSucceeds) {
  auto store = Open(Config());
  server_.Push({.drop = true});  // the first attempt may have been applied
  server_.Push({412});
  server_.Push({200, "mine"});   // the read-back finds our bytes
  EXPECT_TRUE(store->PutIfAbsent("m", "mine").ok());
  server_.Push({.drop = true});
  server_.Push({412});
  server_.Push({200, "theirs"});
  EXPECT_EQ(store->PutIfAbsent("m", "mine").code(), Code::kAlreadyExists);
}

TEST_F(S3StoreTest, RangesAndSizes) {
  auto store = Open(Config());
  server_.Push({206, "3456"});
  EXPECT_EQ(store->GetRange("r", 3, 4).value(), "3456");
  EXPECT_EQ(server_.received().back().Header("range"), "bytes=3-6");
  server_.Push({200, "0123456789"});  // a server that ignores Range
  EXPECT_EQ(store->GetRange("r", 8, 4).value(), "89");
  server_.Push({416});
  server_.Push({200, "", {{"Content-Length", "10"}}});
  EXPECT_EQ(store->GetRange("r", 10, 4).value(), "");
  EXPECT_EQ(server_.received().back().method, "HEAD");
  server_.Push({206, "9"});
  EXPECT_EQ(store->GetRange("r", 9, UINT64_MAX).value(), "9");
  EXPECT_EQ(server_.received().back().Header("range"), "bytes=9-");
}

TEST_F(S3StoreTest, ListFollowsContinuationTokensAndStripsThePrefix) {
  auto store = Open(Config());
  server_.Push({200,
                "<ListBucketResult><IsTruncated>true</IsTruncated>"
                "<Contents><Key>pre/fix/a/1</Key><Size>3</Size></Contents>"
                "<NextContinuationToken>t/1+</NextContinuationToken></ListBucketResult>"});
  server_.Push({200,
                "<ListBucketResult><IsTruncated>false</IsTruncated>"
                "<Contents><Key>pre/fix/a/2</Key><Size>4</Size></Contents></ListBucketResult>"});
  auto listed = store->List("a/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, (std::vector<ObjectInfo>{{"a/1", 3}, {"a/2", 4}}));
  auto got = server_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].target, "/bkt?list-type=2&max-keys=1000&prefix=pre%2Ffix%2Fa%2F");
  EXPECT_EQ(got[1].target,
            "/bkt?continuation-token=t%2F1%2B&list-type=2&max-keys=1000&prefix=pre%2Ffix%2Fa%2F");
}

TEST_F(S3StoreTest, MultipartUploadInParts) {
  S3Config c = Config();
  c.multipart_threshold = 8;
  c.part_size = 4;
  auto store = Open(c);
  server_.Push({200, "<InitiateMultipartUploadResult><UploadId>u/1</UploadId>"
                     "</InitiateMultipartUploadResult>"});
  for (int i = 1; i <= 3; ++i) server_.Push({200, "", {{"ETag", "\"e" + std::to_string(i) + "\""}}});
  server_.Push({200, "<CompleteMultipartUploadResult/>"});
  ASSERT_TRUE(store->PutIfAbsent("big", "0123456789").ok());
  auto got = server_.received();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].method + " " + got[0].target, "POST /bkt/pre/fix/big?uploads=");
  EXPECT_EQ(got[1].method + " " + got[1].target, "PUT /bkt/pre/fix/big?partNumber=1&uploadId=u%2F1");
  EXPECT_EQ(got[1].body, "0123");
  EXPECT_EQ(got[3].body, "89");
  EXPECT_EQ(got[4].method + " " + got[4].target, "POST /bkt/pre/fix/big?uploadId=u%2F1");
  EXPECT_EQ(got[4].Header("if-none-match"), "*");
  EXPECT_NE(got[4].body.find("<PartNumber>3</PartNumber><ETag>&quot;e3&quot;</ETag>"),
            std::string::npos)
      << got[4].body;
}

TEST_F(S3StoreTest, FailedMultipartIsAborted) {
  S3Config c = Config();
  c.multipart_threshold = 8;
  c.part_size = 4;
  auto store = Open(c);
  server_.Push({200, "<UploadId>u1</UploadId>"});
  server_.Push({200, "", {{"ETag", "\"e1\""}}});
  server_.Push({403, "<Error><Code>AccessDenied</Code></Error>"});
  server_.Push({204});
  EXPECT_EQ(store->Put("big", "0123456789").code(), Code::kIOError);
  auto got = server_.received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].method + " " + got[3].target, "DELETE /bkt/pre/fix/big?uploadId=u1");
}

TEST_F(S3StoreTest, CompleteWithAnErrorInsideA200Fails) {
  S3Config c = Config();
  c.multipart_threshold = 2;
  c.part_size = 4;
  auto store = Open(c);
  server_.Push({200, "<UploadId>u1</UploadId>"});
  server_.Push({200, "", {{"ETag", "\"e1\""}}});
  server_.Push({200, "<Error><Code>InternalError</Code></Error>"});
  server_.Push({204});
  EXPECT_EQ(store->Put("big", "012").code(), Code::kUnavailable);
  EXPECT_EQ(server_.received().back().method, "DELETE");
}

}  // namespace
}  // namespace spanlake::io
