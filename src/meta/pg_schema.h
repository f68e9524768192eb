// The metadata schema for PostgreSQL, as an ordered list of migrations:
// migration i takes a database from version i to i+1 and records i+1 in
// schema_migrations. The same tables, columns and indexes as the SQLite
// schema (schema.h), in PostgreSQL's dialect; each released version of one
// has its counterpart in the other. Released migrations are never edited.
// See docs/formats/metadata.md.
#pragma once

#include <array>
#include <string_view>

namespace spanlake::meta {

// Created (if absent) under the migration lock before the version is read.
inline constexpr std::string_view kPgMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  applied_at TEXT NOT NULL
)
)sql";

// The transaction-scoped advisory lock that serializes migrations among
// nodes starting at once ("spanlake" in ASCII).
inline constexpr std::string_view kPgMigrationLockKey = "8318255638645926757";

inline constexpr std::array<std::string_view, 1> kPgMigrations = {
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
  seq      BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,  -- SQLite's rowid: listing order
  id       TEXT PRIMARY KEY,
  org_id   TEXT NOT NULL REFERENCES orgs(id),
  user_id  TEXT NOT NULL REFERENCES users(id),
  name     TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  preview  TEXT NOT NULL,
  created  TEXT NOT NULL
);
CREATE TABLE objects (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
