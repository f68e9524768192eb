// The operator's side: first start on an empty data directory (org + admin key, key file readable
// only by its owner), `spanlake keys create` beside a running server, keys stored hashed, and the
// isolation between the orgs those keys belong to.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

import { SPANLAKE_BIN } from "./harness.mjs";

const run = promisify(execFile);

// Starts `spanlake serve` without SPANLAKE_ADMIN_KEY; resolves with {child, url, log}.
function startBare(dataDir) {
  const env = { ...process.env };
  delete env.SPANLAKE_ADMIN_KEY;
  const child = spawn(SPANLAKE_BIN, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], log });
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
}

async function call(url, key, method, urlPath, body) {
  const res = await fetch(url + urlPath, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

test("first start creates an org and an owner-only admin key; keys create works while serving", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "spanlake-cli-"));
  const { child, url, log } = await startBare(dataDir);
  try {
    const keyFile = path.join(dataDir, "admin-key");
    assert.match(log, new RegExp(keyFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const adminKey = fs.readFileSync(keyFile, "utf8").trim();
    assert.match(adminKey, /^sk-[0-9a-f]{48}$/);

    const login = await call(url, adminKey, "POST", "/api/apikey/login");
    assert.equal(login.status, 200);
    const orgA = login.json.org_info[0];
    assert.equal(orgA.name, "spanlake");

    const { stdout } = await run(SPANLAKE_BIN, ["keys", "create", "--org", "other", "--data-dir", dataDir]);
    const otherKey = stdout.trim();
    assert.match(otherKey, /^sk-[0-9a-f]{48}$/);
    const loginB = await call(url, otherKey, "POST", "/api/apikey/login");
    assert.equal(loginB.status, 200);
    assert.equal(loginB.json.org_info[0].name, "other");
    assert.notEqual(loginB.json.org_info[0].id, orgA.id);

    // Keys are stored hashed: neither plaintext appears in the metadata files.
    for (const f of fs.readdirSync(dataDir).filter((n) => n.startsWith("meta.db"))) {
      const bytes = fs.readFileSync(path.join(dataDir, f)).toString("latin1");
      assert.ok(!bytes.includes(adminKey), `admin key in plaintext in ${f}`);
      assert.ok(!bytes.includes(otherKey), `new key in plaintext in ${f}`);
    }

    // Org isolation between the two keys.
    const project = (await call(url, adminKey, "POST", "/api/project/register", { project_name: "mine" })).json.project;
    const row = { id: "r1", project_id: project.id, log_id: "g", input: "secret" };
    assert.equal((await call(url, adminKey, "POST", "/logs3", { rows: [row] })).status, 200);
    const lookup = await call(url, otherKey, "POST", "/api/project/get", { name: "mine" });
    assert.deepEqual(lookup.json, []);
    const write = await call(url, otherKey, "POST", "/logs3", { rows: [{ ...row, id: "r2" }] });
    assert.equal(write.status, 404);
    assert.doesNotMatch(JSON.stringify(write.json), /secret|spanlake/);
    const read = await call(url, otherKey, "POST", "/btql", {
      query: {
        select: [{ op: "star" }],
        from: { op: "function", name: { op: "ident", name: ["project_logs"] }, args: [{ op: "literal", value: project.id }] },
      },
    });
    assert.equal(read.status, 404);
    const mine = await call(url, adminKey, "POST", "/btql", {
      query: {
        select: [{ op: "star" }],
        from: { op: "function", name: { op: "ident", name: ["project_logs"] }, args: [{ op: "literal", value: project.id }] },
      },
    });
    assert.deepEqual(mine.json.data.map((r) => r.id), ["r1"]);
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("serve rejects unknown flags and documents its flags", async () => {
  await assert.rejects(run(SPANLAKE_BIN, ["serve", "--no-such-flag", "1"]), (e) => e.code === 2);
  const { stdout } = await run(SPANLAKE_BIN, ["serve", "--help"]);
  assert.match(stdout, /--listen HOST:PORT/);
  assert.match(stdout, /--data-dir DIR/);
});
