#include "io/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace spanlake::io {

namespace {

constexpr size_t kMaxIdleHandles = 16;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<HttpResponse*>(user)->body.append(data, size * n);
  return size * n;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// One header line ("Name: value\r\n"), or a status line that starts a new
// response (after a redirect or 100 Continue): keep only the last response's.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    response->headers.emplace_back(Lower(std::string(line.substr(0, colon))),
                                   Trim(line.substr(colon + 1)));
  }
  return size * n;
}

void SetMethod(CURL* h, const HttpRequest& r) {
  if (r.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (r.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (r.method == "PUT" || r.method == "POST") {
    // POSTFIELDS sends the buffer as is, with Content-Length, whatever the verb.
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    // Never NULL: curl would then read the body from stdin.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.empty() ? "" : r.body.data());
  }
}

curl_slist* BuildHeaders(const HttpRequest& r) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : r.headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  // No "Expect: 100-continue" round trip, and no form Content-Type from POSTFIELDS.
  list = curl_slist_append(list, "Expect:");
  bool has_type = false;
  for (const auto& h : r.headers) has_type |= Lower(h.first) == "content-type";
  bool sends_body = r.method == "PUT" || r.method == "POST";
  if (sends_body && !has_type) {
    list = curl_slist_append(list, "Content-Type: application/octet-stream");
  }
  return list;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "";
}

HttpClient::HttpClient(HttpClientOptions options) : options_(options) { GlobalInit(); }

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));  // keeps the live connection
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request) {
  auto* h = static_cast<CURL*>(Acquire());
  if (h == nullptr) return Status::Internal("curl_easy_init failed");
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = BuildHeaders(request);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
  SetMethod(h, request);
  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  Release(h);
  if (rc != CURLE_OK) {
    std::string why = error[0] != 0 ? error : curl_easy_strerror(rc);
    return Status::Unavailable(request.method + " " + request.url + ": " + why);
  }
  return response;
}

}  // namespace spanlake::io
