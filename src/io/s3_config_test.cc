#include "io/s3_config.h"

#include <gtest/gtest.h>

#include <map>

namespace spanlake::io {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kCreds = {{"AWS_ACCESS_KEY_ID", "AK"},
                                                   {"AWS_SECRET_ACCESS_KEY", "SK"}};

TEST(S3Config, AwsDefaultsAreVirtualHostHttps) {
  auto c = S3ConfigFromUrl("s3://my-bucket/data/spanlake/", FakeEnv(kCreds));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->bucket, "my-bucket");
  EXPECT_EQ(c->prefix, "data/spanlake/");
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->scheme, "https");
  EXPECT_EQ(c->host, "s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(c->path_style);
  EXPECT_EQ(c->credentials.access_key, "AK");
  EXPECT_EQ(c->credentials.secret_key, "SK");
  EXPECT_EQ(c->credentials.session_token, "");
}

TEST(S3Config, EndpointRegionTokenAndPathStyleFromEnvironment) {
  auto env = kCreds;
  env["AWS_ENDPOINT_URL"] = "http://ignored:1";
  env["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:8333/";
  env["AWS_DEFAULT_REGION"] = "eu-west-1";
  env["AWS_SESSION_TOKEN"] = "tok";
  auto c = S3ConfigFromUrl("s3://b", FakeEnv(env));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->scheme, "http");
  EXPECT_EQ(c->host, "127.0.0.1:8333");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->prefix, "");
  EXPECT_TRUE(c->path_style);  // an explicit endpoint defaults to path style
  EXPECT_EQ(c->credentials.session_token, "tok");

  env["AWS_REGION"] = "ap-south-1";
  env["S3_FORCE_PATH_STYLE"] = "false";
  c = S3ConfigFromUrl("s3://b/p", FakeEnv(env));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "ap-south-1");
  EXPECT_FALSE(c->path_style);
  EXPECT_EQ(c->prefix, "p/");
}

TEST(S3Config, RejectsBadInput) {
  auto env = FakeEnv(kCreds);
  for (std::string url : {"s3://", "s3:///prefix", "http://b/p", "s3://b/../p", "s3://b?x=1"}) {
    EXPECT_EQ(S3ConfigFromUrl(url, env).status().code(), Code::kInvalidArgument) << url;
  }
  EXPECT_EQ(S3ConfigFromUrl("s3://b", FakeEnv({})).status().code(), Code::kInvalidArgument);
  for (std::string endpoint : {"127.0.0.1:9000", "ftp://h", "http://h/path", "http://"}) {
    auto e = kCreds;
    e["AWS_ENDPOINT_URL"] = endpoint;
    EXPECT_EQ(S3ConfigFromUrl("s3://b", FakeEnv(e)).status().code(), Code::kInvalidArgument)
        << endpoint;
  }
  auto e = kCreds;
  e["S3_FORCE_PATH_STYLE"] = "maybe";
  EXPECT_EQ(S3ConfigFromUrl("s3://b", FakeEnv(e)).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace spanlake::io
