#include "io/s3_store.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

#include "io/s3_xml.h"

namespace spanlake::io {

namespace {

bool Retryable(const Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().code() == Code::kUnavailable;
  long s = r->status;
  if (s == 501) return false;  // NotImplemented is not transient
  // AWS answers 409 ConditionalRequestConflict while a racing conditional write is in flight.
  bool conflict = s == 409 && r->body.find("ConditionalRequestConflict") != std::string::npos;
  return s >= 500 || s == 429 || conflict;
}

// Exponential backoff with "equal jitter": a random wait in [d/2, d], where d
// doubles per attempt up to the cap, so retrying clients spread out.
std::chrono::milliseconds Backoff(const S3Config& c, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t d = c.base_backoff.count() << std::min(attempt - 1, 20);
  d = std::min<int64_t>(d, c.max_backoff.count());
  std::uniform_int_distribution<int64_t> dist(d / 2, d);
  return std::chrono::milliseconds(dist(rng));
}

bool ParseU64(std::string_view s, uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(S3Config config) {
  if (config.bucket.empty() || config.host.empty()) {
    return Status::InvalidArgument("S3 store needs a bucket and an endpoint host");
  }
  if (config.part_size == 0 || config.multipart_threshold == 0 || config.max_attempts < 1 ||
      config.list_page_size < 1) {
    return Status::InvalidArgument("S3 store needs part_size, multipart_threshold, "
                                   "list_page_size and max_attempts above zero");
  }
  return std::unique_ptr<S3ObjectStore>(new S3ObjectStore(std::move(config)));
}

std::string S3ObjectStore::Describe() const {
  return "s3://" + config_.bucket + "/" + config_.prefix + " at " + config_.scheme + "://" +
         config_.host;
}

std::string S3ObjectStore::PathFor(const std::string& key) const {
  std::string path = "/";
  if (config_.path_style) {
    path += sigv4::UriEncode(config_.bucket, false);
    if (!key.empty()) path += '/';
  }
  if (!key.empty()) path += sigv4::EncodePath(config_.prefix + key);
  return path;
}

std::string S3ObjectStore::HostHeader() const {
  return config_.path_style ? config_.host : config_.bucket + "." + config_.host;
}

HttpRequest S3ObjectStore::Sign(const Call& call, const std::string& payload_hash) const {
  std::string amz_date = sigv4::AmzDate(std::time(nullptr));
  sigv4::Request r{call.method, PathFor(call.key), call.query, {}, payload_hash};
  r.headers = {{"host", HostHeader()},
               {"x-amz-content-sha256", payload_hash},
               {"x-amz-date", amz_date}};
  if (!config_.credentials.session_token.empty()) {
    r.headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
  }
  r.headers.insert(r.headers.end(), call.headers.begin(), call.headers.end());
  std::string auth = sigv4::Authorization(config_.credentials, amz_date, config_.region, "s3", r);
  HttpRequest out;
  out.method = call.method;
  out.url = config_.scheme + "://" + HostHeader() + r.encoded_path;
  if (!call.query.empty()) {
    out.url += '?';
    out.url += sigv4::CanonicalQuery(call.query);
  }
  out.headers = std::move(r.headers);
  out.headers.emplace_back("authorization", std::move(auth));
  out.body = call.body;
  return out;
}

Result<HttpResponse> S3ObjectStore::Send(const Call& call, bool* retried) {
  std::string payload_hash = sigv4::Sha256Hex(call.body);
  for (int attempt = 1;; ++attempt) {
    // Signed per attempt: x-amz-date must be within minutes of the server's clock.
    Result<HttpResponse> result = http_.Perform(Sign(call, payload_hash));
    if (!Retryable(result) || attempt >= config_.max_attempts) return result;
    if (retried != nullptr) *retried = true;
    std::this_thread::sleep_for(Backoff(config_, attempt));
  }
}

Status S3ObjectStore::ErrorFor(const Call& call, const HttpResponse& response) const {
  std::string what = "s3 " + call.method + " " + config_.bucket + "/" + config_.prefix + call.key;
  std::string code = s3xml::FirstText(response.body, "Code");
  std::string message = s3xml::FirstText(response.body, "Message");
  std::string detail = what + ": HTTP " + std::to_string(response.status) +
                       (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message);
  long s = response.status;
  if (s == 404) return Status::NotFound(detail);
  if (s == 412) return Status::AlreadyExists(detail);
  if (s >= 500 || s == 429) return Status::Unavailable(detail);
  return Status::IOError(detail);
}

Status S3ObjectStore::Put(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  if (bytes.size() > config_.multipart_threshold) return PutMultipart(key, bytes, false);
  return PutWhole(key, bytes, false);
}

Status S3ObjectStore::PutIfAbsent(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  if (bytes.size() > config_.multipart_threshold) return PutMultipart(key, bytes, true);
  return PutWhole(key, bytes, true);
}

Status S3ObjectStore::PutWhole(std::string_view key, std::string_view bytes, bool if_absent) {
  Call call{"PUT", std::string(key), {}, {}, bytes};
  if (if_absent) call.headers.emplace_back("if-none-match", "*");
  bool retried = false;
  ASSIGN_OR_RETURN(HttpResponse response, Send(call, &retried));
  if (response.status == 200) return Status::Ok();
  if (if_absent && response.status == 412 && retried) return ResolveConflict(key, bytes);
  if (if_absent && response.status == 501) {
    return Status::IOError(Describe() + " does not support conditional create (If-None-Match)");
  }
  return ErrorFor(call, response);
}

Status S3ObjectStore::ResolveConflict(std::string_view key, std::string_view bytes) {
  Result<std::string> current = Get(key);
  if (current.ok() && *current == bytes) return Status::Ok();
  return Status::AlreadyExists("s3 object " + config_.prefix + std::string(key) +
                               " already exists");
}

Result<std::string> S3ObjectStore::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  Call call{"GET", std::string(key), {}, {}, {}};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorFor(call, response);
  return std::move(response.body);
}

Result<std::string> S3ObjectStore::GetRange(std::string_view key, uint64_t offset,
                                            uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  if (length == 0) {  // HTTP ranges cannot be empty: check existence and bounds instead
    ASSIGN_OR_RETURN(uint64_t size, Size(key));
    RETURN_IF_ERROR(CheckRangeStart(key, offset, size));
    return std::string();
  }
  std::string range = "bytes=" + std::to_string(offset) + "-";
  if (length <= UINT64_MAX - offset) range += std::to_string(offset + length - 1);
  Call call{"GET", std::string(key), {}, {{"range", range}}, {}};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status == 206) {
    if (response.body.size() > length) response.body.resize(length);
    return std::move(response.body);
  }
  if (response.status == 200) return SliceForRange(key, response.body, offset, length);
  if (response.status == 416) {  // starts at or past the end
    ASSIGN_OR_RETURN(uint64_t size, Size(key));
    if (offset >= size) {
      RETURN_IF_ERROR(CheckRangeStart(key, offset, size));
      return std::string();
    }
  }
  return ErrorFor(call, response);
}

Result<uint64_t> S3ObjectStore::Size(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  Call call{"HEAD", std::string(key), {}, {}, {}};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorFor(call, response);
  uint64_t size = 0;
  if (!ParseU64(response.Header("content-length"), &size)) {
    return Status::IOError("s3 HEAD " + std::string(key) + ": no usable Content-Length");
  }
  return size;
}

Result<std::vector<ObjectInfo>> S3ObjectStore::List(std::string_view prefix) {
  RETURN_IF_ERROR(ValidatePrefix(prefix));
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    Call call{"GET", "", {{"list-type", "2"}, {"prefix", config_.prefix + std::string(prefix)}},
              {}, {}};
    call.query.emplace_back("max-keys", std::to_string(config_.list_page_size));
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    ASSIGN_OR_RETURN(HttpResponse response, Send(call));
    if (response.status != 200) return ErrorFor(call, response);
    ASSIGN_OR_RETURN(s3xml::ListPage page, s3xml::ParseListObjectsV2(response.body));
    for (ObjectInfo& info : page.objects) {
      if (!info.key.starts_with(config_.prefix)) continue;
      info.key.erase(0, config_.prefix.size());
      out.push_back(std::move(info));
    }
    if (!page.truncated) break;
    if (page.next_token == token) return Status::Corruption("S3 list repeats its continuation");
    token = std::move(page.next_token);
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status S3ObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  Call call{"DELETE", std::string(key), {}, {}, {}};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  long s = response.status;
  if (s == 200 || s == 204 || s == 404) return Status::Ok();
  return ErrorFor(call, response);
}

Status S3ObjectStore::CreateBucket() {
  Call call{"PUT", "", {}, {}, {}};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status == 200) return Status::Ok();
  if (s3xml::FirstText(response.body, "Code") == "BucketAlreadyOwnedByYou") return Status::Ok();
  return ErrorFor(call, response);
}

}  // namespace spanlake::io
