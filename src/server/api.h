// The Braintrust-compatible API: routes an HTTP request to its handler,
// authenticates it, confines it to the key's org, and maps errors to HTTP in
// one place (ErrorResponse). Handlers live in wire_*.cc by area.
//
// Thread-safe: handlers run concurrently on the HTTP worker pool.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "engine/engine.h"
#include "http/http.h"
#include "json/value.h"
#include "meta/store.h"
#include "server/acl.h"

namespace spanlake::server {

struct ApiOptions {
  std::string data_dir;
  // Base URL that clients use to reach this server ("http://host:port"). When
  // empty it is derived from each request's Host header.
  std::string public_url;
  // Advertised in GET /version; the SDK splits batches to half of it and
  // uses the overflow path above it.
  int64_t logs3_payload_max_bytes = 5 << 20;
  std::string signing_secret;  // HMAC key for signed object URLs
};

// A resolved row container: which org and project it belongs to.
struct ContainerInfo {
  std::string key;         // "<kind>:<id>"
  std::string org_id;
  std::string project_id;  // of the experiment/dataset; the project for logs
};

class Api {
 public:
  Api(ApiOptions options, engine::Engine* engine, meta::Store* store);
  http::Response Handle(const http::Request& request);

  // --- used by handlers ---
  struct Call {
    const http::Request& req;
    meta::Principal who;
    json::Value body;                 // parsed JSON body (null when none)
    std::vector<std::string> params;  // the {…} segments of the route, in order
  };
  using Handler = std::function<Result<http::Response>(Call&)>;

  engine::Engine& engine() { return *engine_; }
  meta::Store& store() { return *store_; }
  const ApiOptions& options() const { return options_; }
  std::string BaseUrl(const http::Request& req) const;

  // Resolves a container kind ("project_logs", "experiment", "dataset",
  // "project_functions") and id within the caller's org, and checks that the
  // caller holds `need` on it (server/acl.h). NotFound (never "belongs to
  // another org") for another org's, a deleted, or an unknown id, and for an
  // experiment or dataset whose project is deleted; PermissionDenied when the
  // caller may not.
  Result<ContainerInfo> ResolveContainer(const meta::Principal& who, const std::string& kind,
                                         const std::string& id,
                                         acl::Permission need = acl::Permission::kRead);
  // Drops resolved containers: called after a project, experiment or dataset
  // is deleted so that its rows vanish from every read at once.
  void ForgetContainers();

  // Signed URLs for object bytes kept in the data directory (attachments,
  // overflow payloads): the URL carries an expiry and an HMAC, no auth header.
  std::string SignedObjectUrl(const http::Request& req, const std::string& object_key,
                              const std::string& method, int64_t ttl_seconds = 3600) const;
  std::string ObjectPath(const std::string& object_key) const;

  // Adds a route; `pattern` segments "{name}" match any one path segment.
  // `auth` = false for the few routes that carry their own proof (signed URLs)
  // or authenticate themselves (OTLP, whose errors have their own encoding).
  // `raw_body` = true leaves a body that is not JSON unparsed (call.body null).
  void Route(std::string method, std::string pattern, Handler h, bool auth = true,
             bool raw_body = false);
  // The caller named by "Authorization: Bearer <key>"; Unauthenticated when
  // the header is missing or the key unknown.
  Result<meta::Principal> Authenticate(const http::Request& req);
  // Answers GET/HEAD requests that no route matches, when it returns a
  // response (the web UI's files and app paths, wire_ui.cc); else 404.
  using Fallback = std::function<std::optional<http::Response>(const http::Request&)>;
  void SetFallback(Fallback fallback) { fallback_ = std::move(fallback); }

 private:
  struct RouteEntry {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    bool auth;
    bool raw_body;
  };
  const RouteEntry* Match(const http::Request& req, std::vector<std::string>& params) const;
  Result<ContainerInfo> LookupContainer(const meta::Principal& who, const std::string& kind,
                                        const std::string& id);
  Result<http::Response> Dispatch(const http::Request& req);

  ApiOptions options_;
  engine::Engine* engine_;
  meta::Store* store_;
  std::vector<RouteEntry> routes_;
  Fallback fallback_;  // set once, before serving

  std::mutex cache_mu_;
  std::unordered_map<std::string, ContainerInfo> container_cache_;
};

// Status → HTTP status and {"error": message}; a 503 (Unavailable) also
// carries Retry-After.
http::Response ErrorResponse(const Status& status);
http::Response JsonResponse(const json::Value& body, int status = 200);

// Adapts a free function handler `fn(Api&, Call&)` to a route handler.
inline Api::Handler Bind(Api& api, Result<http::Response> (*fn)(Api&, Api::Call&)) {
  return [&api, fn](Api::Call& c) { return fn(api, c); };
}

// Registration of handlers by area (each in its own file).
void RegisterObjectRoutes(Api& api);
void RegisterDataRoutes(Api& api);
void RegisterSummaryRoutes(Api& api);
void RegisterAttachmentRoutes(Api& api);
void RegisterRestRoutes(Api& api);  // public REST v1 resources (wire_rest*.cc)
void RegisterOtelRoutes(Api& api);  // OTLP/HTTP trace ingest (wire_otel.cc)
void RegisterUiRoutes(Api& api);    // the web UI and its live tail (wire_ui.cc)

// Checks the expiry and HMAC of a URL made by Api::SignedObjectUrl().
Status VerifyObjectSignature(const ApiOptions& options, const http::Request& req,
                             const std::string& object_key);

// Small accessors for request bodies with errors that name the field.
Result<std::string> RequireString(const json::Value& body, const char* key);
std::optional<std::string> OptString(const json::Value& body, const char* key);

}  // namespace spanlake::server
