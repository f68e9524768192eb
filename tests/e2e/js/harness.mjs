// Test harness for the Spanlake end-to-end tests driven by the official Braintrust SDK.
//
// It starts the server binary on a fresh data directory, kills it (SIGTERM or SIGKILL), restarts
// it on the same directory, talks raw HTTP to it, reads objects back through POST /btql, and
// points the SDK's process-global state at it. Every wait is bounded so a hung server fails the
// test instead of hanging the run.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..", "..", "..");
export const SPANLAKE_BIN =
  process.env.SPANLAKE_BIN || path.join(REPO_ROOT, "build", "spanlake");

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const HTTP_TIMEOUT_MS = 60_000;
const OUTPUT_KEEP_CHARS = 64 * 1024;
const LISTENING_RE = /listening on http:\/\/127\.0\.0\.1:(\d+)/;

// Children still alive when this process exits are killed so a failed run leaves no server behind.
const liveChildren = new Set();
process.on("exit", () => {
  for (const child of liveChildren) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

export function newApiKey() {
  return `sk-e2e-${randomBytes(24).toString("hex")}`;
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// One spanlake process bound to a data directory. The directory survives kill9()/stop() so the
// server can be restarted on it; dispose() removes it.
export class SpanlakeServer {
  constructor({ dataDir, adminKey, extraArgs }) {
    this.dataDir = dataDir;
    this.adminKey = adminKey;
    this.extraArgs = extraArgs;
    this.child = null;
    this.port = null;
    this.output = "";
  }

  static async start({ extraArgs = [], adminKey = newApiKey() } = {}) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "spanlake-e2e-js-"));
    const server = new SpanlakeServer({ dataDir, adminKey, extraArgs });
    try {
      await server.launch();
    } catch (e) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
    return server;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  // The last part of the server's stdout+stderr, for failure messages.
  outputTail(chars = 4000) {
    return this.output.slice(-chars);
  }

  async launch() {
    if (!fs.existsSync(SPANLAKE_BIN)) {
      throw new Error(
        `spanlake binary not found at ${SPANLAKE_BIN} (build it with scripts/build.sh or set SPANLAKE_BIN)`,
      );
    }
    const args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", this.dataDir, ...this.extraArgs];
    const child = spawn(SPANLAKE_BIN, args, {
      env: { ...process.env, SPANLAKE_ADMIN_KEY: this.adminKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.port = null;
    liveChildren.add(child);
    child.once("exit", () => liveChildren.delete(child));
    this.port = await this.waitForListening(child);
  }

  waitForListening(child) {
    return new Promise((resolve, reject) => {
      let pending = "";
      const fail = (message) => {
        clearTimeout(timer);
        reject(new Error(`${message}\n--- server output ---\n${this.outputTail()}`));
      };
      const onData = (chunk) => {
        const text = chunk.toString("utf8");
        this.output = (this.output + text).slice(-OUTPUT_KEEP_CHARS);
        pending += text;
        const match = LISTENING_RE.exec(pending);
        if (match) {
          clearTimeout(timer);
          child.removeListener("exit", onExit);
          resolve(Number(match[1]));
        }
      };
      const onExit = (code, signal) => fail(`spanlake exited during startup (code ${code}, signal ${signal})`);
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        fail(`spanlake did not print "listening on" within ${START_TIMEOUT_MS} ms`);
      }, START_TIMEOUT_MS);
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", onExit);
      child.once("error", (e) => fail(`cannot spawn ${SPANLAKE_BIN}: ${e.message}`));
    });
  }

  // SIGKILL: nothing gets a chance to flush. Returns once the process is gone.
  async kill9() {
    if (!this.running) return;
    this.child.kill("SIGKILL");
    if (!(await waitForExit(this.child, STOP_TIMEOUT_MS))) {
      throw new Error("spanlake did not die after SIGKILL");
    }
  }

  // SIGTERM, falling back to SIGKILL. Returns the exit code (null when it had to be killed).
  async stop() {
    if (!this.running) return this.child ? this.child.exitCode : null;
    this.child.kill("SIGTERM");
    if (await waitForExit(this.child, STOP_TIMEOUT_MS)) return this.child.exitCode;
    await this.kill9();
    return null;
  }

  // Starts a new process on the same data directory and key. The port may change.
  async restart() {
    if (this.running) await this.stop();
    await this.launch();
  }

  async dispose() {
    if (this.child) await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// ---- raw HTTP ---------------------------------------------------------------------------------

// Sends one request. `body` is JSON-encoded; `rawBody` is sent verbatim. `apiKey: null` sends no
// Authorization header. Never throws on HTTP status; returns {status, headers, text, json}.
export async function http(server, method, urlPath, options = {}) {
  const { body, rawBody, headers = {} } = options;
  const apiKey = options.apiKey === undefined ? server.adminKey : options.apiKey;
  const allHeaders = { Accept: "application/json", ...headers };
  if (apiKey !== null) allHeaders.Authorization = `Bearer ${apiKey}`;
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    allHeaders["Content-Type"] ??= "application/json";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    allHeaders["Content-Type"] = "application/json";
  }
  const response = await fetch(`${server.url}${urlPath}`, {
    method,
    headers: allHeaders,
    body: payload,
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

// Like http() but throws unless the status is 2xx; returns the parsed JSON body.
export async function httpJson(server, method, urlPath, options = {}) {
  const res = await http(server, method, urlPath, options);
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`${method} ${urlPath} -> ${res.status}: ${res.text.slice(0, 2000)}`);
  }
  if (res.json === undefined) {
    throw new Error(`${method} ${urlPath} -> ${res.status} with a non-JSON body: ${res.text.slice(0, 500)}`);
  }
  return res.json;
}

// Logs in with the admin key and returns the org id.
export async function orgId(server) {
  const login = await httpJson(server, "POST", "/api/apikey/login");
  return login.org_info[0].id;
}

// Get-or-create a project by name over the control-plane endpoint the SDK uses.
export async function registerProject(server, name) {
  const org = await orgId(server);
  const res = await httpJson(server, "POST", "/api/project/register", {
    body: { project_name: name, org_id: org },
  });
  return res.project;
}

// ---- /btql ------------------------------------------------------------------------------------

export function btqlQuery(objectType, objectId, { filter, limit, cursor } = {}) {
  const query = {
    select: [{ op: "star" }],
    from: {
      op: "function",
      name: { op: "ident", name: [objectType] },
      args: [{ op: "literal", value: objectId }],
    },
  };
  if (filter !== undefined) query.filter = filter;
  if (limit !== undefined) query.limit = limit;
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

// Reads every row of project_logs/experiment/dataset `objectId`, following cursors.
export async function btqlRows(server, objectType, objectId, { filter, version, limit = 1000 } = {}) {
  const rows = [];
  let cursor;
  for (let page = 0; page < 10_000; page++) {
    const body = { query: btqlQuery(objectType, objectId, { filter, limit, cursor }) };
    if (version !== undefined) body.version = version;
    const res = await httpJson(server, "POST", "/btql", { body });
    if (!Array.isArray(res.data)) {
      throw new Error(`/btql answered without a data array: ${JSON.stringify(res).slice(0, 500)}`);
    }
    rows.push(...res.data);
    if (!res.cursor) return rows;
    cursor = res.cursor;
  }
  throw new Error("/btql paging did not terminate");
}

export function byId(rows) {
  const map = new Map();
  for (const row of rows) {
    if (map.has(row.id)) throw new Error(`row id ${row.id} appears twice in a read`);
    map.set(row.id, row);
  }
  return map;
}

// Posts rows straight to /logs3 in the SDK's envelope.
export function logs3(server, rows, options = {}) {
  return http(server, "POST", "/logs3", { ...options, body: { rows, api_version: 2 } });
}

// ---- SDK --------------------------------------------------------------------------------------

// Points the SDK's process-global state at `server` and logs in. Every HTTP call the SDK makes is
// recorded in `requests`, and background-flush errors (which flush() swallows) in `flushErrors`.
export async function connectSdk(server) {
  process.env.BRAINTRUST_APP_URL = server.url;
  process.env.BRAINTRUST_API_URL = server.url;
  process.env.BRAINTRUST_API_KEY = server.adminKey;
  const bt = await import("braintrust");
  const realFetch = globalThis.fetch;
  const requests = [];
  const flushErrors = [];
  bt.setFetch(async (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    const method = init?.method ?? "GET";
    const entry = { method, url, status: null, bytes: bodyBytes(init?.body) };
    requests.push(entry);
    const res = await realFetch(input, init);
    entry.status = res.status;
    return res;
  });
  await bt.login({ apiKey: server.adminKey, appUrl: server.url, forceLogin: true });
  const state = bt._internalGetGlobalState();
  state.bgLogger().onFlushError = (e) => flushErrors.push(e);
  return {
    bt,
    state,
    requests,
    flushErrors,
    // Throws, naming the failed calls, when a background flush reported an error.
    assertFlushed() {
      if (flushErrors.length === 0) return;
      const failed = requests.filter((r) => r.status === null || r.status >= 300);
      throw new Error(
        `SDK flush reported ${flushErrors.length} error(s): ${flushErrors.map(String).join(" | ")}\n` +
          `failed requests: ${JSON.stringify(failed)}\n--- server output ---\n${server.outputTail()}`,
      );
    },
    paths() {
      return requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);
    },
  };
}

function bodyBytes(body) {
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return null;
}

// ---- small assertions helpers ------------------------------------------------------------------

export const XACT_RE = /^\d{19}$/;
export const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

export function sortedStrings(values) {
  return [...values].sort();
}
