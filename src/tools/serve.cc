// `spanlake serve`: opens (or initializes) a data directory and serves the
// API until SIGINT/SIGTERM.
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/file.h"
#include "base/log.h"
#include "base/random.h"
#include "engine/engine.h"
#include "http/http.h"
#include "meta/store.h"
#include "server/api.h"
#include "server/retention.h"
#include "tools/commands.h"

namespace spanlake::tools {

namespace {

constexpr const char* kServeHelp =
    "usage: spanlake serve [flags]\n"
    "  --listen HOST:PORT              address to serve on (default 127.0.0.1:8000; port 0 = any free port)\n"
    "  --data-dir DIR                  where data lives (default ./spanlake-data)\n"
    "  --metadata URL|PATH             metadata store: postgres://... (PostgreSQL) or a SQLite file\n"
    "                                  (default DIR/meta.db)\n"
    "  --public-url URL                base URL clients use to reach this server (default: from Host)\n"
    "  --max-body-bytes N              request body limit after decompression (default 67108864)\n"
    "  --logs3-payload-max-bytes N     payload size advertised to SDKs (default 5242880)\n"
    "  --worker-threads N              request handler threads (default 16)\n"
    "  --object-store URL              segments and manifests: s3://bucket[/prefix], file:/dir or /dir\n"
    "                                  (default DIR/store)\n"
    "  --seal-bytes N                  seal the memtable into a segment past N bytes (default 67108864)\n"
    "  --seal-seconds N                ... or when its oldest write is N seconds old (default 60; 0 = never)\n"
    "  --max-unsealed-mb N             writes wait (then fail 503) while memtables waiting to be sealed\n"
    "                                  hold N MiB of writes (default 0 = 4 x seal-bytes)\n"
    "  --max-write-stall-seconds N     how long such a write waits before the 503 (default 10)\n"
    "  --seal-threads N                memtables built into segments at once (default 2)\n"
    "  --compaction on|off             merge segments in the background (default on)\n"
    "  --compaction-fanout N           merge N adjacent segments of one size tier (default 4)\n"
    "  --compaction-max-bytes N        cap on a merged segment's input bytes (default 1073741824)\n"
    "  --history-days N                version history kept for \"as of\" reads; older versions are folded\n"
    "                                  by compaction (default 7; -1 = keep all)\n"
    "  --delete-grace-seconds N        replaced segments stay readable this long (default 600)\n"
    "  --retention-days N              purge rows created more than N days ago (default 0 = keep forever)\n"
    "environment:\n"
    "  SPANLAKE_ADMIN_KEY              admin API key to register for the first org (else one is generated)\n";

struct Flags {
  std::map<std::string, std::string> f{{"listen", "127.0.0.1:8000"}, {"data-dir", "./spanlake-data"},
                                       {"metadata", ""},
                                       {"public-url", ""}, {"max-body-bytes", "67108864"},
                                       {"logs3-payload-max-bytes", "5242880"},
                                       {"worker-threads", "16"}, {"help", ""},
                                       {"object-store", ""}, {"seal-bytes", "67108864"},
                                       {"seal-seconds", "60"}, {"compaction", "on"},
                                       {"compaction-fanout", "4"}, {"compaction-max-bytes", "1073741824"},
                                       {"history-days", "7"}, {"delete-grace-seconds", "600"},
                                       {"retention-days", "0"}, {"max-unsealed-mb", "0"},
                                       {"max-write-stall-seconds", "10"}, {"seal-threads", "2"}};
};

Result<int64_t> ParseInt(const std::string& flag, const std::string& v, int64_t min) {
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < min) {
    return Status::InvalidArgument("--" + flag + " must be an integer >= " + std::to_string(min));
  }
  return static_cast<int64_t>(n);
}

// On an empty data directory: an org and an admin key. The key comes from
// SPANLAKE_ADMIN_KEY, or is generated and written to <data-dir>/admin-key
// (mode 0600). With SPANLAKE_ADMIN_KEY set on a later start, that key is
// registered if it is new, so automation can always use it.
Status Bootstrap(meta::Store& store, const std::string& data_dir) {
  ASSIGN_OR_RETURN(std::vector<meta::Org> orgs, store.ListOrgs());
  const char* env_key = std::getenv("SPANLAKE_ADMIN_KEY");
  if (!orgs.empty()) {
    if (env_key == nullptr || *env_key == '\0') return Status::Ok();
    if (store.Authenticate(env_key).ok()) return Status::Ok();
    return store.AddApiKey(orgs[0].id, env_key, "admin").status();
  }
  ASSIGN_OR_RETURN(meta::Org org, store.EnsureOrg("spanlake"));
  std::string key = env_key && *env_key ? std::string(env_key) : "sk-" + RandomHex(24);
  RETURN_IF_ERROR(store.AddApiKey(org.id, key, "admin").status());
  if (env_key && *env_key) {
    LogInfo("created org 'spanlake' with the admin key from SPANLAKE_ADMIN_KEY");
    return Status::Ok();
  }
  std::string path = data_dir + "/admin-key";
  RETURN_IF_ERROR(WriteFileAtomic(path, key + "\n", 0600));
  LogInfo("created org 'spanlake'; its admin API key is in " + path + " (readable only by you)");
  return Status::Ok();
}

Result<std::string> SigningSecret(const std::string& data_dir) {
  std::string path = data_dir + "/signing-secret";
  Result<std::string> existing = ReadFile(path);
  if (existing.ok() && existing->size() >= 32) return *existing;
  std::string secret = RandomHex(32);
  RETURN_IF_ERROR(WriteFileAtomic(path, secret, 0600));
  return secret;
}

Result<http::Options> HttpOptions(Flags& flags) {
  http::Options o;
  const std::string& listen = flags.f["listen"];
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen must be HOST:PORT");
  o.host = listen.substr(0, colon);
  ASSIGN_OR_RETURN(int64_t port, ParseInt("listen", listen.substr(colon + 1), 0));
  if (port > 65535) return Status::InvalidArgument("--listen port must be at most 65535");
  o.port = static_cast<uint16_t>(port);
  ASSIGN_OR_RETURN(int64_t max_body, ParseInt("max-body-bytes", flags.f["max-body-bytes"], 1024));
  o.max_body_bytes = static_cast<size_t>(max_body);
  ASSIGN_OR_RETURN(int64_t workers, ParseInt("worker-threads", flags.f["worker-threads"], 1));
  o.worker_threads = static_cast<int>(workers);
  return o;
}

Status CompactionOptions(Flags& flags, engine::Options* o) {
  const std::string& on = flags.f["compaction"];
  if (on != "on" && on != "off") return Status::InvalidArgument("--compaction must be on or off");
  o->background_compaction = on == "on";
  ASSIGN_OR_RETURN(int64_t fanout, ParseInt("compaction-fanout", flags.f["compaction-fanout"], 2));
  ASSIGN_OR_RETURN(int64_t max_bytes, ParseInt("compaction-max-bytes", flags.f["compaction-max-bytes"], 1));
  ASSIGN_OR_RETURN(int64_t history, ParseInt("history-days", flags.f["history-days"], -1));
  ASSIGN_OR_RETURN(int64_t grace, ParseInt("delete-grace-seconds", flags.f["delete-grace-seconds"], 0));
  ASSIGN_OR_RETURN(int64_t retention, ParseInt("retention-days", flags.f["retention-days"], 0));
  if (retention > 100000) return Status::InvalidArgument("--retention-days must be at most 100000");
  o->compaction.fanout = static_cast<size_t>(fanout);
  o->compaction.max_output_bytes = static_cast<uint64_t>(max_bytes);
  // Segments up to a few seals' worth share the lowest tier.
  o->compaction.base_bytes = std::max<uint64_t>(o->seal_bytes / 4, 1);
  o->history_seconds = history < 0 ? UINT64_MAX : static_cast<uint64_t>(history) * 86400;
  o->delete_grace_seconds = static_cast<uint64_t>(grace);
  o->retention_days = static_cast<uint32_t>(retention);
  return Status::Ok();
}

Status BackpressureOptions(Flags& flags, engine::Options* o) {
  ASSIGN_OR_RETURN(int64_t unsealed_mb, ParseInt("max-unsealed-mb", flags.f["max-unsealed-mb"], 0));
  ASSIGN_OR_RETURN(int64_t stall, ParseInt("max-write-stall-seconds", flags.f["max-write-stall-seconds"], 0));
  ASSIGN_OR_RETURN(int64_t threads, ParseInt("seal-threads", flags.f["seal-threads"], 1));
  if (unsealed_mb > (int64_t{1} << 40)) return Status::InvalidArgument("--max-unsealed-mb is too large");
  if (threads > 64) return Status::InvalidArgument("--seal-threads must be at most 64");
  o->max_frozen_bytes = static_cast<uint64_t>(unsealed_mb) << 20;
  o->max_write_stall = std::chrono::seconds(stall);
  o->seal_threads = static_cast<int>(threads);
  return Status::Ok();
}

Result<engine::Options> EngineOptions(Flags& flags, const std::string& data_dir) {
  engine::Options o{.data_dir = data_dir, .object_store_url = flags.f["object-store"]};
  ASSIGN_OR_RETURN(int64_t seal_bytes, ParseInt("seal-bytes", flags.f["seal-bytes"], 1));
  ASSIGN_OR_RETURN(int64_t seal_seconds, ParseInt("seal-seconds", flags.f["seal-seconds"], 0));
  o.seal_bytes = static_cast<uint64_t>(seal_bytes);
  o.seal_seconds = static_cast<uint64_t>(seal_seconds);
  RETURN_IF_ERROR(BackpressureOptions(flags, &o));
  RETURN_IF_ERROR(CompactionOptions(flags, &o));
  return o;
}

// glibc gives each thread that allocates concurrently its own arena, up to
// 8 per core, and freed memory stays in the arena it came from. With 16
// request workers each decoding rows for a scan, that kept ~2 GB resident
// after the 100k benchmark's queries (docs/benchmarks.md). One arena per
// core bounds it; MALLOC_ARENA_MAX in the environment still wins.
void LimitMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  unsigned cores = std::max(2u, std::thread::hardware_concurrency());
  mallopt(M_ARENA_MAX, static_cast<int>(cores));
}

Status Run(Flags& flags, const sigset_t& signals) {
  LimitMallocArenas();  // before any thread starts
  const std::string data_dir = flags.f["data-dir"];
  ASSIGN_OR_RETURN(http::Options http_options, HttpOptions(flags));
  ASSIGN_OR_RETURN(int64_t payload_max, ParseInt("logs3-payload-max-bytes", flags.f["logs3-payload-max-bytes"], 1024));
  RETURN_IF_ERROR(CreateDirs(data_dir));
  ::chmod(data_dir.c_str(), 0700);
  const std::string& metadata = flags.f["metadata"];
  ASSIGN_OR_RETURN(std::unique_ptr<meta::Store> store,
                   meta::OpenStore(metadata.empty() ? MetaPath(data_dir) : metadata));
  RETURN_IF_ERROR(Bootstrap(*store, data_dir));
  ASSIGN_OR_RETURN(engine::Options engine_options, EngineOptions(flags, data_dir));
  engine_options.retention = server::MakeRetentionFn(store.get());  // store outlives the engine
  ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open(engine_options));
  server::ApiOptions api_options{.data_dir = data_dir, .public_url = flags.f["public-url"],
                                 .logs3_payload_max_bytes = payload_max};
  ASSIGN_OR_RETURN(api_options.signing_secret, SigningSecret(data_dir));
  server::Api api(std::move(api_options), engine.get(), store.get());
  ASSIGN_OR_RETURN(std::unique_ptr<http::Server> http_server,
                   http::Server::Start(http_options, [&api](const http::Request& r) { return api.Handle(r); }));
  LogInfo("spanlake listening on http://" + http_options.host + ":" +
          std::to_string(http_server->port()) + " (data in " + data_dir +
          (meta::IsPostgresUrl(metadata) ? ", metadata in PostgreSQL" : "") + ")");
  int sig = 0;
  sigwait(&signals, &sig);
  LogInfo(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
  http_server->Stop();
  return Status::Ok();
}

}  // namespace

int Serve(const std::vector<std::string>& args) {
  Flags flags;
  if (!ParseFlags(args, flags.f)) return 2;
  if (!flags.f["help"].empty()) {
    std::fputs(kServeHelp, stdout);
    return 0;
  }
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Status st = Run(flags, signals);
  if (!st.ok()) {
    LogError("spanlake serve: " + st.ToString());
    return 1;
  }
  return 0;
}

}  // namespace spanlake::tools
