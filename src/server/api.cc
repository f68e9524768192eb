#include "server/api.h"

#include <openssl/hmac.h>

#include <charconv>

#include "base/log.h"
#include "base/random.h"
#include "base/time.h"

namespace spanlake::server {

namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

int HttpStatus(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kTooLarge: return 413;
    case Code::kUnavailable: return 503;
    default: return 500;
  }
}

std::optional<std::string> BearerKey(const http::Request& req) {
  const std::string* auth = req.Header("authorization");
  if (auth == nullptr) return std::nullopt;
  std::string_view v = *auth;
  if (v.size() >= 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

std::string Hmac(const std::string& secret, const std::string& msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

http::Response ErrorResponse(const Status& status) {
  if (status.code() == Code::kInternal || status.code() == Code::kIOError ||
      status.code() == Code::kCorruption) {
    LogError(status.ToString());
  }
  http::Response r = http::Response::Error(HttpStatus(status.code()), status.message());
  // Every 503 is worth retrying soon: contention, or ingest ahead of sealing
  // (the engine already stalled the write up to its limit). The Braintrust
  // SDKs retry logs3 on 5xx with their own backoff; other clients read this.
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

http::Response JsonResponse(const json::Value& body, int status) {
  return http::Response::Json(status, body.Dump());
}

Result<std::string> RequireString(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) {
    return Status::InvalidArgument(std::string("'") + key + "' is required and must be a string");
  }
  return v->as_string();
}

std::optional<std::string> OptString(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

Api::Api(ApiOptions options, engine::Engine* engine, meta::Store* store)
    : options_(std::move(options)), engine_(engine), store_(store) {
  Route("GET", "/v1", [](Call&) -> Result<http::Response> {
    http::Response r;
    r.content_type = "text/plain";
    r.body = "Hello, World!";
    return r;
  }, false);
  Route("GET", "/ping", [](Call&) -> Result<http::Response> {
    return JsonResponse(json::Object{{"status", "ok"}});
  }, false);
  RegisterObjectRoutes(*this);
  RegisterDataRoutes(*this);
  RegisterSummaryRoutes(*this);
  RegisterAttachmentRoutes(*this);
  RegisterRestRoutes(*this);
  RegisterOtelRoutes(*this);
  RegisterUiRoutes(*this);
}

void Api::Route(std::string method, std::string pattern, Handler h, bool auth, bool raw_body) {
  routes_.push_back(RouteEntry{std::move(method), SplitPath(pattern), std::move(h), auth, raw_body});
}

Result<meta::Principal> Api::Authenticate(const http::Request& req) {
  std::optional<std::string> key = BearerKey(req);
  if (!key) return Status::Unauthenticated("missing API key: send 'Authorization: Bearer <key>'");
  return store_->Authenticate(*key);
}

const Api::RouteEntry* Api::Match(const http::Request& req, std::vector<std::string>& params) const {
  std::vector<std::string> segs = SplitPath(req.path);
  bool path_matched = false;
  for (const RouteEntry& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::vector<std::string> p;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      if (r.segments[i].size() > 1 && r.segments[i].front() == '{') {
        p.push_back(segs[i]);
      } else {
        ok = r.segments[i] == segs[i];
      }
    }
    if (!ok) continue;
    path_matched = true;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      params = std::move(p);
      return &r;
    }
  }
  params.clear();
  if (path_matched) params.push_back("");  // marks "path exists, method does not"
  return nullptr;
}

Result<http::Response> Api::Dispatch(const http::Request& req) {
  std::vector<std::string> params;
  const RouteEntry* route = Match(req, params);
  if (route == nullptr) {
    if (!params.empty()) {
      return http::Response::Error(405, "method " + req.method + " not allowed on " + req.path);
    }
    if (fallback_) {
      if (std::optional<http::Response> r = fallback_(req)) return std::move(*r);
    }
    return Status::NotFound("no such endpoint: " + req.method + " " + req.path);
  }
  Call call{req, {}, json::Value(), std::move(params)};
  if (route->auth) {
    ASSIGN_OR_RETURN(call.who, Authenticate(req));
  }
  if (!route->raw_body && !req.body.empty() && req.method != "PUT") {
    Result<json::Value> body = json::Value::Parse(req.body);
    if (!body.ok()) return body.status().WithContext("request body");
    call.body = std::move(body).value();
  }
  return route->handler(call);
}

http::Response Api::Handle(const http::Request& req) {
  Result<http::Response> r = Dispatch(req);
  return r.ok() ? std::move(r).value() : ErrorResponse(r.status());
}

std::string Api::BaseUrl(const http::Request& req) const {
  if (!options_.public_url.empty()) return options_.public_url;
  const std::string* host = req.Header("host");
  return "http://" + (host ? *host : std::string("127.0.0.1"));
}

Result<ContainerInfo> Api::ResolveContainer(const meta::Principal& who, const std::string& kind,
                                            const std::string& id, acl::Permission need) {
  ASSIGN_OR_RETURN(ContainerInfo info, LookupContainer(who, kind, id));
  acl::Authorizer az(*store_, who);
  const bool whole_project = kind == "project_logs" || kind == "project_functions";
  const std::string type = kind == "project_logs" ? "project_log"
                           : kind == "project_functions" ? "prompt" : kind;
  acl::Target target =
      acl::InProjectTarget(who.org_id, info.project_id, type, whole_project ? "" : id);
  if (kind == "project_logs") target.chain.push_back(acl::ObjectRef{"project_log", id});
  RETURN_IF_ERROR(az.Require(need, target));
  return info;
}

Result<ContainerInfo> Api::LookupContainer(const meta::Principal& who, const std::string& kind,
                                           const std::string& id) {
  std::string key = kind + ":" + id;
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    auto it = container_cache_.find(key);
    if (it != container_cache_.end() && it->second.org_id == who.org_id) return it->second;
  }
  const bool whole_project = kind == "project_logs" || kind == "project_functions";
  std::string meta_kind = whole_project ? "project" : kind;
  ASSIGN_OR_RETURN(std::optional<json::Value> obj, store_->GetObject(meta_kind, who.org_id, id));
  if (!obj) return Status::NotFound(kind + " '" + id + "' not found");
  ContainerInfo info{key, who.org_id, whole_project ? id : obj->find("project_id")->as_string()};
  if (!whole_project) {
    // A project's delete cascades, but an interrupted cascade must not leave rows readable.
    ASSIGN_OR_RETURN(auto project, store_->GetObject("project", who.org_id, info.project_id));
    if (!project) return Status::NotFound(kind + " '" + id + "' not found");
  }
  std::lock_guard<std::mutex> l(cache_mu_);
  container_cache_[key] = info;
  return info;
}

void Api::ForgetContainers() {
  std::lock_guard<std::mutex> l(cache_mu_);
  container_cache_.clear();
}

std::string Api::ObjectPath(const std::string& object_key) const {
  return options_.data_dir + "/objects/" + object_key;
}

std::string Api::SignedObjectUrl(const http::Request& req, const std::string& object_key,
                                 const std::string& method, int64_t ttl_seconds) const {
  std::string expires = std::to_string(NowMillis() / 1000 + ttl_seconds);
  std::string sig = Hmac(options_.signing_secret, method + "\n" + object_key + "\n" + expires);
  return BaseUrl(req) + "/objects/" + object_key + "?expires=" + expires + "&sig=" + sig;
}

// Verifies a signed object URL of SignedObjectUrl(); used by the object routes.
Status VerifyObjectSignature(const ApiOptions& options, const http::Request& req,
                             const std::string& object_key) {
  const std::string* expires = req.Query("expires");
  const std::string* sig = req.Query("sig");
  if (expires == nullptr || sig == nullptr) {
    return Status::PermissionDenied("object URL is not signed");
  }
  int64_t exp = 0;
  auto [p, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), exp);
  if (ec != std::errc() || exp < NowMillis() / 1000) {
    return Status::PermissionDenied("object URL has expired");
  }
  std::string method = req.method == "HEAD" ? "GET" : req.method;
  if (!ConstantTimeEquals(*sig, Hmac(options.signing_secret, method + "\n" + object_key + "\n" + *expires))) {
    return Status::PermissionDenied("object URL signature does not match");
  }
  return Status::Ok();
}

}  // namespace spanlake::server
