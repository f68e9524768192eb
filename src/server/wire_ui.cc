// The web UI (docs/ui.md): its built files, embedded in the binary
// (ui_assets.h), served at "/" and their own paths, the single-page app's
// fallback for browser navigations, and the live-tail long-poll.
#include <atomic>
#include <chrono>

#include "engine/xact.h"
#include "server/api.h"
#include "server/ui_assets.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;

// Waiters hold a worker of the HTTP pool (8) while they wait: at most this
// many wait at once so queries and writes always have workers left.
constexpr int kMaxWaiters = 4;
// Short enough that a server shutting down is not held up for long by an
// open browser tab, long enough that an idle tab costs little.
constexpr auto kWaitTimeout = std::chrono::seconds(10);

std::atomic<int> g_waiters{0};

const UiAsset* FindAsset(const std::string& path) {
  for (const UiAsset& a : UiAssets()) {
    if (path == a.path) return &a;
  }
  return nullptr;
}

constexpr char kNotBuiltPage[] =
    "<!doctype html><meta charset=utf-8><title>Spanlake</title>"
    "<h1>Spanlake</h1><p>The web UI was not built into this binary (web/dist was missing "
    "at build time). Install Node.js and run <code>scripts/build.sh</code>, which builds "
    "web/ with Vite before compiling. The API is served as usual.</p>";

http::Response AssetResponse(const http::Request& req, const UiAsset& a) {
  http::Response r;
  r.content_type = a.content_type;
  // Vite puts a content hash in every name under /assets/: cache forever.
  // index.html (and other unhashed files) must be revalidated each time.
  const bool hashed = std::string_view(a.path).starts_with("/assets/");
  r.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("ETag", a.etag);
  const std::string* match = req.Header("if-none-match");
  if (match != nullptr && *match == a.etag) {
    r.status = 304;
    return r;
  }
  r.body.assign(reinterpret_cast<const char*>(a.data), a.size);
  return r;
}

http::Response IndexResponse(const http::Request& req) {
  if (const UiAsset* index = FindAsset("/index.html")) return AssetResponse(req, *index);
  http::Response r;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.body = kNotBuiltPage;
  return r;
}

bool AcceptsHtml(const http::Request& req) {
  const std::string* accept = req.Header("accept");
  return accept != nullptr && accept->find("text/html") != std::string::npos;
}

// {"xact_id", "changed"[, "busy"]}: xact_id is the container's newest
// transaction when it is newer than `after` (changed), else `after`.
json::Object WaitAnswer(uint64_t newest, uint64_t after) {
  const bool changed = newest > after;
  return json::Object{{"xact_id", engine::XactToString(changed ? newest : after)}, {"changed", changed}};
}

// GET /ui/v1/wait?object=<kind>:<id>&after_xact=<xact>: answers once a
// transaction newer than after_xact that wrote to that container (project
// logs, experiment or dataset the caller may read) is visible, or after
// kWaitTimeout. Writes to other containers do not answer it. "busy": true,
// at once, when too many wait already (the client retries later).
Result<http::Response> Wait(Api& api, Call& call) {
  const std::string* object = call.req.Query("object");
  const std::string* after_text = call.req.Query("after_xact");
  if (object == nullptr || object->find(':') == std::string::npos) {
    return Status::InvalidArgument("query parameter 'object' is required as '<kind>:<id>'");
  }
  size_t colon = object->find(':');
  ASSIGN_OR_RETURN(ContainerInfo info,
                   api.ResolveContainer(call.who, object->substr(0, colon), object->substr(colon + 1)));
  std::optional<uint64_t> after = after_text ? engine::ParseXact(*after_text) : std::nullopt;
  if (!after) return Status::InvalidArgument("query parameter 'after_xact' must be a transaction id");
  if (g_waiters.fetch_add(1) >= kMaxWaiters) {
    g_waiters.fetch_sub(1);
    json::Object answer = WaitAnswer(api.engine().ContainerXact(info.key), *after);
    answer.set("busy", true);
    return JsonResponse(std::move(answer));
  }
  uint64_t newest = api.engine().WaitForContainerXactAfter(info.key, *after, kWaitTimeout);
  g_waiters.fetch_sub(1);
  return JsonResponse(WaitAnswer(newest, *after));
}

}  // namespace

void RegisterUiRoutes(Api& api) {
  api.Route("GET", "/", [](Call& c) -> Result<http::Response> { return IndexResponse(c.req); },
            false);
  api.Route("GET", "/ui/v1/wait", Bind(api, Wait));
  // Paths no API route claims: an embedded file, else the app itself for a
  // browser navigation (its router reads the path), else the API's 404.
  api.SetFallback([](const http::Request& req) -> std::optional<http::Response> {
    if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
    if (const UiAsset* a = FindAsset(req.path)) return AssetResponse(req, *a);
    if (AcceptsHtml(req)) return IndexResponse(req);
    return std::nullopt;
  });
}

}  // namespace spanlake::server
