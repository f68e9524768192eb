// S3ObjectStore: objects in an S3-compatible bucket, over HTTP(S) with
// libcurl, every request signed with AWS SigV4 (sigv4.h). Configured by
// S3Config (s3_config.h: URL + AWS environment variables).
//
// - Keys live under config.prefix in config.bucket; List strips the prefix.
// - Addressing: path style (http://host/bucket/key) or virtual host
//   (http://bucket.host/key).
// - Put above config.multipart_threshold uses a multipart upload; a failed
//   one is aborted so no parts are left behind (best effort).
// - Requests are retried on transport errors, 5xx and 429 with exponential
//   backoff and jitter, at most config.max_attempts tries each.
// - PutIfAbsent sends If-None-Match: * (on the PUT, or on
//   CompleteMultipartUpload). AWS S3 and SeaweedFS honour it (412 →
//   AlreadyExists); a server that ignores the header (s3rver) silently
//   overwrites, which this store cannot detect. A 501 is IOError. When a
//   retried PutIfAbsent meets 412, the object is read back: identical bytes
//   mean our own earlier attempt landed, and the call succeeds.
// - Delete is idempotent, as S3's DELETE is.
// Thread-safe: no mutable state besides the HTTP client's handle pool.
#pragma once

#include <memory>
#include <string>

#include "io/http_client.h"
#include "io/object_store.h"
#include "io/s3_config.h"

namespace spanlake::io {

class S3ObjectStore : public ObjectStore {
 public:
  static Result<std::unique_ptr<S3ObjectStore>> Open(S3Config config);

  Status Put(std::string_view key, std::string_view bytes) override;
  Status PutIfAbsent(std::string_view key, std::string_view bytes) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<uint64_t> Size(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override;

  // Creates the bucket (tests and first-time setup); OK when it exists and is ours.
  Status CreateBucket();

  const S3Config& config() const { return config_; }

  // One S3 request before signing. `key` is a store key ("" for the bucket).
  struct Call {
    std::string method;
    std::string key;
    sigv4::Pairs query;
    HeaderList headers;  // extra headers to sign and send (Range, If-None-Match)
    std::string_view body;
  };

 private:
  explicit S3ObjectStore(S3Config config) : config_(std::move(config)) {}

  // The URL path (encoded) and Host for a call.
  std::string PathFor(const std::string& key) const;
  std::string HostHeader() const;
  HttpRequest Sign(const Call& call, const std::string& payload_hash) const;
  // Sends with retries; `retried` (optional) is set when an attempt before
  // the answer failed in a way that may have taken effect.
  Result<HttpResponse> Send(const Call& call, bool* retried = nullptr);
  Status ErrorFor(const Call& call, const HttpResponse& response) const;

  Status PutWhole(std::string_view key, std::string_view bytes, bool if_absent);
  Status PutMultipart(std::string_view key, std::string_view bytes, bool if_absent);
  Result<std::string> StartMultipart(const std::string& key);
  Result<std::string> UploadPart(const std::string& key, const std::string& upload_id, int number,
                                 std::string_view part);
  Status CompleteMultipart(const std::string& key, const std::string& upload_id,
                           const std::vector<std::string>& etags, std::string_view bytes,
                           bool if_absent);
  // After a retried conditional put met 412: did our own bytes land?
  Status ResolveConflict(std::string_view key, std::string_view bytes);

  const S3Config config_;
  HttpClient http_;
};

}  // namespace spanlake::io
