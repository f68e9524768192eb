// Where and how the S3 store talks to its server, read from an
// s3://bucket/prefix URL and the usual AWS environment variables:
//   AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL   e.g. http://127.0.0.1:8333
//                        (unset: https://s3.<region>.amazonaws.com)
//   AWS_REGION, else AWS_DEFAULT_REGION          (unset: us-east-1)
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY     required
//   AWS_SESSION_TOKEN                            optional (temporary credentials)
//   S3_FORCE_PATH_STYLE  1/true: http://host/bucket/key; 0/false:
//                        http://bucket.host/key. Unset: path style when an
//                        endpoint is given (what self-hosted servers expect),
//                        virtual-host style for AWS.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "io/sigv4.h"

namespace spanlake::io {

struct S3Config {
  std::string scheme = "https";  // "http" or "https"
  std::string host;              // endpoint authority: "127.0.0.1:8333", "s3.us-east-1.amazonaws.com"
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;  // "" or ends with '/'; prepended to every key
  sigv4::Credentials credentials;
  bool path_style = true;

  // Objects larger than this go up in parts of part_size bytes (S3 wants
  // parts of at least 5 MiB, all but the last, and at most 10,000 parts).
  size_t multipart_threshold = size_t{16} << 20;
  size_t part_size = size_t{16} << 20;

  int list_page_size = 1000;  // max-keys per ListObjectsV2 request (S3 caps it at 1000)
  int max_attempts = 5;  // per request, first try included
  std::chrono::milliseconds base_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
// The process environment (getenv); empty values count as unset.
std::optional<std::string> GetEnvironment(const char* name);

// Parses "s3://bucket[/prefix]" and reads the variables above through `env`.
Result<S3Config> S3ConfigFromUrl(std::string_view url, const EnvLookup& env);

}  // namespace spanlake::io
