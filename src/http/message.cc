#include "http/message.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "http/gzip.h"

namespace spanlake::http {

namespace {

// zlib level 3: most of level 6's ratio on JSON at roughly twice the speed.
constexpr int kGzipLevel = 3;

constexpr char kDefaultAllowHeaders[] =
    "authorization, content-type, content-encoding, accept, accept-encoding, "
    "x-amz-content-sha256, x-amz-date, x-bt-org-name, x-bt-project-id, x-bt-parent, "
    "x-bt-use-cache, x-bt-stream-fmt, x-bt-app-url, x-bt-api-version, x-bt-auth-token";

constexpr char kExposeHeaders[] =
    "x-bt-cursor, x-bt-found-existing, x-bt-query-plan, x-amz-meta-bt_cursor";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

// Splits on `sep` into trimmed, non-empty pieces.
std::vector<std::string_view> SplitList(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t at = s.find(sep);
    std::string_view piece = Trim(s.substr(0, at));
    if (!piece.empty()) out.push_back(piece);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// "q=0", "q=0.", "q=0.000" mean "not acceptable" (RFC 9110 12.4.2).
bool IsZeroQuality(std::string_view params) {
  for (std::string_view param : SplitList(params, ';')) {
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || Lower(Trim(param.substr(0, eq))) != "q") continue;
    std::string_view value = Trim(param.substr(eq + 1));
    return !value.empty() && value[0] == '0' &&
           value.find_first_not_of("0.", 1) == std::string_view::npos;
  }
  return false;
}

bool HasHeader(const Response& res, std::string_view name) {
  return std::any_of(res.headers.begin(), res.headers.end(),
                     [&](const auto& h) { return IEquals(h.first, name); });
}

void AddHeaderIfAbsent(Response* res, std::string name, std::string value) {
  if (!HasHeader(*res, name)) res->headers.emplace_back(std::move(name), std::move(value));
}

// Folds any Vary headers the handler set, plus `extra`, into one.
void MergeVary(Response* res, const std::vector<std::string>& extra) {
  std::string vary;
  auto append = [&](std::string_view v) { vary += (vary.empty() ? "" : ", ") + std::string(v); };
  auto& hs = res->headers;
  for (auto it = hs.begin(); it != hs.end();) {
    if (!IEquals(it->first, "vary")) {
      ++it;
      continue;
    }
    append(it->second);
    it = hs.erase(it);
  }
  for (const std::string& v : extra) append(v);
  if (!vary.empty()) hs.emplace_back("Vary", vary);
}

void AddCors(const Request& req, Response* res) {
  const std::string* origin = req.Header("origin");
  AddHeaderIfAbsent(res, "Access-Control-Allow-Origin", origin ? *origin : "*");
  if (origin) AddHeaderIfAbsent(res, "Access-Control-Allow-Credentials", "true");
  AddHeaderIfAbsent(res, "Access-Control-Expose-Headers", kExposeHeaders);
}

bool MayHaveBody(int status) { return status >= 200 && status != 204 && status != 304; }

// Gzips res->body when worthwhile; returns whether the response varies on
// Accept-Encoding (it does whenever it was eligible, compressed or not).
bool MaybeCompress(const Request& req, Response* res) {
  if (!MayHaveBody(res->status) || res->body.size() < kMinGzipBytes ||
      HasHeader(*res, "content-encoding") || IsCompressedType(res->content_type)) {
    return false;
  }
  const std::string* accept = req.Header("accept-encoding");
  if (accept == nullptr || !AcceptsGzip(*accept)) return true;
  std::string gz = GzipCompress(res->body, kGzipLevel);
  if (gz.empty() || gz.size() >= res->body.size()) return true;
  res->body = std::move(gz);
  res->headers.emplace_back("Content-Encoding", "gzip");
  return true;
}

// Undoes one content coding; returns the error response on failure.
std::optional<Response> DecodeOne(std::string_view coding, size_t limit, std::string* body) {
  std::string name = Lower(coding);
  if (name == "identity") return std::nullopt;
  bool gzip = name == "gzip" || name == "x-gzip";
  if (!gzip && name != "deflate") {
    return Response::Error(415, "unsupported Content-Encoding: " + std::string(coding));
  }
  Result<std::string> out = Inflate(*body, DeflateFormat::kGzipOrZlib, limit);
  // "deflate" is meant to be zlib-wrapped, but some clients send raw deflate.
  if (!gzip && !out.ok() && out.status().code() == Code::kInvalidArgument) {
    out = Inflate(*body, DeflateFormat::kRaw, limit);
  }
  if (out.ok()) {
    *body = std::move(out).value();
    return std::nullopt;
  }
  if (out.status().code() == Code::kTooLarge) return BodyTooLarge(limit);
  return Response::Error(
      400, gzip ? "request body: invalid gzip data" : "request body: invalid deflate data");
}

}  // namespace

const std::string* Request::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

const std::string* Request::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? nullptr : &it->second;
}

Response Response::Json(int status, std::string body) {
  Response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

Response Response::Error(int status, const std::string& message) {
  return Json(status, "{\"error\":" + JsonQuote(message) + "}");
}

std::string JsonQuote(std::string_view s) {
  static constexpr std::string_view kShort = "\"\\\n\r\t\b\f";  // escaped as \" \\ \n ...
  static constexpr std::string_view kShortAs = "\"\\nrtbf";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    size_t k = kShort.find(c);
    if (k != std::string_view::npos) {
      out.push_back('\\');
      out.push_back(kShortAs[k]);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

Response BodyTooLarge(size_t max_body_bytes) {
  return Response::Error(
      413, "request body exceeds the limit of " + std::to_string(max_body_bytes) + " bytes");
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip, star;
  for (std::string_view item : SplitList(accept_encoding, ',')) {
    size_t semi = item.find(';');
    std::string coding = Lower(Trim(item.substr(0, semi)));
    bool ok = semi == std::string_view::npos || !IsZeroQuality(item.substr(semi + 1));
    if (coding == "gzip" || coding == "x-gzip") gzip = gzip.value_or(false) || ok;
    if (coding == "*") star = ok;
  }
  if (gzip.has_value()) return *gzip;
  return star.value_or(false);
}

bool IsCompressedType(std::string_view content_type) {
  std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  auto starts = [&](std::string_view p) { return type.compare(0, p.size(), p) == 0; };
  if (starts("image/")) return type != "image/svg+xml" && type != "image/bmp";
  if (starts("video/") || starts("audio/")) return true;
  static const char* const kArchives[] = {
      "application/gzip",
      "application/x-gzip",
      "application/zip",
      "application/zstd",
      "application/x-bzip2",
      "application/x-xz",
      "application/x-7z-compressed",
      "application/vnd.apache.parquet",
  };
  return std::any_of(std::begin(kArchives), std::end(kArchives),
                     [&](const char* a) { return type == a; });
}

bool IsPreflight(const Request& req) {
  return req.method == "OPTIONS" && req.Header("access-control-request-method") != nullptr;
}

Response PreflightResponse(const Request& req) {
  Response res;
  res.status = 204;
  res.content_type.clear();
  const std::string* asked = req.Header("access-control-request-headers");
  res.headers = {
      {"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"},
      {"Access-Control-Allow-Headers", asked ? *asked : kDefaultAllowHeaders},
      {"Access-Control-Max-Age", "86400"},
      {"Vary", "Access-Control-Request-Method, Access-Control-Request-Headers"},
  };
  return res;
}

std::optional<Response> DecodeBody(Request* req, size_t max_body_bytes) {
  const std::string* encoding = req->Header("content-encoding");
  if (encoding == nullptr || req->body.empty()) return std::nullopt;
  std::vector<std::string_view> codings = SplitList(*encoding, ',');
  // Codings are listed in the order they were applied; undo the last first.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    std::optional<Response> error = DecodeOne(*it, max_body_bytes, &req->body);
    if (error) return error;
  }
  return std::nullopt;
}

void FinishResponse(const Request& req, Response* res) {
  std::vector<std::string> vary = {"Origin"};
  if (MaybeCompress(req, res)) vary.push_back("Accept-Encoding");
  AddCors(req, res);
  MergeVary(res, vary);
}

}  // namespace spanlake::http
