// The metadata schema as an ordered list of migrations. Migration i takes a
// store from schema version i to i+1 (PRAGMA user_version); each is applied
// in its own transaction at open. Released migrations are never edited:
// changes go in a new entry at the end. See docs/formats/metadata.md.
#pragma once

#include <array>
#include <string_view>

namespace spanlake::meta {

inline constexpr std::array<std::string_view, 1> kMigrations = {
    // 0 -> 1: orgs, users, hashed API keys, generic control-plane objects.
    R"sql(
CREATE TABLE orgs (
  id      TEXT PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL
);
CREATE TABLE users (
  id      TEXT PRIMARY KEY,
  org_id  TEXT NOT NULL REFERENCES orgs(id),
  name    TEXT NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (org_id, name)
);
CREATE TABLE api_keys (
  id       TEXT PRIMARY KEY,
  org_id   TEXT NOT NULL REFERENCES orgs(id),
  user_id  TEXT NOT NULL REFERENCES users(id),
  name     TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  preview  TEXT NOT NULL,
  created  TEXT NOT NULL
);
CREATE TABLE objects (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,
  id         TEXT NOT NULL UNIQUE,
  org_id     TEXT NOT NULL REFERENCES orgs(id),
  parent_id  TEXT NOT NULL DEFAULT '',
  name       TEXT NOT NULL,
  doc        TEXT NOT NULL,
  created    TEXT NOT NULL,
  deleted_at TEXT NULL
);
CREATE UNIQUE INDEX objects_live_name ON objects (kind, org_id, parent_id, name)
  WHERE deleted_at IS NULL;
CREATE INDEX objects_by_kind_org ON objects (kind, org_id, seq);
)sql",
};

}  // namespace spanlake::meta
