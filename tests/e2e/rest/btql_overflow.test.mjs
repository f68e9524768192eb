// /btql overflow: with `overflow_results: true`, a response body over 5 MiB is stored as an
// object and answered with a 303 to its signed URL (the cursor in x-bt-cursor and
// x-amz-meta-bt_cursor), as Braintrust's API does; without it, the body comes inline.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { btqlQuery } from "../js/harness.mjs";
import { call, ok, startServer, uniq } from "./lib.mjs";

let server;
let project;
const ROWS = 2600;

before(async () => {
  server = await startServer();
  project = await ok(server, "POST", "/v1/project", { body: { name: uniq("overflow") } });
  const pad = "x".repeat(2200);
  for (let i = 0; i < ROWS; i += 500) {
    const events = Array.from({ length: Math.min(500, ROWS - i) }, (_, j) => ({ input: `${i + j} ${pad}` }));
    await ok(server, "POST", `/v1/project_logs/${project.id}/insert`, { body: { events } });
  }
});

after(async () => {
  await server?.dispose();
});

function body(extra = {}) {
  return { query: { ...btqlQuery("project_logs", project.id), limit: ROWS }, ...extra };
}

test("a large result with overflow_results is a 303 to a signed URL holding the body", async () => {
  const res = await fetch(`${server.url}/btql`, {
    method: "POST",
    redirect: "manual",
    headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify(body({ overflow_results: true })),
  });
  assert.equal(res.status, 303);
  const location = res.headers.get("location");
  assert.match(location, /\/objects\/overflow\/[^/]+\/btql-[0-9a-f]+\.json\?/);
  const got = await fetch(new URL(location, server.url));  // no Authorization: the URL is the proof
  assert.equal(got.status, 200);
  const parsed = JSON.parse(await got.text());
  assert.equal(parsed.data.length, ROWS);
});

test("following the redirect gives the same rows as the inline answer", async () => {
  const followed = await call(server, "POST", "/btql", { body: body({ overflow_results: true }) });
  const inline = await call(server, "POST", "/btql", { body: body() });
  assert.equal(inline.status, 200);
  assert.equal(followed.status, 200);
  assert.ok(inline.text.length > 5 * 1024 * 1024, `inline body is ${inline.text.length} bytes`);
  assert.deepEqual(followed.json.data.map((r) => r.id).sort(), inline.json.data.map((r) => r.id).sort());
});

test("a small result with overflow_results stays inline", async () => {
  const small = { query: { ...btqlQuery("project_logs", project.id), limit: 3 }, overflow_results: true };
  const res = await call(server, "POST", "/btql", { body: small });
  assert.equal(res.status, 200);
  assert.equal(res.json.data.length, 3);
});
