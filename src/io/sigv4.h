// AWS Signature Version 4 for S3 requests, as pure functions (no clock, no
// I/O) so the AWS-published examples can pin them down in sigv4_test.cc.
//
// Why our own signer: libcurl 7.88's CURLOPT_AWS_SIGV4 signs the query string
// as written (S3 wants it sorted and encoded) and omits x-amz-content-sha256,
// which S3 requires. See docs/decisions.md.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spanlake::io::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty unless temporary credentials
};

struct Request {
  std::string method;         // "GET", "PUT", ...
  std::string encoded_path;   // already URI-encoded, e.g. "/bucket/a%20b" (see EncodePath)
  Pairs query;                // raw (unencoded) names and values; order does not matter
  Pairs headers;              // every header to sign, host and x-amz-* included
  std::string payload_hash;   // lowercase hex SHA-256 of the body
};

// RFC 3986 percent-encoding as SigV4 defines it: unreserved characters
// (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX (uppercase); '/'
// stays only when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);
// A key or "/bucket/key" as the path S3 expects: each byte encoded once, '/' kept.
inline std::string EncodePath(std::string_view path) { return UriEncode(path, true); }
// name=value pairs encoded, sorted by encoded name then value, joined by '&'.
std::string CanonicalQuery(const Pairs& query);

// "20130524T000000Z" for a Unix time (UTC).
std::string AmzDate(std::time_t t);
std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Hex(std::string_view bytes);

// The signing key for a day ("20130524"), region and service (raw bytes).
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

std::string CanonicalRequest(const Request& r);
// Lowercase header names, sorted and joined by ';'.
std::string SignedHeaders(const Request& r);
std::string StringToSign(std::string_view amz_date, std::string_view region,
                         std::string_view service, std::string_view canonical_request);
// The Authorization header value for `r` signed at `amz_date`. REQUIRES: r.headers
// carry the same x-amz-date (and x-amz-content-sha256 for S3) that will be sent.
std::string Authorization(const Credentials& creds, std::string_view amz_date,
                          std::string_view region, std::string_view service, const Request& r);

}  // namespace spanlake::io::sigv4
