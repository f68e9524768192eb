// A small blocking HTTP client over libcurl for the S3 store: one request in,
// one buffered response out. Easy handles are pooled so connections are kept
// alive between calls.
// Thread-safe: each call takes its own handle from the pool.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace spanlake::io {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;    // GET, HEAD, PUT, POST, DELETE
  std::string url;       // already percent-encoded
  HeaderList headers;    // sent as given (Host included); curl adds Content-Length
  std::string_view body; // must outlive the call
};

struct HttpResponse {
  long status = 0;
  HeaderList headers;  // names lowercased
  std::string body;

  // The first header called `name` (lowercase), or "".
  std::string Header(std::string_view name) const;
};

struct HttpClientOptions {
  long connect_timeout_ms = 10'000;
  // A transfer slower than 1 KiB/s for this long is abandoned (no total
  // timeout: a multi-GiB object may take minutes on a healthy link).
  long stall_timeout_s = 60;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a response; a transport failure (refused, reset,
  // timeout, DNS) is Unavailable with curl's message.
  Result<HttpResponse> Perform(const HttpRequest& request);

 private:
  void* Acquire();
  void Release(void* handle);

  const HttpClientOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles, guarded by mu_
};

}  // namespace spanlake::io
