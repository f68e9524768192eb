// Helpers for the REST suite: servers (SQLite or, with SPANLAKE_REST_PG_URL,
// a fresh PostgreSQL database each), raw requests, extra orgs and member users.
// Servers come from the shared harness (tests/e2e/js/harness.mjs).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

import { SPANLAKE_BIN, SpanlakeServer, http } from "../js/harness.mjs";

export { SpanlakeServer };

const PSQL = "/usr/lib/postgresql/15/bin/psql";
const CLI_TIMEOUT_MS = 60_000;

export function uniq(prefix) {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

// A database of its own on the test PostgreSQL server, as a URL.
function newPgDatabase(baseUrl) {
  const name = `rest_${randomBytes(6).toString("hex")}`;
  const res = spawnSync(PSQL, ["-q", "-X", "-v", "ON_ERROR_STOP=1", baseUrl, "-c", `CREATE DATABASE ${name}`], {
    encoding: "utf8",
    timeout: CLI_TIMEOUT_MS,
  });
  if (res.status !== 0) throw new Error(`CREATE DATABASE failed: ${res.stderr || res.error}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// Starts a server on a fresh data directory (and metadata store).
export async function startServer() {
  const pg = process.env.SPANLAKE_REST_PG_URL;
  const metadata = pg ? newPgDatabase(pg) : null;
  const server = await SpanlakeServer.start({ extraArgs: metadata ? ["--metadata", metadata] : [] });
  server.metadata = metadata;
  return server;
}

// Another org with an owner key, made by the operator's CLI beside the live server.
export function createOrg(server, orgName) {
  const args = ["keys", "create", "--org", orgName, "--data-dir", server.dataDir, "--name", "ops"];
  if (server.metadata) args.push("--metadata", server.metadata);
  const res = spawnSync(SPANLAKE_BIN, args, { encoding: "utf8", timeout: CLI_TIMEOUT_MS });
  if (res.status !== 0) throw new Error(`spanlake keys create failed: ${res.stderr || res.error}`);
  return res.stdout.trim();
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

// One request; `key` defaults to the admin key. Returns {status, json, text}.
export function call(server, method, path, { key, body, query } = {}) {
  return http(server, method, withQuery(path, query), { apiKey: key === undefined ? server.adminKey : key, body });
}

// Like call() but asserts a 2xx status and returns the JSON body.
export async function ok(server, method, path, opts = {}) {
  const res = await call(server, method, path, opts);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} -> ${res.status}: ${res.text.slice(0, 1000)}`);
  return res.json;
}

// Asserts the status of a request and returns the response.
export async function expectStatus(server, status, method, path, opts = {}) {
  const res = await call(server, method, path, opts);
  const expected = Array.isArray(status) ? status : [status];
  assert.ok(expected.includes(res.status), `${method} ${path} -> ${res.status} (want ${expected}): ${res.text.slice(0, 500)}`);
  return res;
}

// A member user of the admin key's org with a key of its own: {id, email, key}.
export async function newMember(server, email = `${uniq("user")}@example.com`, key = server.adminKey) {
  const res = await ok(server, "PATCH", "/v1/organization/members", { key, body: { invite_users: { emails: [email] } } });
  const id = res.added_users.find((u) => u.email === email).id;
  const created = await ok(server, "POST", "/v1/api_key", { key, body: { name: `key-of-${email}`, user_id: id } });
  return { id, email, key: created.key };
}

export function ids(objects) {
  return objects.map((o) => o.id);
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const XACT_RE = /^\d{19}$/;
