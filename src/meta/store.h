// The metadata store: orgs, API keys, and the control-plane objects
// (projects, experiments, datasets, dataset snapshots, ...).
//
// Objects are kept generically: each has a kind ("project", "experiment",
// "dataset", "dataset_snapshot", ...), an id (UUID), the org it belongs to, an
// optional parent id (the project of an experiment, the dataset of a
// snapshot), a name unique among live objects of the same kind, org and
// parent, and its JSON document (the object as the API returns it). Deletes
// are soft: `deleted_at` is set and the object leaves every lookup and list.
//
// Every call takes the caller's org id and never sees another org's objects.
// Thread-safe; several processes may open the same store (the operator's
// `spanlake keys create` runs beside a live server).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::meta {

struct Org {
  std::string id;
  std::string name;
  std::string created;  // ISO-8601
};

// Who a request acts as, from its API key.
struct Principal {
  std::string org_id;
  std::string org_name;
  std::string user_id;
  std::string key_id;
  // True for keys added by AddApiKey: they act as the org's owner user, who
  // holds every permission. Keys added by AddUserApiKey act as a member user,
  // whose permissions come only from ACLs (see server/acl.h).
  bool owner = false;
};

// An API key as listed: never its hash or plaintext.
struct ApiKeyInfo {
  std::string id;
  std::string org_id;
  std::string user_id;
  std::string name;
  std::string preview;  // a short prefix of the key and "..."
  std::string created;  // ISO-8601
  bool owner = false;   // acts as the org's owner user (see Principal::owner)
};

struct ListOptions {
  std::optional<std::string> parent_id;
  std::optional<std::string> name;
  std::vector<std::string> ids;             // empty = any
  size_t limit = 1000;
  std::optional<std::string> starting_after;  // object id: list objects after it
  std::optional<std::string> ending_before;   // object id: list objects before it
};

// An object as background retention sees it (see Store::GetObjectState).
struct ObjectState {
  json::Value doc;
  bool deleted = false;  // soft-deleted (deleted_at set)
};

class Store {
 public:
  virtual ~Store() = default;

  // --- orgs and keys ---
  // Returns the org with this name, creating it when absent.
  virtual Result<Org> EnsureOrg(const std::string& name) = 0;
  virtual Result<std::optional<Org>> GetOrg(const std::string& org_id) = 0;
  virtual Result<std::vector<Org>> ListOrgs() = 0;
  // Stores SHA-256(plaintext_key) for a key of (a user of) the org. The
  // plaintext is never stored. AlreadyExists if the same key is registered.
  virtual Result<Principal> AddApiKey(const std::string& org_id, const std::string& plaintext_key,
                                      const std::string& key_name) = 0;
  // Unauthenticated when the key is unknown (the message never echoes the key).
  virtual Result<Principal> Authenticate(const std::string& plaintext_key) = 0;
  // Stores SHA-256(plaintext_key) for a key acting as member user `user_id`
  // of the org (Principal::owner false). The user's row is created when
  // absent. InvalidArgument when `user_id` is the org's owner user or a user
  // of another org; NotFound when the org does not exist; AlreadyExists if the
  // same key is registered.
  virtual Result<Principal> AddUserApiKey(const std::string& org_id, const std::string& user_id,
                                          const std::string& plaintext_key,
                                          const std::string& key_name) = 0;
  // Every key of the org, oldest first.
  virtual Result<std::vector<ApiKeyInfo>> ListApiKeys(const std::string& org_id) = 0;
  // Revokes a key: it never authenticates again. NotFound when the org has no
  // such key (including another org's key).
  virtual Status DeleteApiKey(const std::string& org_id, const std::string& key_id) = 0;

  // --- generic objects ---
  // Inserts `doc` (which must hold "id"). AlreadyExists when a live object of
  // the same kind/org/parent has `name`.
  virtual Status CreateObject(const std::string& kind, const std::string& org_id,
                              const std::string& parent_id, const std::string& name,
                              const json::Value& doc) = 0;
  virtual Result<std::optional<json::Value>> GetObject(const std::string& kind,
                                                       const std::string& org_id,
                                                       const std::string& id) = 0;
  virtual Result<std::optional<json::Value>> FindObjectByName(const std::string& kind,
                                                              const std::string& org_id,
                                                              const std::string& parent_id,
                                                              const std::string& name) = 0;
  // Newest first (by creation order), at most `limit`.
  virtual Result<std::vector<json::Value>> ListObjects(const std::string& kind,
                                                       const std::string& org_id,
                                                       const ListOptions& options) = 0;
  // Replaces the document (and name) of a live object. NotFound when absent.
  virtual Status UpdateObject(const std::string& kind, const std::string& org_id,
                              const std::string& id, const std::string& name,
                              const json::Value& doc) = 0;
  // Soft delete. NotFound when absent.
  virtual Status DeleteObject(const std::string& kind, const std::string& org_id,
                              const std::string& id) = 0;

  // The object `id` of `kind`, live or soft-deleted (a live one wins);
  // nullopt when none has that id. NOT org-scoped: only for the engine's
  // background retention (server/retention.h), never to answer a request.
  virtual Result<std::optional<ObjectState>> GetObjectState(const std::string& kind,
                                                            const std::string& id) = 0;
};

// SQLite in a file (WAL journal mode, busy timeout so that several processes
// can share it). Applies schema migrations on open.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// PostgreSQL (15 or later) at `conninfo`, a libpq URL or keyword string.
// Applies schema migrations on open under an advisory lock, so several
// nodes may start at once. Holds a small pool of connections and reconnects
// when one breaks; a call that cannot reach the server fails Unavailable.
// Opening fails IOError when the server is unreachable.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo);

// True for "postgres://" and "postgresql://" URLs.
bool IsPostgresUrl(const std::string& url_or_path);

// PostgreSQL for a postgres:// or postgresql:// URL, else SQLite at the path.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url_or_path);

}  // namespace spanlake::meta
